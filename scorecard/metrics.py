"""Model metrics, JSON-ready: plain floats, ints, lists and dicts; ``None`` where undefined, never NaN.

``y`` is 1 for the bad outcome; ``pd_`` is the predicted bad probability; ``scores`` are integer
totals (higher is safer). What training stores in ``ScorecardSpec.metrics``:

* ``evaluated_on``: ``"test rows"`` or ``"training rows"`` (test size 0); ``note`` says so in words
  when the test metrics are the training metrics;
* ``train`` and ``test``: ``summary`` of each (rows, bad rate, AUC, Gini, KS, Brier, calibration
  by score band: observed against predicted bad rate);
* ``psi_train_test``: the score PSI of the test rows against the training rows, and
  ``psi_factors_train_test``: per kept factor, the PSI of its bin shares;
* ``iv``: the IV table of every factor that was binned, kept or not (``iv_table``).
"""

from __future__ import annotations

from typing import Any, Literal

import math

import numpy as np

from scorecard.scoring import ScoreResult
from scorecard.spec import FactorSpec, ScorecardSpec

PSI_FLOOR = 1e-4  # share given to an empty band, so a band missing on one side stays finite
CALIBRATION_BANDS = 10
PSI_BANDS = 10
# The usual reading of the population stability index: below WATCH stable, from SHIFT on shifted.
PSI_WATCH, PSI_SHIFT = 0.1, 0.25


def _r(value: float, digits: int = 6) -> float | None:
    value = float(value)
    return round(value, digits) if np.isfinite(value) else None


def _outcomes(y: np.ndarray) -> tuple[np.ndarray, int, int]:
    y = np.asarray(y, dtype=np.int64)
    bad = int(y.sum())
    return y, bad, int(len(y) - bad)


def auc(y: np.ndarray, pd_: np.ndarray) -> float | None:
    """Area under the ROC curve (ties count half), by the rank-sum formula; None without both outcomes."""
    y, bad, good = _outcomes(y)
    if bad == 0 or good == 0:
        return None
    pd_ = np.asarray(pd_, dtype=float)
    order = np.argsort(pd_, kind="stable")
    _, first, counts = np.unique(pd_[order], return_index=True, return_counts=True)
    ranks = np.empty(len(pd_), dtype=float)
    ranks[order] = np.repeat(first + (counts + 1) / 2.0, counts)  # average rank of each tie group
    return _r((ranks[y == 1].sum() - bad * (bad + 1) / 2.0) / (bad * good))


def gini(y: np.ndarray, pd_: np.ndarray) -> float | None:
    a = auc(y, pd_)
    return None if a is None else _r(2 * a - 1)


def ks(y: np.ndarray, pd_: np.ndarray) -> float | None:
    """Largest gap between the cumulative shares of bads and goods over all PD thresholds."""
    y, bad, good = _outcomes(y)
    if bad == 0 or good == 0:
        return None
    pd_ = np.asarray(pd_, dtype=float)
    values = np.unique(pd_)
    cum_bad = np.searchsorted(np.sort(pd_[y == 1]), values, side="right") / bad
    cum_good = np.searchsorted(np.sort(pd_[y == 0]), values, side="right") / good
    return _r(np.max(np.abs(cum_bad - cum_good)))


def brier(y: np.ndarray, pd_: np.ndarray) -> float | None:
    """Mean squared difference between the predicted bad probability and the outcome."""
    if len(y) == 0:
        return None
    return _r(np.mean((np.asarray(pd_, dtype=float) - np.asarray(y, dtype=float)) ** 2))


def _quantile_edges(values: np.ndarray, bands: int) -> np.ndarray:
    """Inner edges of up to ``bands`` quantile bands (ties can merge bands)."""
    return np.unique(np.quantile(values, np.linspace(0, 1, bands + 1)))[1:-1]


def calibration(y: np.ndarray, pd_: np.ndarray, scores: np.ndarray, bands: int = CALIBRATION_BANDS) -> list[dict[str, Any]]:
    """Per score band (quantiles of ``scores``, lowest scores first): score range, rows,
    observed bad rate and mean predicted bad probability."""
    y = np.asarray(y, dtype=float)
    scores = np.asarray(scores, dtype=float)
    pd_ = np.asarray(pd_, dtype=float)
    if len(scores) == 0:
        return []
    inner = _quantile_edges(scores, bands)
    index = np.searchsorted(inner, scores, side="right")
    out = []
    for k in range(len(inner) + 1):
        mask = index == k
        if not mask.any():
            continue
        out.append({
            "lower": _r(scores[mask].min()),
            "upper": _r(scores[mask].max()),
            "rows": int(mask.sum()),
            "observed_bad_rate": _r(y[mask].mean()),
            "predicted_bad_rate": _r(pd_[mask].mean()),
        })
    return out


def hosmer_lemeshow(y: np.ndarray, pd_: np.ndarray, scores: np.ndarray, bands: int = CALIBRATION_BANDS) -> dict[str, Any]:
    """The Hosmer-Lemeshow test by score band (the quantile bands of ``calibration``): the statistic
    sum over bands of (observed - expected bad)^2 / (expected x (1 - mean PD)), compared with a
    chi-squared distribution of (bands - 2) degrees of freedom. A small p-value (below 0.05) says
    the predicted bad rates do not fit the observed ones. ``None`` values where undefined."""
    from scipy.stats import chi2  # heavy import, only for the p-value

    rows = calibration(y, pd_, scores, bands)
    statistic = 0.0
    for band in rows:
        n, observed, predicted = band["rows"], band["observed_bad_rate"], band["predicted_bad_rate"]
        if predicted is None or observed is None or not 0 < predicted < 1:
            continue
        statistic += (n * observed - n * predicted) ** 2 / (n * predicted * (1 - predicted))
    df = len(rows) - 2
    return {"statistic": _r(statistic), "df": df, "p_value": _r(float(chi2.sf(statistic, df))) if df > 0 else None,
            "bands": rows}


