"""Profiles: one YAML file describes one applicant table and how each factor is read.

A profile says which column is the id and which the target (and which value is "bad"), and, per
factor: its column, kind, labels and meaning in zh and en (optional: the column name by default), unit, the monotonic trend of the bad
rate for binning, special values and what they mean, the words for category codes (German
credit's "A41" is "car (used)"), how a plan may advise it (below) and in which direction it
helps, the effort of one step, its reason group, and the knowledge-base pages it links to.

How a factor may be advised (``advice``; the rules recourse obeys, see ``scorecard.recourse``):

``act``
    a person can change it by an action (repay a loan, link a bank card), in its helping
    direction, within ``min_value``/``max_value``.
``wait``
    it only improves as time passes. ``window_days: N`` says the factor is a count (or a
    maximum) over a rolling window of the last N days: whatever happened leaves the window
    within N days, so any lower value is reached within N days and a wait is never longer than
    N days. Otherwise ``days_per_step`` is the waiting per step (e.g. account age: 30 days a
    month). A wait is never an action: no page says "now" for it.
``never``
    it moves the score but must never be a plan target: a count a person could only game
    (payments per month, transactions), or anything a plan must not push on.
``fixed``
    it cannot change (age); never a target.

The old key ``actionability`` is still read as an alias: ``actionable`` -> ``act``,
``time-only`` -> ``wait``, ``fixed`` -> ``fixed`` (a profile may not give both keys).

``supply: {zh, en}`` names the action that supplies a missing or special record ("provide proof
of income"). Only a factor with ``supply`` may leave its missing/special bins in a plan, and then
as that one action, never as a target value (see ``scorecard.recourse``).

``group: ID`` puts factors of one cause into one reason group; the profile's
``reason_groups: {ID: {label: {zh, en}}}`` names every group (see ``scorecard.reasons``). Group
ids are lowercase names that no factor uses.

Profiles ship inside the package (``demo``, ``heloc``, ``gmsc``, ``german``) and can be selected
by name or by a path to a YAML file. They are validated on load; every error names the file and
the key at fault.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from scorecard.errors import ProfileError, ScorecardError
from scorecard.languages import page_languages
from scorecard.text import Text, require_written

BUNDLED_DIR = Path(__file__).parent / "profiles"

FactorKind = Literal["numeric", "categorical", "flag"]
# Trend of the bad rate as the value grows; optbinning's ``monotonic_trend`` vocabulary.
Trend = Literal["auto", "auto_asc_desc", "ascending", "descending", "peak", "valley", "convex", "concave"]
Advice = Literal["act", "wait", "never", "fixed"]
# The old ``actionability`` key, read as an alias of ``advice``.
ACTIONABILITY_ALIAS = {"actionable": "act", "time-only": "wait", "fixed": "fixed"}
# The direction of change that lowers risk (raises points). For categorical factors
# ``toward_better_bins`` means "any category whose bin scores higher".
Helps = Literal["increase", "decrease", "toward_better_bins", "none"]

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CategoryLabel(_Frozen):
    """What a category code means, e.g. German credit's "A41": "car (used)"."""

    code: str
    label: Text

    _written = field_validator("label")(require_written)


class SpecialValue(_Frozen):
    """A code that is not a measurement, e.g. HELOC's -7/-8/-9; it gets its own bin."""

    value: float | int | str
    meaning: Text

    _written = field_validator("meaning")(require_written)


ISO_DAY = "%Y-%m-%d"


class Target(_Frozen):
    column: str
    bad_value: int | str | bool = 1


