"""ScorecardSpec: everything needed to score and explain, as one plain, checksummed JSON file.

Scoring needs only NumPy and this file: not optbinning, not statsmodels, not pickle.

How a value finds its bin (the same rule in ``scoring.py`` and ``sql.py``):

1. a missing value (null, NaN, empty or blank text; text in a numeric column that is not a
   number) -> the factor's ``missing`` bin;
2. a value equal to one of the factor's special codes -> the ``special`` bin holding that code;
3. numeric factors: the ``range`` bin with ``lower <= value < upper`` (``None`` is unbounded),
   optbinning's own side convention; categorical factors: the ``categories`` bin listing the
   value (compared as text);
4. a category seen in no bin -> the bin named by ``unseen_bin``: the factor's worst category
   group (``UNSEEN_RULE``; optbinning 1.0 would silently score it as Missing).

Bins that had no training rows (an empty ``special`` or ``missing`` bin) carry the WoE of the
factor's worst observed bin and so score its points (``EMPTY_BIN_RULE``): optbinning gives them
WoE 0, i.e. neutral points, which would reward an applicant for a value the model has never
seen. A bin with training rows of only one outcome gets a smoothed WoE (``binning.SMOOTHING``
rows of each outcome added) instead of optbinning's 0.

Portability (``SIGNIFICANT_DIGITS``): the same data, profile and seed give the same spec bytes
on any CPU. The last bits of a float that BLAS, LAPACK or a libm computes depend on the kernel
the machine picks, so every fitted float (WoE, IV, event rates, coefficients and their
statistics, the scale, metrics, the PD table) is rounded to ``SIGNIFICANT_DIGITS`` significant
digits (:func:`fitted`) *before* it is used further: the logit is fitted on rounded WoE, the
integer points come from rounded WoE and coefficients, and the SHA-256 is taken over the
rounded values. Two machines then disagree only if a value lies within about 1e-16 of a
rounding boundary of its ninth digit (roughly one value in a million).

One PD per integer score: ``pd_table`` holds the bad probability of every possible total,
from the lowest to the highest score, ``1 / (1 + exp((score - offset) / factor))`` rounded as
above. Every engine (NumPy, the DuckDB engine, exported SQL) looks the PD up in this table
instead of computing ``exp`` itself, so they all write the same PD for the same score.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from scorecard.errors import SpecError
from scorecard.profile import Profile, parse_profile

SCHEMA_VERSION = 3  # 3: the profile's selection rule; selection steps carry partners, VIF, criterion
SIGNIFICANT_DIGITS = 9  # of every fitted float (see the module docstring)
MAX_PD_TABLE = 100_000  # scores from the lowest to the highest total; a wider scale is a mistake
UNSEEN_RULE = "an unseen category scores as the factor's worst category group (lowest WoE seen in training)"
EMPTY_BIN_RULE = "a special or missing bin without training rows scores as the factor's worst observed bin"

BinKind = Literal["range", "categories", "special", "missing"]


def compared(value: float, threshold: float, digits: int = 4) -> str:
    """``value`` with ``digits`` decimals, or as many more (up to 12) as it takes for the printed
    number to fall on the same side of ``threshold`` as the value does: an IV of 0.019996 is
    "0.019996" beside a threshold of 0.02, never "0.0200 < 0.02"."""
    for places in range(digits, 13):
        shown = round(value, places)
        if (shown < threshold) == (value < threshold) and (shown == threshold) == (value == threshold):
            return f"{value:.{places}f}"
    return repr(value)


def fitted(value: float) -> float:
    """A fitted float rounded to ``SIGNIFICANT_DIGITS`` significant digits, so that its bytes
    do not depend on the CPU that computed it (see the module docstring)."""
    value = float(value)
    if value == 0.0 or value != value or value in (math.inf, -math.inf):
        return value + 0.0  # -0.0 -> 0.0; NaN and infinities as they are (the JSON writer refuses them)
    return float(f"{value:.{SIGNIFICANT_DIGITS}g}")


def fitted_tree(node: Any) -> Any:
    """``fitted`` applied to every float inside dicts, lists and tuples (ints and bools untouched)."""
    if isinstance(node, float):
        return fitted(node)
    if isinstance(node, dict):
        return {k: fitted_tree(v) for k, v in node.items()}
    if isinstance(node, (list, tuple)):
        return type(node)(fitted_tree(v) for v in node)
    return node


@dataclass(frozen=True)
class Bin:
    """One bin of one factor, with its training statistics and integer points."""

    kind: BinKind
    label: str  # as shown in reports: "[1, 3)", "A11, A12", "-7", "Missing"
    points: int
    woe: float  # ln(%good / %bad), optbinning's convention: higher is safer
    count: int
    event_count: int  # bad outcomes among ``count``
    event_rate: float
    iv: float
    lower: float | None = None  # range bins: lower <= value < upper; None is unbounded
    upper: float | None = None
    categories: tuple[str, ...] = ()  # categories bins (as text)
    special_values: tuple[float | str, ...] = ()  # special bins: the codes that land here


@dataclass(frozen=True)
class FactorSpec:
    name: str
    column: str
    kind: Literal["numeric", "categorical", "flag"]
    coefficient: float  # logit coefficient on WoE (negative: higher WoE, lower risk)
    iv: float
    bins: tuple[Bin, ...]  # range/category bins in order, then special bins, then missing
    missing_bin: int  # index into ``bins``
    unseen_bin: int  # index into ``bins`` for categories not seen in training
    # The bins optbinning chose, with their statistics (points 0), when the analyst set the bins
    # (profile ``bins``); empty otherwise. The report shows them next to the bins in use.
    automatic_bins: tuple[Bin, ...] = ()

    @property
    def best_points(self) -> int:
        return max(b.points for b in self.bins)

    @property
    def worst_points(self) -> int:
        return min(b.points for b in self.bins)


@dataclass(frozen=True)
class Coefficient:
    name: str  # "intercept" or a factor name
    estimate: float
    std_error: float
    z: float
    p_value: float
    vif: float | None = None


@dataclass(frozen=True)
class SelectionStep:
    """One decision of factor selection, in order, for the model report."""

    factor: str
    # protected: a protected characteristic left out or kept (protected.py); screen: correlation and
    # VIF limits, before the logit
    stage: Literal["binning", "protected", "screen", "logit"]
    action: Literal["kept", "dropped"]
    reason: str  # English; pages word the step from the numbers below
    iv: float | None = None
    coefficient: float | None = None
    p_value: float | None = None
    partner: str | None = None  # screen: the stronger factor this one correlates with
    correlation: float | None = None  # screen: Pearson correlation of the two factors' WoE
    vif: float | None = None  # screen: the factor's VIF when it was dropped
    criterion: float | None = None  # logit (aic/bic): change of the criterion when this factor is left out
    override: str | None = None  # binning: the bins the analyst set and their reason ("splits 1, 3: ...")


@dataclass(frozen=True)
class Scaling:
    """Points scale. For both methods: score = offset + factor * ln(good:bad odds)."""

    method: Literal["pdo", "range"]
    factor: float
    offset: float
    pdo: float | None = None
    base_score: float | None = None
    base_odds: float | None = None
    min_score: int | None = None
    max_score: int | None = None

    def pd_from_score(self, score: float) -> float:
        """Probability of the bad outcome implied by a total score, by the formula. Scoring never
        calls this: it looks the PD up in the spec's ``pd_table``, which is built from this."""
        log_odds_good = (score - self.offset) / self.factor
        if log_odds_good > 700:  # exp would overflow; the probability is 0 to double precision
            return 0.0
        return 1.0 / (1.0 + math.exp(log_odds_good))


