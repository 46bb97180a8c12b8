"""The logit on WoE: statistics an analyst can check; selection by sign, p-value, AIC or BIC; the
correlation and VIF screens; the ridge."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
import statsmodels.api as sm
from statsmodels.stats.outliers_influence import variance_inflation_factor

from scorecard.errors import FitError
from scorecard.model import fit_logit, variance_inflation
from scorecard.profile import Selection

PVALUE = Selection(method="pvalue", max_correlation=None, l2=0)  # the rule before AIC became the default


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
    return woe, y, fit_logit(woe, y, selection=PVALUE)


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
    loose = fit_logit(woe, y, selection=PVALUE.model_copy(update={"max_p_value": 0.5}))
    strict = fit_logit(woe, y, selection=PVALUE.model_copy(update={"max_p_value": 1e-4}))
    assert set(strict.factors) < set(loose.factors) or len(strict.factors) < len(loose.factors)


def test_no_survivor_is_a_fit_error():
    rng = np.random.default_rng(1)
    woe = pd.DataFrame({"x": rng.normal(size=500)})
    y = (rng.random(500) < 0.3).astype(int)
    with pytest.raises(FitError, match="every factor was dropped"):
        fit_logit(woe, y)
    with pytest.raises(FitError, match="every factor was dropped"):
        fit_logit(woe, y, selection=PVALUE)


def small_table(n: int = 700, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Two strong factors and two weak but real ones: at 700 rows the weak ones sit between p 0.05
    and AIC's break-even (a likelihood gain of one unit per parameter, p about 0.157)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4))
    log_odds_bad = -0.8 - 0.9 * x[:, 0] - 0.7 * x[:, 1] - 0.12 * x[:, 2] - 0.12 * x[:, 3]
    y = (rng.random(n) < 1 / (1 + np.exp(-log_odds_bad))).astype(int)
    return pd.DataFrame(x, columns=["strong1", "strong2", "weak1", "weak2"]), y


def test_aic_keeps_what_a_five_percent_test_throws_away_and_logs_each_choice():
    woe, y = small_table()
    by_p = fit_logit(woe, y, selection=PVALUE)
    by_aic = fit_logit(woe, y, selection=Selection(l2=0))
    by_bic = fit_logit(woe, y, selection=Selection(method="bic", l2=0))
    assert set(by_bic.factors) <= set(by_p.factors) < set(by_aic.factors)
    kept_p = {c.name: c.p_value for c in by_aic.coefficients[1:]}
    assert any(p > 0.05 for p in kept_p.values())  # kept by AIC, dropped by the 5 % test
    for step in (s for s in by_bic.steps if s.action == "dropped"):
        # Each drop lowered the criterion; the log says by how much.
        assert step.criterion < 0 and "lowers BIC by" in step.reason
    # The criterion's bookkeeping is statsmodels' own: leaving out the weakest kept factor raises AIC.
    full = sm.Logit(y, sm.add_constant(woe[list(by_aic.factors)].to_numpy())).fit(disp=0)
    weakest = max(kept_p, key=kept_p.get)
    rest = [f for f in by_aic.factors if f != weakest]
    assert sm.Logit(y, sm.add_constant(woe[rest].to_numpy())).fit(disp=0).aic >= full.aic


def test_of_two_correlated_factors_the_stronger_stays_and_the_log_names_the_partner():
    woe, y = woe_data(n=3000, seed=4)
    woe["twin"] = woe["b"] + np.random.default_rng(9).normal(scale=0.3, size=len(woe))  # corr about 0.96
    iv = {"a": 0.5, "b": 0.2, "c": 0.1, "copy": 0.05, "noise": 0.01, "twin": 0.25}
    result = fit_logit(woe, y, selection=Selection(max_correlation=0.7, l2=0), iv=iv)
    screened = [s for s in result.steps if s.stage == "screen"]
    twins = next(s for s in screened if s.factor == "b")  # the weaker of the pair goes, though listed first
    assert twins.partner == "twin" and twins.correlation == pytest.approx(np.corrcoef(woe["b"], woe["twin"])[0, 1], rel=1e-6)
    assert "twin" in result.factors and "b" not in result.factors
    copy = next(s for s in screened if s.factor == "copy")  # corr(a, a + hidden) = 0.71 > 0.7
    assert copy.partner == "a" and abs(copy.correlation) > 0.7
    loose = fit_logit(woe, y, selection=Selection(max_correlation=None, l2=0), iv=iv)
    assert not [s for s in loose.steps if s.stage == "screen"]


def test_vif_limit_drops_the_weakest_factor_above_it():
    woe, y = woe_data(n=3000, seed=5)
    woe["sum"] = woe["a"] + woe["b"] + np.random.default_rng(2).normal(scale=0.5, size=len(woe))
    iv = {"a": 0.5, "b": 0.3, "c": 0.1, "copy": 0.02, "noise": 0.01, "sum": 0.2}
    result = fit_logit(woe, y, selection=Selection(max_correlation=None, max_vif=3, l2=0), iv=iv)
    screened = [s for s in result.steps if s.stage == "screen"]
    assert screened and all(s.vif > 3 for s in screened)
    left = [c.vif for c in result.coefficients[1:]]
    assert all(v <= 3 for v in left)
    before = dict(zip(woe.columns, variance_inflation(woe.to_numpy())))
    assert screened[0].factor == min((f for f in woe.columns if before[f] > 3), key=iv.get)
    assert screened[0].vif == pytest.approx(before[screened[0].factor], rel=1e-6)


def test_ridge_is_sklearns_default_logistic_regression_and_keeps_the_unpenalized_statistics():
    from sklearn.linear_model import LogisticRegression

    woe, y = small_table()
    rule = Selection(method="pvalue", max_p_value=1.0, max_correlation=None, l2=1.0)
    result = fit_logit(woe, y, selection=rule)
    reference = LogisticRegression(C=1.0, tol=1e-12, max_iter=10_000).fit(woe.to_numpy(), y)
    np.testing.assert_allclose([c.estimate for c in result.coefficients],
                               [reference.intercept_[0], *reference.coef_[0]], rtol=1e-5, atol=1e-7)
    mle = sm.Logit(y, sm.add_constant(woe.to_numpy())).fit(disp=0)
    np.testing.assert_allclose([c.p_value for c in result.coefficients], mle.pvalues, rtol=1e-5)
    assert all(abs(c.estimate) < abs(m) for c, m in zip(result.coefficients[1:], mle.params[1:]))  # shrunk
    assert all("ridge l2 1" in s.reason for s in result.steps if s.action == "kept")


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), l2=st.sampled_from([0.0, 1.0, 3.0, 30.0]),
       method=st.sampled_from(["aic", "bic", "pvalue"]))
def test_no_kept_coefficient_has_the_wrong_sign(seed, l2, method):
    woe, y = woe_data(n=400, seed=seed)
    try:
        result = fit_logit(woe, y, selection=Selection(method=method, l2=l2), iv={})
    except FitError:
        return
    assert all(c.estimate < 0 for c in result.coefficients[1:])
    assert {s.factor for s in result.steps} == set(woe.columns)
