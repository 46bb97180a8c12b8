"""What the model document and the monitor measure on a table, pure.

* ``Assessment``: a table scored and decided as ``scorecard explain`` would (every row its own
  application), with the principal reason codes of each row and the outcome where it is known.
* ``training_psi``: the PSI of the score and of every factor's bin shares against the training
  population, from the spec alone: the spec keeps the training rows' score distribution (its
  reference bands of ``reasons.BAND_WIDTH`` points) and every bin's training count.
* ``protected_groups``: outcomes by every protected factor of the profile (``protected.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scorecard import metrics
from scorecard.errors import SpecError
from scorecard.policy import Decisions, Policy, decide
from scorecard.protected import group_outcomes
from scorecard.reasons import baseline_points, rank_reasons, reason_code
from scorecard.scoring import ScoreResult, score
from scorecard.spec import ScorecardSpec

PSI_GROUPS = 10  # score PSI: about ten bands of equal training share


@dataclass(frozen=True)
class Assessment:
    """One table scored, decided and explained; arrays in table order."""

    result: ScoreResult
    decisions: Decisions
    assessed: np.ndarray  # bool: no hard rule stopped the application
    approved: np.ndarray  # bool
    reasons: list[tuple[str, ...]]  # principal reason codes per row (empty when none)
    outcome: np.ndarray | None  # float: 1 bad, 0 good, NaN not known yet; None without a target column


def outcome_vector(table: pd.DataFrame, spec: ScorecardSpec) -> np.ndarray | None:
    """1 for bad, 0 for good, NaN where the outcome is not known (an empty cell: not matured yet)."""
    target = spec.profile.target
    if target.column not in table.columns:
        return None
    text = table[target.column].astype("string").str.strip()
    known = (text.notna() & (text != "")).to_numpy(dtype=bool)
    bad_value = target.bad_value
    if isinstance(bad_value, (int, float)) and not isinstance(bad_value, bool):
        is_bad = (pd.to_numeric(text, errors="coerce") == float(bad_value)).to_numpy(dtype=bool)
    else:
        is_bad = (text.str.lower() == str(bad_value).lower()).fillna(False).to_numpy(dtype=bool)
    return np.where(known, is_bad.astype(float), np.nan)


def reason_codes(spec: ScorecardSpec, result: ScoreResult, decisions: Decisions, *,
                 baseline: str = "cutoff_average") -> list[tuple[str, ...]]:
    """The principal reason codes of every row, as ``explain`` gives them to an applicant with
    that row alone: toward the cutoff when declined, the next limit band when approved below the
    top band, none after a hard rule."""
    declined = decisions.outcome == "declined"
    targets = np.where(decisions.hard_rule >= 0, -1,
                       np.where(declined, decisions.cutoff, decisions.next_band_score)).astype(np.int64)
    wants = targets >= 0
    n, k = len(result), len(spec.factors)
    if baseline == "cutoff_average":
        distinct, which = np.unique(np.where(wants, targets, decisions.base_cutoff), return_inverse=True)
        vectors = np.stack([baseline_points(spec, baseline, int(t)) for t in distinct])
        row_baseline = vectors[which.reshape(-1)]
    else:
        row_baseline = np.broadcast_to(baseline_points(spec, baseline), (n, k))
    index, _ = rank_reasons(result.points, row_baseline)
    index[~wants] = -1
    kinds = [[reason_code(f.name, b.kind) for b in f.bins] for f in spec.factors]
    bins = result.bins
    out: list[tuple[str, ...]] = []
    for row, picks in enumerate(index.tolist()):
        out.append(tuple(kinds[j][bins[row, j]] for j in picks if j >= 0))
    return out


def assess(spec: ScorecardSpec, policy: Policy, table: pd.DataFrame, *, baseline: str = "cutoff_average") -> Assessment:
    """Score, decide and give reasons to every row of a validated table."""
    table = table.reset_index(drop=True)
    result = score(spec, table)
    decisions = decide(result, policy, table, spec.profile)
    assessed = decisions.hard_rule < 0
    return Assessment(result=result, decisions=decisions, assessed=assessed,
                      approved=(decisions.outcome == "approved"),
                      reasons=reason_codes(spec, result, decisions, baseline=baseline),
                      outcome=outcome_vector(table, spec))


# --- stability against the training population ----------------------------------------------------


def training_score_bands(spec: ScorecardSpec, groups: int = PSI_GROUPS) -> tuple[np.ndarray, np.ndarray]:
    """Inner edges of about ``groups`` score bands of equal training share, and the training rows in
    each, from the spec's reference bands (edges fall on reference band edges)."""
    ref = spec.reference
    if not ref or not ref.get("bands"):
        raise SpecError("the scorecard has no reference population to measure stability against; "
                        "re-run 'scorecard train'")
    width = int(ref["band_width"])
    lower = np.array([b["lower"] for b in ref["bands"]], dtype=np.int64)
    count = np.array([b["count"] for b in ref["bands"]], dtype=np.int64)
    share = np.cumsum(count) / count.sum()
    cut = sorted({int(lower[np.searchsorted(share, q)] + width) for q in np.linspace(0, 1, groups + 1)[1:-1]})
    edges = np.array([c for c in cut if c <= lower[-1]], dtype=np.int64)
    expected = np.bincount(np.searchsorted(edges, lower, side="right"), weights=count, minlength=len(edges) + 1)
    return edges, expected


def training_psi(spec: ScorecardSpec, result: ScoreResult, rows: np.ndarray | None = None) -> dict:
    """PSI of the score and of each factor's bin shares of ``result`` (its ``rows``) against training."""
    totals = result.total if rows is None else result.total[rows]
    bins = result.bins if rows is None else result.bins[rows]
    edges, expected = training_score_bands(spec)
    actual = np.bincount(np.searchsorted(edges, totals, side="right"), minlength=len(edges) + 1)
    factors = {}
    for j, f in enumerate(spec.factors):
        train = np.array([b.count for b in f.bins], dtype=float)
        factors[f.name] = metrics.psi_from_counts(train, np.bincount(bins[:, j], minlength=len(f.bins)))
    return {"score": metrics.psi_from_counts(expected, actual), "factors": factors}


# --- outcomes by protected group --------------------------------------------------------------------


def protected_groups(spec: ScorecardSpec, table: pd.DataFrame, assessment: Assessment,
                     rows: np.ndarray | None = None) -> list[dict]:
    """Per protected factor of the profile whose column the table has: outcomes by group."""
    table = table.reset_index(drop=True)
    pick = np.arange(len(table)) if rows is None else rows
    out = []
    for factor in spec.profile.protected_factors:
        if factor.source_column not in table.columns:
            continue
        column = table[factor.source_column].iloc[pick].reset_index(drop=True)
        y = None if assessment.outcome is None else assessment.outcome[pick]
        out.append(group_outcomes(factor, column, approved=assessment.approved[pick], assessed=assessment.assessed[pick],
                                  pd_=assessment.result.pd[pick], y=y,
                                  reason_codes=[assessment.reasons[i] for i in pick.tolist()],
                                  in_model=factor.name in spec.factor_names))
    return out
