"""Editorial rules of the explanation pages: which knowledge-base pages a part links to, which
diversification lessons fit whom, how strong a factor's impact reads. Pure and small, so the
rules are read in one place (the policy- and profile-specific ones belong in the policy and the
profile once their schemas can say them)."""

from __future__ import annotations

from typing import Literal

from scorecard.profile import Profile
from scorecard.records import DecisionRecord

# When the rights section's facts (PIPL art. 24, 征信业管理条例 arts. 17 and 25, the channels and their
# numbers) were last checked against stored copies of official pages: (year, month). The
# knowledge-base pages under docs/rights/ say the same month.
RIGHTS_LAST_CHECKED = (2026, 12)

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


def impact_level(points_below_best: int) -> Literal["high", "medium", "low"]:
    if points_below_best >= IMPACT_HIGH:
        return "high"
    if points_below_best >= IMPACT_MEDIUM:
        return "medium"
    return "low"


def unassessed(record: DecisionRecord) -> bool:
    """A hard rule stopped the evaluation before scoring: no score, bar, reasons or cards."""
    return record.hard_rule is not None or record.score is None


def hard_kind(record: DecisionRecord) -> str:
    """Which hard-rule wording fits: "retry_later" or "cannot_evaluate"."""
    return "retry_later" if record.outcome == "retry_later" else "cannot_evaluate"


def capped(record: DecisionRecord) -> bool:
    """A limit cap applied to this applicant."""
    return any(o.kind == "limit_cap" for o in record.overlays)


def about_late_payments(record: DecisionRecord, profile: Profile) -> bool:
    """A principal reason is about late payments (its cause pages include overdue-history): the page
    then says how long a late payment stays on a credit report and what the one-time relief was."""
    names = {f.name for f in profile.factors}
    for reason in record.reasons:
        pages = reason.cause_pages or (profile.factor(reason.factor).cause_pages if reason.factor in names else ())
        if "overdue-history" in pages:
            return True
    return False


def choose_lessons(record: DecisionRecord, profile: Profile) -> tuple[str, ...]:
    """The diversification lessons that fit this person, in ``LESSONS`` order.

    A small-business owner gets the channels, cash-flow and lender lessons; anyone without a
    limit gets the channels lesson; each principal reason's cause pages add their lessons
    (``CAUSE_LESSONS``: debt causes -> debt control, late payments -> cash-flow planning, low
    activity -> lender relationships); financial literacy fits everyone and comes last.

    Under the policy's affordability guard nobody is pointed at more lenders: the debt-control
    lesson comes first, cash-flow planning and financial literacy follow, and the channels and
    lender-relationship lessons are left out.
    """
    if record.affordability_guard:
        return ("debt-control", "cash-flow-planning", "financial-literacy")
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
