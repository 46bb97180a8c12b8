"""The logit on WoE: statistics an analyst can check, and selection by sign and significance."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from statsmodels.stats.outliers_influence import variance_inflation_factor

from scorecard.errors import FitError
from scorecard.model import fit_logit, variance_inflation


def woe_data(n: int = 6000, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Three informative WoE-like columns, a near copy of one of them (next to the original it
    takes a wrong, positive sign) and a column of pure noise."""
    rng = np.random.default_rng(seed)
    a, b, c, hidden = rng.normal(size=(4, n))
    log_odds_bad = -1.5 - 0.9 * a - 0.6 * b - 0.4 * c + 0.5 * hidden
    y = (rng.random(n) < 1 / (1 + np.exp(-log_odds_bad))).astype(int)
    copy = a + hidden  # given a, it carries the hidden risk: coefficient about +0.5
    noise = rng.normal(size=n)
    return pd.DataFrame({"a": a, "b": b, "c": c, "copy": copy, "noise": noise}), y


@pytest.fixture(scope="module")
def fit():
    woe, y = woe_data()
    return woe, y, fit_logit(woe, y)


def test_wrong_sign_then_insignificant_factors_are_dropped_in_order(fit):
    woe, y, result = fit
    dropped = [s for s in result.steps if s.action == "dropped"]
    assert [s.factor for s in dropped] == ["copy", "noise"]
    assert dropped[0].coefficient > 0.3 and "wrong sign" in dropped[0].reason
    noise = dropped[1]
    assert ("wrong sign" in noise.reason and noise.coefficient > 0) or (
        "not significant" in noise.reason and noise.p_value > 0.05)
    assert result.factors == ("a", "b", "c")
    kept = [s for s in result.steps if s.action == "kept"]
    assert [s.factor for s in kept] == ["a", "b", "c"]
    assert all(s.coefficient < 0 and s.p_value <= 0.05 for s in kept)


def test_statistics_are_statsmodels_on_the_kept_factors(fit):
    woe, y, result = fit
    reference = sm.Logit(y, sm.add_constant(woe[["a", "b", "c"]].to_numpy())).fit(disp=0)
    estimates = [c.estimate for c in result.coefficients]
    np.testing.assert_allclose(estimates, reference.params, rtol=1e-6)
    np.testing.assert_allclose([c.std_error for c in result.coefficients], reference.bse, rtol=1e-6)
    np.testing.assert_allclose([c.p_value for c in result.coefficients], reference.pvalues, rtol=1e-5, atol=1e-300)
    np.testing.assert_allclose([c.z for c in result.coefficients], reference.tvalues, rtol=1e-6)
    assert result.coefficients[0].name == "intercept" and result.intercept == estimates[0]
    assert [c.name for c in result.coefficients[1:]] == ["a", "b", "c"]


def test_vif_is_the_textbook_vif(fit):
    woe, _, result = fit
    exog = sm.add_constant(woe[["a", "b", "c"]].to_numpy())
    expected = [variance_inflation_factor(exog, j) for j in (1, 2, 3)]
    np.testing.assert_allclose([c.vif for c in result.coefficients[1:]], expected, rtol=1e-9)
    x = woe[["a", "copy"]].to_numpy()
    assert variance_inflation(x) == pytest.approx([2.0, 2.0], rel=0.05)  # corr(a, a + hidden) = 1/sqrt(2)
    assert variance_inflation(np.c_[x[:, 0], x[:, 0]]) == [None, None]  # exactly collinear: no finite VIF


def test_stricter_p_value_drops_more():
    woe, y = woe_data(n=600, seed=2)
    loose = fit_logit(woe, y, max_p_value=0.5)
    strict = fit_logit(woe, y, max_p_value=1e-4)
    assert set(strict.factors) < set(loose.factors) or len(strict.factors) < len(loose.factors)


def test_no_survivor_is_a_fit_error():
    rng = np.random.default_rng(1)
    woe = pd.DataFrame({"x": rng.normal(size=500)})
    y = (rng.random(500) < 0.3).astype(int)
    with pytest.raises(FitError, match="every factor was dropped"):
        fit_logit(woe, y)
    with pytest.raises(FitError, match="max p-value"):
        fit_logit(woe, y, max_p_value=0)
