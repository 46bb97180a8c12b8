"""The SQL export scores exactly like the NumPy scorer: every row, every factor's bin and points.

Hand-made specs pin the bin rule at its edges (split points, special codes, missing, blank and
unseen categories, odd column names); hypothesis draws random specs and rows; trained specs on
the demo data and the public files check the real thing. ``score_with_duckdb`` is checked
against the NumPy engine (same scores, same rejects, input order kept).
"""

from __future__ import annotations

import importlib.util
import math
import os
import sys
from dataclasses import replace
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from scorecard.errors import DataError, SpecError
from scorecard.export_sql import PY_WHITESPACE, score_with_duckdb, to_sql
from scorecard.profile import parse_profile
from scorecard.scoring import ScoreResult, score
from scorecard.spec import Bin, FactorSpec, Scaling, ScorecardSpec, save_spec, sealed

sys.path.insert(0, str(Path(__file__).parent))
from _decision_fixtures import TEXT, category_bins, factor_entry, random_tiny_table, range_bins, tiny_spec  # noqa: E402

runner = CliRunner()
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


# --- to_sql against the NumPy scorer -----------------------------------------------------------


def test_whitespace_set_is_pythons() -> None:
    assert set(PY_WHITESPACE) == {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()}


def test_edges_specials_missing_and_odd_names_score_as_in_python() -> None:
    spec, table = odd_spec(), odd_table()
    expected = score(spec, table)
    # The table really reaches the edges: each factor's missing bin, a special bin and the unseen bin.
    dti, city = spec.factor("dti"), spec.factor("city")
    assert {dti.missing_bin, 5, 6} <= set(expected.bins[:, 0])
    assert {city.missing_bin, city.unseen_bin} <= set(expected.bins[:, 1])
    assert_same_scores(spec, expected, run_duckdb(spec, table))


def test_tiny_decision_spec_on_random_rows() -> None:
    spec = tiny_spec()
    table = random_tiny_table(2_000, seed=11)
    table.loc[::7, "city"] = "unseen-town"
    table.loc[::11, "debt_to_income"] = np.nan
    assert_same_scores(spec, score(spec, table), run_duckdb(spec, table))


def test_text_in_numeric_column_scores_as_missing_like_pandas_coerce() -> None:
    spec = tiny_spec()
    table = random_tiny_table(6, seed=3).astype({"age": object})
    table.loc[[0, 3], "age"] = ["abc", "40"]
    table["age"] = table["age"].astype(str)
    expected = score(spec, table)
    assert expected.bins[0, 6] == spec.factor("age").missing_bin
    assert_same_scores(spec, expected, run_duckdb(spec, table))


def test_without_id_column_the_id_is_the_row_number_in_file_order(tmp_path: Path) -> None:
    spec = odd_spec(id_column=None)
    table = pd.concat([odd_table()] * 2_000, ignore_index=True).drop(columns="applicant_id")
    table[ODD["dti"]] = np.random.default_rng(5).uniform(-0.2, 1.2, len(table)).round(3)
    path = tmp_path / "no id.parquet"
    table.to_parquet(path, row_group_size=1_000)  # many row groups, read by two threads
    con = duckdb.connect(config={"threads": 2})
    got = con.execute(to_sql(spec, dialect="duckdb", table=f"read_parquet('{path}')")).df()
    expected = score(spec, table)
    assert expected.ids[0] == "1" and expected.ids[-1] == str(len(table))
    assert_same_scores(spec, expected, got)


def test_ansi_query_runs_unchanged_in_duckdb() -> None:
    spec, table = odd_spec(), odd_table()
    # ANSI assumes missing is NULL, not NaN (standard SQL has no NaN).
    table = table.astype(object).where(table.notna(), None)
    sql = to_sql(spec, dialect="ansi", table="applicants")
    assert "TRY_CAST(" not in sql and "isnan(" not in sql
    assert_same_scores(spec, score(spec, table), run_duckdb(spec, table, dialect="ansi"))


