"""Editorial rules of the explanation pages: which knowledge-base pages a part links to, which
diversification lessons fit whom, how strong a factor's impact reads. Pure and small, so the
rules are read in one place (the policy- and profile-specific ones belong in the policy and the
profile once their schemas can say them)."""

from __future__ import annotations

from typing import Literal

from scorecard.policy import Condition, Policy, PolicyOverlay
from scorecard.profile import Factor, Profile
from scorecard.records import DecisionRecord

# When the rights section's facts (PIPL art. 24, 征信业管理条例 arts. 17 and 25, the channels and their
# numbers) were last checked against stored copies of official pages: (year, month, day). The
# knowledge-base pages under docs/rights/ say the same day ("最后核对：2026-11-22"; a test compares).
RIGHTS_LAST_CHECKED = (2026, 11, 22)
# The one-time credit-record relief (PBoC, 22 December 2025) covered late payments repaid by this
# day: a record assessed after it reads that the relief has closed, not that it is an option.
RELIEF_DEADLINE = "2026-03-31"

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
# Cause pages about doing something many times (多头借贷): not linked from a reason whose count is
# one or none (one application is not "multiple borrowing").
MANY_CAUSES = frozenset({"multiple-borrowing"})
# A reason that is a missing record someone can supply links to this cause, not its factor's
# (no income record is not "high debt").
SUPPLY_CAUSES: tuple[str, ...] = ("incomplete-information",)
# Remedies that fit only a decline ("appeal"): not linked from an approved page's plans.
DECLINE_ONLY_REMEDIES = frozenset({"appeal-with-documents"})
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


def late_payment_window(record: DecisionRecord, profile: Profile) -> str | None:
    """The factor of the first reason about late payments that counts over a rolling window (its
    late payments stop counting once they leave it), or None: a page sets that window beside the
    credit report's five years."""
    names = {f.name for f in profile.factors}
    for reason in record.reasons:
        if reason.factor not in names:
            continue
        factor = profile.factor(reason.factor)
        if "overdue-history" in (reason.cause_pages or factor.cause_pages) and factor.window_days is not None:
            return factor.name
    return None


def choose_lessons(record: DecisionRecord, profile: Profile) -> tuple[str, ...]:
    """The diversification lessons that fit this person, in ``LESSONS`` order.

    A small-business owner gets the channels, cash-flow and lender lessons; anyone without a
    limit gets the channels lesson; each principal reason's cause pages add their lessons
    (``CAUSE_LESSONS``: debt causes -> debt control, late payments -> cash-flow planning, low
    activity -> lender relationships); financial literacy fits everyone and comes last.

    Under the policy's affordability guard nobody is pointed at more lenders: the debt-control
    lesson comes first, cash-flow planning and financial literacy follow, and the channels and
    lender-relationship lessons are left out. Someone declined for late payments is not pointed at
    more lenders either, and a page for a system outage ("try again later") has no lessons.
    """
    if record.affordability_guard:
        return ("debt-control", "cash-flow-planning", "financial-literacy")
    if record.outcome == "retry_later":  # nothing was decided: nothing to learn from it
        return ()
    chosen = {"financial-literacy"}
    if record.segment in SMALL_BUSINESS_SEGMENTS:
        chosen |= {"financing-channels", "cash-flow-planning", "lender-relationships"}
    # Someone declined for late payments is not pointed at more lenders: repaying comes first.
    if record.outcome in ("declined", "cannot_evaluate") and not about_late_payments(record, profile):
        chosen.add("financing-channels")
    names = {f.name for f in profile.factors}
    for reason in record.reasons:
        pages = reason.cause_pages or (profile.factor(reason.factor).cause_pages if reason.factor in names else ())
        for page in pages:
            chosen.update(CAUSE_LESSONS.get(page, ()))
    return tuple(slug for slug in LESSONS if slug in chosen)


def relief_closed(record: DecisionRecord) -> bool:
    """The one-time credit-record relief had closed when the record was made (its snapshot date is
    after ``RELIEF_DEADLINE``); a record without a date does not say it is still open."""
    return record.snapshot_date is None or str(record.snapshot_date) > RELIEF_DEADLINE


def guard_conditions(record: DecisionRecord, policy: Policy | None, profile: Profile) -> tuple[str, ...]:
    """The columns of the policy's affordability conditions that this record's own values meet, in
    the policy's order: what a page names as the reason for the guard ("and" when several hold).
    Empty when the guard does not hold, the policy is not known or a condition reads no factor."""
    return tuple(column for column, _, _ in guard_values(record, policy, profile))


def guard_values(record: DecisionRecord, policy: Policy | None,
                 profile: Profile) -> tuple[tuple[str, str, object], ...]:
    """``guard_conditions`` with what a page says of each: (column, the factor reading it, the
    record's own value of that factor)."""
    if not record.affordability_guard or policy is None or policy.affordability is None:
        return ()
    by_column = {f.source_column: f.name for f in profile.factors}
    values = {line.factor: line.value for line in record.factors}
    held = []
    for cond in policy.affordability.when_any:
        name = by_column.get(cond.column) if cond.column is not None else None
        if name is None or name not in values:
            return ()
        if _meets(cond, values[name]):
            held.append((cond.column, name, values[name]))
    return tuple(held)


def _meets(cond: Condition, value: object) -> bool:
    """One condition on one value (numbers compare as numbers; a missing value as ``cond.missing``)."""
    if value is None:
        return cond.missing == "match"
    wanted = cond.value if isinstance(cond.value, tuple) else (cond.value,)
    try:
        x, ws = float(value), [float(v) for v in wanted]  # type: ignore[arg-type]
    except (TypeError, ValueError):
        x, ws = str(value), [str(v) for v in wanted]  # type: ignore[assignment]
    ops = {"eq": lambda: x == ws[0], "ne": lambda: x != ws[0], "lt": lambda: x < ws[0], "le": lambda: x <= ws[0],
           "gt": lambda: x > ws[0], "ge": lambda: x >= ws[0], "in": lambda: x in ws, "not_in": lambda: x not in ws,
           "between": lambda: ws[0] <= x <= ws[1]}
    return bool(ops[cond.op]())


def overlay_end(rule: PolicyOverlay | None) -> str | None:
    """The last day a temporary overlay applies (its date condition's end: ``between`` or ``le``),
    as ISO text; None for a rule without an end."""
    if rule is None:
        return None
    for cond in rule.when:
        if cond.is_date:
            if cond.op == "between" and isinstance(cond.value, tuple):
                return str(cond.value[1])
            if cond.op == "le":
                return str(cond.value)
    return None


def allowance_like(factor: Factor, to_value: object) -> bool:
    """A plan's value of a count over a rolling window that is above zero ("from 8 to 3 cycles"):
    read alone, it sounds like three more are fine, so the page says it is only where points change."""
    return (factor.window_days is not None and factor.helps == "decrease" and isinstance(to_value, (int, float))
            and not isinstance(to_value, bool) and to_value > 0)


def reason_causes(value: object, pages: tuple[str, ...]) -> tuple[str, ...]:
    """The cause pages a reason links to: without ``MANY_CAUSES`` when its value is a count of one or none."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value <= 1:
        return tuple(p for p in pages if p not in MANY_CAUSES)
    return pages
