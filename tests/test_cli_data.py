"""CLI: data demo and data check; bad input gives exit code 2 and one line, no traceback."""

from __future__ import annotations

from typer.testing import CliRunner

from scorecard.cli import app

runner = CliRunner()


def test_data_demo_writes_a_file(tmp_path):
    out = tmp_path / "demo.csv"
    result = runner.invoke(app, ["data", "demo", "--rows", "500", "--seed", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.is_file() and len(out.read_text().splitlines()) == 501
    check = runner.invoke(app, ["data", "check", "--data", str(out)])
    assert check.exit_code == 0 and "500 rows match profile 'demo'" in check.output


def test_missing_data_file_is_one_line_exit_2(tmp_path):
    result = runner.invoke(app, ["data", "check", "--data", str(tmp_path / "nope.csv")])
    assert result.exit_code == 2
    assert "nope.csv: file not found" in result.output
    assert "Traceback" not in result.output


def test_bad_value_names_row_and_column(tmp_path):
    out = tmp_path / "demo.csv"
    runner.invoke(app, ["data", "demo", "--rows", "50", "--out", str(out)])
    lines = out.read_text().splitlines()
    header = lines[0].split(",")
    row = lines[3].split(",")
    row[header.index("age")] = "abc"
    lines[3] = ",".join(row)
    out.write_text("\n".join(lines) + "\n")
    result = runner.invoke(app, ["data", "check", "--data", str(out)])
    assert result.exit_code == 2
    assert "column 'age', row 3: not a number" in result.output


def test_unknown_profile_exit_2(tmp_path):
    result = runner.invoke(app, ["data", "check", "--data", str(tmp_path / "x.csv"), "--profile", "nope"])
    assert result.exit_code == 2 and "unknown profile 'nope'" in result.output


def test_help_lists_the_commands():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("demo", "data", "train", "explain", "export"):
        assert command in result.output