def test_literals_are_exact_and_quoted() -> None:
    sql = to_sql(odd_spec(), dialect="duckdb", table="applicants")
    assert f"< {1 / 3!r}E0 THEN" in sql  # the double itself, not a rounded decimal
    assert '"负债 收入比 (DTI)"' in sql and '"city ""of"" birth"' in sql
    assert "'C''D'" in sql and "'e\\f'" in sql
    spark = to_sql(odd_spec(), dialect="spark", table="applicants")
    assert "`other ``platform`` loans`" in spark and "'C\\'D'" in spark and "'e\\\\f'" in spark


def test_every_output_line_is_printable_for_duckdb_and_spark() -> None:
    for dialect in ("duckdb", "spark"):
        sql = to_sql(odd_spec(), dialect=dialect, table="applicants")
        assert all(line.isprintable() for line in sql.splitlines())


def test_label_with_line_break_stays_inside_its_comment() -> None:
    entry, factor = numeric_factor("dti", "dti", [0.5], [10, 20])
    bins = (replace(factor.bins[0], label="low\nSELECT 1"), *factor.bins[1:])
    spec = spec_with([(entry, replace(factor, bins=bins))])
    table = pd.DataFrame({"applicant_id": ["a", "b"], "dti": [0.1, 0.9]})
    assert_same_scores(spec, score(spec, table), run_duckdb(spec, table))


@pytest.mark.parametrize("table", ["", "  ", "applicants; DROP TABLE x"])
def test_bad_table_names_are_refused(table: str) -> None:
    with pytest.raises(DataError, match="--table"):
        to_sql(tiny_spec(), dialect="duckdb", table=table)


def test_unknown_dialect_and_broken_specs_are_refused() -> None:
    with pytest.raises(SpecError, match="dialect"):
        to_sql(tiny_spec(), dialect="oracle", table="t")
    entry, factor = numeric_factor("dti", "dti", [0.5, 0.2], [10, 20, 30])
    with pytest.raises(SpecError, match="increasing"):
        to_sql(spec_with([(entry, factor)]), dialect="duckdb", table="t")
    entry, factor = numeric_factor("dti", "dti", [0.5], [10, 20], special={-1.0: 3})
    spec = spec_with([(entry, factor)])
    infinite = replace(factor, bins=tuple(replace(b, special_values=(float("inf"),)) if b.kind == "special" else b
                                          for b in factor.bins))
    with pytest.raises(SpecError, match="special code"):
        to_sql(replace(spec, factors=(infinite,)), dialect="duckdb", table="t")


# --- property: random specs and random rows ----------------------------------------------------

_text = st.text(
    alphabet=st.one_of(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                       st.sampled_from(list(PY_WHITESPACE) + ["'", '"', "\\", "`"])),
    max_size=6,
)
_edge_numbers = st.one_of(
    st.integers(-5, 5).map(float),
    st.sampled_from([0.1, 0.2, 0.3, 1 / 3, 2 / 3, 0.7, 1e-300, -1e-300, 1e15 + 0.5, -0.0, 5e-324]),
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
)


