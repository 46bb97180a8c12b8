"""What an explanation page says, from its context (``pages.builder``): the sections in order, the
reasons, plans, cards and lessons that fit the record, and nothing for an application that was not
assessed."""

from __future__ import annotations

import dataclasses
import re

import pytest
import yaml

from scorecard.pages import page_context, render_page
from scorecard.pages.words import load_words
from scorecard.resources import locales_dir

from _page_cases import CASES, DEMO, LANGS, TINY, load_record, rendered


def section_positions(page: str, lang: str) -> list[int]:
    words = yaml.safe_load((locales_dir() / f"{lang}.yaml").read_text(encoding="utf-8"))["sections"]
    order = ["outcome", "why", "actions", "financing", "cards", "not_mean", "rights", "about"]
    # a page for an outage ("try again later") has no financing section: nothing was decided
    return [page.index(f"## {words[key]}\n") for key in order if f"## {words[key]}\n" in page or key != "financing"]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("case", CASES)
def test_sections_come_in_their_order(case, lang):
    positions = section_positions(rendered(case, lang, "md"), lang)
    assert positions == sorted(positions)


@pytest.mark.parametrize("lang", LANGS)
def test_an_overlay_that_decided_is_said_first_in_why(lang):
    record = load_record("declined_overlay_special")
    ctx = page_context(record, DEMO, lang=lang, fmt="md")
    page = render_page(record, DEMO, lang=lang, fmt="md")
    title = ctx.t["rules"]["title"]
    assert page.index(title) < page.index(ctx.why.reasons[0].label)
    assert "575" in ctx.why.rules_notes[0].text and "560" in ctx.why.rules_notes[0].text  # before and after
    assert str(record.score) in ctx.why.rules_notes[0].text  # "your 574 points would have passed"


def test_a_reason_group_is_one_reason_naming_every_factor_of_the_cause():
    ctx = page_context(load_record("approved_middle_band"), DEMO, lang="en", fmt="md")
    first = ctx.why.reasons[0]
    assert first.code == "OVERDUE_HISTORY.VALUE"
    assert first.label == "Late payments in the last 12 months"  # the group's label
    assert "Late payments in the last 12 months: yours is 3 times, best is 0 times." in first.text
    assert "Longest delay in the last 12 months: yours is 45 days, best is 0 days." in first.text
    assert "about 45 points" in first.text  # the group's shortfall, 24.02 + 21.42
    assert "people who just reached a higher limit band" in first.text  # approved: the next band's baseline
    assert [link.href for link in first.links] == ["../causes/overdue-history.md"]
    assert all("overdue" not in r.code.lower() for r in ctx.why.reasons[1:])  # no second reason of the group


def test_reasons_state_own_value_better_range_points_and_cause_link():
    ctx = page_context(load_record("declined_score_plans"), DEMO, lang="en", fmt="md")
    first = ctx.why.reasons[0]
    assert first.label == "Active loans on other platforms"
    assert "Yours: 6 loans." in first.text
    assert "Scores best: 0 loans." in first.text  # "[None, 1)" with min_value 0
    assert "Even 4 loans or more would score more." not in first.text
    assert "about 22 points" in first.text  # points_below_baseline 21.97, rounded
    assert [link.href for link in first.links] == ["../causes/multiple-borrowing.md"]


@pytest.mark.parametrize("lang", LANGS)
def test_a_fixed_or_never_factor_is_never_held_out_as_a_target(lang):
    record = load_record("approved_middle_band")
    words = load_words(lang)
    ctx = page_context(record, DEMO, lang=lang, fmt="md")
    never = next(r for r in ctx.why.reasons if r.code.startswith("MONTHLY_PAYMENT_ACTIVITY"))
    assert words.text("why", "never") in never.text
    assert words.text("why", "nearer", nearer="X").split("X")[0] not in never.text
    assert all(step.label != words.text("why", "never") for plan in ctx.actions.plans for step in plan.steps)


