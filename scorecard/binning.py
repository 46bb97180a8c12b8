"""Optimal binning per factor (optbinning) turned into plain spec bins with WoE and IV.

optbinning only finds the split points (numeric) or category groups (categorical). The bin
statistics are then recounted here with the spec's own bin rule (``scoring.assign_bins``), so the
WoE stored in the spec is exactly the WoE of the rows that the scorer puts in each bin.
Points are filled in later by ``scaling.py``; here every bin has 0 points.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from optbinning import OptimalBinning

from scorecard.errors import FitError
from scorecard.profile import Factor, Profile
from scorecard.scoring import assign_bins, numeric_values
from scorecard.spec import Bin, FactorSpec, SelectionStep

MIN_IV = 0.02  # below this a factor barely separates good from bad ("useless" by the usual rule)
MIN_BIN_SHARE = 0.05
MAX_BINS = 6
SMOOTHING = 0.5  # added to good and bad counts so a bin without bads (or goods) has a finite WoE


@dataclass(frozen=True)
class Binning:
    """Binned factors (points 0, coefficient 0) that passed the IV screen, and the log."""

    factors: tuple[FactorSpec, ...]
    steps: tuple[SelectionStep, ...]


def _number(value: float) -> str:
    return f"{value:g}"


def _range_label(lower: float | None, upper: float | None) -> str:
    lo = "-inf" if lower is None else _number(lower)
    hi = "inf" if upper is None else _number(upper)
    return f"[{lo}, {hi})"


def _trend(factor: Factor) -> str:
    return "auto_asc_desc" if factor.trend == "auto" else factor.trend


def _skeleton(factor: Factor, x: pd.Series, y: np.ndarray) -> list[Bin]:
    """Bins without statistics, from optbinning's splits on the training rows."""
    codes = list(factor.special_codes)
    categorical = factor.kind == "categorical"
    optb = OptimalBinning(
        name=factor.name,
        dtype="categorical" if categorical else "numerical",
        monotonic_trend=None if categorical else _trend(factor),
        special_codes=([str(c) for c in codes] if categorical else [float(c) for c in codes]) or None,
        min_prebin_size=MIN_BIN_SHARE,
        min_bin_size=MIN_BIN_SHARE,
        max_n_bins=MAX_BINS,
    )
    if categorical:
        text = x.astype("string")
        values = text.to_numpy(dtype=object, na_value=np.nan)
    else:
        values = numeric_values(x)
    try:
        optb.fit(values, y)
    except Exception as exc:  # optbinning raises plain ValueError/TypeError on degenerate columns
        raise FitError(f"column '{factor.source_column}': binning failed ({exc}); check its values") from exc
    bins: list[Bin] = []
    if categorical:
        for group in optb.splits:
            cats = tuple(sorted(str(c) for c in group))
            if cats:
                bins.append(Bin(kind="categories", label=", ".join(cats), points=0, woe=0.0, count=0,
                                event_count=0, event_rate=0.0, iv=0.0, categories=cats))
        if not bins:
            seen = tuple(sorted(set(text.dropna().map(str)) - {str(c) for c in codes}))
            bins.append(Bin(kind="categories", label=", ".join(seen), points=0, woe=0.0, count=0,
                            event_count=0, event_rate=0.0, iv=0.0, categories=seen))
    else:
        # optbinning stores splits in float32; 7 significant digits give the edge a readable label.
        edges = [None, *sorted({float(f"{float(s):.7g}") for s in optb.splits}), None]
        for lo, hi in zip(edges[:-1], edges[1:]):
            bins.append(Bin(kind="range", label=_range_label(lo, hi), points=0, woe=0.0, count=0,
                            event_count=0, event_rate=0.0, iv=0.0, lower=lo, upper=hi))
    if codes:
        special = tuple(str(c) if categorical else float(c) for c in codes)
        bins.append(Bin(kind="special", label=", ".join(_number(c) if isinstance(c, float) else str(c) for c in special),
                        points=0, woe=0.0, count=0, event_count=0, event_rate=0.0, iv=0.0, special_values=special))
    bins.append(Bin(kind="missing", label="Missing", points=0, woe=0.0, count=0, event_count=0,
                    event_rate=0.0, iv=0.0))
    return bins