def psi_from_counts(expected: np.ndarray, actual: np.ndarray) -> float | None:
    """PSI = sum (a - e) * ln(a / e) over bands, from the row counts per band of both tables."""
    expected = np.asarray(expected, dtype=float)
    actual = np.asarray(actual, dtype=float)
    if expected.sum() == 0 or actual.sum() == 0:
        return None
    e = np.maximum(expected / expected.sum(), PSI_FLOOR)
    a = np.maximum(actual / actual.sum(), PSI_FLOOR)
    return _r(np.sum((a - e) * np.log(a / e)))


def psi(expected_scores: np.ndarray, actual_scores: np.ndarray, bands: int = PSI_BANDS) -> float | None:
    """Score PSI of ``actual`` against the quantile bands of ``expected`` (the reference)."""
    expected = np.asarray(expected_scores, dtype=float)
    actual = np.asarray(actual_scores, dtype=float)
    if len(expected) == 0 or len(actual) == 0:
        return None
    inner = _quantile_edges(expected, bands)
    k = len(inner) + 1
    return psi_from_counts(np.bincount(np.searchsorted(inner, expected, side="right"), minlength=k),
                           np.bincount(np.searchsorted(inner, actual, side="right"), minlength=k))


def factor_psi(factor_names: tuple[str, ...], n_bins: tuple[int, ...], expected_bins: np.ndarray,
               actual_bins: np.ndarray) -> dict[str, float | None]:
    """Per factor, the PSI of its bin shares (``ScoreResult.bins`` of two tables)."""
    out = {}
    for j, (name, k) in enumerate(zip(factor_names, n_bins)):
        out[name] = psi_from_counts(np.bincount(expected_bins[:, j], minlength=k),
                                    np.bincount(actual_bins[:, j], minlength=k))
    return out


def psi_level(value: float) -> Literal["stable", "watch", "shift"]:
    """How a PSI reads: ``stable`` (< ``PSI_WATCH``), ``watch``, or ``shift`` (>= ``PSI_SHIFT``)."""
    return "stable" if value < PSI_WATCH else "watch" if value < PSI_SHIFT else "shift"


def psi_table(spec: ScorecardSpec, expected: ScoreResult, actual: ScoreResult) -> dict[str, Any]:
    """Score PSI and per-factor PSI between two ``ScoreResult`` of the same spec."""
    return {
        "score": psi(expected.total, actual.total),
        "factors": factor_psi(spec.factor_names, tuple(len(f.bins) for f in spec.factors), expected.bins, actual.bins),
        "rows": [int(len(expected)), int(len(actual))],
    }


def iv_table(binned: tuple[FactorSpec, ...], kept: tuple[str, ...]) -> list[dict[str, Any]]:
    """Every binned factor with its IV, bin count and whether the final scorecard uses it,
    highest IV first (ties in profile order)."""
    rows = [
        {"factor": f.name, "iv": _r(f.iv), "bins": len(f.bins), "in_model": f.name in kept}
        for f in binned
    ]
    order = sorted(range(len(rows)), key=lambda i: (-(rows[i]["iv"] or 0.0), i))
    return [rows[i] for i in order]


SCORE_BANDS = 30  # at most this many bands of scores in ``score_bands``


def score_bands(y: np.ndarray, scores: np.ndarray) -> dict[str, Any]:
    """Goods and bads per band of integer scores: bands ``width`` points wide (a multiple of 5, at
    most ``SCORE_BANDS`` of them) from ``first``. The plots of the score distributions, the ROC and
    the KS curve are drawn from these counts (``pages/plots.py``)."""
    scores = np.asarray(scores, dtype=np.int64)
    y = np.asarray(y, dtype=np.int64)
    if not len(scores):
        return {"first": 0, "width": 5, "goods": [], "bads": []}
    low, high = int(scores.min()), int(scores.max())
    width = 5 * max(1, math.ceil((high - low + 1) / SCORE_BANDS / 5))
    first = (low // width) * width
    index = (scores - first) // width
    count = np.bincount(index, minlength=(high - first) // width + 1)
    bad = np.bincount(index, weights=y, minlength=len(count)).round().astype(np.int64)
    return {"first": first, "width": width, "goods": (count - bad).tolist(), "bads": bad.tolist()}


def summary(y: np.ndarray, pd_: np.ndarray, scores: np.ndarray) -> dict[str, Any]:
    y = np.asarray(y, dtype=np.int64)
    return {
        "rows": int(len(y)),
        "bad_rows": int(y.sum()),
        "bad_rate": _r(y.mean()) if len(y) else None,
        "auc": auc(y, pd_),
        "gini": gini(y, pd_),
        "ks": ks(y, pd_),
        "brier": brier(y, pd_),
        "calibration": calibration(y, pd_, scores),
        "score_bands": score_bands(y, scores),
    }
