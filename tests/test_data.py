"""Reading tables and checking them against a profile: every bad input gives one clear line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorecard.data import read_table, split_valid_rows, validate_training
from scorecard.datasets.demo import generate
from scorecard.errors import DataError
from scorecard.profile import load_profile

PROFILE = load_profile("demo")
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture
def table():
    return generate(300, 4)


def _csv(tmp_path, table, name="t.csv", **kw):
    path = tmp_path / name
    table.to_csv(path, index=False, **kw)
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_reads_csv_in_each_encoding_with_chinese_text(tmp_path, table, encoding):
    table = table.assign(segment=np.where(table["segment"] == "young", "年轻用户", table["segment"]))
    path = _csv(tmp_path, table, encoding=encoding)
    back = read_table(path)
    assert list(back.columns) == list(table.columns)
    assert (back["segment"] == "年轻用户").sum() == (table["segment"] == "年轻用户").sum()


def test_reads_parquet(tmp_path, table):
    path = tmp_path / "t.parquet"
    table.to_parquet(path, index=False)
    validated = validate_training(read_table(path), PROFILE, str(path))
    assert len(validated) == len(table)


def test_unknown_extension_and_missing_file(tmp_path):
    (tmp_path / "t.xlsx").write_text("x")
    with pytest.raises(DataError, match=r"t.xlsx: unknown file type '.xlsx'"):
        read_table(tmp_path / "t.xlsx")
    with pytest.raises(DataError, match="file not found"):
        read_table(tmp_path / "none.csv")


def test_empty_file(tmp_path):
    (tmp_path / "e.csv").write_text("")
    with pytest.raises(DataError, match="e.csv: the file is empty"):
        read_table(tmp_path / "e.csv")
    header_only = tmp_path / "h.csv"
    header_only.write_text(",".join(generate(1, 1).columns) + "\n")
    with pytest.raises(DataError, match="no data rows"):
        validate_training(read_table(header_only), PROFILE, str(header_only))


def test_missing_column_is_named(tmp_path, table):
    path = _csv(tmp_path, table.drop(columns=["debt_to_income"]))
    with pytest.raises(DataError, match=r"t.csv: missing column\(s\) 'debt_to_income'"):
        validate_training(read_table(path), PROFILE, str(path))


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("age", "old", r"column 'age', row 7: not a number \(value 'old'\)"),
        ("age", "12", r"column 'age', row 7: below the minimum 18"),
        ("profile_completeness", "140", r"column 'profile_completeness', row 7: above the maximum 100"),
        ("overdue_count_12m", "1.5", r"column 'overdue_count_12m', row 7: not a whole number"),
    ],
)
def test_bad_values_name_column_and_row(tmp_path, table, column, value, message):
    table = table.astype({column: object})
    table.loc[6, column] = value
    path = _csv(tmp_path, table)
    with pytest.raises(DataError, match=message) as info:
        validate_training(read_table(path), PROFILE, str(path))
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_special_values_are_not_out_of_range(table):
    table.loc[0, "debt_to_income"] = -1
    validate_training(table.astype(str).replace("nan", np.nan), PROFILE, "t")


def test_target_must_be_binary_with_the_bad_value(table):
    with pytest.raises(DataError, match="column 'bad' must hold exactly two values"):
        validate_training(table.assign(bad=0), PROFILE, "t.csv")
    three = table.astype({"bad": object})
    three.loc[0, "bad"] = 2
    with pytest.raises(DataError, match="exactly two values"):
        validate_training(three, PROFILE, "t.csv")


def test_duplicated_ids_are_named(table):
    table.loc[5, ["applicant_id", "snapshot_date"]] = table.loc[2, ["applicant_id", "snapshot_date"]].to_numpy()
    with pytest.raises(DataError, match=r"id 'A0000003' appears more than once \(rows 3, 6\)"):
        validate_training(table, PROFILE, "t.csv")


def test_scoring_split_keeps_every_row_and_says_why(table):
    messy = table.astype({"age": object, "applications_3m": object})
    messy.loc[3, "age"] = "n/a"
    messy.loc[9, "applications_3m"] = -4
    messy.loc[9, "age"] = 200
    valid, rejects = split_valid_rows(messy, PROFILE, "t.csv")
    assert len(valid) + rejects["row"].nunique() == len(messy)
    assert set(rejects["row"]) == {4, 10}
    assert rejects.loc[rejects["row"] == 10, "column"].tolist() == ["applications_3m", "age"]  # profile order
    assert rejects.loc[rejects["row"] == 4, "id"].item() == "A0000004"


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["", "3", "x", "-2", "2.5", "999", None]), min_size=1, max_size=40))
def test_split_never_loses_a_row(values):
    base = generate(len(values), 2).astype({"applications_3m": object})
    base["applications_3m"] = values
    valid, rejects = split_valid_rows(base, PROFILE, "t")
    assert len(valid) + rejects["row"].nunique() == len(base)
    assert set(valid.index).isdisjoint(set(rejects["row"] - 1))


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is absent")
@pytest.mark.parametrize("name", ["heloc", "gmsc", "german"])
def test_public_files_validate(name):
    from scorecard.profile import bundled_profiles

    if name not in bundled_profiles():
        pytest.skip(f"profile {name} not shipped yet")
    path = SHARED / f"{name}.csv"
    validated = validate_training(read_table(path), load_profile(name), str(path))
    assert len(validated) > 0
