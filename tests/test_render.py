"""Explanation pages: goldens, locale completeness, readability, escaping, determinism.

The golden inputs are hand-made DecisionRecords in ``golden/render/records/`` (one per situation a
page must explain); the expected pages sit in ``golden/render/pages/`` as
``<case>.<lang>.<md|html>``. After a deliberate change to templates, wording or render.py,
regenerate them with ``SCORECARD_REGEN_GOLDEN=1 pytest tests/test_render.py`` and review the diff.
More records (e.g. the demo personas') can be dropped into ``records/`` and get goldens the same way.
"""

from __future__ import annotations

import dataclasses
import html
import json
import os
import re
import string
from dataclasses import replace
from pathlib import Path

import jinja2
import markdown
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from scorecard import render
from scorecard.errors import RenderError
from scorecard.policy import APPROVED, DECLINED_OVERLAY, DECLINED_SCORE, default_policy
from scorecard.profile import load_profile
from scorecard.reasons import BASELINES
from scorecard.records import DecisionRecord, record_from_dict
from scorecard.render import (LANGS, PageContext, escape_markdown, page_context, page_name, render_page,
                              write_pages)
from scorecard.resources import docs_dir, locales_dir

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden" / "render"
RECORDS = GOLDEN / "records"
PAGES = GOLDEN / "pages"
REGEN = bool(os.environ.get("SCORECARD_REGEN_GOLDEN") or os.environ.get("SCORECARD_UPDATE_GOLDEN"))

DEMO = load_profile("demo")
TINY = load_profile(GOLDEN / "tiny_profile.yaml")
CASES = sorted(p.stem for p in RECORDS.glob("*.json"))
FORMATS = ("md", "html")
MD_EXTENSIONS = ["admonition", "attr_list", "def_list", "footnotes", "md_in_html", "tables", "toc",
                 "pymdownx.details", "pymdownx.superfences"]


def load_record(case: str) -> DecisionRecord:
    return record_from_dict(json.loads((RECORDS / f"{case}.json").read_text(encoding="utf-8")))


def profile_of(record: DecisionRecord):
    return TINY if record.profile == TINY.name else DEMO


def rendered(case: str, lang: str, fmt: str) -> str:
    record = load_record(case)
    return render_page(record, profile_of(record), lang=lang, fmt=fmt)


ALL_PAGES = [(case, lang, fmt) for case in CASES for lang in LANGS for fmt in FORMATS]


# --- goldens ------------------------------------------------------------------------------------


def test_the_golden_cases_cover_every_situation_a_page_explains():
    records = [load_record(c) for c in CASES]
    decisions = {r.decision for r in records}
    assert {APPROVED, DECLINED_SCORE, DECLINED_OVERLAY, "HARD_IDENTITY", "RETRY_LATER"} <= decisions
    assert {r.recourse_status for r in records} >= {"found", "infeasible", "not_needed", "not_applicable"}
    assert any(r.outcome == "approved" and r.next_band_score and r.recourse for r in records)
    assert any(len(r.history) > 2 for r in records)
    assert {reason.kind for r in records for reason in r.reasons} == {"value", "special", "missing"}
    assert any(o.changed_outcome and o.kind == "limit_cap" for r in records for o in r.overlays)
    assert any(r.segment == "small_business" for r in records)


@pytest.mark.parametrize(("case", "lang", "fmt"), ALL_PAGES)
def test_page_matches_its_golden_file(case, lang, fmt):
    page = rendered(case, lang, fmt)
    path = PAGES / f"{case}.{lang}.{fmt}"
    if REGEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page, encoding="utf-8", newline="\n")
    assert path.exists(), f"no golden page {path.name}; run with SCORECARD_REGEN_GOLDEN=1 and review it"
    assert page == path.read_text(encoding="utf-8"), f"{path.name} changed; regenerate on purpose and review the diff"


PERSONA_RECORDS = HERE / "golden" / "personas"  # the demo personas' records under the demo model
PERSONA_PAGES = GOLDEN / "personas"
PERSONAS = sorted(p.stem for p in PERSONA_RECORDS.glob("*.json"))


