"""Protected characteristics: kept out of training unless the profile says why, reported by group.

A profile marks a factor ``protected: true`` (age, sex, marital status, nationality, ...). Two
rules follow:

* **Training** (``screen``) leaves a protected factor out of the logit unless the profile gives
  ``protected_use``: why this model may score it, in every language. Either way one selection
  step (stage ``protected``) says what happened and why, so the model report, the model document
  and the site show it.
* **Reporting** (``group_outcomes``) measures outcomes by the factor's groups whether or not the
  model scores it: per group the applicants, the approval rate, the adverse impact ratio (the
  group's approval rate over that of the most favoured group; the US "four-fifths" rule of thumb
  reads a ratio under 0.8 as a sign of adverse impact), the AUC where the outcome is known, and
  the share of applicants given each reason code. A numeric factor is cut at the profile's
  ``group_splits``; a categorical factor or a flag groups by value; a missing value is its own
  group.

Pure: arrays and tables in, JSON-ready dicts out.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from scorecard import metrics
from scorecard.profile import Factor, Profile
from scorecard.scoring import numeric_values
from scorecard.spec import FactorSpec, SelectionStep

FOUR_FIFTHS = 0.8  # an adverse impact ratio below this is flagged
MISSING_GROUP = "missing"


def screen(factors: tuple[FactorSpec, ...], profile: Profile) -> tuple[tuple[FactorSpec, ...], tuple[SelectionStep, ...]]:
    """The binned factors the logit may use, and one selection step per protected factor among them."""
    kept: list[FactorSpec] = []
    steps: list[SelectionStep] = []
    for spec in factors:
        factor = profile.factor(spec.name)
        if not factor.protected:
            kept.append(spec)
        elif factor.protected_use is None:
            steps.append(SelectionStep(
                factor=spec.name, stage="protected", action="dropped", iv=spec.iv,
                reason="a protected characteristic: left out of the model because the profile gives no "
                       "protected_use (why this model may score it); outcomes are still reported by its groups"))
        else:
            kept.append(spec)
            steps.append(SelectionStep(
                factor=spec.name, stage="protected", action="kept", iv=spec.iv,
                reason=f"a protected characteristic the profile allows: {factor.protected_use.get('en')}"))
    return tuple(kept), tuple(steps)


# --- groups -------------------------------------------------------------------------------------


def number_text(value: float) -> str:
    """3 not 3.0; 0.35 as written."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def group_names(factor: Factor) -> tuple[str, ...]:
    """The groups of a protected numeric factor, in order ("< 25", "25 - 35", "≥ 55"), then missing."""
    splits = factor.group_splits
    names = [f"< {number_text(splits[0])}"]
    names += [f"{number_text(a)} - {number_text(b)}" for a, b in zip(splits, splits[1:])]
    names.append(f">= {number_text(splits[-1])}")
    return (*names, MISSING_GROUP)


def assign_groups(factor: Factor, column: pd.Series) -> tuple[np.ndarray, tuple[str, ...]]:
    """Per row the index of its group, and the group names (numeric: ``group_names``; else the values
    in sorted order, the category's words in English after the code, then missing)."""
    if factor.kind == "numeric":
        values = numeric_values(column)
        names = group_names(factor)
        index = np.searchsorted(np.asarray(factor.group_splits, dtype=float), values, side="right")
        index = np.where(np.isnan(values), len(names) - 1, index)
        return index.astype(np.int64), names
    text = column.astype("string").str.strip()
    if factor.kind == "flag":
        parsed = pd.to_numeric(text, errors="coerce")
        text = parsed.map(lambda v: number_text(float(v)), na_action="ignore").astype("string")
    blank = text.isna() | (text == "")
    values = sorted(set(text[~blank].tolist()))
    names = tuple(_category_name(factor, v) for v in values) + (MISSING_GROUP,)
    lookup = {v: i for i, v in enumerate(values)}
    index = np.array([len(values) if b else lookup[v] for v, b in zip(text.tolist(), blank.tolist())], dtype=np.int64)
    return index, names


def _category_name(factor: Factor, code: str) -> str:
    words = factor.category_label(code, "en")
    return code if words == code else f"{code} ({words})"


# --- outcomes by group ----------------------------------------------------------------------------


def group_outcomes(factor: Factor, column: pd.Series, *, approved: np.ndarray, assessed: np.ndarray,
                   pd_: np.ndarray, y: np.ndarray | None, reason_codes: list[tuple[str, ...]] | None,
                   in_model: bool, top_reasons: int = 5) -> dict[str, Any]:
    """Outcomes of one protected factor by group, JSON-ready.

    ``approved`` and ``assessed`` are per row (assessed: a score decided the application, no hard
    rule); ``y`` is 1 for bad, 0 for good, NaN where the outcome is not known yet (None: no outcomes);
    bad rate and AUC are measured on the rows with a known outcome; ``reason_codes`` are the
    principal reason codes per row (None: not computed). Groups without assessed applicants are
    left out; the adverse impact ratio compares approval rates among assessed applicants.
    """
    index, names = assign_groups(factor, column)
    groups = []
    for g, name in enumerate(names):
        rows = (index == g) & assessed
        n = int(rows.sum())
        if n == 0:
            continue
        entry: dict[str, Any] = {"group": name, "applicants": n,
                                 "approval_rate": round(float(approved[rows].mean()), 6)}
        if y is not None:
            known = rows & ~np.isnan(y)
            entry["outcomes_known"] = int(known.sum())
            entry["bad_rate"] = round(float(y[known].mean()), 6) if known.any() else None
            entry["auc"] = metrics.auc(y[known].astype(np.int64), pd_[known]) if known.any() else None
        if reason_codes is not None:
            counts: dict[str, int] = {}
            for r in np.flatnonzero(rows).tolist():
                for code in reason_codes[r]:
                    counts[code] = counts.get(code, 0) + 1
            ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top_reasons]
            entry["reason_shares"] = [{"code": c, "share": round(k / n, 6)} for c, k in ranked]
        groups.append(entry)
    best = max((g["approval_rate"] for g in groups if g["group"] != MISSING_GROUP), default=0.0)
    for g in groups:
        g["adverse_impact_ratio"] = round(g["approval_rate"] / best, 6) if best > 0 else None
        g["flag"] = g["adverse_impact_ratio"] is not None and g["adverse_impact_ratio"] < FOUR_FIFTHS
    return {"factor": factor.name, "label": factor.label.get("en"), "in_model": in_model,
            "protected_use": factor.protected_use.get("en") if factor.protected_use else None, "groups": groups}