@st.composite
def random_factor(draw, index: int):
    name = f"f{index}"
    column = draw(_text.filter(lambda t: t.strip() != "")) + f"#{index}"
    kind = draw(st.sampled_from(["numeric", "flag", "categorical"]))
    if kind == "categorical":
        categories = draw(st.lists(_text, min_size=1, max_size=8, unique=True))
        groups = draw(st.integers(1, len(categories)))
        cuts = sorted(draw(st.lists(st.integers(1, len(categories) - 1), max_size=groups - 1, unique=True))) \
            if len(categories) > 1 else []
        chunks = [tuple(categories[a:b]) for a, b in zip([0, *cuts], [*cuts, len(categories)])]
        bins = [Bin(kind="categories", label="c", points=draw(st.integers(-50, 100)), woe=0.0, count=1, event_count=0,
                    event_rate=0.0, iv=0.0, categories=chunk) for chunk in chunks]
        if draw(st.booleans()):
            code = draw(st.one_of(_text, st.integers(-9, -1)))
            bins.append(Bin(kind="special", label="s", points=draw(st.integers(-50, 100)), woe=0.0, count=1,
                            event_count=0, event_rate=0.0, iv=0.0, special_values=(code,)))
        values_from = [c for chunk in chunks for c in chunk]
    else:
        splits = sorted(draw(st.lists(_edge_numbers, max_size=5)))
        bounds = [None, *splits, None]
        bins = [Bin(kind="range", label="r", points=draw(st.integers(-50, 100)), woe=0.0, count=1, event_count=0,
                    event_rate=0.0, iv=0.0, lower=lo, upper=up) for lo, up in zip(bounds[:-1], bounds[1:])]
        if draw(st.booleans()):
            bins = bins if bins and draw(st.booleans()) else []  # sometimes no range bins at all
        for _ in range(draw(st.integers(0, 2))):
            codes = tuple(draw(st.lists(st.sampled_from([-1.0, -7.0, -8.0, 0.3, *splits[:2]]), min_size=1, max_size=3)))
            bins.append(Bin(kind="special", label="s", points=draw(st.integers(-50, 100)), woe=0.0, count=1,
                            event_count=0, event_rate=0.0, iv=0.0, special_values=codes))
        values_from = splits
    bins.append(Bin(kind="missing", label="Missing", points=draw(st.integers(-50, 100)), woe=0.0, count=0,
                    event_count=0, event_rate=0.0, iv=0.0))
    factor = FactorSpec(name=name, column=column, kind=kind, coefficient=-1.0, iv=0.1, bins=tuple(bins),
                        missing_bin=len(bins) - 1, unseen_bin=draw(st.integers(0, len(bins) - 1)))
    return factor_entry(name, kind, column=column), factor, values_from


@st.composite
def spec_and_rows(draw):
    drawn = [draw(random_factor(i)) for i in range(draw(st.integers(1, 4)))]
    spec = spec_with([(entry, factor) for entry, factor, _ in drawn], id_column=None)
    n = draw(st.integers(1, 25))
    columns = {}
    for _, factor, values_from in drawn:
        if factor.kind == "categorical":
            pool = st.one_of(st.sampled_from(values_from), _text, st.none(),
                             st.sampled_from([" ", "\u3000", "\t", "\x1c\x1d"]))
            columns[factor.column] = pd.array(draw(st.lists(pool, min_size=n, max_size=n)), dtype=object)
        else:
            near = [v for s in values_from for v in (s, np.nextafter(s, -np.inf), np.nextafter(s, np.inf))]
            pool = st.one_of(_edge_numbers, st.sampled_from([np.nan, -1.0, -7.0, 0.3, *near]))
            columns[factor.column] = np.array(draw(st.lists(pool, min_size=n, max_size=n)), dtype=float)
    return spec, pd.DataFrame(columns)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(spec_and_rows())
def test_random_specs_and_rows_get_the_same_points_in_sql_and_python(case) -> None:
    spec, table = case
    assert_same_scores(spec, score(spec, table), run_duckdb(spec, table))


# --- trained specs: the demo population and the public files ----------------------------------


def trained(table: pd.DataFrame, profile_name: str, *, train_rows: int) -> ScorecardSpec:
    training = pytest.importorskip("scorecard.training")
    from scorecard.profile import load_profile

    sample = table.sample(n=min(train_rows, len(table)), random_state=7)
    return training.fit_scorecard(sample, load_profile(profile_name), test_size=0.3, seed=7)


@pytest.mark.slow
def test_demo_population_scores_the_same_in_sql() -> None:
    demo = pytest.importorskip("scorecard.datasets.demo")
    table = demo.generate(20_000, 11)
    spec = trained(table.iloc[:8_000], "demo", train_rows=8_000)
    assert_same_scores(spec, score(spec, table), run_duckdb(spec, table))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["heloc", "gmsc", "german"])
