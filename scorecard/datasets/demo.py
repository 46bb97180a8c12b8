"""The synthetic consumer-credit-line population behind the demo (docs/data/demo-population.md).

Nothing here is real data, and none of it comes from any lending platform. Every applicant is
drawn from the distributions below with ``numpy.random.default_rng(seed)``, and the outcome
``bad`` (serious repayment trouble in the following 12 months) is drawn from the documented
logistic model ``bad_log_odds``. The model has interactions and non-linear effects on purpose,
so that a straight line per factor is not enough and binning matters.

Applicants (``n`` rows, all draws vectorised, in this order so the seed fixes everything):

* ``age``: 18 + Gamma(4, 4.5) years, rounded, at most 75 (mean about 36).
* ``segment``: ``young`` below 25; of the others 12 % ``small_business``, the rest ``standard``.
* ``account_age_months``: Gamma(2, 8 + 0.5 x (age - 18)) months (older people have older
  accounts), at most 360 and never before the 17th birthday.
* ``profile_completeness``: 100 - Gamma(1.2, 10) %, whole, in 0..100 (most above 80).
* ``identity_verified``: 1 for 97 %; ``bank_card_bound``: 1 for about 87 %, a little more with a
  complete profile; ``income_proof``: 1 for 40 % (55 % of small businesses).
* ``other_platform_loans``: Poisson(1.0), 1.4 for the young, 1.6 for small businesses.
* ``applications_3m``: Poisson(0.6 + 0.7 x other_platform_loans): correlated with the loans.
* ``overdue_count_12m``: Poisson of a Gamma(0.3, 0.8) rate (most people never late, a few often).
* ``max_overdue_days_12m``: 0 without a late payment, else 1 + Gamma(1.3, 12) x (1 + 0.4 x
  count) days, at most 365: the longest delay grows with the number of late payments.
* ``debt_to_income``: Gamma(2, 0.16) + 0.05 x other_platform_loans, two decimals, at most 20.
  Special value -1 ("no usable income record") for 7 % of those without proof of income;
  missing (empty) for 3 % of everyone.
* ``monthly_payment_activity``: Gamma(1.6, 22) payments, x 2.5 for small businesses, at most
  1000; missing for 1 %.
* ``borrow_repay_cycles_30d``: Poisson(4) for the 10 % who cycle, Poisson(0.4) for the rest.
* ``recent_full_repayment``: 1 for 8 %, 12 % of those with more than two cycles.
* ``snapshot_date``: a day from 2025-01-01 to 2026-10-31 (ISO text); ``system_status``:
  ``maintenance`` for 0.2 %, otherwise ``ok``. Ids are ``A0000001``, ``A0000002``, ...

The outcome model (``d`` is ``debt_to_income`` capped at 1.5; a missing ratio or the -1 code
counts as 0.6, the population's typical value, and carries its own extra risk)::

    log-odds(bad) = -2.20
        + 0.55 * min(overdue_count_12m, 4)
        + 0.8  * [max_overdue_days_12m >= 30] + 0.7 * [max_overdue_days_12m >= 90]  (thresholds)
        + 0.10 * min(applications_3m, 12)
        + 0.20 * min(other_platform_loans, 8)
        + 0.60 * [segment is young] * [other_platform_loans >= 3]                  (interaction)
        + 1.4  * d * (1.25 - 0.5 * income_proof)                                   (interaction)
        + 0.45 * [debt_to_income is -1] + 0.25 * [debt_to_income is missing]
        - 0.35 * ln(1 + monthly_payment_activity / 10)    (missing counts as 10)
        - 0.25 * ln(1 + account_age_months / 12)
        + 0.5  * [borrow_repay_cycles_30d >= 4] + 0.15 * max(borrow_repay_cycles_30d - 4, 0)
        + 0.15 * recent_full_repayment
        + 0.6  * ((age - 40) / 15) ** 2                     (a valley: lowest risk around 40)
        - 0.012 * (profile_completeness - 80)
        - 0.6  * bank_card_bound - 0.8 * identity_verified

    bad = 1 with probability 1 / (1 + exp(-log-odds)): about 7 % of applicants.

A later stretch of the population can be generated with a shift (``Shift``), for monitoring: from
``start`` on, each applicant has Poisson(``applications``) more credit applications in the last
three months and a debt-to-income ratio ``debt`` times as high (recorded ratios only: the -1 code
and missing stay). The extra draws come from their own generator, seeded from ``seed``, so rows
before ``start`` are exactly those of the unshifted population; the outcome is drawn from the
same model, so shifted applicants are riskier, as such applicants would be.

The same ``rows`` and ``seed`` give the same table (and, written by ``jobs.data.make_demo_data``,
the same bytes) with the same NumPy version: NumPy keeps ``default_rng`` streams stable within
a version but may change a distribution's algorithm between versions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scorecard.errors import DataError

COLUMNS = (
    "applicant_id", "identity_verified", "profile_completeness", "bank_card_bound", "income_proof",
    "overdue_count_12m", "max_overdue_days_12m", "applications_3m", "other_platform_loans", "debt_to_income",
    "monthly_payment_activity", "account_age_months", "borrow_repay_cycles_30d", "recent_full_repayment", "age",
    "bad", "snapshot_date", "segment", "system_status",
)
# Integer factors that can be missing: kept as float64 (NaN) in memory, written as whole numbers.
NULLABLE_INTEGERS = ("monthly_payment_activity",)
SEGMENTS = np.array(["young", "standard", "small_business"])
FIRST_DAY = np.datetime64("2025-01-01")
LAST_DAY = np.datetime64("2026-10-31")
DAYS = int((LAST_DAY - FIRST_DAY).astype(int)) + 1

INTERCEPT = -2.2
NO_INCOME_RECORD = -1.0  # the special value of debt_to_income
TYPICAL_DTI = 0.6  # what a missing or uncomputable ratio counts as in the outcome model
TYPICAL_ACTIVITY = 10.0  # what missing payment activity counts as


def _column(t: pd.DataFrame, name: str) -> np.ndarray:
    return pd.to_numeric(t[name], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def bad_log_odds(t: pd.DataFrame) -> np.ndarray:
    """The documented outcome model (module docstring) on a table with the demo columns."""
    dti = _column(t, "debt_to_income")
    no_income = dti == NO_INCOME_RECORD
    dti_missing = np.isnan(dti)
    d = np.where(dti_missing | no_income, TYPICAL_DTI, np.minimum(dti, 1.5))
    activity = np.nan_to_num(_column(t, "monthly_payment_activity"), nan=TYPICAL_ACTIVITY)
    cycles = _column(t, "borrow_repay_cycles_30d")
    loans = _column(t, "other_platform_loans")
    worst = _column(t, "max_overdue_days_12m")
    age = _column(t, "age")
    young = (t["segment"].astype(str) == "young").to_numpy()
    return (
        INTERCEPT
        + 0.55 * np.minimum(_column(t, "overdue_count_12m"), 4)
        + 0.8 * (worst >= 30) + 0.7 * (worst >= 90)
        + 0.10 * np.minimum(_column(t, "applications_3m"), 12)
        + 0.20 * np.minimum(loans, 8)
        + 0.60 * (young & (loans >= 3))
        + 1.4 * d * (1.25 - 0.5 * _column(t, "income_proof"))
        + 0.45 * no_income + 0.25 * dti_missing
        - 0.35 * np.log1p(activity / 10)
        - 0.25 * np.log1p(_column(t, "account_age_months") / 12)
        + 0.5 * (cycles >= 4) + 0.15 * np.maximum(cycles - 4, 0)
        + 0.15 * _column(t, "recent_full_repayment")
        + 0.6 * ((age - 40) / 15) ** 2
        - 0.012 * (_column(t, "profile_completeness") - 80)
        - 0.6 * _column(t, "bank_card_bound")
        - 0.8 * _column(t, "identity_verified")
    )


@dataclass(frozen=True)
class Shift:
    """A change in the population from ``start`` (an ISO date) on: more applications, higher debt."""

    start: str
    applications: float = 1.0  # extra applications in 3 months: Poisson mean
    debt: float = 1.4  # debt-to-income ratio multiplied by this

    def __post_init__(self) -> None:
        try:
            np.datetime64(self.start, "D")
        except ValueError:
            raise DataError(f"shift start '{self.start}' is not a date written YYYY-MM-DD") from None
        if self.applications < 0 or self.debt <= 0:
            raise DataError("a shift needs applications >= 0 and debt > 0")


def _shifted(table: pd.DataFrame, shift: Shift, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng([seed, 1])  # its own stream: the unshifted rows stay as they are
    later = table["snapshot_date"].to_numpy(dtype=str) >= shift.start
    extra = rng.poisson(shift.applications, len(table))
    table["applications_3m"] = np.where(later, table["applications_3m"] + extra, table["applications_3m"]).clip(0, 100)
    dti = table["debt_to_income"].to_numpy(dtype=float)
    recorded = later & (dti >= 0)
    table["debt_to_income"] = np.where(recorded, np.minimum(np.round(dti * shift.debt, 2), 20.0), dti)
    return table


def bad_probability(t: pd.DataFrame) -> np.ndarray:
    """The probability of ``bad = 1`` that the outcome is drawn from."""
    return 1.0 / (1.0 + np.exp(-bad_log_odds(t)))


def generate(rows: int, seed: int, *, shift: Shift | None = None) -> pd.DataFrame:
    """``rows`` synthetic applicants with the demo profile's columns, reproducible from ``seed``;
    with ``shift``, the applicants from its start date on are shifted (see the module notes).

    Column types: ids, dates, segment and status are text; ``debt_to_income`` and
    ``monthly_payment_activity`` are float64 (NaN = missing); every other column is int64.
    """
    if isinstance(rows, bool) or not isinstance(rows, (int, np.integer)) or rows < 1:
        raise DataError(f"rows={rows!r}: give a whole number of at least 1 applicant")
    n = int(rows)
    rng = np.random.default_rng(seed)
    age = np.clip(np.round(rng.gamma(4.0, 4.5, n) + 18), 18, 75).astype(np.int64)
    segment = np.where(age < 25, 0, np.where(rng.random(n) < 0.12, 2, 1))
    # Older people have older accounts; none opened before the 17th birthday or over 30 years ago.
    account_age = np.round(rng.gamma(2.0, 8.0 + 0.5 * (age - 18)))
    account_age = np.minimum(account_age, np.minimum((age - 17) * 12, 360)).astype(np.int64)
    completeness = np.clip(np.round(100 - rng.gamma(1.2, 10.0, n)), 0, 100).astype(np.int64)
    identity = (rng.random(n) < 0.97).astype(np.int64)
    card = (rng.random(n) < 0.78 + 0.001 * completeness).astype(np.int64)
    income_proof = (rng.random(n) < np.where(segment == 2, 0.55, 0.40)).astype(np.int64)
    loans = rng.poisson(np.select([segment == 0, segment == 2], [1.4, 1.6], 1.0)).clip(0, 50).astype(np.int64)
    applications = rng.poisson(0.6 + 0.7 * loans).clip(0, 100).astype(np.int64)
    overdue = rng.poisson(rng.gamma(0.3, 0.8, n)).clip(0, 60).astype(np.int64)
    delay = 1 + np.round(rng.gamma(1.3, 12.0, n) * (1 + 0.4 * overdue))
    worst = np.where(overdue > 0, np.minimum(delay, 365), 0).astype(np.int64)
    dti = np.minimum(np.round(rng.gamma(2.0, 0.16, n) + 0.05 * loans, 2), 20.0)
    dti = np.where((income_proof == 0) & (rng.random(n) < 0.07), NO_INCOME_RECORD, dti)
    dti = np.where(rng.random(n) < 0.03, np.nan, dti)
    activity = np.minimum(np.round(rng.gamma(1.6, 22.0, n) * np.where(segment == 2, 2.5, 1.0)), 1000.0)
    activity = np.where(rng.random(n) < 0.01, np.nan, activity)
    cycles = rng.poisson(np.where(rng.random(n) < 0.10, 4.0, 0.4)).clip(0, 60).astype(np.int64)
    full_repay = (rng.random(n) < np.where(cycles > 2, 0.12, 0.08)).astype(np.int64)
    dates = (FIRST_DAY + rng.integers(0, DAYS, n).astype("timedelta64[D]")).astype(str)
    status = np.where(rng.random(n) < 0.002, "maintenance", "ok")
    width = max(7, len(str(n)))
    ids = np.char.add("A", np.char.zfill(np.arange(1, n + 1).astype(str), width))
    table = pd.DataFrame(
        {
            "applicant_id": ids.astype(object),
            "identity_verified": identity,
            "profile_completeness": completeness,
            "bank_card_bound": card,
            "income_proof": income_proof,
            "overdue_count_12m": overdue,
            "max_overdue_days_12m": worst,
            "applications_3m": applications,
            "other_platform_loans": loans,
            "debt_to_income": dti.astype(np.float64),
            "monthly_payment_activity": activity.astype(np.float64),
            "account_age_months": account_age,
            "borrow_repay_cycles_30d": cycles,
            "recent_full_repayment": full_repay,
            "age": age,
            "bad": np.zeros(n, dtype=np.int64),
            "snapshot_date": dates.astype(object),
            "segment": SEGMENTS[segment].astype(object),
            "system_status": status.astype(object),
        }
    )
    if shift is not None:
        table = _shifted(table, shift, seed)
    # The outcome is drawn last, so the applicants do not depend on the outcome model.
    table["bad"] = (rng.random(n) < bad_probability(table)).astype(np.int64)
    return table[list(COLUMNS)]


def for_writing(table: pd.DataFrame) -> pd.DataFrame:
    """The table as files hold it: integer factors that may be missing as nullable integers, so
    a CSV says ``23`` (not ``23.0``) and an empty field for missing, and Parquet stores int64."""
    out = table.copy()
    for column in NULLABLE_INTEGERS:
        if column in out.columns:
            out[column] = pd.array(np.round(out[column].to_numpy(dtype=float)), dtype="Float64").astype("Int64")
    return out
