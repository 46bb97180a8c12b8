"""Optimal binning per factor (optbinning) turned into plain spec bins with WoE and IV.

This is the only module that imports optbinning. optbinning finds the split points (numeric and
flag factors) or the category groups (categorical factors) under the profile's monotonic trend,
with every special code in its own bin and missing values in their own bin. The bin statistics
are then recounted with the spec's own bin rule (``scoring.assign_bins``), so the WoE stored in
the spec is exactly the WoE of the rows the scorer puts in each bin.

Where optbinning 1.0 would mislead, the spec says what happens instead (see ``spec.py``):

* a bin that holds only good (or only bad) rows gets WoE 0 and event rate 0 in optbinning's
  binning table; here its event rate is the real one and its WoE is smoothed by adding
  ``SMOOTHING`` rows to both outcomes, so an all-bad special code does not look neutral;
* an empty special or missing bin gets WoE 0 (neutral points) in optbinning; here it gets the WoE
  of the factor's worst observed bin (``EMPTY_BIN_RULE``);
* an unseen category is scored as Missing by optbinning (index -1); here ``unseen_bin`` points
  to the factor's worst category group (``UNSEEN_RULE``);
* optbinning's ``transform`` and ``Scorecard.fit`` default to ``metric_special=0`` and
  ``metric_missing=0``: special codes and missing values get WoE 0 (indices: bin 0) whatever
  their bad rate. Nothing here uses optbinning to transform or score; the spec's bins do it.
* per-variable ``binning_transform_params`` break ``Scorecard.score`` (upstream issue #412): each
  factor's settings go to its own ``OptimalBinning`` as fit arguments (``optbinning_params``).

Every other bin has optbinning's own WoE, computed with optbinning's formula, so the points
equal optbinning's ``Scorecard`` for the same model (``tests/test_scoring.py`` checks this).
Numeric bins follow optbinning's side convention, ``lower <= x < upper`` (``np.digitize`` with
``right=False``), which ``scoring.py`` matches with ``searchsorted(side="right")``.

Points are filled in later by ``scaling.py``; here every bin has 0 points.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd


class _QuietSolverProbe(logging.Filter):
    """cvxpy, which optbinning imports, probes its optional solvers at import and logs (on stderr,
    through its own handler) "Encountered unexpected exception importing solver HIGHS:
    ImportError(...)" when the highspy wheel's native library does not load. optbinning's
    ``OptimalBinning`` solves with OR-Tools, never through cvxpy, so users should not see that
    line: exactly that message is dropped, and every other cvxpy log line still shows. (It is a
    log record, not a ``warnings.warn``, so a warnings filter would not catch it.)"""

    MESSAGE = "Encountered unexpected exception importing solver HIGHS"

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(self.MESSAGE)


logging.getLogger("__cvxpy__").addFilter(_QuietSolverProbe())

from optbinning import OptimalBinning  # noqa: E402  (after the filter above)

from scorecard.errors import FitError  # noqa: E402
from scorecard.profile import Factor, Profile, code_text  # noqa: E402
from scorecard.scoring import assign_bins, numeric_values  # noqa: E402
from scorecard.spec import Bin, FactorSpec, SelectionStep, compared, fitted  # noqa: E402

MIN_IV = 0.02  # below this a factor barely separates good from bad ("not predictive" by the usual rule)
MIN_BIN_SHARE = 0.02  # smallest range or category bin, as a share of the training rows...
MIN_BIN_ROWS = 50  # ...and never fewer rows than this (small tables get wider bins)
MIN_FLAG_SHARE = 0.01  # a flag's two values stay two bins down to this share (e.g. 3% unverified)
MAX_BINS = 10  # range or category bins per factor; special and missing bins come on top
MAX_PREBINS = 20
SPLIT_DIGITS = 4  # decimals of the split points of non-integer factors, so labels are exact
SMOOTHING = 0.5  # rows of each outcome added to a bin that holds only one outcome

# optbinning's trend vocabulary; the profile's "auto" becomes "auto_asc_desc" (rising or falling,
# learned from the data) so a factor is never given a peak or a valley nobody asked for; a
# profile that wants one says "peak" or "valley".
_TRENDS = {"auto": "auto_asc_desc"}

Progress = Callable[[str, int, int], Any]  # (stage, done, total)


@dataclass(frozen=True)
class Binning:
    """Binned factors that passed the IV screen (points 0, coefficient 0) and the selection log.

    ``all_factors`` holds every binned factor, kept or not, for the IV table of the report.
    """

    factors: tuple[FactorSpec, ...]
    steps: tuple[SelectionStep, ...]
    all_factors: tuple[FactorSpec, ...] = ()


# --- labels -----------------------------------------------------------------------------------


def number_text(value: float | int | str) -> str:
    """Short exact text of a number: 3 not 3.0, 0.35 not 0.35000000000000003 (split points
    are rounded to ``SPLIT_DIGITS`` decimals, so the shortest round-trip text is exact)."""
    if isinstance(value, str):
        return value
    value = float(value)
    if value.is_integer():
        return str(int(value))
    return repr(value)


def range_label(lower: float | None, upper: float | None, factor: Factor) -> str:
    """What a reader sees for ``lower <= x < upper``: whole numbers for integer factors
    ("0–2", "3", "≥ 5"), half-open intervals otherwise ("< 0.3", "[0.3, 0.5)", "≥ 0.5")."""
    if factor.integer or factor.kind == "flag":
        lo = math.ceil(lower) if lower is not None else (
            math.ceil(factor.min_value) if factor.min_value is not None else None)
        hi = math.ceil(upper) - 1 if upper is not None else None
        if hi is None and lo is not None and factor.max_value is not None and lo >= factor.max_value:
            hi = lo
        if lo is None and hi is None:
            return "all values"
        if lo is None:
            return f"≤ {hi}"
        if hi is None:
            return f"≥ {lo}"
        return str(lo) if lo == hi else f"{lo}–{hi}"
    if lower is None and upper is None:
        return "all values"
    if lower is None:
        return f"< {number_text(upper)}"
    if upper is None:
        return f"≥ {number_text(lower)}"
    return f"[{number_text(lower)}, {number_text(upper)})"


# --- optbinning -------------------------------------------------------------------------------


def special_codes(factor: Factor) -> dict[str, list[float | str]]:
    """optbinning's ``special_codes`` for a factor: one named group (one bin) per code."""
    if factor.kind == "categorical":
        return {str(code): [str(code)] for code in factor.special_codes}
    return {number_text(code): [float(code)] for code in factor.special_codes if not isinstance(code, str)}


