"""DecisionRecord: one per applicant, the single input of every page, replayable by compliance.

Everything a page shows comes from these fields; the page never looks anything else up except
wording (locale files) and the profile's labels, which the record names by factor.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any, Literal

Value = float | int | str | None

RECORD_SCHEMA_VERSION = 1


@dataclass(frozen=True)
class FactorLine:
    """How one factor scored for this applicant."""

    factor: str
    value: Value  # the applicant's own value (None when missing)
    bin: int  # index into the spec's bins for this factor
    bin_label: str
    bin_kind: Literal["range", "categories", "special", "missing"]
    points: int
    best_points: int
    baseline_points: float  # the reason baseline's points for this factor
    better_value: Value = None  # a value in the best-scoring bin a person could aim for (None if fixed)


@dataclass(frozen=True)
class Reason:
    """A principal reason: a factor whose points fall short of the baseline."""

    code: str  # stable: e.g. "OVERDUE_COUNT_12M.VALUE", "DEBT_TO_INCOME.SPECIAL", "X.MISSING"
    factor: str
    kind: Literal["value", "special", "missing"]  # special/missing read "no record of X"
    points_below_baseline: float
    points_below_best: int
    value: Value
    bin_label: str
    better_bin_labels: tuple[str, ...]  # ranges that would score better, best first
    cause_pages: tuple[str, ...]


@dataclass(frozen=True)
class Change:
    """One step of a recourse plan: move a factor from its bin into a better one."""

    factor: str
    from_value: Value
    to_value: Value  # a concrete value inside the target bin
    from_bin: str
    to_bin: str
    points_gain: int
    cost: float
    wait_days: int | None  # time-only factors: how long waiting takes; None when it is an action
    remedy_pages: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    changes: tuple[Change, ...]
    new_score: int
    cost: float
    wait_days: int | None  # the longest wait among its changes


@dataclass(frozen=True)
class Overlay:
    """A policy overlay that applied to this applicant."""

    code: str  # stable, e.g. "OVL.YOUNG_SEGMENT_CUTOFF"
    kind: Literal["cutoff", "limit_cap"]
    changed_outcome: bool  # True when the outcome would have been better without it
    before: int  # the cutoff or limit without the overlay
    after: int


@dataclass(frozen=True)
class Snapshot:
    """An earlier (or the current) assessment of the same applicant, for the history chart."""

    date: str
    score: int | None
    decision: str
    limit: int


@dataclass(frozen=True)
class DecisionRecord:
    applicant_id: str
    snapshot_date: str | None
    segment: str | None
    model_sha256: str
    profile: str
    policy_version: str
    decision: str  # stable decision code, e.g. "APPROVED", "DECLINED_SCORE", "HARD_IDENTITY", "RETRY_LATER"
    outcome: Literal["approved", "declined", "retry_later", "cannot_evaluate"]
    score: int | None  # None when a hard rule stopped evaluation before scoring
    pd: float | None
    cutoff: int
    base_cutoff: int  # the cutoff before overlays
    limit: int
    limit_band: str | None
    next_band_score: int | None  # score that reaches the next limit band (approved, below top band)
    hard_rule: str | None
    overlays: tuple[Overlay, ...]
    reason_baseline: Literal["cutoff_average", "population_average", "best_points"]
    factors: tuple[FactorLine, ...]
    reasons: tuple[Reason, ...]
    recourse_target: int | None  # the score the plans aim for (cutoff or next band)
    recourse_status: Literal["not_needed", "found", "infeasible", "not_applicable"]
    recourse: tuple[Plan, ...]
    history: tuple[Snapshot, ...] = ()
    schema_version: int = RECORD_SCHEMA_VERSION

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False, allow_nan=False, indent=1) + "\n"


def _tuple_of(cls: type, items: list[dict[str, Any]]) -> tuple:
    return tuple(cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in item.items()}) for item in items)


def record_from_dict(data: dict[str, Any]) -> DecisionRecord:
    """Rebuild a record from its JSON form (the inverse of ``DecisionRecord.to_dict``)."""
    plans = tuple(
        Plan(changes=_tuple_of(Change, p["changes"]), new_score=p["new_score"], cost=p["cost"], wait_days=p["wait_days"])
        for p in data["recourse"]
    )
    return DecisionRecord(
        **{
            **data,
            "overlays": _tuple_of(Overlay, data["overlays"]),
            "factors": _tuple_of(FactorLine, data["factors"]),
            "reasons": _tuple_of(Reason, data["reasons"]),
            "recourse": plans,
            "history": _tuple_of(Snapshot, data.get("history", [])),
        }
    )
