"""The logit on WoE (statsmodels), with backward selection by sign and significance.

WoE is ln(%good / %bad), so a higher WoE is safer; in a logit for the bad outcome every
coefficient must therefore be negative. A positive one (usually collinearity) would make a safer
bin score fewer points, which no applicant could be told, so such a factor is dropped first;
then the least significant factor above ``MAX_P_VALUE``; the logit is refitted after each drop.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from statsmodels.stats.outliers_influence import variance_inflation_factor

from scorecard.errors import FitError
from scorecard.spec import Coefficient, SelectionStep

MAX_P_VALUE = 0.05


@dataclass(frozen=True)
class LogitFit:
    factors: tuple[str, ...]  # kept factor names, in input order
    intercept: float
    coefficients: tuple[Coefficient, ...]  # intercept first, then the factors
    steps: tuple[SelectionStep, ...]


def _fit(woe: pd.DataFrame, y: np.ndarray):
    exog = sm.add_constant(woe.to_numpy(dtype=float), has_constant="add")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return sm.Logit(y, exog).fit(disp=0, maxiter=200), exog
        except Exception as exc:  # singular matrix, perfect separation
            raise FitError(f"the logit cannot be fitted on factors {', '.join(woe.columns)} ({exc})") from exc


def _clean(value: float) -> float:
    value = float(value)
    return round(value, 12) if np.isfinite(value) else 0.0


def fit_logit(woe: pd.DataFrame, y: np.ndarray) -> LogitFit:
    """Fit, drop wrong-signed then insignificant factors one at a time, refit; log every step."""
    y = np.asarray(y, dtype=float)
    names = list(woe.columns)
    steps: list[SelectionStep] = []
    while True:
        if not names:
            raise FitError("every factor was dropped by the logit (wrong sign or not significant); the data cannot support a scorecard")
        result, exog = _fit(woe[names], y)
        coef = np.asarray(result.params)[1:]
        pvalues = np.asarray(result.pvalues)[1:]
        positive = [i for i in range(len(names)) if coef[i] > 0]
        if positive:
            drop = max(positive, key=lambda i: (coef[i], -i))
            reason = f"wrong sign: coefficient {coef[drop]:+.4f} > 0 (a safer bin would score fewer points)"
        else:
            weak = [i for i in range(len(names)) if not (pvalues[i] <= MAX_P_VALUE)]
            if not weak:
                break
            drop = max(weak, key=lambda i: (np.nan_to_num(pvalues[i], nan=1.0), -i))
            reason = f"p-value {pvalues[drop]:.4f} > {MAX_P_VALUE}"
        steps.append(SelectionStep(factor=names[drop], stage="logit", action="dropped", reason=reason,
                                   coefficient=_clean(coef[drop]), p_value=_clean(pvalues[drop])))
        names.pop(drop)
    params, bse = np.asarray(result.params), np.asarray(result.bse)
    tvalues, pall = np.asarray(result.tvalues), np.asarray(result.pvalues)
    coefficients = [Coefficient("intercept", _clean(params[0]), _clean(bse[0]), _clean(tvalues[0]), _clean(pall[0]))]
    for j, name in enumerate(names, start=1):
        vif = _clean(variance_inflation_factor(exog, j)) if len(names) > 1 else 1.0
        coefficients.append(Coefficient(name, _clean(params[j]), _clean(bse[j]), _clean(tvalues[j]), _clean(pall[j]), vif))
        steps.append(SelectionStep(factor=name, stage="logit", action="kept",
                                   reason=f"coefficient {params[j]:+.4f} < 0, p-value {pall[j]:.4f} <= {MAX_P_VALUE}",
                                   coefficient=_clean(params[j]), p_value=_clean(pall[j])))
    return LogitFit(tuple(names), _clean(params[0]), tuple(coefficients), tuple(steps))
