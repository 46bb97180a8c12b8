"""Integer points per bin from the logit, on a pdo or a min-max (range) scale.

Both scales satisfy score = offset + factor * ln(good:bad odds), with
ln(good:bad odds) = -(intercept + sum coefficient * WoE). The intercept and offset are shared
equally among the n factors, so a row's total is the sum of its bins' points.

pdo: factor = pdo / ln 2, offset = base_score - factor * ln(base_odds).
range: the pdo points are mapped linearly so that the lowest possible total is ``min_score``
and the highest is ``max_score``; factor and offset are mapped with them, so PD from a score
stays exact.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from scorecard.errors import FitError
from scorecard.spec import FactorSpec, Scaling


def pdo_scaling(*, base_score: float, base_odds: float, pdo: float) -> Scaling:
    if pdo <= 0 or base_odds <= 0:
        raise FitError(f"pdo ({pdo}) and base odds ({base_odds}) must be positive; fix --pdo / --base-odds")
    factor = pdo / math.log(2)
    return Scaling(method="pdo", factor=factor, offset=base_score - factor * math.log(base_odds),
                   pdo=float(pdo), base_score=float(base_score), base_odds=float(base_odds))


def _raw_points(factors: tuple[FactorSpec, ...], coefficients: dict[str, float], intercept: float,
                scaling: Scaling) -> list[np.ndarray]:
    n = len(factors)
    return [
        np.array([-(coefficients[f.name] * b.woe + intercept / n) * scaling.factor + scaling.offset / n for b in f.bins])
        for f in factors
    ]


def _observed(f: FactorSpec) -> np.ndarray:
    return np.array([b.count > 0 or b.kind in ("range", "categories") for b in f.bins])


def scale_points(
    factors: tuple[FactorSpec, ...],
    coefficients: dict[str, float],
    intercept: float,
    *,
    method: str = "pdo",
    base_score: float = 600,
    base_odds: float = 50,
    pdo: float = 20,
    min_score: int = 350,
    max_score: int = 950,
) -> tuple[tuple[FactorSpec, ...], Scaling]:
    """Factors with coefficients and integer points filled in, and the scale used."""
    scaling = pdo_scaling(base_score=base_score, base_odds=base_odds, pdo=pdo)
    raw = _raw_points(factors, coefficients, intercept, scaling)
    if method == "range":
        if max_score <= min_score:
            raise FitError(f"max score ({max_score}) must be above min score ({min_score}); fix --min-score / --max-score")
        low = sum(float(r[_observed(f)].min()) for f, r in zip(factors, raw))
        high = sum(float(r[_observed(f)].max()) for f, r in zip(factors, raw))
        if high - low <= 1e-12:
            raise FitError("every applicant gets the same score, so range scaling has nothing to stretch")
        a = (max_score - min_score) / (high - low)
        b = min_score - a * low
        n = len(factors)
        raw = [a * r + b / n for r in raw]
        scaling = Scaling(method="range", factor=a * scaling.factor, offset=a * scaling.offset + b,
                          min_score=int(min_score), max_score=int(max_score))
    elif method != "pdo":
        raise FitError(f"unknown scaling '{method}'; use pdo or range")
    out = []
    for f, r in zip(factors, raw):
        observed = _observed(f)
        points = np.rint(r).astype(int)
        # EMPTY_BIN_RULE: a special/missing bin without training rows scores as the worst observed bin.
        worst = int(points[observed].min())
        bins = tuple(replace(b, points=int(p) if obs else worst) for b, p, obs in zip(f.bins, points, observed))
        out.append(replace(f, bins=bins, coefficient=float(coefficients[f.name])))
    scaling = replace(scaling, factor=round(scaling.factor, 12), offset=round(scaling.offset, 12))
    return tuple(out), scaling


def rounding_error(total: np.ndarray, exact: np.ndarray) -> dict[str, float]:
    """How far integer totals are from the unrounded score, on the training rows."""
    diff = np.abs(np.asarray(total, dtype=float) - np.asarray(exact, dtype=float))
    if len(diff) == 0:
        return {"max_abs": 0.0, "mean_abs": 0.0, "rows": 0}
    return {"max_abs": round(float(diff.max()), 6), "mean_abs": round(float(diff.mean()), 6), "rows": int(len(diff))}