def test_special_and_missing_reasons_read_as_no_record():
    ctx = page_context(load_record("generic_profile_special_missing"), TINY, lang="en", fmt="md")
    by_factor = {r.label: r.text for r in ctx.why.reasons}
    assert by_factor["Debt-to-income ratio"].startswith("No income on record.")
    assert by_factor["Late payments"].startswith("There is no record of it.")
    assert "Scores best: A." in by_factor["City"]  # the card's best value, one per page


def test_plans_show_targets_gains_waits_and_remedy_links():
    ctx = page_context(load_record("approved_middle_band"), DEMO, lang="en", fmt="md")
    step = ctx.actions.plans[0].steps[0]
    assert step.change == "from 45 days to 0 days"
    assert step.gain == "+22 points"
    assert "within 365 days at the latest" in step.timing  # a count over 12 months: at most its window
    assert "now" not in step.timing
    assert [link.href for link in step.links] == ["../remedies/repair-record.md"]
    assert "626 points" in ctx.actions.plans[0].summary


@pytest.mark.parametrize("lang", LANGS)
def test_plans_aim_above_the_line_by_the_margin_and_promise_nothing(lang):
    words = load_words(lang)
    record = load_record("declined_score_plans")
    import dataclasses as dc
    with_margin = dc.replace(record, recourse_target=585, recourse_margin=10,
                             recourse=tuple(p for p in record.recourse if p.new_score >= 585))
    ctx = page_context(with_margin, DEMO, lang=lang, fmt="md")
    point = lambda n: words.text("units", "point_other", n=n)  # noqa: E731
    assert words.text("actions", "intro_declined", target=point(585), line=point(575), margin=point(10)) in ctx.actions.intro
    assert words.text("actions", "chance") in ctx.actions.intro  # raises the chance, no promise
    assert any(words.text("actions", "next_assessment") == note.text for note in ctx.actions.notes)


@pytest.mark.parametrize("lang", LANGS)
def test_under_the_affordability_guard_no_more_lenders_and_debt_first(lang):
    words = load_words(lang)
    ctx = page_context(load_record("declined_score_plans"), DEMO, lang=lang, fmt="md")
    # without the policy the page cannot name the conditions: the general sentence, and where to ask for help
    assert words.text("actions", "guard_plans_general") in ctx.actions.intro
    assert words.text("actions", "hardship") in ctx.actions.intro
    slugs = [lesson.link.href.split("/")[-1] for lesson in ctx.financing.lessons]
    assert slugs[0] == "debt-control.md" and "financing-channels.md" not in slugs
    assert ctx.financing.intro == words.text("financing", "intro_small_business_guard")  # the shop owner: said plainly
    page = render_page(load_record("declined_score_plans"), DEMO, lang=lang, fmt="md")
    assert words.text("financing", "lessons", "financing-channels") not in page
    # approved under the guard: no plan and no "a few more points for a higher band"
    import dataclasses as dc
    approved = dc.replace(load_record("approved_middle_band"), recourse=(), recourse_target=None,
                          recourse_status="not_needed", affordability_guard=True)
    ctx = page_context(approved, DEMO, lang=lang, fmt="md")
    assert ctx.actions.intro == words.join([words.text("actions", "guard_approved"), words.text("actions", "hardship")])
    assert ctx.actions.plans == ()
    assert words.text("outcome", "guard") in ctx.outcome.score_lines
    assert not any(line.startswith(words.text("outcome", "next_band", gap="", target="")[:12]) for line in ctx.outcome.score_lines)


@pytest.mark.parametrize("lang", LANGS)
def test_a_missing_record_is_supplied_never_aimed_at_a_value(lang):
    words = load_words(lang)
    ctx = page_context(load_record("generic_profile_special_missing"), TINY, lang=lang, fmt="md")
    step = next(s for p in ctx.actions.plans for s in p.steps if s.label == TINY.factor("debt_to_income").label.get(lang))
    supply = TINY.factor("debt_to_income").supply.get(lang)
    supply = supply[0].lower() + supply[1:] if lang == "en" else supply  # sentence case after a colon
    assert step.change == words.text("actions", "step_supply", supply=supply)
    assert words.text("actions", "supply_note") == step.timing