def test_public_files_score_the_same_in_sql(name: str) -> None:
    path = SHARED_DATA / f"{name}.csv"
    if not path.is_file():
        pytest.skip(f"{path} is absent (set SCORECARD_SHARED_DATA to the shared data folder)")
    data = pytest.importorskip("scorecard.data")
    table = data.read_table(path)
    spec = trained(table, name, train_rows=4_000)
    # Every row of the file, including the ones validation would reject: the bin rule is the same.
    assert_same_scores(spec, score(spec, table), run_duckdb(spec, table))


# --- the CLI -----------------------------------------------------------------------------------


def test_cli_writes_the_query_to_stdout_and_to_a_file(tmp_path: Path) -> None:
    from scorecard.cli import app

    model = save_spec(odd_spec(), tmp_path / "model.json")
    runner = CliRunner()
    printed = runner.invoke(app, ["export", "sql", "--model", str(model), "--dialect", "spark", "--table", "apps"])
    assert printed.exit_code == 0, printed.output
    assert printed.stdout == to_sql(odd_spec(), dialect="spark", table="apps")
    target = tmp_path / "score.sql"
    written = runner.invoke(app, ["export", "sql", "--model", str(model), "--out", str(target),
                                  "--table", "read_parquet('apps.parquet')"])
    assert written.exit_code == 0, written.output
    assert target.read_text(encoding="utf-8") == to_sql(odd_spec(), dialect="duckdb", table="read_parquet('apps.parquet')")


