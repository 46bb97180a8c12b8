"""A new page language is files only: locale files and configuration, no code. A test language made
of the English locale files with a marker, registered in a copy of the configuration, builds the
demo site with its own pages (profile and policy texts fall back to English, as
``templates/languages.yaml`` says)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from scorecard import resources
from scorecard.datasets.personas import load_personas
from scorecard.errors import SiteError
from scorecard.jobs.site import build_site

MARKER = "THIRD-LANGUAGE-MARKER"
LANG = "fr"  # a code Material and the search plugin know; the words are the marked English ones


def third_language(folder: Path, *, in_mkdocs: bool = True) -> Path:
    """A copy of the package's templates and mkdocs.yml in ``folder`` with the test language added."""
    templates = folder / "templates"
    shutil.copytree(resources.templates_dir(), templates)
    locales = templates / "locales"
    page = yaml.safe_load((locales / "en.yaml").read_text(encoding="utf-8"))
    page["sections"]["why"] = f"{MARKER} {page['sections']['why']}"  # a heading of every explanation
    page["meta"]["html_lang"] = LANG
    (locales / f"{LANG}.yaml").write_text(yaml.safe_dump(page, allow_unicode=True), encoding="utf-8")
    site = yaml.safe_load((locales / "site.en.yaml").read_text(encoding="utf-8"))
    site["nav_sections"]["personas"] = f"{MARKER} personas"
    (locales / f"site.{LANG}.yaml").write_text(yaml.safe_dump(site, allow_unicode=True), encoding="utf-8")
    languages = yaml.safe_load((templates / "languages.yaml").read_text(encoding="utf-8"))
    languages["languages"].append({"code": LANG})
    (templates / "languages.yaml").write_text(yaml.safe_dump(languages, allow_unicode=True), encoding="utf-8")
    config = yaml.safe_load(resources.mkdocs_config().read_text(encoding="utf-8"))
    i18n = next(p["i18n"] for p in config["plugins"] if isinstance(p, dict) and "i18n" in p)
    if in_mkdocs:
        english = next(item for item in i18n["languages"] if item["locale"] == "en")
        i18n["languages"].append({**english, "locale": LANG, "name": "Test language"})
        i18n["fallback_to_default"] = True  # the knowledge base has no pages in the test language
    (folder / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


@pytest.mark.slow
def test_a_language_made_of_locale_files_and_configuration_builds_its_pages(tmp_path, monkeypatch, demo_model):
    monkeypatch.setenv(resources.OVERRIDE, str(third_language(tmp_path / "config")))
    built = build_site(demo_model, tmp_path / "site")
    root = built.html / LANG
    personas = load_personas()
    assert personas
    for persona in personas:
        page = root / "personas" / f"{persona.slug}.html"
        assert page.is_file(), page
        text = page.read_text(encoding="utf-8")
        assert f"{MARKER} Why" in text  # the explanation's wording is the test language's
        assert persona.title.get("en") in text  # persona texts are written in zh and en: English stands in
    assert (root / "model" / "index.html").is_file() and (root / "model" / "factors").is_dir()
    assert f"{MARKER} personas" in (root / "personas" / "index.html").read_text(encoding="utf-8")  # its nav title
    assert MARKER not in (built.html / "personas" / personas[0].slug).with_suffix(".html").read_text(encoding="utf-8")
    assert MARKER not in (built.html / "en" / "personas" / personas[0].slug).with_suffix(".html").read_text(encoding="utf-8")


def test_a_language_missing_from_mkdocs_yml_is_refused_with_what_to_do(tmp_path, monkeypatch, demo_model):
    monkeypatch.setenv(resources.OVERRIDE, str(third_language(tmp_path / "config", in_mkdocs=False)))
    with pytest.raises(SiteError, match="i18n plugin's languages .* must be the page languages"):
        build_site(demo_model, tmp_path / "site")
