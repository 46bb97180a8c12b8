"""Metrics: the numbers in the model report, checked against textbook definitions."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.metrics import brier_score_loss, roc_auc_score

from scorecard import metrics


@pytest.fixture(scope="module")
def sample():
    rng = np.random.default_rng(5)
    n = 3000
    score = rng.integers(400, 700, n)  # integer scores: many ties
    pd_ = 1 / (1 + np.exp((score - 500) / 30))
    y = (rng.random(n) < pd_).astype(int)
    return y, pd_, score


def test_auc_gini_and_ks_match_their_definitions(sample):
    y, pd_, _ = sample
    assert metrics.auc(y, pd_) == pytest.approx(roc_auc_score(y, pd_), abs=1e-6)
    assert metrics.gini(y, pd_) == pytest.approx(2 * roc_auc_score(y, pd_) - 1, abs=1e-6)
    thresholds = np.unique(pd_)
    gaps = [abs((pd_[y == 1] <= t).mean() - (pd_[y == 0] <= t).mean()) for t in thresholds]
    assert metrics.ks(y, pd_) == pytest.approx(max(gaps), abs=1e-6)
    assert metrics.brier(y, pd_) == pytest.approx(brier_score_loss(y, pd_), abs=1e-6)


def test_perfect_reversed_and_useless_scores():
    y = np.array([0, 0, 1, 1])
    assert metrics.auc(y, np.array([0.1, 0.2, 0.8, 0.9])) == 1.0
    assert metrics.auc(y, np.array([0.9, 0.8, 0.2, 0.1])) == 0.0
    assert metrics.auc(y, np.full(4, 0.5)) == 0.5
    assert metrics.ks(y, np.array([0.1, 0.2, 0.8, 0.9])) == 1.0


def test_one_outcome_gives_none_not_nan():
    y = np.zeros(5, dtype=int)
    assert metrics.auc(y, np.linspace(0, 1, 5)) is None
    assert metrics.ks(y, np.linspace(0, 1, 5)) is None
    summary = metrics.summary(y, np.full(5, 0.1), np.arange(5))
    json.dumps(summary, allow_nan=False)
    assert metrics.summary(np.array([], dtype=int), np.array([]), np.array([]))["bad_rate"] is None


def test_calibration_bands_cover_every_row_from_low_to_high_scores(sample):
    y, pd_, score = sample
    bands = metrics.calibration(y, pd_, score)
    assert 5 <= len(bands) <= 10
    assert sum(b["rows"] for b in bands) == len(y)
    assert [b["lower"] for b in bands] == sorted(b["lower"] for b in bands)
    assert all(a["upper"] < b["lower"] for a, b in zip(bands, bands[1:]))
    observed = [b["observed_bad_rate"] for b in bands]
    assert observed[0] > observed[-1]  # low scores are riskier
    for b in bands:
        mask = (score >= b["lower"]) & (score <= b["upper"])
        assert b["observed_bad_rate"] == pytest.approx(y[mask].mean(), abs=1e-6)
        assert b["predicted_bad_rate"] == pytest.approx(pd_[mask].mean(), abs=1e-6)


def test_psi_is_zero_for_the_same_population_and_grows_with_a_shift(sample):
    _, _, score = sample
    assert metrics.psi(score, score) == 0.0
    assert metrics.psi(np.arange(1000), np.arange(500, 1500)) > 0.25
    rng = np.random.default_rng(1)
    small = metrics.psi(score, rng.permutation(score)[:1500])
    assert small is not None and small < 0.02
    # sum (a - e) ln(a / e) by hand
    assert metrics.psi_from_counts(np.array([50, 50]), np.array([25, 75])) == pytest.approx(
        (0.25 - 0.5) * np.log(0.5) + (0.75 - 0.5) * np.log(1.5), abs=1e-6)
    assert metrics.psi_from_counts(np.array([0, 0]), np.array([1, 1])) is None
    assert np.isfinite(metrics.psi_from_counts(np.array([100, 0]), np.array([50, 50])))


def test_factor_psi_and_iv_table():
    expected = np.array([[0, 1], [1, 1], [2, 0], [0, 0]])
    actual = np.array([[0, 1], [1, 1], [2, 0], [0, 0]])
    assert metrics.factor_psi(("a", "b"), (3, 2), expected, actual) == {"a": 0.0, "b": 0.0}

    class F:
        def __init__(self, name, iv, bins):
            self.name, self.iv, self.bins = name, iv, [None] * bins

    table = metrics.iv_table((F("x", 0.01, 3), F("y", 0.3, 4), F("z", 0.3, 2)), ("y",))
    assert [row["factor"] for row in table] == ["y", "z", "x"]
    assert table[0] == {"factor": "y", "iv": 0.3, "bins": 4, "in_model": True}
