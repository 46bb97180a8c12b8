"""The calculator's data script and page, as the site build writes them (no browser: see
test_calculator_browser.py for the page's behaviour)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from scorecard import reasons, recourse
from scorecard.jobs.site import SiteResult
from scorecard.languages import page_languages
from scorecard.pages.words import load_words, site_words
from scorecard.policy import default_policy
from scorecard.site.calculator import DATA_SCRIPT, GLOBAL, calculator_data, calculator_files, data_script
from scorecard.spec import load_spec

PREFIX = f"window.{GLOBAL} = "


def _parsed(text: str) -> dict:
    assert text.startswith(PREFIX) and text.endswith(";\n")
    return json.loads(text[len(PREFIX):-2])


def test_the_data_script_is_the_spec_and_policy_the_site_is_built_from(demo_model: Path) -> None:
    spec, policy = load_spec(demo_model), default_policy()
    data = _parsed(data_script(spec, policy))
    assert data == json.loads(json.dumps(calculator_data(spec, policy)))
    assert data["model"]["sha256"] == spec.sha256 and data["model"]["pd"] == list(spec.pd_table.pd)
    for f, fs in zip(data["factors"], spec.factors):
        assert [b["points"] for b in f["bins"]] == [b.points for b in fs.bins]
        assert (f["missing_bin"], f["unseen_bin"], f["best_points"]) == (fs.missing_bin, fs.unseen_bin, fs.best_points)
        factor = spec.profile.factor(fs.name)
        assert f["effort"] == round(factor.effort_per_step * recourse.COST_UNIT)
        edges = recourse._statics(fs, factor).edge
        assert [np.inf if x is None and factor.helps != "increase" else -np.inf if x is None else x
                for x in f["edge"]] == edges.tolist()
    # A baseline for every score a record's reasons can be measured at, the one reasons.py computes.
    thresholds = {policy.cutoff, *(o.cutoff for o in policy.overlays if o.kind == "cutoff"),
                  *(b.min_score for b in policy.limit_bands)}
    assert set(data["baselines"]) == {str(t) for t in thresholds}
    for t, values in data["baselines"].items():
        assert values == reasons.baseline_points(spec, "cutoff_average", int(t)).tolist()
    assert data["policy"]["cutoff"] == policy.cutoff and len(data["policy"]["hard_rules"]) == len(policy.hard_rules)
    # The policy's identity rule reads a profile factor the logit left out: the page asks for it too.
    assert [f["name"] for f in data["policy_factors"]] == ["identity_verified"]
    assert data["columns"]["segments"] == ["young", "small_business"] and data["columns"]["policy"] == ["system_status"]


def test_the_wording_is_the_locale_files(demo_model: Path) -> None:
    spec, policy = load_spec(demo_model), default_policy()
    data = calculator_data(spec, policy)
    for lang in page_languages().codes:
        words = data["words"][lang]
        locale = load_words(lang).data  # the demo's context: the same words, money in yuan
        assert words["page"] == {**locale, "units": {**locale["units"], "money": {"zh": "{n} 元", "en": "{n} yuan"}[lang]}}
        assert words["site"]["calculator"] == site_words(lang)["calculator"]
        assert words["factors"]["debt_to_income"]["label"] == spec.profile.factor("debt_to_income").label.get(lang)
    assert set(data["words"]["zh"]["site"]["calculator"]) == set(data["words"]["en"]["site"]["calculator"])


def test_the_pages_load_the_scripts_from_the_site_itself(demo_model: Path) -> None:
    spec, policy = load_spec(demo_model), default_policy()
    files = {f.path: f.text for f in calculator_files(spec, policy)}
    assert set(files) == {"calculator/index.md", "calculator/index.en.md", DATA_SCRIPT}
    assert '<script src="../assets/javascripts/calculator/engine.js">' in files["calculator/index.md"]
    assert '<script src="../../assets/javascripts/calculator/engine.js">' in files["calculator/index.en.md"]
    assert calculator_files(spec, policy) == calculator_files(spec, policy)  # deterministic


def test_the_built_calculator_is_small_and_self_contained(built_site: SiteResult) -> None:
    html = built_site.html
    added = [html / "assets" / "javascripts" / "calculator" / n for n in ("engine.js", "page.js", "data.js")]
    added.append(html / "assets" / "stylesheets" / "calculator.css")
    size = sum(p.stat().st_size for p in added)
    # 180 kB: both languages of the page wording travel with it (the advice wording grew it past 170 kB)
    assert size < 180_000, f"the calculator adds {size} bytes"
    for page in (html / "calculator" / "index.html", html / "en" / "calculator" / "index.html"):
        text = page.read_text(encoding="utf-8")
        assert 'id="sc-calculator"' in text and "fetch(" not in text
    for script in added[:2]:
        code = script.read_text(encoding="utf-8")
        # Nothing in the page's own code can send or store what a reader types.
        for word in ("fetch(", "XMLHttpRequest", "sendBeacon", "localStorage", "sessionStorage", "document.cookie",
                     "innerHTML", "WebSocket"):
            assert word not in code, (script.name, word)