@dataclass(frozen=True)
class PdTable:
    """The PD of every integer score from ``first_score`` to ``first_score + len(pd) - 1``."""

    first_score: int
    pd: tuple[float, ...]

    @property
    def last_score(self) -> int:
        return self.first_score + len(self.pd) - 1

    def of(self, score: int) -> float:
        """The PD of one integer score in the table's range (SpecError outside it)."""
        if not self.first_score <= score <= self.last_score:
            raise SpecError(f"score {score} is outside the PD table ({self.first_score} to {self.last_score})")
        return self.pd[score - self.first_score]


def make_pd_table(scaling: Scaling, low: int, high: int) -> PdTable:
    """The PD table of a scale for the totals ``low`` to ``high`` (rounded by ``fitted``)."""
    if high - low + 1 > MAX_PD_TABLE:
        raise SpecError(f"the scores run from {low} to {high}, more than {MAX_PD_TABLE:,} distinct totals; "
                        "choose a narrower scale (--pdo, --min-score, --max-score)")
    return PdTable(first_score=int(low), pd=tuple(fitted(scaling.pd_from_score(s)) for s in range(low, high + 1)))


@dataclass(frozen=True)
class ScorecardSpec:
    profile: Profile
    factors: tuple[FactorSpec, ...]
    intercept: float
    coefficients: tuple[Coefficient, ...]
    scaling: Scaling
    selection_log: tuple[SelectionStep, ...]
    metrics: dict[str, Any]  # JSON-ready; see metrics.py
    training: dict[str, Any]  # fingerprint of the training data: rows, bad rate, sha256, seed, split
    rounding: dict[str, Any]  # rounding error of integer points against the unrounded score
    # Reference population for reason baselines (reasons.reference_points): per 5-point score
    # band of the training rows, the count and mean points per factor. Empty for hand-made specs.
    reference: dict[str, Any] = field(default_factory=dict)
    unseen_rule: str = UNSEEN_RULE
    empty_bin_rule: str = EMPTY_BIN_RULE
    # PD of every possible total (``sealed`` fills it); ``None`` only before the spec is sealed.
    pd_table: PdTable | None = None
    schema_version: int = SCHEMA_VERSION
    sha256: str = field(default="", compare=False)

    @property
    def factor_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.factors)

    def factor(self, name: str) -> FactorSpec:
        for f in self.factors:
            if f.name == name:
                return f
        raise SpecError(f"the scorecard has no factor '{name}'")

    @property
    def min_score(self) -> int:
        return sum(f.worst_points for f in self.factors)

    @property
    def max_score(self) -> int:
        return sum(f.best_points for f in self.factors)


