"""Principal reasons: the factors whose points fall furthest below a baseline.

A scorecard total is a sum of points per factor, so "why is my score below the cutoff" has an
exact answer per factor: how many points the applicant's bin gives against what a reference
applicant gets. Three baselines are offered; the record names the one used.

``cutoff_average`` (default)
    The average points per factor of applicants scoring at or just above the cutoff: the first
    method of the US Regulation B commentary (12 CFR 1002.9(b)(2)-5: "identify the factors for
    which the applicant's score fell furthest below the average score for each of those
    factors achieved by applicants whose total score was at or slightly above the minimum
    passing score"). A reason then says what separated this applicant from people who just
    passed. For approved applicants below the top limit band, the same method at the next
    band's threshold says why the limit is not higher.
``population_average``
    The average points per factor of all reference applicants: "where you stand against
    everyone". Weaker as a decline reason, since the average includes declined applicants.
``best_points``
    The best points each factor can give (the second method of the commentary, and the usual
    industry shortcut). Simple and needs no reference population, but it ranks factors by how
    much room they have, so a factor at its typical value can still come first.

The averages come from the spec's reference population (``ScorecardSpec.reference``, computed
from the training rows by ``reference_points`` at training time), never from the batch being
explained: a person's reasons must not depend on who else is in the file.

Reason groups: factors of one cause (the profile's ``group``, e.g. the count of late payments
and the longest delay are one history of late payments) give one reason. A reason is ranked per
"cause": a group (its factors in the model) or an ungrouped factor on its own. A cause's
shortfall is the sum of its factors' shortfalls (baseline minus points, each rounded to 0.01,
the sum rounded to 0.01; a member above its baseline lowers it). The reason shows its
representative: the member with the largest shortfall (ties: the first in the spec's factor
order); ``Reason.factors`` lists every member in the model and ``Reason.group`` the group id.

Rules: at most four reasons, only causes more than ``MIN_SHORTFALL`` points below the baseline
(a real shortfall, not rounding), the largest shortfall first, ties in the order of the causes'
first factor in the spec. Codes are stable: ``FACTOR_NAME.VALUE`` for a value that scores badly,
``FACTOR_NAME.SPECIAL`` and ``FACTOR_NAME.MISSING`` for "no record of X"; a group's reason is
``GROUP_ID.VALUE`` / ``.SPECIAL`` / ``.MISSING`` by the bin kind of its representative (e.g.
``OVERDUE_HISTORY.VALUE``). There is no catch-all "score too low" reason, and no two reasons of
one record come from one group.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np

from scorecard.errors import SpecError
from scorecard.scoring import ScoreResult
from scorecard.spec import FactorSpec, ScorecardSpec

Baseline = Literal["cutoff_average", "population_average", "best_points"]
BASELINES: tuple[str, ...] = ("cutoff_average", "population_average", "best_points")

BAND_WIDTH = 5  # points per reference band
MIN_BASELINE_ROWS = 200  # the cutoff_average baseline averages at least this many applicants...
MIN_BASELINE_SHARE = 0.01  # ...and at least this share of the reference rows
MAX_REASONS = 4
MIN_SHORTFALL = 0.5  # points below the baseline for a factor to count as a reason


def reason_code(factor: str, bin_kind: str, group: str | None = None) -> str:
    """The stable code of a reason: the group's id when the factor is in one, else the factor's."""
    suffix = {"special": "SPECIAL", "missing": "MISSING"}.get(bin_kind, "VALUE")
    return f"{(group or factor).upper()}.{suffix}"


def cause_index(spec: ScorecardSpec) -> np.ndarray:
    """Per factor of the spec, the number of its cause (a reason group or the factor alone),
    causes numbered in order of their first factor."""
    seen: dict[str, int] = {}
    out = []
    for f in spec.factors:
        group = spec.profile.factor(f.name).group
        key = f"group:{group}" if group else f"factor:{f.name}"
        out.append(seen.setdefault(key, len(seen)))
    return np.array(out, dtype=np.int64)


def reason_kind(bin_kind: str) -> Literal["value", "special", "missing"]:
    return {"special": "special", "missing": "missing"}.get(bin_kind, "value")  # type: ignore[return-value]


def better_bins(factor: FactorSpec, current: int) -> tuple[int, ...]:
    """Range/category bins that score more than ``current``, best first (ties in bin order).

    Special and missing bins are left out: nobody can be advised to lose a record.
    """
    here = factor.bins[current].points
    better = [i for i, b in enumerate(factor.bins) if b.kind in ("range", "categories") and b.points > here]
    return tuple(sorted(better, key=lambda i: (-factor.bins[i].points, i)))


# --- the reference population -------------------------------------------------------------------


def reference_points(spec: ScorecardSpec, result: ScoreResult) -> dict[str, Any]:
    """Per score band of ``BAND_WIDTH`` points: count and mean points per factor of ``result``.

    Called by training on the training rows scored with the final spec (before its checksum),
    so reason baselines never depend on the batch being explained.
    """
    if len(result) == 0:
        return {}
    lower = (np.floor_divide(result.total, BAND_WIDTH) * BAND_WIDTH).astype(np.int64)
    bands, inverse, counts = np.unique(lower, return_inverse=True, return_counts=True)
    sums = np.zeros((len(bands), len(result.factor_names)), dtype=np.float64)
    np.add.at(sums, inverse, result.points.astype(np.float64))
    means = sums / counts[:, None]
    return {
        "band_width": BAND_WIDTH,
        "rows": int(len(result)),
        "factors": list(result.factor_names),
        "bands": [
            {"lower": int(b), "count": int(c), "mean_points": [round(float(m), 6) for m in row]}
            for b, c, row in zip(bands, counts, means)
        ],
    }


def _reference(spec: ScorecardSpec, baseline: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    ref = spec.reference
    if not ref or not ref.get("bands"):
        raise SpecError(
            f"the scorecard has no reference population, which the {baseline} baseline needs; "
            "re-run 'scorecard train' or use --baseline best_points"
        )
    if list(ref.get("factors", [])) != list(spec.factor_names):
        raise SpecError("the scorecard's reference population names other factors than the scorecard; re-run 'scorecard train'")
    lower = np.array([b["lower"] for b in ref["bands"]], dtype=np.int64)
    count = np.array([b["count"] for b in ref["bands"]], dtype=np.int64)
    means = np.array([b["mean_points"] for b in ref["bands"]], dtype=np.float64).reshape(len(lower), len(spec.factors))
    return lower, count, means, int(ref.get("rows", int(count.sum())))


def baseline_points(spec: ScorecardSpec, baseline: str, threshold: int | None = None) -> np.ndarray:
    """Baseline points per factor (rounded to 0.01), for applicants aiming at ``threshold``.

    ``threshold`` (the cutoff, or the next limit band's score) is only used by cutoff_average:
    reference bands from the first band that starts at or above it, upward, until at least
    max(200, 1% of the reference rows) applicants are included. When fewer applicants scored
    that high, bands below the threshold are added, nearest first, so the baseline still
    describes the applicants closest to passing.
    """
    if baseline == "best_points":
        return np.array([f.best_points for f in spec.factors], dtype=np.float64)
    if baseline not in BASELINES:
        raise SpecError(f"unknown reason baseline '{baseline}'; use one of {', '.join(BASELINES)}")
    lower, count, means, rows = _reference(spec, baseline)
    if baseline == "population_average":
        chosen = np.ones(len(lower), dtype=bool)
    else:
        if threshold is None:
            raise SpecError("the cutoff_average baseline needs the cutoff it is measured at")
        need = min(int(count.sum()), max(MIN_BASELINE_ROWS, math.ceil(MIN_BASELINE_SHARE * rows)))
        start = -(-int(threshold) // BAND_WIDTH) * BAND_WIDTH  # first band starting at or above
        above = np.flatnonzero(lower >= start)
        below = np.flatnonzero(lower < start)[::-1]
        chosen = np.zeros(len(lower), dtype=bool)
        total = 0
        for i in np.concatenate([above, below]):
            if total >= need:
                break
            chosen[i] = True
            total += int(count[i])
    weights = count * chosen
    values = (means * weights[:, None]).sum(axis=0) / weights.sum()
    return np.round(values, 2)


# --- ranking ------------------------------------------------------------------------------------


def rank_reasons(points: np.ndarray, baseline: np.ndarray, *, causes: np.ndarray | None = None,
                 max_reasons: int = MAX_REASONS) -> tuple[np.ndarray, np.ndarray]:
    """Representative factor indices of the principal reasons per row, most important first, and
    the shortfalls of their causes.

    ``points`` is (rows, factors); ``baseline`` is (rows, factors) or (factors,); ``causes``
    (factors,) numbers each factor's cause (``cause_index``; default: every factor its own).
    Returns (rows, max_reasons) arrays: factor index (-1 pads) and points below the baseline
    (0 pads). Only shortfalls above ``MIN_SHORTFALL`` count; ties keep cause order (stable sort).
    """
    shortfall = np.round(np.broadcast_to(baseline, points.shape) - points, 2)
    k = points.shape[1]
    if causes is not None and len(np.unique(causes)) < k:
        causes = np.asarray(causes, dtype=np.int64)
        n_causes = int(causes.max()) + 1
        member = np.zeros((k, n_causes))
        member[np.arange(k), causes] = 1.0
        factor_shortfall = shortfall
        shortfall = np.round(factor_shortfall @ member, 2)
        represent = np.zeros((points.shape[0], n_causes), dtype=np.int64)
        for c in range(n_causes):
            members = np.flatnonzero(causes == c)
            represent[:, c] = members[factor_shortfall[:, members].argmax(axis=1)]
    else:
        represent = None
    real = shortfall > MIN_SHORTFALL
    key = np.where(real, -shortfall, np.inf)
    order = np.argsort(key, axis=1, kind="stable")[:, :max_reasons]
    picked = np.take_along_axis(real, order, axis=1)
    if represent is not None:
        order_factor = np.take_along_axis(represent, order, axis=1)
        below = np.where(picked, np.take_along_axis(shortfall, order, axis=1), 0.0)
        return np.where(picked, order_factor, -1).astype(np.int16), below
    index = np.where(picked, order, -1).astype(np.int16)
    below = np.where(picked, np.take_along_axis(shortfall, order, axis=1), 0.0)
    return index, below
