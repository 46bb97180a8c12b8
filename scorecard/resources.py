"""Where the templates, the knowledge base and the MkDocs configuration live.

In a source checkout they are the top-level ``templates/``, ``docs/`` and ``mkdocs.yml``; in an
installed wheel they travel inside the package as ``_templates``, ``_docs`` and
``_mkdocs.yml`` (see ``pyproject.toml``). Both layouts resolve through these functions.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def _first_existing(*candidates: Path) -> Path:
    for path in candidates:
        if path.exists():
            return path
    return candidates[0]


def templates_dir() -> Path:
    return _first_existing(PACKAGE / "_templates", PACKAGE.parent / "templates")


def docs_dir() -> Path:
    return _first_existing(PACKAGE / "_docs", PACKAGE.parent / "docs")


def mkdocs_config() -> Path:
    return _first_existing(PACKAGE / "_mkdocs.yml", PACKAGE.parent / "mkdocs.yml")


def locales_dir() -> Path:
    return templates_dir() / "locales"