@pytest.mark.parametrize("lang", LANGS)
def test_infeasible_recourse_says_so_instead_of_inventing_a_plan(lang):
    ctx = page_context(load_record("infeasible"), DEMO, lang=lang, fmt="html")
    words = load_words(lang)
    assert ctx.actions.plans == ()
    assert ctx.actions.intro == words.text("actions", "infeasible", target=words.text("units", "point_other", n=560))
    assert any(note.links and note.links[0].href.endswith("financing-channels.md") for note in ctx.actions.notes)


@pytest.mark.parametrize("case", ["hard_identity", "retry_later"])
def test_unassessed_applications_get_no_score_bar_reasons_or_cards(case):
    ctx = page_context(load_record(case), DEMO, lang="zh", fmt="html")
    assert ctx.outcome.bar is None and ctx.why.reasons == () and ctx.cards.cards == () and ctx.actions.plans == ()
    assert ctx.why.hard_note is not None
    page = render_page(load_record(case), DEMO, lang="zh", fmt="html")
    assert "<svg" not in page


def test_history_chart_only_with_several_snapshots():
    with_history = rendered("history_limit_gone", "en", "html")
    assert with_history.count("<svg") == 2 and "<polyline" in with_history
    assert "10,000 yuan" in with_history and "no score" in with_history  # the maintenance snapshot
    md = rendered("history_limit_gone", "en", "md")
    assert "| 2026-06-18 | 603 | Approved | 5,000 yuan |" in md
    assert re.search(r"Score trend: [▁▂▃▄▅▆▇█ ]{4} ", md)
    assert "<polyline" not in rendered("declined_overlay_special", "en", "html")


def test_lessons_fit_the_person():
    import dataclasses as dc
    small_business = page_context(dc.replace(load_record("declined_score_plans"), affordability_guard=False), DEMO,
                                  lang="en", fmt="md")
    slugs = [lesson.link.href.split("/")[-1] for lesson in small_business.financing.lessons]
    assert slugs[:3] == ["financing-channels.md", "cash-flow-planning.md", "lender-relationships.md"]
    assert "debt-control.md" in slugs  # many platforms and high debt among its reasons
    healthy = page_context(load_record("approved_capped"), DEMO, lang="en", fmt="md")
    assert "financing-channels.md" not in [lesson.link.href.split("/")[-1] for lesson in healthy.financing.lessons]


def test_every_factor_gets_one_card_with_every_field():
    record = load_record("declined_overlay_special")
    ctx = page_context(record, DEMO, lang="en", fmt="md")
    assert [card.factor for card in ctx.cards.cards] == [line.factor for line in record.factors]
    for card in ctx.cards.cards:
        assert all(getattr(card, f.name) for f in dataclasses.fields(card))
    by_factor = {card.factor: card for card in ctx.cards.cards}
    assert by_factor["debt_to_income"].impact_level == "high"  # 23 points below its best
    assert by_factor["debt_to_income"].yours == "No usable income record, so the ratio cannot be computed"
    assert by_factor["identity_verified"].impact_level == "low"
    assert by_factor["age"].change_level == "fixed"
    assert by_factor["account_age_months"].change_level == "time"
    assert "about 5.5 years" in by_factor["account_age_months"].change_line  # 8 -> 72 months: 1920 days, to the half year


def test_cards_of_another_profile_use_the_generic_wording():
    ctx = page_context(load_record("generic_profile_special_missing"), TINY, lang="en", fmt="md")
    age = next(card for card in ctx.cards.cards if card.factor == "age")
    assert "Age at application" in age.why  # from the profile's meaning, not the demo wording
    city = next(card for card in ctx.cards.cards if card.factor == "city")
    assert city.action == "Move toward A."
