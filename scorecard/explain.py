"""Explain a table: score, decide, reasons, recourse -> one DecisionRecord per applicant. Pure.

Every step works on whole columns; only the final assembly of records loops over applicants,
and it shares identical parts (a factor line, a reason, a change) between records, which is
safe because records are frozen. A record depends only on its applicant's rows, so a large
batch is explained in chunks of applicants (``applicant_chunks``), in one process or several,
with the same records in the same order.

Several rows with the same applicant id are snapshots of one applicant (the profile's date
column tells them apart): the record explains the latest one (on equal dates, the later row)
and ``history`` lists every snapshot in date order. Records come in the order in which their
applicants first appear in the table.

Hard-rule outcomes (``HARD_*``, ``RETRY_LATER``) stop evaluation: the record carries the rule
(``hard_rule``) and no score, factor lines, reasons or plans, because the applicant was not
assessed and nothing about their credit should be read into it; ``recourse_status`` is
``not_applicable``. Approved applicants in the top limit band (or held down by a limit cap)
get no reasons and ``recourse_status = not_needed``; approved applicants below the top band
get the reasons why the limit is not higher and plans to reach the next band, unless the
policy's affordability guard holds (then no plan: nobody over a debt level is steered to a higher
limit; a declined applicant's plans first bring debt out of the guard). Plans aim at the target ``policy.decide`` sets (cutoff or next band, plus the margin).
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import itertools
from typing import Any, Callable, Iterator

import numpy as np
import pandas as pd

from scorecard.data import applicant_ids, row_numbers
from scorecard.errors import DataError
from scorecard.policy import Decisions, Policy, decide
from scorecard.reasons import (BASELINES, baseline_points, better_bins, cause_index, rank_reasons, reason_code,
                               reason_kind)
from scorecard.records import (RECORD_SCHEMA_VERSION, DecisionRecord, FactorLine, Overlay, Reason, Snapshot,
                               record_value, record_values)
from scorecard.recourse import (INF, FactorMoves, PlanBuilder, all_moves, bin_bounds, group_rows, guard_clearance, solve,
                                value_codes, wait_days)
from scorecard.scoring import ScoreResult, numeric_values, score
from scorecard.spec import FactorSpec, ScorecardSpec

RECORD_FIELDS = tuple(f.name for f in dataclasses.fields(DecisionRecord))
PROGRESS_EVERY = 5000  # records between progress calls


def _value_key(spec_factor: FactorSpec, column: pd.Series) -> np.ndarray:
    """A grouping key equal for rows whose plain values are equal (NaN or None for missing)."""
    if spec_factor.kind == "categorical":
        return column.astype("string").to_numpy(dtype=object)
    return column.to_numpy(dtype=float) if column.dtype.kind in "iuf" else numeric_values(column)


def _dates(table: pd.DataFrame, column: str | None) -> tuple[list[str | None], np.ndarray]:
    """ISO dates as text (None when missing) and a sort key (missing sorts first)."""
    if column is None or column not in table.columns:
        return [None] * len(table), np.zeros(len(table), dtype=np.int64)
    parsed = pd.to_datetime(table[column].astype("string"), errors="coerce", format="ISO8601")
    text = parsed.dt.strftime("%Y-%m-%d").astype(object).where(parsed.notna(), None).tolist()
    key = parsed.to_numpy(dtype="datetime64[ns]").astype(np.int64)
    key = np.where(parsed.isna().to_numpy(), np.iinfo(np.int64).min, key)
    return text, key


def _snapshots(ids: np.ndarray, date_key: np.ndarray) -> tuple[np.ndarray, list[int], np.ndarray, np.ndarray]:
    """Rows by applicant (in order of first appearance), then date, then row: (latest row of each
    applicant, that order, start and end of each applicant's rows in it)."""
    n = len(ids)
    codes, _ = pd.factorize(pd.Series(ids, dtype=object), sort=False)
    order = np.lexsort((np.arange(n), date_key, codes))
    starts = np.flatnonzero(np.r_[True, codes[order][1:] != codes[order][:-1]])
    ends = np.r_[starts[1:], n]
    return order[ends - 1], order.tolist(), starts, ends


def _thresholds(decisions: Decisions) -> np.ndarray:
    """The score each row's reasons are measured at: the cutoff, or the next band when approved."""
    declined = decisions.outcome == "declined"
    return np.where(declined | (decisions.next_band_score < 0), decisions.cutoff,
                    decisions.next_band_score).astype(np.int64)


def applicant_codes(table: pd.DataFrame, id_column: str | None) -> tuple[np.ndarray, Any]:
    """Per row of ``table``, the number of its applicant (0, 1, ... in order of their first row),
    and the applicants' ids in that order, as records show them (``data.applicant_ids``; without
    an id column every row is an applicant). Raises ``DataError`` naming the first row without
    an id. Text ids stay in Arrow: no Python string per row."""
    if id_column is None:
        return np.arange(len(table), dtype=np.int64), applicant_ids(table, None)
    codes, ids = pd.factorize(table[id_column].astype("string"), sort=False)
    missing = codes < 0
    if missing.any():
        row = row_numbers(table)[np.flatnonzero(missing)[0]]
        raise DataError(f"row {row} has no applicant id in column '{id_column}'; every row needs one")
    return codes.astype(np.int64), ids


def applicant_chunks(codes: np.ndarray, size: int) -> list[np.ndarray]:
    """Row positions of a table whose rows belong to applicants ``codes`` (``applicant_codes``),
    in chunks of ``size`` applicants (the last may have fewer).

    Chunk i holds applicants ``i * size`` to ``(i + 1) * size - 1`` in order of their first row,
    so explaining the chunks one after the other gives the records of ``explain_table`` on the
    whole table, in the same order. All rows (snapshots) of one applicant are in the same chunk,
    in table order. ``explain_table`` on ``table.iloc[chunk]`` gives
    exactly that chunk's records: a record never depends on the rest of the batch (a chunk keeps its
    rows' index, so without an id column each applicant keeps its row number as its id).
    """
    if size < 1:
        raise ValueError("chunk size must be at least 1")
    if len(codes) == 0:
        return []
    chunk = np.asarray(codes, dtype=np.int64) // size
    order = np.argsort(chunk, kind="stable")
    return np.split(order, np.flatnonzero(np.diff(chunk[order])) + 1)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a batch builds (or writes) its records: they
    hold no reference cycles, and the collections that millions of new objects trigger cost
    about a quarter of the time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def explain_table(spec: ScorecardSpec, policy: Policy, table: pd.DataFrame, *, baseline: str = "cutoff_average",
                  progress: Callable[[int], None] | None = None) -> list[DecisionRecord]:
    """One DecisionRecord per applicant of ``table`` (rows already validated). Pure.

    ``progress``, when given, is called with the number of records assembled since the last
    call (for a progress bar); it does not change the result. Without an id column, an
    applicant's id is its row number (``data.applicant_ids``), which a part of a larger table
    (a chunk, see ``applicant_chunks``) keeps.
    """
    if baseline not in BASELINES:
        raise DataError(f"unknown reason baseline '{baseline}'; use one of {', '.join(BASELINES)}")
    if len(table) == 0:
        return []
    with gc_paused():
        return _explain(spec, policy, table, baseline, progress)


def _explain(spec: ScorecardSpec, policy: Policy, table: pd.DataFrame, baseline: str,
             progress: Callable[[int], None] | None) -> list[DecisionRecord]:
    profile = spec.profile
    n = len(table)
    result = score(spec, table)  # first: it names any column the table lacks
    ids = applicant_ids(table, profile.id_column)
    table = table.reset_index(drop=True)
    decisions = decide(result, policy, table, profile)

    date_text, date_key = _dates(table, profile.date_column)
    latest, order, starts, ends = _snapshots(ids, date_key)
    is_latest = np.zeros(n, dtype=bool)
    is_latest[latest] = True

    evaluated = decisions.hard_rule < 0
    targets = np.where(is_latest & evaluated, decisions.target, -1)
    # Reasons for the declined and for the approved below the top band (also under the guard)
    wants_reasons = is_latest & evaluated & ((decisions.outcome == "declined") | (decisions.next_band_score >= 0))

    # Baselines: one vector per threshold (cutoff or next band score); rows point at theirs.
    k = len(spec.factors)
    thresholds = _thresholds(decisions)
    if baseline == "cutoff_average":
        distinct, which = np.unique(thresholds, return_inverse=True)
        vectors = np.stack([baseline_points(spec, baseline, int(t)) for t in distinct])
        row_baseline = vectors[which]
    else:
        row_baseline = np.broadcast_to(baseline_points(spec, baseline), (n, k))
    reason_index, reason_below = rank_reasons(result.points, row_baseline, causes=cause_index(spec))
    reason_index[~wants_reasons] = -1

    moves = all_moves(spec, table, result)
    plan_moves, must = guard_clearance(spec, policy, table, decisions.guard & (targets >= 0), moves)
    plans = solve(spec, result, targets, plan_moves, must=must)

    rows = latest
    lines = _factor_lines(spec, table, result, moves, row_baseline, rows)
    reasons = _reasons(spec, table, result, reason_index, reason_below, rows)
    builder = PlanBuilder(spec, plans, plan_moves, result,
                          [record_values(table[f.column], spec.profile.factor(f.name)) for f in spec.factors])
    segments = (
        [None if v is pd.NA else str(v) for v in table[profile.segment_column].astype("string").to_numpy(dtype=object)]
        if profile.segment_column and profile.segment_column in table.columns
        else [None] * n
    )
    code, outcome, hard = decisions.code.tolist(), decisions.outcome.tolist(), decisions.hard_rule.tolist()
    total, cutoff, limit = result.total.tolist(), decisions.cutoff.tolist(), decisions.limit.tolist()
    band, next_band = decisions.band.tolist(), decisions.next_band_score.tolist()
    pd_ = np.round(result.pd, 6).tolist()
    status, target = plans.status.tolist(), plans.target.tolist()
    snapshots = list(map(Snapshot, [d or "" for d in date_text], [None if h >= 0 else t for h, t in zip(hard, total)],
                         code, limit))
    overlays = _overlays(policy, decisions, rows)
    with_plans = rows[plans.status[rows] == "found"]
    plan_of = dict(zip(with_plans.tolist(), builder.plans_for(with_plans)))
    chosen = rows.tolist()
    assessed = [hard[r] < 0 for r in chosen]
    band_names = [b.name for b in policy.limit_bands] + [None]  # index -1: no band
    rule_codes = [rule.code for rule in policy.hard_rules] + [None]  # index -1: no hard rule
    # Each field of the records as one list (or a constant), by name; the records are made from them
    # column by column, which a batch of a million records feels.
    fields = {
        "applicant_id": [str(ids[r]) for r in chosen],
        "snapshot_date": [date_text[r] for r in chosen],
        "segment": [segments[r] for r in chosen],
        "model_sha256": itertools.repeat(spec.sha256),
        "profile": itertools.repeat(profile.name),
        "policy_version": itertools.repeat(policy.version),
        "decision": [code[r] for r in chosen],
        "outcome": [outcome[r] for r in chosen],
        "score": [total[r] if ok else None for r, ok in zip(chosen, assessed)],
        "pd": [pd_[r] if ok else None for r, ok in zip(chosen, assessed)],
        "cutoff": [cutoff[r] for r in chosen],
        "base_cutoff": itertools.repeat(decisions.base_cutoff),
        "limit": [limit[r] for r in chosen],
        "limit_band": [band_names[band[r]] for r in chosen],
        "next_band_score": [next_band[r] if next_band[r] >= 0 else None for r in chosen],
        "hard_rule": [rule_codes[hard[r]] for r in chosen],
        "overlays": overlays,
        "reason_baseline": itertools.repeat(baseline),
        "factors": [line if ok else () for line, ok in zip(lines, assessed)],
        "reasons": [reason if ok else () for reason, ok in zip(reasons, assessed)],
        "recourse_target": [target[r] if target[r] >= 0 else None for r in chosen],
        "recourse_status": [status[r] if ok else "not_applicable" for r, ok in zip(chosen, assessed)],
        "recourse": [plan_of.get(r, ()) for r in chosen],
        "history": [(snapshots[r],) if end - start == 1 else tuple(snapshots[i] for i in order[start:end])
                    for r, start, end in zip(chosen, starts.tolist(), ends.tolist())],
        "recourse_margin": itertools.repeat(policy.margin),
        "affordability_guard": [bool(decisions.guard[r]) for r in chosen],
        "schema_version": itertools.repeat(RECORD_SCHEMA_VERSION),
    }
    columns = [iter(fields[name]) for name in RECORD_FIELDS]  # in the order DecisionRecord takes them
    records: list[DecisionRecord] = []
    while len(records) < len(chosen):
        before = len(records)
        records.extend(map(DecisionRecord, *(itertools.islice(c, PROGRESS_EVERY) for c in columns)))
        if progress is not None:
            progress(len(records) - before)
    return records


def _overlays(policy: Policy, decisions: Decisions, rows: np.ndarray) -> list[tuple[Overlay, ...]]:
    """The overlays that applied to each of ``rows``; identical tuples are one shared object."""
    if not len(policy.overlays):
        return [()] * len(rows)
    applied = decisions.overlay_applied[rows]
    keys = np.hstack([applied, decisions.overlay_changed[rows], decisions.overlay_before[rows],
                      decisions.overlay_after[rows]]).astype(np.int64)
    keys = [keys[:, c] for c in range(keys.shape[1])]

    def build(i: int) -> tuple[Overlay, ...]:
        r = rows[i]
        return tuple(
            Overlay(code=o.code, kind=o.kind, changed_outcome=bool(decisions.overlay_changed[r, k]),
                    before=int(decisions.overlay_before[r, k]), after=int(decisions.overlay_after[r, k]))
            for k, o in enumerate(policy.overlays)
            if decisions.overlay_applied[r, k]
        )

    return _shared(keys, build)


def _shared(keys: list[np.ndarray], build: Callable[[int], Any]) -> list[Any]:
    """One object per distinct row of the key columns (built from its first row), listed per row.

    Integer columns are keys as they are; any other column (floats, text) by ``value_codes``:
    equal values, one code; every missing value, one code."""
    codes, first = group_rows(*[k if k.dtype.kind in "iub" else value_codes(k) for k in keys])
    objects = np.empty(len(first), dtype=object)
    for code, row in enumerate(first.tolist()):
        objects[code] = build(row)
    return objects[codes].tolist()


def _factor_lines(spec: ScorecardSpec, table: pd.DataFrame, result: ScoreResult, moves: list[FactorMoves],
                  row_baseline: np.ndarray, rows: np.ndarray) -> list[tuple[FactorLine, ...]]:
    """Factor lines of ``rows``, one tuple per row; identical lines are one shared object."""
    baseline = np.round(row_baseline[rows], 2)
    per_factor = []
    for j, fs in enumerate(spec.factors):
        factor = spec.profile.factor(fs.name)
        values = record_values(table[fs.column].iloc[rows], factor)
        bins = result.bins[rows, j]
        best_bin = _best_move(moves[j], rows)
        to_values = moves[j].to_value[rows]
        steps = moves[j].steps  # read at (row, bin) for the few distinct lines only
        keys = [bins, baseline[:, j], best_bin, _value_key(fs, table[fs.column].iloc[rows])]

        def build(i: int, j=j, fs=fs, factor=factor, values=values, bins=bins, best_bin=best_bin, to_values=to_values,
                  steps=steps) -> FactorLine:
            b = int(bins[i])
            target = int(best_bin[i])
            bin_ = fs.bins[b]
            better = wait = None
            if target >= 0:
                better = record_value(to_values[i, target], factor)
                # How long the best move takes, from a value (the wait from no record is not known)
                wait = wait_days(factor, int(steps[rows[i], target])) if bin_.kind == "range" else None
            return FactorLine(factor=fs.name, value=values[i], bin=b, bin_label=bin_.label, bin_kind=bin_.kind,
                              bin_lower=bin_.lower, bin_upper=bin_.upper, points=bin_.points,
                              best_points=fs.best_points, baseline_points=float(baseline[i, j]), better_value=better,
                              wait_days=wait)

        per_factor.append(_shared(keys, build))
    return list(zip(*per_factor))


def _best_move(m: FactorMoves, rows: np.ndarray) -> np.ndarray:
    """Per row of ``rows``: the reachable bin with the most points (ties: cheaper, then lower
    index), or -1 when no move gains anything."""
    cost = m.cost[rows]
    gain = np.where(cost < INF, m.gain[rows], -1)
    most = gain.max(axis=1, initial=-1)
    pick = np.where(gain == most[:, None], cost, INF).argmin(axis=1)  # argmin: the first of equal costs
    return np.where(most > 0, pick, -1)


def _reasons(spec: ScorecardSpec, table: pd.DataFrame, result: ScoreResult, reason_index: np.ndarray, reason_below: np.ndarray,
             rows: np.ndarray) -> list[tuple[Reason, ...]]:
    index = reason_index[rows]
    below = np.round(reason_below[rows], 2)
    slots = np.full(index.shape, None, dtype=object)
    bins = result.bins[rows]
    for j, fs in enumerate(spec.factors):
        where = np.argwhere(index == j)
        if len(where) == 0:
            continue
        r, p = where[:, 0], where[:, 1]
        factor = spec.profile.factor(fs.name)
        values = record_values(table[fs.column].iloc[rows[r]], factor)
        keys = [bins[r, j], below[r, p], _value_key(fs, table[fs.column].iloc[rows[r]])]
        bounds = [bin_bounds(b) for b in fs.bins]
        group = factor.group
        members = (tuple(g.name for g in spec.factors if spec.profile.factor(g.name).group == group) if group
                   else (fs.name,))

        def build(i: int, j=j, fs=fs, factor=factor, values=values, r=r, p=p, bounds=bounds, group=group,
                  members=members) -> Reason:
            b = int(bins[r[i], j])
            bin_ = fs.bins[b]
            better = better_bins(fs, b)
            return Reason(code=reason_code(fs.name, bin_.kind, group), factor=fs.name, kind=reason_kind(bin_.kind),
                          points_below_baseline=float(below[r[i], p[i]]), points_below_best=fs.best_points - bin_.points,
                          value=values[i], bin_label=bin_.label, bin_kind=bin_.kind, bin_lower=bin_.lower,
                          bin_upper=bin_.upper, better_bin_labels=tuple(fs.bins[x].label for x in better),
                          better_bins=tuple(bounds[x] for x in better), cause_pages=factor.cause_pages,
                          group=group, factors=members)

        slots[r, p] = _shared(keys, build)
    # rank_reasons packs each row's reasons to the left: row i has its first `count` slots filled
    count = (index >= 0).sum(axis=1).tolist()
    return [tuple(row[:c]) if c else () for row, c in zip(slots.tolist(), count)]
