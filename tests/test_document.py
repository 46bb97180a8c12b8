"""`scorecard document`: every section, numbers equal to `scorecard report`, offline, deterministic."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scorecard.cli import app
from scorecard.report import bin_table, coefficient_table, metric_table, report_data
from scorecard.spec import load_spec

from _sql_fixtures import SHARED_DATA

runner = CliRunner()
SECTIONS = ("purpose", "data", "binning", "selection", "coefficients", "scaling", "performance", "calibration",
            "stability", "protected", "reasons", "limitations")


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    demo = pytest.importorskip("scorecard.datasets.demo")
    path = tmp_path_factory.mktemp("document") / "applicants.csv"
    demo.for_writing(demo.generate(6_000, 11)).to_csv(path, index=False)
    return path


def _write(model: Path, data: Path, out: Path, *extra: str) -> tuple[str, str]:
    result = runner.invoke(app, ["document", "--model", str(model), "--data", str(data), "--out", str(out), *extra])
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8"), out.with_suffix(".md").read_text(encoding="utf-8")


def _md_rows(md: str) -> set[tuple[str, ...]]:
    """The cells of every Markdown table row, with Markdown's backslash escapes undone."""
    return {tuple(re.sub(r"\\(.)", r"\1", c.strip()) for c in line.strip().strip("|").split(" | "))
            for line in md.splitlines() if line.startswith("| ")}


def test_demo_document_has_every_section_and_the_reports_numbers(demo_model: Path, demo_file: Path, tmp_path: Path) -> None:
    html, md = _write(demo_model, demo_file, tmp_path / "doc.html", "--lang", "en")
    for key in SECTIONS:
        assert f'<section id="{key}">' in html
    assert len(re.findall(r"^## ", md, re.M)) == len(SECTIONS)
    spec = load_spec(demo_model)
    data = report_data(spec)
    rows = _md_rows(md)
    # Every bin row the report prints, number for number (the bin in words, then the report's cells).
    for factor in data["factors"]:
        for cells in bin_table(factor).rows:
            assert any(row[1:] == cells[1:] for row in rows), (factor["factor"], cells)
    for cells in coefficient_table(data).rows:
        assert tuple(cells) in rows
    for cells in metric_table(data).rows:
        assert any(row[1:] == cells[1:] for row in rows), cells
    # The protected characteristic of the demo (age) is reported by group, and the model says why it scores it.
    assert "Adverse impact ratio" in html and "&lt; 25" in html and "the profile says why" in html
    assert "Hosmer-Lemeshow statistic" in html and "<svg" in html
    # Reason codes in both languages.
    reasons = html[html.index('<section id="reasons">'):]
    assert "<td>DEBT_TO_INCOME.SPECIAL</td>" in reasons and "负债收入比" in reasons and "Debt-to-income" in reasons
    assert "| --- | ---: |" in md


def test_document_is_deterministic_offline_and_chinese_by_default(demo_model: Path, demo_file: Path, tmp_path: Path) -> None:
    first = _write(demo_model, demo_file, tmp_path / "a.html")
    second = _write(demo_model, demo_file, tmp_path / "b.html")
    assert first == second
    html = first[0]
    assert '<html lang="zh">' in html and "模型文档" in html
    urls = set(re.findall(r"""(?:src|href)=["']([^"'#][^"']*)""", html))
    assert not urls, urls  # nothing to fetch: styles and charts are inline
    assert "http://www.w3.org/2000/svg" in html and "https://" not in html


def test_document_refuses_to_write_over_its_input(demo_model: Path, demo_file: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["document", "--model", str(demo_model), "--data", str(demo_file),
                                 "--out", str(tmp_path / "doc.pdf")])
    assert result.exit_code == 2 and ".html" in result.output


@pytest.mark.slow
def test_german_document_shows_outcomes_by_sex_and_marital_status_left_out_of_the_model(tmp_path: Path) -> None:
    path = SHARED_DATA / "german.csv"
    if not path.is_file():
        pytest.skip(f"{path} is absent (set SCORECARD_SHARED_DATA to the shared data folder)")
    model = tmp_path / "german.json"
    trained = runner.invoke(app, ["train", "--data", str(path), "--profile", "german", "--out", str(model)])
    assert trained.exit_code == 0, trained.output
    assert "left out of the model" in trained.output and "personal_status_sex" in trained.output
    import numpy as np
    import yaml

    from scorecard.data import read_table, split_valid_rows
    from scorecard.scoring import score

    spec = load_spec(model)
    valid, _ = split_valid_rows(read_table(path), spec.profile, str(path))
    cutoff = int(np.median(score(spec, valid).total))
    policy = tmp_path / "policy.yaml"
    policy.write_text(yaml.safe_dump({"name": "german-median", "version": "1", "cutoff": cutoff,
                                      "limit_bands": [{"name": "B1", "min_score": cutoff, "limit": 1000}]}),
                      encoding="utf-8")
    html, md = _write(model, path, tmp_path / "german.html", "--lang", "en", "--policy", str(policy))
    protected = html[html.index('<section id="protected">'):html.index('<section id="reasons">')]
    for name in ("personal_status_sex", "age_years", "foreign_worker"):
        assert f"<code>{name}</code>" in protected
    assert "A92 (female: divorced, separated or married)" in protected
    assert protected.count("Left out of the model") == 3
