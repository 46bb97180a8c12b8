"""Reading tables and checking them against a profile: every bad input gives one clear line that
names the file, the column and the row; a scoring batch never loses a row."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scorecard.data import malformed_rows, check_factor, read_table, split_valid_rows, target_vector, validate_training
from scorecard.datasets.demo import generate
from scorecard.errors import DataError
from scorecard.profile import load_profile, parse_profile

PROFILE = load_profile("demo")
SHARED = Path(os.environ.get("SCORECARD_SHARED_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data")

# A small profile with a Chinese column name and Chinese categories, a text target and no date.
CITY = parse_profile(
    {
        "name": "city",
        "description": {"zh": "测试", "en": "test"},
        "id_column": "编号",
        "target": {"column": "结果", "bad_value": "坏"},
        "factors": [
            {"name": "city", "column": "城市", "kind": "categorical", "label": {"zh": "城市", "en": "City"},
             "meaning": {"zh": "所在城市", "en": "City of residence"}, "categories": ["北京", "上海", "广州"]},
            {"name": "loans", "column": "借款笔数", "kind": "numeric", "label": {"zh": "借款笔数", "en": "Loans"},
             "meaning": {"zh": "在贷笔数", "en": "Active loans"}, "min_value": 0, "integer": True},
        ],
    },
    "city-profile",
)


def city_table(rows: int = 6) -> pd.DataFrame:
    return pd.DataFrame({
        "编号": [f"c{i}" for i in range(1, rows + 1)],
        "城市": (["北京", "上海", "广州"] * rows)[:rows],
        "借款笔数": [str(i % 4) for i in range(rows)],
        "结果": (["好", "坏"] * rows)[:rows],
    })


@pytest.fixture
def table() -> pd.DataFrame:
    return generate(300, 4)


def _csv(tmp_path: Path, table: pd.DataFrame, name: str = "t.csv", **kw) -> Path:
    path = tmp_path / name
    table.to_csv(path, index=False, **kw)
    return path


def _one_line(info: pytest.ExceptionInfo, *parts: str) -> str:
    message = str(info.value)
    assert "\n" not in message
    for part in parts:
        assert part in message, (part, message)
    return message


# --- reading ------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_reads_chinese_csv_in_each_encoding(tmp_path, encoding):
    path = _csv(tmp_path, city_table(), encoding=encoding)
    back = read_table(path)
    assert list(back.columns) == ["编号", "城市", "借款笔数", "结果"]  # no BOM glued to the first name
    assert back["城市"].tolist() == city_table()["城市"].tolist()
    validated = validate_training(back, CITY, str(path))
    assert validated["结果"].tolist() == [0, 1, 0, 1, 0, 1]


def test_undecodable_csv_says_which_encodings_failed(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes(b"id,name\n1,\xff\xfe\x80\n")
    with pytest.raises(DataError) as info:
        read_table(path)
    _one_line(info, str(path), "not UTF-8", "not GBK", "0xff", "save the file as UTF-8")


def test_reads_parquet_and_keeps_types(tmp_path, table):
    path = tmp_path / "t.parquet"
    table.to_parquet(path, index=False)
    back = read_table(path)
    assert back["age"].dtype.kind == "i"
    validated = validate_training(back, PROFILE, str(path))
    assert len(validated) == len(table)
    assert validated["bad"].tolist() == table["bad"].tolist()


def test_damaged_parquet(tmp_path):
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(DataError) as info:
        read_table(path)
    _one_line(info, "broken.parquet: not a readable Parquet file")


def test_unknown_extension_and_missing_file(tmp_path):
    (tmp_path / "t.xlsx").write_text("x")
    with pytest.raises(DataError, match=r"t.xlsx: unknown file type '.xlsx'; give a .csv or .parquet file"):
        read_table(tmp_path / "t.xlsx")
    with pytest.raises(DataError, match=r"none.csv: file not found"):
        read_table(tmp_path / "none.csv")


def test_empty_file_and_header_only(tmp_path):
    (tmp_path / "e.csv").write_text("")
    with pytest.raises(DataError, match="e.csv: the file is empty"):
        read_table(tmp_path / "e.csv")
    (tmp_path / "blank.csv").write_text("\n\n")
    with pytest.raises(DataError, match="blank.csv: the file is empty"):
        read_table(tmp_path / "blank.csv")
    header_only = tmp_path / "h.csv"
    header_only.write_text(",".join(generate(1, 1).columns) + "\n")
    with pytest.raises(DataError, match="h.csv: the table has no data rows"):
        validate_training(read_table(header_only), PROFILE, str(header_only))
    with pytest.raises(DataError, match="no data rows"):
        split_valid_rows(read_table(header_only), PROFILE, str(header_only))


def test_empty_first_header_becomes_row_id(tmp_path):
    path = tmp_path / "gmsc_like.csv"
    path.write_text(",SeriousDlqin2yrs,age\n1,0,45\n2,1,\n", encoding="utf-8")
    back = read_table(path)
    assert list(back.columns) == ["row_id", "SeriousDlqin2yrs", "age"]
    assert back["row_id"].tolist() == ["1", "2"]
    # A pandas export of such a table (index column named "Unnamed: 0") reads the same way.
    again = tmp_path / "again.parquet"
    pd.read_csv(path).to_parquet(again, index=False)
    assert list(read_table(again).columns) == ["row_id", "SeriousDlqin2yrs", "age"]


def test_repeated_header_name_is_an_error(tmp_path):
    path = tmp_path / "twice.csv"
    path.write_text("age,age\n30,31\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        read_table(path)
    _one_line(info, "twice.csv: column 'age' appears twice in the header (positions 1 and 2)")


def test_rows_with_more_or_fewer_fields_than_the_header_are_read_and_marked(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text('a,b,c\n1,2,3\n3,4,5,6\n7,8\n,,\n', encoding="utf-8")
    table = read_table(path)
    assert len(table) == 4 and list(table.columns) == ["a", "b", "c"]
    assert sorted(malformed_rows(table)) == [1, 2]  # the row of 4 fields and the row of 2; ',,' is whole
    assert "has 4 fields, the header 3" in malformed_rows(table)[1]
    path.write_text('a,b\n1,"2\n', encoding="utf-8")  # cut inside a quoted field
    with pytest.raises(DataError) as info:
        read_table(path)
    _one_line(info, "ragged.csv: not a well-formed CSV")


# --- training checks ----------------------------------------------------------------------------


def test_missing_columns_are_named(tmp_path, table):
    path = _csv(tmp_path, table.drop(columns=["debt_to_income", "bad"]))
    with pytest.raises(DataError) as info:
        validate_training(read_table(path), PROFILE, str(path))
    _one_line(info, str(path), "missing column(s) 'debt_to_income', 'bad' that profile 'demo' needs")


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("age", "old", "column 'age', row 7: not a number (value 'old')"),
        ("age", "12", "column 'age', row 7: below the minimum 18 (value '12')"),
        ("age", "1e9", "column 'age', row 7: above the maximum 75"),
        ("profile_completeness", "140", "column 'profile_completeness', row 7: above the maximum 100"),
        ("overdue_count_12m", "1.5", "column 'overdue_count_12m', row 7: not a whole number"),
        ("applications_3m", "inf", "column 'applications_3m', row 7: above the maximum 100"),
        ("debt_to_income", "-0.5", "column 'debt_to_income', row 7: below the minimum 0"),
        ("debt_to_income", "1,5", "column 'debt_to_income', row 7: not a number"),
    ],
)
def test_bad_values_name_file_column_and_row(tmp_path, table, column, value, message):
    table = table.astype({column: object})
    table.loc[6, column] = value
    path = _csv(tmp_path, table)
    with pytest.raises(DataError) as info:
        validate_training(read_table(path), PROFILE, str(path))
    _one_line(info, f"{path}: {message}", "fix the data or the profile")


def test_first_rows_of_a_problem_are_listed(table):
    table = table.astype({"age": object})
    table.loc[[2, 4, 6, 8, 10, 12, 14], "age"] = "?"
    with pytest.raises(DataError) as info:
        validate_training(table, PROFILE, "t.csv")
    _one_line(info, "column 'age', row 3, 5, 7, 9, 11 and 2 more: not a number")


def test_special_and_missing_values_are_allowed(table):
    table["debt_to_income"] = table["debt_to_income"].astype(object)
    table.loc[0, "debt_to_income"] = "-1"
    table.loc[1, "debt_to_income"] = ""
    table.loc[2, "debt_to_income"] = None
    table.loc[3, "debt_to_income"] = " 0.35 "
    validated = validate_training(table, PROFILE, "t")
    assert validated["debt_to_income"].iloc[0] == -1
    assert np.isnan(validated["debt_to_income"].iloc[1]) and np.isnan(validated["debt_to_income"].iloc[2])
    assert validated["debt_to_income"].iloc[3] == 0.35
    assert validated["debt_to_income"].dtype == np.float64


def test_unknown_category_names_the_value_and_the_allowed_ones(tmp_path):
    bad = city_table().assign(城市=["北京", "上海", "深圳", "广州", "", "北京"])
    path = _csv(tmp_path, bad, encoding="gbk")
    with pytest.raises(DataError) as info:
        validate_training(read_table(path), CITY, str(path))
    _one_line(info, str(path), "column '城市', row 3: unknown category 深圳", "allowed: 北京, 上海, 广州")


def test_target_must_be_binary_and_hold_the_bad_value(table):
    with pytest.raises(DataError) as info:
        validate_training(table.assign(bad=0), PROFILE, "t.csv")
    _one_line(info, "t.csv: column 'bad' never equals the bad value 1 (found 0)")
    with pytest.raises(DataError, match="holds only the bad value 1"):
        validate_training(table.assign(bad=1), PROFILE, "t.csv")
    three = table.astype({"bad": object})
    three.loc[4, "bad"] = 2
    with pytest.raises(DataError) as info:
        validate_training(three, PROFILE, "t.csv")
    _one_line(info, "column 'bad' must be binary", "3 values", "row 5 has '2'")
    empty = table.astype({"bad": object})
    empty.loc[8, "bad"] = None
    with pytest.raises(DataError) as info:
        validate_training(empty, PROFILE, "t.csv")
    _one_line(info, "column 'bad', row 9: the target is empty")


def test_target_written_as_decimals_or_text(table):
    as_decimals = table.assign(bad=table["bad"].map({0: "0.0", 1: "1.0"}))
    assert validate_training(as_decimals, PROFILE, "t")["bad"].tolist() == table["bad"].tolist()
    validated = validate_training(city_table(), CITY, "t")
    assert validated["结果"].dtype == np.int8
    assert target_vector(validated, CITY).tolist() == [0, 1, 0, 1, 0, 1]
    assert target_vector(city_table(), CITY).tolist() == [0, 1, 0, 1, 0, 1]
    with pytest.raises(DataError, match="never equals the bad value '坏'"):
        validate_training(city_table().assign(结果="好"), CITY, "t")


def test_duplicated_ids_are_named_with_their_rows(table):
    table.loc[5, ["applicant_id", "snapshot_date"]] = table.loc[2, ["applicant_id", "snapshot_date"]].to_numpy()
    with pytest.raises(DataError) as info:
        validate_training(table, PROFILE, "t.csv")
    _one_line(info, "t.csv: column 'applicant_id': id 'A0000003' appears more than once with the same snapshot_date "
                    "(rows 3, 6)")


def test_snapshots_of_one_applicant_on_different_dates_are_fine(table):
    table.loc[5, "applicant_id"] = table.loc[2, "applicant_id"]
    table.loc[5, "snapshot_date"] = "2026-10-31" if table.loc[2, "snapshot_date"] != "2026-10-31" else "2025-01-01"
    assert len(validate_training(table, PROFILE, "t.csv")) == len(table)
    without_dates = table.drop(columns="snapshot_date")
    with pytest.raises(DataError, match=r"id 'A0000003' appears more than once \(rows 3, 6\)"):
        validate_training(without_dates, PROFILE, "t.csv")


def test_empty_id_is_named(table):
    table.loc[10, "applicant_id"] = " "
    with pytest.raises(DataError) as info:
        validate_training(table, PROFILE, "t.csv")
    _one_line(info, "column 'applicant_id', row 11: the id is empty")


def test_validated_types(table):
    validated = validate_training(table.astype(str).replace("nan", None), PROFILE, "t")
    for factor in PROFILE.factors:
        assert validated[factor.source_column].dtype == np.float64
    assert validated["bad"].dtype == np.int8
    assert validated["segment"].tolist() == table["segment"].tolist()  # other columns untouched


# --- scoring split ------------------------------------------------------------------------------


def test_scoring_split_keeps_every_row_and_says_why(table):
    messy = table.astype({"age": object, "applications_3m": object, "debt_to_income": object})
    messy.loc[3, "age"] = "n/a"
    messy.loc[9, "applications_3m"] = -4
    messy.loc[9, "age"] = 200
    messy.loc[12, "debt_to_income"] = None  # missing: scored, not rejected
    messy = messy.drop(columns="bad")  # the target is optional when scoring
    valid, rejects = split_valid_rows(messy, PROFILE, "t.csv")
    assert len(valid) + rejects["row"].nunique() == len(messy)
    assert list(rejects.columns) == ["row", "id", "column", "reason"]
    assert rejects.values.tolist() == [
        [4, "A0000004", "age", "not a number"],
        [10, "A0000010", "applications_3m", "below the minimum 0"],  # profile order within a row
        [10, "A0000010", "age", "above the maximum 75"],
    ]
    assert 12 in valid.index and np.isnan(valid.loc[12, "debt_to_income"])
    assert valid["age"].dtype == np.float64


def test_scoring_split_of_repeated_ids(table):
    rows = table.iloc[:4].copy().reset_index(drop=True)
    rows.loc[1, "applicant_id"] = rows.loc[0, "applicant_id"]  # another date: another snapshot, fine
    rows.loc[1, "snapshot_date"] = "2026-01-01" if rows.loc[0, "snapshot_date"] != "2026-01-01" else "2026-01-02"
    rows.loc[3, ["applicant_id", "snapshot_date"]] = rows.loc[0, ["applicant_id", "snapshot_date"]].to_numpy()
    valid, rejects = split_valid_rows(rows, PROFILE, "t.csv")
    assert valid.index.tolist() == [0, 1, 2]
    assert rejects.values.tolist() == [
        [4, "A0000001", "applicant_id", "repeated id: row 1 has the same id and snapshot_date; only the first is scored"],
    ]
    valid, rejects = split_valid_rows(rows.drop(columns="snapshot_date"), PROFILE, "t.csv")
    assert valid.index.tolist() == [0, 2]
    assert rejects["row"].tolist() == [2, 4]
    assert rejects["reason"].iloc[0] == "repeated id: row 1 has the same id; only the first is scored"


def test_scoring_split_rejects_an_empty_id(table):
    table.loc[0, "applicant_id"] = None
    valid, rejects = split_valid_rows(table, PROFILE, "t.csv")
    assert rejects.values.tolist() == [[1, "", "applicant_id", "empty id; give every applicant an id"]]
    assert len(valid) == len(table) - 1


def test_scoring_split_without_an_id_column_uses_row_numbers():
    table = city_table(5).drop(columns="编号")
    table.loc[2, "借款笔数"] = "many"
    no_id = CITY.model_copy(update={"id_column": None})
    valid, rejects = split_valid_rows(table, no_id, "t.csv")
    assert rejects.values.tolist() == [[3, "3", "借款笔数", "not a number"]]
    assert valid.index.tolist() == [0, 1, 3, 4]


def test_scoring_split_needs_the_factor_columns(table):
    with pytest.raises(DataError) as info:
        split_valid_rows(table.drop(columns="age"), PROFILE, "t.csv")
    _one_line(info, "t.csv: missing column(s) 'age'")


CELL = st.one_of(
    st.none(), st.sampled_from(["", " ", "3", "x", "-2", "2.5", "999", "1e3", "nan", "inf", "-1", "0", "7 "]),
    st.integers(-5, 120).map(str),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), rows=st.integers(1, 30))
def test_split_never_loses_a_row(data, rows):
    base = generate(rows, 2).astype(object)
    for column in ("applications_3m", "debt_to_income", "age"):
        base[column] = data.draw(st.lists(CELL, min_size=rows, max_size=rows))
    base["applicant_id"] = data.draw(st.lists(st.sampled_from(["A1", "A2", "A3", "", None]), min_size=rows, max_size=rows))
    base["snapshot_date"] = data.draw(st.lists(st.sampled_from(["2025-01-01", "2025-02-01"]), min_size=rows, max_size=rows))
    valid, rejects = split_valid_rows(base, PROFILE, "t")
    rejected = set(rejects["row"] - 1)
    assert len(valid) + len(rejected) == len(base)
    assert set(valid.index).isdisjoint(rejected)
    assert (rejects["reason"].str.len() > 0).all()
    assert rejects["row"].is_monotonic_increasing
    # Every valid row holds usable numbers only: missing, a special code, or within the range.
    for factor in PROFILE.factors:
        values = valid[factor.source_column].to_numpy(dtype=float)
        inside = np.isnan(values) | np.isin(values, [float(c) for c in factor.special_codes])
        if factor.min_value is not None:
            inside |= values >= factor.min_value
        assert inside.all(), factor.name
    # Among valid rows no (id, date) pair repeats.
    assert not valid.duplicated(["applicant_id", "snapshot_date"]).any()


# --- the public data sets -----------------------------------------------------------------------


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is absent (set SCORECARD_SHARED_DATA)")
@pytest.mark.parametrize(("name", "rows", "bad_rate"), [("heloc", 10_459, 0.5219), ("gmsc", 150_000, 0.0668),
                                                        ("german", 1_000, 0.30)])
def test_public_files_validate(name, rows, bad_rate):
    path = SHARED / f"{name}.csv"
    profile = load_profile(name)
    raw = read_table(path)
    validated = validate_training(raw, profile, str(path))
    assert len(validated) == rows
    assert abs(validated[profile.target.column].mean() - bad_rate) < 5e-4
    valid, rejects = split_valid_rows(raw, profile, str(path))
    assert len(valid) == rows and rejects.empty


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(CELL, st.sampled_from(["1_000", "0x10", "1,5", "Infinity", "+4", ".5", "5.", " 3", "True"]),
                          st.floats(allow_nan=True, allow_infinity=True).map(repr)), min_size=1, max_size=20),
       st.sampled_from([object, "string", "str"]))
def test_numbers_are_read_as_pandas_to_numeric_reads_them(cells, dtype):
    """The fast cast and pandas.to_numeric (which the SQL export mirrors) agree on every text."""
    column = pd.Series(cells, dtype=dtype)
    values, _ = check_factor(PROFILE.factor("debt_to_income"), column)
    expected = pd.to_numeric(pd.Series(cells, dtype=object), errors="coerce").astype(float)
    np.testing.assert_array_equal(values.to_numpy(dtype=float), expected.to_numpy(dtype=float))
