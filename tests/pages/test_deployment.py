"""A page under a policy's ``context`` (currency, product, jurisdiction) and with a rule's own description:
the same record reads in the lender's currency, names no mainland-China law under ``neutral``, and a hard
rule the locale has no sentence for is explained by the policy's description, with the policy's pages."""

from __future__ import annotations

import dataclasses

import yaml

from scorecard.pages import page_context, render_page
from scorecard.pages.words import load_words
from scorecard.policy import BUNDLED_DIR, parse_policy
from scorecard.site.build import unlink_missing
from scorecard.spec import load_spec
from scorecard.training import special_value_warnings

from _page_cases import DEMO, load_record

DEMO_POLICY = yaml.safe_load((BUNDLED_DIR / "demo.yaml").read_text(encoding="utf-8"))
MAINLAND = ("Personal Information Protection Law", "Credit Reference Center", "Zhima", "central bank", "yuan")


def _policy(**changes: object):  # noqa: ANN202
    return parse_policy({**DEMO_POLICY, **changes}, "p.yaml")


def test_the_default_context_renders_todays_pages() -> None:
    """The demo policy's default context words pages as a page without a policy does; only what the
    policy alone knows is added (when its temporary tightening ends)."""
    record = load_record("approved_capped")
    for lang in ("zh", "en"):
        until = load_words(lang).text("rules", "until", date="DATE").split("DATE")[0]
        for fmt in ("md", "html"):
            with_policy = render_page(record, DEMO, lang=lang, fmt=fmt, policy=_policy())
            assert until in with_policy
            start = with_policy.index(until)
            end = with_policy.index(load_words(lang).text("rules", "no_change"), start)
            assert with_policy[:start] + with_policy[end:] == render_page(record, DEMO, lang=lang, fmt=fmt)


def test_money_reads_in_the_policys_currency_and_the_product_in_its_words() -> None:
    policy = _policy(context={"currency": {"code": "EUR", "zh": "{n} 欧元", "en": "€{n}"}, "product": "credit_card"})
    en = page_context(load_record("approved_capped"), DEMO, lang="en", fmt="md", policy=policy)
    zh = page_context(load_record("approved_capped"), DEMO, lang="zh", fmt="md", policy=policy)
    assert en.outcome.headline.startswith("You have a credit card with a limit of €")
    assert "欧元" in zh.outcome.headline and "元。" not in zh.outcome.headline.replace("欧元", "")
    assert en.title == "Your credit-card decision, explained"
    assert "yuan" not in render_page(load_record("approved_capped"), DEMO, lang="en", fmt="html", policy=policy)


def test_the_neutral_rights_box_names_no_mainland_law_and_links_only_its_own_pages() -> None:
    policy = _policy(context={"jurisdiction": "neutral"})
    for case in ("declined_score_plans", "hard_identity", "approved_capped"):
        page = render_page(load_record(case), DEMO, lang="en", fmt="md", policy=policy)
        assert not [word for word in MAINLAND if word in page.replace("yuan", "")], case
        assert "../causes/" not in page and "../remedies/" not in page  # the neutral knowledge base has none
    ctx = page_context(load_record("declined_score_plans"), DEMO, lang="en", fmt="md", policy=policy)
    assert "Look up your consumer-credit law" in ctx.rights.rights[-1].text
    assert [link.href for link in ctx.rights.rights[-1].links] == ["../rights/index.md"]


def test_a_described_hard_rule_is_said_in_its_own_words_with_the_policys_pages() -> None:
    rules = [dict(rule) for rule in DEMO_POLICY["hard_rules"]]
    rules[0] = {**rules[0], "code": "HARD_KYC", "pages": {"remedies": ["appeal-with-documents"]},
                "description": {"zh": "身份材料还没有核对", "en": "your identity documents are not checked yet"}}
    record = dataclasses.replace(load_record("hard_identity"), decision="HARD_KYC", hard_rule="HARD_KYC")
    ctx = page_context(record, DEMO, lang="en", fmt="md", policy=_policy(hard_rules=rules))
    assert ctx.why.hard_note.text == ("The lender's rules stopped the assessment here: your identity documents are "
                                      "not checked yet.")
    assert ctx.why.hard_note.links == ()
    assert [link.href for note in ctx.actions.notes for link in note.links] == ["../remedies/appeal-with-documents.md"]
    undescribed = page_context(record, DEMO, lang="en", fmt="md")  # no policy: the generic wording, as before
    assert "basic condition" in undescribed.why.hard_note.text


def test_links_into_pages_the_site_does_not_generate_are_left_as_words() -> None:
    text = "See [Chen](../personas/chen.md), [the model](../model/index.md) and [a cause](../causes/x.md)."
    mended = unlink_missing(text, "scenarios/a.md", {"model/index.md"})
    assert mended == "See Chen, [the model](../model/index.md) and [a cause](../causes/x.md)."


def test_training_warns_of_a_special_value_that_outscores_every_regular_value() -> None:
    spec = load_spec("tests/golden/demo_model.json")
    assert special_value_warnings(spec) == ()
    factors = tuple(dataclasses.replace(f, bins=tuple(dataclasses.replace(b, points=99) if b.kind == "special" else b
                                                      for b in f.bins)) if f.name == "debt_to_income" else f
                    for f in spec.factors)
    (line,) = special_value_warnings(dataclasses.replace(spec, factors=factors))
    best = max(b.points for b in spec.factor("debt_to_income").bins if b.kind == "range")
    assert line.startswith("debt_to_income: special value -1 (") and f"above every regular value (best {best})" in line


def test_under_neutral_a_described_rule_is_said_in_its_own_words_not_the_demos_mainland_sentence() -> None:
    policy = _policy(context={"jurisdiction": "neutral"})
    ctx = page_context(load_record("hard_identity"), DEMO, lang="en", fmt="md", policy=policy)
    assert "real-name" not in ctx.why.hard_note.text and "real-name" not in ctx.actions.intro
    assert "Identity is not verified" in ctx.why.hard_note.text  # the demo policy's own description
