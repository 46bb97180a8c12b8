"""DecisionRecord: one per applicant, the single input of every page, replayable by compliance.

Everything a page shows comes from these fields; the page never looks anything else up except
wording (locale files) and the profile's labels, which the record names by factor.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import asdict, dataclass
from json.encoder import encode_basestring
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
        """The record file: sorted keys, UTF-8 text, one space of indent, a final newline."""
        return json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False, allow_nan=False, indent=1) + "\n"

    def to_json_line(self) -> str:
        """The record as one line of a JSON Lines file: the same object as ``to_json``, compact."""
        return json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False, allow_nan=False,
                          separators=(",", ":")) + "\n"


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


# --- fast JSON for batches ----------------------------------------------------------------------

_SHARED = (FactorLine, Reason, Change, Overlay)  # parts that explain_table shares between records
_MAX_LEVEL = 16


def _float_text(value: float) -> str:
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"Out of range float values are not JSON compliant: {value!r}")
    return float.__repr__(value)


class RecordWriter:
    """JSON text of records, exactly ``DecisionRecord.to_json`` (``compact=False``) or
    ``DecisionRecord.to_json_line`` (``compact=True``), several times faster for a batch.

    Each record class gets a small compiled function that writes its fields in sorted order,
    with the common scalar types inlined. ``explain_table`` shares identical parts between the
    records of one batch (a factor line, a reason, a change, an overlay), so the text of each
    shared part is made once per writer and reused. Use one writer per batch: it keeps the
    shared parts it has seen alive (so that their ids are not reused by other objects).
    """

    def __init__(self, *, compact: bool) -> None:
        self.compact = compact
        self._memo: list[dict[int, tuple[Any, str]]] = [{} for _ in range(_MAX_LEVEL + 2)]  # per nesting level
        self._render: dict[type, Any] = {}
        if compact:
            self._open = self._close = [""] * (_MAX_LEVEL + 2)
        else:
            self._open = ["\n" + " " * n for n in range(_MAX_LEVEL + 2)]
            self._close = self._open

    def __call__(self, record: DecisionRecord) -> str:
        return self._object(record, 0) + "\n"

    def _object(self, value: Any, level: int) -> str:
        render = self._render.get(type(value))
        if render is None:
            if level > _MAX_LEVEL:
                raise ValueError("records are not nested this deeply")
            render = self._render[type(value)] = self._compile(type(value))
        return render(value, level)

    def _compile(self, cls: type) -> Any:
        """``def render(v, level)`` for one dataclass: its fields in sorted order as JSON."""
        key_sep = ":" if self.compact else ": "
        parts = []
        for n, f in enumerate(sorted(dataclasses.fields(cls), key=lambda f: f.name)):
            parts.append(repr("," if n else ""))
            if not self.compact:
                parts.append("o")
            parts.append(repr(encode_basestring(f.name) + key_sep))
            first = str(f.type).split("|")[0].strip()
            fast = {"str": ("S", "str"), "int": ("I", "int"), "float": ("F", "float")}.get(first)
            if fast:
                parts.append(f"({fast[0]}(x) if (x := v.{f.name}).__class__ is {fast[1]} else V(x, inner))")
            else:
                parts.append(f"V(v.{f.name}, inner)")
        source = (
            "def render(v, level):\n"
            "    inner = level + 1\n"
            "    o = OPEN[inner]\n"
            "    return ''.join(('{', " + ", ".join(parts) + ", CLOSE[level], '}'))\n"
        )
        scope = {"S": encode_basestring, "I": int.__repr__, "F": _float_text, "V": self._value,
                 "OPEN": self._open, "CLOSE": self._close, "str": str, "int": int, "float": float}
        exec(compile(source, f"<record writer for {cls.__name__}>", "exec"), scope)  # noqa: S102 - our own text
        return scope["render"]

    def _shared(self, value: Any, level: int) -> str:
        memo = self._memo[level]
        hit = memo.get(id(value))
        if hit is None:
            # keeping the object keeps its id from being reused by another object
            hit = memo[id(value)] = (value, self._object(value, level))
        return hit[1]

    def _value(self, value: Any, level: int) -> str:
        kind = type(value)
        if kind is tuple:
            if not value:
                return "[]"
            inner = level + 1
            o = self._open[inner]
            if type(value[0]) in _SHARED:
                memo = self._memo[inner]
                texts = [hit[1] if (hit := memo.get(id(v))) is not None else self._value(v, inner) for v in value]
            else:
                texts = [self._value(v, inner) for v in value]
            return "[" + o + ("," + o).join(texts) + self._close[level] + "]"
        if kind is str:
            return encode_basestring(value)
        if kind is int:
            return int.__repr__(value)
        if value is None:
            return "null"
        if kind is float:
            return _float_text(value)
        if kind is bool:
            return "true" if value else "false"
        if kind in _SHARED:
            return self._shared(value, level)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return self._object(value, level)
        return json.dumps(value, ensure_ascii=False, allow_nan=False)  # anything else, as json would write it
