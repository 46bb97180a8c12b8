"""The analyst's plots: one SVG template for all of them, drawn from the spec's numbers (score bands
of the evaluated rows, bins), the same bytes for the same spec, valid XML with escaped words, on the
site's model pages and written by ``scorecard report --plots``."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from scorecard import metrics
from scorecard.cli import app
from scorecard.pages import plots
from scorecard.site.model_pages import binning_plots, metric_plots
from scorecard.spec import load_spec

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "demo_model.json"
SVG = "{http://www.w3.org/2000/svg}"


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(300, 1000), st.integers(0, 1)), min_size=1, max_size=300))
def test_score_bands_count_every_row_once(rows):
    scores = np.array([s for s, _ in rows])
    y = np.array([b for _, b in rows])
    bands = metrics.score_bands(y, scores)
    assert sum(bands["goods"]) + sum(bands["bads"]) == len(rows) and sum(bands["bads"]) == y.sum()
    assert bands["width"] % 5 == 0 and len(bands["goods"]) <= metrics.SCORE_BANDS + 1
    assert bands["first"] <= scores.min() < bands["first"] + bands["width"]
    assert scores.max() < bands["first"] + bands["width"] * len(bands["goods"])


@pytest.fixture(scope="module")
def spec():
    return load_spec(GOLDEN)


def test_every_plot_is_valid_svg_and_the_same_bytes_each_time(spec):
    for lang in ("zh", "en"):
        drawn = {**binning_plots(spec, lang), **metric_plots(spec, lang)}
        assert set(drawn) == {*spec.factor_names, "score-distribution", "roc", "ks"}
        for svg in drawn.values():
            root = ET.fromstring(svg)
            assert root.tag == f"{SVG}svg" and root.find(f"{SVG}title").text
        assert drawn == {**binning_plots(spec, lang), **metric_plots(spec, lang)}


def test_the_curves_say_what_the_metrics_say(spec):
    evaluated = spec.metrics["test"]
    bands = evaluated["score_bands"]
    assert sum(bands["goods"]) + sum(bands["bads"]) == evaluated["rows"]
    roc = ET.fromstring(plots.roc_plot(bands, evaluated["auc"], {**_words()}, "ROC"))
    line = [tuple(map(float, p.split(","))) for p in roc.find(f"{SVG}polyline").get("points").split()]
    xs, ys = zip(*line)
    assert list(xs) == sorted(xs) and list(ys) == sorted(ys, reverse=True)  # cumulative shares only grow (SVG y points down)
    texts = [t.text for t in roc.iter(f"{SVG}text")]
    assert f"AUC {evaluated['auc']:.3f}" in texts
    ks = ET.fromstring(plots.ks_plot(bands, evaluated["ks"], _words(), "KS"))
    assert f"KS {evaluated['ks']:.3f}" in [t.text for t in ks.iter(f"{SVG}text")]


def test_words_are_escaped(spec):
    factor = spec.factors[0]
    svg = plots.binning_plot(factor, ["<b>&</b>"] * len(factor.bins), _words(), "a <title>")
    root = ET.fromstring(svg)
    assert root.find(f"{SVG}title").text == "a <title>" and "<b>" not in svg


def _words() -> dict[str, str]:
    from scorecard.pages.words import site_words

    return site_words("en")["plots"]


def test_report_writes_the_plots_and_guards_its_input(tmp_path):
    runner = CliRunner()
    folder = tmp_path / "plots"
    done = runner.invoke(app, ["report", "--model", str(GOLDEN), "--format", "md", "--plots", str(folder)])
    assert done.exit_code == 0, done.output
    names = sorted(p.name for p in folder.glob("*.svg"))
    assert "roc.svg" in names and "ks.svg" in names and "score-distribution.svg" in names
    assert "binning-debt_to_income.svg" in names
    again = runner.invoke(app, ["report", "--model", str(GOLDEN), "--plots", str(folder)])
    assert again.exit_code == 0 and sorted(p.name for p in folder.glob("*.svg")) == names
    refused = runner.invoke(app, ["report", "--model", str(GOLDEN), "--plots", str(GOLDEN)])
    assert refused.exit_code == 2


def test_the_site_shows_the_plots(built_site):
    docs = Path(built_site.html).parent / "docs"
    metrics_page = (docs / "model" / "metrics.md").read_text(encoding="utf-8")
    assert "roc.svg" in metrics_page and "ks.svg" in metrics_page and "score-distribution.svg" in metrics_page
    assert (docs / "model" / "roc.en.svg").is_file()
    factor = (docs / "model" / "factors" / "debt_to_income.en.md").read_text(encoding="utf-8")
    assert "debt_to_income-binning.svg" in factor
