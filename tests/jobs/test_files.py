"""File names and pages the jobs write (``jobs.files``): pages sit next to their records under the
same stem, named for mkdocs-static-i18n (Markdown) or by language (HTML), and never collide."""

from __future__ import annotations

from dataclasses import replace

from scorecard.jobs.explain import page_langs
from scorecard.jobs.files import record_stems, safe_file_stem, write_pages
from scorecard.pages import page_name, render_page

from _page_cases import DEMO, load_record

HOSTILE_ID = '<script>alert("x")</script> [click](http://evil.example) **b** _i_ `c` | # !!! &amp; <img src=x>'


def pages_of(records, out, *, fmt, lang):
    return write_pages(records, record_stems([r.applicant_id for r in records]), DEMO, out, fmt=fmt,
                       langs=page_langs(lang))


def test_write_pages_names_files_for_mkdocs_i18n_and_standalone_html(tmp_path):
    records = [load_record("approved_middle_band"), load_record("retry_later")]
    md = pages_of(records, tmp_path / "md", fmt="md", lang="all")
    assert [p.name for p in md] == ["R-APPROVED-B3.md", "R-APPROVED-B3.en.md", "R-RETRY.md", "R-RETRY.en.md"]
    assert md[1].read_text(encoding="utf-8") == render_page(records[0], DEMO, lang="en", fmt="md")
    html_pages = pages_of(records, tmp_path / "html", fmt="html", lang="zh")
    assert [p.name for p in html_pages] == ["R-APPROVED-B3.zh.html", "R-RETRY.zh.html"]
    assert page_name("x", lang="en", fmt="html") == "x.en.html"


def test_write_pages_stems_match_the_json_records_and_never_collide(tmp_path):
    base = load_record("approved_middle_band")
    records = [replace(base, applicant_id=i) for i in ("abc", "ABC", "../etc/passwd", HOSTILE_ID)]
    paths = pages_of(records, tmp_path, fmt="html", lang="en")
    assert len({p.name.lower() for p in paths}) == 4
    assert all(p.parent == tmp_path for p in paths)
    assert paths[0].name == f"{safe_file_stem('abc')}.en.html"
    assert paths[1].name == f"{safe_file_stem('ABC')}~2.en.html"  # the JSON records' collision rule
