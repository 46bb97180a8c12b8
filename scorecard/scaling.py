"""Integer points per bin from the logit, on a PDO scale or a fixed range; owns the WoE sign.

The sign convention lives here and only here. optbinning's WoE is ln(%good / %bad): a higher
WoE is safer. The logit models the bad outcome (y = 1), so

    ln(good:bad odds) = -(intercept + sum_j coefficient_j * WoE_j)          (``LOG_ODDS_SIGN``)

and every coefficient must be negative for points to rise with WoE (``check_signs``). Both
scales then satisfy

    score = offset + factor * ln(good:bad odds)

so ``Scaling.pd_from_score`` turns any score back into a bad probability.

* ``pdo``: factor = pdo / ln 2, offset = base_score - factor * ln(base_odds) (600 points at good:bad
  odds 50:1, 20 points to double the odds by default). A bin's points are
  ``-(coefficient * WoE + intercept / n) * factor + offset / n`` rounded to the nearest integer
  (half to even), exactly optbinning's ``Scorecard`` with ``scaling_method="pdo_odds"`` and
  ``rounding=True``; the intercept and the offset are shared equally among the n factors, so a
  row's total is just the sum of its points.
* ``range``: factor and offset are chosen so that the lowest possible total is ``min_score`` and
  the highest is ``max_score`` (e.g. 350-950). The integer points keep both ends exact: each
  factor's lowest bin gets an equal share of ``min_score``, each factor's span (best minus worst
  bin) is rounded so the spans add up to ``max_score - min_score`` (largest remainders), and the
  bins in between are rounded and kept inside their factor's span.

``rounding_error`` records how far the integer totals are from the unrounded score.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from scorecard.errors import FitError
from scorecard.spec import MAX_PD_TABLE, FactorSpec, Scaling, fitted

LOG_ODDS_SIGN = -1.0  # ln(good:bad odds) = LOG_ODDS_SIGN * (intercept + sum coefficient * WoE)


def check_signs(coefficients: dict[str, float]) -> None:
    """Every coefficient on WoE must be negative, or a safer bin would score fewer points."""
    wrong = sorted(name for name, c in coefficients.items() if not c < 0)
    if wrong:
        raise FitError(f"factor(s) {', '.join(wrong)} have a coefficient >= 0 on WoE, so a safer bin would score "
                       "fewer points; the logit selection should have dropped them")


def log_odds_contributions(factor: FactorSpec, coefficient: float) -> np.ndarray:
    """Per bin, the factor's share of ln(good:bad odds) before the intercept: -coefficient * WoE."""
    return LOG_ODDS_SIGN * coefficient * np.array([b.woe for b in factor.bins], dtype=float)


def pdo_scaling(*, base_score: float, base_odds: float, pdo: float) -> Scaling:
    for value, option in ((pdo, "--pdo"), (base_odds, "--base-odds")):
        if not (math.isfinite(value) and value > 0):
            raise FitError(f"{option} {value} must be a positive number; fix {option}")
    if not math.isfinite(base_score):
        raise FitError(f"--base-score {base_score} must be a number; fix --base-score")
    # Rounded (spec.fitted): the points are computed from these, and math.log is the platform's libm.
    factor = fitted(pdo / math.log(2))
    return Scaling(method="pdo", factor=factor, offset=fitted(base_score - factor * math.log(base_odds)),
                   pdo=float(pdo), base_score=float(base_score), base_odds=float(base_odds))


def _pdo_points(factors: tuple[FactorSpec, ...], coefficients: dict[str, float], intercept: float,
                scaling: Scaling) -> list[np.ndarray]:
    n = len(factors)
    out = []
    for f in factors:
        woe = np.array([b.woe for b in f.bins], dtype=float)
        # optbinning's expression term by term, so the rounded points agree with its Scorecard.
        raw = -(woe * coefficients[f.name] + intercept / n) * scaling.factor + scaling.offset / n
        out.append(np.rint(raw).astype(np.int64))
    return out


def _largest_remainders(values: np.ndarray, total: int) -> np.ndarray:
    """Integers near ``values`` (floor or ceil of each) that add up to ``total``."""
    floors = np.floor(values).astype(np.int64)
    short = int(total - floors.sum())
    order = np.lexsort((np.arange(len(values)), -(values - floors)))  # largest remainder first, then factor order
    out = floors.copy()
    if short > 0:
        out[order[:short]] += 1
    elif short < 0:
        out[order[::-1][: -short]] -= 1
    return out


