"""The logit on WoE (statsmodels): screens for overlapping factors, selection, an optional ridge.

This is the only module that imports statsmodels. WoE is ln(%good / %bad), so a higher WoE is
safer, and in a logit for the bad outcome (y = 1) every coefficient must be negative (see
``scaling.py``, which owns that sign). Selection follows the profile's ``selection`` rule
(``profile.Selection``), and every decision is one logged ``SelectionStep``:

1. **screen** (before any logit): factors are taken strongest first (by IV); one whose WoE
   correlates above ``max_correlation`` with a stronger factor already kept is dropped, and the
   step names that partner and the correlation. Then, while some factor's VIF exceeds
   ``max_vif``, the weakest of those goes. Two factors that say the same thing share their
   weight unpredictably between them; keeping the stronger one gives points an analyst can defend.
2. **logit** (refitted after each drop): a factor with a positive coefficient would make a safer
   bin score fewer points, which no analyst can defend and no applicant can be told, so the most
   positive one is dropped first. Then by ``method``: ``pvalue`` drops the least significant factor
   while its p-value exceeds ``max_p_value``; ``aic`` (the default) and ``bic`` drop the least
   significant factor while leaving it out lowers the criterion. AIC keeps a factor whose
   likelihood gain is worth its parameter, which on small tables (German credit: 700 training rows)
   keeps signal that a 5 % significance test throws away; BIC charges ln(n) per factor instead of 2.
3. **ridge** (``l2`` > 0): the kept factors are refitted with an L2 penalty, ``l2 / 2`` times the
   sum of squared coefficients (the intercept free), which is scikit-learn's default
   ``LogisticRegression`` (``C = 1 / l2``). On large tables it changes almost nothing; on small ones
   it shrinks the noisy part of the estimates, and the points come from the penalized
   coefficients. A penalized coefficient of the wrong sign is dropped like any other.

The standard errors, z and p-values stored with each coefficient are those of the unpenalized
maximum-likelihood logit on the kept factors (the fit the selection tested): a p-value of a
penalized estimate has no textbook meaning, and pretending otherwise would mislead.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from threadpoolctl import threadpool_limits

from scorecard.errors import FitError
from scorecard.profile import Selection
from scorecard.spec import Coefficient, SelectionStep, fitted

MAX_P_VALUE = 0.05
RIDGE_TOLERANCE = 1e-10  # Newton steps of the ridge stop when the largest step is below this


@dataclass(frozen=True)
class LogitFit:
    factors: tuple[str, ...]  # kept factor names, in input order
    intercept: float
    coefficients: tuple[Coefficient, ...]  # intercept first, then the kept factors
    steps: tuple[SelectionStep, ...]  # every drop in order, then one "kept" step per factor


def _number(value: float) -> float:
    """A float the spec can store: finite (JSON has no NaN or infinity) and rounded by
    ``spec.fitted``, so the points computed from it do not depend on the CPU's BLAS kernel."""
    value = float(value)
    return fitted(value) if np.isfinite(value) else 0.0


def _fit(woe: pd.DataFrame, y: np.ndarray, start: np.ndarray | None = None):  # noqa: ANN202 (statsmodels results)
    exog = sm.add_constant(woe.to_numpy(dtype=float), has_constant="add")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence and overflow warnings: checked below instead
        try:
            result = sm.Logit(y, exog, check_rank=False).fit(start_params=start, disp=0, maxiter=100, method="newton")
        except (np.linalg.LinAlgError, ValueError) as exc:  # singular matrix, perfect separation
            raise FitError(f"the logit cannot be fitted on factors {', '.join(woe.columns)} ({exc}); "
                           "two factors may carry the same information: drop one from the profile") from exc
    if not result.mle_retvals.get("converged", True):
        raise FitError(f"the logit on factors {', '.join(woe.columns)} did not converge; "
                       "check for a factor that separates good and bad perfectly")
    return result, exog


