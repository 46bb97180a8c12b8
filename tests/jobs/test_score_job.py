"""CLI: train then score; both engines agree and every row is scored or rejected."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from scorecard.cli import app
from scorecard.datasets.demo import generate

runner = CliRunner()


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    folder = tmp_path_factory.mktemp("score")
    data = folder / "train.csv"
    generate(4000, 21).to_csv(data, index=False)
    result = runner.invoke(app, ["train", "--data", str(data), "--out", str(folder / "model.json"), "--seed", "3"])
    assert result.exit_code == 0, result.output
    return folder


@pytest.mark.parametrize("engine", ["numpy", "duckdb"])
def test_score_keeps_every_row(trained, engine):
    table = generate(300, 8).astype({"age": object})
    table.loc[[4, 40], "age"] = ["abc", "7"]
    data = trained / f"new_{engine}.csv"
    table.to_csv(data, index=False)
    out, rejects = trained / f"scores_{engine}.csv", trained / f"rejects_{engine}.csv"
    result = runner.invoke(app, ["score", "--model", str(trained / "model.json"), "--data", str(data),
                                 "--out", str(out), "--rejects", str(rejects), "--engine", engine])
    assert result.exit_code == 0, result.output
    scores, problems = pd.read_csv(out), pd.read_csv(rejects)
    assert len(scores) + problems["row"].nunique() == len(table)
    assert sorted(problems["row"]) == [5, 41]
    assert scores["id"].tolist() == [i for i in table["applicant_id"] if i not in ("A0000005", "A0000041")]
    points = scores.filter(like="points_")
    assert (points.sum(axis=1) == scores["score"]).all()


def test_engines_agree(trained):
    data = trained / "agree.parquet"
    generate(500, 9).to_parquet(data, index=False)
    frames = []
    for engine in ("numpy", "duckdb"):
        out = trained / f"agree_{engine}.parquet"
        result = runner.invoke(app, ["score", "--model", str(trained / "model.json"), "--data", str(data),
                                     "--out", str(out), "--engine", engine])
        assert result.exit_code == 0, result.output
        frames.append(pd.read_parquet(out))
    frames[0]["id"] = frames[0]["id"].astype(str)
    frames[1]["id"] = frames[1]["id"].astype(str)
    # Exactly, PDs included: both engines look the PD up in the spec's PD table.
    pd.testing.assert_frame_equal(frames[0], frames[1], check_dtype=False, check_exact=True)


def test_bad_model_is_one_line_exit_2(tmp_path):
    bad = tmp_path / "model.json"
    bad.write_text('{"schema_version": 1, "sha256": "x"')
    data = tmp_path / "d.csv"
    generate(10, 1).to_csv(data, index=False)
    result = runner.invoke(app, ["score", "--model", str(bad), "--data", str(data), "--out", str(tmp_path / "o.csv")])
    assert result.exit_code == 2
    assert "model.json: not valid JSON" in result.output and "Traceback" not in result.output


def test_engines_write_identical_rejects(trained):
    """Empty ids, repeated ids (same snapshot date) and bad values: the same rejects, byte for byte."""
    table = generate(200, 12).astype({"age": object, "applicant_id": object})
    table.loc[3, "applicant_id"] = ""
    table.loc[[7, 9], ["applicant_id", "snapshot_date"]] = table.loc[5, ["applicant_id", "snapshot_date"]].tolist()
    table.loc[9, "age"] = "abc"
    table.loc[11, ["applicant_id", "snapshot_date"]] = [" " + table.loc[10, "applicant_id"] + " ",
                                                         table.loc[10, "snapshot_date"]]
    data = trained / "ids.csv"
    table.to_csv(data, index=False)
    written = {}
    for engine in ("numpy", "duckdb"):
        out, rejects = trained / f"ids_{engine}.csv", trained / f"ids_rejects_{engine}.csv"
        result = runner.invoke(app, ["score", "--model", str(trained / "model.json"), "--data", str(data),
                                     "--out", str(out), "--rejects", str(rejects), "--engine", engine])
        assert result.exit_code == 0, result.output
        assert "4 rows could not be scored" in result.output
        written[engine] = (out.read_bytes(), rejects.read_bytes())
    assert written["duckdb"] == written["numpy"]
    problems = pd.read_csv(trained / "ids_rejects_numpy.csv", keep_default_na=False)
    assert problems["row"].tolist() == [4, 8, 10, 10, 12]
    assert problems["reason"].str.startswith(("empty id", "repeated id", "not a number")).all()
