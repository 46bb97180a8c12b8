"""CLI: ``data demo`` and ``data check``; bad input gives exit code 2 and one line, no traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scorecard.cli import app

runner = CliRunner()
SHARED = Path(os.environ.get("SCORECARD_SHARED_DATA") or Path(__file__).resolve().parents[3] / "shared" / "data")


def _fails_with_one_line(result, *parts: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1, message
    for part in parts:
        assert part in message, (part, message)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_data_demo_writes_a_file_that_checks(tmp_path, suffix):
    out = tmp_path / f"demo{suffix}"
    result = runner.invoke(app, ["data", "demo", "--rows", "500", "--seed", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "wrote 500 synthetic applicants" in result.stdout
    if suffix == ".csv":
        assert len(out.read_text(encoding="utf-8").splitlines()) == 501
    check = runner.invoke(app, ["data", "check", "--data", str(out)])
    assert check.exit_code == 0, check.output
    assert "500 rows match profile 'demo' (14 factors, bad rate" in check.stdout


def test_data_demo_is_deterministic(tmp_path):
    for name in ("a.csv", "b.csv"):
        assert runner.invoke(app, ["data", "demo", "--rows", "300", "--seed", "9", "--out", str(tmp_path / name)]).exit_code == 0
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_data_demo_bad_options(tmp_path):
    _fails_with_one_line(runner.invoke(app, ["data", "demo", "--rows", "0", "--out", str(tmp_path / "d.csv")]),
                         "--rows 0: give at least 1 row")
    _fails_with_one_line(runner.invoke(app, ["data", "demo", "--rows", "5", "--out", str(tmp_path / "d.xlsx")]),
                         "d.xlsx", "use .csv or .parquet")


def test_missing_data_file_is_one_line_exit_2(tmp_path):
    result = runner.invoke(app, ["data", "check", "--data", str(tmp_path / "nope.csv")])
    _fails_with_one_line(result, "nope.csv: file not found")


def test_bad_value_names_file_row_and_column(tmp_path):
    out = tmp_path / "demo.csv"
    assert runner.invoke(app, ["data", "demo", "--rows", "50", "--out", str(out)]).exit_code == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = lines[3].split(",")  # data row 3
    row[header.index("age")] = "abc"
    lines[3] = ",".join(row)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["data", "check", "--data", str(out)])
    _fails_with_one_line(result, f"{out}: column 'age', row 3: not a number (value 'abc')")


def test_gbk_file_checks(tmp_path):
    out = tmp_path / "demo.csv"
    assert runner.invoke(app, ["data", "demo", "--rows", "40", "--out", str(out)]).exit_code == 0
    text = out.read_text(encoding="utf-8").replace(",young,", ",年轻用户,")
    gbk = tmp_path / "demo_gbk.csv"
    gbk.write_bytes(text.encode("gbk"))
    result = runner.invoke(app, ["data", "check", "--data", str(gbk)])
    assert result.exit_code == 0, result.output


def test_unknown_profile_exit_2(tmp_path):
    result = runner.invoke(app, ["data", "check", "--data", str(tmp_path / "x.csv"), "--profile", "nope"])
    _fails_with_one_line(result, "unknown profile 'nope'")


def test_wrong_profile_names_the_missing_columns(tmp_path):
    out = tmp_path / "demo.csv"
    assert runner.invoke(app, ["data", "demo", "--rows", "20", "--out", str(out)]).exit_code == 0
    result = runner.invoke(app, ["data", "check", "--data", str(out), "--profile", "german"])
    _fails_with_one_line(result, "missing column(s) 'checking_account_status'", "profile 'german'")


@pytest.mark.skipif(not (SHARED / "german.csv").is_file(), reason="../shared/data is absent (set SCORECARD_SHARED_DATA)")
def test_check_a_public_file():
    result = runner.invoke(app, ["data", "check", "--data", str(SHARED / "german.csv"), "--profile", "german"])
    assert result.exit_code == 0, result.output
    assert "1,000 rows match profile 'german' (20 factors, bad rate 30.00%)" in result.stdout


def test_help_lists_the_commands():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("demo", "data", "train", "explain", "export"):
        assert command in result.output
    data_help = runner.invoke(app, ["data", "--help"])
    assert "demo" in data_help.output and "check" in data_help.output
