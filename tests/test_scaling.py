"""Points scaling: the WoE sign, the PDO scale, the fixed range, and integer points that add up."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorecard.errors import FitError
from scorecard.scaling import (LOG_ODDS_SIGN, check_signs, pdo_scaling, rounding_error, scale_points,
                               unrounded_scores)
from scorecard.spec import Bin, FactorSpec


def factor(name: str, woes: list[float]) -> FactorSpec:
    bins = tuple(Bin(kind="range", label=str(i), points=0, woe=w, count=10, event_count=1, event_rate=0.1, iv=0.0)
                 for i, w in enumerate(woes))
    return FactorSpec(name=name, column=name, kind="numeric", coefficient=0.0, iv=0.1, bins=bins, missing_bin=0,
                      unseen_bin=0)


FACTORS = (factor("a", [-0.8, -0.1, 0.4, 1.1]), factor("b", [-1.5, 0.0, 0.7]), factor("c", [-0.3, 0.2]))
COEF = {"a": -0.9, "b": -0.6, "c": -1.1}
INTERCEPT = -2.4


def every_row(factors):
    """Every combination of bins: (woe matrix, index matrix)."""
    combos = list(itertools.product(*(range(len(f.bins)) for f in factors)))
    woe = np.array([[f.bins[i].woe for f, i in zip(factors, c)] for c in combos])
    return woe, np.array(combos)


def totals(scaled, index):
    return np.array([sum(f.bins[i].points for f, i in zip(scaled, row)) for row in index])


def test_the_sign_convention_is_owned_here():
    # WoE = ln(%good/%bad) is higher for safer bins; y = 1 is bad; so ln(good:bad odds) = -(b0 + sum b*WoE).
    assert LOG_ODDS_SIGN == -1.0
    with pytest.raises(FitError, match="coefficient >= 0"):
        check_signs({"a": -0.5, "b": 0.2})
    scaled, _ = scale_points(FACTORS, COEF, INTERCEPT)
    for f in scaled:
        points = [b.points for b in f.bins]
        assert points == sorted(points), "a higher WoE (safer bin) never scores fewer points"
    with pytest.raises(FitError):
        scale_points(FACTORS, {**COEF, "c": 0.3}, INTERCEPT)


def test_pdo_scale_means_what_it_says():
    scaling = pdo_scaling(base_score=600, base_odds=50, pdo=20)
    assert scaling.pd_from_score(600) == pytest.approx(1 / 51)
    odds = lambda s: (1 - scaling.pd_from_score(s)) / scaling.pd_from_score(s)  # noqa: E731
    assert odds(620) == pytest.approx(100) and odds(580) == pytest.approx(25)


def test_pdo_points_add_up_to_the_unrounded_score_within_rounding():
    scaled, scaling = scale_points(FACTORS, COEF, INTERCEPT, method="pdo", base_score=600, base_odds=50, pdo=20)
    woe, index = every_row(FACTORS)
    exact = unrounded_scores(woe, np.array([COEF[f.name] for f in FACTORS]), INTERCEPT, scaling)
    got = totals(scaled, index)
    assert np.all(np.abs(got - exact) <= 0.5 * len(FACTORS))
    # The unrounded score is offset + factor * ln(good:bad odds) of the logit.
    log_odds_good = -(INTERCEPT + woe @ np.array([COEF[f.name] for f in FACTORS]))
    np.testing.assert_allclose(exact, scaling.offset + scaling.factor * log_odds_good)
    error = rounding_error(got, exact)
    assert error["rows"] == len(got) and 0 < error["max_abs"] <= 1.5 and error["mean_abs"] <= error["max_abs"]


def test_pdo_points_are_optbinnings_formula():
    """-(coefficient * WoE + intercept / n) * factor + offset / n, rounded half to even."""
    scaled, scaling = scale_points(FACTORS, COEF, INTERCEPT)
    n = len(FACTORS)
    for f in scaled:
        for b in f.bins:
            raw = -(b.woe * COEF[f.name] + INTERCEPT / n) * scaling.factor + scaling.offset / n
            assert b.points == int(np.rint(raw))
        assert f.coefficient == COEF[f.name]


def test_range_scale_hits_both_ends_exactly():
    scaled, scaling = scale_points(FACTORS, COEF, INTERCEPT, method="range", min_score=350, max_score=950)
    woe, index = every_row(FACTORS)
    got = totals(scaled, index)
    assert got.min() == 350 and got.max() == 950
    assert sum(min(b.points for b in f.bins) for f in scaled) == 350
    exact = unrounded_scores(woe, np.array([COEF[f.name] for f in FACTORS]), INTERCEPT, scaling)
    assert exact.min() == pytest.approx(350) and exact.max() == pytest.approx(950)
    assert np.all(np.abs(got - exact) <= len(FACTORS))
    # PD from a score follows the same logit: the worst row's PD is the model's PD for that row.
    worst = np.argmin(exact)
    model_pd = 1 / (1 + math.exp(-(INTERCEPT + woe[worst] @ np.array([COEF[f.name] for f in FACTORS]))))
    assert scaling.pd_from_score(exact[worst]) == pytest.approx(model_pd)


def test_bad_scales_fail_clearly():
    with pytest.raises(FitError, match="max score"):
        scale_points(FACTORS, COEF, INTERCEPT, method="range", min_score=900, max_score=300)
    with pytest.raises(FitError, match="pdo"):
        scale_points(FACTORS, COEF, INTERCEPT, pdo=0)
    with pytest.raises(FitError, match="unknown scaling"):
        scale_points(FACTORS, COEF, INTERCEPT, method="linear")
    flat = (factor("a", [0.0, 0.0]),)
    with pytest.raises(FitError, match="same score"):
        scale_points(flat, {"a": -1.0}, 0.0, method="range")


woes = st.lists(st.floats(-3, 3, allow_nan=False), min_size=1, max_size=6)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(woes, st.floats(-2, -0.05)), min_size=1, max_size=6), st.floats(-4, 2),
       st.integers(0, 500), st.integers(100, 900))
def test_any_scorecard_keeps_order_and_range_ends(columns, intercept, low, span):
    factors = tuple(factor(f"f{i}", w) for i, (w, _) in enumerate(columns))
    coef = {f"f{i}": c for i, (_, c) in enumerate(columns)}
    if all(max(w) - min(w) < 1e-6 for w, _ in columns):
        return  # every applicant scores the same: nothing to stretch
    for method in ("pdo", "range"):
        scaled, _ = scale_points(factors, coef, intercept, method=method, min_score=low, max_score=low + span)
        for f, (w, _) in zip(scaled, columns):
            order = np.argsort(w, kind="stable")
            points = np.array([b.points for b in f.bins])[order]
            assert np.all(np.diff(points) >= 0)
        if method == "range":
            assert sum(min(b.points for b in f.bins) for f in scaled) == low
            assert sum(max(b.points for b in f.bins) for f in scaled) == low + span
