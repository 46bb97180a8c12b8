"""``duckdb_engine.score_with_duckdb`` against the NumPy engine: same scores, same rejects, input
order kept, on files larger than a row group, in CSV (UTF-8 or GBK) and Parquet.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorecard.duckdb_engine import longest_line_over, score_with_duckdb
from scorecard.errors import DataError
from scorecard.scoring import score
from scorecard.spec import ScorecardSpec, save_spec, sealed

from _decision_fixtures import TEXT, random_tiny_table, tiny_spec
from _sql_fixtures import ODD, categorical_factor, numeric_factor, odd_spec, odd_table, spec_with


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
    from scorecard.jobs.score import score_file

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




@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(max_size=12).map(lambda b: b.replace(b"\n", b"")), min_size=1, max_size=12),
       st.booleans(), st.integers(0, 12), st.integers(1, 7))
def test_the_first_line_longer_than_a_limit_is_found_whatever_the_chunks(tmp_path_factory, lines, last_end, limit,
                                                                         chunk):
    path = tmp_path_factory.mktemp("lines") / "x.csv"
    path.write_bytes(b"\n".join(lines) + (b"\n" if last_end else b""))
    expected = next(((i + 1, len(line)) for i, line in enumerate(lines) if len(line) > limit), None)
    assert longest_line_over(path, limit, chunk=chunk) == expected
