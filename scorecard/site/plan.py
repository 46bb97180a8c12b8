"""The plan of the site, pure: every generated file, in a fixed order, and the MkDocs settings that
build them (navigation, languages).

Generated, in every page language (``<page>.md`` for the default language, ``<page>.<lang>.md``
for the others, the suffix structure of mkdocs-static-i18n):

- ``model/``: the model's pages and each factor's chart (``site.model_pages``);
- ``personas/``: the personas that fit the model (the demo's, or a personas file's), each an
  explanation page of its latest snapshot (``site.persona_pages``); none when none fit.

Only personas' pages are part of the site: real applicants' pages go where ``scorecard explain``
writes them.
"""

from __future__ import annotations

import copy
from typing import Any, Iterable

from scorecard.datasets.personas import Persona
from scorecard.errors import SiteError
from scorecard.languages import page_languages
from scorecard.pages.words import site_words
from scorecard.policy import Policy
from scorecard.records import DecisionRecord
from scorecard.site.calculator import PAGE as CALCULATOR_PAGE
from scorecard.site.calculator import calculator_files
from scorecard.site.model_pages import chart_files, model_pages
from scorecard.site.persona_pages import persona_pages
from scorecard.site.rendering import SiteFile, render_not_found
from scorecard.spec import ScorecardSpec

I18N = "i18n"  # mkdocs-static-i18n's plugin name in mkdocs.yml


def plan_site(spec: ScorecardSpec, policy: Policy, personas: Iterable[Persona], records: Iterable[DecisionRecord],
              titles: dict[tuple[str, str, str], str], ids: dict[str, str] | None = None, *,
              demo_personas: bool = True) -> list[SiteFile]:
    """Every generated file of the site, in a fixed order. ``ids``: each persona's applicant id
    (default: its latest snapshot's ``applicant_id``, the demo personas' id column);
    ``demo_personas``: the personas are the bundled demo's, not a file of the user's."""
    by_id = {r.applicant_id: r for r in records}
    personas = tuple(personas)
    ids = ids if ids is not None else {p.slug: p.applicant_id for p in personas}
    files: list[SiteFile] = []
    for lang in page_languages().codes:
        files += model_pages(spec, policy, lang, personas=bool(personas))
        if personas:
            files += persona_pages(personas, by_id, spec.profile, lang, titles, ids=ids, policy=policy,
                                   demo=demo_personas)
        files += chart_files(spec, lang)
    files += calculator_files(spec, policy)
    return files


def theme_overrides() -> list[SiteFile]:
    """Theme templates the site replaces, ``path`` relative to the overrides folder: the 404 page,
    in every language (Material's own says "404 - Not found" in the last-built language only)."""
    return [SiteFile("404.html", render_not_found())]


def site_nav(base_nav: list[Any], spec: ScorecardSpec, personas: Iterable[Persona]) -> list[Any]:
    """The configured navigation with the generated sections (personas, the model) before the data
    section; their titles are the default language's (``site.<lang>.yaml``, ``nav_sections``)."""
    titles = site_words(page_languages().default)["nav_sections"]
    personas = tuple(personas)
    persona_section = [{titles["personas"]: ["personas/index.md", *(f"personas/{p.slug}.md" for p in personas)]}
                       ] if personas else []
    model_section = {titles["model"]: ["model/index.md", "model/scorecard.md", "model/metrics.md", "model/policy.md",
                                       "model/data.md",
                                       {titles["factors"]: [f"model/factors/{f.name}.md" for f in spec.profile.factors]}]}
    calculator = {_calculator_title(page_languages().default): f"{CALCULATOR_PAGE}.md"}
    generated = {titles["personas"], titles["model"], *calculator}
    nav = [item for item in base_nav if not (isinstance(item, dict) and (generated & set(item)))]
    at = next((i for i, item in enumerate(nav) if isinstance(item, dict) and titles["before"] in item), len(nav))
    return nav[:at] + [calculator] + persona_section + [model_section] + nav[at:]


def _calculator_title(lang: str) -> str:
    return site_words(lang)["calculator"]["title"]


def site_settings(settings: dict[str, Any], spec: ScorecardSpec, personas: Iterable[Persona], *,
                  is_demo: bool = True) -> dict[str, Any]:
    """The package's MkDocs settings for this site: the navigation with the generated sections, and
    in each language of mkdocs-static-i18n their translated titles. The i18n languages must be the
    page languages (``templates/languages.yaml``), the default first. A site of another model than
    the demo's does not say it is trained on synthetic data (``copyright``)."""
    settings = copy.deepcopy(settings)
    languages = page_languages()
    plugin = next((p[I18N] for p in settings.get("plugins", []) if isinstance(p, dict) and I18N in p), None)
    listed = [item.get("locale") for item in (plugin or {}).get("languages", [])]
    default = [item.get("locale") for item in (plugin or {}).get("languages", []) if item.get("default")]
    if sorted(listed) != sorted(languages.codes) or default != [languages.default]:
        raise SiteError(f"mkdocs.yml: the i18n plugin's languages ({', '.join(map(str, listed)) or 'none'}) must be the "
                        f"page languages of {languages.source} ({', '.join(languages.codes)}), with "
                        f"{languages.default} the default; add or remove them in one of the two")
    settings["nav"] = site_nav(settings["nav"], spec, personas)
    default_titles = site_words(languages.default)["nav_sections"]
    if not is_demo:
        settings["copyright"] = site_words(languages.default)["anymodel"]["copyright"]
    for item in plugin["languages"]:  # type: ignore[index]
        if item["locale"] != languages.default:
            if not is_demo:
                item["copyright"] = site_words(item["locale"])["anymodel"]["copyright"]
            own = site_words(item["locale"])["nav_sections"]
            item["nav_translations"] = {**(item.get("nav_translations") or {}),
                                        **{default_titles[key]: own[key] for key in ("personas", "model", "factors")},
                                        _calculator_title(languages.default): _calculator_title(item["locale"])}
    return settings
