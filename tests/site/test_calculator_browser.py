"""The calculator page in a real browser, opened from disk (file://) as a reader would open the
built site: its own functions give the Python decision record for thousands of random applicants
(fed in bulk through one page load), a reader who types a persona's situation reads that
persona's reasons, nothing leaves the page while it is used, and it fits a 360 px phone.

The German case runs the same scripts on a standalone page with a data script written for a
model trained on the German credit file (../shared; skipped without it), since the site's
persona pages need the demo profile."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from _calculator_cases import essentials, perturbed, rows_for_the_page
from _chromium import TIMEOUT_MS, browser, sync_api  # noqa: F401 (browser is a fixture)
from scorecard import resources
from scorecard.datasets.demo import generate
from scorecard.datasets.personas import load_personas, persona_table
from scorecard.explain import explain_table
from scorecard.jobs.site import SiteResult
from scorecard.pages import page_context
from scorecard.policy import default_policy, parse_policy
from scorecard.site.calculator import calculator_data, data_script
from scorecard.spec import load_spec

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
SCRIPTS = ("engine.js", "page.js")


def _columns(data: dict[str, Any]) -> list[str]:
    """Every column the page's functions read: factors, policy factors, segment, date, policy columns."""
    cols = data["columns"]
    names = [f["column"] for f in data["factors"]] + [f["column"] for f in data["policy_factors"]]
    names += [c for c in (cols["segment"], cols["date"]) if c] + list(cols["policy"])
    return list(dict.fromkeys(names))


