"""What the eight demo persona pages tell a person to do, read as a person would (the rendered
text, both languages): each test is a problem a cold reader found, so that it cannot come back."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import pytest

from scorecard.pages import render_page
from scorecard.pages import editorial
from scorecard.pages.words import load_words
from scorecard.policy import load_policy
from scorecard.records import DecisionRecord, record_from_dict

from _page_cases import DEMO, LANGS, TESTS

RECORDS = TESTS / "golden" / "personas"
PERSONAS = sorted(p.stem for p in RECORDS.glob("*.json"))
POLICY = load_policy("demo")
DOCS = Path(__file__).resolve().parents[2] / "docs"


@lru_cache(maxsize=None)
def record(persona: str) -> DecisionRecord:
    return record_from_dict(json.loads((RECORDS / f"{persona}.json").read_text(encoding="utf-8")))


@lru_cache(maxsize=None)
def page(persona: str, lang: str) -> str:
    return render_page(record(persona), DEMO, lang=lang, fmt="md", policy=POLICY)


def line_of(rec: DecisionRecord, factor: str):
    return next(line for line in rec.factors if line.factor == factor)


def section(text: str, lang: str, key: str) -> str:
    """One ``##`` section of a page ("" when the page has none)."""
    title = f"## {load_words(lang).text('sections', key)}\n"
    if title not in text:
        return ""
    rest = text.split(title, 1)[1]
    return rest.split("\n## ", 1)[0]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_income_proof_is_asked_for_only_when_the_income_record_is_missing(persona, lang):
    w = load_words(lang)
    rec = record(persona)
    if rec.score is None:
        pytest.skip("not assessed")
    missing = line_of(rec, "debt_to_income").bin_kind in ("missing", "special")
    asked = w.text("factors", "demo", "debt_to_income", "action_missing") in page(persona, lang)
    assert asked == missing


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_under_the_guard_nothing_aims_at_a_higher_limit_or_more_lenders(persona, lang):
    rec, text, w = record(persona), page(persona, lang), load_words(lang)
    if not rec.affordability_guard:
        pytest.skip("not under the guard")
    nearer = w.text("why", "nearer", nearer="")
    assert nearer.split(" ")[0] not in section(text, lang, "why")  # no "even reaching X would help"
    if rec.next_band_score is not None:  # no next-band mark on the score bar
        assert f"{rec.next_band_score} {w.text('bar', 'next_band')}" not in text
        assert w.text("outcome", "next_band", gap="", target="")[:8] not in text
    assert "lessons/financing-channels" not in text and "lessons/lender-relationships" not in text


@pytest.mark.parametrize("lang", LANGS)
def test_the_guard_names_exactly_the_conditions_that_hold(lang):
    w = load_words(lang)
    rec = record("P-SHOP")
    held = editorial.guard_conditions(rec, POLICY, DEMO)
    assert held == ("debt_to_income", "other_platform_loans")
    guard = next(line for line in page("P-SHOP", lang).splitlines() if "95%" in line)
    # each condition that holds, with the person's own value: 0.95 of income is "about 95%", not just "half or more"
    for condition in held:
        opening = w.get("outcome", "guard_conditions", condition).split("{")[0]
        assert opening in guard
    assert "95%" in guard and "4" in guard and w.text("outcome", "guard_and") in guard
    assert w.text("outcome", "guard") not in page("P-SHOP", lang)  # the "... or ..." sentence


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_business_financing_is_for_business_owners_only(persona, lang):
    w = load_words(lang)
    business = w.text("financing", "lessons_business", "financing-channels")
    assert (business in page(persona, lang)) == (record(persona).segment in editorial.SMALL_BUSINESS_SEGMENTS
                                                 and "lessons/financing-channels" in page(persona, lang))
    if record(persona).segment not in editorial.SMALL_BUSINESS_SEGMENTS:
        assert "供应链" not in page(persona, "zh") and "supply-chain" not in page(persona, "en")


@pytest.mark.parametrize("lang", LANGS)
def test_the_credit_relief_reads_as_closed_after_its_deadline(lang):
    w, rec = load_words(lang), record("P-OVERDUE")
    assert rec.snapshot_date > editorial.RELIEF_DEADLINE
    assert w.text("rights", "relief_closed") in page("P-OVERDUE", lang)
    assert w.text("rights", "relief_open") not in page("P-OVERDUE", lang)
    assert "lessons/financing-channels" not in page("P-OVERDUE", lang)  # late payments: not more lenders


