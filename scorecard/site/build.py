"""The edges of the site: reading the knowledge base and the MkDocs configuration, writing the
sources, the MkDocs build, and one mend of the built search worker.

Generated pages go to the output folder only, never into the tracked ``docs/`` tree.
"""

from __future__ import annotations

import logging
import posixpath
import re
import shutil
from pathlib import Path
from typing import Any, Iterable

import yaml

from scorecard.errors import SiteError
from scorecard.languages import page_languages
from scorecard.site.rendering import SiteFile

MARKER = ".scorecard-site"  # marks an output folder this module wrote, so rebuilding may clear it
KB_SECTIONS = ("causes", "scenarios", "remedies", "lessons", "rights")
OVERRIDES = "overrides"  # theme overrides next to docs/ (MkDocs' theme.custom_dir)
_H1 = re.compile(r"^#\s+(.+?)\s*$", re.MULTILINE)


def kb_titles(docs: Path) -> dict[tuple[str, str, str], str]:
    """The title (first heading) of every knowledge-base page, by (section, slug, lang)."""
    titles: dict[tuple[str, str, str], str] = {}
    languages = page_languages()
    for section in KB_SECTIONS:
        for path in sorted((docs / section).glob("*.md")):
            stem = path.name[:-3]
            lang = languages.default
            for code in languages.codes[1:]:
                if stem.endswith(f".{code}"):
                    stem, lang = stem[: -len(code) - 1], code
            found = _H1.search(path.read_text(encoding="utf-8"))
            if found:
                titles[(section, stem, lang)] = found.group(1)
    return titles


