"""The hand-made records every page test renders: one per situation a page must explain.

The golden inputs are DecisionRecords in ``golden/render/records/``; the expected pages sit in
``golden/render/pages/`` as ``<case>.<lang>.<md|html>``. After a deliberate change to templates,
wording or ``scorecard/pages``, regenerate them with
``SCORECARD_REGEN_GOLDEN=1 pytest tests/pages/test_page_goldens.py`` and review the diff. More
records (e.g. the demo personas') can be dropped into ``records/`` and get goldens the same way.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from scorecard.languages import page_languages
from scorecard.pages import render_page
from scorecard.profile import Profile, load_profile
from scorecard.records import DecisionRecord, record_from_dict

TESTS = Path(__file__).resolve().parent
GOLDEN = TESTS / "golden" / "render"
RECORDS = GOLDEN / "records"
PAGES = GOLDEN / "pages"
REGEN = bool(os.environ.get("SCORECARD_REGEN_GOLDEN") or os.environ.get("SCORECARD_UPDATE_GOLDEN"))

LANGS = page_languages().codes
DEMO = load_profile("demo")
TINY = load_profile(GOLDEN / "tiny_profile.yaml")
CASES = sorted(p.stem for p in RECORDS.glob("*.json"))
FORMATS = ("md", "html")
MD_EXTENSIONS = ["admonition", "attr_list", "def_list", "footnotes", "md_in_html", "tables", "toc",
                 "pymdownx.details", "pymdownx.superfences"]
ALL_PAGES = [(case, lang, fmt) for case in CASES for lang in LANGS for fmt in FORMATS]


def load_record(case: str) -> DecisionRecord:
    return record_from_dict(json.loads((RECORDS / f"{case}.json").read_text(encoding="utf-8")))


def profile_of(record: DecisionRecord) -> Profile:
    return TINY if record.profile == TINY.name else DEMO


def rendered(case: str, lang: str, fmt: str) -> str:
    record = load_record(case)
    return render_page(record, profile_of(record), lang=lang, fmt=fmt)
