"""Text: words in one or more page languages, written ``{zh: ..., en: ...}`` in YAML.

The one class for every text that profiles, policies and the demo personas carry. Which keys a
text may have, and what a page in a language it lacks shows, is configuration
(``templates/languages.yaml``, see ``scorecard.languages``), not code:

* keys must be configured page languages;
* ``get(lang)`` gives the text in ``lang``. A language the texts are ``written_in`` that a text
  leaves out shows nothing (never another language's words in its place); a page language they are
  not written in shows the ``text_fallback`` language's text;
* a plain string (policies written before descriptions had languages) counts as the language whose
  ``script`` it holds, else as ``text_fallback``.

Profiles require every ``written_in`` language (``require_written``); policy descriptions do not.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic_core import PydanticCustomError

from scorecard.languages import page_languages


class Text(BaseModel):
    """Words in one or more page languages; ``text.zh``, ``text.get("en")``."""

    model_config = ConfigDict(frozen=True, extra="allow")
    __pydantic_extra__: dict[str, str]

    @model_validator(mode="before")
    @classmethod
    def _languages(cls, value: object) -> object:
        if value is None:
            return {}
        if isinstance(value, str):
            return {page_languages().of_plain_text(value): value.strip()}
        if isinstance(value, Text):
            return dict(value.model_extra or {})
        if not isinstance(value, dict):
            raise ValueError("write a description as {zh: ..., en: ...} (or as one sentence)")
        languages = page_languages() if value else None
        unknown = [str(key) for key in value if key not in languages.codes] if languages else []
        if languages and unknown:
            raise ValueError(f"'{unknown[0]}' is not a page language; use {', '.join(languages.codes)} "
                             f"(the languages of {languages.source})")
        return value

    def get(self, lang: str) -> str:
        texts = self.model_extra or {}
        if lang in texts:
            return texts[lang]
        languages = page_languages()
        if lang in languages.written_in:
            return ""
        return texts.get(languages.text_fallback, "")

    def __getattr__(self, name: str) -> str:
        # ``text.zh`` is ``text.get("zh")`` for any configured language, also one the text leaves out.
        try:
            return super().__getattr__(name)  # type: ignore[misc]
        except AttributeError:
            if not name.startswith("_") and name in page_languages().codes:
                return self.get(name)
            raise

    def __bool__(self) -> bool:
        return any((self.model_extra or {}).values())

    def __hash__(self) -> int:
        return hash(tuple(sorted((self.model_extra or {}).items())))


def require_written(text: Text | None) -> Text | None:
    """``text`` when it holds every ``written_in`` language, non-empty; else the error that names the
    first missing one as a key below the text (see ``profile.describe_validation_error``)."""
    if text is None:
        return None
    texts = text.model_extra or {}
    for lang in page_languages().written_in:
        if not texts.get(lang, "").strip():
            raise PydanticCustomError("missing", "Field required", {"key": lang})
    return text
