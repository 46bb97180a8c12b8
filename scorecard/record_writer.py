"""JSON of decision records for batches: exactly the UTF-8 bytes of what ``json.dumps`` writes,
several times faster.

``RecordWriter(compact=False)(record)`` is ``record.to_json().encode("utf-8")``; ``compact=True`` is
``record.to_json_line().encode("utf-8")``. The one trick behind it: each record class gets a small
function, compiled once per writer from its fields (``_compile``), that writes those fields in
sorted order with the types their annotations name inlined; any value of another type takes the
general path, so the bytes never differ from ``json.dumps``'s. Parts that ``explain_table`` shares
between the records of a batch (a factor line, a reason, a change, an overlay) are written once per
writer and their bytes reused. Bytes, not text: a record is copied once into its line, never widened
to a wider string kind or encoded again.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from json.encoder import encode_basestring
from typing import Any

from scorecard.records import RECORD_CLASSES, Change, DecisionRecord, FactorLine, Overlay, Reason

_SHARED = (FactorLine, Reason, Change, Overlay)  # parts that explain_table shares between records
_MAX_LEVEL = 16
TEXT_LIMIT = 200_000  # strings whose bytes a writer keeps (ids are many; codes, dates and bands few)


def _shape(annotation: Any) -> tuple[str, bool, Any]:
    """How a field's annotation is written fast: ("str" | "int" | "float" | "record" | "tuple" |
    "any", whether None is allowed, the record class or tuple element)."""
    nullable = False
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        nullable = len(args) < len(typing.get_args(annotation))
        if len(args) != 1:
            return "any", nullable, None
        annotation = args[0]
    if typing.get_origin(annotation) is typing.Literal and all(isinstance(a, str) for a in typing.get_args(annotation)):
        return "str", nullable, None
    if annotation in (str, int, float):
        return annotation.__name__, nullable, None
    if annotation in RECORD_CLASSES:
        return "record", nullable, annotation
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is tuple and len(args) == 2 and args[1] is Ellipsis:
        if args[0] is str or args[0] in RECORD_CLASSES:
            return "tuple", nullable, args[0]
    return "any", nullable, None


def _str_bytes(value: str) -> bytes:
    return encode_basestring(value).encode("utf-8")


def _float_bytes(value: float) -> bytes:
    if value - value == 0.0:  # not NaN, not infinite
        return float.__repr__(value).encode("ascii")
    raise ValueError(f"Out of range float values are not JSON compliant: {value!r}")


class RecordWriter:
    """The UTF-8 bytes of records' JSON, exactly ``DecisionRecord.to_json`` (``compact=False``) or
    ``DecisionRecord.to_json_line`` (``compact=True``) encoded, several times faster for a batch.

    Each record class gets a small compiled function that writes its fields in sorted order,
    with the types its annotations name inlined (and checked: any other value takes the general
    path, so the bytes are always what ``json.dumps`` writes). ``explain_table`` shares identical
    parts between the records of one batch (a factor line, a reason, a change, an overlay), so
    the bytes of each shared part are made once per writer and reused. Use one writer per batch:
    it keeps the shared parts it has seen alive (so that their ids are not reused).
    """

    def __init__(self, *, compact: bool) -> None:
        self.compact = compact
        self._memo: list[dict[int, tuple[Any, bytes]]] = [{} for _ in range(_MAX_LEVEL + 3)]  # per nesting level
        self._render: dict[type, Any] = {}
        self._text: dict[str, bytes] = {}  # the JSON bytes of each string written
        if compact:
            self._open = self._close = [b""] * (_MAX_LEVEL + 3)
        else:
            self._open = [b"\n" + b" " * n for n in range(_MAX_LEVEL + 3)]
            self._close = self._open

    def __call__(self, record: DecisionRecord) -> bytes:
        render = self._render.get(type(record)) or self._compiled(type(record))
        return render(record, 0, b"\n")  # the line end joined in, not appended to a copy

    def _object(self, value: Any, level: int) -> bytes:
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
        """``def render(v, level, end)`` for one dataclass: its fields in sorted order as JSON bytes."""
        key_sep = ":" if self.compact else ": "
        scope: dict[str, Any] = {"TEXT": self._text, "ST": self._text_bytes, "FR": float.__repr__,
                                 "F": _float_bytes, "V": self._value,
                                 "SH": self._shared, "OPEN": self._open, "CLOSE": self._close, "MEMO": self._memo,
                                 "str": str, "int": int, "float": float, "MAX": _MAX_LEVEL}
        hints = typing.get_type_hints(cls)
        fields = sorted(dataclasses.fields(cls), key=lambda f: f.name)
        # Per nesting level, each field's comma, line break and indent, and key, as one piece.
        keys = [(encode_basestring(f.name) + key_sep).encode("utf-8") for f in fields]
        scope["KEYS"] = [tuple((b"," if n else b"") + self._open[level] + key for n, key in enumerate(keys))
                         for level in range(_MAX_LEVEL + 3)]
        parts = []
        for n, f in enumerate(fields):
            parts.append(f"k[{n}]")
            kind, nullable, element = _shape(hints[f.name])
            get = f"(x := v.{f.name})"
            if kind in ("str", "int", "float"):
                # Inlined C calls, no Python call per value; text is encoded once per writer (a batch
                # repeats its dates, codes and bands), floats are checked finite as json.dumps does.
                fast = {"str": "(t if (t := TEXT.get(x)) is not None else ST(x))", "int": "(b'%d' % x)",
                        "float": "(FR(x).encode() if x - x == 0.0 else F(x))"}[kind]
                none = "b'null' if x is None else " if nullable else ""
                parts.append(f"({fast} if {get}.__class__ is {kind} else {none}V(x, inner))")
            elif kind == "record":
                scope[f"R_{element.__name__}"] = self._compiled(element)
                scope[element.__name__] = element
                parts.append(f"(R_{element.__name__}(x, inner) if {get}.__class__ is {element.__name__} else V(x, inner))")
            elif kind == "tuple":
                if element is str:
                    item = "((t if (t := TEXT.get(y)) is not None else ST(y)) if y.__class__ is str else V(y, inner2))"
                elif element in _SHARED:
                    item = "(h[1] if (h := memo2.get(id(y))) is not None else SH(y, inner2))"
                else:
                    scope[f"R_{element.__name__}"] = self._compiled(element)
                    scope[element.__name__] = element
                    item = f"(R_{element.__name__}(y, inner2) if y.__class__ is {element.__name__} else V(y, inner2))"
                # The brackets and items are pieces of the record's one join: each item is copied once.
                parts += [f"(b'[' + o2 if {get}.__class__ is tuple and x else b'')",
                          f"(sep2.join([{item} for y in x]) if x.__class__ is tuple and x else V(x, inner))",
                          "(c1 + b']' if x.__class__ is tuple and x else b'')"]
            else:
                parts.append(f"V(v.{f.name}, inner)")
        source = (
            "def render(v, level, end=b''):\n"
            "    if level > MAX:\n"
            "        raise ValueError('records are not nested this deeply')\n"
            "    inner = level + 1\n"
            "    inner2 = level + 2\n"
            "    o2, c1, k = OPEN[inner2], CLOSE[inner], KEYS[inner]\n"
            "    sep2 = b',' + o2\n"
            "    memo2 = MEMO[inner2]\n"
            "    return b''.join((b'{', " + ", ".join(parts) + ", CLOSE[level], b'}', end))\n"
        )
        exec(compile(source, f"<record writer for {cls.__name__}>", "exec"), scope)  # noqa: S102 - our own text
        return scope["render"]

    def _text_bytes(self, value: str) -> bytes:
        """A string's JSON bytes, made once per writer."""
        if len(self._text) > TEXT_LIMIT:
            self._text.clear()
        found = self._text[value] = _str_bytes(value)
        return found

    def _shared(self, value: Any, level: int) -> bytes:
        """The bytes of a shared part at this nesting level, made once."""
        if type(value) not in _SHARED:
            return self._value(value, level)
        memo = self._memo[level]
        hit = memo.get(id(value))
        if hit is None:
            # keeping the object keeps its id from being reused by another object
            hit = memo[id(value)] = (value, self._object(value, level))
        return hit[1]

    def _value(self, value: Any, level: int) -> bytes:
        """Any value, as ``json.dumps`` writes it at this nesting level."""
        kind = type(value)
        if kind is str:
            return _str_bytes(value)
        if kind is int:
            return b"%d" % value
        if value is None:
            return b"null"
        if kind is float:
            return _float_bytes(value)
        if kind is bool:
            return b"true" if value else b"false"
        if kind is tuple or kind is list:
            if not value:
                return b"[]"
            inner = level + 1
            o = self._open[inner]
            return b"[" + o + (b"," + o).join([self._value(v, inner) for v in value]) + self._close[level] + b"]"
        if kind in _SHARED:
            return self._shared(value, level)
        render = self._render.get(kind)
        if render is not None:
            return render(value, level)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return self._object(value, level)
        return json.dumps(value, ensure_ascii=False, allow_nan=False).encode("utf-8")  # anything else, as json would