def bin_share(factor: Factor, rows: int, min_bin_share: float = MIN_BIN_SHARE) -> float:
    """The smallest bin of ``factor`` as a share of ``rows`` training rows."""
    share = MIN_FLAG_SHARE if factor.kind == "flag" else min_bin_share
    return min(0.5, max(share, MIN_BIN_ROWS / max(rows, 1)))


def optbinning_params(factor: Factor, rows: int, *, max_bins: int = MAX_BINS,
                      min_bin_share: float = MIN_BIN_SHARE) -> dict[str, Any]:
    """The ``OptimalBinning`` arguments this module uses for ``factor`` on ``rows`` training
    rows (also usable as ``BinningProcess(binning_fit_params={column: ...})``, which the tests
    do to build optbinning's own ``Scorecard`` on the very same bins)."""
    categorical = factor.kind == "categorical"
    share = bin_share(factor, rows, min_bin_share)
    return {
        "dtype": "categorical" if categorical else "numerical",
        # Categories are ordered by bad rate before they are grouped, so no trend applies.
        "monotonic_trend": None if categorical else _TRENDS.get(factor.trend, factor.trend),
        "special_codes": special_codes(factor) or None,
        "max_n_prebins": MAX_PREBINS,
        "min_prebin_size": share,
        "min_bin_size": share,
        "max_n_bins": max_bins,
        "split_digits": None if (factor.integer or factor.kind == "flag" or categorical) else SPLIT_DIGITS,
    }


def training_values(factor: Factor, column: pd.Series) -> np.ndarray:
    """The column as optbinning reads it: floats (NaN missing) or text (NaN missing or blank)."""
    if factor.kind != "categorical":
        return numeric_values(column)
    text = column.astype("string")
    blank = text.str.strip() == ""
    return text.mask(blank).to_numpy(dtype=object, na_value=np.nan)


