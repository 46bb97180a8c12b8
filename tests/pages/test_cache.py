"""The page cache (``pages.cache``) changes how fast a batch renders, never what a page says."""

from __future__ import annotations

from scorecard.pages import PageRenderer

from _page_cases import CASES, DEMO, FORMATS, LANGS, TESTS, load_record


def test_a_page_from_the_cache_is_the_page_without_it():
    """A batch renders each repeated part once (``PageCache``); every page of a demo batch, in both
    formats and every language, is the same text as from a renderer that reuses nothing."""
    from scorecard.datasets.demo import generate
    from scorecard.explain import explain_table
    from scorecard.policy import default_policy
    from scorecard.spec import load_spec

    spec = load_spec(TESTS / "golden" / "demo_model.json")
    goldens = [record for record in map(load_record, CASES) if record.profile == DEMO.name]
    records = [*explain_table(spec, default_policy(), generate(800, 11)), *goldens]
    assert len({(r.outcome, r.recourse_status, len(r.history) > 1) for r in records}) > 6  # a varied batch
    for lang in LANGS:
        for fmt in FORMATS:
            cached, uncached = PageRenderer(DEMO, lang, fmt), PageRenderer(DEMO, lang, fmt, limit=0)
            for record in records:
                assert cached.render(record) == uncached.render(record), (lang, fmt, record.applicant_id)
