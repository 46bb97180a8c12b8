"""The logit on WoE (statsmodels), with backward selection by sign and significance.

This is the only module that imports statsmodels. WoE is ln(%good / %bad), so a higher WoE is
safer, and in a logit for the bad outcome (y = 1) every coefficient must be negative (see
``scaling.py``, which owns that sign). A positive coefficient (usually collinearity between
factors) would make a safer bin score fewer points, which no analyst can defend and no applicant
can be told, so such a factor is dropped first; then the least significant factor with a p-value
above ``max_p_value``. The logit is refitted after each drop and every drop is logged.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from threadpoolctl import threadpool_limits

from scorecard.errors import FitError
from scorecard.spec import Coefficient, SelectionStep, fitted

MAX_P_VALUE = 0.05


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


def fit_logit(woe: pd.DataFrame, y: np.ndarray, *, max_p_value: float = MAX_P_VALUE) -> LogitFit:
    """Fit, drop wrong-signed then insignificant factors one at a time, refit; log every step.

    ``woe`` has one column per factor (named by the factor); ``y`` is 1 for the bad outcome.
    Raises FitError when no factor survives.
    """
    # The design matrix is narrow (one column per factor): multi-threaded BLAS only adds
    # overhead here, several times the work itself on a busy machine.
    with threadpool_limits(limits=1):
        return _select(woe, y, max_p_value)


def _select(woe: pd.DataFrame, y: np.ndarray, max_p_value: float) -> LogitFit:
    if not 0 < max_p_value <= 1:
        raise FitError(f"max p-value {max_p_value} must be in (0, 1]")
    y = np.asarray(y, dtype=float)
    names = list(woe.columns)
    steps: list[SelectionStep] = []
    start = None
    while True:
        if not names:
            raise FitError("every factor was dropped by the logit (wrong sign or not significant); "
                           "the data cannot support a scorecard")
        result, exog = _fit(woe[names], y, start)
        coef = np.asarray(result.params)[1:]
        pvalues = np.nan_to_num(np.asarray(result.pvalues)[1:], nan=1.0)
        wrong = [i for i in range(len(names)) if coef[i] > 0]
        if wrong:
            drop = max(wrong, key=lambda i: (coef[i], -i))
            reason = (f"wrong sign: coefficient {coef[drop]:+.4f} > 0 would give a safer bin fewer points "
                      "(usually overlap with another factor)")
        else:
            weak = [i for i in range(len(names)) if pvalues[i] > max_p_value]
            if not weak:
                break
            drop = max(weak, key=lambda i: (pvalues[i], -i))
            reason = f"not significant: p-value {pvalues[drop]:.4f} > {max_p_value}"
        steps.append(SelectionStep(factor=names[drop], stage="logit", action="dropped", reason=reason,
                                   coefficient=_number(coef[drop]), p_value=_number(pvalues[drop])))
        names.pop(drop)
        # Refit from the previous estimates without the dropped factor: the same maximum, fewer steps.
        start = np.delete(np.asarray(result.params), drop + 1)
    params, bse = np.asarray(result.params), np.asarray(result.bse)
    zvalues, pall = np.asarray(result.tvalues), np.asarray(result.pvalues)
    coefficients = [Coefficient("intercept", _number(params[0]), _number(bse[0]), _number(zvalues[0]), _number(pall[0]))]
    vif = variance_inflation(exog[:, 1:])
    for j, name in enumerate(names, start=1):
        coefficients.append(Coefficient(name, _number(params[j]), _number(bse[j]), _number(zvalues[j]),
                                        _number(pall[j]), vif[j - 1]))
        steps.append(SelectionStep(factor=name, stage="logit", action="kept",
                                   reason=f"coefficient {params[j]:+.4f} < 0 and p-value {pall[j]:.4f} <= {max_p_value}",
                                   coefficient=_number(params[j]), p_value=_number(pall[j])))
    return LogitFit(tuple(names), _number(params[0]), tuple(coefficients), tuple(steps))
