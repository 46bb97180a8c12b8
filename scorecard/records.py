"""DecisionRecord: one per applicant, the single input of every page, replayable by compliance.

Everything a page shows comes from these fields; the page never looks anything else up except
wording (locale files) and the profile's labels, which the record names by factor. Numbers travel
as numbers: every bin a record names carries its kind and bounds (``bin_lower``/``bin_upper``,
``BinBounds``) next to its label, so a page says it in words without reading the label, and every
wait comes from recourse's one rule.

The record classes are frozen dataclasses built in batches of millions, so their constructor
skips dataclass's field-by-field ``__setattr__`` (see ``_record``); to the caller they are plain
dataclasses. JSON bytes of a batch: ``record_writer.RecordWriter``.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from scorecard.profile import Factor
from scorecard.scoring import numeric_values

Value = float | int | str | None
BinKind = Literal["range", "categories", "special", "missing"]

RECORD_SCHEMA_VERSION = 2


def _record(cls: type) -> type:
    """A frozen dataclass whose ``__init__`` fills the instance in one step instead of one
    ``object.__setattr__`` per field: several times faster, which a batch of a million records
    feels. The signature is dataclass's own (names, defaults, positional or keyword), so a wrong or
    missing field is the same TypeError; the method is compiled once per class from its fields."""
    cls = dataclass(frozen=True)(cls)
    fields = dataclasses.fields(cls)
    if any(f.default_factory is not dataclasses.MISSING for f in fields):
        raise TypeError(f"{cls.__name__}: record fields take plain defaults")
    params = ", ".join(f.name if f.default is dataclasses.MISSING else f"{f.name}=_default_{f.name}" for f in fields)
    values = ", ".join(f"{f.name!r}: {f.name}" for f in fields)
    scope = {f"_default_{f.name}": f.default for f in fields if f.default is not dataclasses.MISSING}
    source = f"def __init__(self, {params}):\n    self.__dict__.update({{{values}}})\n"
    exec(compile(source, f"<record init for {cls.__name__}>", "exec"), scope)  # noqa: S102 - our own text
    init = scope["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = init  # type: ignore[misc]
    return cls


@_record
class BinBounds:
    """A bin as numbers: its kind and what it holds (a range's bounds, a group's categories)."""

    kind: BinKind
    lower: float | None  # range bins: lower <= value < upper; None is unbounded (and for other kinds)
    upper: float | None
    categories: tuple[str, ...]  # categories bins: the codes in the group


@_record
class FactorLine:
    """How one factor scored for this applicant."""

    factor: str
    value: Value  # the applicant's own value (None when missing)
    bin: int  # index into the spec's bins for this factor
    bin_label: str
    bin_kind: BinKind
    bin_lower: float | None  # range bins: the bin's bounds (lower <= value < upper, None unbounded)
    bin_upper: float | None
    points: int
    best_points: int
    baseline_points: float  # the reason baseline's points for this factor
    better_value: Value = None  # a value in the best-scoring bin a person could aim for (None if fixed)
    wait_days: int | None = None  # wait factors in a range bin: how long reaching better_value takes


@_record
class Reason:
    """A principal reason: a factor whose points fall short of the baseline."""

    code: str  # stable: e.g. "APPLICATIONS_3M.VALUE", "DEBT_TO_INCOME.SPECIAL", "OVERDUE_HISTORY.VALUE" (a group)
    factor: str  # the factor whose value the reason shows (in a group: the member furthest below)
    kind: Literal["value", "special", "missing"]  # special/missing read "no record of X"
    points_below_baseline: float
    points_below_best: int
    value: Value
    bin_label: str
    bin_kind: BinKind
    bin_lower: float | None
    bin_upper: float | None
    better_bin_labels: tuple[str, ...]  # ranges that would score better, best first
    better_bins: tuple[BinBounds, ...]  # the same bins as numbers
    cause_pages: tuple[str, ...]
    group: str | None = None  # the reason group (profile.reason_groups), None for a factor of its own
    factors: tuple[str, ...] = ()  # every factor of the reason (the group's factors in the model, or the one)


@_record
class Change:
    """One step of a recourse plan: move a factor from its bin into a better one."""

    factor: str
    from_value: Value
    to_value: Value  # a concrete value inside the target bin
    from_bin: str
    to_bin: str
    from_bounds: BinBounds
    to_bounds: BinBounds
    points_gain: int
    cost: float
    wait_days: int | None  # wait factors: how long waiting takes (at most the window); None for an action
    remedy_pages: tuple[str, ...]
    # "act": an action now; "wait": only time does it (wait_days); "supply": supply the missing or
    # special record by the profile's supply action (to_value None: what it shows is not known)
    move: Literal["act", "wait", "supply"] = "act"


@_record
class Plan:
    changes: tuple[Change, ...]
    new_score: int
    cost: float
    wait_days: int | None  # the longest wait among its changes


@_record
class Overlay:
    """A policy overlay that applied to this applicant."""

    code: str  # stable, e.g. "OVL.YOUNG_SEGMENT_CUTOFF"
    kind: Literal["cutoff", "limit_cap"]
    changed_outcome: bool  # True when the outcome would have been better without it
    before: int  # the cutoff or limit without the overlay
    after: int


@_record
class Snapshot:
    """An earlier (or the current) assessment of the same applicant, for the history chart."""

    date: str
    score: int | None
    decision: str
    limit: int


@_record
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
    recourse_target: int | None  # the score the plans aim for: cutoff or next band, plus the margin
    recourse_status: Literal["not_needed", "found", "infeasible", "not_applicable"]
    recourse: tuple[Plan, ...]
    history: tuple[Snapshot, ...] = ()
    recourse_margin: int = 0  # the policy's margin: points above the cutoff or band the target adds
    affordability_guard: bool = False  # the policy's affordability guard holds: no plan to a higher limit
    schema_version: int = RECORD_SCHEMA_VERSION

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        """The record file: sorted keys, UTF-8 text, one space of indent, a final newline."""
        return json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False, allow_nan=False, indent=1) + "\n"

    def to_json_line(self) -> str:
        """The record as one line of a JSON Lines file: the same object as ``to_json``, compact."""
        return json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False, allow_nan=False,
                          separators=(",", ":")) + "\n"


RECORD_CLASSES: tuple[type, ...] = (BinBounds, FactorLine, Reason, Change, Plan, Overlay, Snapshot, DecisionRecord)


def _rebuilt(cls: type, data: Any) -> Any:
    """``data`` (the JSON form of a ``cls``) as a ``cls``: lists become tuples, nested records records."""
    hints = {f.name: f.type for f in dataclasses.fields(cls)}
    values = {}
    for name, value in data.items():
        nested = next((c for c in RECORD_CLASSES if c.__name__ in str(hints.get(name, ""))), None)
        if nested is not None and isinstance(value, list):
            value = tuple(_rebuilt(nested, item) for item in value)
        elif nested is not None and isinstance(value, dict):
            value = _rebuilt(nested, value)
        elif isinstance(value, list):
            value = tuple(value)
        values[name] = value
    return cls(**values)


def record_from_dict(data: dict[str, Any]) -> DecisionRecord:
    """Rebuild a record from its JSON form (the inverse of ``DecisionRecord.to_dict``)."""
    return _rebuilt(DecisionRecord, data)


# --- values as the record shows them ------------------------------------------------------------


def record_value(value: Any, factor: Factor) -> Value:
    """A value as the record shows it: None when missing; a category as text; a whole number of a
    whole-number factor (``integer``, or a flag) as an int; any other number rounded to 10 decimals."""
    if value is None or value is pd.NA:
        return None
    if factor.kind == "categorical" or isinstance(value, str):
        return str(value)
    number = float(value)
    if math.isnan(number):
        return None
    if (factor.integer or factor.kind == "flag") and number.is_integer():
        return int(number)
    return round(number, 10)


def record_values(column: pd.Series, factor: Factor) -> list[Value]:
    """``record_value`` of every value of a table column, on whole columns."""
    if factor.kind == "categorical":
        text = column.astype("string")
        return [None if v is pd.NA else str(v) for v in text.to_numpy(dtype=object)]
    values = column.to_numpy(dtype=float) if column.dtype.kind in "iuf" else numeric_values(column)
    out = np.full(len(values), None, dtype=object)
    finite = np.isfinite(values)
    if factor.integer or factor.kind == "flag":
        whole = finite & (values == np.round(values))
        out[whole] = values[whole].astype(np.int64)  # stored as Python ints
        finite &= ~whole
    out[finite] = np.round(values[finite], 10)
    return out.tolist()
