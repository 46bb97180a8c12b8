"""Explanation pages against their reviewed golden files, and what every page holds to: no
template syntax left, the same text whatever was rendered before or whatever the cache kept."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from scorecard.pages import PageRenderer, render_page
from scorecard.policy import APPROVED, DECLINED_OVERLAY, DECLINED_SCORE, load_policy
from scorecard.records import record_from_dict

from _page_cases import (ALL_PAGES, CASES, DEMO, FORMATS, GOLDEN, LANGS, PAGES, REGEN, TESTS, load_record, profile_of,
                         rendered)


def assert_golden(page: str, path: Path) -> None:
    """``page`` is its reviewed golden file (written instead with SCORECARD_REGEN_GOLDEN=1)."""
    if REGEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page, encoding="utf-8", newline="\n")
    assert path.exists(), f"no golden page {path.name}; run with SCORECARD_REGEN_GOLDEN=1 and review it"
    assert page == path.read_text(encoding="utf-8"), f"{path.name} changed; regenerate on purpose and review the diff"


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
    assert_golden(rendered(case, lang, fmt), PAGES / f"{case}.{lang}.{fmt}")


PERSONA_RECORDS = TESTS / "golden" / "personas"  # the demo personas' records under the demo model
PERSONA_PAGES = GOLDEN / "personas"
PERSONAS = sorted(p.stem for p in PERSONA_RECORDS.glob("*.json"))
DEMO_POLICY = load_policy("demo")


def persona_record(persona: str):
    return record_from_dict(json.loads((PERSONA_RECORDS / f"{persona}.json").read_text(encoding="utf-8")))


@pytest.mark.parametrize(("persona", "lang", "fmt"), [(p, lang, fmt) for p in PERSONAS for lang in LANGS for fmt in FORMATS])
def test_persona_page_matches_its_golden_file(persona, lang, fmt):
    """The demo personas' explanation pages, in both languages, under the demo policy: what the site
    and the quick start show."""
    assert_golden(render_page(persona_record(persona), DEMO, lang=lang, fmt=fmt, policy=DEMO_POLICY),
                  PERSONA_PAGES / f"{persona}.{lang}.{fmt}")


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
    fresh: dict[tuple[str, str, str], PageRenderer] = {}
    again = []
    for case, lang, fmt in reversed(ALL_PAGES):
        record = load_record(case)
        profile = profile_of(record)
        chosen = fresh.setdefault((profile.name, lang, fmt), PageRenderer(profile, lang, fmt))
        again.append(chosen.render(record))
    assert again[::-1] == first
