"""The scorecard as SQL (``sql.to_sql``) scores exactly like the NumPy scorer: every row, every
factor's bin and points, in DuckDB, Spark and ANSI SQL.

Hand-made specs pin the bin rule at its edges (split points, special codes, missing, blank and
unseen categories, odd column names); hypothesis draws random specs and rows; trained specs on
the demo data and the public files check the real thing.
"""

from __future__ import annotations

import importlib.util
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
from scorecard.scoring import score
from scorecard.spec import Bin, FactorSpec, ScorecardSpec, save_spec
from scorecard.policy import default_policy
from scorecard.reasons import baseline_points, rank_reasons, reason_code
from scorecard.sql import PY_WHITESPACE, reason_rule, to_sql

from _decision_fixtures import factor_entry, random_tiny_table, tiny_spec
from _sql_fixtures import (SHARED_DATA, ODD, assert_same_reasons, assert_same_scores, explained_reasons, numeric_factor,
                           odd_spec, odd_table, run_duckdb, score_policy, spec_with, sql_reasons)

runner = CliRunner()


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


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(spec_and_rows(), st.lists(st.integers(0, 400), min_size=1, max_size=4, unique=True))  # explain reads -1 as "no target"
def test_random_specs_rank_reasons_in_sql_as_reasons_py_does(case, targets) -> None:
    """Best-points baseline (no reference population needed): SQL decides and ranks ties, shortfalls
    at the threshold and rows in the top band exactly as ``decide`` and ``rank_reasons`` do."""
    from scorecard.policy import decide

    spec, table = case
    policy = score_policy(np.array(targets))
    rule = reason_rule(spec, policy, baseline="best_points")
    con = duckdb.connect()
    con.register("applicants", table)
    got = sql_reasons(con.execute(to_sql(spec, dialect="duckdb", table="applicants", reasons=rule)).df())
    result = score(spec, table)
    decisions = decide(result, policy, table, spec.profile)
    index, _ = rank_reasons(result.points, baseline_points(spec, "best_points"))
    for row in range(len(table)):
        target = decisions.cutoff[row] if decisions.outcome[row] == "declined" else decisions.next_band_score[row]
        wanted = ()
        if target >= 0:
            wanted = tuple(reason_code(spec.factors[j].name, spec.factors[j].bins[result.bins[row, j]].kind)
                           for j in index[row] if j >= 0)
        assert got[str(row + 1)] == (decisions.code[row], int(decisions.limit[row]), wanted)


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
def test_demo_decisions_and_reason_codes_in_sql_are_the_records() -> None:
    """The demo model and policy: every applicant gets, from SQL, the decision, limit and reason codes
    of its decision record, in the same order: hard rules (no reasons), overlays (a tightened cutoff,
    a cap), declines, and approvals below the top band."""
    from scorecard.spec import load_spec

    spec = load_spec(Path(__file__).parent / "golden" / "demo_model.json")
    table = pytest.importorskip("scorecard.datasets.demo").generate(20_000, 11)
    policy = default_policy()
    for baseline in ("cutoff_average", "population_average"):
        con = duckdb.connect()
        con.register("applicants", table)
        got = con.execute(to_sql(spec, dialect="duckdb", table="applicants",
                                 reasons=reason_rule(spec, policy, baseline=baseline))).df()
        expected = explained_reasons(spec, policy, table, baseline)
        assert len(expected) == len(table)
        decisions = {record[0] for record in expected.values()}
        assert {"HARD_IDENTITY", "RETRY_LATER", "DECLINED_OVERLAY", "DECLINED_SCORE", "APPROVED"} <= decisions
        assert_same_reasons(expected, sql_reasons(got))
    # ANSI SQL (NULL for missing, no NaN) runs unchanged in DuckDB and agrees too.
    ansi = table.astype(object).where(table.notna(), None)
    con = duckdb.connect()
    con.register("applicants", ansi)
    got = con.execute(to_sql(spec, dialect="ansi", table="applicants", reasons=reason_rule(spec, policy))).df()
    assert_same_reasons(explained_reasons(spec, policy, table), sql_reasons(got))


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
    # Reasons on the valid rows, against a policy whose cutoff is the median score.
    valid, _ = data.split_valid_rows(table, spec.profile, name)
    policy = score_policy(score(spec, valid).total)
    con = duckdb.connect()
    con.register("applicants", valid)
    got = con.execute(to_sql(spec, dialect="duckdb", table="applicants", reasons=reason_rule(spec, policy))).df()
    assert_same_reasons(explained_reasons(spec, policy, valid), sql_reasons(got))


# --- the CLI -----------------------------------------------------------------------------------


def test_cli_writes_the_query_to_stdout_and_to_a_file(tmp_path: Path) -> None:
    from scorecard.cli import app

    model = save_spec(odd_spec(), tmp_path / "model.json")
    runner = CliRunner()
    printed = runner.invoke(app, ["export", "sql", "--model", str(model), "--dialect", "spark", "--table", "apps",
                                  "--no-reasons"])
    assert printed.exit_code == 0, printed.output
    assert printed.stdout == to_sql(odd_spec(), dialect="spark", table="apps")
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text("name: plain\nversion: '1'\ncutoff: 150\nlimit_bands:\n  - {name: B1, min_score: 150, limit: 1000}\n"
                           "  - {name: B2, min_score: 180, limit: 2000}\n", encoding="utf-8")
    with_reasons = runner.invoke(app, ["export", "sql", "--model", str(model), "--table", "apps", "--baseline",
                                       "best_points", "--policy", str(policy_file)])
    assert with_reasons.exit_code == 0, with_reasons.output
    from scorecard.policy import load_policy

    rule = reason_rule(odd_spec(), load_policy(policy_file), baseline="best_points")
    assert with_reasons.stdout == to_sql(odd_spec(), dialect="duckdb", table="apps", reasons=rule)
    assert "reason_1" in with_reasons.stdout and "reason_1" not in printed.stdout
    target = tmp_path / "score.sql"
    written = runner.invoke(app, ["export", "sql", "--model", str(model), "--out", str(target),
                                  "--table", "read_parquet('apps.parquet')", "--no-reasons"])
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
    valid, _ = data.split_valid_rows(table, spec.profile, name)
    # The demo policy (hard rules, overlays on the segment and the date, caps) or one at the median score.
    policy = default_policy() if name == "demo" else score_policy(score(spec, valid).total)
    rule = reason_rule(spec, policy)
    got = spark.sql(to_sql(spec, dialect="spark", table="applicants", reasons=rule)).toPandas()
    # The decisions, limits and reason codes of the decision records (the valid rows), from Spark SQL.
    assert_same_reasons(explained_reasons(spec, policy, valid), sql_reasons(got))
    got = got.set_index(got["id"].astype(str)).loc[expected["id"]]  # the rows the CLI scored (not rejected)
    np.testing.assert_array_equal(got["score"].to_numpy(dtype=np.int64), expected["score"].to_numpy(dtype=np.int64))
    np.testing.assert_array_equal(got["pd"].to_numpy(dtype=float), expected["pd"].to_numpy(dtype=float))
