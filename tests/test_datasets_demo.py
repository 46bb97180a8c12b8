"""The synthetic demo population: columns and types, the documented distributions and outcome
model (monotone effects, thresholds, the age valley, both interactions), and determinism."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scorecard.jobs.data import make_demo_data
from scorecard.data import read_table, validate_training
from scorecard.datasets.demo import COLUMNS, bad_log_odds, bad_probability, generate
from scorecard.errors import DataError
from scorecard.profile import load_profile

PROFILE = load_profile("demo")


@pytest.fixture(scope="module")
def population() -> pd.DataFrame:
    return generate(80_000, 7)


def logit(rate: float) -> float:
    return float(np.log(rate / (1 - rate)))


def bad_rates(table: pd.DataFrame, column: str, edges: list[float]) -> np.ndarray:
    """Bad rate per bucket [edges[i], edges[i+1]) of ``column``; values outside the edges
    (missing values, special codes such as -1) are left out."""
    values = table[column]
    keep = (values >= edges[0]) & (values < edges[-1])
    bucket = np.digitize(values[keep], edges[1:-1], right=False)
    return table.loc[keep, "bad"].groupby(bucket).mean().to_numpy()


# --- shape --------------------------------------------------------------------------------------


def test_columns_and_types_match_the_demo_profile(population):
    assert tuple(population.columns) == COLUMNS
    needed = {PROFILE.id_column, PROFILE.target.column, PROFILE.date_column, PROFILE.segment_column,
              *PROFILE.policy_columns, *(f.source_column for f in PROFILE.factors)}
    assert needed == set(COLUMNS)
    for column in COLUMNS:
        kind = population[column].dtype.kind
        if column in ("applicant_id", "snapshot_date", "segment", "system_status"):
            assert pd.api.types.is_string_dtype(population[column]), column
        elif column in ("debt_to_income", "monthly_payment_activity"):
            assert kind == "f", column
        else:
            assert population[column].dtype == np.int64, column


def test_every_value_respects_the_profile(population):
    validated = validate_training(population, PROFILE, "demo")  # ranges, whole numbers, ids, binary target
    assert len(validated) == len(population)
    for factor in PROFILE.factors:
        values = population[factor.source_column].to_numpy(dtype=float)
        values = values[~np.isnan(values) & ~np.isin(values, [float(c) for c in factor.special_codes])]
        assert values.min() >= factor.min_value and values.max() <= factor.max_value, factor.name


def test_ids_dates_segments_and_status(population):
    ids = population["applicant_id"]
    assert ids.iloc[0] == "A0000001" and ids.iloc[-1] == "A0080000" and ids.is_unique
    dates = pd.to_datetime(population["snapshot_date"], format="%Y-%m-%d")
    assert dates.min() >= pd.Timestamp("2025-01-01") and dates.max() <= pd.Timestamp("2026-10-31")
    assert dates.dt.to_period("M").nunique() == 22  # every month from 2025-01 to 2026-10
    assert set(population["segment"]) == {"young", "standard", "small_business"}
    assert ((population["segment"] == "young") == (population["age"] < 25)).all()
    assert set(population["system_status"]) == {"ok", "maintenance"}
    assert 0.0005 < (population["system_status"] == "maintenance").mean() < 0.005


def test_documented_shares(population):
    assert 0.96 < population["identity_verified"].mean() < 0.98
    assert population["profile_completeness"].median() >= 85
    dti = population["debt_to_income"]
    assert 0.02 < dti.isna().mean() < 0.04
    assert 0.03 < (dti == -1).mean() < 0.05
    assert (population.loc[dti == -1, "income_proof"] == 0).all()  # -1: no income record, so no proof
    assert 0.005 < population["monthly_payment_activity"].isna().mean() < 0.015
    # A late payment lasts at least a day; no late payment means no delay.
    late = population["overdue_count_12m"] > 0
    assert (population.loc[late, "max_overdue_days_12m"] >= 1).all()
    assert (population.loc[~late, "max_overdue_days_12m"] == 0).all()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_bad_rate_is_realistic(seed):
    assert 0.05 <= generate(30_000, seed)["bad"].mean() <= 0.15


def test_correlated_factors(population):
    assert np.corrcoef(population["applications_3m"], population["other_platform_loans"])[0, 1] > 0.3
    late = population[population["overdue_count_12m"] > 0]
    assert np.corrcoef(late["overdue_count_12m"], late["max_overdue_days_12m"])[0, 1] > 0.2
    assert (population["account_age_months"] <= (population["age"] - 17) * 12).all()
    assert np.corrcoef(population["age"], population["account_age_months"])[0, 1] > 0.2


# --- the outcome model ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("factor", "edges", "direction"),
    [
        ("overdue_count_12m", [0, 1, 2, 3, 99], 1),
        ("other_platform_loans", [0, 1, 2, 3, 4, 99], 1),
        ("applications_3m", [0, 1, 2, 4, 99], 1),
        ("debt_to_income", [0, 0.2, 0.4, 0.6, 0.9, 99], 1),
        ("monthly_payment_activity", [0, 10, 25, 60, 9999], -1),
        ("account_age_months", [0, 12, 36, 72, 999], -1),
        ("profile_completeness", [0, 70, 85, 95, 101], -1),
    ],
)
def test_documented_monotone_relationships(population, factor, edges, direction):
    # Ages 28-52 only: there the age valley is nearly flat, so the older accounts of older
    # people (a documented correlation) do not mix the age effect into the comparison.
    middle = population[population["age"].between(28, 52)]
    rates = bad_rates(middle, factor, edges)
    assert len(rates) == len(edges) - 1
    assert np.all(np.diff(rates) * direction > 0), rates


def test_overdue_days_thresholds_at_30_and_90(population):
    below_30, from_30, from_90 = bad_rates(population[population["max_overdue_days_12m"] > 0],
                                           "max_overdue_days_12m", [1, 30, 90, 999])
    assert logit(from_30) - logit(below_30) > 0.4
    assert logit(from_90) - logit(from_30) > 0.3


def test_borrow_repay_cycles_threshold_at_four(population):
    zero_to_three, four_plus = bad_rates(population, "borrow_repay_cycles_30d", [0, 4, 99])
    low = bad_rates(population, "borrow_repay_cycles_30d", [0, 2, 4])
    assert logit(four_plus) - logit(zero_to_three) > 0.4
    assert abs(logit(low[1]) - logit(low[0])) < 0.25  # below the threshold the rate barely moves


def test_age_is_a_valley(population):
    rates = bad_rates(population, "age", [18, 25, 32, 40, 48, 56, 99])
    lowest = int(np.argmin(rates))
    assert 1 <= lowest <= 4
    assert np.all(np.diff(rates[: lowest + 1]) < 0) and np.all(np.diff(rates[lowest:]) > 0), rates


def test_young_with_many_loans_interaction(population):
    young = population["segment"] == "young"
    many = population["other_platform_loans"] >= 3
    rate = {(y, m): population.loc[(young == y) & (many == m), "bad"].mean() for y in (True, False) for m in (True, False)}
    gap_many = logit(rate[True, True]) - logit(rate[False, True])
    gap_few = logit(rate[True, False]) - logit(rate[False, False])
    assert gap_many - gap_few > 0.25  # being young costs more when one also borrows on many platforms


@pytest.fixture(scope="module")
def large_population() -> pd.DataFrame:
    return generate(250_000, 7)


def test_income_proof_softens_debt(large_population):
    dti = large_population["debt_to_income"]
    measured = large_population[dti.notna() & (dti >= 0)]
    high = measured["debt_to_income"] >= 0.6
    low = measured["debt_to_income"] < 0.2
    rise = {}
    for proof in (0, 1):
        group = measured["income_proof"] == proof
        rise[proof] = logit(measured.loc[group & high, "bad"].mean()) - logit(measured.loc[group & low, "bad"].mean())
    assert rise[0] > rise[1] + 0.15  # the same debt worries less with proof of income


def test_special_and_missing_debt_ratio_carry_their_own_risk(population):
    dti = population["debt_to_income"]
    typical = population.loc[(dti >= 0.5) & (dti <= 0.7), "bad"].mean()
    assert population.loc[dti == -1, "bad"].mean() > typical
    assert population.loc[dti.isna(), "bad"].mean() > population.loc[dti.notna() & (dti >= 0), "bad"].mean()


def test_outcome_follows_the_documented_model(population):
    p = bad_probability(population)
    assert abs(p.mean() - population["bad"].mean()) < 0.005
    deciles = pd.qcut(p, 10, labels=False)
    observed = population["bad"].groupby(deciles).mean().to_numpy()
    expected = pd.Series(p).groupby(deciles).mean().to_numpy()
    assert np.all(np.abs(observed - expected) < 0.02 + 0.15 * expected), (observed, expected)
    assert np.array_equal(bad_log_odds(population.astype(str).replace("nan", None)), bad_log_odds(population),
                          equal_nan=True)  # the model reads text tables (as from a CSV) the same way


# --- determinism and files ----------------------------------------------------------------------


def test_same_seed_same_table_different_seed_different_table():
    pd.testing.assert_frame_equal(generate(2_000, 11), generate(2_000, 11))
    assert not generate(2_000, 11).equals(generate(2_000, 12))


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_same_seed_same_bytes(tmp_path, suffix):
    a = make_demo_data(tmp_path / f"a{suffix}", rows=3_000, seed=5)
    b = make_demo_data(tmp_path / f"b{suffix}", rows=3_000, seed=5)
    c = make_demo_data(tmp_path / f"c{suffix}", rows=3_000, seed=6)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()
    back = read_table(a)
    assert len(validate_training(back, PROFILE, str(a))) == 3_000


def test_csv_writes_whole_numbers_and_empty_missing_values(tmp_path):
    path = make_demo_data(tmp_path / "demo.csv", rows=2_000, seed=5)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == ",".join(COLUMNS)
    position = COLUMNS.index("monthly_payment_activity")
    activity = [line.split(",")[position] for line in lines[1:]]
    assert all(v == "" or v.isdigit() for v in activity)  # 23, not 23.0
    assert "" in activity
    assert path.read_bytes().count(b"\r") == 0
    csv_table = validate_training(read_table(path), PROFILE, "csv")
    parquet = make_demo_data(tmp_path / "demo.parquet", rows=2_000, seed=5)
    parquet_table = validate_training(read_table(parquet), PROFILE, "parquet")
    pd.testing.assert_frame_equal(csv_table[list(PROFILE.factor_names)], parquet_table[list(PROFILE.factor_names)])


def test_bad_arguments():
    with pytest.raises(DataError, match="rows=0"):
        generate(0, 1)
    with pytest.raises(DataError, match="--rows 0: give at least 1 row"):
        make_demo_data("x.csv", rows=0, seed=1)
    with pytest.raises(DataError, match="unknown output type '.xlsx'"):
        make_demo_data("x.xlsx", rows=10, seed=1)