@pytest.mark.parametrize(("persona", "lang", "fmt"), [(p, lang, fmt) for p in PERSONAS for lang in LANGS for fmt in FORMATS])
def test_persona_page_matches_its_golden_file(persona, lang, fmt):
    """The demo personas' explanation pages, in both languages: what the site and the quick start show."""
    record = record_from_dict(json.loads((PERSONA_RECORDS / f"{persona}.json").read_text(encoding="utf-8")))
    page = render_page(record, DEMO, lang=lang, fmt=fmt)
    path = PERSONA_PAGES / f"{persona}.{lang}.{fmt}"
    if REGEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page, encoding="utf-8", newline="\n")
    assert path.exists(), f"no golden page {path.name}; run with SCORECARD_REGEN_GOLDEN=1 and review it"
    assert page == path.read_text(encoding="utf-8"), f"{path.name} changed; regenerate on purpose and review the diff"


@pytest.mark.parametrize(("case", "lang", "fmt"), ALL_PAGES)
def test_no_template_syntax_or_missing_value_is_left_in_a_page(case, lang, fmt):
    page = rendered(case, lang, fmt)
    for token in ("{{", "}}", "{%", "%}", "{#", "#}"):
        assert token not in page, token
    assert not re.search(r"\bNone\b|\bnan\b|Undefined", page)
    assert not re.search(r"\{[a-z_]+\}", page), "an unfilled {placeholder}"


def test_pages_are_deterministic_and_independent_of_what_was_rendered_before():
    """Renderers reuse the sections and items pages share; a page must not depend on which pages
    came before it, so the same pages in reverse order from fresh renderers are identical."""
    first = [rendered(c, lang, fmt) for c, lang, fmt in ALL_PAGES]
    render._BUILDERS.clear()
    render._environment.cache_clear()
    again = [rendered(c, lang, fmt) for c, lang, fmt in reversed(ALL_PAGES)]
    assert again[::-1] == first


def test_section_partials_read_only_the_fields_they_are_cached_by():
    """A section partial sees only its SECTIONS fields (StrictUndefined), so its cache key is complete."""
    record = load_record("history_limit_gone")
    for fmt in FORMATS:
        builder = render._builder(DEMO, "en", fmt)
        fields = vars(builder.context(record))
        for name, keys in render.SECTIONS.items():
            builder.section_templates[name].render(c={"t": fields["t"], **{k: fields[k] for k in keys}})
            if len(keys) > 1:  # and the restriction bites: without its first field the partial fails
                with pytest.raises(jinja2.UndefinedError):
                    builder.section_templates[name].render(c={"t": fields["t"], **{k: fields[k] for k in keys[1:]}})


def test_shared_sections_follow_from_their_cache_keys():
    """Pages with equal shared_section_keys must show equal shared sections, or a cached section
    would show another applicant's outcome or lessons. Checked on a demo batch and the goldens."""
    from scorecard.datasets.demo import generate
    from scorecard.explain import explain_table
    from scorecard.spec import load_spec

    spec = load_spec(HERE / "golden" / "demo_model.json")
    goldens = [record for record in map(load_record, CASES) if record.profile == DEMO.name]
    records = [*explain_table(spec, default_policy(), generate(800, 11)), *goldens]
    for lang in LANGS:
        builder = render._Builder(DEMO, lang, "md")
        builder.MEMO_LIMIT = -1  # nothing is reused: every context below is built afresh
        seen: dict[tuple[str, object], tuple] = {}
        for record in records:
            keys = builder.shared_section_keys(record)
            context = builder.context(record)
            for name in render.SHARED_SECTIONS:
                shown = tuple(getattr(context, field) for field in render.SECTIONS[name])
                assert seen.setdefault((name, keys[name]), shown) == shown, (name, record.applicant_id)
        assert len(seen) > 20  # the batch really has different outcomes and lesson lists


# --- what the page says, in order ---------------------------------------------------------------