def code_text(value: float | int | str) -> str:
    """A special code as text, the same for -7 and -7.0."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class BinOverride(_Frozen):
    """Bins the analyst sets for one factor (profile key ``bins``), with the reason they give.

    ``splits``: the split points of a numeric or flag factor (``lower <= x < upper``), instead of
    optbinning's; ``merge``: category groups of a categorical factor, each one bin (a category no
    group lists keeps a bin of its own); ``trend``: the bad-rate trend optbinning must follow;
    ``special_bin``: groups of special codes that share one bin (a code no group lists keeps its
    own). ``reason`` is required: the spec and the selection log carry it."""

    splits: tuple[float, ...] | None = None
    merge: tuple[tuple[str, ...], ...] | None = None
    trend: Trend | None = None
    special_bin: tuple[tuple[float | int | str, ...], ...] | None = None
    reason: str = Field(min_length=1)

    @field_validator("merge", mode="before")
    @classmethod
    def _categories_as_text(cls, value: object) -> object:
        if isinstance(value, (list, tuple)):
            return tuple(tuple(str(c) for c in group) if isinstance(group, (list, tuple)) else group for group in value)
        return value

    @model_validator(mode="after")
    def _something_set(self) -> BinOverride:
        if self.splits is None and self.merge is None and self.trend is None and self.special_bin is None:
            raise ValueError("set at least one of splits, merge, trend, special_bin (and say why in reason)")
        if not self.reason.strip():
            raise ValueError("reason must say why the bins were set by hand")
        if self.splits is not None:
            if not self.splits or any(b <= a for a, b in zip(self.splits, self.splits[1:])):
                raise ValueError("splits must be one or more numbers in increasing order")
        if self.splits is not None and self.trend is not None:
            raise ValueError("give splits or a trend, not both: fixed splits leave optbinning nothing to choose")
        for groups, what in ((self.merge, "merge"), (self.special_bin, "special_bin")):
            seen = [str(c) for group in groups or () for c in group]
            if any(not group for group in groups or ()):
                raise ValueError(f"{what}: every group needs at least one value")
            if len(seen) != len(set(seen)):
                raise ValueError(f"{what}: a value is listed in two groups")
        return self

    def describe(self) -> str:
        """The override in a few words, for the selection log: "splits 1, 3; trend ascending"."""
        from_number = lambda v: str(int(v)) if float(v).is_integer() else repr(float(v))  # noqa: E731
        parts = []
        if self.splits is not None:
            parts.append("splits " + ", ".join(from_number(v) for v in self.splits))
        if self.merge is not None:
            parts.append("groups " + "; ".join(", ".join(g) for g in self.merge))
        if self.trend is not None:
            parts.append(f"trend {self.trend}")
        if self.special_bin is not None:
            parts.append("special codes together: " + "; ".join(", ".join(map(str, g)) for g in self.special_bin))
        return "; ".join(parts)


def _named(value: object, key: str) -> str | None:
    """The default words of a text a profile leaves out: the factor's or profile's name (``key``)."""
    return str(value[key]) if isinstance(value, dict) and value.get(key) is not None else None


def _default_texts(value: object, keys: tuple[str, ...], name_key: str) -> object:
    """``value`` (a YAML mapping) with each of ``keys`` it leaves out (or leaves empty) set to its
    name in every language the texts are written in: an analyst need only give a column and kind."""
    name = _named(value, name_key)
    if name is None:
        return value
    value = dict(value)  # type: ignore[arg-type]
    for key in keys:
        if value.get(key) in (None, "", {}):
            value[key] = {lang: name for lang in page_languages().written_in}
    return value


class Factor(_Frozen):
    """One factor of the profile. Only ``name`` and ``kind`` are required: ``label`` and ``meaning``
    default to the name in every language.

    ``effort_per_step`` is the cost of one ``step`` of change, in units of the plans' own scale: 1 is
    the effort of one ordinary action (filling in a form, paying one bill on time), so 2 is twice
    that and 0.5 half. Recourse adds the efforts of a plan's steps and offers the cheapest plans;
    only the ratios between factors matter."""

    name: str
    column: str | None = None  # defaults to ``name``
    kind: FactorKind
    label: Text
    meaning: Text
    unit: Text | None = None
    # A ratio that explanation pages say as a percentage (0.45 -> "45%"); ``unit`` stays the raw
    # value's (inputs, the model's own pages).
    percent: bool = False
    trend: Trend = "auto"
    min_value: float | None = None  # allowed range; values outside it are bad input
    max_value: float | None = None
    integer: bool = False  # whole numbers only (counts, days)
    allow_infinite: bool = False  # 'inf' / '-inf' are values (scored in the end bins), not rejects
    categories: tuple[str, ...] | None = None  # allowed categories; None accepts any
    # Words for category codes (YAML: a mapping code -> {zh, en}); pages and reports show them.
    category_labels: tuple[CategoryLabel, ...] = ()
    special_values: tuple[SpecialValue, ...] = ()
    advice: Advice = "fixed"  # how a plan may advise it (module docstring)
    helps: Helps = "none"
    step: float = 1.0  # one step of change, in the factor's unit
    effort_per_step: float = Field(default=1.0, ge=0)
    days_per_step: float | None = Field(default=None, ge=0)  # wait: waiting per step
    window_days: int | None = Field(default=None, ge=1)  # wait: a count over the last N days
    supply: Text | None = None  # the action that supplies a missing/special record
    group: str | None = None  # reason group id (Profile.reason_groups)
    cause_pages: tuple[str, ...] = ()
    remedy_pages: tuple[str, ...] = ()
    # A protected characteristic (age, sex, marital status, nationality, ...): training leaves it
    # out unless ``protected_use`` says, in every language, why this model may score it; the model
    # document and the monitor report outcomes by its groups either way (``group_splits`` cut a
    # numeric one into groups, e.g. age bands; categories and flags group by value).
    protected: bool = False
    protected_use: Text | None = None
    group_splits: tuple[float, ...] = ()
    bins: BinOverride | None = None  # bins the analyst sets, with their reason

    _written = field_validator("label", "meaning", "unit", "supply", "protected_use")(require_written)

    @model_validator(mode="before")
    @classmethod
    def _actionability_alias(cls, data: object) -> object:
        if isinstance(data, dict) and "actionability" in data:
            if "advice" in data:
                raise ValueError("give either advice (act, wait, never, fixed) or the old actionability, not both")
            data = dict(data)
            old = data.pop("actionability")
            if old not in ACTIONABILITY_ALIAS:
                raise ValueError(f"actionability '{old}' is not one of actionable, time-only, fixed; "
                                 "better: advice: act, wait, never or fixed")
            data["advice"] = ACTIONABILITY_ALIAS[old]
        return data

    @model_validator(mode="before")
    @classmethod
    def _default_words(cls, value: object) -> object:
        # Left out, label and meaning are the column name (the factor's name when it has no column).
        key = "column" if isinstance(value, dict) and value.get("column") else "name"
        return _default_texts(value, ("label", "meaning"), key)

    @field_validator("name")
    @classmethod
    def _name_is_identifier(cls, value: str) -> str:
        if not NAME.match(value):
            raise ValueError("must be letters, digits and underscores, not starting with a digit")
        return value

    @field_validator("category_labels", mode="before")
    @classmethod
    def _labels_by_code(cls, value: object) -> object:
        if isinstance(value, dict):
            return tuple({"code": str(code), "label": label} for code, label in value.items())
        return value

    @field_validator("cause_pages", "remedy_pages")
    @classmethod
    def _slugs(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for slug in value:
            if not SLUG.match(slug):
                raise ValueError(f"'{slug}' is not a page slug (lowercase words joined by '-')")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Factor:
        if self.min_value is not None and self.max_value is not None and self.min_value > self.max_value:
            raise ValueError("min_value is greater than max_value")
        if self.advice == "fixed" and self.helps != "none":
            raise ValueError("a fixed factor cannot have a direction that helps; set helps: none")
        if self.advice in ("act", "wait") and self.helps == "none":
            raise ValueError(f"an advice: {self.advice} factor needs helps: increase, decrease or toward_better_bins")
        if self.advice == "wait" and self.days_per_step is None and self.window_days is None:
            raise ValueError("an advice: wait factor needs window_days (a count over the last N days) "
                             "or days_per_step (how long one step of waiting takes)")
        if self.percent and self.kind != "numeric":
            raise ValueError("percent: true only applies to a numeric factor (a ratio said as a percentage)")
        if self.advice != "wait" and (self.window_days is not None or self.days_per_step is not None):
            raise ValueError("window_days and days_per_step only apply to advice: wait")
        if self.supply is not None and self.advice not in ("act", "wait"):
            raise ValueError(f"supply is an action; an advice: {self.advice} factor is never advised")
        if self.kind == "categorical" and self.helps in ("increase", "decrease"):
            raise ValueError("a categorical factor has no order; use helps: toward_better_bins")
        if self.kind != "categorical" and self.categories is not None:
            raise ValueError("categories only apply to kind: categorical")
        if self.category_labels and self.kind != "categorical":
            raise ValueError("category_labels only apply to kind: categorical")
        unknown = [c.code for c in self.category_labels
                   if self.categories is not None and c.code not in self.categories]
        if unknown:
            raise ValueError(f"category_labels names {', '.join(unknown)}, which categories does not list")
        if self.step <= 0:
            raise ValueError("step must be positive")
        if not self.protected and (self.protected_use is not None or self.group_splits):
            raise ValueError("protected_use and group_splits only apply to a factor marked protected: true")
        if self.protected and self.kind == "numeric" and not self.group_splits:
            raise ValueError("a protected numeric factor needs group_splits (the edges of its groups, e.g. "
                             "[25, 35, 45, 55] for age bands) so outcomes can be reported by group")
        if self.group_splits and self.kind != "numeric":
            raise ValueError("group_splits only apply to a numeric factor; categories and flags group by value")
        if list(self.group_splits) != sorted(set(self.group_splits)):
            raise ValueError("group_splits must increase")
        if self.bins is not None:
            self._check_override(self.bins)
        return self

    def _check_override(self, bins: BinOverride) -> None:
        if bins.splits is not None and self.kind == "categorical":
            raise ValueError("bins.splits apply to numeric and flag factors; group categories with bins.merge")
        if bins.merge is not None and self.kind != "categorical":
            raise ValueError("bins.merge applies to categorical factors; set numeric bins with bins.splits")
        if bins.trend is not None and self.kind == "categorical":
            raise ValueError("bins.trend applies to numeric and flag factors (categories are ordered by bad rate)")
        unknown = [c for group in bins.merge or () for c in group
                   if self.categories is not None and c not in self.categories]
        if unknown:
            raise ValueError(f"bins.merge names {', '.join(unknown)}, which categories does not list")
        codes = {code_text(c) for c in self.special_codes}
        strange = [str(c) for group in bins.special_bin or () for c in group if code_text(c) not in codes]
        if strange:
            raise ValueError(f"bins.special_bin names {', '.join(strange)}, which special_values does not list")

    @property
    def source_column(self) -> str:
        return self.column or self.name

    @property
    def special_codes(self) -> tuple[float | int | str, ...]:
        return tuple(s.value for s in self.special_values)

    @property
    def advisable(self) -> bool:
        """Whether a plan may change it at all (act or wait)."""
        return self.advice in ("act", "wait")

    def category_label(self, code: str, lang: str) -> str:
        """The words for a category code in ``lang``; the code itself when the profile has none."""
        for item in self.category_labels:
            if item.code == code:
                return item.label.get(lang)
        return code


class ReasonGroup(_Frozen):
    """Factors of one cause (e.g. the count and the length of late payments) give one reason."""

    id: str
    label: Text

    _written = field_validator("label")(require_written)

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not re.match(r"^[a-z][a-z0-9_]*$", value):
            raise ValueError(f"reason group id '{value}' must be lowercase letters, digits and underscores")
        return value


SelectionMethod = Literal["aic", "bic", "pvalue"]


class Selection(_Frozen):
    """How the logit chooses its factors (profile key ``selection``; see ``model.py``).

    ``method``: ``aic`` (default) or ``bic`` drop the least significant factor while that lowers the
    criterion; ``pvalue`` drops every factor above ``max_p_value``. Before the logit, of two factors
    whose WoE correlate above ``max_correlation`` the one with the higher IV stays, and while a
    factor's VIF exceeds ``max_vif`` the weakest such factor goes (``None`` turns a screen off).
    ``l2`` is the ridge penalty on the coefficients (``l2 / 2`` times their sum of squares, the
    intercept free), scikit-learn's ``LogisticRegression(C=1 / l2)``; 0 is the plain logit.
    """

    method: SelectionMethod = "aic"
    max_p_value: float = Field(default=0.05, gt=0, le=1)
    max_correlation: float | None = Field(default=0.7, gt=0, le=1)
    max_vif: float | None = Field(default=None, ge=1)
    l2: float = Field(default=3.0, ge=0)


class Profile(_Frozen):
    name: str
    version: int = 1
    description: Text
    id_column: str | None = None  # without one, the id is the 1-based row number
    target: Target
    date_column: str | None = None
    # How the date column is written (strftime codes); without it, ISO 8601 days (%Y-%m-%d). A date
    # that does not match is a reject, never a missing date (which would skip a dated overlay).
    date_format: str | None = None
    segment_column: str | None = None
    # Columns the decision policy reads that are not scored (e.g. a system-status flag).
    policy_columns: tuple[str, ...] = ()
    factors: tuple[Factor, ...] = Field(min_length=1)
    # Reason groups: factors of one cause give one reason (scorecard.reasons).
    reason_groups: tuple[ReasonGroup, ...] = ()

    selection: Selection = Selection()

    _written = field_validator("description")(require_written)

    @model_validator(mode="before")
    @classmethod
    def _default_words(cls, value: object) -> object:
        return _default_texts(value, ("description",), "name")

    @field_validator("reason_groups", mode="before")
    @classmethod
    def _groups_by_id(cls, value: object) -> object:
        if isinstance(value, dict):
            return tuple({"id": str(key), **(item if isinstance(item, dict) else {"label": item})}
                         for key, item in value.items())
        return value

    @field_validator("factors")
    @classmethod
    def _unique(cls, factors: tuple[Factor, ...]) -> tuple[Factor, ...]:
        # A field validator (not a model validator), so the message names the key 'factors'.
        names = [f.name for f in factors]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"factor names must be unique; repeated: {', '.join(dupes)}")
        columns = [f.source_column for f in factors]
        dupes = sorted({c for c in columns if columns.count(c) > 1})
        if dupes:
            raise ValueError(f"two factors read the same column: {', '.join(dupes)}")
        return factors

    @model_validator(mode="after")
    def _target_is_not_a_factor(self) -> Profile:
        columns = [f.source_column for f in self.factors]
        if self.target.column in columns:
            raise ValueError(f"the target column '{self.target.column}' is also a factor")
        ids = [g.id for g in self.reason_groups]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"reason group ids must be unique; repeated: {', '.join(dupes)}")
        clash = sorted(set(ids) & {f.name.lower() for f in self.factors})
        if clash:
            raise ValueError(f"reason group id {', '.join(clash)} is also a factor name; reason codes would clash")
        unknown = sorted({f.group for f in self.factors if f.group is not None} - set(ids))
        if unknown:
            raise ValueError(f"factors name reason group {', '.join(unknown)}, which reason_groups does not list")
        return self

    def reason_group(self, group_id: str) -> ReasonGroup:
        for g in self.reason_groups:
            if g.id == group_id:
                return g
        raise ProfileError(f"profile '{self.name}' has no reason group '{group_id}'")

    @field_validator("date_format")
    @classmethod
    def _date_format(cls, value: str | None) -> str | None:
        if value is not None and "%" not in value:
            raise ValueError("must be a strftime format such as '%Y-%m-%d' or '%d/%m/%Y'")
        return value

    @property
    def dates_written_as(self) -> str:
        """The format of the date column: ``date_format``, or ISO 8601 days."""
        return self.date_format or ISO_DAY

    def factor(self, name: str) -> Factor:
        for f in self.factors:
            if f.name == name:
                return f
        raise ProfileError(f"profile '{self.name}' has no factor '{name}'")

    @property
    def factor_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.factors)

    @property
    def protected_factors(self) -> tuple[Factor, ...]:
        return tuple(f for f in self.factors if f.protected)


def bundled_names(folder: Path) -> tuple[str, ...]:
    """The names of the YAML files bundled in ``folder`` (what a bare name may say)."""
    return tuple(sorted(p.stem for p in folder.glob("*.yaml")))


def bundled_profiles() -> tuple[str, ...]:
    return bundled_names(BUNDLED_DIR)


def _location(loc: tuple[int | str, ...], data: object) -> str:
    """Turn pydantic's ``('factors', 3, 'trend')`` into ``factors[3] (debt_to_income).trend``."""
    parts: list[str] = []
    node = data
    for item in loc:
        if isinstance(item, int):
            entry = node[item] if isinstance(node, list) and item < len(node) else None
            name = (entry.get("name") or entry.get("code")) if isinstance(entry, dict) else None
            if parts:
                parts[-1] += f"[{item}]" + (f" ({name})" if name else "")
            node = entry
        else:
            parts.append(str(item))
            node = node.get(item) if isinstance(node, dict) else None
    return ".".join(parts) or "(top level)"