@pytest.mark.parametrize("lang", LANGS)
def test_a_group_scored_through_one_factor_is_not_called_several(lang):
    w = load_words(lang)
    text = page("P-OVERDUE", lang)
    assert w.text("why", "group") not in text
    row = next(line for line in text.splitlines() if line.startswith("1. **"))
    assert w.text("why", "value", value="60 " + ("天" if lang == "zh" else "days")) in row  # as a one-factor reason
    assert row.startswith(f"1. **{DEMO.factor('max_overdue_days_12m').label.get(lang)}**")  # named as what it is


@pytest.mark.parametrize("lang", LANGS)
def test_maintenance_says_submit_once_and_nothing_about_debt(lang):
    w, text = load_words(lang), page("P-MAINT", lang)
    assert w.text("hard", "RETRY_LATER", "retry") in text
    assert section(text, lang, "financing") == ""
    assert w.text("dont", "many_applications") not in text and w.text("financing", "risk_rollover") not in text
    assert w.text("rights", "pipl") not in text and w.text("rights", "complaints") in text


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_checking_a_limit_is_never_called_the_way_to_be_reassessed(persona, lang):
    text = page(persona, lang)
    assert "查看额度时" not in text and "or check your limit" not in text
    assert "先还掉一部分债务；如果没有收入记录" not in text  # the old one-size debt step
    assert "这一步现在就能做" not in text and "You can do this now" not in text


@pytest.mark.parametrize("lang", LANGS)
def test_an_approved_person_is_not_told_approval_is_not_guaranteed(lang):
    w, text = load_words(lang), page("P-HEALTHY", lang)
    assert w.text("actions", "chance") not in text and w.text("actions", "chance_approved") in text
    assert w.text("actions", "next_assessment_approved") in text and w.text("actions", "next_assessment") not in text
    assert w.text("actions", "next_assessment") in page("P-MULTI", lang)  # declined: the next application
    rec = record("P-HEALTHY")
    assert w.text("outcome", "next_band", gap=f"{rec.next_band_score - rec.score} " + ("分" if lang == "zh" else "points"),
                  target=f"{rec.next_band_score} " + ("分" if lang == "zh" else "points")) in text


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_payments_per_month_never_invites_spending(persona, lang):
    text = page(persona, lang)
    assert record(persona).score is None or ("多消费" if lang == "zh" else "spend more") in text


def test_english_mid_sentence_has_no_capital_after_a_colon():
    text = page("P-INCOMPLETE", "en")
    assert "supply the record: fill in your true income" in text
    assert not re.search(r"[a-z]: [A-Z][a-z]+ [a-z]", section(text, "en", "why"))


@pytest.mark.parametrize("lang", LANGS)
def test_the_rights_box_and_the_rights_pages_give_one_checked_date(lang):
    year, month, day = editorial.RIGHTS_LAST_CHECKED
    iso = f"{year}-{month:02d}-{day:02d}"
    suffix = "" if lang == "zh" else ".en"
    for name in ("credit-report", "automated-decisions", "complaint-channels", "score-report-limit"):
        kb = (DOCS / "rights" / f"{name}{suffix}.md").read_text(encoding="utf-8")
        assert iso in kb, f"docs/rights/{name}{suffix}.md does not say it was checked on {iso}"
    assert f"{day}" in section(page("P-MULTI", lang), lang, "rights")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_one_best_value_per_factor_on_a_page(persona, lang):
    """The reason and the card of one factor give the same best value (P-CYCLES said 0 and 1)."""
    rec, text, w = record(persona), page(persona, lang), load_words(lang)
    from scorecard.pages.speaking import Speaker
    say = Speaker(w, DEMO)
    for reason in rec.reasons:
        line = line_of(rec, reason.factor) if reason.group is None else None
        if line is None or line.better_value is None or DEMO.factor(reason.factor).advice not in ("act", "wait"):
            continue
        best = say.best(DEMO.factor(reason.factor), line.better_value)
        assert w.text("why", "best", best=best) in text
        assert f"{w.text('cards', 'best')}**{w.text('meta', 'colon')}{best}\n" in text


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_no_range_with_an_open_end_and_no_wait_in_hundreds_of_days(persona, lang):
    text = page(persona, lang)
    assert "不含" not in text and "to under" not in text
    assert not re.search(r"约 [1-9]\d{3} 天|约 [5-9]\d\d 天|about [5-9]\d\d days|about \d{4} days", text)


