"""What an explanation page prints: frozen views, already worded, rounded and formatted.

A page renders one :class:`PageContext`; each section of it is a view of its own, printed by its
partial ``templates/explain/_partials/<section>.<fmt>.j2`` (the template decides which partial
prints which view, through the ``partial`` filters of ``pages.templating``). Views hold text and
numbers only: templates loop and print, Python ranks, rounds and words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal


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
class Note:
    """A sentence group and the knowledge-base links printed after it (rule notes, hard rules,
    don'ts, rights), under the "read more" label when ``labelled``."""

    text: str
    links: tuple[Link, ...] = ()
    labelled: bool = True


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
    text: tuple[str, ...]  # the Markdown bar: lines of digits, bar glyphs and locale labels


@dataclass(frozen=True)
class HistoryRow:
    """One snapshot as a table row: date, score, decision, limit, worded."""

    date: str
    score: str
    decision: str
    limit: str


@dataclass(frozen=True)
class ChartDot:
    """A labelled point of the history chart (a score, an axis label)."""

    x: float
    y: float
    label: str


@dataclass(frozen=True)
class ChartBar:
    """A labelled bar of the history chart (a limit)."""

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
    sparkline: str  # "" with fewer than three scores
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
    """A principal reason: its code, the factor's label, its sentence and cause pages."""

    code: str
    label: str
    text: str
    links: tuple[Link, ...]


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
    """A recourse plan: its title, what it reaches and when, its steps."""

    title: str
    summary: str  # the new score and how long the plan takes
    steps: tuple[StepView, ...]


@dataclass(frozen=True)
class LessonView:
    """A diversification lesson that fits this person, with its page."""

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
    change_level: Literal["now", "time", "fixed", "never"]
    change: str
    change_line: str
    action: str
    why: str


# --- the sections -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeView:
    """The result: badge, headline, score lines and the score bar (None when nothing was scored)."""

    outcome: str  # approved / declined / retry_later / cannot_evaluate (for styling)
    badge: str
    headline: str
    score_lines: tuple[str, ...]  # score against the pass mark, the gap, the next band, the chance of trouble
    bar: ScoreBar | None


@dataclass(frozen=True)
class WhyView:
    """Why: the rule changes that decided first ("the rules changed, not you"), the hard rule that
    stopped evaluation, the principal reasons, then the rule changes that applied without deciding."""

    rules_notes: tuple[Note, ...]
    hard_note: Note | None
    intro: str
    reasons: tuple[ReasonView, ...]
    also_rules: tuple[Note, ...]


@dataclass(frozen=True)
class DontView:
    """What not to do (the same on every page)."""

    notes: tuple[Note, ...]


@dataclass(frozen=True)
class ActionsView:
    """What you can do: the plans, further notes (caveat, infeasible, hard-rule step), what not to do."""

    intro: str
    plans: tuple[PlanView, ...]
    notes: tuple[Note, ...]
    dont: DontView


@dataclass(frozen=True)
class FinancingView:
    """Other ways to finance: the diversification lessons that fit this person and the risks of debt."""

    intro: str
    lessons: tuple[LessonView, ...]
    risks: tuple[str, ...]


@dataclass(frozen=True)
class CardsView:
    """Factor by factor: one card per factor (none when nothing was scored)."""

    intro: str
    cards: tuple[CardView, ...]


@dataclass(frozen=True)
class RightsView:
    """What this result does not mean, rights and channels, and when their wording was checked."""

    not_mean: tuple[str, ...]
    rights: tuple[Note, ...]
    last_checked: str


@dataclass(frozen=True)
class PageContext:
    """Everything one explanation page prints (``templates/explain/page.<fmt>.j2``)."""

    lang: str
    html_lang: str  # the page's language tag for ``<html lang>``
    fmt: str  # "md" (MkDocs) or "html" (standalone)
    t: dict[str, Any]  # the locale wording (section titles and fixed words the templates print directly)
    title: str
    applicant: str  # "Applicant <id>"
    assessed: str  # "Assessed on <date>"
    outcome: OutcomeView
    history: HistoryView | None  # how score and limit moved over several snapshots
    why: WhyView
    actions: ActionsView
    financing: FinancingView
    cards: CardsView
    rights: RightsView
    about: tuple[str, ...]  # where the page comes from and what data made it
