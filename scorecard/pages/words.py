"""Locale wording: ``templates/locales/<lang>.yaml`` (explanation pages) and ``site.<lang>.yaml``
(generated site pages), read once per file. Every sentence a reader sees lives there; the page
languages themselves are configuration (``scorecard.languages``)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import yaml

from scorecard import resources
from scorecard.errors import RenderError, ScorecardError
from scorecard.languages import page_languages


# A blank between two Chinese characters or Chinese punctuation marks.
_CJK = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
_CJK_BLANK = re.compile(f"(?<=[{_CJK}]) (?=[{_CJK}])")


class Words:
    """One language's wording (a nested mapping read from ``locales/<lang>.yaml``)."""

    def __init__(self, lang: str, data: dict[str, Any], source: str) -> None:
        self.lang = lang
        self.data = data
        self.source = source
        # Between the sentences of one text: a blank in English, nothing in Chinese (the locale says).
        self.joiner = self.text("meta", "sentence_gap")
        # Chinese sets no blank between two characters: a value that ends or starts in Chinese
        # ("575 分", "否") loses the blank the template keeps for digits ("575 分是", not "575 分 是").
        self.tight = self.has("meta", "tight_cjk") and self.get("meta", "tight_cjk") == "yes"

    def has(self, *path: str) -> bool:
        node: Any = self.data
        for key in path:
            if not isinstance(node, dict) or key not in node:
                return False
            node = node[key]
        return True

    def get(self, *path: str) -> Any:
        node: Any = self.data
        for key in path:
            if not isinstance(node, dict) or key not in node:
                raise RenderError(f"{self.source}: no wording for '{'.'.join(path)}'; add it to every locale file")
            node = node[key]
        return node

    def text(self, *path: str, **fields: Any) -> str:
        template = self.get(*path)
        if not isinstance(template, str):
            raise RenderError(f"{self.source}: '{'.'.join(path)}' must be a sentence, not a {type(template).__name__}")
        if not fields:
            return template
        text = template.format(**fields)
        return _CJK_BLANK.sub("", text) if self.tight else text

    def join(self, sentences: Iterable[str]) -> str:
        return self.joiner.join(s for s in sentences if s)


def check_language(lang: str) -> str:
    """``lang`` when it is a configured page language; else one clear error."""
    try:
        page_languages().get(lang)
    except ScorecardError as exc:
        raise RenderError(str(exc)) from None
    return lang


@lru_cache(maxsize=16)
def _read_wording(path: str, what: str) -> dict[str, Any]:
    """A locale file as a mapping; ``what`` ("page wording", "site wording") names it in errors."""
    file = Path(path)
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise RenderError(f"{file}: cannot read the {what} ({exc.__class__.__name__}); reinstall the package") from exc
    if not isinstance(data, dict):
        raise RenderError(f"{file}: the {what} must be a YAML mapping")
    return data


@lru_cache(maxsize=16)
def _load_words(path: str, lang: str) -> Words:
    return Words(lang, _read_wording(path, "page wording"), path)


def load_words(lang: str) -> Words:
    """The wording of one page language (``locales/<lang>.yaml``)."""
    return _load_words(str(resources.locales_dir() / f"{check_language(lang)}.yaml"), lang)


def site_words(lang: str) -> dict[str, Any]:
    """The wording of the generated site pages in one language (``locales/site.<lang>.yaml``)."""
    return _read_wording(str(resources.locales_dir() / f"site.{check_language(lang)}.yaml"), "site wording")


KB_SECTIONS = ("causes", "scenarios", "remedies", "lessons", "rights")


def knowledge_base(jurisdiction: str) -> Path:
    """The hand-written knowledge base of a jurisdiction: ``docs/`` for mainland China (``cn``),
    ``templates/kb/<jurisdiction>/`` for the others."""
    return resources.docs_dir() if jurisdiction == "cn" else resources.templates_dir() / "kb" / jurisdiction


def kb_pages(jurisdiction: str) -> frozenset[tuple[str, str]] | None:
    """The (section, slug) pages a jurisdiction's knowledge base has; None for ``cn``, whose
    knowledge base is the whole ``docs/`` tree every page may link to."""
    return None if jurisdiction == "cn" else _kb_pages(str(knowledge_base(jurisdiction)))


@lru_cache(maxsize=8)
def _kb_pages(folder: str) -> frozenset[tuple[str, str]]:
    root = Path(folder)
    if not root.is_dir():
        raise RenderError(f"{root}: the knowledge base of this jurisdiction is missing; reinstall the package")
    return frozenset((section, path.name.split(".")[0]) for section in KB_SECTIONS
                     for path in (root / section).glob("*.md"))
