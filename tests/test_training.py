"""Training end to end on the demo population: a spec a user can trust, reproduce and not tamper with."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from scorecard import scoring
from scorecard.datasets.demo import generate
from scorecard.errors import DataError, FitError, SpecError
from scorecard.profile import load_profile
from scorecard.spec import from_json, to_json
from scorecard.data import target_vector
from scorecard.training import fit_scorecard, split_rows, table_fingerprint


@pytest.fixture(scope="module")
def table():
    return generate(5000, 3)


@pytest.fixture(scope="module")
def profile():
    return load_profile("demo")


@pytest.fixture(scope="module")
def spec(table, profile):
    return fit_scorecard(table, profile, test_size=0.3, seed=7)


def test_same_data_profile_and_seed_give_byte_identical_specs(spec, table, profile):
    text = to_json(spec)
    assert to_json(fit_scorecard(table, profile, test_size=0.3, seed=7)) == text
    assert to_json(from_json(text)) == text
    assert to_json(fit_scorecard(table, profile, test_size=0.3, seed=8)) != text  # the seed matters


def test_total_is_the_sum_of_points_and_a_higher_score_is_safer(spec, table):
    result = scoring.score(spec, table)
    assert len(result) == len(table)
    np.testing.assert_array_equal(result.total, result.points.sum(axis=1))
    order = np.argsort(result.total)
    assert np.all(np.diff(result.pd[order]) <= 0)


def test_coefficients_are_negative_and_every_decision_is_logged(spec, profile):
    assert spec.factors
    assert all(f.coefficient < 0 for f in spec.factors)
    assert all(c.estimate < 0 for c in spec.coefficients if c.name != "intercept")
    assert [c.name for c in spec.coefficients] == ["intercept", *spec.factor_names]
    binned = [s.factor for s in spec.selection_log if s.stage == "binning"]
    assert binned == list(profile.factor_names)
    kept = [s.factor for s in spec.selection_log if s.stage == "logit" and s.action == "kept"]
    assert kept == list(spec.factor_names)
    dropped = {s.factor for s in spec.selection_log if s.action == "dropped"}
    assert dropped | set(spec.factor_names) == set(profile.factor_names)
    assert all(s.reason for s in spec.selection_log)


def test_bins_are_consistent_and_empty_bins_score_worst(spec):
    for f in spec.factors:
        assert f.bins[f.missing_bin].kind == "missing"
        ranges = [b for b in f.bins if b.kind == "range"]
        assert ranges[0].lower is None and ranges[-1].upper is None
        assert all(a.upper == b.lower for a, b in zip(ranges, ranges[1:]))
        observed = [b.points for b in f.bins if b.count > 0]
        for b in f.bins:
            if b.count == 0:
                assert b.kind in ("special", "missing") and b.points == min(observed)


def test_metrics_on_held_out_rows_are_json_ready(spec):
    m = spec.metrics
    assert m["evaluated_on"] == "test rows" and "note" not in m
    test = m["test"]
    assert test["rows"] == 1500 and m["train"]["rows"] == 3500
    assert test["auc"] > 0.6 and 0 < test["ks"] < 1 and test["gini"] == pytest.approx(2 * test["auc"] - 1, abs=1e-5)
    assert 0 < test["brier"] < 0.25
    assert sum(band["rows"] for band in test["calibration"]) == 1500
    assert m["psi_train_test"] < 0.1 and set(m["psi_factors_train_test"]) == set(spec.factor_names)
    assert {row["factor"] for row in m["iv"]} == set(spec.profile.factor_names)
    assert {row["factor"] for row in m["iv"] if row["in_model"]} == set(spec.factor_names)
    json.dumps(m, allow_nan=False)


def test_training_fingerprint_rounding_and_reference(spec, table, profile):
    t = spec.training
    assert (t["rows"], t["train_rows"], t["test_rows"], t["seed"], t["test_size"]) == (5000, 3500, 1500, 7, 0.3)
    assert t["bad_rows"] == int(table["bad"].sum()) and t["bad_rate"] == pytest.approx(table["bad"].mean(), abs=1e-6)
    assert t["date_range"] == [table["snapshot_date"].min(), table["snapshot_date"].max()]
    assert len(t["sha256"]) == 64 and t["settings"]["max_p_value"] == 0.05
    assert 0 < spec.rounding["mean_abs"] <= spec.rounding["max_abs"] <= 0.5 * len(spec.factors)
    assert spec.reference["rows"] == 3500 and spec.reference["factors"] == list(spec.factor_names)


def test_fingerprint_ignores_column_order_and_extras_but_not_values(table, profile):
    y = target_vector(table, profile)
    base = table_fingerprint(table, profile, y)
    shuffled = table[list(reversed(table.columns))].assign(extra=1)
    assert table_fingerprint(shuffled, profile, y) == base
    as_text = table.astype(str).replace("nan", None)  # the same values read from a CSV as text
    assert table_fingerprint(as_text, profile, y) == base
    changed = table.copy()
    changed.loc[10, "age"] += 1
    assert table_fingerprint(changed, profile, y) != base


def test_split_is_stratified_and_seeded(table, profile):
    y = target_vector(table, profile)
    train, test = split_rows(y, 0.3, 7)
    assert len(test) == 1500 and len(np.intersect1d(train, test)) == 0
    assert abs(y[train].mean() - y[test].mean()) < 0.005
    assert np.array_equal(split_rows(y, 0.3, 7)[1], test) and not np.array_equal(split_rows(y, 0.3, 8)[1], test)
    with pytest.raises(FitError, match="test size"):
        split_rows(y, 1.0, 7)


def test_test_size_zero_trains_on_every_row_and_says_so(table, profile):
    spec = fit_scorecard(table.iloc[:2000], profile, test_size=0, seed=7)
    assert spec.metrics["evaluated_on"] == "training rows" and "test size 0" in spec.metrics["note"]
    assert spec.metrics["test"] == spec.metrics["train"] and spec.training["train_rows"] == 2000
    assert spec.metrics["psi_train_test"] is None


def test_range_scaling_spans_exactly_the_requested_scores(table, profile):
    spec = fit_scorecard(table.iloc[:3000], profile, test_size=0.3, seed=1, scaling="range", min_score=350,
                         max_score=950)
    assert (spec.min_score, spec.max_score) == (350, 950)
    assert spec.scaling.method == "range" and spec.scaling.min_score == 350
    result = scoring.score(spec, table.iloc[:500])
    assert result.total.min() >= 350 and result.total.max() <= 950
    assert spec.rounding["max_abs"] <= len(spec.factors)


def test_raw_text_tables_train_like_checked_ones(table, profile):
    """A table as read from CSV (all text, the target as text) gives the same scorecard."""
    raw = table.iloc[:2500].astype(str).replace("nan", None)
    checked = table.iloc[:2500]
    a = fit_scorecard(raw, profile, test_size=0.2, seed=3)
    b = fit_scorecard(checked, profile, test_size=0.2, seed=3)
    assert a.factors == b.factors and a.metrics == b.metrics


def test_text_targets_use_the_profiles_bad_value(profile):
    custom = profile.model_copy(update={"target": profile.target.model_copy(update={"bad_value": "Bad"})})
    frame = pd.DataFrame({"bad": ["Bad", "Good", " Bad ", "Good"]})
    assert target_vector(frame, custom).tolist() == [1, 0, 1, 0]
    with pytest.raises(DataError, match="row 2.*target is empty"):
        target_vector(pd.DataFrame({"bad": ["Bad", None]}), custom)


def test_progress_is_reported_stage_by_stage(table, profile):
    seen = []
    fit_scorecard(table.iloc[:1500], profile, test_size=0, seed=1,
                  progress=lambda stage, done, total: seen.append((stage, done, total)))
    total = len(profile.factors) + 3
    assert seen[0] == (f"binning {profile.factors[0].name}", 0, total) and seen[-1] == ("done", total, total)
    assert [d for _, d, _ in seen] == sorted(d for _, d, _ in seen)


def test_bad_inputs_fail_clearly(table, profile):
    with pytest.raises(FitError, match="one outcome"):
        fit_scorecard(table.assign(bad=0), profile)
    with pytest.raises(DataError, match="no rows"):
        fit_scorecard(table.iloc[:0], profile)
    with pytest.raises(DataError, match="'age'"):
        fit_scorecard(table.drop(columns="age"), profile)


def test_edited_spec_is_rejected(spec):
    data = json.loads(to_json(spec))
    data["factors"][0]["bins"][0]["points"] += 10
    with pytest.raises(SpecError, match="checksum"):
        from_json(json.dumps(data))