def _with_stats(factor: Factor, bins: list[Bin], x: pd.Series, y: np.ndarray) -> FactorSpec:
    missing_bin = len(bins) - 1
    provisional = FactorSpec(name=factor.name, column=factor.source_column, kind=factor.kind, coefficient=0.0,
                             iv=0.0, bins=tuple(bins), missing_bin=missing_bin, unseen_bin=missing_bin)
    index = assign_bins(provisional, x)
    count = np.bincount(index, minlength=len(bins)).astype(np.int64)
    bad = np.bincount(index, weights=y, minlength=len(bins)).round().astype(np.int64)
    good = count - bad
    total_bad, total_good = int(bad.sum()), int(good.sum())
    if total_bad == 0 or total_good == 0:
        raise FitError("the training rows have only one outcome (all good or all bad); a scorecard needs both")
    stats = []
    for i, b in enumerate(bins):
        if count[i] == 0:
            # Empty special/missing bin: neutral WoE; scaling gives it the worst points (EMPTY_BIN_RULE).
            stats.append(replace(b, count=0, event_count=0, event_rate=0.0, woe=0.0, iv=0.0))
            continue
        share_good = (good[i] + SMOOTHING) / (total_good + SMOOTHING)
        share_bad = (bad[i] + SMOOTHING) / (total_bad + SMOOTHING)
        woe = math.log(share_good / share_bad)
        iv = (share_good - share_bad) * woe
        stats.append(replace(b, count=int(count[i]), event_count=int(bad[i]),
                             event_rate=round(float(bad[i] / count[i]), 10), woe=round(woe, 10), iv=round(float(iv), 10)))
    observed = [i for i, b in enumerate(stats) if b.kind in ("range", "categories") and b.count > 0]
    # Unseen categories score as the worst observed bin (UNSEEN_RULE): lowest WoE is riskiest.
    unseen = min(observed, key=lambda i: (stats[i].woe, i)) if observed else missing_bin
    return replace(provisional, bins=tuple(stats), iv=round(float(sum(b.iv for b in stats)), 10), unseen_bin=unseen)


def fit_bins(table: pd.DataFrame, y: np.ndarray, profile: Profile, *, min_iv: float = MIN_IV) -> Binning:
    """Bin every profile factor on the training rows; keep those with IV >= ``min_iv``."""
    y = np.asarray(y, dtype=float)
    kept: list[FactorSpec] = []
    steps: list[SelectionStep] = []
    for factor in profile.factors:
        x = table[factor.source_column]
        spec = _with_stats(factor, _skeleton(factor, x, y), x, y)
        if spec.iv < min_iv:
            steps.append(SelectionStep(factor=factor.name, stage="binning", action="dropped",
                                       reason=f"IV {spec.iv:.4f} < {min_iv}", iv=spec.iv))
        else:
            steps.append(SelectionStep(factor=factor.name, stage="binning", action="kept",
                                       reason=f"IV {spec.iv:.4f} >= {min_iv}", iv=spec.iv))
            kept.append(spec)
    if not kept:
        raise FitError(f"no factor reaches IV {min_iv} on the training rows; the data cannot support a scorecard")
    return Binning(factors=tuple(kept), steps=tuple(steps))


def woe_matrix(factors: tuple[FactorSpec, ...], table: pd.DataFrame) -> pd.DataFrame:
    """Each row's WoE per factor, columns named by factor, in factor order."""
    data = {}
    for f in factors:
        woe = np.array([b.woe for b in f.bins], dtype=float)
        data[f.name] = woe[assign_bins(f, table[f.column])]
    return pd.DataFrame(data, index=table.index)