def _range_points(factors: tuple[FactorSpec, ...], coefficients: dict[str, float], intercept: float, *,
                  min_score: int, max_score: int) -> tuple[list[np.ndarray], Scaling]:
    n = len(factors)
    shares = [log_odds_contributions(f, coefficients[f.name]) for f in factors]
    low = LOG_ODDS_SIGN * intercept + sum(float(s.min()) for s in shares)
    high = LOG_ODDS_SIGN * intercept + sum(float(s.max()) for s in shares)
    if high - low <= 1e-12:
        raise FitError("every applicant gets the same score, so range scaling has nothing to stretch; use --scaling pdo")
    factor = fitted((max_score - min_score) / (high - low))
    scaling = Scaling(method="range", factor=factor, offset=fitted(min_score - factor * low),
                      min_score=int(min_score), max_score=int(max_score))
    spans = _largest_remainders(np.array([factor * (s.max() - s.min()) for s in shares]), max_score - min_score)
    base, extra = divmod(int(min_score), n)
    out = []
    for j, s in enumerate(shares):
        lowest = base + (1 if j < extra else 0)
        steps = np.clip(np.rint(factor * (s - s.min())), 0, spans[j]).astype(np.int64)
        steps[s == s.max()] = spans[j]
        steps[s == s.min()] = 0
        out.append(lowest + steps)
    return out, scaling


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
    """Factors with their coefficient and integer points filled in, and the scale used.

    Empty special/missing bins already carry the worst observed WoE (``binning.py``), so they
    score the worst observed points (``EMPTY_BIN_RULE``) without a special case here.
    """
    if not factors:
        raise FitError("no factor to scale")
    check_signs({f.name: coefficients[f.name] for f in factors})
    if method == "pdo":
        scaling = pdo_scaling(base_score=base_score, base_odds=base_odds, pdo=pdo)
        points = _pdo_points(factors, coefficients, intercept, scaling)
    elif method == "range":
        if not max_score > min_score:
            raise FitError(f"max score ({max_score}) must be above min score ({min_score}); fix --min-score / --max-score")
        if max_score - min_score > MAX_PD_TABLE:
            raise FitError(f"a scale from {min_score} to {max_score} has more than {MAX_PD_TABLE:,} scores; "
                           "choose a narrower range with --min-score / --max-score")
        points, scaling = _range_points(factors, coefficients, intercept, min_score=int(min_score), max_score=int(max_score))
    else:
        raise FitError(f"unknown scaling '{method}'; use pdo or range")
    out = tuple(
        replace(f, coefficient=float(coefficients[f.name]), bins=tuple(replace(b, points=int(p)) for b, p in zip(f.bins, pts)))
        for f, pts in zip(factors, points)
    )
    return out, scaling


def unrounded_scores(woe: np.ndarray, coefficients: np.ndarray, intercept: float, scaling: Scaling) -> np.ndarray:
    """The score before rounding, per row: offset + factor * ln(good:bad odds).

    ``woe`` is (rows, factors) in the order of ``coefficients``.
    """
    woe = np.asarray(woe, dtype=float)
    # Column by column rather than a matrix product: BLAS would pick its kernel (and so the last
    # bits of the sum) by CPU; elementwise IEEE operations give the same bits everywhere.
    total = np.full(len(woe), float(intercept))
    for j, coefficient in enumerate(np.asarray(coefficients, dtype=float)):
        total += woe[:, j] * coefficient
    return scaling.offset + scaling.factor * (LOG_ODDS_SIGN * total)


def rounding_error(total: np.ndarray, exact: np.ndarray) -> dict[str, float | int]:
    """How far the integer totals are from the unrounded score, on the given (training) rows."""
    diff = np.abs(np.asarray(total, dtype=float) - np.asarray(exact, dtype=float))
    if len(diff) == 0:
        return {"max_abs": 0.0, "mean_abs": 0.0, "rows": 0}
    return {"max_abs": round(float(diff.max()), 6), "mean_abs": round(float(diff.mean()), 6), "rows": int(len(diff))}