def _fit_optbinning(factor: Factor, values: np.ndarray, y: np.ndarray, *, max_bins: int,
                    min_bin_share: float) -> OptimalBinning:
    params = optbinning_params(factor, len(values), max_bins=max_bins, min_bin_share=min_bin_share)
    optb = OptimalBinning(name=factor.name, **params)
    try:
        optb.fit(values, y)
    except Exception as exc:  # optbinning raises plain ValueError/TypeError on degenerate columns
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        raise FitError(f"column '{factor.source_column}' (factor {factor.name}): binning failed ({first}); "
                       "check its values against the profile") from exc
    return optb


def _clean_values(factor: Factor, values: np.ndarray) -> np.ndarray:
    """Values that are neither missing nor a special code."""
    codes = [c for group in special_codes(factor).values() for c in group]
    clean = ~pd.isna(values)
    if codes:
        clean &= ~pd.Series(values).isin(codes).to_numpy()
    return values[clean]


def _skeleton(factor: Factor, optb: OptimalBinning | None, values: np.ndarray) -> list[Bin]:
    """The spec's bins (statistics still empty), in optbinning's order: clean bins, then one bin
    per special code, then missing. Without ``optb`` (no clean value to bin) there is one clean
    bin (numeric) or none (categorical)."""
    if factor.kind == "categorical":
        groups = [tuple(sorted(str(c) for c in group)) for group in (optb.splits if optb is not None else ())]
        groups = [g for g in groups if g]
        if not groups:  # no split: every category seen in training is one group
            groups = [tuple(_seen_categories(factor, values))]
        return _category_bins(groups) + _tail(factor)
    return _range_bins(factor, [float(s) for s in (optb.splits if optb is not None else ())]) + _tail(factor)


_EMPTY = {"points": 0, "woe": 0.0, "count": 0, "event_count": 0, "event_rate": 0.0, "iv": 0.0}


def _seen_categories(factor: Factor, values: np.ndarray) -> list[str]:
    codes = {str(c) for c in factor.special_codes}
    seen = pd.unique(pd.Series(values).dropna().astype(str))
    return sorted(c for c in seen if c not in codes)


def _category_bins(groups: list[tuple[str, ...]]) -> list[Bin]:
    return [Bin(kind="categories", label=", ".join(g), categories=g, **_EMPTY) for g in groups if g]


def _range_bins(factor: Factor, splits: list[float]) -> list[Bin]:
    edges = [None, *splits, None]
    return [Bin(kind="range", label=range_label(lo, hi, factor), lower=lo, upper=hi, **_EMPTY)
            for lo, hi in zip(edges[:-1], edges[1:])]


def _tail(factor: Factor, together: tuple[tuple[float | int | str, ...], ...] = ()) -> list[Bin]:
    """The special bins (one per code, or one per group of codes the analyst put ``together``),
    in the order of the profile's special values, then the missing bin."""
    codes = special_codes(factor)
    group_of = {code_text(c): i for i, group in enumerate(together) for c in group}
    bins: list[Bin] = []
    placed: dict[int, int] = {}  # group -> index in bins
    for label, values in codes.items():
        group = group_of.get(label)
        if group is None:
            bins.append(Bin(kind="special", label=label, special_values=tuple(values), **_EMPTY))
        elif group in placed:
            b = bins[placed[group]]
            bins[placed[group]] = replace(b, label=f"{b.label}, {label}", special_values=b.special_values + tuple(values))
        else:
            placed[group] = len(bins)
            bins.append(Bin(kind="special", label=label, special_values=tuple(values), **_EMPTY))
    return bins + [Bin(kind="missing", label="Missing", **_EMPTY)]