def section_positions(page: str, lang: str) -> list[int]:
    words = yaml.safe_load((locales_dir() / f"{lang}.yaml").read_text(encoding="utf-8"))["sections"]
    order = ["outcome", "why", "actions", "financing", "cards", "not_mean", "rights", "about"]
    return [page.index(f"## {words[key]}\n") for key in order]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("case", CASES)
def test_sections_come_in_the_order_of_the_issue(case, lang):
    positions = section_positions(rendered(case, lang, "md"), lang)
    assert positions == sorted(positions)


@pytest.mark.parametrize("lang", LANGS)
def test_an_overlay_that_decided_is_said_first_in_why(lang):
    record = load_record("declined_overlay_special")
    ctx = page_context(record, DEMO, lang=lang, fmt="md")
    page = render_page(record, DEMO, lang=lang, fmt="md")
    title = ctx.t["rules"]["title"]
    assert page.index(title) < page.index(ctx.reasons[0].label)
    assert "575" in ctx.rules_notes[0].text and "560" in ctx.rules_notes[0].text  # before and after
    assert str(record.score) in ctx.rules_notes[0].text  # "your 574 points would have passed"


def test_reasons_state_own_value_better_range_points_and_cause_link():
    ctx = page_context(load_record("approved_middle_band"), DEMO, lang="en", fmt="md")
    first = ctx.reasons[0]
    assert first.label == "Late payments in the last 12 months"
    assert "Yours: 3 times." in first.text
    assert "Scores best: 0 times." in first.text  # "[None, 1)" with min_value 0
    assert "Even 1 times would score more." in first.text or "Even 1 time" in first.text
    assert "about 24 points" in first.text  # points_below_baseline 24.02, rounded
    assert "people who just reached the next limit band" in first.text  # approved: the next band's baseline
    assert [link.href for link in first.links] == ["../causes/overdue-history.md"]
    second = ctx.reasons[1]
    assert "Even 1–14 days would score more." in second.text  # "[1, 15)" for whole days


def test_special_and_missing_reasons_read_as_no_record():
    ctx = page_context(load_record("generic_profile_special_missing"), TINY, lang="en", fmt="md")
    by_factor = {r.label: r.text for r in ctx.reasons}
    assert by_factor["Debt-to-income ratio"].startswith("No income on record.")
    assert by_factor["Late payments"].startswith("There is no record of it.")
    assert "Scores best: A, B." in by_factor["City"]


def test_plans_show_targets_gains_waits_and_remedy_links():
    ctx = page_context(load_record("approved_middle_band"), DEMO, lang="en", fmt="md")
    step = ctx.plans[0].steps[0]
    assert step.change == "from 45 days to 0 days"
    assert step.gain == "+22 points"
    assert "about 180 days (about 6 months)" in step.timing
    assert [link.href for link in step.links] == ["../remedies/repair-record.md"]
    assert "626 points" in ctx.plans[0].summary


@pytest.mark.parametrize("lang", LANGS)
def test_infeasible_recourse_says_so_instead_of_inventing_a_plan(lang):
    ctx = page_context(load_record("infeasible"), DEMO, lang=lang, fmt="html")
    words = render.load_words(lang)
    assert ctx.plans == ()
    assert ctx.actions_intro == words.text("actions", "infeasible", target=words.text("units", "point_other", n=560))
    assert any(note.links and note.links[0].href.endswith("financing-channels.md") for note in ctx.action_notes)


@pytest.mark.parametrize("case", ["hard_identity", "retry_later"])
def test_unassessed_applications_get_no_score_bar_reasons_or_cards(case):
    ctx = page_context(load_record(case), DEMO, lang="zh", fmt="html")
    assert ctx.bar is None and ctx.reasons == () and ctx.cards == () and ctx.plans == ()
    assert ctx.hard_note is not None
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
    small_business = page_context(load_record("declined_score_plans"), DEMO, lang="en", fmt="md")
    slugs = [lesson.link.href.split("/")[-1] for lesson in small_business.lessons]
    assert slugs[:3] == ["financing-channels.md", "cash-flow-planning.md", "lender-relationships.md"]
    assert "debt-control.md" in slugs  # many platforms and high debt among its reasons
    healthy = page_context(load_record("approved_capped"), DEMO, lang="en", fmt="md")
    assert "financing-channels.md" not in [lesson.link.href.split("/")[-1] for lesson in healthy.lessons]


