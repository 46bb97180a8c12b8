"""The synthetic demo population: columns, bad rate, documented relationships, determinism."""

from __future__ import annotations

import numpy as np
import pytest

from scorecard import workflows
from scorecard.data import validate_training
from scorecard.datasets.demo import COLUMNS, bad_log_odds, generate
from scorecard.profile import load_profile


@pytest.fixture(scope="module")
def population():
    return generate(60_000, 7)


def test_columns_match_the_demo_profile(population):
    profile = load_profile("demo")
    assert tuple(population.columns) == COLUMNS
    needed = {profile.id_column, profile.target.column, profile.date_column, profile.segment_column,
              *profile.policy_columns, *(f.source_column for f in profile.factors)}
    assert needed == set(COLUMNS)
    validate_training(population, profile, "demo")  # ranges, integers, ids, binary target


def test_bad_rate_is_realistic(population):
    assert 0.05 <= population["bad"].mean() <= 0.15


def test_missing_and_special_values_exist(population):
    dti = population["debt_to_income"]
    assert 0.01 < dti.isna().mean() < 0.06
    assert 0.01 < (dti == -1).mean() < 0.08
    assert population["monthly_payment_activity"].isna().mean() > 0.002


@pytest.mark.parametrize(
    ("factor", "edges", "direction"),
    [
        ("overdue_count_12m", [0, 1, 2, 99], 1),
        ("other_platform_loans", [0, 1, 3, 99], 1),
        ("monthly_payment_activity", [0, 10, 40, 9999], -1),
        ("account_age_months", [0, 12, 48, 999], -1),
    ],
)
def test_documented_monotone_relationships(population, factor, edges, direction):
    groups = population.groupby(np.digitize(population[factor], edges[1:-1], right=False))["bad"].mean().to_numpy()
    assert np.all(np.diff(groups) * direction > 0), groups


def test_age_is_a_valley(population):
    rate = population.groupby(np.digitize(population["age"], [25, 35, 50]))["bad"].mean().to_numpy()
    assert rate[0] > rate[1] and rate[-1] > rate[1] or rate[0] > rate[2]


def test_interaction_income_proof_softens_debt(population):
    high = population[(population["debt_to_income"] > 0.8)]
    assert high.loc[high["income_proof"] == 0, "bad"].mean() > high.loc[high["income_proof"] == 1, "bad"].mean()


def test_outcome_follows_the_documented_model(population):
    p = 1 / (1 + np.exp(-bad_log_odds(population)))
    assert abs(p.mean() - population["bad"].mean()) < 0.01


def test_correlated_factors(population):
    assert np.corrcoef(population["applications_3m"], population["other_platform_loans"])[0, 1] > 0.3
    assert (population["account_age_months"] <= (population["age"] - 17) * 12).all()


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_same_seed_same_bytes(tmp_path, suffix):
    a = workflows.make_demo_data(tmp_path / f"a{suffix}", rows=3000, seed=5)
    b = workflows.make_demo_data(tmp_path / f"b{suffix}", rows=3000, seed=5)
    c = workflows.make_demo_data(tmp_path / f"c{suffix}", rows=3000, seed=6)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()