def _overridden(factor: Factor, values: np.ndarray, y: np.ndarray, *, max_bins: int,
                min_bin_share: float) -> list[Bin]:
    """The bins the analyst set (profile ``bins``): fixed splits, category groups, or optbinning
    under a forced trend; special codes grouped as told."""
    override = factor.bins
    if override.splits is not None:
        clean = _range_bins(factor, [float(v) for v in override.splits])
    elif override.merge is not None:
        listed = {c for group in override.merge for c in group}
        rest = [(c,) for c in _seen_categories(factor, values) if c not in listed]
        clean = _category_bins([tuple(sorted(g)) for g in override.merge] + rest)
    else:
        forced = factor.model_copy(update={"trend": override.trend}) if override.trend else factor
        optb = (_fit_optbinning(forced, values, y, max_bins=max_bins, min_bin_share=min_bin_share)
                if len(_clean_values(factor, values)) else None)
        clean = [b for b in _skeleton(forced, optb, values) if b.kind in ("range", "categories")]
    return clean + _tail(factor, override.special_bin or ())


def _woe(good: float, bad: float, total_good: float, total_bad: float) -> float:
    """WoE = ln(%good / %bad), written as optbinning writes it so the floats agree bit for bit."""
    if good > 0 and bad > 0:
        return math.log(1.0 / (bad / (good + bad)) - 1.0) + math.log(total_bad / total_good)
    return math.log(((good + SMOOTHING) / total_good) / ((bad + SMOOTHING) / total_bad))


def bin_statistics(factor: Factor, bins: list[Bin], column: pd.Series, y: np.ndarray) -> FactorSpec:
    """Count, bad count, event rate, WoE and IV of every bin, with the scorer's bin rule."""
    missing_bin = len(bins) - 1
    provisional = FactorSpec(name=factor.name, column=factor.source_column, kind=factor.kind, coefficient=0.0,
                             iv=0.0, bins=tuple(bins), missing_bin=missing_bin, unseen_bin=missing_bin)
    index = assign_bins(provisional, column)
    count = np.bincount(index, minlength=len(bins)).astype(np.int64)
    bad = np.bincount(index, weights=y, minlength=len(bins)).round().astype(np.int64)
    good = count - bad
    total_bad, total_good = int(bad.sum()), int(good.sum())
    if total_bad == 0 or total_good == 0:
        raise FitError("the training rows have only one outcome (all good or all bad); a scorecard needs both")
    stats: list[Bin] = []
    for i, b in enumerate(bins):
        if count[i] == 0:
            stats.append(b)
            continue
        # Rounded (spec.fitted) before anything else uses them: the logit is fitted on these WoE
        # values and the points come from them, so a last bit from libm cannot reach the spec.
        woe = fitted(_woe(float(good[i]), float(bad[i]), total_good, total_bad))
        share_good, share_bad = good[i] / total_good, bad[i] / total_bad
        if good[i] == 0 or bad[i] == 0:
            share_good = (good[i] + SMOOTHING) / total_good
            share_bad = (bad[i] + SMOOTHING) / total_bad
        iv = fitted((share_good - share_bad) * woe)
        stats.append(replace(b, count=int(count[i]), event_count=int(bad[i]),
                             event_rate=fitted(bad[i] / count[i]), woe=woe, iv=iv))
    observed = [i for i, b in enumerate(stats) if b.count > 0]
    worst = min(observed, key=lambda i: (stats[i].woe, i))
    # EMPTY_BIN_RULE: an empty special/missing bin carries the worst observed WoE, so it scores
    # the worst observed points (optbinning would give it WoE 0, i.e. neutral points).
    stats = [replace(b, woe=stats[worst].woe) if b.count == 0 else b for b in stats]
    groups = [i for i, b in enumerate(stats) if b.kind in ("range", "categories") and b.count > 0]
    # UNSEEN_RULE: an unseen category scores as the worst category group seen in training.
    unseen = min(groups, key=lambda i: (stats[i].woe, i)) if groups else worst
    return replace(provisional, bins=tuple(stats), iv=fitted(sum(b.iv for b in stats)), unseen_bin=unseen)


