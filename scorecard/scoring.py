"""Scoring from a spec with NumPy lookups only: bin per factor, points, total, PD.

The bin rule is documented in ``spec.py``; ``export_sql.py`` implements the same rule in SQL.
Rows are expected to have passed ``data.split_valid_rows`` (range and type checks); scoring
itself never drops a row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scorecard.errors import DataError
from scorecard.spec import FactorSpec, ScorecardSpec


@dataclass(frozen=True)
class ScoreResult:
    """Scores of a batch, rows in input order; column j of ``bins``/``points`` is ``factor_names[j]``."""

    ids: np.ndarray  # str ids (the profile's id column, else the 1-based row number)
    factor_names: tuple[str, ...]
    bins: np.ndarray  # (rows, factors) int16: index into FactorSpec.bins
    points: np.ndarray  # (rows, factors) int32
    total: np.ndarray  # (rows,) int64: the sum of the row's points
    pd: np.ndarray  # (rows,) float64: bad probability implied by the total

    def __len__(self) -> int:
        return len(self.total)


def _numeric_bins(factor: FactorSpec, values: np.ndarray) -> np.ndarray:
    ranges = [i for i, b in enumerate(factor.bins) if b.kind == "range"]
    # Inner split points: the upper edge of every range bin but the last.
    splits = np.array([factor.bins[i].upper for i in ranges[:-1]], dtype=float)
    out = np.asarray(ranges, dtype=np.int16)[np.searchsorted(splits, values, side="right")] if ranges else np.full(
        len(values), factor.missing_bin, dtype=np.int16
    )
    for i, b in enumerate(factor.bins):
        if b.kind == "special":
            out[np.isin(values, np.asarray(b.special_values, dtype=float))] = i
    out[np.isnan(values)] = factor.missing_bin
    return out


def category_lookup(factor: FactorSpec) -> dict[str, int]:
    """Category text -> bin index; a category listed twice goes to the last bin listing it."""
    lookup: dict[str, int] = {}
    for i, b in enumerate(factor.bins):
        for category in b.categories:
            lookup[category] = i
        for code in b.special_values:
            lookup[str(code)] = i
    return lookup


def _categorical_bins(factor: FactorSpec, column: pd.Series) -> np.ndarray:
    lookup = category_lookup(factor)
    missing = column.isna().to_numpy()
    text = column.astype("string").fillna("")
    codes = text.map(lookup).to_numpy(dtype=float, na_value=np.nan)
    out = np.where(np.isnan(codes), factor.unseen_bin, codes).astype(np.int16)
    out[missing | (text.str.strip() == "").to_numpy()] = factor.missing_bin
    return out


def numeric_values(column: pd.Series) -> np.ndarray:
    """Float view of a numeric factor column; missing becomes NaN."""
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def assign_bins(factor: FactorSpec, column: pd.Series) -> np.ndarray:
    if factor.kind == "categorical":
        return _categorical_bins(factor, column)
    return _numeric_bins(factor, numeric_values(column))


def row_ids(table: pd.DataFrame, id_column: str | None) -> np.ndarray:
    if id_column is None:
        return np.arange(1, len(table) + 1).astype(str).astype(object)
    return table[id_column].astype("string").to_numpy(dtype=object)


def score(spec: ScorecardSpec, table: pd.DataFrame) -> ScoreResult:
    """Score every row of ``table``; extra columns are ignored and column order does not matter."""
    missing = [f.column for f in spec.factors if f.column not in table.columns]
    if missing:
        raise DataError(f"the table has no column {', '.join(repr(c) for c in missing)}; the scorecard needs it")
    rows, k = len(table), len(spec.factors)
    bins = np.empty((rows, k), dtype=np.int16)
    points = np.empty((rows, k), dtype=np.int32)
    for j, factor in enumerate(spec.factors):
        bins[:, j] = assign_bins(factor, table[factor.column])
        points[:, j] = np.fromiter((b.points for b in factor.bins), dtype=np.int32, count=len(factor.bins))[bins[:, j]]
    total = points.sum(axis=1, dtype=np.int64)
    scaling = spec.scaling
    pd_ = 1.0 / (1.0 + np.exp((total - scaling.offset) / scaling.factor))
    return ScoreResult(
        ids=row_ids(table, spec.profile.id_column),
        factor_names=spec.factor_names,
        bins=bins,
        points=points,
        total=total,
        pd=pd_,
    )