def describe_validation_error(exc: ValidationError, data: object) -> str:
    """The first problem of a pydantic error as ``key.path: message (and N more problem(s))``.

    Shared by every YAML file the package validates (profiles, policies), so their messages
    read alike and always name the key at fault.
    """
    first = exc.errors()[0]
    # pydantic adds the union member ("str", "tuple[...]") to the location; drop it. An error may
    # name the key below its location that is at fault (``ctx["key"]``, e.g. a text's missing language).
    loc = tuple(p for p in first["loc"] if not (isinstance(p, str) and ("[" in p or p in ("str", "int", "float"))))
    loc += tuple(str(k) for k in [(first.get("ctx") or {}).get("key")] if k)
    message = first["msg"].removeprefix("Value error, ")
    more = f" (and {exc.error_count() - 1} more problem(s))" if exc.error_count() > 1 else ""
    return f"{_location(loc, data)}: {message}{more}"


def parse_profile(data: object, source: str) -> Profile:
    """Validate a parsed YAML document; ``source`` names it in error messages."""
    if not isinstance(data, dict):
        raise ProfileError(f"{source}: a profile must be a YAML mapping with keys name, description, target, factors")
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        raise ProfileError(f"{source}: {describe_validation_error(exc, data)}; fix the profile and try again") from exc


