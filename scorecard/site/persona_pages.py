"""The demo personas' pages of the site: an index and one page per persona, the explanation of its
latest snapshot after its story. Pure: personas and their records in, ``SiteFile`` s out."""

from __future__ import annotations

from typing import Any, Iterable

from scorecard.datasets.personas import Persona
from scorecard.errors import SiteError
from scorecard.pages.words import site_words
from scorecard.profile import Profile
from scorecard.records import DecisionRecord
from scorecard.site.rendering import SiteFile, page_path, render_persona_page, render_site_page, site_link


def _kb_link(section: str, slug: str, titles: dict[tuple[str, str, str], str], lang: str) -> dict[str, Any]:
    return {"title": titles.get((section, slug, lang), slug), "href": site_link(f"../{section}/{slug}.md")}


def persona_pages(personas: Iterable[Persona], records: dict[str, DecisionRecord], profile: Profile, lang: str,
                  titles: dict[tuple[str, str, str], str]) -> list[SiteFile]:
    """``personas/index`` and one page per persona (the explanation of its latest snapshot)."""
    words = site_words(lang)
    outcome_words = words["personas"]["outcomes"]
    rows, pages = [], []
    for persona in personas:
        record = records.get(persona.applicant_id)
        if record is None:
            raise SiteError(f"persona '{persona.slug}' ({persona.applicant_id}) was not explained; check its snapshot values")
        view = {
            "title": persona.title.get(lang),
            "story": persona.story.get(lang),
            "scenarios": [_kb_link("scenarios", s, titles, lang) for s in persona.scenarios],
            "causes": [_kb_link("causes", s, titles, lang) for s in persona.causes],
            "lessons": [_kb_link("lessons", s, titles, lang) for s in persona.lessons],
        }
        pages.append(SiteFile(page_path(f"personas/{persona.slug}", lang),
                              render_persona_page(record, profile, lang=lang, persona=view)))
        rows.append({"title": persona.title.get(lang), "href": site_link(f"{persona.slug}.md"),
                     "outcome": outcome_words[record.outcome],
                     "score": "–" if record.score is None else str(record.score),
                     "causes": [_kb_link("causes", s, titles, lang) for s in persona.causes]})
    pages.insert(0, SiteFile(page_path("personas/index", lang), render_site_page("personas_index", lang=lang, rows=rows)))
    return pages