def test_every_factor_gets_one_card_with_every_field():
    record = load_record("declined_overlay_special")
    ctx = page_context(record, DEMO, lang="en", fmt="md")
    assert [card.factor for card in ctx.cards] == [line.factor for line in record.factors]
    for card in ctx.cards:
        assert all(getattr(card, f.name) for f in dataclasses.fields(card))
    by_factor = {card.factor: card for card in ctx.cards}
    assert by_factor["debt_to_income"].impact_level == "high"  # 23 points below its best
    assert by_factor["debt_to_income"].yours == "No usable income record, so the ratio cannot be computed"
    assert by_factor["identity_verified"].impact_level == "low"
    assert by_factor["age"].change_level == "fixed"
    assert by_factor["account_age_months"].change_level == "time"
    assert "1920 days" in by_factor["account_age_months"].change_line  # 8 -> 72 months, 30 days a month


def test_cards_of_another_profile_use_the_generic_wording():
    ctx = page_context(load_record("generic_profile_special_missing"), TINY, lang="en", fmt="md")
    age = next(card for card in ctx.cards if card.factor == "age")
    assert "Age at application" in age.why  # from the profile's meaning, not the demo wording
    city = next(card for card in ctx.cards if card.factor == "city")
    assert city.action == "Move toward A."


def test_page_context_fields_are_documented():
    doc = PageContext.__doc__ or ""
    for field in dataclasses.fields(PageContext):
        assert re.search(rf"^\s+{field.name}: \S", doc, re.M), f"PageContext.{field.name} is not documented"


# --- locales ------------------------------------------------------------------------------------


def locale(lang: str) -> dict:
    return yaml.safe_load((locales_dir() / f"{lang}.yaml").read_text(encoding="utf-8"))


