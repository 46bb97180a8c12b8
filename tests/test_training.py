"""Training on the synthetic demo population: a spec a user can trust, reproduce and not tamper with."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

from scorecard import metrics, scoring
from scorecard.datasets.demo import generate
from scorecard.errors import FitError, SpecError
from scorecard.profile import load_profile
from scorecard.spec import from_json, to_json
from scorecard.training import fit_scorecard

warnings.filterwarnings("ignore")


@pytest.fixture(scope="module")
def table():
    return generate(5000, 3)


@pytest.fixture(scope="module")
def profile():
    return load_profile("demo")


@pytest.fixture(scope="module")
def spec(table, profile):
    return fit_scorecard(table, profile, test_size=0.3, seed=7)


def test_total_is_the_sum_of_points_and_matches_pd(spec, table):
    result = scoring.score(spec, table)
    assert len(result) == len(table)
    assert np.array_equal(result.total, result.points.sum(axis=1))
    # a higher score means a lower predicted bad probability
    order = np.argsort(result.total)
    assert np.all(np.diff(result.pd[order]) <= 1e-12)


def test_coefficients_are_negative_and_selection_is_logged(spec, profile):
    assert spec.factors, "no factor kept"
    assert all(f.coefficient < 0 for f in spec.factors)
    assert all(c.estimate < 0 for c in spec.coefficients if c.name != "intercept")
    logged = {s.factor for s in spec.selection_log if s.stage == "binning"}
    assert logged == set(profile.factor_names)
    kept_logit = [s.factor for s in spec.selection_log if s.stage == "logit" and s.action == "kept"]
    assert kept_logit == list(spec.factor_names)


def test_bins_are_consistent(spec):
    for f in spec.factors:
        assert f.bins[f.missing_bin].kind == "missing"
        ranges = [b for b in f.bins if b.kind == "range"]
        if ranges:
            assert ranges[0].lower is None and ranges[-1].upper is None
            assert all(a.upper == b.lower for a, b in zip(ranges, ranges[1:]))
        observed = [b.points for b in f.bins if b.count > 0]
        for b in f.bins:
            if b.count == 0 and b.kind in ("special", "missing"):
                assert b.points == min(observed)  # EMPTY_BIN_RULE


def test_discriminates_on_held_out_rows(spec):
    test = spec.metrics["test"]
    assert test["rows"] == 1500
    assert test["auc"] > 0.6
    assert 0 < test["ks"] < 1
    assert sum(band["rows"] for band in test["calibration"]) == 1500
    assert spec.metrics["psi_train_test"] < 0.1
    json.dumps(spec.metrics, allow_nan=False)


def test_json_round_trip_and_determinism(spec, table, profile):
    text = to_json(spec)
    assert to_json(from_json(text)) == text
    again = fit_scorecard(table, profile, test_size=0.3, seed=7)
    assert to_json(again) == text
    assert spec.training["rows"] == 5000 and len(spec.training["sha256"]) == 64


def test_edited_json_is_rejected(spec):
    data = json.loads(to_json(spec))
    data["factors"][0]["bins"][0]["points"] += 10
    with pytest.raises(SpecError, match="checksum"):
        from_json(json.dumps(data))


def test_range_scaling_spans_the_requested_scores(table, profile):
    spec = fit_scorecard(table.iloc[:3000], profile, test_size=0.3, seed=1, scaling="range", min_score=300, max_score=900)
    assert abs(spec.min_score - 300) <= len(spec.factors)
    assert abs(spec.max_score - 900) <= len(spec.factors)
    result = scoring.score(spec, table.iloc[:200])
    # PD implied by the total agrees with the model's unrounded log-odds within rounding
    assert spec.rounding["max_abs"] <= len(spec.factors) * 0.5 + 1e-9
    assert np.all((result.pd > 0) & (result.pd < 1))


def test_test_size_zero_says_so(table, profile):
    spec = fit_scorecard(table.iloc[:2000], profile, test_size=0, seed=7)
    assert "note" in spec.metrics
    assert spec.metrics["test"] == spec.metrics["train"]


def test_one_outcome_fails_clearly(table, profile):
    only_good = table.assign(bad=0)
    with pytest.raises(FitError, match="one outcome"):
        fit_scorecard(only_good, profile)


def test_metrics_on_known_cases():
    y = np.array([0, 0, 1, 1])
    assert metrics.auc(y, np.array([0.1, 0.2, 0.8, 0.9])) == 1.0
    assert metrics.auc(y, np.array([0.9, 0.8, 0.2, 0.1])) == 0.0
    assert metrics.auc(y, np.full(4, 0.5)) == 0.5
    assert metrics.ks(y, np.array([0.1, 0.2, 0.8, 0.9])) == 1.0
    assert metrics.psi(np.arange(1000), np.arange(1000)) == 0.0
    assert metrics.psi(np.arange(1000), np.arange(500, 1500)) > 0.25
    assert metrics.auc(np.zeros(3), np.ones(3)) is None


def test_workflow_writes_a_loadable_spec(tmp_path, table):
    pytest.importorskip("scorecard.data")
    from scorecard import workflows
    from scorecard.spec import load_spec

    csv = tmp_path / "train.csv"
    table.iloc[:3000].to_csv(csv, index=False)
    result = workflows.train(csv, profile="demo", out=tmp_path / "spec.json", test_size=0.3, seed=7)
    loaded = load_spec(result.path)
    assert loaded.factor_names == result.factors
    assert "AUC" in result.summary() and str(result.path) in result.summary()
