"""The locale files: every language has the same keys and placeholders, every code, factor and
page the pages use has wording, linked pages exist with the titles the pages give them, and the
sentences are short and free of jargon."""

from __future__ import annotations

import html
import re
import string

import pytest
import yaml

from scorecard.languages import page_languages
from scorecard.pages import editorial
from scorecard.pages.words import load_words
from scorecard.policy import APPROVED, DECLINED_OVERLAY, DECLINED_SCORE, default_policy
from scorecard.reasons import BASELINES
from scorecard.resources import docs_dir, locales_dir

from _page_cases import CASES, DEMO, FORMATS, LANGS, rendered


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
    words = load_words(lang)
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
    for slug in editorial.LESSONS:
        assert words.has("financing", "lessons", slug)


def used_pages() -> set[tuple[str, str]]:
    pages = {("causes", s) for f in DEMO.factors for s in f.cause_pages}
    pages |= {("remedies", s) for f in DEMO.factors for s in f.remedy_pages}
    pages |= {("causes", c) for c, _ in editorial.HARD_RULE_PAGES.values()}
    pages |= {("remedies", r) for _, r in editorial.HARD_RULE_PAGES.values()}
    pages |= {("causes", c) for c, _ in editorial.OVERLAY_PAGES.values()}
    pages |= {("remedies", r) for _, r in editorial.OVERLAY_PAGES.values()}
    pages |= {("rights" if key == "repair_agencies" else "remedies", s) for key, s in editorial.DONT_PAGES.items()}
    pages |= {("rights", s) for s in editorial.RIGHTS_PAGES.values()}
    pages |= {("lessons", s) for s in editorial.LESSONS}
    return pages


@pytest.mark.parametrize("lang", LANGS)
def test_every_linked_page_has_a_title_and_exists_in_the_knowledge_base(lang):
    words = load_words(lang)
    for section, slug in sorted(used_pages()):
        assert words.has("pages", section, slug), f"{lang}: no title for {section}/{slug}"
        name = f"{slug}{page_languages().suffix(lang)}.md"
        assert (docs_dir() / section / name).exists(), f"{section}/{name} is linked but not in docs/"


def test_linked_page_titles_match_the_knowledge_base_headings():
    for lang in LANGS:
        words = load_words(lang)
        for section, slug in sorted(used_pages()):
            name = f"{slug}{page_languages().suffix(lang)}.md"
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
