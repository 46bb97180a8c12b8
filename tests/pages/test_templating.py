"""Safety of the pages (``pages.templating``): record text is escaped in HTML and renders as plain
text in Markdown, standalone HTML requests nothing, Markdown pages convert cleanly, and a record
the profile cannot explain is refused with one clear error."""

from __future__ import annotations

import html
import re
import string
from dataclasses import replace

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorecard.errors import RenderError
from scorecard.pages import render_page
from scorecard.jobs.explain import page_langs
from scorecard.pages.templating import escape_markdown
from scorecard.records import DecisionRecord

from _page_cases import CASES, DEMO, LANGS, MD_EXTENSIONS, TINY, load_record, rendered


HOSTILE_ID = '<script>alert("x")</script> [click](http://evil.example) **b** _i_ `c` | # !!! &amp; <img src=x>'


def hostile_record() -> DecisionRecord:
    record = load_record("generic_profile_special_missing")
    city_line = next(line for line in record.factors if line.factor == "city")
    bad_line = replace(city_line, value='<img src=x onerror="alert(1)">')
    reasons = tuple(replace(r, value=bad_line.value, cause_pages=("x)](http://evil.example", "high-debt"))
                    if r.factor == "city" else r for r in record.reasons)
    return replace(record, applicant_id=HOSTILE_ID, factors=tuple(bad_line if line.factor == "city" else line
                                                                  for line in record.factors),
                   reasons=reasons, policy_version="</title><script>x()</script>", snapshot_date="2026-02-01\n# Heading")


@pytest.mark.parametrize("lang", LANGS)
def test_record_text_is_escaped_in_html(lang):
    page = render_page(hostile_record(), TINY, lang=lang, fmt="html")
    lowered = page.lower()
    assert "<script" not in lowered and "<img" not in lowered and "</title><" not in lowered
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert not re.search(r"<[a-z]+[^>]*\s(href|src)=", page)  # no link or resource at all, only escaped text
    assert "x)](" not in html.unescape(page)  # an invalid page slug is dropped, not printed as a site path


@pytest.mark.parametrize("lang", LANGS)
def test_record_text_renders_as_text_in_markdown(lang):
    page = render_page(hostile_record(), TINY, lang=lang, fmt="md")
    assert "<script" not in page and "<img" not in page
    out = markdown.markdown(page, extensions=MD_EXTENSIONS)
    assert "<script" not in out and "<img" not in out
    assert all(href.startswith("../") for href in re.findall(r'href="([^"]*)"', out))  # only site links
    assert out.count("<h1") == 1  # the newline in the date did not start a heading
    assert "<strong>b</strong>" not in out and "<em>i</em>" not in out and "<code>c</code>" not in out
    text = html.unescape(re.sub(r"<[^>]+>", "", out))
    assert '<script>alert("x")</script> [click](http://evil.example) **b** _i_ `c` | # !!! &amp; <img src=x>' in text
    assert "x)](http://evil.example" not in text  # an invalid slug is dropped, never a link


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_a_partial_escapes_the_text_of_its_view(fmt):
    """The partial filters print rendered partials as they are; the text a view carries is escaped
    inside them like any printed value (Markdown's escaping, or HTML's)."""
    from scorecard.pages.cache import PageCache
    from scorecard.pages.templating import trusted
    from scorecard.pages.views import ReasonView
    from scorecard.pages.words import load_words

    words = load_words("en").data
    cache = PageCache(fmt, trusted(words) if fmt == "md" else words)
    view = ReasonView(code="X.VALUE", label="<b>label</b>", text='**b** <script>alert("x")</script> [a](http://e.x)',
                      links=())
    shown = cache.partial("reason", view, 1)
    assert "<script" not in shown and "<b>" not in shown
    assert ("\\*\\*b\\*\\*" in shown and "\\[a\\]" in shown) if fmt == "md" else "&lt;script&gt;" in shown


MD_TEXT = st.text(alphabet=st.sampled_from(list(string.printable.replace("\x0b", "").replace("\x0c", "")) +
                                           ["中", "文", "。", "–"]), max_size=40)


@settings(max_examples=300, deadline=None)
@given(MD_TEXT)
def test_escaped_text_renders_exactly_as_written(text):
    out = markdown.markdown("Value: " + escape_markdown(text), extensions=MD_EXTENSIONS)
    inner = re.fullmatch(r"<p>(.*)</p>", out, re.S)
    expected = " ".join(("Value: " + re.sub(r"[\r\n]+", " ", text)).split())
    if inner is None:  # nothing but blanks after the label
        assert expected == "Value:"
        return
    assert "<" not in inner.group(1).replace("&lt;", "")
    assert " ".join(html.unescape(inner.group(1)).split()) == expected


@settings(max_examples=200, deadline=None)
@given(MD_TEXT)
def test_escaped_text_cannot_start_a_block(text):
    out = markdown.markdown(escape_markdown(text), extensions=MD_EXTENSIONS)
    assert out == "" or re.fullmatch(r"<p>[^<]*</p>", out.replace("&lt;", "")), out


def test_standalone_html_makes_no_external_request():
    for case, lang in [(c, lang) for c in CASES for lang in LANGS]:
        page = rendered(case, lang, "html")
        assert "<script" not in page and not re.search(r"<[a-z]+[^>]*\s(href|src)=", page)
        assert "@import" not in page and "url(" not in page
        assert re.findall(r"https?://[^\s\"']+", page) == ["http://www.w3.org/2000/svg"] * page.count("<svg")
        assert "Content-Security-Policy" in page and "default-src 'none'" in page


def test_a_record_of_another_profile_or_factor_is_refused():
    record = load_record("approved_middle_band")
    with pytest.raises(RenderError, match="profile 'demo', not 'tiny'"):
        render_page(record, TINY, lang="en", fmt="md")
    stray = replace(record, factors=(replace(record.factors[0], factor="shoe_size"),))
    with pytest.raises(RenderError, match="shoe_size"):
        render_page(stray, DEMO, lang="en", fmt="html")


def test_unknown_format_or_language_is_one_clear_error(tmp_path):
    record = load_record("approved_middle_band")
    with pytest.raises(RenderError, match="use md or html"):
        render_page(record, DEMO, lang="en", fmt="pdf")
    with pytest.raises(RenderError, match="use zh or en"):
        render_page(record, DEMO, lang="fr", fmt="md")
    with pytest.raises(RenderError, match="zh, en or all"):
        page_langs("fr")


@pytest.mark.parametrize(("case", "lang"), [(c, lang) for c in CASES for lang in LANGS])
def test_markdown_pages_convert_cleanly_with_the_site_extensions(case, lang):
    out = markdown.markdown(rendered(case, lang, "md"), extensions=MD_EXTENSIONS)
    record = load_record(case)
    assert out.count("<h1") == 1
    # every section, history only when there is one, no financing for an outage (nothing was decided)
    assert out.count("<h2") == 8 + (len(record.history) > 1) - (record.outcome == "retry_later")
    assert out.count('<div class="admonition ') == 1 + sum(o.changed_outcome for o in record.overlays)
    assert out.count("<pre") == (record.score is not None)  # the text score bar
    text = html.unescape(re.sub(r"<[^>]+>", "", out))
    assert "\\" not in text and "&#" not in text  # every escape was understood, none shows
    links = re.findall(r'href="([^"#]+)"', out)
    assert links and all(re.fullmatch(r"\.\./(causes|remedies|lessons|rights)/[a-z0-9-]+\.md", href) for href in links)
