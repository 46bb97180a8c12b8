"""The page languages and their rules, read from ``templates/languages.yaml``.

Nothing in the package names a language: the list, which one is the default, how a count unit
becomes singular and which script marks an untagged text all come from that file, and the wording
from the locale files beside it. ``resources`` finds the file (``SCORECARD_RESOURCES`` may point
at another copy), so a new language is files only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from scorecard import resources
from scorecard.errors import ScorecardError

CODE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]+)?$")


@dataclass(frozen=True)
class Language:
    code: str
    script: re.Pattern[str] | None = None  # an untagged text holding one of these characters is in this language
    singular_unit: tuple[re.Pattern[str], str] | None = None  # (pattern, replacement): a count unit for the number 1

    def unit_for_one(self, unit: str) -> str:
        """``unit`` as written after the number 1 ("times" -> "time" in English)."""
        if self.singular_unit is None:
            return unit
        pattern, replacement = self.singular_unit
        return pattern.sub(replacement, unit) if pattern.fullmatch(unit) else unit


@dataclass(frozen=True)
class Languages:
    """The configured page languages, the default first."""

    languages: tuple[Language, ...]
    written_in: tuple[str, ...]  # profiles, policies and personas are written in these
    text_fallback: str  # what a text shows in a page language it is not written in
    source: str

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(lang.code for lang in self.languages)

    @property
    def default(self) -> str:
        return self.languages[0].code

    def get(self, code: str) -> Language:
        for lang in self.languages:
            if lang.code == code:
                return lang
        raise ScorecardError(f"unknown page language '{code}'; use {' or '.join(self.codes)} "
                             f"(or add it to {self.source})")

    def of_plain_text(self, text: str) -> str:
        """The language of an untagged text: the first whose script it holds, else ``text_fallback``."""
        for lang in self.languages:
            if lang.script is not None and lang.script.search(text):
                return lang.code
        return self.text_fallback

    def suffix(self, code: str) -> str:
        """``""`` for the default language, ``".<code>"`` otherwise (mkdocs-static-i18n's suffix structure)."""
        return "" if code == self.default else f".{code}"


def page_languages() -> Languages:
    """The languages of ``resources.languages_config()`` (read once per file)."""
    return _read(str(resources.languages_config()))


@lru_cache(maxsize=4)
def _read(path: str) -> Languages:
    source = Path(path)
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
        languages = tuple(_language(item) for item in data["languages"])
        written_in = tuple(str(code) for code in data["written_in"])
        fallback = str(data["text_fallback"])
    except (OSError, yaml.YAMLError, UnicodeDecodeError, KeyError, TypeError, re.error) as exc:
        raise ScorecardError(f"{source}: cannot read the page languages ({exc.__class__.__name__}: {exc}); "
                             "fix the file or reinstall the package") from exc
    codes = [lang.code for lang in languages]
    problems = [f"'{c}' is not a language code" for c in codes if not CODE.match(c)]
    problems += [f"'{c}' is listed twice" for c in sorted(set(codes)) if codes.count(c) > 1]
    problems += [f"'{c}' is not among the languages" for c in (*written_in, fallback) if c not in codes]
    if not languages or problems:
        raise ScorecardError(f"{source}: {'; '.join(problems) or 'no languages'}; fix the file")
    return Languages(languages, written_in, fallback, str(source))


def _language(item: dict) -> Language:
    singular = item.get("singular_unit")
    return Language(
        code=str(item["code"]),
        script=re.compile(item["script"]) if item.get("script") else None,
        singular_unit=(re.compile(singular["match"]), singular["replace"]) if singular else None,
    )
