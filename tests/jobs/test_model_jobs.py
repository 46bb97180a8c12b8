"""The CLI of the engine: train, score, report and psi on a small generated table."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from scorecard.cli import app
from scorecard.datasets.demo import generate
from scorecard.spec import load_spec

runner = CliRunner()


def invoke(*args: str):  # noqa: ANN201
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("engine")
    generate(4000, 31).to_csv(folder / "train.csv", index=False)
    generate(600, 32).to_parquet(folder / "new.parquet", index=False)
    result = invoke("train", "--data", folder / "train.csv", "--out", folder / "model.json", "--seed", "5")
    assert result.exit_code == 0, result.output
    return folder


def test_train_prints_the_kept_factors_metrics_and_path(folder):
    spec = load_spec(folder / "model.json")
    result = invoke("train", "--data", folder / "train.csv", "--out", folder / "again.json", "--seed", "5")
    assert result.exit_code == 0
    out = result.stdout
    assert f"kept {len(spec.factors)} factors" in out and "AUC 0." in out and "on the test rows" in out
    assert str(folder / "again.json") in out
    assert (folder / "again.json").read_bytes() == (folder / "model.json").read_bytes()


def test_train_with_test_size_zero_and_a_range_scale(folder):
    result = invoke("train", "--data", folder / "train.csv", "--out", folder / "range.json", "--test-size", "0",
                    "--scaling", "range", "--min-score", "300", "--max-score", "850")
    assert result.exit_code == 0, result.output
    assert "training rows" in result.stdout and "test size 0" in result.stdout
    spec = load_spec(folder / "range.json")
    assert (spec.min_score, spec.max_score) == (300, 850)


def test_score_writes_every_row_in_input_order_with_points(folder):
    out = folder / "scores.csv"
    result = invoke("score", "--model", folder / "model.json", "--data", folder / "new.parquet", "--out", out)
    assert result.exit_code == 0, result.output
    scores = pd.read_csv(out)
    spec = load_spec(folder / "model.json")
    assert list(scores.columns) == ["id", "score", "pd", *(f"points_{n}" for n in spec.factor_names)]
    assert scores["id"].tolist() == pd.read_parquet(folder / "new.parquet")["applicant_id"].tolist()
    assert (scores.filter(like="points_").sum(axis=1) == scores["score"]).all()
    rejects = folder / "scores.rejects.csv"  # the default place, written even when empty
    assert rejects.is_file() and pd.read_csv(rejects).empty
    assert "600 rows" in result.stdout.replace(",", "") or "scored 600" in result.stdout


def test_report_shows_bins_points_coefficients_log_and_metrics(folder):
    spec = load_spec(folder / "model.json")
    table = invoke("report", "--model", folder / "model.json")
    assert table.exit_code == 0, table.output
    for text in ("Coefficients", "Selection log", "refitted after each drop", "Metrics", "Calibration by score band",
                 "Information value and stability", "Rounding", "points", "WoE", spec.factors[0].name,
                 spec.factors[0].bins[0].label):
        assert text in table.stdout
    md = invoke("report", "--model", folder / "model.json", "--format", "md")
    assert md.exit_code == 0 and md.stdout.startswith("# Scorecard report")
    assert "| bin | count | share | event rate | WoE | IV | points |" in md.stdout
    assert "| factor | IV | all bins | in model | PSI |" in md.stdout
    for step in spec.selection_log:  # every kept or dropped factor, with its reason
        assert f"| {step.factor} | {step.stage} | {step.action} | {step.reason} |" in md.stdout
    assert md.stdout == invoke("report", "--model", folder / "model.json", "--format", "md").stdout  # deterministic
    data = json.loads(invoke("report", "--model", folder / "model.json", "--format", "json").stdout)
    assert [f["factor"] for f in data["factors"]] == list(spec.factor_names)
    assert data["factors"][0]["bins"][0]["points"] == spec.factors[0].bins[0].points
    assert data["metrics"]["test"]["auc"] == spec.metrics["test"]["auc"]


def test_psi_between_two_tables(folder):
    result = invoke("psi", "--model", folder / "model.json", "--base", folder / "train.csv",
                    "--compare", folder / "new.parquet")
    assert result.exit_code == 0, result.output
    assert "score" in result.stdout and "stable" in result.stdout
    spec = load_spec(folder / "model.json")
    assert all(name in result.stdout for name in spec.factor_names)


@pytest.mark.parametrize("args, message", [
    (["train", "--data", "nope.csv", "--out", "m.json"], "nope.csv: file not found"),
    (["train", "--data", "{train}", "--out", "m.json", "--profile", "nosuch"], "unknown profile 'nosuch'"),
    (["train", "--data", "{train}", "--out", "m.json", "--test-size", "1.5"], "test size 1.5"),
    (["score", "--model", "{model}", "--data", "{train}", "--out", "scores.txt"], "must end in .csv or .parquet"),
    (["report", "--model", "missing.json"], "scorecard spec not found"),
])
def test_bad_input_is_one_line_and_exit_2(folder, args, message):
    args = [a.format(train=folder / "train.csv", model=folder / "model.json") for a in args]
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1
