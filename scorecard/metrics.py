"""Model metrics, JSON-ready (plain floats and lists, ``None`` where undefined, never NaN).

``y`` is 1 for the bad outcome; ``pd`` is the predicted bad probability; ``scores`` are the
integer totals (higher is safer).
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _r(value: float, digits: int = 6) -> float | None:
    value = float(value)
    return round(value, digits) if np.isfinite(value) else None


def auc(y: np.ndarray, pd_: np.ndarray) -> float | None:
    """Area under the ROC curve (ties count half), by the rank-sum formula."""
    y = np.asarray(y, dtype=int)
    pd_ = np.asarray(pd_, dtype=float)
    bad, good = int(y.sum()), int(len(y) - y.sum())
    if bad == 0 or good == 0:
        return None
    order = np.argsort(pd_, kind="stable")
    ranks = np.empty(len(pd_), dtype=float)
    sorted_pd = pd_[order]
    # average ranks for ties
    _, first, counts = np.unique(sorted_pd, return_index=True, return_counts=True)
    avg = first + (counts + 1) / 2.0
    ranks[order] = np.repeat(avg, counts)
    return _r((ranks[y == 1].sum() - bad * (bad + 1) / 2.0) / (bad * good))


def gini(y: np.ndarray, pd_: np.ndarray) -> float | None:
    a = auc(y, pd_)
    return None if a is None else _r(2 * a - 1)


def ks(y: np.ndarray, pd_: np.ndarray) -> float | None:
    """Largest gap between the cumulative shares of bads and goods, over PD thresholds."""
    y = np.asarray(y, dtype=int)
    pd_ = np.asarray(pd_, dtype=float)
    bad, good = int(y.sum()), int(len(y) - y.sum())
    if bad == 0 or good == 0:
        return None
    values = np.unique(pd_)
    cum_bad = np.searchsorted(np.sort(pd_[y == 1]), values, side="right") / bad
    cum_good = np.searchsorted(np.sort(pd_[y == 0]), values, side="right") / good
    return _r(np.max(np.abs(cum_bad - cum_good)))


def brier(y: np.ndarray, pd_: np.ndarray) -> float | None:
    if len(y) == 0:
        return None
    return _r(np.mean((np.asarray(pd_, dtype=float) - np.asarray(y, dtype=float)) ** 2))


def calibration(y: np.ndarray, pd_: np.ndarray, scores: np.ndarray, bands: int = 10) -> list[dict[str, Any]]:
    """Per score quantile band: score range, rows, observed bad rate, mean predicted PD."""
    y = np.asarray(y, dtype=float)
    scores = np.asarray(scores, dtype=float)
    pd_ = np.asarray(pd_, dtype=float)
    if len(scores) == 0:
        return []
    edges = np.unique(np.quantile(scores, np.linspace(0, 1, bands + 1)))
    inner = edges[1:-1]
    index = np.searchsorted(inner, scores, side="right")
    out = []
    for k in range(len(inner) + 1):
        mask = index == k
        if not mask.any():
            continue
        out.append({
            "lower": _r(scores[mask].min()),
            "upper": _r(scores[mask].max()),
            "count": int(mask.sum()),
            "bad_rate": _r(y[mask].mean()),
            "mean_pd": _r(pd_[mask].mean()),
        })
    return out


def psi(expected_scores: np.ndarray, actual_scores: np.ndarray, bins: int = 10) -> float | None:
    """Population stability index of ``actual`` against quantile bands of ``expected``."""
    expected = np.asarray(expected_scores, dtype=float)
    actual = np.asarray(actual_scores, dtype=float)
    if len(expected) == 0 or len(actual) == 0:
        return None
    inner = np.unique(np.quantile(expected, np.linspace(0, 1, bins + 1)))[1:-1]
    k = len(inner) + 1
    e = np.bincount(np.searchsorted(inner, expected, side="right"), minlength=k) / len(expected)
    a = np.bincount(np.searchsorted(inner, actual, side="right"), minlength=k) / len(actual)
    # A small floor keeps an empty band finite instead of infinite.
    e = np.maximum(e, 1e-6)
    a = np.maximum(a, 1e-6)
    return _r(np.sum((a - e) * np.log(a / e)))


def summary(y: np.ndarray, pd_: np.ndarray, scores: np.ndarray) -> dict[str, Any]:
    y = np.asarray(y, dtype=int)
    return {
        "rows": int(len(y)),
        "bad_rate": _r(y.mean()) if len(y) else None,
        "auc": auc(y, pd_),
        "gini": gini(y, pd_),
        "ks": ks(y, pd_),
        "brier": brier(y, pd_),
        "calibration": calibration(y, pd_, scores),
    }
