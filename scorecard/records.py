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


def fast_new(cls: type, values: dict[str, Any]) -> Any:
    """``cls(**values)`` for one of the frozen record classes, about ten times faster: the
    dataclass ``__init__`` sets each field through ``object.__setattr__``, which a batch of a
    million records feels. ``values`` must name every field (defaults included); otherwise the
    constructor itself is called (which applies defaults or raises)."""
    if len(values) != _FIELD_COUNT[cls]:
        return cls(**values)
    record = object.__new__(cls)
    record.__dict__.update(values)
    return record


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
    if value - value == 0.0:  # not NaN, not infinite
        return float.__repr__(value)
    raise ValueError(f"Out of range float values are not JSON compliant: {value!r}")


class RecordWriter:
    """JSON text of records, exactly ``DecisionRecord.to_json`` (``compact=False``) or
    ``DecisionRecord.to_json_line`` (``compact=True``), several times faster for a batch.

    Each record class gets a small compiled function that writes its fields in sorted order,
    with the types its annotations name inlined (and checked: any other value takes the general
    path, so the text is always what ``json.dumps`` writes). ``explain_table`` shares identical
    parts between the records of one batch (a factor line, a reason, a change, an overlay), so
    the text of each shared part is made once per writer and reused. Use one writer per batch:
    it keeps the shared parts it has seen alive (so that their ids are not reused).
    """

    def __init__(self, *, compact: bool) -> None:
        self.compact = compact
        self._memo: list[dict[int, tuple[Any, str]]] = [{} for _ in range(_MAX_LEVEL + 3)]  # per nesting level
        self._render: dict[type, Any] = {}
        if compact:
            self._open = self._close = [""] * (_MAX_LEVEL + 3)
        else:
            self._open = ["\n" + " " * n for n in range(_MAX_LEVEL + 3)]
            self._close = self._open

    def __call__(self, record: DecisionRecord) -> str:
        return self._object(record, 0) + "\n"

    def _object(self, value: Any, level: int) -> str:
        render = self._render.get(type(value))
        if render is None:
            render = self._compiled(type(value))
        return render(value, level)

    def _compiled(self, cls: type) -> Any:
        render = self._render.get(cls)
        if render is None:
            render = self._render[cls] = self._compile(cls)
        return render

    def _compile(self, cls: type) -> Any:
        """``def render(v, level)`` for one dataclass: its fields in sorted order as JSON."""
        key_sep = ":" if self.compact else ": "
        scope: dict[str, Any] = {"S": encode_basestring, "I": int.__repr__, "F": _float_text, "V": self._value,
                                 "SH": self._shared, "OPEN": self._open, "CLOSE": self._close, "MEMO": self._memo,
                                 "str": str, "int": int, "float": float, "MAX": _MAX_LEVEL}
        classes = {c.__name__: c for c in _RECORD_CLASSES}
        parts = []
        for n, f in enumerate(sorted(dataclasses.fields(cls), key=lambda f: f.name)):
            if self.compact:
                parts.append(repr(("," if n else "") + encode_basestring(f.name) + key_sep))
            else:
                parts += [repr("," if n else ""), "o1", repr(encode_basestring(f.name) + key_sep)]
            kind = str(f.type).split("|")[0].strip()
            get = f"(x := v.{f.name})"
            scalar = "str" if kind.startswith("Literal[") else kind
            element = kind[len("tuple["):-len(", ...]")] if kind.startswith("tuple[") and kind.endswith(", ...]") else None
            if scalar in ("str", "int", "float"):
                fast = {"str": "S", "int": "I", "float": "F"}[scalar]
                none = "'null' if x is None else " if "None" in str(f.type) else ""
                parts.append(f"({fast}(x) if {get}.__class__ is {scalar} else {none}V(x, inner))")
            elif element is not None and (element == "str" or element in classes):
                if element == "str":
                    item = "(S(y) if y.__class__ is str else V(y, inner2))"
                elif classes[element] in _SHARED:
                    item = "(h[1] if (h := memo2.get(id(y))) is not None else SH(y, inner2))"
                else:
                    scope[f"R_{element}"] = self._compiled(classes[element])
                    scope[element] = classes[element]
                    item = f"(R_{element}(y, inner2) if y.__class__ is {element} else V(y, inner2))"
                parts.append(f"(('[' + o2 + (',' + o2).join([{item} for y in x]) + c1 + ']') "
                             f"if {get}.__class__ is tuple and x else V(x, inner))")
            else:
                parts.append(f"V(v.{f.name}, inner)")
        source = (
            "def render(v, level):\n"
            "    if level > MAX:\n"
            "        raise ValueError('records are not nested this deeply')\n"
            "    inner = level + 1\n"
            "    inner2 = level + 2\n"
            "    o1, o2, c1 = OPEN[inner], OPEN[inner2], CLOSE[inner]\n"
            "    memo2 = MEMO[inner2]\n"
            "    return ''.join(('{', " + ", ".join(parts) + ", CLOSE[level], '}'))\n"
        )
        exec(compile(source, f"<record writer for {cls.__name__}>", "exec"), scope)  # noqa: S102 - our own text
        return scope["render"]

    def _shared(self, value: Any, level: int) -> str:
        """The text of a shared part at this nesting level, made once."""
        if type(value) not in _SHARED:
            return self._value(value, level)
        memo = self._memo[level]
        hit = memo.get(id(value))
        if hit is None:
            # keeping the object keeps its id from being reused by another object
            hit = memo[id(value)] = (value, self._object(value, level))
        return hit[1]

    def _value(self, value: Any, level: int) -> str:
        """Any value, as ``json.dumps`` writes it at this nesting level."""
        kind = type(value)
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
        if kind is tuple or kind is list:
            if not value:
                return "[]"
            inner = level + 1
            o = self._open[inner]
            return "[" + o + ("," + o).join([self._value(v, inner) for v in value]) + self._close[level] + "]"
        if kind in _SHARED:
            return self._shared(value, level)
        render = self._render.get(kind)
        if render is not None:
            return render(value, level)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return self._object(value, level)
        return json.dumps(value, ensure_ascii=False, allow_nan=False)  # anything else, as json would write it


_RECORD_CLASSES = (FactorLine, Reason, Change, Plan, Overlay, Snapshot, DecisionRecord)
_FIELD_COUNT = {cls: len(dataclasses.fields(cls)) for cls in _RECORD_CLASSES}