def leaves(node, path=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from leaves(value, (*path, str(key)))
    else:
        yield path, node


def test_zh_and_en_have_the_same_keys_and_placeholders():
    zh, en = dict(leaves(locale("zh"))), dict(leaves(locale("en")))
    assert sorted(zh) == sorted(en)
    fields = string.Formatter()
    for key in zh:
        if key[-1].endswith("_gap"):  # spacing between sentences and labels: Chinese needs none
            assert zh[key].strip() == en[key].strip() == "", key
            continue
        assert isinstance(zh[key], str) and zh[key].strip() and isinstance(en[key], str) and en[key].strip(), key
        names = [{name for _, name, _, _ in fields.parse(text) if name} for text in (zh[key], en[key])]
        assert names[0] == names[1], f"{'.'.join(key)}: zh and en fill different placeholders"


@pytest.mark.parametrize("lang", LANGS)
def test_every_code_factor_and_page_used_has_wording(lang):
    words = render.load_words(lang)
    policy = default_policy()
    decisions = [APPROVED, DECLINED_SCORE, DECLINED_OVERLAY, *[rule.code for rule in policy.hard_rules]]
    for code in decisions:
        assert words.has("decisions", code), code
    for rule in policy.hard_rules:
        assert words.has("hard", rule.code, "why") and words.has("hard", rule.code, "step"), rule.code
    for kind in ("cannot_evaluate", "retry_later"):
        assert words.has("hard", f"generic_{kind}", "why") and words.has("decisions", f"generic_{kind}")
    for overlay in policy.overlays:
        assert words.has("rules", "codes", overlay.code), overlay.code
    for outcome in ("approved", "declined", "retry_later", "cannot_evaluate"):
        assert words.has("badge", outcome) and words.has("outcome", outcome)
    for kind in ("value", "special", "missing"):  # reason kinds
        assert words.has("why", kind)
    for baseline in (*BASELINES, "cutoff_average_band"):
        assert words.has("why", "who", baseline)
    for factor in DEMO.factors:
        assert words.has("factors", "demo", factor.name, "action") and words.has("factors", "demo", factor.name, "why")
    for level in ("high", "medium", "low"):
        assert words.has("cards", "impact", level) and words.has("cards", "impact_note", level)
    for helps in ("increase", "decrease", "toward_better_bins"):
        assert words.has("cards", "generic_action", helps)
    for slug in render.LESSONS:
        assert words.has("financing", "lessons", slug)


def used_pages() -> set[tuple[str, str]]:
    pages = {("causes", s) for f in DEMO.factors for s in f.cause_pages}
    pages |= {("remedies", s) for f in DEMO.factors for s in f.remedy_pages}
    pages |= {("causes", c) for c, _ in render.HARD_RULE_PAGES.values()}
    pages |= {("remedies", r) for _, r in render.HARD_RULE_PAGES.values()}
    pages |= {("causes", c) for c, _ in render.OVERLAY_PAGES.values()}
    pages |= {("remedies", r) for _, r in render.OVERLAY_PAGES.values()}
    pages |= {("rights" if key == "repair_agencies" else "remedies", s) for key, s in render.DONT_PAGES.items()}
    pages |= {("rights", s) for s in render.RIGHTS_PAGES.values()}
    pages |= {("lessons", s) for s in render.LESSONS}
    return pages


@pytest.mark.parametrize("lang", LANGS)
def test_every_linked_page_has_a_title_and_exists_in_the_knowledge_base(lang):
    words = render.load_words(lang)
    for section, slug in sorted(used_pages()):
        assert words.has("pages", section, slug), f"{lang}: no title for {section}/{slug}"
        name = f"{slug}.md" if lang == "zh" else f"{slug}.{lang}.md"
        assert (docs_dir() / section / name).exists(), f"{section}/{name} is linked but not in docs/"


def test_linked_page_titles_match_the_knowledge_base_headings():
    for lang in LANGS:
        words = render.load_words(lang)
        for section, slug in sorted(used_pages()):
            name = f"{slug}.md" if lang == "zh" else f"{slug}.{lang}.md"
            heading = (docs_dir() / section / name).read_text(encoding="utf-8").splitlines()[0]
            title = words.text("pages", section, slug)
            assert heading.startswith(f"# {title}"), f"{section}/{name}: '{heading}' vs '{title}'"


# --- readability --------------------------------------------------------------------------------
# Chinese: at most 60 units per sentence, a unit being one Han character or one run of Latin
# letters/digits (a code or number reads as one word). English: at most 30 words per sentence.
# Sentences end at 。！？；(zh) or . ! ? ; followed by a blank (en). Only prose is checked:
# headings, table rows and the code block of the text score bar are not sentences.

ZH_MAX, EN_MAX = 60, 30
JARGON = re.compile(r"\b(WoE|logit|PD|IV|AUC|KS|Gini)\b|weight of evidence|information value|probability of default|"
                    r"违约概率|证据权重|信息值", re.I)


def zh_units(sentence: str) -> int:
    return len(re.findall(r"[\u4e00-\u9fff]|[A-Za-z0-9_.,%+\-–/]+", sentence))


def sentences(text: str, lang: str) -> list[str]:
    pattern = r"(?<=[。！？；])" if lang == "zh" else r"(?<=[.!?;])\s+"
    return [s.strip() for s in re.split(pattern, text) if s.strip()]


def prose_of_markdown(page: str) -> list[str]:
    page = re.sub(r"```.*?```", "", page, flags=re.S)
    lines = []
    for line in page.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "|", "!!!")):
            continue
        line = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line)  # links: keep the title
        line = re.sub(r"^(\d+\.|-)\s+", "", line).replace("**", "")
        lines.append(html.unescape(re.sub(r"\\(.)", r"\1", line)))
    return lines


