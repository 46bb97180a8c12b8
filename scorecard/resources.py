"""Where the templates, the knowledge base and the MkDocs configuration live.

In a source checkout they are the top-level ``templates/``, ``docs/`` and ``mkdocs.yml``; in an
installed wheel they travel inside the package as ``_templates``, ``_docs`` and
``_mkdocs.yml`` (see ``pyproject.toml``). Both layouts resolve through these functions.

``SCORECARD_RESOURCES`` may name a folder laid out like a checkout's top level (``templates/``,
``docs/``, ``mkdocs.yml``, each optional): what it holds is used instead of the package's own, so a
language or a reworded page needs only files there (see ``templates/languages.yaml``).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
OVERRIDE = "SCORECARD_RESOURCES"


def _first_existing(name: str, packaged: str) -> Path:
    return _resolved(name, packaged, os.environ.get(OVERRIDE) or "")


@lru_cache(maxsize=64)
def _resolved(name: str, packaged: str, chosen: str) -> Path:
    candidates = [PACKAGE / packaged, PACKAGE.parent / name]
    if chosen:
        candidates.insert(0, Path(chosen) / name)
    for path in candidates:
        if path.exists():
            return path
    return candidates[-2]


def templates_dir() -> Path:
    return _first_existing("templates", "_templates")


def docs_dir() -> Path:
    return _first_existing("docs", "_docs")


def mkdocs_config() -> Path:
    return _first_existing("mkdocs.yml", "_mkdocs.yml")


def locales_dir() -> Path:
    return templates_dir() / "locales"


def languages_config() -> Path:
    return templates_dir() / "languages.yaml"
