"""Explanation pages: one DecisionRecord -> a plain-language page, zh or en, Markdown or HTML.

The only jinja2 import of the package. Python does the thinking: it picks the sentences from
the locale files (``templates/locales/zh.yaml``, ``en.yaml``), fills in values it has already
ranked, rounded and formatted, and computes the geometry of the charts. The templates in
``templates/explain/`` only loop and print a :class:`PageContext`. No user-visible sentence
lives in this file.

Two formats, one ``jinja2.Environment`` each, both with ``StrictUndefined`` (a typo in a
template fails a test instead of printing nothing):

``html``
    A standalone file for one person: inline CSS, inline SVG, no script, no external request
    (a Content-Security-Policy forbids them). Autoescaping is on.
``md``
    Markdown for the MkDocs site (Material admonitions, no raw HTML). Every printed expression
    passes through :func:`escape_markdown` (``finalize``), unless Python built it as ``Markup``
    from trusted pieces only (the text score bar: digits, bar glyphs and locale labels).

Safety: nothing but the record's fields, the profile's labels and the locale wording reaches a
page. Page slugs become links only when they are valid slugs; everything else is escaped.

File names (``write_pages``): ``<stem>.md`` (zh) and ``<stem>.en.md`` for Markdown, the suffix
structure of mkdocs-static-i18n, so the site can take the pages as they are; ``<stem>.zh.html``
and ``<stem>.en.html`` for HTML. ``<stem>`` is ``workflows.safe_file_stem`` of the applicant id
with the same collision rule as the JSON records, so a page sits next to its record.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Literal

import jinja2
import yaml
from markupsafe import Markup

from scorecard.errors import RenderError
from scorecard.profile import SLUG, Factor, Profile
from scorecard.records import Change, DecisionRecord, FactorLine, Overlay, Plan, Reason

LANGS: tuple[str, ...] = ("zh", "en")
FORMATS: tuple[str, ...] = ("md", "html")

# The date the rights section (PIPL art. 24, 征信业管理条例 arts. 17 and 25) was last checked
# against the law texts; the knowledge-base pages under docs/rights/ carry the same date.
RIGHTS_LAST_CHECKED = "2026-11-22"

# Impact of a factor on a card, from the points it gives below the best it could give.
IMPACT_HIGH = 15  # points below best: at least this many -> high
IMPACT_MEDIUM = 5  # at least this many -> medium; fewer -> low
SHA_PREFIX = 12  # characters of the model's SHA-256 shown on the page

# Diversification lessons (docs/lessons/), in the order a page lists them, and which fit whom.
LESSONS: tuple[str, ...] = ("financing-channels", "cash-flow-planning", "lender-relationships", "debt-control",
                            "financial-literacy")
SMALL_BUSINESS_SEGMENTS = frozenset({"small_business"})
CAUSE_LESSONS: dict[str, tuple[str, ...]] = {
    "high-debt": ("debt-control",),
    "multiple-borrowing": ("debt-control",),
    "abnormal-borrowing": ("debt-control",),
    "overdue-history": ("cash-flow-planning",),
    "low-activity": ("lender-relationships",),
}
# Knowledge-base pages linked from fixed parts of the page.
HARD_RULE_PAGES = {"cannot_evaluate": ("incomplete-information", "complete-information"),
                   "retry_later": ("technical-maintenance", "wait-and-retry")}
OVERLAY_PAGES = {"cutoff": ("policy-tightening", "follow-announcements"), "limit_cap": ("regulation", "follow-announcements")}
DONT_PAGES = {"many_applications": "stop-multiple-applications", "test_cycles": "steady-use",
              "repair_agencies": "credit-report"}
RIGHTS_PAGES = {"pipl": "automated-decisions", "report": "credit-report", "lender": "score-report-limit",
                "complaints": "complaint-channels"}
SECTIONS_OF_PAGES = ("causes", "remedies", "lessons", "rights")

# The sections a page is made of, each rendered by ``_partials/<name>.<fmt>.j2`` from these
# PageContext fields only (plus the wording ``t``); a partial that reads a field not listed here
# fails (StrictUndefined). Shared sections are rendered once per distinct
# ``_Builder.shared_section_keys`` (the record fields these views follow from; a test holds the
# two together), the others once per page from items rendered once each.
SECTIONS: dict[str, tuple[str, ...]] = {
    "outcome": ("outcome", "badge", "headline", "score_lines", "bar"),
    "history": ("history",),
    "why": ("rules_notes", "hard_note", "why_intro", "reasons", "reason_blocks", "also_rules"),
    "actions": ("actions_intro", "plans", "action_notes", "dont_block"),
    "financing": ("financing_intro", "lessons", "risks"),
    "cards": ("cards_intro", "cards", "card_blocks"),
}
# Sections that repeat across pages as a whole. The others combine reasons, plans and cards
# differently on almost every page; their items (``_partials/reason``, ``step``, ``card``,
# ``more``) are what repeats, so those are rendered once each instead.
SHARED_SECTIONS = frozenset({"outcome", "financing"})

NOTHING = Markup("")  # an empty rendered part (no links, no history)
_PLURAL_NOUN = re.compile(r"^[a-z]+s$")  # an English count unit such as "times" or "days" (not "× income")
SPARK = "▁▂▃▄▅▆▇█"
TEXT_BAR_CELLS = 20  # narrow enough that bar, number and label fit a 360 px phone's code block
CLOSE = 150  # px: bar marks closer than this label away from each other
BAR_WIDTH, BAR_LEFT, BAR_RIGHT = 640, 24, 24
CHART_WIDTH, CHART_HEIGHT = 640, 250


# --- the page context: what templates print -----------------------------------------------------


@dataclass(frozen=True)
class Link:
    """A knowledge-base page: ``href`` is site-relative for Markdown pages (which live at
    ``personas/<slug>.md`` or any folder one level below the docs root); HTML pages print the
    title and ``site_path`` as text, since a standalone file has no site around it."""

    title: str
    href: str
    site_path: str
    text: str  # "title (site page path)", for standalone HTML


@dataclass(frozen=True)
class Marker:
    """A vertical line on the score bar (pass mark, usual pass mark, next limit band)."""

    kind: str
    x: float
    text_x: float
    label: str
    label_y: float
    line_end: float
    anchor: str


@dataclass(frozen=True)
class ScoreBar:
    """The score against the pass mark, drawn as an SVG bar (HTML) or text lines (Markdown)."""

    caption: str
    width: int
    height: int
    track_x: float
    track_width: float
    track_y: float
    fill_width: float
    passed: bool
    score_x: float
    score_label: str
    score_anchor: str
    gap_x: float  # the band between the score and the pass mark
    gap_width: float
    lo_label: str
    hi_label: str
    markers: tuple[Marker, ...]
    text: tuple[Markup, ...]


@dataclass(frozen=True)
class HistoryRow:
    date: str
    score: str
    decision: str
    limit: str


@dataclass(frozen=True)
class ChartDot:
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class ChartBar:
    x: float
    y: float
    width: float
    height: float
    label: str
    label_y: float


@dataclass(frozen=True)
class HistoryView:
    """Several snapshots of one applicant: a table and text sparkline (Markdown), a chart (HTML)."""

    summary: str
    sparkline: str
    rows: tuple[HistoryRow, ...]
    width: int
    height: int
    score_points: str  # SVG polyline points of the score line
    dots: tuple[ChartDot, ...]
    bars: tuple[ChartBar, ...]
    x_labels: tuple[ChartDot, ...]
    score_axis: tuple[ChartDot, ...]
    divider_y: float


@dataclass(frozen=True)
class ReasonView:
    code: str
    label: str
    text: str
    links: tuple[Link, ...]


@dataclass(frozen=True)
class Note:
    """A sentence group with optional links (rule notes, hard rules, don'ts, rights); ``more`` is
    the links as ``_partials/more.<fmt>.j2`` prints them after the text (rendered once per list)."""

    text: str
    links: tuple[Link, ...] = ()
    more: Markup = NOTHING


@dataclass(frozen=True)
class StepView:
    """One change of a plan: ``body`` is change, gain, timing and action as one text."""

    label: str
    change: str
    gain: str
    timing: str
    action: str
    detail: str  # timing and action
    body: str  # change, gain, timing and action
    links: tuple[Link, ...]


@dataclass(frozen=True)
class PlanView:
    title: str
    summary: str  # the new score and how long the plan takes
    steps: tuple[StepView, ...]
    step_blocks: tuple[Markup, ...]  # the steps rendered by ``_partials/step.<fmt>.j2`` (each distinct step once)


@dataclass(frozen=True)
class LessonView:
    title: str
    text: str
    link: Link


@dataclass(frozen=True)
class CardView:
    """One factor, always the same fields in the same order."""

    factor: str
    label: str
    points: str
    impact_level: Literal["high", "medium", "low"]
    impact: str
    impact_line: str
    yours: str
    best: str
    change_level: Literal["now", "time", "fixed"]
    change: str
    change_line: str
    action: str
    why: str


@dataclass(frozen=True)
class PageContext:
    """Everything one explanation page prints, already worded, rounded and formatted.

    Attributes:
        lang: "zh" or "en".
        html_lang: the page's language tag for ``<html lang>``.
        fmt: "md" or "html".
        t: the locale mapping (section titles and fixed wording the templates print directly).
        title: the page title.
        applicant: "Applicant <id>" line.
        assessed: "Assessed on <date>" line.
        outcome: approved / declined / retry_later / cannot_evaluate (for styling).
        badge: the outcome in a few words.
        headline: the outcome in one sentence.
        score_lines: score against the pass mark, the gap, the next band, the chance of trouble.
        bar: the score bar, or None when there is no score.
        history: how score and limit moved over several snapshots, or None.
        rules_notes: overlays that decided the outcome ("the rules changed, not you"); first in "why".
        hard_note: the hard rule that stopped evaluation, or None.
        why_intro: the sentence introducing the principal reasons.
        reasons: the principal reasons, most important first.
        reason_blocks: the reasons rendered by ``_partials/reason.<fmt>.j2``.
        also_rules: overlays that applied but did not change the outcome.
        actions_intro: the sentence introducing the plans (or saying none are needed or possible).
        plans: the recourse plans.
        action_notes: further sentences of "what you can do" (caveat, infeasible, hard-rule step).
        dont: what not to do.
        dont_block: ``dont`` rendered by ``_partials/dont.<fmt>.j2`` (the same on every page).
        financing_intro: the sentence introducing the lessons.
        lessons: diversification lessons that fit this person.
        risks: the risks of piling up debt.
        cards_intro: the sentence introducing the factor cards.
        cards: one card per factor (empty when nothing was scored).
        card_blocks: the cards rendered by ``_partials/card.<fmt>.j2`` (each distinct card once).
        not_mean: what this result does not mean.
        rights: rights and channels.
        last_checked: when the rights wording was last checked.
        rights_block: ``not_mean``, ``rights`` and ``last_checked`` rendered by ``_partials/rights.<fmt>.j2``
            (the same on every page, so rendered once per renderer).
        about: where the page comes from and what data made it.
        blocks: each section of ``SECTIONS`` rendered by its partial (what the page template prints).
    """

    lang: str
    html_lang: str
    fmt: str
    t: dict[str, Any]
    title: str
    applicant: str
    assessed: str
    outcome: str
    badge: str
    headline: str
    score_lines: tuple[str, ...]
    bar: ScoreBar | None
    history: HistoryView | None
    rules_notes: tuple[Note, ...]
    hard_note: Note | None
    why_intro: str
    reasons: tuple[ReasonView, ...]
    reason_blocks: tuple[Markup, ...]
    also_rules: tuple[Note, ...]
    actions_intro: str
    plans: tuple[PlanView, ...]
    action_notes: tuple[Note, ...]
    dont: tuple[Note, ...]
    dont_block: Markup
    financing_intro: str
    lessons: tuple[LessonView, ...]
    risks: tuple[str, ...]
    cards_intro: str
    cards: tuple[CardView, ...]
    card_blocks: tuple[Markup, ...]
    not_mean: tuple[str, ...]
    rights: tuple[Note, ...]
    last_checked: str
    rights_block: Markup
    about: tuple[str, ...]
    blocks: dict[str, Markup]


# --- locale wording ----------------------------------------------------------------------------


class Words:
    """One language's wording (a nested mapping read from ``locales/<lang>.yaml``)."""

    def __init__(self, lang: str, data: dict[str, Any], source: str) -> None:
        self.lang = lang
        self.data = data
        self.source = source
        self.joiner = "" if lang == "zh" else " "

    def has(self, *path: str) -> bool:
        node: Any = self.data
        for key in path:
            if not isinstance(node, dict) or key not in node:
                return False
            node = node[key]
        return True

    def get(self, *path: str) -> Any:
        node: Any = self.data
        for key in path:
            if not isinstance(node, dict) or key not in node:
                raise RenderError(f"{self.source}: no wording for '{'.'.join(path)}'; add it to both locale files")
            node = node[key]
        return node

    def text(self, *path: str, **fields: Any) -> str:
        template = self.get(*path)
        if not isinstance(template, str):
            raise RenderError(f"{self.source}: '{'.'.join(path)}' must be a sentence, not a {type(template).__name__}")
        return template.format(**fields) if fields else template

    def join(self, sentences: Iterable[str]) -> str:
        return self.joiner.join(s for s in sentences if s)


@lru_cache(maxsize=8)
def _read_wording(path: str, what: str) -> dict[str, Any]:
    """A locale file as a mapping; ``what`` ("page wording", "site wording") names it in errors."""
    file = Path(path)
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise RenderError(f"{file}: cannot read the {what} ({exc.__class__.__name__}); reinstall the package") from exc
    if not isinstance(data, dict):
        raise RenderError(f"{file}: the {what} must be a YAML mapping")
    return data


@lru_cache(maxsize=8)
def _load_words(path: str, lang: str) -> Words:
    return Words(lang, _read_wording(path, "page wording"), path)


def load_words(lang: str) -> Words:
    """The wording of one page language (``zh`` or ``en``)."""
    if lang not in LANGS:
        raise RenderError(f"unknown page language '{lang}'; use zh or en")
    from scorecard.resources import locales_dir

    return _load_words(str(locales_dir() / f"{lang}.yaml"), lang)


# --- escaping ----------------------------------------------------------------------------------

# Inline syntax (emphasis, code, links, attribute lists, table cells): escaped everywhere with a
# backslash, which Python-Markdown honours for these characters. Block syntax (headings, lists,
# quotes, admonitions, fences, definitions) only starts a line, so only a value's first
# character needs it; newlines are folded so a value never starts a line of its own.
_MD_INLINE = re.compile(r"([\\`*_{}\[\]|])")
_MD_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_MD_ENTITY = re.compile(r"[&<>]")
_NEWLINES = re.compile(r"[\r\n\u2028\u2029\v\f]+")
_MD_SPECIAL = re.compile(r"[\\`*_{}\[\]|&<>\r\n\u2028\u2029\v\f]|^[\s#+\-!:=~]|^\d+\.\s")
_MD_LEAD_BACKSLASH = frozenset("#+-!")
_MD_LEAD_ENTITY = frozenset(":=~")
_MD_ORDERED = re.compile(r"^(\d+)\.(?=\s)")  # an ordered list needs a blank after the dot


def escape_markdown(text: str) -> str:
    """Text that Python-Markdown shows exactly as written: no emphasis, link, HTML, list, heading,
    admonition, fence, table-cell break or attribute list can come out of it, and it stays on
    one line."""
    if not _MD_SPECIAL.search(text):
        return text
    text = _NEWLINES.sub(" ", text)
    text = _MD_ENTITY.sub(lambda m: _MD_ENTITIES[m.group()], text)
    text = _MD_INLINE.sub(r"\\\1", text)
    lead = len(text) - len(text.lstrip())
    if lead:  # leading blanks would make an indented code block
        text = "&#32;" * lead + text[lead:]
    first = text[:1]
    if first in _MD_LEAD_BACKSLASH:
        return "\\" + text
    if first in _MD_LEAD_ENTITY:
        return f"&#{ord(first)};" + text[1:]
    return _MD_ORDERED.sub(r"\1\\.", text, count=1)


def _finalize_md(value: Any) -> Any:
    # The Markdown environment autoescapes too, so macro output stays Markup; this finalize does
    # the escaping (Markdown's, not HTML's) and returns Markup so that HTML escaping is skipped.
    if isinstance(value, Markup):
        return value
    if value is None:
        raise RenderError("a page template printed a missing value; this is a bug in the templates")
    return Markup(escape_markdown(value if isinstance(value, str) else str(value)))


def _finalize_html(value: Any) -> Any:
    if value is None:
        raise RenderError("a page template printed a missing value; this is a bug in the templates")
    return value


def _svg_number(value: float) -> str:
    """Coordinates with at most one decimal, so SVG output is short and deterministic."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _concat(blocks: Iterable[Markup]) -> Markup:
    """Rendered partials printed one after the other: one print instead of one per block (what
    ``join`` would do, re-escaping each block). Only rendered partials (Markup) may be given."""
    blocks = tuple(blocks)
    for block in blocks:
        if not isinstance(block, Markup):
            raise RenderError("a page template concatenated text that is not a rendered partial; "
                              "this is a bug in the templates")
    return Markup("".join(blocks))


def _fill(sentence: str, **fields: Any) -> str:
    """A locale sentence with its ``{placeholders}`` filled in (the site templates' only formatter)."""
    return sentence.format(**fields)


@lru_cache(maxsize=4)
def _environment(fmt: str, folder: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        finalize=_finalize_html if fmt == "html" else _finalize_md,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters.clear()  # only the filters registered here, so templates cannot format on their own
    # No globals either (range, dict, ...): templates print what render.py hands them. It also
    # makes each render and macro import cheaper, which a batch of 10^5 pages feels.
    env.globals.clear()
    env.filters.update({"n": _svg_number, "join": jinja2.filters.do_join, "length": len, "fill": _fill,
                        "concat": _concat})
    return env


def _loaded(fmt: str, path: str) -> jinja2.Template:
    """``templates/<path>`` in the environment of ``fmt`` ("md": Markdown escaping, "html": HTML/XML)."""
    from scorecard.resources import templates_dir

    return _environment(fmt, str(templates_dir())).get_template(path)


def _template(fmt: str, name: str = "page") -> jinja2.Template:
    """``explain/page.<fmt>.j2``, or a partial (``name`` "_partials/card") rendered on its own."""
    return _loaded(fmt, f"explain/{name}.{fmt}.j2")


# --- numbers and values as words ---------------------------------------------------------------


def plain_number(value: float | int) -> str:
    """Whole numbers without a decimal point; others with at most four decimals."""
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        return str(value)
    if value == round(value) and abs(value) < 1e15:
        return str(int(round(value)))
    return f"{value:.4f}".rstrip("0").rstrip(".")


_RANGE = re.compile(r"^\[\s*(None|-inf|[-+0-9.eE]+)\s*,\s*(None|\+?inf|[-+0-9.eE]+)\s*\)$")


def _edge(text: str) -> float | None:
    return None if text in ("None", "-inf", "inf", "+inf") else float(text)


_NUMBER = r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?"
_WHOLE_SPAN = re.compile(rf"^({_NUMBER})\s*–\s*({_NUMBER})$")  # "0–2": whole numbers, both ends included
_BOUND = re.compile(rf"^(<|≤|≥)\s*({_NUMBER})$")  # "< 0.3", "≤ 2", "≥ 5"


def range_bounds(label: str) -> tuple[float | None, float | None] | None:
    """``lower <= x < upper`` of a numeric bin label (``binning.range_label``'s forms: "0–2", "3",
    "≤ 2", "≥ 5", "< 0.3", "[0.3, 0.5)", and optbinning's "[-inf, 0.3)"); None for other labels."""
    text = label.strip()
    match = _RANGE.match(text)
    if match:
        return _edge(match.group(1)), _edge(match.group(2))
    match = _WHOLE_SPAN.match(text)
    if match:
        return float(match.group(1)), float(match.group(2)) + 1
    match = _BOUND.match(text)
    if match:
        sign, number = match.group(1), float(match.group(2))
        return (None, number) if sign == "<" else (None, number + 1) if sign == "≤" else (number, None)
    if re.fullmatch(_NUMBER, text):
        return float(text), float(text) + 1
    return None


class _Speaker:
    """Turns numbers, values, bins and slugs into words of one language, for one profile."""

    def __init__(self, words: Words, profile: Profile, fmt: str) -> None:
        self.w = words
        self.fmt = fmt
        self.factors = {f.name: f for f in profile.factors}
        self.profile = profile
        self.sep = words.text("meta", "list_separator")
        self._bins: dict[tuple[str, str, str | None], str] = {}  # a page names the same few bins again and again

    # units
    def points(self, n: float) -> str:
        n = int(round(n))
        return self.w.text("units", "point_one" if abs(n) == 1 else "point_other", n=n)

    def money(self, n: int) -> str:
        return self.w.text("units", "money", n=f"{int(n):,}")

    def days(self, n: float) -> str:
        n = int(math.ceil(n))
        if n >= 60:
            months = int(round(n / 30))
            month = self.w.text("units", "month_one" if months == 1 else "month_other", n=months)
            return self.w.text("units", "days_months", n=n, months=month)
        return self.w.text("units", "days", n=n)

    def percent(self, p: float) -> str:
        if p < 0.001:
            return self.w.text("units", "percent_small")
        return self.w.text("units", "percent", n=f"{p * 100:.1f}")

    def factor(self, name: str) -> Factor:
        found = self.factors.get(name)
        if found is None:
            raise RenderError(f"the record names factor '{name}', which profile '{self.profile.name}' does not have; "
                              "render with the profile the model was trained on")
        return found

    def label(self, factor: Factor) -> str:
        return factor.label.get(self.w.lang)

    def _with_unit(self, factor: Factor, number: str, *, span: bool = False) -> str:
        """``number`` with the factor's unit; ``span``: the upper end of a range such as "0–1 times"."""
        if factor.unit is None:
            return number
        unit = factor.unit.get(self.w.lang)
        if unit == "%":
            return f"{number}%"
        if self.w.lang == "en" and number == "1" and not span and _PLURAL_NOUN.match(unit):
            unit = unit[:-1]  # "1 time", "1 day", "1 loan": count units are written as plural nouns
        return self.w.text("values", "unit", n=number, unit=unit)

    def _special(self, factor: Factor, value: Any) -> str | None:
        for special in factor.special_values:
            if special.value == value or (isinstance(value, (int, float)) and isinstance(special.value, (int, float))
                                          and float(special.value) == float(value)):
                return special.meaning.get(self.w.lang)
        return None

    def value(self, factor: Factor, value: Any) -> str:
        """The applicant's own value in words: 'Yes', '3 times', '95%', a special value's meaning."""
        if value is None:
            return self.w.text("values", "missing")
        special = self._special(factor, value)
        if special is not None:
            return special
        if factor.kind == "categorical" or isinstance(value, str):  # codes may be numbers (HELOC's 0-9)
            return factor.category_label(value if isinstance(value, str) else plain_number(value), self.w.lang)
        if factor.kind == "flag" and value in (0, 1):
            return self.w.text("values", "yes" if value == 1 else "no")
        return self._with_unit(factor, plain_number(value))

    def bin(self, factor: Factor, label: str, kind: str | None = None) -> str:
        """A bin label ('[2, 4)', 'A, B', '-1.0', 'Missing') in words: '2–3 times', 'A, B', ..."""
        key = (factor.name, label, kind)
        said = self._bins.get(key)
        if said is None:
            said = self._bins[key] = self._bin(factor, label, kind)
        return said

    def _bin(self, factor: Factor, label: str, kind: str | None) -> str:
        if kind == "missing":
            return self.w.text("values", "missing")
        if kind == "special":
            try:
                code: Any = float(label)
            except ValueError:
                code = label
            meaning = self._special(factor, code)
            return meaning if meaning is not None else self.w.text("values", "special_code", code=label)
        if factor.kind == "categorical" or kind == "categories":
            words = (factor.category_label(part.strip(), self.w.lang) for part in label.split(","))
            return self.sep.join(dict.fromkeys(words))  # codes with the same words (HELOC's 5, 6) say them once
        bounds = range_bounds(label)
        if bounds is None:
            return label
        lower, upper = bounds
        if factor.kind == "flag":
            holds_one = (lower is None or lower <= 1) and (upper is None or upper > 1)
            return self.w.text("values", "yes" if holds_one else "no")
        if factor.integer:
            if lower is None and factor.min_value is not None and upper is not None:
                lower = math.ceil(factor.min_value)
            last = None if upper is None else math.ceil(upper) - 1  # the largest whole number in the bin
            if upper is not None and factor.max_value is not None and last is not None and last >= factor.max_value:
                last = int(factor.max_value)
            if lower is not None:
                lower = math.ceil(lower)
            if lower is not None and last is not None:
                if lower == last:
                    return self._with_unit(factor, plain_number(lower))
                return self.w.text("values", "between", lower=plain_number(lower),
                                   upper=self._with_unit(factor, plain_number(last), span=True))
            if last is not None:
                return self.w.text("values", "at_most", upper=self._with_unit(factor, plain_number(last)))
            if lower is not None:
                if factor.max_value is not None and lower >= factor.max_value:
                    return self._with_unit(factor, plain_number(lower))
                return self.w.text("values", "at_least", lower=self._with_unit(factor, plain_number(lower)))
            return label
        if lower is not None and upper is not None:
            return self.w.text("values", "between_open", lower=plain_number(lower),
                               upper=self._with_unit(factor, plain_number(upper), span=True))
        if upper is not None:
            return self.w.text("values", "below", upper=self._with_unit(factor, plain_number(upper)))
        if lower is not None:
            return self.w.text("values", "at_least", lower=self._with_unit(factor, plain_number(lower)))
        return label

    def link(self, section: str, slug: str) -> Link | None:
        """A knowledge-base page; None for text that is not a slug (it never becomes a URL)."""
        if not isinstance(slug, str) or not SLUG.match(slug):
            return None
        title = self.w.text("pages", section, slug) if self.w.has("pages", section, slug) else slug
        site_root = "" if self.w.lang == "zh" else f"{self.w.lang}/"
        # A checked slug only, so the URL is trusted and printed as it is (Markup).
        site_path = f"{site_root}{section}/{slug}.html"
        return Link(title=title, href=Markup(f"../{section}/{slug}.md"), site_path=site_path,
                    text=self.w.text("links", "site_page", title=title, path=site_path))

    def links(self, section: str, slugs: Iterable[str]) -> tuple[Link, ...]:
        seen: list[Link] = []
        for slug in slugs:
            found = self.link(section, slug)
            if found is not None and found not in seen:
                seen.append(found)
        return tuple(seen)


def time_only_days(factor: Factor, value: Any, target: Any) -> int | None:
    """Waiting time for a time-only factor to move from ``value`` to ``target``: the recourse rule
    ``ceil(|target - value| / step) * days_per_step`` (None when it cannot be worked out)."""
    if factor.actionability != "time-only" or factor.days_per_step is None:
        return None
    if not isinstance(value, (int, float)) or not isinstance(target, (int, float)) or isinstance(value, bool):
        return None
    if factor.special_values and any(float(s.value) == float(value) for s in factor.special_values
                                     if isinstance(s.value, (int, float))):
        return None
    steps = math.ceil(abs(float(target) - float(value)) / factor.step - 1e-9)
    return int(steps * factor.days_per_step)


def impact_level(points_below_best: int) -> Literal["high", "medium", "low"]:
    if points_below_best >= IMPACT_HIGH:
        return "high"
    if points_below_best >= IMPACT_MEDIUM:
        return "medium"
    return "low"


def _unassessed(record: DecisionRecord) -> bool:
    """A hard rule stopped the evaluation before scoring: no score, bar, reasons or cards."""
    return record.hard_rule is not None or record.score is None


def _hard_kind(record: DecisionRecord) -> str:
    """Which hard-rule wording fits: "retry_later" or "cannot_evaluate"."""
    return "retry_later" if record.outcome == "retry_later" else "cannot_evaluate"


def choose_lessons(record: DecisionRecord, profile: Profile) -> tuple[str, ...]:
    """The diversification lessons that fit this person, in ``LESSONS`` order.

    A small-business owner gets the channels, cash-flow and lender lessons; anyone without a
    limit gets the channels lesson; each principal reason's cause pages add their lessons
    (``CAUSE_LESSONS``: debt causes -> debt control, late payments -> cash-flow planning, low
    activity -> lender relationships); financial literacy fits everyone and comes last.
    """
    chosen = {"financial-literacy"}
    if record.segment in SMALL_BUSINESS_SEGMENTS:
        chosen |= {"financing-channels", "cash-flow-planning", "lender-relationships"}
    if record.outcome in ("declined", "cannot_evaluate"):
        chosen.add("financing-channels")
    names = {f.name for f in profile.factors}
    for reason in record.reasons:
        pages = reason.cause_pages or (profile.factor(reason.factor).cause_pages if reason.factor in names else ())
        for page in pages:
            chosen.update(CAUSE_LESSONS.get(page, ()))
    return tuple(slug for slug in LESSONS if slug in chosen)


# --- building the context ----------------------------------------------------------------------


def _trusted(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _trusted(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_trusted(v) for v in node]
    return Markup(node) if isinstance(node, str) else node


class _Builder:
    """Builds page contexts for one profile, language and format. Parts that repeat across a
    batch (a factor line, a reason, a plan step) are frozen and hashable, so they are worded once."""

    MEMO_LIMIT = 200_000

    def __init__(self, profile: Profile, lang: str, fmt: str) -> None:
        if fmt not in FORMATS:
            raise RenderError(f"unknown page format '{fmt}'; use md or html")
        self.profile = profile
        self.lang = lang
        self.fmt = fmt
        self.w = load_words(lang)
        self.say = _Speaker(self.w, profile, fmt)
        self.template = _template(fmt)
        self.card_template = _template(fmt, "_partials/card")
        self.section_templates = {name: _template(fmt, f"_partials/{name}") for name in SECTIONS}
        self.item_templates = {name: _template(fmt, f"_partials/{name}") for name in ("reason", "step")}
        self.more_template = _template(fmt, "_partials/more")
        # Locale wording is part of the product, like the templates: trusted as written in
        # Markdown (escaping it would only add backslashes); HTML still escapes it.
        self.t = _trusted(self.w.data) if fmt == "md" else self.w.data
        self._memo: dict[tuple[str, Any], Any] = {}
        self._fixed = self._fixed_parts()
        # The same on every page: rendered once (templates still decide how it looks).
        self._fixed["rights_block"] = Markup(_template(fmt, "_partials/rights").render(c=self._fixed))
        self._fixed["dont_block"] = Markup(_template(fmt, "_partials/dont").render(c=self._fixed))

    def _memoised(self, kind: str, key: Any, build: Any) -> Any:
        found = self._memo.get((kind, key))
        if found is None:
            if len(self._memo) > self.MEMO_LIMIT:
                self._memo.clear()
            found = self._memo[(kind, key)] = build()
        return found

    def _note(self, text: str, links: tuple[Link, ...] = (), *, labelled: bool = True) -> Note:
        """A note whose links follow its text, under the "read more" label unless not ``labelled``."""
        def more() -> Markup:
            label = self.t["why"]["read_more"] if labelled else ""
            return Markup(self.more_template.render(c={"t": self.t, "links": links, "label": label}))

        return Note(text, links, self._memoised("more", (links, labelled), more) if links else NOTHING)

    # parts that are the same on every page
    def _fixed_parts(self) -> dict[str, Any]:
        w, say, note = self.w, self.say, self._note
        dont = tuple(note(w.text("dont", key), say.links("remedies" if key != "repair_agencies" else "rights", [slug]))
                     for key, slug in DONT_PAGES.items())
        rights = (
            note(w.join([w.text("rights", "pipl"), w.text("rights", "pipl_refuse")]),
                 say.links("rights", [RIGHTS_PAGES["pipl"]])),
            note(w.join([w.text("rights", "report"), w.text("rights", "dispute")]),
                 say.links("rights", [RIGHTS_PAGES["report"]])),
            note(w.join([w.text("rights", "lender"), w.text("rights", "lender_kinds")]),
                 say.links("rights", [RIGHTS_PAGES["lender"]])),
            note(w.text("rights", "complaints"), say.links("rights", [RIGHTS_PAGES["complaints"]])),
        )
        return {
            "t": self.t,
            "html_lang": w.text("meta", "html_lang"),
            "title": w.text("meta", "title"),
            "dont": dont,
            "risks": (w.text("financing", "risk_many"), w.text("financing", "risk_rollover"),
                      w.text("financing", "risk_cost")),
            "not_mean": (w.join([w.text("not_mean", "report"), w.text("not_mean", "report_query")]),
                         w.text("not_mean", "sesame"), w.text("not_mean", "permanent")),
            "rights": rights,
            "last_checked": w.text("rights", "last_checked", date=RIGHTS_LAST_CHECKED),
            "about_model": w.text("about", "model"),
            "about_data": w.text("about", "data"),
            "about_profile": w.text("about", "profile", description=self.profile.description.get(self.lang).rstrip("。.")),
        }

    def context(self, record: DecisionRecord) -> PageContext:
        if record.profile != self.profile.name:
            raise RenderError(f"record '{record.applicant_id}' was made with profile '{record.profile}', not "
                              f"'{self.profile.name}'; render it with the profile of its model")
        w = self.w
        f = self._fixed
        hard = _unassessed(record)
        shown_cards = tuple(self._card(line) for line in record.factors)  # (view, rendered block) pairs
        shared_keys = self.shared_section_keys(record)
        score_lines, bar = self._memoised("outcome", shared_keys["outcome"], lambda: (
            self._score_lines(record), None if hard else self._bar(record)))
        approved = record.outcome == "approved"
        small_business, lesson_slugs = shared_keys["financing"]
        shown_reasons = tuple(self._reason(n, r, record.reason_baseline, approved)
                              for n, r in enumerate(record.reasons, 1))
        reasons = tuple(view for view, _ in shown_reasons)
        plans = tuple(self._plan(i + 1, p) for i, p in enumerate(record.recourse))
        fields = dict(
            lang=self.lang,
            html_lang=f["html_lang"],
            fmt=self.fmt,
            t=f["t"],
            title=f["title"],
            applicant=w.text("meta", "applicant", id=record.applicant_id),
            assessed=(w.text("meta", "assessed_on", date=record.snapshot_date) if record.snapshot_date
                      else w.text("meta", "no_date")),
            outcome=record.outcome,
            badge=w.text("badge", record.outcome),
            headline=self._headline(record),
            score_lines=score_lines,
            bar=bar,
            history=self._history(record) if len(record.history) > 1 else None,
            rules_notes=tuple(self._overlay_note(o, record, deciding=True) for o in record.overlays if o.changed_outcome),
            hard_note=self._hard_note(record) if hard else None,
            why_intro=self._why_intro(record, hard),
            reasons=reasons,
            reason_blocks=tuple(block for _, block in shown_reasons),
            also_rules=tuple(self._overlay_note(o, record, deciding=False) for o in record.overlays
                             if not o.changed_outcome),
            actions_intro=self._actions_intro(record),
            plans=plans,
            action_notes=self._action_notes(record),
            dont=f["dont"],
            dont_block=f["dont_block"],
            financing_intro=w.text("financing", "intro_small_business" if small_business else "intro"),
            lessons=tuple(self._lesson(slug) for slug in lesson_slugs),
            risks=f["risks"],
            cards_intro=w.text("cards", "none") if not record.factors else w.text("cards", "intro"),
            cards=tuple(view for view, _ in shown_cards),
            card_blocks=tuple(block for _, block in shown_cards),
            not_mean=f["not_mean"],
            rights=f["rights"],
            last_checked=f["last_checked"],
            rights_block=f["rights_block"],
            about=self._about(record),
        )
        return PageContext(**fields, blocks=self._blocks(fields, shared_keys))

    def shared_section_keys(self, record: DecisionRecord) -> dict[str, Any]:
        """For each of SHARED_SECTIONS, the record fields its content follows from: the cache key of
        the rendered section (a few values, cheaper to hash than the views they become)."""
        hard = _unassessed(record)
        return {
            "outcome": (record.outcome, record.score, record.cutoff, record.base_cutoff, record.next_band_score,
                        record.limit, record.pd, self._capped(record), hard),
            "financing": (record.segment in SMALL_BUSINESS_SEGMENTS, choose_lessons(record, self.profile)),
        }

    def _blocks(self, fields: dict[str, Any], shared_keys: dict[str, Any]) -> dict[str, Markup]:
        blocks: dict[str, Markup] = {}
        for name, keys in SECTIONS.items():
            if name == "history" and fields["history"] is None:
                blocks[name] = NOTHING
                continue

            def build(name: str = name, keys: tuple[str, ...] = keys) -> Markup:
                return Markup(self.section_templates[name].render(c={"t": fields["t"], **{k: fields[k] for k in keys}}))

            blocks[name] = (self._memoised(f"section:{name}", shared_keys[name], build) if name in SHARED_SECTIONS
                            else build())
        return blocks

    def _item_block(self, name: str, n: int, view: Any) -> Markup:
        """An item partial (reason, step) as the ``n``-th of its list (callers memoise it)."""
        return Markup(self.item_templates[name].render(c={"t": self._fixed["t"], "n": n, "item": view}))



    # outcome
    def _headline(self, record: DecisionRecord) -> str:
        if record.outcome == "approved":
            return self.w.text("outcome", "approved", limit=self.say.money(record.limit))
        return self.w.text("outcome", record.outcome)

    def _capped(self, record: DecisionRecord) -> bool:
        return any(o.kind == "limit_cap" for o in record.overlays)

    def _score_lines(self, record: DecisionRecord) -> tuple[str, ...]:
        w, say = self.w, self.say
        if record.score is None:
            return (w.text("outcome", "no_score"),)
        gap = record.score - record.cutoff
        if gap > 0:
            first = w.text("outcome", "score_above", score=say.points(record.score), cutoff=say.points(record.cutoff),
                           gap=say.points(gap))
        elif gap == 0:
            first = w.text("outcome", "score_equal", score=say.points(record.score))
        else:
            first = w.text("outcome", "score_below", score=say.points(record.score), cutoff=say.points(record.cutoff),
                           gap=say.points(-gap))
        lines = [first]
        if record.outcome == "approved":
            if record.next_band_score is not None:
                lines.append(w.text("outcome", "next_band", gap=say.points(record.next_band_score - record.score),
                                    target=say.points(record.next_band_score)))
            elif self._capped(record):
                lines.append(w.text("outcome", "capped", limit=say.money(record.limit)))
            else:
                lines.append(w.text("outcome", "top_band"))
        if record.pd is not None:
            lines.append(w.join([w.text("outcome", "chance", pct=say.percent(record.pd)), w.text("outcome", "chance_note")]))
        lines.append(w.text("outcome", "points_note"))
        return tuple(lines)

    def _bar(self, record: DecisionRecord) -> ScoreBar:
        w, score = self.w, int(record.score)  # type: ignore[arg-type]
        marks: list[tuple[str, int]] = [("cutoff", record.cutoff)]
        if record.base_cutoff != record.cutoff:
            marks.append(("base_cutoff", record.base_cutoff))
        if record.outcome == "approved" and record.next_band_score is not None:
            marks.append(("next_band", record.next_band_score))
        values = [score] + [v for _, v in marks]
        lo = int(math.floor((min(values) - 40) / 50) * 50)
        hi = int(math.ceil((max(values) + 40) / 50) * 50)
        track_x, track_w = float(BAR_LEFT), float(BAR_WIDTH - BAR_LEFT - BAR_RIGHT)

        def x_of(v: float) -> float:
            return round(track_x + track_w * (min(max(v, lo), hi) - lo) / (hi - lo), 1)

        def anchor(x: float) -> str:
            return "start" if x < track_x + 60 else "end" if x > track_x + track_w - 60 else "middle"

        # Labels of marks closer than CLOSE px point away from each other (text left of the left
        # mark, right of the right one); a mark crowded on both sides drops to a second row.
        placed = sorted(((x_of(v), kind, v) for kind, v in marks), key=lambda m: (m[0], m[1]))
        markers = []
        rows = 1
        for i, (x, kind, v) in enumerate(placed):
            left = i > 0 and x - placed[i - 1][0] < CLOSE
            right = i + 1 < len(placed) and placed[i + 1][0] - x < CLOSE
            row, anchor_, text_x = 0, anchor(x), x
            if left and right:
                row, anchor_ = 1, "middle"
            elif right:
                anchor_, text_x = "end", x - 5
            elif left:
                anchor_, text_x = "start", x + 5
            rows = max(rows, row + 1)
            label_y = 100.0 + 18 * row
            markers.append(Marker(kind=kind, x=x, text_x=round(text_x, 1), label=f"{w.text('bar', kind)} {v}",
                                  label_y=label_y, line_end=label_y - 13, anchor=anchor_))
        score_x, cutoff_x = x_of(score), x_of(record.cutoff)
        gap = record.cutoff - score
        gap_label = (w.text("bar", "gap_below", gap=self.say.points(gap)) if gap > 0
                     else w.text("bar", "gap_above", gap=self.say.points(-gap)))
        text = self._text_bar(score, marks, lo, hi)

        return ScoreBar(
            caption=w.text("bar", "caption", score=self.say.points(score), cutoff=self.say.points(record.cutoff)),
            width=BAR_WIDTH, height=int(100 + 18 * (rows - 1) + 10), track_x=track_x, track_width=track_w,
            track_y=40.0, fill_width=round(score_x - track_x, 1), passed=score >= record.cutoff,
            score_x=score_x, score_label=f"{w.text('bar', 'score')} {score} · {gap_label}", score_anchor=anchor(score_x),
            gap_x=min(score_x, cutoff_x), gap_width=round(abs(cutoff_x - score_x), 1),
            lo_label=str(lo), hi_label=str(hi), markers=tuple(markers), text=text,
        )

    def _text_bar(self, score: int, marks: list[tuple[str, int]], lo: int, hi: int) -> tuple[Markup, ...]:
        """Markdown's bar: fixed-width lines of block glyphs (all East-Asian-ambiguous width, so the
        lines stay aligned with any monospace font), then the number and a locale label. The gap
        is not repeated here: the score line above the bar says it."""
        cells = TEXT_BAR_CELLS

        def cell(v: int) -> int:
            return min(cells - 1, max(0, int(round((v - lo) / (hi - lo) * (cells - 1)))))

        filled = cell(score) + 1
        lines = [f"{'█' * filled}{'░' * (cells - filled)} {score:>3} {self.w.text('bar', 'score')}"]
        for kind, v in marks:
            at = cell(v)
            track = "─" * at + ("┃" if kind == "cutoff" else "┊") + "─" * (cells - at - 1)
            lines.append(f"{track} {v:>3} {self.w.text('bar', kind)}")
        # Built from digits, bar glyphs and locale labels only: nothing from the record as text.
        return tuple(Markup(line) for line in lines)

    # history
    def _history(self, record: DecisionRecord) -> HistoryView:
        w, say = self.w, self.say
        snaps = record.history
        no_score = w.text("history", "no_score")
        rows = tuple(HistoryRow(date=s.date or "", score=no_score if s.score is None else str(s.score),
                                decision=self._decision_label(s.decision), limit=say.money(s.limit)) for s in snaps)
        first, last = snaps[0], snaps[-1]
        summary = w.text("history", "summary", first_date=first.date, last_date=last.date,
                         first_score=no_score if first.score is None else say.points(first.score),
                         last_score=no_score if last.score is None else say.points(last.score))
        summary = w.join([summary, w.text("history", "limit_summary", first_limit=say.money(first.limit),
                                             last_limit=say.money(last.limit))])
        scores = [s.score for s in snaps if s.score is not None]
        lo_s, hi_s = (min(scores), max(scores)) if scores else (0, 1)
        spark = "".join(
            " " if s.score is None else SPARK[0 if hi_s == lo_s else int(round((s.score - lo_s) / (hi_s - lo_s) * 7))]
            for s in snaps
        )
        sparkline = w.text("history", "trend", sparkline=f"{spark} ({' → '.join(r.score for r in rows)})")
        # chart: score line on top (y 30..120), limit bars below (y 150..210)
        n = len(snaps)
        left, right = 70.0, CHART_WIDTH - 40.0
        xs = [left + (right - left) * (i / (n - 1) if n > 1 else 0.5) for i in range(n)]
        pad = max(10, (hi_s - lo_s) * 0.15)
        s_lo, s_hi = lo_s - pad, hi_s + pad

        def y_score(v: float) -> float:
            return round(120 - 90 * (v - s_lo) / (s_hi - s_lo), 1)

        dots = tuple(ChartDot(x=round(x, 1), y=y_score(s.score), label=str(s.score))
                     for x, s in zip(xs, snaps) if s.score is not None)
        max_limit = max((s.limit for s in snaps), default=0) or 1
        bar_w = min(60.0, (right - left) / max(n, 1) * 0.5)
        bars = []
        for x, s in zip(xs, snaps):
            h = round(60 * s.limit / max_limit, 1)
            bars.append(ChartBar(x=round(x - bar_w / 2, 1), y=round(210 - h, 1), width=round(bar_w, 1), height=h,
                                 label=f"{s.limit:,}", label_y=round(210 - h - 4, 1)))
        x_labels = tuple(ChartDot(x=round(x, 1), y=232.0, label=s.date or "") for x, s in zip(xs, snaps))
        axis = (ChartDot(x=8.0, y=24.0, label=w.text("history", "score")),
                ChartDot(x=8.0, y=150.0, label=w.text("history", "limit")))
        return HistoryView(
            summary=summary, sparkline=sparkline, rows=rows, width=CHART_WIDTH,
            height=CHART_HEIGHT, score_points=" ".join(f"{d.x:g},{d.y:g}" for d in dots), dots=dots,
            bars=tuple(bars), x_labels=x_labels, score_axis=axis, divider_y=135.0,
        )

    def _decision_label(self, code: str) -> str:
        if self.w.has("decisions", code):
            return self.w.text("decisions", code)
        if code.startswith("RETRY_LATER"):
            return self.w.text("decisions", "generic_retry_later")
        if code.startswith("HARD_"):
            return self.w.text("decisions", "generic_cannot_evaluate")
        return self.w.text("decisions", "generic_declined")

    # why
    def _overlay_note(self, overlay: Overlay, record: DecisionRecord, *, deciding: bool) -> Note:
        return self._memoised("overlay", (overlay, deciding, record.score if deciding else None),
                              lambda: self._build_overlay_note(overlay, record.score, deciding))

    def _build_overlay_note(self, overlay: Overlay, score: int | None, deciding: bool) -> Note:
        w, say = self.w, self.say
        parts: list[str] = []
        if overlay.kind == "cutoff":
            if deciding:
                parts.append(w.text("rules", "cutoff_changed", before=say.points(overlay.before),
                                    after=say.points(overlay.after)))
                if score is not None and score >= overlay.before:
                    parts.append(w.text("rules", "cutoff_would_pass", score=say.points(score)))
            else:
                parts.append(w.text("rules", "cutoff_applied", before=say.points(overlay.before),
                                    after=say.points(overlay.after)))
        else:
            if deciding:
                parts.append(w.text("rules", "cap_changed", before=say.money(overlay.before), after=say.money(overlay.after)))
            else:
                parts.append(w.text("rules", "cap_applied", after=say.money(overlay.after)))
        if w.has("rules", "codes", overlay.code):
            parts.append(w.text("rules", "codes", overlay.code))
        if not deciding:
            parts.append(w.text("rules", "no_change"))
        cause, remedy = OVERLAY_PAGES[overlay.kind]
        links = say.links("causes", [cause]) + say.links("remedies", [remedy]) if deciding else say.links("causes", [cause])
        return self._note(w.join(parts), links)

    def _hard_note(self, record: DecisionRecord) -> Note:
        w = self.w
        code = record.hard_rule or record.decision
        kind = _hard_kind(record)
        if w.has("hard", code):
            text = w.text("hard", code, "why")
        else:
            text = w.text("hard", f"generic_{kind}", "why", code=code)
        cause, _ = HARD_RULE_PAGES[kind]
        return self._note(w.join([text, w.text("hard", "not_credit")]), self.say.links("causes", [cause]))

    def _why_intro(self, record: DecisionRecord, hard: bool) -> str:
        if hard:
            return ""
        if record.reasons:
            return self.w.text("why", "intro_approved" if record.outcome == "approved" else "intro_declined")
        return self.w.text("why", "none_approved" if record.outcome == "approved" else "none_declined")

    def _reason(self, n: int, reason: Reason, baseline: str, approved: bool) -> tuple[ReasonView, Markup]:
        """The reason's view and its partial rendered as the ``n``-th reason."""
        # Keyed on what the sentence shows: the shortfall is printed as whole points.
        key = (reason.factor, reason.kind, reason.value, reason.bin_label, reason.better_bin_labels, reason.cause_pages,
               max(1, round(reason.points_below_baseline)), baseline, approved)
        view = self._memoised("reason", key, lambda: self._build_reason(reason, baseline, approved))
        return view, self._memoised("reason_block", (n, key), lambda: self._item_block("reason", n, view))

    def _build_reason(self, reason: Reason, baseline: str, approved: bool) -> ReasonView:
        w, say = self.w, self.say
        factor = say.factor(reason.factor)
        label = say.label(factor)
        if reason.kind == "special":
            meaning = say._special(factor, reason.value)
            first = (w.text("why", "special", meaning=meaning.rstrip("。.")) if meaning
                     else w.text("why", "value", value=say.bin(factor, reason.bin_label, "special")))
        elif reason.kind == "missing":
            first = w.text("why", "missing")
        else:
            first = w.text("why", "value", value=say.value(factor, reason.value))
        parts = [first]
        if reason.better_bin_labels:
            parts.append(w.text("why", "best", best=say.bin(factor, reason.better_bin_labels[0])))
            if len(reason.better_bin_labels) > 1:
                parts.append(w.text("why", "nearer", nearer=say.bin(factor, reason.better_bin_labels[-1])))
        who_key = "cutoff_average_band" if baseline == "cutoff_average" and approved else baseline
        who = w.text("why", "who", who_key) if w.has("why", "who", who_key) else w.text("why", "who", "best_points")
        parts.append(w.text("why", "cost", points=say.points(max(1, round(reason.points_below_baseline))), who=who))
        pages = reason.cause_pages or factor.cause_pages
        return ReasonView(code=reason.code, label=label, text=w.join(parts), links=say.links("causes", pages))

    # what you can do
    def _actions_intro(self, record: DecisionRecord) -> str:
        w, say = self.w, self.say
        status = record.recourse_status
        if status == "found" and record.recourse:
            target = say.points(record.recourse_target or record.cutoff)
            return w.text("actions", "intro_approved" if record.outcome == "approved" else "intro_declined", target=target)
        if status == "infeasible":
            return w.text("actions", "infeasible", target=say.points(record.recourse_target or record.cutoff))
        if status == "not_needed":
            capped = any(o.kind == "limit_cap" and o.changed_outcome for o in record.overlays) or (
                record.next_band_score is None and self._capped(record))
            return w.text("actions", "not_needed_capped" if capped else "not_needed_top")
        if _unassessed(record):
            code = record.hard_rule or record.decision
            kind = _hard_kind(record)
            return w.text("hard", code, "step") if w.has("hard", code) else w.text("hard", f"generic_{kind}", "step")
        return w.text("actions", "infeasible", target=say.points(record.recourse_target or record.cutoff))

    def _action_notes(self, record: DecisionRecord) -> tuple[Note, ...]:
        if record.recourse_status == "found" and record.recourse:
            case = "found"
        elif record.recourse_status == "infeasible":
            case = "infeasible"
        elif _unassessed(record):
            case = _hard_kind(record)
        else:
            return ()
        return self._memoised("action_notes", case, lambda: self._build_action_notes(case))

    def _build_action_notes(self, case: str) -> tuple[Note, ...]:
        w, say = self.w, self.say
        if case == "found":
            return (self._note(w.text("actions", "caveat")),)
        if case == "infeasible":
            return (self._note(w.text("actions", "infeasible_time")),
                    self._note(w.text("actions", "infeasible_other"), say.links("lessons", ["financing-channels"]),
                               labelled=False))
        _, remedy = HARD_RULE_PAGES[case]
        return (self._note(w.text("actions", "how"), say.links("remedies", [remedy]), labelled=False),)

    def _plan(self, n: int, plan: Plan) -> PlanView:
        # Whole plans rarely repeat; their title, summary and steps do, so those are memoised.
        w, say = self.w, self.say
        title = self._memoised("plan_title", n, lambda: w.text("actions", "plan", n=n))
        summary = self._memoised("plan_summary", (plan.new_score, plan.wait_days), lambda: w.join([
            w.text("actions", "plan_result", score=say.points(plan.new_score)),
            w.text("actions", "plan_now") if plan.wait_days is None
            else w.text("actions", "plan_wait", days=say.days(plan.wait_days))]))
        steps = tuple(self._step(c) for c in plan.changes)
        step_blocks = tuple(self._memoised("step_block", (i, change), lambda: self._item_block("step", i, step))
                            for i, (change, step) in enumerate(zip(plan.changes, steps), 1))
        return PlanView(title=title, summary=summary, steps=steps, step_blocks=step_blocks)

    def _step(self, change: Change) -> StepView:
        return self._memoised("step", change, lambda: self._build_step(change))

    def _build_step(self, change: Change) -> StepView:
        w, say = self.w, self.say
        factor = say.factor(change.factor)
        label = say.label(factor)
        from_value = (say.value(factor, change.from_value) if change.from_value is not None
                      else w.text("values", "missing"))
        text = w.text("actions", "step", from_value=from_value, to_value=say.value(factor, change.to_value))
        gain = w.text("actions", "gain", points=say.points(change.points_gain))
        timing = (w.text("actions", "step_now") if change.wait_days is None
                  else w.text("actions", "step_wait", days=say.days(change.wait_days)))
        action = self._factor_action(factor, say.value(factor, change.to_value), at_best=False)
        body = w.join([w.text("actions", "step_line", change=text, gain=gain), timing, action])
        return StepView(label=label, change=text, gain=gain, timing=timing, action=action,
                        detail=w.join([timing, action]), body=body,
                        links=say.links("remedies", change.remedy_pages or factor.remedy_pages))

    def _factor_action(self, factor: Factor, better: str | None, *, at_best: bool) -> str:
        w = self.w
        if at_best and factor.actionability != "fixed":
            return w.text("cards", "generic_action", "at_best")
        if w.has("factors", self.profile.name, factor.name, "action"):
            return w.text("factors", self.profile.name, factor.name, "action")
        if factor.actionability == "fixed":
            return w.text("cards", "generic_action", "fixed")
        if factor.actionability == "time-only" or better is None:
            return w.text("cards", "generic_action", "time")
        return w.text("cards", "generic_action", factor.helps, better=better)

    # other ways to finance
    def _lesson(self, slug: str) -> LessonView:
        return self._memoised("lesson", slug, lambda: self._build_lesson(slug))

    def _build_lesson(self, slug: str) -> LessonView:
        link = self.say.link("lessons", slug)
        if link is None:  # LESSONS are fixed slugs; this only guards against an edit that breaks one
            raise RenderError(f"lesson '{slug}' is not a page slug; fix render.LESSONS")
        return LessonView(title=link.title, text=self.w.text("financing", "lessons", slug), link=link)

    # factor cards
    def _card(self, line: FactorLine) -> tuple[CardView, Markup]:
        """The card's view and its partial rendered; cards repeat across a batch, so each is built once."""
        # Keyed on what the card shows (not the reason baseline, which varies with the threshold).
        key = (line.factor, line.value, line.bin_label, line.bin_kind, line.points, line.best_points, line.better_value)
        return self._memoised("card", key, lambda: self._build_card_block(line))

    def _build_card_block(self, line: FactorLine) -> tuple[CardView, Markup]:
        card = self._build_card(line)
        return card, Markup(self.card_template.render(card=card, t=self._fixed["t"]))

    def _build_card(self, line: FactorLine) -> CardView:
        w, say = self.w, self.say
        factor = say.factor(line.factor)
        below = max(0, line.best_points - line.points)
        level = impact_level(below)
        at_best = below == 0
        if line.bin_kind == "missing" or line.value is None:
            yours = w.text("values", "missing")
        elif line.bin_kind == "special":
            yours = say._special(factor, line.value) or say.bin(factor, line.bin_label, "special")
        else:
            yours = say.value(factor, line.value)
        better_text = None if line.better_value is None else say.value(factor, line.better_value)
        if better_text is not None:
            best = better_text
        elif at_best:
            best = w.text("cards", "at_best")
        elif factor.actionability == "fixed":
            best = w.text("cards", "fixed_best")
        else:
            best = w.text("cards", "no_better")
        change_level = {"actionable": "now", "time-only": "time", "fixed": "fixed"}[factor.actionability]
        if factor.actionability == "fixed":
            counts = w.text("cards", "counts", "fixed")
        elif at_best:
            counts = ""
        elif factor.actionability == "actionable":
            counts = w.text("cards", "counts", "now")
        else:
            days = time_only_days(factor, line.value if line.bin_kind == "range" else None, line.better_value)
            counts = (w.text("cards", "counts", "time", days=say.days(days)) if days
                      else w.text("cards", "counts", "time_unknown"))
        note = (w.text("cards", "impact_note", "full") if at_best
                else w.text("cards", "impact_note", level, points=say.points(below)))
        if w.has("factors", self.profile.name, factor.name, "why"):
            why = w.text("factors", self.profile.name, factor.name, "why")
        else:
            why = w.text("cards", "generic_why", meaning=factor.meaning.get(self.lang).rstrip("。."))
        return CardView(
            factor=factor.name,
            label=say.label(factor),
            points=w.text("cards", "points", points=line.points, best=line.best_points),
            impact_level=level,
            impact=w.text("cards", "impact", level),
            impact_line=w.text("cards", "impact_line", impact=w.text("cards", "impact", level), note=note),
            yours=yours,
            best=best,
            change_level=change_level,  # type: ignore[arg-type]
            change=w.text("cards", "change", change_level),
            change_line=(w.text("cards", "change_line", change=w.text("cards", "change", change_level), counts=counts)
                         if counts else w.text("cards", "change", change_level)),
            action=self._factor_action(factor, better_text, at_best=at_best),
            why=why,
        )

    # about this page
    def _about(self, record: DecisionRecord) -> tuple[str, ...]:
        # Two lines vary with the record (sources, codes); each is worded once per distinct value.
        w, f = self.w, self._fixed
        sources = self._memoised("about_sources", (record.model_sha256, record.policy_version, record.snapshot_date),
                                 lambda: w.text("about", "sources", sha=record.model_sha256[:SHA_PREFIX],
                                                policy=record.policy_version,
                                                date=record.snapshot_date or w.text("meta", "no_date")))
        codes_key = (record.decision, tuple(r.code for r in record.reasons))
        codes = self._memoised("about_codes", codes_key, lambda: w.text(
            "about", "codes", decision=record.decision,
            codes=w.text("meta", "list_separator").join(codes_key[1]) or w.text("meta", "none")))
        return f["about_model"], f["about_data"], sources, f["about_profile"], codes

    def render(self, record: DecisionRecord) -> str:
        return self.template.render(c=self.context(record))


_BUILDERS: dict[tuple[int, str, str], tuple[Profile, _Builder]] = {}


def _builder(profile: Profile, lang: str, fmt: str) -> _Builder:
    key = (id(profile), lang, fmt)
    found = _BUILDERS.get(key)
    if found is None or found[0] is not profile:
        if len(_BUILDERS) > 16:
            _BUILDERS.clear()
        found = _BUILDERS[key] = (profile, _Builder(profile, lang, fmt))  # keeps the profile alive, so its id stays its own
    return found[1]


def page_context(record: DecisionRecord, profile: Profile, *, lang: str, fmt: str) -> PageContext:
    """The context one page prints (for tests and other front ends)."""
    return _builder(profile, lang, fmt).context(record)


def render_page(record: DecisionRecord, profile: Profile, *, lang: str, fmt: str) -> str:
    """One explanation page: ``lang`` "zh" or "en", ``fmt`` "md" (MkDocs) or "html" (standalone)."""
    if fmt not in FORMATS:
        raise RenderError(f"unknown page format '{fmt}'; use md or html")
    return _builder(profile, lang, fmt).render(record)


def page_name(stem: str, *, lang: str, fmt: str) -> str:
    """``<stem>.md`` / ``<stem>.en.md`` (mkdocs-static-i18n suffix structure) or ``<stem>.<lang>.html``."""
    if fmt == "md":
        return f"{stem}.md" if lang == LANGS[0] else f"{stem}.{lang}.md"
    return f"{stem}.{lang}.html"


def write_pages(records: Iterable[DecisionRecord], profile: Profile, out_dir: Path, *, fmt: str,
                lang: str) -> list[Path]:
    """Write one page per record and language into ``out_dir``; returns the paths in record order.

    File stems follow the JSON records of ``scorecard explain`` (``workflows.safe_file_stem``,
    and the same rule for ids whose stems collide), so each page sits next to its record.
    """
    from scorecard.workflows import safe_file_stem

    if fmt not in FORMATS:
        raise RenderError(f"unknown page format '{fmt}'; use md or html")
    if lang not in (*LANGS, "all"):
        raise RenderError(f"unknown page language '{lang}'; use zh, en or all")
    langs = LANGS if lang == "all" else (lang,)
    builders = [(code, _builder(profile, code, fmt)) for code in langs]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    taken: set[str] = set()
    for record in records:
        stem = safe_file_stem(record.applicant_id)
        if stem.lower() in taken:  # case-insensitive file systems, as for the JSON records
            stem = safe_file_stem(record.applicant_id + "\0")
        taken.add(stem.lower())
        for code, builder in builders:
            path = out / page_name(stem, lang=code, fmt=fmt)
            with path.open("w", encoding="utf-8", newline="\n") as handle:
                handle.write(builder.render(record))
            written.append(path)
    return written


# --- site pages (issue 6): the model's pages and the persona pages of the MkDocs site ------------

SITE_TEMPLATES = "site"
_SITE_LINK = re.compile(r"^(?:\.\./)*(?:[a-z0-9_-]+/)*[A-Za-z0-9_-]+\.(?:md|svg)$")


def site_words(lang: str) -> dict[str, Any]:
    """The wording of the generated site pages in one language (``locales/site.<lang>.yaml``)."""
    if lang not in LANGS:
        raise RenderError(f"unknown page language '{lang}'; use zh or en")
    from scorecard.resources import locales_dir

    return _read_wording(str(locales_dir() / f"site.{lang}.yaml"), "site wording")


def site_link(path: str) -> Markup:
    """A relative link between generated pages, printed as it is. Only paths made of slugs and
    factor names pass, so nothing from the input can turn into a URL."""
    if not _SITE_LINK.match(path):
        raise RenderError(f"'{path}' is not a site link the pages may print")
    return Markup(path)


def render_site_page(name: str, *, lang: str, **context: Any) -> str:
    """``templates/site/<name>.md.j2`` in the Markdown environment: every printed value passes
    through :func:`escape_markdown` unless it is ``Markup`` (see :func:`site_link`)."""
    return _loaded("md", f"{SITE_TEMPLATES}/{name}.md.j2").render(t=site_words(lang), lang=lang, **context)


def render_site_svg(name: str, **context: Any) -> str:
    """``templates/site/<name>.svg.j2`` with HTML (XML) autoescaping."""
    return _loaded("html", f"{SITE_TEMPLATES}/{name}.svg.j2").render(**context)


def render_site_not_found() -> str:
    """The site's 404 page (a MkDocs theme override, ``templates/site/not_found.html.j2``), in both
    languages, with HTML autoescaping."""
    return _loaded("html", f"{SITE_TEMPLATES}/not_found.html.j2").render(**{lang: site_words(lang) for lang in LANGS})


def render_persona_page(record: DecisionRecord, profile: Profile, *, lang: str, **context: Any) -> str:
    """A persona's explanation page for the site: the persona's story, then the same sections as
    every Markdown explanation page (``explain/_partials/body.md.j2``)."""
    c = page_context(record, profile, lang=lang, fmt="md")
    return render_site_page("persona", lang=lang, c=c, **context)


def bin_in_words(profile: Profile, factor: Factor, label: str, kind: str, lang: str) -> str:
    """A bin as the explanation pages say it ("0–2 times", "Yes", "no record"), for the model pages."""
    return _builder(profile, lang, "md").say.bin(factor, label, None if kind == "range" else kind)