@pytest.mark.parametrize("lang", LANGS)
def test_a_long_plan_is_called_long_and_said_in_years(lang):
    # account age grows a month a month: a plan that waits for it two years is a long plan
    from dataclasses import replace
    rec = record("P-CYCLES")
    plan = next(p for p in rec.recourse if any(c.factor == "account_age_months" for c in p.changes))
    aged = tuple(replace(c, wait_days=750, to_value=39) if c.factor == "account_age_months" else c for c in plan.changes)
    text = render_page(replace(rec, recourse=(replace(plan, changes=aged, wait_days=750),)), DEMO, lang=lang,
                       fmt="md", policy=POLICY)
    w = load_words(lang)
    assert w.text("actions", "plan_wait_long", days=w.text("units", "years", n=2)) in text


@pytest.mark.parametrize("lang", LANGS)
def test_age_counting_twice_is_said_when_both_apply(lang):
    w = load_words(lang)
    rec = record("P-CYCLES")
    assert any(r.factor == "age" for r in rec.reasons) and any(o.code == "OVL.YOUNG_SEGMENT_CUTOFF" for o in rec.overlays)
    assert w.text("rules", "twice", "OVL.YOUNG_SEGMENT_CUTOFF", "age") in page("P-CYCLES", lang)
    assert w.text("rules", "twice", "OVL.YOUNG_SEGMENT_CUTOFF", "age") not in page("P-MULTI", lang)


@pytest.mark.parametrize("lang", LANGS)
def test_a_temporary_tightening_says_when_it_ends_and_two_scores_draw_no_sparkline(lang):
    w, text = load_words(lang), page("P-REPAID", lang)
    assert w.text("rules", "until", date="X").split("X")[0] in text
    assert "2026" in text.split(w.text("rules", "until", date="X").split("X")[0], 1)[1][:20]
    assert w.text("history", "trend", sparkline="X").split("X")[0] not in text  # two scores: no trend drawn


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_one_application_is_not_called_multiple_borrowing(persona, lang):
    rec, text = record(persona), page(persona, lang)
    w = load_words(lang)
    for reason in rec.reasons:
        if reason.factor == "applications_3m" and reason.value <= 1:
            label = w.text("values", "unit", n=reason.value, unit="").strip()
            row = next(r for r in text.splitlines() if r.startswith(tuple(f"{i}. **" for i in range(1, 5)))
                       and DEMO.factor("applications_3m").label.get(lang) in r)
            assert "causes/multiple-borrowing" not in row, (label, row)


@pytest.mark.parametrize("lang", LANGS)
def test_no_income_record_asks_for_it_first_and_explains_the_target(lang):
    w, text, rec = load_words(lang), page("P-INCOMPLETE", lang), record("P-INCOMPLETE")
    assert rec.recourse_status == "infeasible"
    assert w.text("actions", "infeasible_supply", supply="X").split("X")[0] in text
    assert str(rec.recourse_target) in text and str(rec.cutoff) in text and str(rec.recourse_margin) in text
    assert w.text("cards", "no_better") not in section(text, lang, "cards").split(
        DEMO.factor("debt_to_income").label.get(lang))[1].split("###")[0]


@pytest.mark.parametrize("lang", LANGS)
def test_declared_income_and_proof_of_income_are_explained_together(lang):
    rec = record("P-HEALTHY")
    assert line_of(rec, "income_proof").value == 0 and line_of(rec, "debt_to_income").bin_kind == "range"
    assert load_words(lang).text("factors", "demo", "debt_to_income", "why") in page("P-HEALTHY", lang)
    assert ("没有收入证明也能算出" if lang == "zh" else "even without proof") in page("P-HEALTHY", lang)
    # and that declaring more than one earns is no way to a better ratio
    assert ("多报收入是欺诈" if lang == "zh" else "declaring more than you earn is fraud") in page("P-HEALTHY", lang)