def too_long(text: str, lang: str) -> list[str]:
    out = []
    for s in sentences(text, lang):
        n = zh_units(s) if lang == "zh" else len(s.split())
        if n > (ZH_MAX if lang == "zh" else EN_MAX):
            out.append(f"{n}: {s}")
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_locale_sentences_are_short(lang):
    problems = []
    for path, text in leaves(locale(lang)):
        if path[0] == "meta" and path[-1] in ("html_lang", "list_separator", "colon"):
            continue
        filled = re.sub(r"\{[a-z_]+\}", "12" if lang == "zh" else "12 points", text)
        problems += [f"{'.'.join(path)}: {p}" for p in too_long(filled, lang)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("case", "lang"), [(c, lang) for c in CASES for lang in LANGS])
def test_rendered_pages_are_short_sentences_without_jargon(case, lang):
    page = rendered(case, lang, "md")
    problems = [p for line in prose_of_markdown(page) for p in too_long(line, lang)]
    assert not problems, "\n".join(problems)
    for fmt in FORMATS:
        found = JARGON.search(rendered(case, lang, fmt))
        assert found is None, f"jargon '{found.group()}' on a consumer page" if found else ""


# --- safety -------------------------------------------------------------------------------------

HOSTILE_ID = '<script>alert("x")</script> [click](http://evil.example) **b** _i_ `c` | # !!! &amp; <img src=x>'


def hostile_record() -> DecisionRecord:
    record = load_record("generic_profile_special_missing")
    city_line = next(line for line in record.factors if line.factor == "city")
    bad_line = replace(city_line, value='<img src=x onerror="alert(1)">')
    reasons = tuple(replace(r, value=bad_line.value, cause_pages=("x)](http://evil.example", "high-debt"))
                    if r.factor == "city" else r for r in record.reasons)
    return replace(record, applicant_id=HOSTILE_ID, factors=tuple(bad_line if line.factor == "city" else line
                                                                  for line in record.factors),
                   reasons=reasons, policy_version="</title><script>x()</script>", snapshot_date="2026-02-01\n# Heading")


@pytest.mark.parametrize("lang", LANGS)
def test_record_text_is_escaped_in_html(lang):
    page = render_page(hostile_record(), TINY, lang=lang, fmt="html")
    lowered = page.lower()
    assert "<script" not in lowered and "<img" not in lowered and "</title><" not in lowered
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert not re.search(r"<[a-z]+[^>]*\s(href|src)=", page)  # no link or resource at all, only escaped text
    assert "x)](" not in html.unescape(page)  # an invalid page slug is dropped, not printed as a site path


@pytest.mark.parametrize("lang", LANGS)
def test_record_text_renders_as_text_in_markdown(lang):
    page = render_page(hostile_record(), TINY, lang=lang, fmt="md")
    assert "<script" not in page and "<img" not in page
    out = markdown.markdown(page, extensions=MD_EXTENSIONS)
    assert "<script" not in out and "<img" not in out
    assert all(href.startswith("../") for href in re.findall(r'href="([^"]*)"', out))  # only site links
    assert out.count("<h1") == 1  # the newline in the date did not start a heading
    assert "<strong>b</strong>" not in out and "<em>i</em>" not in out and "<code>c</code>" not in out
    text = html.unescape(re.sub(r"<[^>]+>", "", out))
    assert '<script>alert("x")</script> [click](http://evil.example) **b** _i_ `c` | # !!! &amp; <img src=x>' in text
    assert "x)](http://evil.example" not in text  # an invalid slug is dropped, never a link


@pytest.mark.parametrize("fmt", FORMATS)
def test_only_rendered_partials_are_printed_unescaped_one_after_the_other(fmt):
    """``concat`` prints rendered partials without escaping; anything else is a template bug."""
    from scorecard.resources import templates_dir

    template = render._environment(fmt, str(templates_dir())).from_string("{{ blocks | concat }}")
    assert template.render(blocks=[Markup("<li>a</li>"), Markup("**b**")]) == "<li>a</li>**b**"
    with pytest.raises(RenderError, match="not a rendered partial"):
        template.render(blocks=[Markup("<li>a</li>"), "<script>"])