def _explain_in_page(page: Any, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records the page's own engine gives, in one call (JSON text both ways: fast)."""
    text = page.evaluate("rows => JSON.stringify(ScorecardEngine.create(window.SCORECARD_CALCULATOR)"
                         ".explainMany(JSON.parse(rows)))", json.dumps(rows))
    return json.loads(text)


def _compare(records: list[Any], page_records: list[dict[str, Any]], rows: list[dict[str, Any]]) -> None:
    assert len(page_records) == len(records)
    wrong = [(row, essentials(r), essentials(o)) for r, o, row in zip(records, page_records, rows)
             if essentials(r) != essentials(o)]
    if wrong:
        row, expected, got = wrong[0]
        diff = {k: (expected[k], got[k]) for k in expected if expected[k] != got[k]}
        pytest.fail(f"{len(wrong)} of {len(records)} applicants differ; the first: {row}\n(python, page): {diff}")


def _calculator(built_site: SiteResult, lang: str) -> str:
    prefix = "" if lang == "zh" else f"{lang}/"
    return f"{built_site.html.as_uri()}/{prefix}calculator/index.html"


def test_the_page_gives_the_python_records_of_10000_random_demo_applicants(browser: Any, built_site: SiteResult,
                                                                            demo_model: Path) -> None:
    spec, policy = load_spec(demo_model), default_policy()
    table = perturbed(generate(12_000, 15), spec, 16, dates=["2026-06-30", "2026-07-01", "2026-12-31", "2027-01-01"],
                      segments=["young", "standard", "small_business", None]).iloc[:10_000]
    assert len(table) == 10_000
    records = explain_table(spec, policy, table)
    rows = rows_for_the_page(table, _columns(calculator_data(spec, policy)))
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        page.goto(_calculator(built_site, "zh"))
        _compare(records, _explain_in_page(page, rows), rows)
    finally:
        context.close()
    # The sample reaches every path: each decision, plans found and not, special and missing reasons.
    decisions = Counter(r.decision for r in records)
    assert {"APPROVED", "DECLINED_SCORE", "DECLINED_OVERLAY", "HARD_IDENTITY", "HARD_PROFILE_INCOMPLETE",
            "RETRY_LATER"} <= set(decisions), decisions
    statuses = Counter(r.recourse_status for r in records)
    assert statuses["found"] > 1000 and statuses["not_needed"] > 10 and statuses["not_applicable"] > 100, statuses
    kinds = Counter(x.kind for r in records for x in r.reasons)
    assert kinds["special"] > 10 and kinds["missing"] > 100, kinds
    assert sum(len(r.recourse) == 3 for r in records) > 500
    assert any(c.wait_days for r in records for p in r.recourse for c in p.changes)


@pytest.mark.skipif(not (SHARED / "german.csv").is_file(), reason="../shared/data/german.csv is absent")
def test_the_scripts_give_the_python_records_of_2000_german_applicants(browser: Any, tmp_path: Path) -> None:
    from scorecard.data import read_table, validate_training
    from scorecard.profile import load_profile
    from scorecard.scoring import score
    from scorecard.training import fit_scorecard

    profile = load_profile("german")
    raw = read_table(SHARED / "german.csv")
    spec = fit_scorecard(validate_training(raw, profile, "german.csv"), profile)
    # The bundled profile lets a person act on the loan's duration only; let them also act on two
    # categorical factors and the amount, so that the plans reach every kind of move.
    actable = {"checking_account_status": {"helps": "toward_better_bins", "effort_per_step": 2.0},
               "savings_account_bonds": {"helps": "toward_better_bins", "effort_per_step": 1.5},
               "credit_amount": {"helps": "decrease", "step": 500.0, "effort_per_step": 0.25}}
    factors = tuple(f.model_copy(update={"advice": "act", **actable[f.name]}) if f.name in actable else f
                    for f in profile.factors)
    spec = dataclasses.replace(spec, profile=profile.model_copy(update={"factors": factors}))
    totals = sorted(score(spec, raw).total.tolist())
    cutoff = int(totals[len(totals) // 2])
    policy = parse_policy({"name": "german-test", "version": "1", "cutoff": cutoff,
                           "limit_bands": [{"name": "B1", "min_score": cutoff, "limit": 1000},
                                           {"name": "B2", "min_score": cutoff + 15, "limit": 3000},
                                           {"name": "B3", "min_score": cutoff + 30, "limit": 6000}]}, "test")
    table = perturbed(raw.sample(n=2_400, replace=True, random_state=3).reset_index(drop=True), spec, 4).iloc[:2_000]
    assert len(table) == 2_000
    records = explain_table(spec, policy, table)
    # A standalone page with the same scripts and a data script for this model.
    (tmp_path / "data.js").write_text(data_script(spec, policy), encoding="utf-8")
    scripts = resources.docs_dir() / "assets" / "javascripts" / "calculator"
    tags = "".join(f'<script src="{(scripts / name).as_uri()}"></script>' for name in ("engine.js",))
    (tmp_path / "harness.html").write_text(f'<!doctype html><meta charset="utf-8"><script src="data.js"></script>{tags}',
                                           encoding="utf-8")
    rows = rows_for_the_page(table, _columns(calculator_data(spec, policy)))
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto((tmp_path / "harness.html").as_uri())
        _compare(records, _explain_in_page(page, rows), rows)
    finally:
        context.close()
    assert Counter(r.recourse_status for r in records)["found"] > 200
    moved = Counter(c.to_bounds.kind for r in records for p in r.recourse for c in p.changes)
    assert moved["categories"] > 100 and moved["range"] > 100, moved


def _type_persona(page: Any, snapshot: dict[str, Any], data: dict[str, Any]) -> None:
    """Enter a persona's snapshot the way a reader would: type numbers, choose from the lists."""
    factors = {f["column"]: f for f in data["factors"] + data["policy_factors"]}
    for column, value in snapshot.items():
        field = page.locator(f"#sc-in-{column}")
        if column not in factors:
            if column == data["columns"]["segment"]:
                field.select_option(value=str(value) if str(value) in data["columns"]["segments"] else "")
            elif column == data["columns"]["date"]:
                field.fill(str(value))
            continue
        f = factors[column]
        if f["kind"] == "flag":
            field.select_option(index=0 if value is None else (1 if value == 1 else 2))
        elif value is None:
            field.fill("")
        elif any(s == value for s in f.get("special_numbers", [])):
            page.locator(f"#sc-in-{column}-kind").select_option(index=1 + f["special_numbers"].index(value))
        else:
            field.click()
            field.press_sequentially(str(value))


@pytest.mark.parametrize("slug", ["many-platform-loans", "borrow-repay-cycles", "small-business-owner",
                                  "overdue-history", "incomplete-profile", "limit-gone-after-repayment"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_reader_types_a_persona_and_reads_its_reasons_privately(browser: Any, built_site: SiteResult,
                                                                  demo_model: Path, lang: str, slug: str) -> None:
    """Typed in by keyboard, a persona's situation gives that persona's decision, score and reasons
    (the Python record's), every field has a label, and no request at all leaves the page while
    it is used."""
    spec, policy = load_spec(demo_model), default_policy()
    data = calculator_data(spec, policy)
    persona = next(p for p in load_personas() if p.slug == slug)
    columns = _columns(data)
    table = persona_table((persona,), columns + [spec.profile.id_column])
    table = table.iloc[[-1]].reset_index(drop=True)
    record = explain_table(spec, policy, table)[0]
    snapshot = rows_for_the_page(table, columns)[0]

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(_calculator(built_site, lang))
        page.wait_for_load_state("networkidle")
        used: list[str] = []
        context.on("request", lambda r: used.append(r.url))
        unlabelled = page.evaluate("""() => [...document.querySelectorAll('#sc-calculator input, #sc-calculator select')]
            .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map(e => e.id)""")
        assert not unlabelled
        _type_persona(page, snapshot, data)
        words = data["words"][lang]
        badge = words["page"]["badge"][record.outcome]
        sync_api.expect(page.locator(".sc-calc__badge .admonition-title")).to_have_text(badge)
        reasons = page.locator(".sc-calc__reasons > li > strong")
        explained = page_context(record, spec.profile, lang=lang, fmt="md", policy=policy)
        sync_api.expect(reasons).to_have_text([str(r.label) for r in explained.why.reasons])
        in_page = page.evaluate("() => window.scorecardCalculator.record")
        assert essentials(in_page) == essentials(record)
        # worded as the explanation page words it: each reason's sentences, the plans' intro
        shown = page.locator("#sc-calculator").inner_text()
        for reason in explained.why.reasons:
            assert str(reason.text) in shown, reason.text
        assert str(explained.actions.intro) in shown
        # and its score lines (the guard's own figures), plans and steps (waits, allowances) and notes
        for line in explained.outcome.score_lines:
            assert str(line) in shown, line
        for plan in explained.actions.plans:
            assert str(plan.summary) in shown, plan.summary
            for step in plan.steps:
                assert str(step.body) in shown, step.body
        for note in explained.actions.notes + explained.why.rules_notes:
            assert str(note.text) in shown, note.text
        assert not used, f"requests while the page was used: {used}"
        assert not errors, errors
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_calculator_fits_a_small_phone(browser: Any, built_site: SiteResult, demo_model: Path, lang: str) -> None:
    # Li's situation with completeness 55 and an age out of range: plans (which all reduce debt),
    # a field error and long step texts on a 360 px screen. Fields left empty are "no record",
    # which no plan turns into a value, so the situation is typed in full.
    spec, policy = load_spec(demo_model), default_policy()
    data = calculator_data(spec, policy)
    persona = next(p for p in load_personas() if p.slug == "many-platform-loans")
    columns = _columns(data)
    snapshot = rows_for_the_page(persona_table((persona,), columns).iloc[[-1]].reset_index(drop=True), columns)[0]
    snapshot.update({spec.profile.factor("profile_completeness").source_column: 55})
    context = browser.new_context(viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        page.goto(_calculator(built_site, lang))
        _type_persona(page, snapshot, data)
        page.locator("#sc-in-age").fill("999")
        sync_api.expect(page.locator(".sc-calc__plan").first).to_be_visible()
        assert page.locator("#sc-in-age-error").inner_text().strip()  # out of range: said next to the field
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{overflow} px wider than the screen"
    finally:
        context.close()
