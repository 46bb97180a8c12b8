"""Scoring from the spec with NumPy: the bin rule, invariants, and agreement with optbinning.

The bin rule (``spec.py``): missing -> missing bin; special code -> its special bin; numeric
ranges lower <= x < upper; categories by text; unseen category -> ``unseen_bin`` (the worst
category group); empty special/missing bins score as the worst observed bin. Where optbinning's
``Scorecard`` defines the same thing (an observed bin with both outcomes) the points and totals
must be equal; where it does not (unseen categories, empty bins, bins with one outcome) the
spec's rule is pinned here.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.base import BaseEstimator, ClassifierMixin

from _decision_fixtures import random_tiny_table, tiny_row, tiny_spec, tiny_table
from scorecard.binning import optbinning_params, training_values
from scorecard.datasets.demo import generate
from scorecard.errors import DataError
from scorecard.profile import load_profile
from scorecard.scoring import assign_bins, score
from scorecard.data import target_vector
from scorecard.training import fit_scorecard, split_rows

SHARED_DATA = Path(os.environ.get("SCORECARD_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
SPEC = tiny_spec()


def points_of(spec, factor: str, **values) -> int:
    j = spec.factor_names.index(factor)
    return int(score(spec, tiny_table([tiny_row(**values)])).points[0, j])


def bin_of(spec, factor: str, value) -> int:
    return int(assign_bins(spec.factor(factor), pd.Series([value], dtype=object))[0])


# --- the bin rule, pinned on a hand-made spec ---------------------------------------------------


def test_numeric_edges_belong_to_the_upper_bin():
    f = SPEC.factor("debt_to_income")  # splits 0.3, 0.5, 1.0
    assert [bin_of(SPEC, "debt_to_income", v) for v in (0.2999999, 0.3, 0.5, 0.99, 1.0, 19.0)] == [0, 1, 2, 2, 3, 3]
    assert [f.bins[i].lower for i in (1, 2, 3)] == [0.3, 0.5, 1.0]


def test_special_codes_missing_and_unseen_values_are_pinned():
    dti = SPEC.factor("debt_to_income")
    special = next(i for i, b in enumerate(dti.bins) if b.kind == "special")
    assert bin_of(SPEC, "debt_to_income", -1) == special
    assert points_of(SPEC, "debt_to_income", debt_to_income=-1) == 40
    for missing in (None, np.nan, "", "not a number"):
        assert bin_of(SPEC, "debt_to_income", missing) == dti.missing_bin
    city = SPEC.factor("city")
    assert [bin_of(SPEC, "city", v) for v in ("A", "B", "C", "D")] == [0, 0, 1, 2]
    assert bin_of(SPEC, "city", "Atlantis") == city.unseen_bin  # unseen: the spec's unseen bin...
    assert points_of(SPEC, "city", city="Atlantis") == 45 == city.worst_points  # ...the worst group here
    for missing in (None, "", "   "):
        assert bin_of(SPEC, "city", missing) == city.missing_bin
    assert bin_of(SPEC, "city", " A") == city.unseen_bin  # compared as text: spaces matter


def test_missing_columns_are_named():
    table = tiny_table([tiny_row()]).drop(columns=["age", "applicant_id"])
    with pytest.raises(DataError, match="'age'.*'applicant_id'"):
        score(SPEC, table)


def test_ids_and_pd():
    table = tiny_table([tiny_row(applicant_id="x-1"), tiny_row(applicant_id="x-2", overdue_count=5)])
    result = score(SPEC, table)
    assert list(result.ids) == ["x-1", "x-2"] and len(result) == 2
    np.testing.assert_allclose(result.pd, [SPEC.scaling.pd_from_score(t) for t in result.total])
    assert result.pd[1] > result.pd[0]


# --- invariants (hypothesis) ------------------------------------------------------------------


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 60), st.integers(0, 2**16), st.randoms(use_true_random=False), st.integers(0, 3))
def test_total_is_the_sum_of_points_whatever_the_column_order_and_extras(rows, seed, rnd, extras):
    table = random_tiny_table(rows, seed)
    result = score(SPEC, table)
    np.testing.assert_array_equal(result.total, result.points.sum(axis=1))
    for j, f in enumerate(SPEC.factors):
        np.testing.assert_array_equal(result.points[:, j], np.array([b.points for b in f.bins])[result.bins[:, j]])
    columns = list(table.columns)
    rnd.shuffle(columns)
    shuffled = table[columns].copy()
    for k in range(extras):
        shuffled[f"extra_{k}"] = rnd.random()
    again = score(SPEC, shuffled)
    np.testing.assert_array_equal(again.points, result.points)
    np.testing.assert_array_equal(again.bins, result.bins)
    np.testing.assert_array_equal(again.total, result.total)
    assert list(again.ids) == list(result.ids)


@pytest.fixture(scope="module")
def demo():
    table = generate(4000, 13)
    profile = load_profile("demo")
    return table, profile, fit_scorecard(table, profile, test_size=0, seed=3)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_points_are_monotone_where_the_profile_asks_for_a_trend(demo, data):
    _, profile, spec = demo
    for f in spec.factors:
        trend = profile.factor(f.name).trend
        if trend not in ("ascending", "descending", "auto", "auto_asc_desc"):
            continue
        p = profile.factor(f.name)
        low, high = p.min_value or 0.0, p.max_value or 100.0
        a, b = sorted(data.draw(st.lists(st.floats(low, high), min_size=2, max_size=2), label=f.name))
        pa, pb = (f.bins[i].points for i in assign_bins(f, pd.Series([a, b])))
        ranges = [x.points for x in f.bins if x.kind == "range"]
        if trend == "ascending":  # the bad rate rises with the value: points fall
            assert pa >= pb
        elif trend == "descending":
            assert pa <= pb
        else:  # auto: one direction, learned from the data
            assert ranges == sorted(ranges) or ranges == sorted(ranges, reverse=True)


def test_valley_and_peak_trends_are_respected(demo):
    _, profile, spec = demo
    for f in spec.factors:
        trend = profile.factor(f.name).trend
        if trend not in ("valley", "peak"):
            continue
        rates = [b.event_rate for b in f.bins if b.kind == "range"]
        turn = int(np.argmin(rates) if trend == "valley" else np.argmax(rates))
        sign = 1 if trend == "valley" else -1
        assert all(sign * (x - y) >= 0 for x, y in zip(rates[:turn], rates[1:turn + 1]))
        assert all(sign * (y - x) >= 0 for x, y in zip(rates[turn:], rates[turn + 1:]))


# --- agreement with optbinning's own Scorecard ---------------------------------------------


class FixedLogit(ClassifierMixin, BaseEstimator):
    """An 'estimator' that returns the spec's coefficients, so optbinning's Scorecard scales the
    very same model (its binning is refitted with the spec's own optbinning arguments)."""

    def __init__(self, coef: tuple[float, ...] = (), intercept: float = 0.0) -> None:
        self.coef = coef
        self.intercept = intercept

    def fit(self, X, y):  # noqa: ANN001, ANN201, N803
        self.coef_ = np.array([self.coef], dtype=float)
        self.intercept_ = np.array([self.intercept], dtype=float)
        self.classes_ = np.array([0, 1])
        return self

    def decision_function(self, X):  # noqa: ANN001, ANN201, N803
        return np.asarray(X, dtype=float) @ self.coef_[0] + self.intercept_[0]

    def predict(self, X):  # noqa: ANN001, ANN201, N803
        return (self.decision_function(X) > 0).astype(int)

    def predict_proba(self, X):  # noqa: ANN001, ANN201, N803
        p = 1 / (1 + np.exp(-self.decision_function(X)))
        return np.c_[1 - p, p]


def optbinning_frame(spec, table: pd.DataFrame) -> pd.DataFrame:
    profile = spec.profile
    return pd.DataFrame({f.column: training_values(profile.factor(f.name), table[f.column]) for f in spec.factors},
                        index=table.index)


def optbinning_scorecard(spec, train: pd.DataFrame, *, empirical: bool = True):  # noqa: ANN201
    from optbinning import BinningProcess, Scorecard

    profile = spec.profile
    columns = [f.column for f in spec.factors]
    params = {f.column: optbinning_params(profile.factor(f.name), len(train)) for f in spec.factors}
    process = BinningProcess(variable_names=columns, binning_fit_params=params,
                             categorical_variables=[f.column for f in spec.factors if f.kind == "categorical"] or None)
    model = Scorecard(binning_process=process,
                      estimator=FixedLogit(tuple(f.coefficient for f in spec.factors), spec.intercept),
                      scaling_method="pdo_odds", rounding=True,
                      scaling_method_params={"pdo": spec.scaling.pdo, "odds": spec.scaling.base_odds,
                                             "scorecard_points": spec.scaling.base_score})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # Scorecard.fit's defaults (metric_special=0, metric_missing=0) give special and missing
        # bins neutral points whatever their bad rate; "empirical" uses their own WoE, as the spec does.
        metric = "empirical" if empirical else 0
        return model.fit(optbinning_frame(spec, train), target_vector(train, profile),
                         metric_special=metric, metric_missing=metric)


def compare_with_optbinning(spec, train: pd.DataFrame, new: pd.DataFrame) -> float:
    """Assert that bins, points and totals agree wherever both define them; return that share."""
    model = optbinning_scorecard(spec, train)
    x = optbinning_frame(spec, new)
    theirs_index = model.binning_process_.transform(x, metric="indices", metric_special="empirical",
                                                    metric_missing="empirical")
    table = model.table("detailed")
    ours = score(spec, new)
    same_row = np.ones(len(new), dtype=bool)
    for j, f in enumerate(spec.factors):
        rows = table[table["Variable"] == f.column].reset_index(drop=True)
        their_points = rows["Points"].to_numpy()
        n_clean = sum(1 for b in f.bins if b.kind in ("range", "categories"))
        n_special = sum(1 for b in f.bins if b.kind == "special")
        # optbinning keeps a "Special" row even without special codes; our bins skip it.
        their = theirs_index[f.column].to_numpy()
        mapped = np.where(their == len(rows) - 1, f.missing_bin, their)
        if n_special == 0:
            assert rows["Bin"].iloc[n_clean] == "Special" and rows["Count"].iloc[n_clean] == 0
        defined = np.array([b.count > 0 and 0 < b.event_count < b.count for b in f.bins])
        for i, b in enumerate(f.bins):
            k = len(rows) - 1 if i == f.missing_bin else i
            assert rows["Count"].iloc[k] == b.count, (f.name, b.label)
            if defined[i]:
                assert their_points[k] == b.points, (f.name, b.label)
                # The spec stores WoE rounded to nine significant digits (spec.fitted); optbinning does not.
                assert rows["WoE"].iloc[k] == pytest.approx(b.woe, rel=1e-8)
        unseen = their == -1
        np.testing.assert_array_equal(mapped[~unseen], ours.bins[~unseen, j])
        # optbinning scores an unseen category with the Missing row (index -1); the spec uses unseen_bin.
        assert np.all(ours.bins[unseen, j] == f.unseen_bin)
        same_row &= ~unseen & defined[ours.bins[:, j]]
    their_total = model.score(x)
    np.testing.assert_array_equal(their_total[same_row], ours.total[same_row])
    return float(same_row.mean())


def test_same_points_as_optbinning_scorecard_on_the_demo_population():
    table = generate(6000, 21)
    profile = load_profile("demo")
    spec = fit_scorecard(table, profile, test_size=0, seed=5)
    assert compare_with_optbinning(spec, table, generate(5000, 22)) > 0.95


def test_optbinning_defaults_would_give_special_codes_neutral_points():
    """Why the spec does not copy Scorecard's defaults: with metric_special=0 the 'no income
    record' code (-1, a riskier group) scores like an average applicant."""
    table = generate(6000, 21)
    spec = fit_scorecard(table, load_profile("demo"), test_size=0, seed=5)
    f = spec.factor("debt_to_income")
    special = next(i for i, b in enumerate(f.bins) if b.kind == "special")
    assert f.bins[special].count > 0 and f.bins[special].woe < 0
    model = optbinning_scorecard(spec, table, empirical=False)
    rows = model.table("detailed")
    their = rows[rows["Variable"] == f.column].reset_index(drop=True)["Points"].iloc[special]
    n, scaling = len(spec.factors), spec.scaling
    neutral = np.rint(-(spec.intercept / n) * scaling.factor + scaling.offset / n)
    assert their == neutral and f.bins[special].points < neutral


def shared_table(name: str) -> tuple[pd.DataFrame, object]:
    path = SHARED_DATA / f"{name}.csv"
    if not path.is_file():
        pytest.skip(f"{path} is absent (set SCORECARD_SHARED_DATA to the shared data folder)")
    from scorecard.data import read_table, validate_training

    profile = load_profile(name)
    return validate_training(read_table(path), profile, str(path)).reset_index(drop=True), profile


def test_same_points_as_optbinning_on_german_categories_and_unseen_ones():
    table, profile = shared_table("german")
    train_at, test_at = split_rows(target_vector(table, profile), 0.3, 7)
    train, test = table.iloc[train_at], table.iloc[test_at].copy()
    spec = fit_scorecard(train, profile, test_size=0, seed=7)
    categorical = next(f for f in spec.factors if f.kind == "categorical")
    test.loc[test.index[:5], categorical.column] = "A999"  # a category training never saw
    share = compare_with_optbinning(spec, train, test)
    assert share > 0.5
    assert (score(spec, test).bins[:5, spec.factor_names.index(categorical.name)] == categorical.unseen_bin).all()


@pytest.mark.slow
def test_same_points_as_optbinning_on_heloc_special_codes():
    table, profile = shared_table("heloc")
    train_at, test_at = split_rows(target_vector(table, profile), 0.3, 7)
    spec = fit_scorecard(table.iloc[train_at], profile, test_size=0, seed=7)
    assert any(b.kind == "special" and b.count > 0 for f in spec.factors for b in f.bins)
    assert compare_with_optbinning(spec, table.iloc[train_at], table.iloc[test_at]) > 0.8