MD_TEXT = st.text(alphabet=st.sampled_from(list(string.printable.replace("\x0b", "").replace("\x0c", "")) +
                                           ["中", "文", "。", "–"]), max_size=40)


@settings(max_examples=300, deadline=None)
@given(MD_TEXT)
def test_escaped_text_renders_exactly_as_written(text):
    out = markdown.markdown("Value: " + escape_markdown(text), extensions=MD_EXTENSIONS)
    inner = re.fullmatch(r"<p>(.*)</p>", out, re.S)
    expected = " ".join(("Value: " + re.sub(r"[\r\n]+", " ", text)).split())
    if inner is None:  # nothing but blanks after the label
        assert expected == "Value:"
        return
    assert "<" not in inner.group(1).replace("&lt;", "")
    assert " ".join(html.unescape(inner.group(1)).split()) == expected


@settings(max_examples=200, deadline=None)
@given(MD_TEXT)
def test_escaped_text_cannot_start_a_block(text):
    out = markdown.markdown(escape_markdown(text), extensions=MD_EXTENSIONS)
    assert out == "" or re.fullmatch(r"<p>[^<]*</p>", out.replace("&lt;", "")), out


def test_standalone_html_makes_no_external_request():
    for case, lang in [(c, lang) for c in CASES for lang in LANGS]:
        page = rendered(case, lang, "html")
        assert "<script" not in page and not re.search(r"<[a-z]+[^>]*\s(href|src)=", page)
        assert "@import" not in page and "url(" not in page
        assert re.findall(r"https?://[^\s\"']+", page) == ["http://www.w3.org/2000/svg"] * page.count("<svg")
        assert "Content-Security-Policy" in page and "default-src 'none'" in page


def test_a_record_of_another_profile_or_factor_is_refused():
    record = load_record("approved_middle_band")
    with pytest.raises(RenderError, match="profile 'demo', not 'tiny'"):
        render_page(record, TINY, lang="en", fmt="md")
    stray = replace(record, factors=(replace(record.factors[0], factor="shoe_size"),))
    with pytest.raises(RenderError, match="shoe_size"):
        render_page(stray, DEMO, lang="en", fmt="html")


def test_unknown_format_or_language_is_one_clear_error(tmp_path):
    record = load_record("approved_middle_band")
    with pytest.raises(RenderError, match="use md or html"):
        render_page(record, DEMO, lang="en", fmt="pdf")
    with pytest.raises(RenderError, match="use zh or en"):
        render_page(record, DEMO, lang="fr", fmt="md")
    with pytest.raises(RenderError, match="zh, en or all"):
        write_pages([record], DEMO, tmp_path, fmt="md", lang="fr")


# --- writing pages ------------------------------------------------------------------------------


def test_write_pages_names_files_for_mkdocs_i18n_and_standalone_html(tmp_path):
    records = [load_record("approved_middle_band"), load_record("retry_later")]
    md = write_pages(records, DEMO, tmp_path / "md", fmt="md", lang="all")
    assert [p.name for p in md] == ["R-APPROVED-B3.md", "R-APPROVED-B3.en.md", "R-RETRY.md", "R-RETRY.en.md"]
    assert md[1].read_text(encoding="utf-8") == render_page(records[0], DEMO, lang="en", fmt="md")
    html_pages = write_pages(records, DEMO, tmp_path / "html", fmt="html", lang="zh")
    assert [p.name for p in html_pages] == ["R-APPROVED-B3.zh.html", "R-RETRY.zh.html"]
    assert page_name("x", lang="en", fmt="html") == "x.en.html"


def test_write_pages_stems_match_the_json_records_and_never_collide(tmp_path):
    from scorecard.workflows import safe_file_stem

    base = load_record("approved_middle_band")
    records = [replace(base, applicant_id=i) for i in ("abc", "ABC", "../etc/passwd", HOSTILE_ID)]
    paths = write_pages(records, DEMO, tmp_path, fmt="html", lang="en")
    assert len({p.name.lower() for p in paths}) == 4
    assert all(p.parent == tmp_path for p in paths)
    assert paths[0].name == f"{safe_file_stem('abc')}.en.html"
    assert paths[1].name == f"{safe_file_stem('ABC' + chr(0))}.en.html"  # the JSON records' collision rule