@pytest.mark.parametrize("lang", LANGS)
def test_a_missing_ratio_is_not_said_to_be_computable(lang):
    text = page("P-INCOMPLETE", lang)
    assert load_words(lang).text("factors", "demo", "debt_to_income", "why_missing") in text
    assert ("没有提交收入证明也能算出" if lang == "zh" else "without proof of income") not in text
    # no income record: other lenders ask for it too, so the page does not just send the person elsewhere
    assert load_words(lang).text("actions", "infeasible_other_supply") in text
    assert load_words(lang).text("actions", "infeasible_other") not in text


@pytest.mark.parametrize("lang", LANGS)
def test_a_wait_over_a_rolling_window_is_said_as_at_the_latest_in_plan_and_step(lang):
    # a count over the last N days reaches any lower value within N days: "at the latest", not "after about"
    from scorecard.pages.builder import page_context, renderer
    w, say, seen = load_words(lang), renderer(DEMO, lang, "md", POLICY).say, 0
    for persona in PERSONAS:
        rec = record(persona)
        views = page_context(rec, DEMO, lang=lang, fmt="md", policy=POLICY).actions.plans
        for plan, view in zip(rec.recourse, views):
            slowest = [DEMO.factor(c.factor) for c in plan.changes if plan.wait_days and c.wait_days == plan.wait_days]
            if slowest and all(f.window_days is not None for f in slowest):
                seen += 1
                assert w.text("actions", "plan_wait_window", days=plan.wait_days) in view.summary, persona
                assert w.text("actions", "plan_wait", days=say.days(plan.wait_days)) not in view.summary, persona
    assert seen


@pytest.mark.parametrize("lang", LANGS)
def test_a_rolling_window_count_is_planned_to_its_lowest_not_to_an_allowance(lang):
    # Once someone stops, 8 cycles in the last 30 days fall to 0 within 30 days: "to 3 cycles" would
    # be no faster and would read as three more being fine; nor do the reasons say "even 5 would help".
    w, rec, text = load_words(lang), record("P-CYCLES"), page("P-CYCLES", lang)
    cycles = DEMO.factor("borrow_repay_cycles_30d")
    changes = [c for p in rec.recourse for c in p.changes if c.factor == cycles.name]
    assert changes and all(c.to_value == cycles.min_value for c in changes)
    assert w.text("actions", "step_window_cap", to_value="X").split("X")[1] not in text
    why = section(text, lang, "why")
    reason = next(line for line in why.splitlines() if cycles.label.get(lang) in line)
    assert w.get("why", "nearer").split("{")[0] not in reason
    assert w.text("factors", "demo", "borrow_repay_cycles_30d", "action") in text


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_what_the_result_does_not_mean_fits_the_result(persona, lang):
    w, rec = load_words(lang), record(persona)
    box = section(page(persona, lang), lang, "not_mean")
    approved = rec.outcome == "approved"
    assert (w.text("not_mean", "approved_limit") in box) == approved
    outage = rec.outcome == "retry_later"
    assert (w.text("not_mean", "report") in box) == (not approved and not outage)  # a decline is not a bad record
    assert (w.text("not_mean", "report_outage") in box) == outage  # nothing decided: no "this decision"
    # an outage assessed nothing: no enquiry, nothing old to fade
    assert (w.text("not_mean", "report_query") in box) == (not approved and not outage)
    assert (w.text("not_mean", "permanent") in box) == (not approved and not outage)


@pytest.mark.parametrize("persona", PERSONAS)
def test_chinese_sets_no_blank_between_two_characters(persona):
    text = page(persona, "zh")
    prose = re.sub(r"```.*?```", "", text, flags=re.S)  # the text bar keeps its fixed-width blanks
    found = re.findall(r"[\u4e00-\u9fff\uff08\uff09] [\u4e00-\u9fff\uff08\uff09]", prose)
    assert not found, found[:5]


@pytest.mark.parametrize("lang", LANGS)
def test_a_temporary_rule_says_what_its_end_would_mean_for_this_score(lang):
    w, rec = load_words(lang), record("P-REPAID")
    overlay = next(o for o in rec.overlays if o.changed_outcome)
    assert overlay.before <= rec.score < overlay.after
    assert w.text("rules", "until_would_pass", before="X", score="Y").split("X")[0] in page("P-REPAID", lang)


