"""The monitor: a scorecard in use, period by period, against its training population. Pure.

Per period (month or quarter of the profile's date column): rows, approval rate, the PSI of the
score and of every factor against the training population (``measures.training_psi``), the
actual against the expected (mean PD) bad rate where the outcome has matured, AUC and KS where
outcomes of both kinds are known, and the share of applicants given each reason code.

Flags (``Thresholds``, configurable from a YAML file) say what to look at:

* ``psi``: the score or a factor has a PSI of at least ``psi_watch`` (level ``watch``) or
  ``psi_shift`` (level ``shift``);
* ``reason``: a reason code's share of the assessed applicants is at least ``reason_ratio`` times
  its share in the reference periods (the first ``reference_periods`` periods), or
  ``reason_increase`` above it (a common reason cannot double), and at least ``reason_min_share``:
  the model may be drifting, or the population;
* ``bad_rate``: the actual bad rate is ``bad_rate_ratio`` times the expected one or more (or that
  many times less), on at least ``min_rows`` matured rows.

Periods with fewer than ``min_rows`` rows are reported and never flagged. Outcomes by protected
group (approval rate, adverse impact ratio, AUC, reason codes) are reported for the whole table
and, as the lowest adverse impact ratio, per period; they are a fairness report, not drift, and
raise no drift flag.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from scorecard import metrics
from scorecard.errors import DataError, ScorecardError
from scorecard.governance.measures import Assessment, protected_groups, training_psi
from scorecard.profile import describe_validation_error
from scorecard.spec import ScorecardSpec

Period = Literal["month", "quarter"]
PERIODS: tuple[str, ...] = ("month", "quarter")


class ThresholdError(ScorecardError, ValueError):
    """A monitor thresholds file is unreadable or invalid."""


class Thresholds(BaseModel):
    """When the monitor flags a period (see the module notes)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    psi_watch: float = Field(default=metrics.PSI_WATCH, gt=0)
    psi_shift: float = Field(default=metrics.PSI_SHIFT, gt=0)
    reason_ratio: float = Field(default=2.0, gt=1)
    reason_increase: float = Field(default=0.1, gt=0, le=1)
    reason_min_share: float = Field(default=0.05, ge=0, le=1)
    reference_periods: int = Field(default=1, ge=1)
    min_rows: int = Field(default=200, ge=1)
    bad_rate_ratio: float = Field(default=1.5, gt=1)
    adverse_impact: float = Field(default=0.8, gt=0, le=1)


def load_thresholds(path: Path | None) -> Thresholds:
    """The thresholds of a YAML file (any key left out keeps its default), or the defaults."""
    if path is None:
        return Thresholds()
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ThresholdError(f"{path}: cannot read the thresholds ({exc.__class__.__name__}); give a YAML file") from exc
    if not isinstance(data, dict):
        raise ThresholdError(f"{path}: thresholds must be a YAML mapping, e.g. 'psi_shift: 0.25'")
    try:
        thresholds = Thresholds.model_validate(data)
    except ValidationError as exc:
        raise ThresholdError(f"{path}: {describe_validation_error(exc, data)}; fix the thresholds file") from exc
    if thresholds.psi_watch > thresholds.psi_shift:
        raise ThresholdError(f"{path}: psi_watch {thresholds.psi_watch} is above psi_shift {thresholds.psi_shift}")
    return thresholds


def period_labels(table: pd.DataFrame, spec: ScorecardSpec, by: str) -> np.ndarray:
    """Per row its period ("2026-03", "2026-Q1"); None where the date is missing or unreadable."""
    if by not in PERIODS:
        raise DataError(f"--by {by}: use one of {', '.join(PERIODS)}")
    column = spec.profile.date_column
    if column is None or column not in table.columns:
        raise DataError(f"monitoring by {by} needs dates: profile '{spec.profile.name}' names "
                        + (f"the date column '{column}', which the table lacks" if column else "no date_column"))
    dates = pd.to_datetime(table[column].astype("string"), errors="coerce", format="ISO8601")
    if by == "month":
        text = dates.dt.strftime("%Y-%m")
    else:
        text = dates.dt.year.astype("Int64").astype("string") + "-Q" + dates.dt.quarter.astype("Int64").astype("string")
    return text.astype(object).where(dates.notna(), None).to_numpy(dtype=object)


