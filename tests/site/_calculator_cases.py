"""Random applicants for the calculator's equality tests, and records reduced to what the
calculator must reproduce.

Applicants start from real-looking rows (the demo generator, or a public file) and are then
pushed to the places where a port goes wrong: missing values, special codes, values exactly on
bin edges (and the whole numbers either side of an edge between them), the ends of a factor's
range, unseen-looking categories, and the policy's own columns (segment, date on the edges of an
overlay's period, a maintenance flag)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from scorecard.data import split_valid_rows
from scorecard.records import DecisionRecord
from scorecard.spec import ScorecardSpec


def _edges(spec_factor: Any, factor: Any) -> list[float]:
    """Bin edges of a numeric factor, as values a person could enter (whole numbers for whole-number factors)."""
    out: list[float] = []
    for b in spec_factor.bins:
        for x in (b.lower, b.upper):
            if x is None or b.kind != "range":
                continue
            if factor.integer or factor.kind == "flag":
                out += [float(math.floor(x)), float(math.ceil(x))]
            else:
                out.append(float(x))
    return out or [0.0]


def perturbed(table: pd.DataFrame, spec: ScorecardSpec, seed: int, *, dates: list[str] | None = None,
              segments: list[str | None] | None = None) -> pd.DataFrame:
    """``table`` with each factor's values replaced, at random, by the hard cases; ids made unique."""
    rng = np.random.default_rng(seed)
    out = table.copy()
    n = len(out)
    profile = spec.profile
    for fs in spec.factors:
        factor = profile.factor(fs.name)
        column = out[fs.column].astype(object).to_numpy()
        pick = rng.random(n)
        if fs.kind == "categorical":
            choices = [c for b in fs.bins for c in b.categories] or ["?"]
            column = np.where(pick < 0.2, np.asarray(choices, dtype=object)[rng.integers(0, len(choices), n)], column)
            column = np.where((pick >= 0.2) & (pick < 0.27), None, column)
        else:
            edges = np.asarray(_edges(fs, factor))
            column = np.where(pick < 0.3, edges[rng.integers(0, len(edges), n)], column)
            column = np.where((pick >= 0.3) & (pick < 0.38), np.nan, column)
            specials = [float(c) for c in factor.special_codes if not isinstance(c, str)]
            if specials:
                column = np.where((pick >= 0.38) & (pick < 0.45), np.asarray(specials)[rng.integers(0, len(specials), n)],
                                  column)
            ends = [x for x in (factor.min_value, factor.max_value) if x is not None]
            if ends:
                column = np.where((pick >= 0.45) & (pick < 0.5), np.asarray(ends, dtype=float)[rng.integers(0, len(ends), n)],
                                  column)
            column = pd.to_numeric(pd.Series(column), errors="coerce").to_numpy(dtype=float)
        out[fs.column] = column
    if profile.id_column:
        out[profile.id_column] = [f"R{i:07d}" for i in range(n)]
    if profile.date_column and dates:
        pick = rng.random(n)
        chosen = np.asarray(dates, dtype=object)[rng.integers(0, len(dates), n)]
        out[profile.date_column] = np.where(pick < 0.4, chosen, out[profile.date_column].astype(object))
    if profile.segment_column and segments:
        pick = rng.random(n)
        chosen = np.asarray(segments, dtype=object)[rng.integers(0, len(segments), n)]
        out[profile.segment_column] = np.where(pick < 0.3, chosen, out[profile.segment_column].astype(object))
    valid, _ = split_valid_rows(out, profile, "random applicants")
    return valid.reset_index(drop=True)


def rows_for_the_page(table: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    """Rows as the page's functions take them: plain JSON values, null for missing."""
    rows = []
    for record in table[columns].astype(object).to_dict(orient="records"):
        rows.append({k: (None if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA else
                         (v.item() if hasattr(v, "item") else v)) for k, v in record.items()})
    return rows


def essentials(record: DecisionRecord | dict[str, Any]) -> dict[str, Any]:
    """What the calculator must reproduce exactly: score, points per factor, decision, limit,
    reasons in order (with their groups), the target, margin and affordability guard, and every
    plan's changes (and how each is made), new score and cost."""
    r = record if isinstance(record, dict) else record.to_dict()
    return {
        "decision": r["decision"], "outcome": r["outcome"], "score": r["score"], "cutoff": r["cutoff"],
        "limit": r["limit"], "limit_band": r["limit_band"], "next_band_score": r["next_band_score"],
        "hard_rule": r["hard_rule"],
        "overlays": [[o["code"], o["changed_outcome"], o["before"], o["after"]] for o in r["overlays"]],
        "points": [[f["factor"], f["points"]] for f in r["factors"]],
        # the best reachable value and its wait: what the pages call the best (one per page)
        "better": [[f["factor"], f["better_value"], f["wait_days"]] for f in r["factors"]],
        "reasons": [[x["code"], x["points_below_baseline"]] for x in r["reasons"]],
        "reason_groups": [[x["group"], list(x["factors"])] for x in r["reasons"]],
        "recourse_status": r["recourse_status"], "recourse_target": r["recourse_target"],
        "recourse_margin": r["recourse_margin"], "affordability_guard": r["affordability_guard"],
        "plans": [[[[c["factor"], c["from_value"], c["to_value"], c["to_bin"], c["points_gain"], c["cost"], c["wait_days"],
                     c["move"]]
                    for c in p["changes"]], p["new_score"], p["cost"], p["wait_days"]] for p in r["recourse"]],
    }