def read_yaml_document(name_or_path: str | Path, bundled: Path, kind: str, error: type[ScorecardError],
                       missing_hint: str) -> tuple[object, Path]:
    """A YAML document by bare name from the ``bundled`` folder, or from any file by path: the
    parsed data and the path it came from. Shared by profiles and policies, so both resolve names
    and report problems alike; ``kind`` and ``missing_hint`` word the errors."""
    text = str(name_or_path)
    path = Path(text)
    # A bare name is a bundled file unless a file of that name exists: a folder called "demo" or
    # "heloc" in the working directory must not hide the bundled one.
    if not path.suffix and not path.is_file():
        path = bundled / f"{text}.yaml"
        if not path.exists():
            names = ", ".join(bundled_names(bundled))
            raise error(f"unknown {kind} '{text}'; use one of {names} or a path to a YAML file")
    if not path.is_file():
        raise error(f"{path}: {kind} file not found; {missing_hint}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        what = getattr(exc, "problem", None) or exc.__class__.__name__
        raise error(f"{path}: not valid UTF-8 YAML{where} ({what}); fix the file and try again") from exc
    return data, path


def load_profile(name_or_path: str | Path = "demo") -> Profile:
    """Load a bundled profile by name (``demo``, ``heloc``, ...) or a profile YAML by path."""
    data, path = read_yaml_document(name_or_path, BUNDLED_DIR, "profile", ProfileError,
                                    "give a bundled profile name or an existing YAML file")
    return parse_profile(data, str(path))
