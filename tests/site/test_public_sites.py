"""`scorecard site` for models of the bundled public-data profiles (HELOC, German credit), trained on
../shared/data/ (skipped without it). No persona fits them, so the site says so and has none."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from _fitted_policy import fitted_bands

from scorecard.jobs.site import build_site
from scorecard.jobs.train import train
from scorecard.spec import load_spec

DATA = Path(os.environ.get("SCORECARD_SHARED_DATA") or Path(__file__).resolve().parents[3] / "shared" / "data")


@pytest.mark.parametrize("name", ["heloc", "german"])
def test_a_public_model_gets_a_site_without_personas(tmp_path: Path, name: str) -> None:
    data = DATA / f"{name}.csv"
    if not data.is_file():
        pytest.skip(f"{data} is not here (public data lives in ../shared/data)")
    model = tmp_path / "model.json"
    train(data, profile=name, out=model, test_size=0.3, seed=7)
    policy = tmp_path / "policy.yaml"  # the analyst's own rules: no demo hard rules, bands on this model's scores
    policy.write_text(yaml.safe_dump({"name": name, "version": "1", **fitted_bands(load_spec(model))}), encoding="utf-8")
    built = build_site(model, tmp_path / "site", policy=policy)
    assert (built.html / "index.html").is_file()
    assert built.persona_decisions == () and "no persona pages" in built.summary()
    assert not (built.html / "personas").exists()
    factor_pages = {p.stem for p in (built.html / "model" / "factors").glob("*.html")}
    assert len(factor_pages) >= 10
    policy = (built.html / "en" / "model" / "policy.html").read_text(encoding="utf-8")
    assert "demo personas" not in policy  # no link to persona pages the site does not have