@pytest.mark.parametrize(("case", "lang"), [(c, lang) for c in CASES for lang in LANGS])
def test_markdown_pages_convert_cleanly_with_the_site_extensions(case, lang):
    out = markdown.markdown(rendered(case, lang, "md"), extensions=MD_EXTENSIONS)
    record = load_record(case)
    assert out.count("<h1") == 1
    assert out.count("<h2") == 8 + (len(record.history) > 1)  # every section, history only when there is one
    assert out.count('<div class="admonition ') == 1 + sum(o.changed_outcome for o in record.overlays)
    assert out.count("<pre") == (record.score is not None)  # the text score bar
    text = html.unescape(re.sub(r"<[^>]+>", "", out))
    assert "\\" not in text and "&#" not in text  # every escape was understood, none shows
    links = re.findall(r'href="([^"#]+)"', out)
    assert links and all(re.fullmatch(r"\.\./(causes|remedies|lessons|rights)/[a-z0-9-]+\.md", href) for href in links)


# --- bin labels in words ------------------------------------------------------------------------


@pytest.mark.parametrize("label, bounds", [
    ("0–2", (0, 3)), ("3", (3, 4)), ("≤ 2", (None, 3)), ("≥ 5", (5, None)), ("< 0.3", (None, 0.3)),
    ("[0.3, 0.5)", (0.3, 0.5)), ("[-inf, 0.3)", (None, 0.3)), ("-1–0", (-1, 1)),
])
def test_range_labels_of_the_binning_read_back_as_bounds(label, bounds):
    assert render.range_bounds(label) == bounds


@pytest.mark.parametrize("label", ["Missing", "A11, A12", "all values", "x–y"])
def test_labels_that_are_not_ranges_are_left_alone(label):
    assert render.range_bounds(label) is None


def test_bin_labels_in_words_use_units_and_english_singular_only_for_one():
    profile = load_profile("demo")
    overdue = next(f for f in profile.factors if f.name == "overdue_count_12m")
    income = next(f for f in profile.factors if f.name == "income_proof")
    en = render._builder(profile, "en", "md").say
    zh = render._builder(profile, "zh", "md").say
    assert en.bin(overdue, "1") == "1 time"
    assert en.bin(overdue, "0–1") == "0–1 times"
    assert en.bin(overdue, "≥ 3") == "3 times or more"
    assert zh.bin(overdue, "1") == "1 次"
    assert en.bin(income, "1") == "Yes" and en.bin(income, "0") == "No"
    assert zh.bin(income, "1") == "是"


def test_category_codes_read_as_the_profiles_words():
    """German credit's UCI codes ("A41") read as words on pages; codes without words stay as they are."""
    german = load_profile("german")
    purpose = german.factor("purpose")
    en = render._builder(german, "en", "md").say
    zh = render._builder(german, "zh", "html").say
    assert en.bin(purpose, "A41, A48", "categories") == "car (used), retraining"
    assert zh.bin(purpose, "A41, A48", "categories") == "二手车、再培训"
    assert en.value(purpose, "A49") == "business" and zh.value(purpose, "A49") == "生意"
    assert en.bin(purpose, "A41, X9", "categories") == "car (used), X9"
    assert render.bin_in_words(german, purpose, "A40", "categories", "en") == "car (new)"


def test_numeric_category_codes_read_as_words_once_each():
    heloc = load_profile("heloc")
    ever = heloc.factor("MaxDelqEver")
    en = render._builder(heloc, "en", "md").say
    assert en.value(ever, 8) == en.value(ever, 8.0) == "current and never delinquent"  # codes are numbers in the data
    assert en.bin(ever, "6, 7", "categories") == "30 days late, unknown delinquency"
    recent = heloc.factor("MaxDelq2PublicRecLast12M")
    assert en.bin(recent, "5, 6, 7", "categories") == "unknown delinquency, current and never delinquent"
