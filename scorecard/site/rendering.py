"""The site's templates (``templates/site/``): Markdown pages, SVG charts and the 404 page, rendered
with the page package's Jinja environments, and the links generated pages may print."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from scorecard.errors import RenderError
from scorecard.languages import page_languages
from scorecard.pages import templating
from scorecard.pages.builder import render_in_site
from scorecard.pages.words import site_words
from scorecard.policy import Policy
from scorecard.profile import Profile
from scorecard.records import DecisionRecord

SITE_TEMPLATES = "site"
_SITE_LINK = re.compile(r"^(?:\.\./)*(?:[a-z0-9_-]+/)*[A-Za-z0-9_-]+\.(?:md|svg)$")


@dataclass(frozen=True)
class SiteFile:
    """One generated file: ``path`` relative to the docs root, with forward slashes."""

    path: str
    text: str


def page_path(stem: str, lang: str) -> str:
    """``stem.md`` for the default language, ``stem.<lang>.md`` otherwise (mkdocs-static-i18n)."""
    return f"{stem}{page_languages().suffix(lang)}.md"


def site_link(path: str) -> Markup:
    """A relative link between generated pages, printed as it is. Only paths made of slugs and
    factor names pass, so nothing from the input can turn into a URL."""
    if not _SITE_LINK.match(path):
        raise RenderError(f"'{path}' is not a site link the pages may print")
    return Markup(path)


def render_site_page(name: str, *, lang: str, **context: Any) -> str:
    """``templates/site/<name>.md.j2`` in the Markdown environment: every printed value passes
    through ``escape_markdown`` unless it is ``Markup`` (see :func:`site_link`)."""
    return templating.template("md", f"{SITE_TEMPLATES}/{name}.md.j2").render(t=site_words(lang), lang=lang, **context)


def render_site_svg(name: str, **context: Any) -> str:
    """``templates/site/<name>.svg.j2`` with HTML (XML) autoescaping."""
    return templating.template("html", f"{SITE_TEMPLATES}/{name}.svg.j2").render(**context)


def render_not_found() -> str:
    """The site's 404 page (a MkDocs theme override, ``templates/site/not_found.html.j2``) in every
    page language, with HTML autoescaping."""
    languages = page_languages()
    return templating.template("html", f"{SITE_TEMPLATES}/not_found.html.j2").render(languages=[
        {"code": code, "t": site_words(code), "home": "index.html" if code == languages.default else f"{code}/index.html"}
        for code in languages.codes])


def render_persona_page(record: DecisionRecord, profile: Profile, *, lang: str, policy: Policy | None = None,
                        **context: Any) -> str:
    """A persona's explanation page for the site: the persona's story, then the same sections as
    every Markdown explanation page (``explain/_partials/body.md.j2``), under ``policy``'s context."""
    template = templating.template("md", f"{SITE_TEMPLATES}/persona.md.j2")
    return render_in_site(record, profile, template, lang=lang, policy=policy, t=site_words(lang), **context)