def ridge(exog: np.ndarray, y: np.ndarray, l2: float, start: np.ndarray) -> np.ndarray:
    """The coefficients that maximise the log-likelihood minus ``l2 / 2`` times the squared
    coefficients (column 0, the intercept, is not penalized), by Newton's method from ``start``.
    The objective is strictly concave, so Newton converges from the unpenalized estimates."""
    penalty = np.full(exog.shape[1], float(l2))
    penalty[0] = 0.0
    beta = np.asarray(start, dtype=float).copy()
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-(exog @ beta)))
        gradient = exog.T @ (y - p) - penalty * beta
        hessian = (exog * (p * (1.0 - p))[:, None]).T @ exog + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        beta += step
        if np.max(np.abs(step)) < RIDGE_TOLERANCE:
            return beta
    raise FitError("the ridge logit did not converge in 100 Newton steps; lower selection.l2 or check the data")


def variance_inflation(woe: np.ndarray) -> list[float | None]:
    """VIF of every column: 1 / (1 - R^2) of that column regressed on the others with an
    intercept, which is the diagonal of the inverse correlation matrix (the same numbers as
    statsmodels' ``variance_inflation_factor`` on the design with a constant, in one inversion
    instead of one regression per column). ``None`` where a column is constant or collinear."""
    k = woe.shape[1]
    if k == 1:
        return [1.0]
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = np.corrcoef(woe, rowvar=False)
        try:
            diagonal = np.diag(np.linalg.inv(corr))
        except np.linalg.LinAlgError:
            return [None] * k
    return [float(v) if np.isfinite(v) and v >= 1 - 1e-9 else None for v in diagonal]


def screen(woe: pd.DataFrame, iv: dict[str, float], rule: Selection) -> tuple[list[str], list[SelectionStep]]:
    """The factors that pass the correlation and VIF limits (in input order) and the steps that
    dropped the others. Stronger first: by IV, ties by input order."""
    names = list(woe.columns)
    steps: list[SelectionStep] = []
    if len(names) < 2:
        return names, steps
    order = sorted(range(len(names)), key=lambda i: (-iv.get(names[i], 0.0), i))
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = np.nan_to_num(np.corrcoef(woe.to_numpy(dtype=float), rowvar=False), nan=0.0)
    kept: list[int] = []
    for i in order:
        if rule.max_correlation is not None and kept:
            partner = max(kept, key=lambda j: (abs(corr[i, j]), -j))
            r = float(corr[i, partner])
            if abs(r) > rule.max_correlation:
                steps.append(SelectionStep(
                    factor=names[i], stage="screen", action="dropped", iv=_number(iv.get(names[i], 0.0)),
                    partner=names[partner], correlation=_number(r),
                    reason=(f"WoE correlation {r:+.4f} with {names[partner]} (IV {iv.get(names[partner], 0.0):.4f}, "
                            f"the stronger) is beyond the limit {rule.max_correlation:g}")))
                continue
        kept.append(i)
    while rule.max_vif is not None and len(kept) > 1:
        vif = variance_inflation(woe.iloc[:, sorted(kept)].to_numpy(dtype=float))
        by_factor = dict(zip(sorted(kept), vif))
        over = [i for i in kept if by_factor[i] is None or by_factor[i] > rule.max_vif]
        if not over:
            break
        drop = min(over, key=lambda i: (iv.get(names[i], 0.0), -i))
        value = by_factor[drop]
        steps.append(SelectionStep(
            factor=names[drop], stage="screen", action="dropped", iv=_number(iv.get(names[drop], 0.0)),
            vif=None if value is None else _number(value),
            reason=(f"VIF {'infinite' if value is None else format(value, '.2f')} is above the limit {rule.max_vif:g}; "
                    "the weakest factor above it goes")))
        kept.remove(drop)
    return [names[i] for i in sorted(kept)], steps


def fit_logit(woe: pd.DataFrame, y: np.ndarray, *, selection: Selection = Selection(),
              iv: dict[str, float] | None = None) -> LogitFit:
    """Screen, fit, drop wrong-signed then weak factors one at a time, refit, ridge; log every step.

    ``woe`` has one column per factor (named by the factor); ``y`` is 1 for the bad outcome;
    ``iv`` ranks the factors for the screens (without it, all count as equal: input order wins).
    Raises FitError when no factor survives.
    """
    # The design matrix is narrow (one column per factor): multi-threaded BLAS only adds
    # overhead here, several times the work itself on a busy machine.
    with threadpool_limits(limits=1):
        names, steps = screen(woe, iv or {}, selection)
        return _select(woe, np.asarray(y, dtype=float), names, steps, selection)