def test_cli_bad_spec_is_one_line_and_exit_2(tmp_path: Path) -> None:
    from scorecard.cli import app

    model = tmp_path / "model.json"
    model.write_text('{"schema_version": 1, "factors": [', encoding="utf-8")
    result = CliRunner().invoke(app, ["export", "sql", "--model", str(model)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1 and "model.json" in message and "scorecard train" in message


# --- score_with_duckdb -------------------------------------------------------------------------


def messy_table() -> pd.DataFrame:
    """Demo-like rows with every kind of bad value, as text (the way a CSV arrives)."""
    table = random_tiny_table(300, seed=21).astype(object)
    table.loc[3, "age"] = "abc"  # not a number
    table.loc[4, "age"] = 120  # above the maximum
    table.loc[5, "overdue_count"] = 1.5  # not a whole number for an integer factor
    table.loc[6, "debt_to_income"] = -1  # special code: fine although below the minimum
    table.loc[7, "debt_to_income"] = -0.5  # below the minimum
    table.loc[8, "debt_to_income"] = None  # missing: fine
    table.loc[9, "age"] = "1_000"  # DuckDB would read 1000; pandas does not
    table.loc[10, ["age", "overdue_count"]] = ["x", -2]  # two problems in one row
    table.loc[11, "city"] = "unseen-town"  # no category list in the profile: scored as unseen
    table.loc[12, "profile_completeness"] = "NA"  # pandas' missing marker
    return table


def numpy_engine(spec: ScorecardSpec, table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What the NumPy path writes: split_valid_rows, then score; columns id, score, pd, points."""
    data = pytest.importorskip("scorecard.data")
    valid, rejects = data.split_valid_rows(table, spec.profile, "messy.csv")
    result = score(spec, valid)
    out = pd.DataFrame({"id": result.ids, "score": result.total, "pd": result.pd})
    for j, name in enumerate(result.factor_names):
        out[f"points_{name}"] = result.points[:, j]
    return out, rejects


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_score_with_duckdb_matches_the_numpy_engine(tmp_path: Path, suffix: str) -> None:
    spec = tiny_spec()
    table = messy_table()
    data = tmp_path / f"messy{suffix}"
    if suffix == ".csv":
        table.to_csv(data, index=False)
    else:
        # Text columns, as a Parquet file made from a CSV holds them; "NA" there is text, not missing.
        table.loc[12, "profile_completeness"] = None
        table.astype(str).where(table.notna(), None).to_parquet(data)
    out, rejects = tmp_path / f"scores{suffix}", tmp_path / "rejects.csv"
    progress: list[float] = []
    scored, rejected = score_with_duckdb(spec, data, out, rejects, progress=progress.append)

    got = pd.read_parquet(out) if suffix == ".parquet" else pd.read_csv(out, dtype={"id": str})
    got_rejects = pd.read_csv(rejects, dtype={"id": str})
    assert scored + rejected == len(table)
    assert rejected == got_rejects["row"].nunique() == 6
    assert set(got_rejects["row"]) == {4, 5, 6, 8, 10, 11}  # 1-based rows of the bad values above
    assert progress[-1] == 1.0 and progress == sorted(progress)

    expected, expected_rejects = numpy_engine(spec, pd.read_csv(data) if suffix == ".csv" else pd.read_parquet(data))
    assert list(got.columns) == list(expected.columns)
    np.testing.assert_array_equal(got["id"].astype(str), expected["id"].astype(str))  # input order kept
    for column in expected.columns[1:]:  # scores, points and PDs (looked up in the spec's PD table): exact
        np.testing.assert_array_equal(got[column].to_numpy(float), expected[column].to_numpy(float))
    assert got_rejects[["row", "column"]].values.tolist() == expected_rejects[["row", "column"]].values.tolist()
    assert got_rejects["reason"].tolist() == expected_rejects["reason"].tolist()


def test_score_with_duckdb_keeps_input_order_on_many_row_groups(tmp_path: Path) -> None:
    spec = odd_spec(id_column=None)
    table = pd.concat([odd_table()] * 3_000, ignore_index=True).drop(columns="applicant_id")
    table[ODD["loans"]] = np.random.default_rng(2).integers(0, 9, len(table)).astype(float)
    data = tmp_path / "big.parquet"
    table.to_parquet(data, row_group_size=2_000)
    scored, rejected = score_with_duckdb(spec, data, tmp_path / "out.parquet", tmp_path / "rejects.parquet")
    got = pd.read_parquet(tmp_path / "out.parquet")
    assert (scored, rejected) == (len(table), 0)
    # The NumPy engine scores the checked values: categories stripped (" padded " is "padded").
    expected, _ = numpy_engine(spec, table)
    assert got["id"].tolist() == expected["id"].tolist()
    np.testing.assert_array_equal(got["score"].to_numpy(), expected["score"].to_numpy())
    assert len(pd.read_parquet(tmp_path / "rejects.parquet")) == 0


def id_spec(*, id_column: str | None = "applicant_id") -> ScorecardSpec:
    """Three profile factors and a date column; the model kept two (``age`` was dropped), yet
    scoring still checks ``age``, as it checks every factor the profile describes."""
    spec = spec_with([
        numeric_factor("dti", "dti", [0.3, 0.5], [90, 60, 30], special={-1.0: 40}, min_value=0, max_value=20,
                       special_values=[{"value": -1, "meaning": TEXT}]),
        categorical_factor("city", "city", [(("A", "B"), 80), (("C",), 50)], categories=["A", "B", "C"]),
        numeric_factor("age", "age", [30], [40, 60], min_value=18, max_value=75, integer=True),
    ], id_column=id_column, date_column="snapshot_date")
    return sealed(replace(spec, factors=spec.factors[:2]))


# (id, dti, city, age, snapshot_date) as a CSV holds them, with what the checks say of each row.
ID_ROWS = [
    ("A-1", "0.2", "A", "30", "2026-03-01"),  # fine
    ("", "0.2", "A", "30", "2026-03-01"),  # empty id
    ("   ", "0.2", "A", "30", "2026-03-01"),  # blank id: empty
    ("NA", "0.2", "A", "30", "2026-03-01"),  # pandas' missing marker: empty
    ("A-1", "0.4", "B", "40", "2026-03-01"),  # repeated id with the same date
    (" A-1 ", "0.4", "B", "40", "2026-03-01"),  # repeated once stripped
    ("A-1", "0.4", "B", "40", "2026-04-01"),  # another snapshot: fine
    ("A-1", "0.4", "B", "abc", "2026-03-01"),  # a dropped factor not a number, and repeated
    ('x,"y"', "0.1", "C", "50", "2026-03-01"),  # an id that CSV must quote
    ('x,"y"', "0.1", "C", "50", "2026-03-01"),  # ... repeated
    ("B-1", "0.1", " B ", "50", "2026-03-01"),  # a category with spaces around it: fine
    ("B-2", "0.1", "Z", "50", "2026-03-01"),  # unknown category
    ("B-3", "0.1", "z, w", "50", "2026-03-01"),  # unknown category that CSV must quote
    ("B-4", "0.1", "A", "17", "2026-03-01"),  # dropped factor below its minimum
    ("B-5", "-1", "A", "30", "2026-03-01"),  # special code: fine
    ("B-6", "1_000", "A", "30", "2026-03-01"),  # not a number for pandas (DuckDB alone would read 1000)
    ("B-7", "nan", "", "", "2026-03-01"),  # missing values: fine
    ("B-8", "１２", "A", "30", "2026-03-01"),  # full-width digits: not a number
    ("", "0.2", "A", "30.5", "2026-03-01"),  # not a whole number, and an empty id
    ("B-9", "0.2", "A", "30", ""),  # no date: fine
    ("B-9", "0.2", "A", "30", None),  # no date again: repeated
]


def id_table() -> pd.DataFrame:
    return pd.DataFrame(ID_ROWS, columns=["applicant_id", "dti", "city", "age", "snapshot_date"], dtype=object)


def both_engines(spec: ScorecardSpec, data: Path, tmp_path: Path, suffix: str) -> dict[str, tuple[Path, Path]]:
    from scorecard.spec import save_spec
    from scorecard.workflows import score_file

    model = save_spec(spec, tmp_path / "model.json")
    written = {}
    for engine in ("numpy", "duckdb"):
        out, rejects = tmp_path / f"scores_{engine}{suffix}", tmp_path / f"rejects_{engine}{suffix}"
        score_file(model, data, out, rejects=rejects, engine=engine)
        written[engine] = (out, rejects)
    return written


def test_both_engines_write_identical_rejects_for_empty_and_repeated_ids(tmp_path: Path) -> None:
    data = tmp_path / "ids.csv"
    id_table().to_csv(data, index=False)
    written = both_engines(id_spec(), data, tmp_path, ".csv")
    numpy_rejects = written["numpy"][1].read_bytes()
    assert written["duckdb"][1].read_bytes() == numpy_rejects
    assert written["duckdb"][0].read_bytes() == written["numpy"][0].read_bytes()

    rejects = pd.read_csv(written["numpy"][1], dtype=str, keep_default_na=False)
    assert rejects.values.tolist() == [
        ["2", "", "applicant_id", "empty id; give every applicant an id"],
        ["3", "", "applicant_id", "empty id; give every applicant an id"],
        ["4", "", "applicant_id", "empty id; give every applicant an id"],
        ["5", "A-1", "applicant_id", "repeated id: row 1 has the same id and snapshot_date; only the first is scored"],
        ["6", "A-1", "applicant_id", "repeated id: row 1 has the same id and snapshot_date; only the first is scored"],
        ["8", "A-1", "age", "not a number"],
        ["8", "A-1", "applicant_id", "repeated id: row 1 has the same id and snapshot_date; only the first is scored"],
        ["10", 'x,"y"', "applicant_id", "repeated id: row 9 has the same id and snapshot_date; only the first is scored"],
        ["12", "B-2", "city", "unknown category Z"],
        ["13", "B-3", "city", "unknown category z, w"],
        ["14", "B-4", "age", "below the minimum 18"],
        ["16", "B-6", "dti", "not a number"],
        ["18", "B-8", "dti", "not a number"],
        ["19", "", "age", "not a whole number"],
        ["19", "", "applicant_id", "empty id; give every applicant an id"],
        ["21", "B-9", "applicant_id", "repeated id: row 20 has the same id and snapshot_date; only the first is scored"],
    ]
    scores = pd.read_csv(written["numpy"][0], dtype={"id": str}, keep_default_na=False)
    assert scores["id"].tolist() == ["A-1", "A-1", 'x,"y"', "B-1", "B-5", "B-7", "B-9"]


def test_both_engines_agree_on_parquet_and_without_an_id_column(tmp_path: Path) -> None:
    table = id_table()
    data = tmp_path / "ids.parquet"
    table.to_parquet(data, index=False)
    written = both_engines(id_spec(), data, tmp_path, ".parquet")
    for kind in (0, 1):
        expected, got = (pd.read_parquet(written[engine][kind]) for engine in ("numpy", "duckdb"))
        assert len(expected) > 0
        pd.testing.assert_frame_equal(got, expected, check_dtype=False)

    no_id = tmp_path / "no_id"
    no_id.mkdir()
    data = no_id / "rows.csv"
    table.drop(columns="applicant_id").to_csv(data, index=False)
    written = both_engines(id_spec(id_column=None), data, no_id, ".csv")
    assert written["duckdb"][1].read_bytes() == written["numpy"][1].read_bytes()
    assert written["duckdb"][0].read_bytes() == written["numpy"][0].read_bytes()
    assert pd.read_csv(written["numpy"][1])["id"].tolist() == [8, 12, 13, 14, 16, 18, 19]


def test_duckdb_names_columns_like_read_table_and_checks_rows_like_it(tmp_path: Path) -> None:
    # Give Me Some Credit's first column has an empty header: both engines call it row_id.
    spec = id_spec(id_column="row_id")
    data = tmp_path / "unnamed.csv"
    table = id_table().drop(columns="applicant_id")
    table.index = table.index + 1
    table.to_csv(data)  # the index, under an empty header
    written = both_engines(spec, data, tmp_path, ".csv")
    assert written["duckdb"][1].read_bytes() == written["numpy"][1].read_bytes()
    assert written["duckdb"][0].read_bytes() == written["numpy"][0].read_bytes()

    header_only = tmp_path / "header.csv"
    header_only.write_text("row_id,dti,city,age\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"header\.csv: the table has no data rows"):
        score_with_duckdb(spec, header_only, tmp_path / "o.csv", tmp_path / "r.csv")
    no_age = tmp_path / "no_age.csv"
    table.drop(columns="age").to_csv(no_age)
    with pytest.raises(DataError, match=r"no_age\.csv: missing column\(s\) 'age' that profile 'handmade' needs"):
        score_with_duckdb(spec, no_age, tmp_path / "o.csv", tmp_path / "r.csv")


def test_score_with_duckdb_reads_gbk_csv(tmp_path: Path) -> None:
    spec = spec_with([categorical_factor("city", "城市", [(("北京", "上海"), 80), (("广州",), 40)])])
    table = pd.DataFrame({"applicant_id": ["a", "b", "c", "d"], "城市": ["北京", "广州", "深圳", None]})
    data = tmp_path / "gbk.csv"
    data.write_bytes(table.to_csv(index=False).encode("gbk"))
    scored, _ = score_with_duckdb(spec, data, tmp_path / "out.csv", tmp_path / "rejects.csv")
    got = pd.read_csv(tmp_path / "out.csv")
    assert scored == 4
    assert got["points_city"].tolist() == score(spec, table).points[:, 0].tolist()


def test_score_with_duckdb_names_a_missing_column(tmp_path: Path) -> None:
    data = tmp_path / "short.csv"
    random_tiny_table(5, seed=1).drop(columns="age").to_csv(data, index=False)
    with pytest.raises(DataError, match=r"short\.csv.*'age'"):
        score_with_duckdb(tiny_spec(), data, tmp_path / "out.csv", tmp_path / "rejects.csv")


# --- Spark SQL local mode ----------------------------------------------------------------------

SPARK_MISSING = importlib.util.find_spec("pyspark") is None


@pytest.fixture(scope="module")
def spark():
    if SPARK_MISSING:
        pytest.skip("pyspark is not installed (pip install 'credit-scorecard[spark]')")
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("scorecard-tests")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.mark.slow
def test_spark_runs_the_same_export_unchanged(spark, tmp_path: Path) -> None:
    spec, table = odd_spec(id_column=None), pd.concat([odd_table()] * 50, ignore_index=True).drop(columns="applicant_id")
    path = tmp_path / "applicants.parquet"
    table.to_parquet(path)
    spark.read.parquet(str(path)).createOrReplaceTempView("applicants")
    got = spark.sql(to_sql(spec, dialect="spark", table="applicants")).toPandas()
    assert_same_scores(spec, score(spec, table), got)


def _engine_table(name: str) -> tuple[ScorecardSpec, Path]:
    """A trained spec and the CSV file it scores: the demo population, or a public file."""
    if name == "demo":
        demo = pytest.importorskip("scorecard.datasets.demo")
        table = demo.generate(20_000, 11)
        return trained(table.iloc[:8_000], "demo", train_rows=8_000), None
    path = SHARED_DATA / f"{name}.csv"
    if not path.is_file():
        pytest.skip(f"{path} is absent (set SCORECARD_SHARED_DATA to the shared data folder)")
    data = pytest.importorskip("scorecard.data")
    return trained(data.read_table(path), name, train_rows=4_000), path


@pytest.mark.slow
@pytest.mark.parametrize("name", ["demo", "heloc", "gmsc", "german"])
def test_numpy_duckdb_and_spark_write_the_same_scores_and_pds(spark, tmp_path: Path, name: str) -> None:
    """The same file through ``scorecard score --engine numpy``, ``--engine duckdb`` and the exported
    Spark SQL: the same ids, scores and PDs, to the last digit (the PD table), and the two CLI
    engines write byte-identical files."""
    from scorecard.cli import app

    spec, path = _engine_table(name)
    if path is None:
        path = tmp_path / "demo.csv"
        pytest.importorskip("scorecard.datasets.demo").generate(20_000, 11).to_csv(path, index=False)
    model = tmp_path / "model.json"
    save_spec(spec, model)
    written = {}
    for engine in ("numpy", "duckdb"):
        out, rejects = tmp_path / f"{engine}.csv", tmp_path / f"{engine}.rejects.csv"
        result = runner.invoke(app, ["score", "--model", str(model), "--data", str(path), "--out", str(out),
                                     "--rejects", str(rejects), "--engine", engine])
        assert result.exit_code == 0, result.output
        written[engine] = (out.read_bytes(), rejects.read_bytes())
    assert written["duckdb"] == written["numpy"]

    expected = pd.read_csv(tmp_path / "numpy.csv", dtype={"id": str})
    data = pytest.importorskip("scorecard.data")
    table = data.read_table(path)
    parquet = tmp_path / "applicants.parquet"
    table.to_parquet(parquet)
    spark.read.parquet(str(parquet)).createOrReplaceTempView("applicants")
    got = spark.sql(to_sql(spec, dialect="spark", table="applicants")).toPandas()
    got = got.set_index(got["id"].astype(str)).loc[expected["id"]]  # the rows the CLI scored (not rejected)
    np.testing.assert_array_equal(got["score"].to_numpy(dtype=np.int64), expected["score"].to_numpy(dtype=np.int64))
    np.testing.assert_array_equal(got["pd"].to_numpy(dtype=float), expected["pd"].to_numpy(dtype=float))
