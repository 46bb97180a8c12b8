"""The analyst's report (``report``): its data, and the same tables as Markdown and on a terminal."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

from rich.console import Console

from scorecard.profile import parse_profile
from scorecard.report import report_data, report_markdown, report_tables
from scorecard.spec import load_spec

from _decision_fixtures import tiny_spec


def test_report_says_what_category_codes_mean():
    spec = tiny_spec()
    profile = spec.profile.model_dump(mode="json")
    city = next(f for f in profile["factors"] if f["name"] == "city")
    city["category_labels"] = {"A": {"zh": "甲城", "en": "Alpha"}, "C": {"zh": "丙城", "en": "Gamma"}}
    spec = dataclasses.replace(spec, profile=parse_profile(profile, "test"))
    bins = next(f for f in report_data(spec)["factors"] if f["factor"] == "city")["bins"]
    assert [(b["bin"], b["meaning"]) for b in bins if b["kind"] == "categories"] == [
        ("A, B", "Alpha; B"), ("C", "Gamma"), ("D", "")]  # B has no words: its code stands for itself
    assert "| A, B (Alpha; B) |" in report_markdown(report_data(spec))


def test_markdown_and_terminal_show_the_same_cells():
    """Both presentations print the same tables: every bin row of the demo model reads the same."""
    data = report_data(load_spec(Path(__file__).resolve().parent / "golden" / "demo_model.json"))
    text = io.StringIO()
    console = Console(file=text, width=200, color_system=None)
    for part in report_tables(data):
        console.print(part)
    markdown, terminal = report_markdown(data), text.getvalue()
    for factor in data["factors"]:
        assert f"### {factor['factor']} (IV {factor['iv']:.4f}" in markdown and factor["factor"] in terminal
        for b in factor["bins"]:
            assert f"| {b['points']} |" in markdown and f"{b['woe']:.4f}" in markdown and f"{b['woe']:.4f}" in terminal
