"""Small hand-made scorecards for the decision tests (policy, reasons, recourse, explain).

No optbinning: bins and points are written out, so every expected number can be checked by hand.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from scorecard.policy import Policy, parse_policy
from scorecard.profile import parse_profile
from scorecard.spec import Bin, FactorSpec, Scaling, ScorecardSpec, sealed

TEXT = {"zh": "测试", "en": "test"}


def factor_entry(name: str, kind: str = "numeric", **extra: Any) -> dict[str, Any]:
    return {"name": name, "kind": kind, "label": {"zh": name, "en": name}, "meaning": TEXT, **extra}


def range_bins(edges: list[float], points: list[int], *, special: dict[float, int] | None = None,
               missing: int | None = None) -> tuple[tuple[Bin, ...], int]:
    """Range bins split at ``edges`` (len(points) == len(edges) + 1), then special bins, then missing.

    Returns (bins, missing_bin index). The missing bin scores ``missing`` or the worst points.
    """
    bounds = [None, *edges, None]
    bins = [
        Bin(kind="range", label=f"[{lo}, {up})", points=p, woe=0.0, count=10, event_count=1, event_rate=0.1, iv=0.0,
            lower=lo, upper=up)
        for lo, up, p in zip(bounds[:-1], bounds[1:], points)
    ]
    for code, p in (special or {}).items():
        bins.append(Bin(kind="special", label=str(code), points=p, woe=0.0, count=5, event_count=1, event_rate=0.2,
                        iv=0.0, special_values=(code,)))
    bins.append(Bin(kind="missing", label="Missing", points=min(points) if missing is None else missing, woe=0.0,
                    count=0, event_count=0, event_rate=0.0, iv=0.0))
    return tuple(bins), len(bins) - 1


def category_bins(groups: list[tuple[tuple[str, ...], int]], *, missing: int | None = None) -> tuple[tuple[Bin, ...], int, int]:
    bins = [
        Bin(kind="categories", label=", ".join(cats), points=p, woe=0.0, count=10, event_count=1, event_rate=0.1, iv=0.0,
            categories=cats)
        for cats, p in groups
    ]
    worst = min(range(len(bins)), key=lambda i: bins[i].points)
    bins.append(Bin(kind="missing", label="Missing", points=min(p for _, p in groups) if missing is None else missing,
                    woe=0.0, count=0, event_count=0, event_rate=0.0, iv=0.0))
    return tuple(bins), len(bins) - 1, worst


def make_spec(entries: list[dict[str, Any]], bins: dict[str, tuple], *, reference: dict | None = None,
              policy_columns: tuple[str, ...] = ("system_status",)) -> ScorecardSpec:
    profile = parse_profile(
        {
            "name": "tiny",
            "description": TEXT,
            "id_column": "applicant_id",
            "target": {"column": "bad"},
            "date_column": "snapshot_date",
            "segment_column": "segment",
            "policy_columns": list(policy_columns),
            "factors": entries,
        },
        "tiny profile",
    )
    factors = []
    for entry in entries:
        spec_bins = bins[entry["name"]]
        if entry["kind"] == "categorical":
            b, missing_bin, unseen = spec_bins
        else:
            (b, missing_bin), unseen = spec_bins, spec_bins[1]
        factors.append(FactorSpec(name=entry["name"], column=entry["name"], kind=entry["kind"], coefficient=-1.0,
                                  iv=0.1, bins=b, missing_bin=missing_bin, unseen_bin=unseen))
    factor = 20 / math.log(2)
    spec = ScorecardSpec(
        profile=profile,
        factors=tuple(factors),
        intercept=0.0,
        coefficients=(),
        scaling=Scaling(method="pdo", factor=factor, offset=600 - factor * math.log(50), pdo=20, base_score=600,
                        base_odds=50),
        selection_log=(),
        metrics={},
        training={},
        rounding={},
        reference=reference or {},
    )
    return sealed(spec)


def tiny_spec(**kwargs: Any) -> ScorecardSpec:
    """Seven factors covering every kind of move: flag, a wait over a window, an action on a count,
    decimal with a special code and a supply action, increasing percentage, categorical, fixed."""
    entries = [
        factor_entry("identity_verified", "flag", min_value=0, max_value=1, integer=True, advice="act",
                     helps="increase", effort_per_step=1.0, remedy_pages=["complete-information"]),
        factor_entry("overdue_count", min_value=0, max_value=60, integer=True, advice="wait",
                     helps="decrease", step=1, effort_per_step=3, days_per_step=60, window_days=150, cause_pages=["overdue-history"]),
        factor_entry("other_platform_loans", min_value=0, max_value=50, integer=True, advice="act",
                     helps="decrease", step=1, effort_per_step=2),
        factor_entry("debt_to_income", min_value=0, max_value=20, advice="act", helps="decrease",
                     step=0.05, effort_per_step=0.4, supply={"zh": "提供收入证明", "en": "Provide proof of income"},
                     special_values=[{"value": -1, "meaning": TEXT}]),
        factor_entry("profile_completeness", min_value=0, max_value=100, integer=True, advice="act",
                     helps="increase", step=10, effort_per_step=0.3),
        factor_entry("city", "categorical", advice="act", helps="toward_better_bins", effort_per_step=5),
        factor_entry("age", min_value=18, max_value=75, integer=True),
    ]
    bins = {
        "identity_verified": range_bins([0.5], [40, 80]),
        "overdue_count": range_bins([1, 3], [90, 60, 30], missing=45),
        "other_platform_loans": range_bins([1, 3, 6], [85, 70, 50, 25]),
        "debt_to_income": range_bins([0.3, 0.5, 1.0], [95, 80, 55, 30], special={-1.0: 40}, missing=20),
        "profile_completeness": range_bins([50, 80], [40, 70, 90]),
        "city": category_bins([(("A", "B"), 80), (("C",), 65), (("D",), 45)]),
        "age": range_bins([25, 50], [55, 75, 70]),
    }
    return make_spec(entries, bins, **kwargs)


def tiny_row(**values: Any) -> dict[str, Any]:
    row = {
        "applicant_id": "A-1",
        "identity_verified": 1,
        "overdue_count": 0,
        "other_platform_loans": 0,
        "debt_to_income": 0.2,
        "profile_completeness": 90,
        "city": "A",
        "age": 30,
        "segment": "standard",
        "system_status": "ok",
        "snapshot_date": "2026-03-01",
    }
    row.update(values)
    return row


def tiny_table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows)


def random_tiny_table(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    dti = np.round(rng.uniform(0, 2.5, n), 2)
    dti[rng.random(n) < 0.1] = -1
    return pd.DataFrame(
        {
            "applicant_id": [f"R{i:05d}" for i in range(n)],
            "identity_verified": rng.integers(0, 2, n),
            "overdue_count": rng.integers(0, 6, n),
            "other_platform_loans": rng.integers(0, 9, n),
            "debt_to_income": dti,
            "profile_completeness": rng.integers(0, 101, n),
            "city": rng.choice(["A", "B", "C", "D"], n),
            "age": rng.integers(18, 76, n),
            "segment": rng.choice(["standard", "young"], n),
            "system_status": "ok",
            "snapshot_date": "2026-03-01",
        }
    )


def with_reference(spec: ScorecardSpec, table: pd.DataFrame) -> ScorecardSpec:
    from scorecard.reasons import reference_points
    from scorecard.scoring import score

    return sealed(replace(spec, reference=reference_points(spec, score(spec, table))))


# --- a hand-made scorecard on the bundled demo profile (for scale and persona tests) -------------

DEMO_BINS: dict[str, tuple[list[float], list[int], dict[float, int]]] = {
    # factor: (edges, points per range bin, special code -> points)
    "identity_verified": ([0.5], [20, 45], {}),
    "profile_completeness": ([50, 80, 95], [20, 33, 42, 48], {}),
    "bank_card_bound": ([0.5], [32, 44], {}),
    "income_proof": ([0.5], [35, 46], {}),
    "overdue_count_12m": ([1, 2, 4], [52, 38, 26, 12], {}),
    "max_overdue_days_12m": ([1, 15, 60], [50, 40, 28, 15], {}),
    "applications_3m": ([2, 4, 8], [48, 42, 33, 22], {}),
    "other_platform_loans": ([1, 3, 5], [50, 43, 33, 20], {}),
    "debt_to_income": ([0.3, 0.5, 0.8, 1.2], [50, 44, 37, 28, 18], {-1.0: 27}),
    "monthly_payment_activity": ([10, 30, 80], [32, 38, 43, 46], {}),
    "account_age_months": ([12, 36, 72], [31, 38, 43, 47], {}),
    "borrow_repay_cycles_30d": ([2, 5], [45, 36, 24], {}),
    "recent_full_repayment": ([0.5], [44, 34], {}),
    "age": ([22, 26, 55], [33, 38, 44, 40], {}),
}


def demo_like_spec() -> ScorecardSpec:
    from scorecard.profile import load_profile

    profile = load_profile("demo")
    factors = []
    for factor in profile.factors:
        edges, points, special = DEMO_BINS[factor.name]
        bins, missing_bin = range_bins(edges, points, special=special)
        factors.append(FactorSpec(name=factor.name, column=factor.source_column, kind=factor.kind, coefficient=-1.0,
                                  iv=0.1, bins=bins, missing_bin=missing_bin, unseen_bin=missing_bin))
    factor = 20 / math.log(2)
    return sealed(ScorecardSpec(
        profile=profile, factors=tuple(factors), intercept=0.0, coefficients=(),
        scaling=Scaling(method="pdo", factor=factor, offset=600 - factor * math.log(50), pdo=20, base_score=600,
                        base_odds=50),
        selection_log=(), metrics={}, training={}, rounding={}))


def demo_like_table(n: int, seed: int) -> pd.DataFrame:
    """Rough demo-like applicants (not the real generator): for scale tests only."""
    rng = np.random.default_rng(seed)
    dti = np.round(rng.gamma(2.0, 0.25, n), 2)
    dti[rng.random(n) < 0.08] = -1
    return pd.DataFrame({
        "applicant_id": [f"D{i:07d}" for i in range(n)],
        "identity_verified": (rng.random(n) < 0.97).astype(int),
        "profile_completeness": rng.integers(30, 101, n),
        "bank_card_bound": (rng.random(n) < 0.85).astype(int),
        "income_proof": (rng.random(n) < 0.6).astype(int),
        "overdue_count_12m": rng.poisson(0.5, n),
        "max_overdue_days_12m": np.where(rng.random(n) < 0.7, 0, rng.integers(1, 120, n)),
        "applications_3m": rng.poisson(2.5, n),
        "other_platform_loans": rng.poisson(1.5, n),
        "debt_to_income": dti,
        "monthly_payment_activity": rng.integers(0, 200, n),
        "account_age_months": rng.integers(0, 120, n),
        "borrow_repay_cycles_30d": rng.poisson(1.0, n),
        "recent_full_repayment": (rng.random(n) < 0.1).astype(int),
        "age": rng.integers(18, 70, n),
        "segment": rng.choice(["standard", "young", "small_business"], n, p=[0.7, 0.2, 0.1]),
        "system_status": np.where(rng.random(n) < 0.005, "maintenance", "ok"),
        "snapshot_date": rng.choice(["2026-03-01", "2026-08-01"], n),
    })


def tiny_policy() -> Policy:
    """The decision policy of the tiny scorecard: hard rules, a cutoff, a dated overlay, three bands."""
    return parse_policy(
        {
            "name": "t",
            "version": "t-7",
            "hard_rules": [
                {"code": "HARD_IDENTITY", "when": [{"column": "identity_verified", "op": "ne", "value": 1, "missing": "match"}]},
                {"code": "RETRY_LATER", "outcome": "retry_later", "when": [{"column": "system_status", "op": "eq", "value": "maintenance"}]},
            ],
            "cutoff": 520,
            "overlays": [
                {"code": "OVL.H2", "kind": "cutoff", "cutoff": 540,
                 "when": [{"profile_column": "date", "op": "between", "value": ["2026-07-01", "2026-12-31"]}]},
            ],
            "limit_bands": [
                {"name": "B1", "min_score": 520, "limit": 1000},
                {"name": "B2", "min_score": 560, "limit": 3000},
                {"name": "B3", "min_score": 580, "limit": 8000},
            ],
        },
        "t.yaml",
    )
