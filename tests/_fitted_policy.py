"""A policy an analyst would set on a scorecard of their own: the cutoff and the upper limit band at
shares of the training applicants (the spec's reference population), so it fits any scale."""

from __future__ import annotations

from typing import Any

from scorecard.spec import ScorecardSpec


def score_at_share(spec: ScorecardSpec, share: float) -> int:
    """The lowest 5-point score band at or above which lie ``1 - share`` of the training applicants."""
    bands = sorted(spec.reference["bands"], key=lambda b: b["lower"])
    total = sum(b["count"] for b in bands)
    seen = 0
    for band in bands:
        seen += band["count"]
        if seen / total >= share:
            return int(band["lower"]) + 5
    return int(bands[-1]["lower"])


def fitted_bands(spec: ScorecardSpec, *, cutoff_share: float = 0.35, top_share: float = 0.7) -> dict[str, Any]:
    """``cutoff`` and two ``limit_bands`` (1,000 and 4,000) placed on ``spec``'s own scores."""
    cutoff, top = score_at_share(spec, cutoff_share), score_at_share(spec, top_share)
    top = max(top, cutoff + 5)
    return {"cutoff": cutoff, "limit_bands": [{"name": "L1", "min_score": cutoff, "limit": 1000},
                                              {"name": "L2", "min_score": top, "limit": 4000}]}