def _criterion_of(llf: float, k: int, n: int, method: str) -> float:
    return -2.0 * llf + (2.0 * k if method == "aic" else math.log(n) * k)


def _select(woe: pd.DataFrame, y: np.ndarray, names: list[str], steps: list[SelectionStep],
            rule: Selection) -> LogitFit:
    start = None
    criterion = rule.method.upper()
    while True:
        if not names:
            raise FitError("every factor was dropped by the logit (wrong sign or not significant); "
                           "the data cannot support a scorecard")
        result, exog = _fit(woe[names], y, start)
        params = np.asarray(result.params)
        estimates = params if rule.l2 == 0 else ridge(exog, y, rule.l2, params)
        coef = estimates[1:]
        pvalues = np.nan_to_num(np.asarray(result.pvalues)[1:], nan=1.0)
        wrong = [i for i in range(len(names)) if coef[i] > 0]
        change = None
        if wrong:
            drop = max(wrong, key=lambda i: (coef[i], -i))
            reason = (f"wrong sign: coefficient {coef[drop]:+.4f} > 0 would give a safer bin fewer points "
                      "(usually overlap with another factor)")
        elif rule.method == "pvalue":
            weak = [i for i in range(len(names)) if pvalues[i] > rule.max_p_value]
            if not weak:
                break
            drop = max(weak, key=lambda i: (pvalues[i], -i))
            reason = f"not significant: p-value {pvalues[drop]:.4f} > {rule.max_p_value}"
        else:
            drop = max(range(len(names)), key=lambda i: (pvalues[i], -i))
            k, n = len(params), len(y)
            # Without the factor: a refit, or the intercept-only logit when it is the last one.
            llf = (float(result.llnull) if len(names) == 1 else
                   float(_fit(woe[names[:drop] + names[drop + 1:]], y, np.delete(params, drop + 1))[0].llf))
            change = _criterion_of(llf, k - 1, n, rule.method) - _criterion_of(float(result.llf), k, n, rule.method)
            if change >= 0:
                break
            reason = (f"leaving it out lowers {criterion} by {-change:.2f} (p-value {pvalues[drop]:.4f}): "
                      "its fit gain is not worth a parameter")
        steps.append(SelectionStep(factor=names[drop], stage="logit", action="dropped", reason=reason,
                                   coefficient=_number(coef[drop]), p_value=_number(pvalues[drop]),
                                   criterion=None if change is None else _number(change)))
        names.pop(drop)
        # Refit from the previous estimates without the dropped factor: the same maximum, fewer steps.
        start = np.delete(params, drop + 1)
    bse = np.asarray(result.bse)
    zvalues, pall = np.asarray(result.tvalues), np.asarray(result.pvalues)
    coefficients = [Coefficient("intercept", _number(estimates[0]), _number(bse[0]), _number(zvalues[0]),
                                _number(pall[0]))]
    vif = variance_inflation(exog[:, 1:])
    penalized = f"; ridge l2 {rule.l2:g}" if rule.l2 else ""
    for j, name in enumerate(names, start=1):
        coefficients.append(Coefficient(name, _number(estimates[j]), _number(bse[j]), _number(zvalues[j]),
                                        _number(pall[j]), vif[j - 1]))
        if rule.method == "pvalue":
            why = f"coefficient {estimates[j]:+.4f} < 0 and p-value {pall[j]:.4f} <= {rule.max_p_value}"
        else:
            why = (f"coefficient {estimates[j]:+.4f} < 0, p-value {pall[j]:.4f}; {criterion} stopped dropping "
                   "(leaving out the least significant factor would not lower it)")
        steps.append(SelectionStep(factor=name, stage="logit", action="kept", reason=why + penalized,
                                   coefficient=_number(estimates[j]), p_value=_number(pall[j])))
    return LogitFit(tuple(names), _number(estimates[0]), tuple(coefficients), tuple(steps))