# --- JSON -------------------------------------------------------------------------------------


def _content(spec: ScorecardSpec, profile_data: dict[str, Any] | None = None) -> dict[str, Any]:
    data = asdict(replace(spec, sha256=""))
    data.pop("sha256")
    if profile_data is not None:  # a spec written before 'advice' replaced 'actionability': its own bytes
        data["profile"] = profile_data
        return data
    data["profile"] = spec.profile.model_dump(mode="json")
    for factor in data["profile"]["factors"]:  # written only when set, so specs of other profiles keep their bytes
        for key in ("category_labels", "protected", "protected_use", "group_splits", "allow_infinite", "bins"):
            if not factor[key]:
                del factor[key]
        for key in ("window_days", "days_per_step", "supply", "group"):
            if factor[key] is None:
                del factor[key]
    if not data["profile"]["reason_groups"]:
        del data["profile"]["reason_groups"]
    if data["profile"].get("date_format", "") is None:
        del data["profile"]["date_format"]
    # Bin overrides are written only where an analyst set bins, so other specs keep their bytes.
    for factor in data["factors"]:
        if not factor["automatic_bins"]:
            del factor["automatic_bins"]
    for step in data["selection_log"]:
        if step["override"] is None:
            del step["override"]
    return data


def _canonical(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def checksum(spec: ScorecardSpec, profile_data: dict[str, Any] | None = None) -> str:
    return hashlib.sha256(_canonical(_content(spec, profile_data)).encode("utf-8")).hexdigest()


def rounded(spec: ScorecardSpec) -> ScorecardSpec:
    """Every float of the spec rounded by ``fitted`` (idempotent). Training rounds WoE and the
    coefficients before it computes points; this catches the rest (statistics, metrics)."""
    def bins(f: FactorSpec, key: str = "bins") -> tuple[Bin, ...]:
        return tuple(replace(b, woe=fitted(b.woe), event_rate=fitted(b.event_rate), iv=fitted(b.iv))
                     for b in getattr(f, key))

    return replace(
        spec,
        factors=tuple(replace(f, coefficient=fitted(f.coefficient), iv=fitted(f.iv), bins=bins(f),
                              automatic_bins=bins(f, "automatic_bins")) for f in spec.factors),
        intercept=fitted(spec.intercept),
        coefficients=tuple(replace(c, estimate=fitted(c.estimate), std_error=fitted(c.std_error), z=fitted(c.z),
                                   p_value=fitted(c.p_value), vif=None if c.vif is None else fitted(c.vif))
                           for c in spec.coefficients),
        scaling=replace(spec.scaling, factor=fitted(spec.scaling.factor), offset=fitted(spec.scaling.offset)),
        selection_log=tuple(replace(s, iv=None if s.iv is None else fitted(s.iv),
                                    coefficient=None if s.coefficient is None else fitted(s.coefficient),
                                    p_value=None if s.p_value is None else fitted(s.p_value),
                                    correlation=None if s.correlation is None else fitted(s.correlation),
                                    vif=None if s.vif is None else fitted(s.vif),
                                    criterion=None if s.criterion is None else fitted(s.criterion))
                            for s in spec.selection_log),
        metrics=fitted_tree(spec.metrics),
        training=fitted_tree(spec.training),
        rounding=fitted_tree(spec.rounding),
        reference=fitted_tree(spec.reference),
    )


def sealed(spec: ScorecardSpec) -> ScorecardSpec:
    """The spec as it is written: floats rounded (``rounded``), the PD table of its score range
    filled in, and the SHA-256 of that content."""
    spec = rounded(spec)
    spec = replace(spec, pd_table=make_pd_table(spec.scaling, spec.min_score, spec.max_score))
    return replace(spec, sha256=checksum(spec))


def to_json(spec: ScorecardSpec) -> str:
    """Deterministic, human-readable JSON with the checksum of its content."""
    if spec.pd_table is None:
        raise SpecError("the scorecard spec is not sealed (no PD table); seal it with spec.sealed before writing")
    data = _content(spec)
    data["sha256"] = checksum(spec)
    return json.dumps(data, sort_keys=True, ensure_ascii=False, allow_nan=False, indent=1) + "\n"


def _tuples(items: list[dict[str, Any]], cls: type, source: str, where: str) -> tuple:
    try:
        return tuple(cls(**item) for item in items)
    except TypeError as exc:
        raise SpecError(f"{source}: {where} does not match schema {SCHEMA_VERSION} ({exc}); re-run 'scorecard train'") from exc


def from_json(text: str, source: str = "spec") -> ScorecardSpec:
    """Parse and verify a spec. Edited, truncated or newer-schema files fail with a clear message."""
    def not_a_number(constant: str) -> float:
        raise SpecError(f"{source}: holds {constant}, which no spec may hold (edited?); re-run 'scorecard train'")

    try:
        data = json.loads(text, parse_constant=not_a_number)
    except json.JSONDecodeError as exc:
        raise SpecError(f"{source}: not valid JSON (truncated or edited?) at line {exc.lineno}; re-run 'scorecard train'") from exc
    if not isinstance(data, dict) or "schema_version" not in data:
        raise SpecError(f"{source}: not a scorecard spec (no schema_version); give the file 'scorecard train' wrote")
    version = data["schema_version"]
    if not isinstance(version, int) or isinstance(version, bool):
        raise SpecError(f"{source}: schema_version must be a whole number, not {version!r}; "
                        "give the file 'scorecard train' wrote")
    if version > SCHEMA_VERSION:
        raise SpecError(
            f"{source}: written by a newer schema (version {version}, this program reads up to {SCHEMA_VERSION}); "
            "upgrade credit-scorecard"
        )
    if version < SCHEMA_VERSION:
        raise SpecError(
            f"{source}: written by an older schema (version {version}; this program reads version {SCHEMA_VERSION}, "
            "whose selection log records the selection rule and every screen); re-run 'scorecard train'"
        )
    stored = data.pop("sha256", None)
    if stored is None:
        raise SpecError(f"{source}: has no sha256; re-run 'scorecard train'")
    try:
        factors = tuple(
            FactorSpec(**{**f, "bins": _tuples(f["bins"], Bin, source, f"factors.{f.get('name')}.bins"),
                          "automatic_bins": _tuples(f.get("automatic_bins", []), Bin, source,
                                                    f"factors.{f.get('name')}.automatic_bins")})
            for f in data["factors"]
        )
        spec = ScorecardSpec(
            profile=parse_profile(data["profile"], f"{source}: profile"),
            factors=factors,
            intercept=data["intercept"],
            coefficients=_tuples(data["coefficients"], Coefficient, source, "coefficients"),
            scaling=Scaling(**data["scaling"]),
            selection_log=_tuples(data["selection_log"], SelectionStep, source, "selection_log"),
            metrics=data["metrics"],
            training=data["training"],
            rounding=data["rounding"],
            reference=data.get("reference", {}),
            unseen_rule=data["unseen_rule"],
            empty_bin_rule=data["empty_bin_rule"],
            pd_table=PdTable(first_score=int(data["pd_table"]["first_score"]),
                             pd=tuple(float(p) for p in data["pd_table"]["pd"])),
            schema_version=version,
        )
    except (KeyError, TypeError) as exc:
        raise SpecError(f"{source}: missing or malformed field {exc}; re-run 'scorecard train'") from exc
    # Tuples inside bins come back from JSON as lists; normalise before comparing checksums.
    spec = replace(
        spec,
        factors=tuple(
            replace(f, **{key: tuple(replace(b, categories=tuple(b.categories), special_values=tuple(b.special_values))
                                     for b in getattr(f, key)) for key in ("bins", "automatic_bins")})
            for f in spec.factors
        ),
    )
    actual = checksum(spec)
    if actual != stored and any("actionability" in f for f in data["profile"].get("factors", [])):
        actual = checksum(spec, data["profile"])  # written with the old key, which still reads as an alias
    if actual != stored:
        raise SpecError(
            f"{source}: checksum mismatch (the file was edited or damaged after training); re-run 'scorecard train'"
        )
    table = spec.pd_table
    if (table.first_score, table.last_score) != (spec.min_score, spec.max_score):
        raise SpecError(f"{source}: the PD table covers scores {table.first_score} to {table.last_score}, not the "
                        f"scorecard's {spec.min_score} to {spec.max_score}; re-run 'scorecard train'")
    return replace(spec, sha256=stored)


def save_spec(spec: ScorecardSpec, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_json(spec), encoding="utf-8")
    return path


def load_spec(path: str | Path) -> ScorecardSpec:
    path = Path(path)
    if not path.is_file():
        raise SpecError(f"{path}: scorecard spec not found; train one with 'scorecard train --out {path}'")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError(f"{path}: not a UTF-8 JSON scorecard spec; give the file 'scorecard train' wrote") from exc
    return from_json(text, str(path))