def _no_split_reason(factor: Factor, optb: OptimalBinning | None, rows: int, min_bin_share: float) -> str:
    if optb is None:
        return "no training row has a value other than missing or a special code"
    params = optbinning_params(factor, rows, min_bin_share=min_bin_share)
    share, trend = params["min_bin_size"], params["monotonic_trend"]
    shapes = {"ascending": "a rising bad rate", "descending": "a falling bad rate", "auto_asc_desc": "a monotone bad rate",
              "peak": "a peaked bad rate", "valley": "a valley-shaped bad rate"}
    how = shapes.get(trend, f"a bad rate of trend {trend}") if trend else "distinct bad rates"
    return f"no split gives {how} with bins of at least {share:.1%} of the rows (optbinning status {optb.status})"


def fit_bins(
    table: pd.DataFrame,
    y: np.ndarray,
    profile: Profile,
    *,
    min_iv: float = MIN_IV,
    max_bins: int = MAX_BINS,
    min_bin_share: float = MIN_BIN_SHARE,
    progress: Progress | None = None,
) -> Binning:
    """Bin every profile factor on the training rows; keep those with IV >= ``min_iv``.

    ``y`` is 1 for the bad outcome. Every factor gets one selection step saying why it was kept
    or dropped. Raises FitError when no factor is kept.
    """
    if not 0 < min_bin_share < 0.5:
        raise FitError(f"min bin share {min_bin_share} must be between 0 and 0.5")
    if max_bins < 2:
        raise FitError(f"max bins {max_bins} must be at least 2")
    y = np.asarray(y, dtype=np.int64)
    kept: list[FactorSpec] = []
    every: list[FactorSpec] = []
    steps: list[SelectionStep] = []
    total = len(profile.factors)
    for done, factor in enumerate(profile.factors):
        if progress is not None:
            progress(f"binning {factor.name}", done, total)
        column = table[factor.source_column]
        values = training_values(factor, column)
        has_values = len(_clean_values(factor, values)) > 0
        optb = _fit_optbinning(factor, values, y, max_bins=max_bins, min_bin_share=min_bin_share) if has_values else None
        spec = bin_statistics(factor, _skeleton(factor, optb, values), column, y)
        by_hand = ""
        if factor.bins is not None:  # the analyst's bins; optbinning's are kept beside them for the report
            automatic = spec.bins
            spec = bin_statistics(factor, _overridden(factor, values, y, max_bins=max_bins, min_bin_share=min_bin_share),
                                  column, y)
            spec = replace(spec, automatic_bins=automatic)
            by_hand = f"{factor.bins.describe()}: {factor.bins.reason}"
        every.append(spec)
        groups = sum(1 for b in spec.bins if b.kind in ("range", "categories"))
        if groups < 2 and spec.iv < min_iv:
            reason = _no_split_reason(factor, optb, len(values), min_bin_share) + f"; IV {compared(spec.iv, min_iv)} < {min_iv}"
            steps.append(SelectionStep(factor=factor.name, stage="binning", action="dropped", reason=reason, iv=spec.iv,
                                       override=by_hand or None))
        elif spec.iv < min_iv:
            steps.append(SelectionStep(factor=factor.name, stage="binning", action="dropped",
                                       reason=f"IV {compared(spec.iv, min_iv)} < {min_iv}: too weak to separate good from bad",
                                       iv=spec.iv, override=by_hand or None))
        else:
            steps.append(SelectionStep(factor=factor.name, stage="binning", action="kept",
                                       reason=f"IV {compared(spec.iv, min_iv)} >= {min_iv} with {groups} bin(s)"
                                       + (f"; bins set by the analyst ({by_hand})" if by_hand else ""),
                                       iv=spec.iv, override=by_hand or None))
            kept.append(spec)
    if progress is not None:
        progress("binning done", total, total)
    if not kept:
        raise FitError(f"no factor reaches IV {min_iv} on the training rows; the data cannot support a scorecard")
    return Binning(factors=tuple(kept), steps=tuple(steps), all_factors=tuple(every))


def woe_matrix(factors: tuple[FactorSpec, ...], table: pd.DataFrame) -> pd.DataFrame:
    """Each row's WoE per factor (columns named by factor, in factor order), by the scorer's rule."""
    data = {}
    for f in factors:
        woe = np.array([b.woe for b in f.bins], dtype=float)
        data[f.name] = woe[assign_bins(f, table[f.column])]
    return pd.DataFrame(data, index=table.index)
