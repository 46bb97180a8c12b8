"""Training end to end, pure (no file I/O): split, bin, logit, points, metrics, checksummed spec.

Same table, profile and arguments -> the same spec, byte for byte: the split is seeded,
optbinning's solver runs single-threaded with a fixed seed, statsmodels' Newton steps are
deterministic, and nothing depends on the clock.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from scorecard import metrics, protected, reasons, scoring
from scorecard.binning import MAX_BINS, MIN_BIN_SHARE, MIN_IV, fit_bins, woe_matrix
from scorecard.data import target_vector
from scorecard.errors import DataError, FitError
from scorecard.model import fit_logit
from scorecard.profile import Profile, Selection
from scorecard.scaling import rounding_error, scale_points, unrounded_scores
from scorecard.spec import ScorecardSpec, sealed

Progress = Callable[[str, int, int], Any]  # (stage, done, total)


def canonical_columns(table: pd.DataFrame, profile: Profile) -> list[str]:
    """The columns a scorecard learns from, in profile order: id, factors, target, date."""
    columns = [profile.id_column, *(f.source_column for f in profile.factors), profile.target.column,
               profile.date_column]
    return [c for c in columns if c is not None and c in table.columns]


def table_fingerprint(table: pd.DataFrame, profile: Profile, y: np.ndarray) -> str:
    """SHA-256 of the canonical training table: the profile's columns in profile order, numbers as
    float64, categories and ids and dates as text, the target as 0/1, hashed row by row with
    ``pandas.util.hash_pandas_object`` (index left out). Column order, extra columns and the
    file format do not change it; any changed value does."""
    canon: dict[str, Any] = {}
    factors = {f.source_column: f for f in profile.factors}
    for column in canonical_columns(table, profile):
        factor = factors.get(column)
        if column == profile.target.column:
            canon[column] = np.asarray(y, dtype=np.int8)
        elif factor is not None and factor.kind != "categorical":
            canon[column] = scoring.numeric_values(table[column])
        else:
            canon[column] = table[column].astype("string").to_numpy(dtype=object, na_value=None)
    frame = pd.DataFrame(canon)
    digest = hashlib.sha256("\x1f".join(frame.columns).encode("utf-8"))
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def _date_range(table: pd.DataFrame, profile: Profile) -> list[str] | None:
    column = profile.date_column
    if column is None or column not in table.columns:
        return None
    dates = pd.to_datetime(table[column].astype("string"), errors="coerce").dropna()
    if dates.empty:
        return None
    return [dates.min().date().isoformat(), dates.max().date().isoformat()]


def split_rows(y: np.ndarray, test_size: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Row positions of the training and test rows (stratified by outcome, seeded, each in input order)."""
    if not 0 <= test_size < 1:
        raise FitError(f"test size {test_size} must be at least 0 and below 1; fix --test-size")
    positions = np.arange(len(y))
    if test_size == 0:
        return positions, positions[:0]
    try:
        train, test = train_test_split(positions, test_size=test_size, random_state=seed, stratify=y)
    except ValueError as exc:
        raise FitError(f"cannot split {len(y)} rows with test size {test_size} ({exc}); "
                       "use more rows or --test-size 0") from exc
    return np.sort(train), np.sort(test)


