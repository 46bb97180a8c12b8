"""Training end to end, pure (no file I/O): split, bin, logit, points, metrics, checksummed spec."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import Any, Callable

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from scorecard import metrics, reasons, scoring
from scorecard.binning import fit_bins, woe_matrix
from scorecard.errors import DataError, FitError
from scorecard.model import fit_logit
from scorecard.profile import Profile
from scorecard.scaling import rounding_error, scale_points
from scorecard.spec import ScorecardSpec, with_checksum


def target(table: pd.DataFrame, profile: Profile) -> np.ndarray:
    """0/1 bad indicator. A column already coded 0/1 (by ``data.validate_training``) is used as is."""
    column = profile.target.column
    if column not in table.columns:
        raise DataError(f"the table has no target column '{column}'; add it or fix the profile's target")
    values = table[column]
    bad_value = profile.target.bad_value
    as_is = bad_value not in (0, 1) and set(pd.unique(values.dropna())) <= {0, 1}
    if as_is:
        return values.to_numpy(dtype=int)
    # Compare as text: a CSV read by data.read_table holds '1', a profile says 1.
    return (values.astype("string").str.strip() == str(bad_value)).to_numpy(dtype=int)


def fingerprint(table: pd.DataFrame) -> str:
    hashes = pd.util.hash_pandas_object(table, index=False).to_numpy()
    columns = "\x1f".join(map(str, table.columns)).encode("utf-8")
    return hashlib.sha256(columns + hashes.tobytes()).hexdigest()


def _split(table: pd.DataFrame, y: np.ndarray, test_size: float, seed: int):
    if not 0 <= test_size < 1:
        raise FitError(f"test size {test_size} must be at least 0 and below 1; fix --test-size")
    if test_size == 0:
        return table, y, table.iloc[0:0], y[:0]
    try:
        train_idx, test_idx = train_test_split(np.arange(len(table)), test_size=test_size, random_state=seed, stratify=y)
    except ValueError as exc:
        raise FitError(f"cannot split {len(table)} rows with test size {test_size} ({exc}); use more rows or --test-size 0") from exc
    train_idx, test_idx = np.sort(train_idx), np.sort(test_idx)
    return table.iloc[train_idx], y[train_idx], table.iloc[test_idx], y[test_idx]


def fit_scorecard(
    table: pd.DataFrame,
    profile: Profile,
    *,
    test_size: float = 0.3,
    seed: int = 7,
    base_score: float = 600,
    base_odds: float = 50,
    pdo: float = 20,
    scaling: str = "pdo",
    min_score: int = 350,
    max_score: int = 950,
    progress: Callable[[str], Any] | None = None,
) -> ScorecardSpec:
    """Train a scorecard on ``table``; same table, profile and arguments -> the same spec."""
    say = progress or (lambda message: None)
    if len(table) == 0:
        raise DataError("the training table has no rows")
    y = target(table, profile)
    if y.sum() == 0 or y.sum() == len(y):
        raise FitError("the training table has only one outcome (all good or all bad); a scorecard needs both")
    train, y_train, test, y_test = _split(table, y, test_size, seed)

    say("binning")
    binning = fit_bins(train, y_train, profile)
    say("fitting the logit")
    logit = fit_logit(woe_matrix(binning.factors, train), y_train)
    kept = tuple(f for f in binning.factors if f.name in logit.factors)
    coefficients = {c.name: c.estimate for c in logit.coefficients if c.name != "intercept"}

    say("scaling points")
    factors, scale = scale_points(kept, coefficients, logit.intercept, method=scaling, base_score=base_score,
                                  base_odds=base_odds, pdo=pdo, min_score=min_score, max_score=max_score)
    spec = ScorecardSpec(
        profile=profile,
        factors=factors,
        intercept=logit.intercept,
        coefficients=logit.coefficients,
        scaling=scale,
        selection_log=binning.steps + logit.steps,
        metrics={},
        training={},
        rounding={},
    )

    say("measuring")
    train_result = scoring.score(spec, train)
    woe = woe_matrix(factors, train).to_numpy()
    log_odds_good = -(logit.intercept + woe @ np.array([coefficients[f.name] for f in factors]))
    exact = scale.offset + scale.factor * log_odds_good
    train_metrics = metrics.summary(y_train, train_result.pd, train_result.total)
    result: dict[str, Any] = {"train": train_metrics}
    if len(test):
        test_result = scoring.score(spec, test)
        result["test"] = metrics.summary(y_test, test_result.pd, test_result.total)
        result["psi_train_test"] = metrics.psi(train_result.total, test_result.total)
    else:
        result["test"] = train_metrics
        result["psi_train_test"] = 0.0
        result["note"] = "test size 0: trained on every row; the test metrics are the training metrics"
    bad = int(y.sum())
    spec = replace(
        spec,
        metrics=result,
        training={
            "rows": int(len(table)),
            "bad_rows": bad,
            "bad_rate": round(bad / len(table), 6),
            "sha256": fingerprint(table),
            "seed": int(seed),
            "test_size": float(test_size),
            "train_rows": int(len(train)),
            "test_rows": int(len(test)),
        },
        rounding=rounding_error(train_result.total, exact),
    )
    spec = replace(spec, reference=reasons.reference_points(spec, train_result))
    return with_checksum(spec)
