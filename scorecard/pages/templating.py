"""Jinja setup and Markdown escaping: the only jinja2 import of the package.

Two environments per templates folder, both with ``StrictUndefined`` (a typo in a template fails a
test instead of printing nothing), ``autoescape`` and only the filters registered here (no
globals: templates print what Python hands them):

``html``
    HTML and SVG, escaped as HTML/XML. The standalone explanation page is one file for one person:
    inline CSS, inline SVG, no script, no external request (a Content-Security-Policy forbids them).
``md``
    Markdown for the MkDocs site (Material admonitions, no raw HTML). Every printed expression passes
    through :func:`escape_markdown` (``finalize``), unless Python built it as ``Markup`` from trusted
    pieces only (locale wording, rendered partials, checked site links, the text score bar).

Partials: ``{{ view | partial("card") }}`` prints ``explain/_partials/card.<fmt>.j2`` rendered with
``v`` (the view), ``t`` (the wording) and ``n``; ``each`` prints one per item, ``numbered`` numbers them
1, 2, ... The page cache of the render (``pages.cache.PageCache``, the template variable ``pages``)
renders each distinct part once per batch.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Iterable

import jinja2
from markupsafe import Markup

from scorecard import resources
from scorecard.errors import RenderError

FORMATS: tuple[str, ...] = ("md", "html")

# Inline syntax (emphasis, code, links, attribute lists, table cells): escaped everywhere with a
# backslash, which Python-Markdown honours for these characters. Block syntax (headings, lists,
# quotes, admonitions, fences, definitions) only starts a line, so only a value's first
# character needs it; newlines are folded so a value never starts a line of its own.
_MD_INLINE = re.compile(r"([\\`*_{}\[\]|])")
_MD_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_MD_ENTITY = re.compile(r"[&<>]")
_NEWLINES = re.compile(r"[\r\n\u2028\u2029\v\f]+")
_MD_SPECIAL = re.compile(r"[\\`*_{}\[\]|&<>\r\n\u2028\u2029\v\f]|^[\s#+\-!:=~]|^\d+\.\s")
_MD_LEAD_BACKSLASH = frozenset("#+-!")
_MD_LEAD_ENTITY = frozenset(":=~")
_MD_ORDERED = re.compile(r"^(\d+)\.(?=\s)")  # an ordered list needs a blank after the dot


def escape_markdown(text: str) -> str:
    """Text that Python-Markdown shows exactly as written: no emphasis, link, HTML, list, heading,
    admonition, fence, table-cell break or attribute list can come out of it, and it stays on
    one line."""
    if not _MD_SPECIAL.search(text):
        return text
    text = _NEWLINES.sub(" ", text)
    text = _MD_ENTITY.sub(lambda m: _MD_ENTITIES[m.group()], text)
    text = _MD_INLINE.sub(r"\\\1", text)
    lead = len(text) - len(text.lstrip())
    if lead:  # leading blanks would make an indented code block
        text = "&#32;" * lead + text[lead:]
    first = text[:1]
    if first in _MD_LEAD_BACKSLASH:
        return "\\" + text
    if first in _MD_LEAD_ENTITY:
        return f"&#{ord(first)};" + text[1:]
    return _MD_ORDERED.sub(r"\1\\.", text, count=1)


def trusted(node: Any) -> Any:
    """Locale wording as ``Markup`` (recursively): it is part of the product, like the templates,
    so Markdown prints it as written (escaping it would only add backslashes)."""
    if isinstance(node, dict):
        return {k: trusted(v) for k, v in node.items()}
    if isinstance(node, list):
        return [trusted(v) for v in node]
    return Markup(node) if isinstance(node, str) else node


def _finalize_md(value: Any) -> Any:
    # The Markdown environment autoescapes too, so macro output stays Markup; this finalize does
    # the escaping (Markdown's, not HTML's) and returns Markup so that HTML escaping is skipped.
    if isinstance(value, Markup):
        return value
    if value is None:
        raise RenderError("a page template printed a missing value; this is a bug in the templates")
    return Markup(escape_markdown(value if isinstance(value, str) else str(value)))


def _finalize_html(value: Any) -> Any:
    if value is None:
        raise RenderError("a page template printed a missing value; this is a bug in the templates")
    return value


def _svg_number(value: float) -> str:
    """Coordinates with at most one decimal, so SVG output is short and deterministic."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _fill(sentence: str, **fields: Any) -> str:
    """A locale sentence with its ``{placeholders}`` filled in (the site templates' only formatter)."""
    return sentence.format(**fields)


@jinja2.pass_context
def _partial(context: jinja2.runtime.Context, view: Any, name: str) -> Markup:
    return context["pages"].partial(name, view)


@jinja2.pass_context
def _each(context: jinja2.runtime.Context, views: Iterable[Any], name: str) -> Markup:
    return context["pages"].each(name, views)


@jinja2.pass_context
def _numbered(context: jinja2.runtime.Context, views: Iterable[Any], name: str) -> Markup:
    return context["pages"].each(name, views, numbered=True)


@lru_cache(maxsize=8)
def environment(fmt: str, folder: str) -> jinja2.Environment:
    """The Jinja environment of one format over the templates in ``folder``."""
    if fmt not in FORMATS:
        raise RenderError(f"unknown page format '{fmt}'; use md or html")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        finalize=_finalize_html if fmt == "html" else _finalize_md,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters.clear()  # only the filters registered here, so templates cannot format on their own
    # No globals either (range, dict, ...): templates print what Python hands them. It also
    # makes each render and macro import cheaper, which a batch of 10^5 pages feels.
    env.globals.clear()
    env.filters.update({"n": _svg_number, "join": jinja2.filters.do_join, "length": len, "fill": _fill,
                        "partial": _partial, "each": _each, "numbered": _numbered})
    return env


def template(fmt: str, path: str) -> jinja2.Template:
    """``templates/<path>`` in the environment of ``fmt`` ("md": Markdown escaping, "html": HTML/XML)."""
    return environment(fmt, str(resources.templates_dir())).get_template(path)