def fit_scorecard(
    table: pd.DataFrame,
    profile: Profile,
    *,
    test_size: float = 0.3,
    seed: int = 7,
    scaling: str = "pdo",
    base_score: float = 600,
    base_odds: float = 50,
    pdo: float = 20,
    min_score: int = 350,
    max_score: int = 950,
    min_iv: float = MIN_IV,
    selection: Selection | None = None,
    max_bins: int = MAX_BINS,
    min_bin_share: float = MIN_BIN_SHARE,
    progress: Progress | None = None,
) -> ScorecardSpec:
    """Train a scorecard on ``table`` (ideally as ``data.validate_training`` returns it).

    Stratified split with ``seed``; ``test_size`` 0 trains on every row and reports the metrics
    on the training rows, saying so in ``metrics["note"]``. ``selection`` replaces the profile's
    selection rule (``profile.selection``). Same inputs -> the same spec.
    """
    if len(table) == 0:
        raise DataError("the training table has no rows; give a file with applicants in it")
    missing = [f.source_column for f in profile.factors if f.source_column not in table.columns]
    if missing:
        raise DataError(f"the training table has no column {', '.join(repr(c) for c in missing)} "
                        f"that profile '{profile.name}' needs")
    y = target_vector(table, profile)
    if y.sum() == 0 or y.sum() == len(y):
        raise FitError("the training table has only one outcome (all good or all bad); a scorecard needs both")
    total_steps = len(profile.factors) + 3

    def say(stage: str, done: int) -> None:
        if progress is not None:
            progress(stage, done, total_steps)

    train_at, test_at = split_rows(y, test_size, seed)
    train, y_train = table.iloc[train_at], y[train_at]
    test, y_test = table.iloc[test_at], y[test_at]

    binning = fit_bins(train, y_train, profile, min_iv=min_iv, max_bins=max_bins, min_bin_share=min_bin_share,
                       progress=(lambda stage, done, _: say(stage, done)) if progress is not None else None)
    n = len(profile.factors)
    say("fitting the logit", n)
    candidates, protected_steps = protected.screen(binning.factors, profile)
    if not candidates:
        raise FitError("every factor that reaches the IV threshold is a protected characteristic the profile does not "
                       "allow (protected_use); a scorecard needs other factors")
    woe = woe_matrix(candidates, train)
    rule = profile.selection if selection is None else selection
    logit = fit_logit(woe, y_train, selection=rule, iv={f.name: f.iv for f in candidates})
    kept = tuple(f for f in candidates if f.name in logit.factors)
    coefficients = {c.name: c.estimate for c in logit.coefficients if c.name != "intercept"}

    say("scaling points", n + 1)
    factors, scale = scale_points(kept, coefficients, logit.intercept, method=scaling, base_score=base_score,
                                  base_odds=base_odds, pdo=pdo, min_score=min_score, max_score=max_score)
    # Sealed now (rounded floats, the PD table) so that the metrics below score as the final spec does.
    spec = sealed(ScorecardSpec(
        profile=profile,
        factors=factors,
        intercept=logit.intercept,
        coefficients=logit.coefficients,
        scaling=scale,
        selection_log=binning.steps + protected_steps + logit.steps,
        metrics={},
        training={},
        rounding={},
    ))

    say("measuring", n + 2)
    train_result = scoring.score(spec, train)
    exact = unrounded_scores(woe[[f.name for f in factors]].to_numpy(), np.array([coefficients[f.name] for f in factors]),
                             logit.intercept, scale)
    train_metrics = metrics.summary(y_train, train_result.pd, train_result.total)
    measured: dict[str, Any] = {"train": train_metrics}
    if len(test):
        test_result = scoring.score(spec, test)
        drift = metrics.psi_table(spec, train_result, test_result)
        measured.update(evaluated_on="test rows", test=metrics.summary(y_test, test_result.pd, test_result.total),
                        psi_train_test=drift["score"], psi_factors_train_test=drift["factors"])
    else:
        measured.update(evaluated_on="training rows", test=train_metrics,
                        note="test size 0: trained on every row; the test metrics are the training metrics",
                        psi_train_test=None, psi_factors_train_test={})
    measured["iv"] = metrics.iv_table(binning.all_factors, spec.factor_names)
    bad = int(y.sum())
    spec = replace(
        spec,
        metrics=measured,
        training={
            "rows": int(len(table)),
            "bad_rows": bad,
            "bad_rate": round(bad / len(table), 6),
            "sha256": table_fingerprint(table, profile, y),
            "seed": int(seed),
            "test_size": float(test_size),
            "train_rows": int(len(train)),
            "test_rows": int(len(test)),
            "date_range": _date_range(table, profile),
            "settings": {"min_iv": float(min_iv), "max_p_value": float(rule.max_p_value), "max_bins": int(max_bins),
                         "min_bin_share": float(min_bin_share), "selection": rule.model_dump(mode="json")},
        },
        rounding=rounding_error(train_result.total, exact),
    )
    spec = replace(spec, reference=reasons.reference_points(spec, train_result))
    say("done", total_steps)
    return sealed(spec)


def special_value_warnings(spec: ScorecardSpec) -> tuple[str, ...]:
    """One line per special value of a factor in the model whose bin scores above every regular bin
    of the factor or below every one: pages then present that code as the best state (a reason
    nobody gets) or as a reason for a decline, so its meaning in the profile must say why.
    (Taiwan's PAY_x: code 0, "revolving credit", ranked below -1, "paid in full".)"""
    lines = []
    for factor in spec.factors:
        described = spec.profile.factor(factor.name)
        regular = [b.points for b in factor.bins if b.kind in ("range", "categories") and b.count > 0]
        if not regular:
            continue
        best, worst = max(regular), min(regular)
        for b in factor.bins:
            if b.kind != "special" or b.count == 0 or worst <= b.points <= best:
                continue
            codes = ", ".join(str(int(c)) if isinstance(c, float) and c.is_integer() else str(c) for c in b.special_values)
            meanings = "; ".join(s.meaning.get("en") for s in described.special_values
                                 if any(s.value == c or str(s.value) == str(c) for c in b.special_values))
            what = f"special value {codes}" + (f" ({meanings})" if meanings else "")
            if b.points > best:
                lines.append(f"{factor.name}: {what} scores {b.points} points, above every regular value (best "
                             f"{best}): pages will call it the best state; check that its meaning says why")
            else:
                lines.append(f"{factor.name}: {what} scores {b.points} points, below every regular value (worst "
                             f"{worst}): pages will give it as a reason for a decline; check that its meaning says why")
    return tuple(lines)
