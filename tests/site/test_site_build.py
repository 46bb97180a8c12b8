"""The knowledge-base site, built_site the way `scorecard demo` builds it: from the demo model."""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from typer.testing import CliRunner

from scorecard import resources
from scorecard.cli import app
from scorecard.datasets.personas import load_personas
from scorecard.errors import OutputError, SiteError
from scorecard.policy import default_policy
from scorecard.jobs.site import SiteResult, build_site, explain_personas
from scorecard.site import build
from scorecard.site.plan import plan_site
from scorecard.site.rendering import render_site_page
from scorecard.resources import locales_dir
from scorecard.spec import load_spec

KB_PAGES = {
    "causes": ["index", "incomplete-information", "overdue-history", "multiple-borrowing", "high-debt",
               "abnormal-borrowing", "low-activity", "policy-tightening", "regulation", "technical-maintenance",
               "score-below-threshold"],
    "scenarios": ["index", "entry-but-no-limit", "limit-gone-after-repayment", "reopened-low-limit",
                  "zero-limit-can-i-borrow"],
    "remedies": ["index", "complete-information", "repair-record", "stop-multiple-applications", "lower-debt",
                 "steady-use", "follow-announcements", "appeal-with-documents", "wait-and-retry"],
    "lessons": ["index", "financing-channels", "cash-flow-planning", "lender-relationships", "debt-control",
                "financial-literacy"],
    "rights": ["index", "automated-decisions", "credit-report", "complaint-channels", "score-report-limit"],
}


class _Refs(HTMLParser):
    """Every URL a page links to or loads, with the attribute that holds it."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []  # (tag, attribute, url)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src", "srcset", "action", "poster", "data") and value:
                self.refs.append((tag, name, value))


def _pages(html: Path) -> list[Path]:
    return sorted(html.rglob("*.html"))


def _refs(page: Path) -> list[tuple[str, str, str]]:
    parser = _Refs()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.refs


def test_every_knowledge_base_page_exists_in_both_languages(built_site: SiteResult) -> None:
    for section, stems in KB_PAGES.items():
        for stem in stems:
            assert (built_site.html / section / f"{stem}.html").is_file(), f"{section}/{stem} (zh) missing"
            assert (built_site.html / "en" / section / f"{stem}.html").is_file(), f"{section}/{stem} (en) missing"


def test_model_and_persona_pages_exist_in_both_languages(built_site: SiteResult, demo_model: Path) -> None:
    spec = load_spec(demo_model)
    expected = ["model/index", "model/scorecard", "model/metrics", "model/policy", "model/data", "personas/index"]
    expected += [f"model/factors/{f.name}" for f in spec.profile.factors]
    expected += [f"personas/{p.slug}" for p in load_personas()]
    for stem in expected:
        for root in (built_site.html, built_site.html / "en"):
            assert (root / f"{stem}.html").is_file(), f"{root}/{stem}.html missing"
    # A chart for every factor in the model, in each language's folder.
    for f in spec.factors:
        for root in (built_site.html, built_site.html / "en"):
            chart = root / "model" / "factors" / f"{f.name}.svg"
            assert chart.is_file() and chart.read_text(encoding="utf-8").startswith("<svg")


def test_every_internal_link_resolves(built_site: SiteResult) -> None:
    broken = []
    for page in _pages(built_site.html):
        for tag, attr, url in _refs(page):
            parts = urlsplit(url)
            if parts.scheme or url.startswith(("//", "#", "mailto:", "data:")):
                continue
            path = unquote(parts.path)
            # The 404 page links from the site root, since it is served for any missing path.
            base = built_site.html if path.startswith("/") else page.parent
            target = (base / path.lstrip("/")).resolve() if path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(built_site.html)}: <{tag} {attr}={url}>")
    assert not broken, "\n".join(broken[:20])


def test_no_page_requests_an_external_url(built_site: SiteResult) -> None:
    """Offline: nothing is loaded from another host (links a reader may click are allowed)."""
    loads = []
    for page in _pages(built_site.html):
        for tag, attr, url in _refs(page):
            loaded = attr != "href" or tag == "link"
            if loaded and re.match(r"^(https?:)?//", url):
                loads.append(f"{page.relative_to(built_site.html)}: <{tag} {attr}={url}>")
        text = page.read_text(encoding="utf-8")
        loads += [f"{page.relative_to(built_site.html)}: {m}" for m in re.findall(r"url\(\s*['\"]?(?:https?:)?//[^)]*\)", text)]
    for sheet in built_site.html.rglob("*.css"):
        text = sheet.read_text(encoding="utf-8")
        loads += [f"{sheet.name}: {m}" for m in re.findall(r"@import[^;]*//[^;]*;|url\(\s*['\"]?(?:https?:)?//[^)]*\)", text)]
    assert not loads, "\n".join(loads[:20])


def _text(page: Path) -> str:
    return re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8"))


def test_each_persona_page_tells_its_decision_and_names_its_reasons(built_site: SiteResult, demo_model: Path) -> None:
    spec = load_spec(demo_model)
    personas, records = explain_personas(spec, default_policy())
    by_id = {r.applicant_id: r for r in records}
    labels = {f.name: f.label for f in spec.profile.factors}
    for persona in personas:
        record = by_id[persona.applicant_id]
        for lang, root in (("zh", built_site.html), ("en", built_site.html / "en")):
            text = _text(root / "personas" / f"{persona.slug}.html")
            assert persona.title.get(lang) in text
            for reason in record.reasons:
                assert labels[reason.factor].get(lang) in text, (persona.slug, lang, reason.factor)
            if record.score is not None:
                assert str(record.score) in text


def test_persona_stories_hold_under_the_demo_model(built_site: SiteResult) -> None:
    """The scenarios the knowledge base sends readers to must show what they promise."""
    decisions = {slug: decision for slug, _, decision in built_site.persona_decisions}
    assert decisions["maintenance"] == "RETRY_LATER"
    assert decisions["healthy-approved"] == "APPROVED"
    assert decisions["limit-gone-after-repayment"] == "DECLINED_OVERLAY"
    assert decisions["overdue-history"] == "DECLINED_SCORE"
    assert decisions["many-platform-loans"] == "DECLINED_SCORE"


def test_only_the_demo_personas_reach_the_site(built_site: SiteResult) -> None:
    slugs = {p.slug for p in load_personas()}
    pages = {p.name[:-5] for p in (built_site.html / "personas").glob("*.html")}
    assert pages == slugs | {"index"}


def test_the_language_switch_points_to_the_same_page(built_site: SiteResult) -> None:
    page = built_site.html / "personas" / "overdue-history.html"
    hrefs = [url for tag, attr, url in _refs(page) if tag == "a"]
    assert any(url.endswith("en/personas/overdue-history.html") for url in hrefs)


def test_the_not_found_page_speaks_both_languages_and_leads_home(built_site: SiteResult) -> None:
    """A server has one 404 page for every language; Material's own says "404 - Not found" only."""
    page = (built_site.html / "404.html").read_text(encoding="utf-8")
    for lang in ("zh", "en"):
        words = yaml.safe_load((locales_dir() / f"site.{lang}.yaml").read_text(encoding="utf-8"))["not_found"]
        assert all(escape(text, quote=False) in page for text in words.values()), lang
    hrefs = [url for tag, attr, url in _refs(built_site.html / "404.html") if tag == "a"]
    assert "/index.html" in hrefs and "/en/index.html" in hrefs  # MkDocs serves 404 pages from the server root
    assert "404 - Not found" not in page and "{%" not in page


