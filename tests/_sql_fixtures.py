"""Helpers of the SQL tests: hand-made specs and tables with odd names, and the engines that score them."""

from __future__ import annotations

import math
import os
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from scorecard.profile import parse_profile
from scorecard.scoring import ScoreResult, score
from scorecard.spec import FactorSpec, Scaling, ScorecardSpec, sealed
from scorecard.sql import to_sql

from _decision_fixtures import TEXT, category_bins, factor_entry, range_bins

SHARED_DATA = Path(os.environ.get("SCORECARD_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))


# --- helpers -----------------------------------------------------------------------------------


def run_duckdb(spec: ScorecardSpec, table: pd.DataFrame, *, dialect: str = "duckdb") -> pd.DataFrame:
    con = duckdb.connect()
    con.register("applicants", table)
    return con.execute(to_sql(spec, dialect=dialect, table="applicants")).df()


def assert_same_scores(spec: ScorecardSpec, expected: ScoreResult, got: pd.DataFrame) -> None:
    """Every row, every factor: ids, bins, points, total and PD agree with the NumPy scorer."""
    names = list(spec.factor_names)
    assert len(got) == len(expected)
    assert got["id"].astype(str).tolist() == [str(i) for i in expected.ids]
    np.testing.assert_array_equal(got[[f"bin_{n}" for n in names]].to_numpy(dtype=np.int64), expected.bins)
    np.testing.assert_array_equal(got[[f"points_{n}" for n in names]].to_numpy(dtype=np.int64), expected.points)
    np.testing.assert_array_equal(got["score"].to_numpy(dtype=np.int64), expected.total)
    # Exactly: every engine looks the PD up in the spec's PD table, none computes exp itself.
    np.testing.assert_array_equal(got["pd"].to_numpy(dtype=float), expected.pd)


def spec_with(factors: list[tuple[dict, FactorSpec]], *, id_column: str | None = "applicant_id",
              **profile_extra: object) -> ScorecardSpec:
    """A spec from (profile entry, factor spec) pairs, with PDO scaling 600 at 50:1, 20 points."""
    profile = parse_profile(
        {"name": "handmade", "description": TEXT, "id_column": id_column, "target": {"column": "bad"},
         "factors": [entry for entry, _ in factors], **profile_extra},
        "handmade profile",
    )
    factor = 20 / math.log(2)
    return sealed(ScorecardSpec(
        profile=profile, factors=tuple(f for _, f in factors), intercept=0.0, coefficients=(),
        scaling=Scaling(method="pdo", factor=factor, offset=600 - factor * math.log(50), pdo=20, base_score=600,
                        base_odds=50),
        selection_log=(), metrics={}, training={}, rounding={},
    ))


def numeric_factor(name: str, column: str, edges: list[float], points: list[int], *, kind: str = "numeric",
                   special: dict[float, int] | None = None, missing: int | None = None, **profile: object):
    bins, missing_bin = range_bins(edges, points, special=special, missing=missing)
    entry = factor_entry(name, kind, column=column, **profile)
    return entry, FactorSpec(name=name, column=column, kind=kind, coefficient=-1.0, iv=0.1, bins=bins,
                             missing_bin=missing_bin, unseen_bin=missing_bin)


def categorical_factor(name: str, column: str, groups: list[tuple[tuple[str, ...], int]], *,
                       unseen: int | None = None, missing: int | None = None, **profile: object):
    bins, missing_bin, worst = category_bins(groups, missing=missing)
    entry = factor_entry(name, "categorical", column=column, **profile)
    return entry, FactorSpec(name=name, column=column, kind="categorical", coefficient=-1.0, iv=0.1, bins=bins,
                             missing_bin=missing_bin, unseen_bin=worst if unseen is None else unseen)


# Column names a real table has: spaces, Chinese, both quote characters, a backtick.
ODD = {"dti": "负债 收入比 (DTI)", "city": 'city "of" birth', "loans": "other `platform` loans", "flag": "it's verified"}


def odd_spec(*, id_column: str | None = "applicant_id") -> ScorecardSpec:
    return spec_with([
        numeric_factor("dti", ODD["dti"], [0.1, 0.3, 1 / 3, 0.7], [95, 80, 70, 55, 30], special={-1.0: 40, -2.5: 12},
                       missing=20),
        categorical_factor("city", ODD["city"], [(("A", "B"), 80), (("C'D", "上海"), 65), (("e\\f", " padded "), 45)],
                           unseen=1, missing=50),
        numeric_factor("loans", ODD["loans"], [1, 3, 3, 6], [85, 70, 60, 50, 25]),  # a repeated split point
        numeric_factor("flag", ODD["flag"], [0.5], [10, 30], kind="flag"),
    ], id_column=id_column)


def odd_table() -> pd.DataFrame:
    """Every edge of ``odd_spec``: values on split points and next to them, specials, missing,
    blank and unseen categories, quotes and backslashes inside categories."""
    dti = [0.1, np.nextafter(0.1, 0), 0.3, np.nextafter(0.3, 1), 1 / 3, 0.7, -1.0, -2.5, -2.4999, np.nan, None, 1e300,
           -1e300, 0.0, -0.0, 0.29999999999999999, 0.30000000000000004, 5.0, 0.2]
    city = ["A", "B", "C'D", "上海", "e\\f", " padded ", "padded", "", "   ", "\u3000", "\t\n", None, "Z", "a", "C''D",
            "e\\\\f", "A ", "\x1c", "上海 "]
    loans = [0, 1, 2.999, 3, 5.5, 6, 7, None, np.nan, -3, 1e9, 0.9999999999999999, 3.0000000000000004, 6, 2, 1, 0, 3, 4]
    flag = [0, 1, 0.5, 0.49999999999999994, None, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0]
    n = len(dti)
    return pd.DataFrame({
        "applicant_id": [f"P-{i:03d}" for i in range(n)],
        ODD["dti"]: pd.array(dti, dtype="float64"),
        ODD["city"]: pd.array(city, dtype="object"),
        ODD["loans"]: pd.array(loans, dtype="float64"),
        ODD["flag"]: pd.array(flag, dtype="float64"),
    })


# --- principal reasons -------------------------------------------------------------------------


def score_policy(scores: np.ndarray, *, bands: int = 3):
    """A policy with no hard rules or overlays: the cutoff at the median score, limit bands above it at
    quantiles, so the rows hold declines, every band, and the top band (no reasons)."""
    from scorecard.policy import parse_policy

    cuts = sorted({int(np.quantile(scores, q)) for q in np.linspace(0.5, 0.95, bands + 1)})
    return parse_policy({"name": "median", "version": "1", "description": {"zh": "测试", "en": "test"},
                         "cutoff": cuts[0],
                         "limit_bands": [{"name": f"B{i + 1}", "min_score": c, "limit": 1000 * (i + 1)}
                                         for i, c in enumerate(cuts)]}, "test policy")


def sql_reasons(got: pd.DataFrame) -> dict[str, tuple]:
    """Per id from a query with reasons: (decision, limit, reason codes with the NULLs dropped)."""
    columns = got[["reason_1", "reason_2", "reason_3", "reason_4"]].astype(object).to_numpy()
    return {str(i): (d, int(lim), tuple(c for c in row if isinstance(c, str)))
            for i, d, lim, row in zip(got["id"], got["decision"], got["limit_amount"], columns)}


def explained_reasons(spec: ScorecardSpec, policy, table: pd.DataFrame, baseline: str = "cutoff_average"
                      ) -> dict[str, tuple]:
    """Per applicant, (decision, limit, reason codes) as ``scorecard explain`` records give them."""
    from scorecard.explain import explain_table

    return {r.applicant_id: (r.decision, r.limit, tuple(x.code for x in r.reasons))
            for r in explain_table(spec, policy, table, baseline=baseline)}


def assert_same_reasons(expected: dict[str, tuple], got: dict[str, tuple]) -> None:
    assert expected, "no record to compare"
    wrong = {i: (record, got.get(i)) for i, record in expected.items() if got.get(i) != record}
    assert not wrong, f"{len(wrong)} of {len(expected)} differ, e.g. {list(wrong.items())[:3]}"
    codes = [record[2] for record in expected.values()]
    assert any(len(c) == 4 for c in codes) and any(len(c) == 0 for c in codes)