def test_the_text_bar_never_reaches_a_mark_the_score_is_below():
    from scorecard.pages.charts import text_bar
    w = load_words("en")
    for score, mark in ((607, 610), (574, 575), (564, 565), (565, 565), (611, 610)):
        for lo, hi in ((500, 700), (300, 900), (0, 1000)):
            bar, line = (str(x) for x in text_bar(w, score, [("next_band", mark)], lo, hi))
            filled, at = bar.count("█"), line.index("┊")
            assert (filled <= at) if score < mark else (filled > at), (score, mark, lo, hi)


@pytest.mark.parametrize("lang", LANGS)
def test_a_guarded_decline_is_planned_out_of_the_debt_first(lang):
    # many-platform-loans (6 platforms, 70% of income): no plan ends with the debt still over the
    # guard and "apply again"; the page says what the plans reach before any new application
    w, rec, text = load_words(lang), record("P-MULTI"), page("P-MULTI", lang)
    assert rec.affordability_guard and rec.recourse
    for plan in rec.recourse:
        to = {c.factor: c.to_value for c in plan.changes}
        assert to["debt_to_income"] < 0.5 and to["other_platform_loans"] <= 2
    held = editorial.guard_conditions(rec, POLICY, DEMO)
    conditions = w.text("actions", "guard_and").join(w.text("actions", "guard_clear", c) for c in held)
    assert w.text("actions", "guard_plans", conditions=conditions) in text


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_debt_pages_say_where_to_ask_for_hardship_help_and_qualify_the_estimate(persona, lang):
    w, rec, text = load_words(lang), record(persona), page(persona, lang)
    guarded = rec.affordability_guard
    assert (w.text("actions", "hardship") in text) == guarded
    assert (w.text("outcome", "chance_guard") in text) == guarded  # a low estimate is no room for more debt


@pytest.mark.parametrize("lang", LANGS)
def test_waiting_out_a_late_payment_is_offered_and_its_window_set_beside_the_report(lang):
    # overdue-history: the plan that needs nothing but time (and paying on time) is among the plans,
    # and the page says the model's 12-month window is not the report's five years
    w, rec, text = load_words(lang), record("P-OVERDUE"), page("P-OVERDUE", lang)
    only_waits = [p for p in rec.recourse if all(c.move == "wait" for c in p.changes)]
    assert only_waits and any(c.factor == "max_overdue_days_12m" for c in only_waits[0].changes)
    factor = DEMO.factor("max_overdue_days_12m")
    assert w.text("rights", "model_window", label=factor.label.get(lang), days=factor.window_days) in text


@pytest.mark.parametrize("lang", LANGS)
def test_a_plan_times_only_its_waits_and_says_done_steps_take_weeks_to_count(lang):
    from scorecard.pages.builder import page_context
    w, seen = load_words(lang), 0
    for persona in PERSONAS:
        rec = record(persona)
        views = page_context(rec, DEMO, lang=lang, fmt="md", policy=POLICY).actions.plans
        for plan, view in zip(rec.recourse, views):
            acts = any(c.move != "wait" for c in plan.changes)
            assert (w.text("actions", "plan_counts") in view.summary) == acts, persona
            if acts and plan.wait_days is not None:  # the wait is not "the slowest step" beside a repayment
                seen += 1
                assert w.text("actions", "plan_acts") in view.summary, persona
    assert seen


@pytest.mark.parametrize("lang", LANGS)
def test_no_plan_says_when_to_try_again_and_not_to_keep_checking(lang):
    w, rec = load_words(lang), record("P-INCOMPLETE")
    assert rec.recourse_status == "infeasible"
    assert w.text("actions", "infeasible_when") in page("P-INCOMPLETE", lang)


@pytest.mark.parametrize("lang", LANGS)
def test_other_lenders_are_never_offered_beside_do_not_apply_without_the_cost_of_applying(lang):
    # limit-gone-after-repayment is told not to apply for months; the channels lesson says one application only
    text = page("P-REPAID", lang)
    summary = load_words(lang).text("financing", "lessons", "financing-channels")
    assert "lessons/financing-channels" in text and summary in text
    assert ("申请都会留下记录" if lang == "zh" else "every application leaves a record") in summary