def test_search_index_segments_chinese_into_words(built_site: SiteResult) -> None:
    """jieba splits Chinese into words (zero-width spaces), so 多头借贷 is found as a word."""
    import json

    docs = json.loads((built_site.html / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    page = next(d for d in docs if d["location"] == "causes/multiple-borrowing.html")
    assert page["title"].split("\u200b") == ["多头", "借贷"]
    assert any(d["location"].startswith("en/causes/multiple-borrowing.html") for d in docs)


def test_the_search_index_is_also_a_script_and_the_worker_shim_is_local(built_site: SiteResult) -> None:
    """From file:// the browser neither fetches the index nor starts a worker: Material's offline
    plugin writes the index as a script (search_index.js), and every page loads the iframe-worker
    shim from the site itself, never from unpkg.com."""
    import json

    folder = built_site.html / "search"
    script = (folder / "search_index.js").read_text(encoding="utf-8")
    prefix = "var __index = "
    assert script.startswith(prefix)
    assert json.loads(script[len(prefix):]) == json.loads((folder / "search_index.json").read_text(encoding="utf-8"))
    shim = built_site.html / "assets" / "javascripts" / "iframe-worker" / "shim.js"
    assert "Permission is hereby granted" in shim.read_text(encoding="utf-8")  # MIT: the licence travels with it
    for page in (built_site.html / "index.html", built_site.html / "en" / "causes" / "multiple-borrowing.html"):
        scripts = [url for tag, attr, url in _refs(page) if tag == "script"]
        shims = [url for url in scripts if "iframe-worker" in url]
        assert len(shims) == 1 and (page.parent / shims[0]).resolve() == shim.resolve(), scripts


def test_the_search_worker_tries_query_words_up_to_the_last_character(built_site: SiteResult,
                                                                      tmp_path: Path) -> None:
    workers = list((built_site.html / "assets" / "javascripts" / "workers").glob("search.*.min.js"))
    assert workers and all(build._SEGMENT_LOOP not in w.read_text(encoding="utf-8") for w in workers)
    # Only the exact upstream loop is touched, once; other code is left as it is.
    folder = tmp_path / "assets" / "javascripts" / "workers"
    folder.mkdir(parents=True)
    (folder / "search.1.min.js").write_text(f"a;{build._SEGMENT_LOOP};b", encoding="utf-8")
    (folder / "search.2.min.js").write_text("for(let o=s+1;o<t.length-1;o++)x", encoding="utf-8")
    assert build.mend_search_worker(tmp_path) == [folder / "search.1.min.js"]
    assert (folder / "search.1.min.js").read_text(encoding="utf-8") == f"a;{build._SEGMENT_LOOP_MENDED};b"
    assert (folder / "search.2.min.js").read_text(encoding="utf-8") == "for(let o=s+1;o<t.length-1;o++)x"
    assert build.mend_search_worker(tmp_path) == []


def test_generated_pages_are_deterministic_and_never_touch_docs(demo_model: Path, tmp_path: Path) -> None:
    before = sorted(p.relative_to(resources.docs_dir()) for p in resources.docs_dir().rglob("*"))
    spec = load_spec(demo_model)
    personas, records = explain_personas(spec, default_policy())
    titles = build.kb_titles(resources.docs_dir())
    first = plan_site(spec, default_policy(), personas, records, titles)
    second = plan_site(spec, default_policy(), personas, records, titles)
    assert first == second
    assert sorted(p.relative_to(resources.docs_dir()) for p in resources.docs_dir().rglob("*")) == before


def test_rebuild_replaces_its_own_folder_but_refuses_a_foreign_one(demo_model: Path, tmp_path: Path) -> None:
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(OutputError, match="not written by 'scorecard site'"):
        build_site(demo_model, foreign)
    assert (foreign / "notes.txt").read_text(encoding="utf-8") == "keep me"


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_failed_build_leaves_the_previous_site_as_it_was(demo_model: Path, tmp_path: Path, monkeypatch) -> None:
    site = tmp_path / "site"
    for name, text in {build.MARKER: "x", "html/index.html": "previous", "manifest.json": "{}"}.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(text, encoding="utf-8")
    before = _tree(site)
    staged = []

    def half_built(config: Path, *, strict: bool, shown: Path) -> Path:
        staged.append(config.parent)
        (config.parent / "html").mkdir()
        (config.parent / "html" / "index.html").write_text("half", encoding="utf-8")
        raise SiteError(f"{shown}: the MkDocs build failed: a bad page")

    monkeypatch.setattr(build, "build_html", half_built)
    with pytest.raises(SiteError, match=f"^{re.escape(str(site / 'mkdocs.yml'))}: the MkDocs build failed"):
        build_site(demo_model, site)
    assert _tree(site) == before  # the previous site, byte for byte
    assert staged and not staged[0].exists() and sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_failed_mkdocs_build_names_the_configuration_where_it_will_be(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# x\n\n[broken](nowhere.md)\n", encoding="utf-8")
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: x\ndocs_dir: docs\nsite_dir: html\n", encoding="utf-8")
    with pytest.raises(SiteError, match=r"^S/mkdocs.yml: the MkDocs build failed: .*nowhere\.md"):
        build.build_html(config, strict=True, shown=Path("S/mkdocs.yml"))


def test_values_from_the_profile_are_escaped_on_model_pages() -> None:
    text = render_site_page("model_data", lang="en", d={
        "description": "<script>alert(1)</script> [x](http://evil)", "rows": "1", "train_rows": "1", "test_rows": "0",
        "bad_rate": "1%", "dates": "–", "seed": "1", "sha256": "ab", "model_sha256": "cd", "target": "bad",
        "is_demo": False, "factors": []})
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "[x](http://evil)" not in text


def test_cli_site_reports_where_the_site_is(demo_model: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["site", "--model", str(demo_model), "--out", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    assert "index.html" in result.output
    assert (tmp_path / "s" / "html" / "index.html").is_file()


def test_cli_site_with_a_missing_model_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["site", "--model", str(tmp_path / "none.json"), "--out", str(tmp_path / "s")])
    assert result.exit_code == 2
    assert "none.json" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("section", ["causes", "remedies"])
def test_cause_and_remedy_pages_link_to_the_model_and_the_personas(section: str) -> None:
    """Every cause and remedy page sends the reader to the factors that measure it and a persona who shows it."""
    pages = [p for p in sorted((resources.docs_dir() / section).glob("*.md")) if not p.name.startswith("index")]
    assert len(pages) >= 2 * (len(KB_PAGES[section]) - 1)
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "](../model/" in text, f"{page.name} links to no model page"
        assert "](../personas/" in text, f"{page.name} links to no persona page"
