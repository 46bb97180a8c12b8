"""The demo personas' pages of the site: an index and one page per persona, the explanation of its
latest snapshot after its story. Pure: personas and their records in, ``SiteFile`` s out."""

from __future__ import annotations

from typing import Any, Iterable

from scorecard.datasets.personas import Persona
from scorecard.errors import SiteError
from scorecard.pages.words import site_words
from scorecard.policy import Policy
from scorecard.profile import Profile
from scorecard.records import DecisionRecord
from scorecard.site.rendering import SiteFile, page_path, render_persona_page, render_site_page, site_link


def _kb_links(section: str, slugs: Iterable[str], titles: dict[tuple[str, str, str], str],
              lang: str) -> list[dict[str, Any]]:
    """Links to the knowledge-base pages the site has (``titles``: its pages), in order."""
    return [{"title": titles[(section, slug, lang)], "href": site_link(f"../{section}/{slug}.md")}
            for slug in slugs if (section, slug, lang) in titles]


def persona_pages(personas: Iterable[Persona], records: dict[str, DecisionRecord], profile: Profile, lang: str,
                  titles: dict[tuple[str, str, str], str], *, ids: dict[str, str] | None = None,
                  policy: Policy | None = None, demo: bool = True) -> list[SiteFile]:
    """``personas/index`` and one page per persona (the explanation of its latest snapshot).
    ``ids``: each persona's applicant id (default: its ``applicant_id``); ``policy``: the one its
    records were decided under (currency, jurisdiction, rule descriptions); ``demo``: the personas
    are the bundled demo's (else the index introduces them by their number)."""
    words = site_words(lang)
    outcome_words = words["personas"]["outcomes"]
    rows, pages = [], []
    for persona in personas:
        applicant = ids[persona.slug] if ids is not None else persona.applicant_id
        record = records.get(applicant)
        if record is None:
            raise SiteError(f"persona '{persona.slug}' ({applicant}) was not explained; check its snapshot values")
        view = {
            "title": persona.title.get(lang),
            "story": persona.story.get(lang),
            "scenarios": _kb_links("scenarios", persona.scenarios, titles, lang),
            "causes": _kb_links("causes", persona.causes, titles, lang),
            "lessons": _kb_links("lessons", persona.lessons, titles, lang),
        }
        pages.append(SiteFile(page_path(f"personas/{persona.slug}", lang),
                              render_persona_page(record, profile, lang=lang, policy=policy, persona=view)))
        rows.append({"title": persona.title.get(lang), "href": site_link(f"{persona.slug}.md"),
                     "outcome": outcome_words[record.outcome],
                     "score": "–" if record.score is None else str(record.score),
                     "causes": _kb_links("causes", persona.causes, titles, lang)})
    pages.insert(0, SiteFile(page_path("personas/index", lang), render_site_page(
        "personas_index", lang=lang, rows=rows,
        intro=words["personas"]["intro"] if demo else words["anymodel"]["personas_intro"].format(n=len(rows)))))
    return pages