def read_config(config: Path) -> dict[str, Any]:
    """The package's MkDocs configuration as a mapping (its navigation is :func:`site_nav`'s base)."""
    try:
        return yaml.safe_load(Path(config).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SiteError(f"{config}: cannot read the MkDocs configuration ({exc.__class__.__name__}); reinstall the package") from exc


SITE_SETTINGS = "_site.yaml"  # a knowledge base's own navigation and names (not a page; never copied)


def site_config(config: Path, kb: Path) -> dict[str, Any]:
    """The MkDocs settings for a site over knowledge base ``kb``: the package's configuration, with
    the navigation, names and navigation translations of ``kb/_site.yaml`` when it has one (the
    knowledge bases of other jurisdictions than mainland China's ``docs/``)."""
    settings = read_config(config)
    own_file = Path(kb) / SITE_SETTINGS
    if not own_file.is_file():
        return settings
    try:
        own = yaml.safe_load(own_file.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise SiteError(f"{own_file}: cannot read the knowledge base's site settings ({exc.__class__.__name__}); "
                        "reinstall the package") from exc
    settings.update({key: own[key] for key in ("nav", "site_name", "site_description") if key in own})
    for plugin in settings.get("plugins", []):
        for item in (plugin.get("i18n", {}) if isinstance(plugin, dict) else {}).get("languages", []):
            item.update((own.get("languages") or {}).get(item.get("locale"), {}))
    return settings


GENERATED = ("personas/", "model/")  # the sections the site generates; the knowledge base links into them
_MD_LINK = re.compile(r"\[([^\]\n]*)\]\(([^)\s]+)\)")


def unlink_missing(text: str, page: str, generated: set[str]) -> str:
    """``text`` of knowledge-base page ``page`` with each link into a generated section whose target
    this site does not generate (a demo persona, a factor of another model) left as its words. Links
    anywhere else stay, so a broken hand-written link still fails the strict build."""
    folder = posixpath.dirname(page)

    def mend(found: re.Match[str]) -> str:
        target = found.group(2).split("#", 1)[0]
        if "://" in target or not target.endswith(".md"):
            return found.group(0)
        path = posixpath.normpath(posixpath.join(folder, target))
        return found.group(1) if path.startswith(GENERATED) and path not in generated else found.group(0)

    return _MD_LINK.sub(mend, text)


def _unsuffixed(path: str) -> str:
    """``model/x.en.md`` -> ``model/x.md``: the page a knowledge-base link names in any language."""
    stem = path[:-3]
    for code in page_languages().codes[1:]:
        stem = stem.removesuffix(f".{code}")
    return f"{stem}.md"


def _write_files(folder: Path, files: Iterable[SiteFile]) -> int:
    """Each file below ``folder`` (UTF-8, ``\\n`` line ends); returns how many were written."""
    count = 0
    for item in files:
        target = folder / item.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(item.text, encoding="utf-8", newline="\n")
        count += 1
    return count


def write_sources(files: Iterable[SiteFile], kb_docs: Path, out: Path, settings: dict[str, Any],
                  overrides: Iterable[SiteFile] = ()) -> Path:
    """``out/docs`` (the knowledge base and the generated files), ``out/overrides`` (theme templates,
    when there are any) and ``out/mkdocs.yml``; returns the config.

    ``out`` is cleared of an earlier build first, but only when this module wrote it (``MARKER``),
    so pointing ``--out`` at a folder of one's own never deletes anything.
    """
    out = Path(out)
    docs, html, theme = out / "docs", out / "html", out / OVERRIDES
    if out.exists() and any(out.iterdir()) and not (out / MARKER).exists():
        raise SiteError(f"{out}: the folder is not empty and was not written by 'scorecard site'; choose a new or empty folder")
    for folder in (docs, html, theme):
        if folder.exists():
            shutil.rmtree(folder)
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("written by scorecard site; the next build replaces this whole folder\n",
                              encoding="utf-8")
    shutil.copytree(kb_docs, docs, ignore=shutil.ignore_patterns(SITE_SETTINGS))
    files = list(files)
    generated = {_unsuffixed(f.path) for f in files if f.path.endswith(".md")}
    for page in sorted(docs.rglob("*.md")):
        name = page.relative_to(docs).as_posix()
        text = page.read_text(encoding="utf-8")
        mended = unlink_missing(text, _unsuffixed(name), generated)
        if mended != text:
            page.write_text(mended, encoding="utf-8", newline="\n")
    _write_files(docs, files)
    settings = {**settings, "docs_dir": "docs", "site_dir": "html"}
    if _write_files(theme, overrides):
        settings["theme"] = {**settings["theme"], "custom_dir": OVERRIDES}
    path = out / "mkdocs.yml"
    path.write_text("# Written by 'scorecard site' from the package's mkdocs.yml; rebuild with: mkdocs build -f this file\n"
                    + yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage().splitlines()[0])


def build_html(config: Path, *, strict: bool = True, shown: Path | None = None) -> Path:
    """Run the MkDocs build of ``config``; returns the HTML folder. Warnings fail a strict build
    with the first of them in the message, which names ``shown`` (default: ``config``), e.g. where
    the configuration will be once a staged build is in place."""
    # MkDocs, its plugins and jieba load only for a build: about a second that scoring never pays.
    from mkdocs import exceptions
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    try:  # the search plugin segments Chinese with jieba, which announces itself on stderr
        import jieba

        jieba.setLogLevel(logging.WARNING)
    except ImportError:
        pass
    collect = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collect)
    quiet = logging.getLogger("mkdocs").level
    logger.setLevel(logging.WARNING)
    try:
        settings = load_config(str(config), strict=strict)
        build(settings)
    except (exceptions.Abort, exceptions.ConfigurationError) as exc:
        detail = collect.messages[0] if collect.messages else str(exc)
        more = f" (and {len(collect.messages) - 1} more warnings)" if len(collect.messages) > 1 else ""
        raise SiteError(f"{shown or config}: the MkDocs build failed: {detail}{more}") from exc
    finally:
        logger.removeHandler(collect)
        logger.setLevel(quiet)
    html = Path(settings["site_dir"])
    mend_search_worker(html)
    return html


# Material's search worker splits a Chinese query into the words of the index before searching,
# but its loop never tries a word that ends on the query's last character (``o<t.length``). So
# whenever the first character is also a word of the index, "还款" is searched as "还*", "多头"
# as "多*" and "额度" as "额*". Letting the loop reach the end fixes that and nothing else. The
# mend applies only to this exact upstream code, so a Material release that changes it is left alone.
_SEGMENT_LOOP = "for(let o=s+1;o<t.length;o++)t.slice(s,o)in e&&(n[s]=o-s)"
_SEGMENT_LOOP_MENDED = "for(let o=s+1;o<=t.length;o++)t.slice(s,o)in e&&(n[s]=o-s)"


def mend_search_worker(html: Path) -> list[Path]:
    """Apply the query-segmentation fix above to the built site's search worker; returns the files mended."""
    mended = []
    for worker in sorted((Path(html) / "assets" / "javascripts" / "workers").glob("search.*.min.js")):
        code = worker.read_text(encoding="utf-8")
        if code.count(_SEGMENT_LOOP) == 1:
            worker.write_text(code.replace(_SEGMENT_LOOP, _SEGMENT_LOOP_MENDED), encoding="utf-8", newline="")
            mended.append(worker)
    return mended
