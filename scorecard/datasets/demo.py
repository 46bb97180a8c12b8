"""The synthetic consumer-credit-line population behind the demo (see docs/data/demo-population.md).

Nothing here is real data. Each applicant is drawn from documented distributions, and the bad
outcome (serious repayment trouble in the next 12 months) from a documented logistic model with
interactions and non-linear effects, so that binning matters:

    log-odds(bad) = -2.55
        + 0.55 * overdue_count_12m (capped at 4)
        + 0.9  * [max_overdue_days_12m >= 30] + 0.6 * [max_overdue_days_12m >= 90]
        + 0.12 * applications_3m (capped at 10)
        + 0.22 * other_platform_loans (capped at 8)
        + 0.35 * [young] * [other_platform_loans >= 3]           (interaction)
        + 1.4  * min(debt_to_income, 1.5) * (1.25 - 0.5 * income_proof)   (interaction)
        + 0.45 * [debt_to_income is -1: no income record]
        - 0.35 * ln(1 + monthly_payment_activity / 10)
        - 0.25 * ln(1 + account_age_months / 12)
        + 0.5  * [borrow_repay_cycles_30d >= 4]  + 0.15 * max(borrow_repay_cycles_30d - 4, 0)
        + 0.15 * recent_full_repayment
        + 0.6  * ((age - 40) / 15) ** 2 - 0.2                     (U-shape: a valley in age)
        - 0.012 * (profile_completeness - 80)
        - 0.3 * bank_card_bound - 0.5 * identity_verified

Correlations: applications_3m grows with other_platform_loans; the longest overdue grows with the
overdue count; account age is bounded by age. Missing values: debt_to_income (about 3%) and
monthly_payment_activity (about 1%). Same seed -> the same rows, byte for byte, once written.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

COLUMNS = (
    "applicant_id", "identity_verified", "profile_completeness", "bank_card_bound", "income_proof",
    "overdue_count_12m", "max_overdue_days_12m", "applications_3m", "other_platform_loans", "debt_to_income",
    "monthly_payment_activity", "account_age_months", "borrow_repay_cycles_30d", "recent_full_repayment", "age",
    "bad", "snapshot_date", "segment", "system_status",
)
SEGMENTS = np.array(["young", "standard", "small_business"])
FIRST_DAY = np.datetime64("2025-01-01")
DAYS = int((np.datetime64("2026-10-31") - FIRST_DAY).astype(int)) + 1


def bad_log_odds(t: pd.DataFrame) -> np.ndarray:
    """The documented outcome model (module docstring), on a table of demo columns."""
    dti = t["debt_to_income"].to_numpy(dtype=float)
    no_income = dti == -1
    dti_eff = np.where(np.isnan(dti) | no_income, 0.6, np.clip(dti, 0, 1.5))
    activity = np.nan_to_num(t["monthly_payment_activity"].to_numpy(dtype=float), nan=10.0)
    cycles = t["borrow_repay_cycles_30d"].to_numpy(dtype=float)
    loans = t["other_platform_loans"].to_numpy(dtype=float)
    young = (t["segment"] == "young").to_numpy()
    worst = t["max_overdue_days_12m"].to_numpy(dtype=float)
    age = t["age"].to_numpy(dtype=float)
    return (
        -2.55
        + 0.55 * np.minimum(t["overdue_count_12m"].to_numpy(dtype=float), 4)
        + 0.9 * (worst >= 30) + 0.6 * (worst >= 90)
        + 0.12 * np.minimum(t["applications_3m"].to_numpy(dtype=float), 10)
        + 0.22 * np.minimum(loans, 8)
        + 0.35 * (young & (loans >= 3))
        + 1.4 * dti_eff * (1.25 - 0.5 * t["income_proof"].to_numpy(dtype=float))
        + 0.45 * no_income
        - 0.35 * np.log1p(activity / 10)
        - 0.25 * np.log1p(t["account_age_months"].to_numpy(dtype=float) / 12)
        + 0.5 * (cycles >= 4) + 0.15 * np.maximum(cycles - 4, 0)
        + 0.15 * t["recent_full_repayment"].to_numpy(dtype=float)
        + 0.6 * ((age - 40) / 15) ** 2 - 0.2
        - 0.012 * (t["profile_completeness"].to_numpy(dtype=float) - 80)
        - 0.3 * t["bank_card_bound"].to_numpy(dtype=float)
        - 0.5 * t["identity_verified"].to_numpy(dtype=float)
    )


def generate(rows: int, seed: int) -> pd.DataFrame:
    """``rows`` synthetic applicants with the demo profile's columns, reproducible from ``seed``."""
    if rows < 1:
        raise ValueError("rows must be at least 1")
    rng = np.random.default_rng(seed)
    n = rows
    age = np.clip(np.round(rng.gamma(4.0, 4.5, n) + 18), 18, 75).astype(int)
    segment = np.where(age < 25, 0, np.where(rng.random(n) < 0.12, 2, 1))
    account_age = np.minimum(np.round(rng.gamma(2.0, 18.0, n)), (age - 17) * 12).astype(int)
    completeness = np.clip(np.round(100 - rng.gamma(1.2, 10.0, n)), 0, 100).astype(int)
    identity = (rng.random(n) < 0.97).astype(int)
    card = (rng.random(n) < 0.85 + 0.001 * completeness / 10).astype(int)
    income_proof = (rng.random(n) < np.where(segment == 2, 0.55, 0.4)).astype(int)
    loans = rng.poisson(np.where(segment == 0, 1.4, 1.0) + 0.6 * (segment == 2), n).clip(0, 50)
    applications = (rng.poisson(0.6 + 0.7 * loans, n)).clip(0, 100)
    overdue = rng.poisson(rng.gamma(0.3, 0.8, n)).clip(0, 60)
    worst = np.where(overdue > 0, np.minimum(np.round(rng.gamma(1.3, 12.0, n) * (1 + 0.4 * overdue)), 365), 0).astype(int)
    dti = np.round(np.clip(rng.gamma(2.0, 0.16, n) + 0.05 * loans, 0, 20), 2)
    dti = np.where(rng.random(n) < 0.04, -1.0, dti)
    dti = np.where(rng.random(n) < 0.03, np.nan, dti)
    activity = np.clip(np.round(rng.gamma(1.6, 22.0, n) * np.where(segment == 2, 2.5, 1.0)), 0, 1000)
    activity = np.where(rng.random(n) < 0.01, np.nan, activity)
    cycles = rng.poisson(np.where(rng.random(n) < 0.1, 4.0, 0.4), n).clip(0, 60)
    full_repay = (rng.random(n) < 0.08 + 0.04 * (cycles > 2)).astype(int)
    dates = (FIRST_DAY + rng.integers(0, DAYS, n).astype("timedelta64[D]")).astype(str)
    status = np.where(rng.random(n) < 0.002, "maintenance", "ok")
    table = pd.DataFrame(
        {
            "applicant_id": [f"A{i:07d}" for i in range(1, n + 1)],
            "identity_verified": identity,
            "profile_completeness": completeness,
            "bank_card_bound": card,
            "income_proof": income_proof,
            "overdue_count_12m": overdue,
            "max_overdue_days_12m": worst,
            "applications_3m": applications,
            "other_platform_loans": loans,
            "debt_to_income": dti,
            "monthly_payment_activity": activity,
            "account_age_months": account_age,
            "borrow_repay_cycles_30d": cycles,
            "recent_full_repayment": full_repay,
            "age": age,
            "bad": 0,
            "snapshot_date": dates,
            "segment": SEGMENTS[segment],
            "system_status": status,
        }
    )
    p_bad = 1.0 / (1.0 + np.exp(-bad_log_odds(table)))
    table["bad"] = (rng.random(n) < p_bad).astype(int)
    return table[list(COLUMNS)]