def _shares(reasons: list[tuple[str, ...]], rows: np.ndarray, assessed: np.ndarray) -> tuple[dict[str, float], int]:
    """Share of the assessed applicants among ``rows`` given each reason code."""
    picked = rows & assessed
    n = int(picked.sum())
    counts: dict[str, int] = {}
    for r in np.flatnonzero(picked).tolist():
        for code in reasons[r]:
            counts[code] = counts.get(code, 0) + 1
    return ({c: round(k / n, 6) for c, k in sorted(counts.items())} if n else {}), n


def _psi_flag(name: str, value: float | None, t: Thresholds) -> dict[str, Any] | None:
    if value is None or value < t.psi_watch:
        return None
    return {"kind": "psi", "name": name, "value": value, "level": "shift" if value >= t.psi_shift else "watch"}


def monitor_data(spec: ScorecardSpec, table: pd.DataFrame, assessment: Assessment, *, by: str,
                 thresholds: Thresholds) -> dict[str, Any]:
    """Every period's measurements and flags, JSON-ready, periods in time order."""
    table = table.reset_index(drop=True)
    labels = period_labels(table, spec, by)
    periods = sorted({p for p in labels.tolist() if p is not None})
    if not periods:
        raise DataError(f"no row has a readable date in column '{spec.profile.date_column}'; monitoring needs dates")
    t = thresholds
    y = assessment.outcome
    result = assessment.result
    reference_rows = np.isin(labels, periods[: t.reference_periods])
    reference_shares, reference_n = _shares(assessment.reasons, reference_rows, assessment.assessed)
    out = []
    for i, period in enumerate(periods):
        rows = labels == period
        index = np.flatnonzero(rows)
        n = int(rows.sum())
        assessed = assessment.assessed & rows
        entry: dict[str, Any] = {"period": period, "rows": n, "assessed": int(assessed.sum()),
                                 "approval_rate": round(float(assessment.approved[assessed].mean()), 6)
                                 if assessed.any() else None}
        drift = training_psi(spec, result, index)
        entry["score_psi"], entry["factor_psi"] = drift["score"], drift["factors"]
        known = rows & ~np.isnan(y) if y is not None else np.zeros_like(rows)
        k = int(known.sum())
        entry["matured"] = k
        entry["actual_bad_rate"] = round(float(y[known].mean()), 6) if k else None
        entry["expected_bad_rate"] = round(float(result.pd[known].mean()), 6) if k else None
        both = k and 0 < y[known].sum() < k
        entry["auc"] = metrics.auc(y[known].astype(np.int64), result.pd[known]) if both else None
        entry["ks"] = metrics.ks(y[known].astype(np.int64), result.pd[known]) if both else None
        entry["reason_shares"], _ = _shares(assessment.reasons, rows, assessment.assessed)
        groups = protected_groups(spec, table, assessment, index)
        entry["lowest_adverse_impact"] = {
            g["factor"]: min((e["adverse_impact_ratio"] for e in g["groups"] if e["adverse_impact_ratio"] is not None),
                             default=None) for g in groups}
        flags: list[dict[str, Any]] = []
        if n >= t.min_rows:
            flags += [f for f in [_psi_flag("score", drift["score"], t)] if f]
            flags += [f for name, v in drift["factors"].items() for f in [_psi_flag(name, v, t)] if f]
            if i >= t.reference_periods:
                for code, share in entry["reason_shares"].items():
                    before = reference_shares.get(code, 0.0)
                    grew = share >= t.reason_ratio * before or share - before >= t.reason_increase
                    if share >= t.reason_min_share and grew:
                        flags.append({"kind": "reason", "name": code, "value": share, "reference": before,
                                      "level": "grew"})
            if k >= t.min_rows and entry["expected_bad_rate"]:
                ratio = entry["actual_bad_rate"] / entry["expected_bad_rate"]
                if ratio >= t.bad_rate_ratio or ratio <= 1 / t.bad_rate_ratio:
                    flags.append({"kind": "bad_rate", "name": "bad_rate", "value": round(ratio, 6),
                                  "level": "above" if ratio > 1 else "below"})
        entry["flags"] = flags
        entry["too_few_rows"] = n < t.min_rows
        out.append(entry)
    undated = int(sum(1 for p in labels.tolist() if p is None))
    return {
        "by": by, "thresholds": t.model_dump(), "periods": out, "undated_rows": undated,
        "reference": {"periods": periods[: t.reference_periods], "assessed": reference_n,
                      "reason_shares": reference_shares},
        "protected": protected_groups(spec, table, assessment),
        "factors": list(spec.factor_names),
    }
