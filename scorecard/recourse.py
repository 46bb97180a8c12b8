"""Recourse: the cheapest set of bin moves that lifts a score to a target, solved exactly.

The score is a sum of points over factors and each factor sits in one bin, so choosing one bin
per factor (or staying put) at least cost so that the points gained reach the gap is a
multiple-choice knapsack over integer points. It is solved exactly by dynamic programming over
the factors and the points still needed (from the gap down to 0), in integer cost units
(``COST_UNIT`` per unit of effort), so ties are exact and the answer is deterministic.

The target (``policy.decide``): a declined applicant's plans aim at the effective cutoff plus the
policy's ``margin``; an approved applicant below the top band aims at the next band's score plus
the margin (none under the affordability guard). Every plan's new score is at least the target.

What a move may do (the profile's ``advice`` per factor, see ``scorecard.profile``):

* ``fixed`` and ``never`` factors never move: no plan changes them, whatever it would gain;
* special and missing bins are never a target (nobody can be advised to lose a record), and
  only bins that score more than the current one are options;
* ``act`` factors move in their helping direction only, to a value within the profile's
  ``min_value``/``max_value``; the move is an action (``Change.move == "act"``, no wait);
* ``wait`` factors move the same way, by waiting (``Change.move == "wait"``), and the record
  states the wait (:func:`wait_days`, the one rule for every wait a record states): with
  ``window_days: N`` (a count over the last N days) ``min(ceil(steps * days_per_step), N)``, or
  N without ``days_per_step``, since any lower value is reached within N days; otherwise
  ``ceil(steps * days_per_step)``. A wait is never 0 days and never "now";
* the target value is the value inside the target bin nearest to the current one (for whole
  numbers the nearest whole number; for decimals the nearest multiple of the step's decimal
  resolution, e.g. 0.49 for "below 0.5" with step 0.05); except for a count over a rolling window
  that helps by falling: once the person stops, it falls to its ``min_value`` within the window,
  so its only move is to that value (into the bin holding it, where that scores more);
* ``cost = effort_per_step * steps`` with ``steps = ceil(|target - current| / step)``; a flag
  moves in 1 step; a categorical factor (``toward_better_bins``) moves to any better bin in 1
  step, aiming at the first category listed in that bin;
* supplying a record (``supply`` in the profile; ``Change.move == "supply"``): from a special or
  missing bin ("no record of X") the only move is the profile's supply action, 1 step, no wait
  and no target value (``to_value`` None). What the record will show is unknown, so the move
  counts conservatively as landing in the lowest-scoring range (or category) bin, the first of
  equal points; it is an option only when that bin scores more than the no-record bin. A factor
  without ``supply`` never leaves a no-record bin.

Plans: plan 1 is the cheapest. The alternatives answer "and if I cannot change X?": for each
factor X that plan 1 changes, the cheapest plan leaving X where it is (computed exactly from a
prefix and a suffix table of the same dynamic programme). Plans 2 and 3 are the two cheapest
of those whose sets of changed factors differ from each other and from plan 1 (ties: the
earlier factor X); an alternative leaving alone a wait that plan 1 takes is dropped when it waits
at least as long itself (X would have got there by itself by then, unless the person kept doing what
it counts). When some plan made only of rolling-window waits (records that age out by
themselves within their window, such as a late payment leaving a 12-month count) reaches the
target and none of these is made only of waits, the cheapest such plan takes the last place (appended, or
instead of plan 3): someone who can do nothing now learns that time alone gets there. When no combination of moves reaches the
target, the status is ``infeasible``: the page says so plainly instead of inventing a plan.

Under the affordability guard a declined applicant's plans first bring debt out of the guard
(:func:`guard_clearance`): for each guard condition that holds and reads a factor, that factor
must move (its "stay" option removed) and only into bins whose target value no longer meets the
condition; a condition that holds on a column no factor moves leaves no plan (``infeasible``).
The same DP with those rows' "must move" factors gives plan 1, and alternatives leave out only
factors that may stay.

Everything runs on whole batches with NumPy: rows are sorted by gap and solved in chunks.
A table's column is the number of points still needed (the row's gap at the start, 0 once
reached), so every row's table is capped at its own gap and its plans never depend on the rest of
the batch; among plans of equal cost the backtrack prefers leaving a factor alone, then the bin
listed first, and among states of equal cost the one with the fewest points gained so far.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from scorecard.policy import Policy, condition_holds, guard_holds
from scorecard.profile import Factor
from scorecard.records import BinBounds, Change, Plan, record_value
from scorecard.scoring import ScoreResult, numeric_values
from scorecard.spec import Bin, FactorSpec, ScorecardSpec

COST_UNIT = 1_000_000  # integer cost units per unit of effort
INF = np.int64(1 << 60)  # "no way": above any real cost, far below int64 overflow when summed
MAX_PLANS = 3
CHUNK_CELLS = 1 << 19  # rows * (gap + 1) per chunk: bounds the memory of the DP tables
CHUNK_ROWS = 1 << 15
CHUNK_WIDTH_RATIO = 1.5  # see _chunk_bounds
CHUNK_WIDTH_SLACK = 4


@dataclass(frozen=True)
class FactorMoves:
    """Every move of one factor for a batch: column b is "move into bin b"."""

    gain: np.ndarray  # (rows, bins) int64: points gained (only meaningful where cost < INF)
    cost: np.ndarray  # (rows, bins) int64 cost units; INF where the move is not allowed
    steps: np.ndarray  # (rows, bins) int64
    to_value: np.ndarray  # (rows, bins) float (numeric, flag) or object (categorical)


# --- moves of one factor ------------------------------------------------------------------------


def _unit(factor: Factor) -> float:
    """Resolution of target values: whole numbers, or the decimal resolution of the step."""
    if factor.integer:
        return 1.0
    return 10.0 ** math.floor(math.log10(factor.step) + 1e-12)


def _ceil_unit(x: np.ndarray, unit: float) -> np.ndarray:
    return np.round(np.ceil(np.round(x / unit, 9)) * unit, 10)


def _below_unit(x: float, unit: float) -> float:
    """The largest multiple of ``unit`` strictly below ``x``."""
    return round((math.ceil(round(x / unit, 9)) - 1) * unit, 10)


def _supply_bin(factor: Factor, spec_factor: FactorSpec) -> int:
    """Where supplying a missing/special record conservatively lands: the lowest-scoring range or
    category bin (the first of equal points); -1 when the factor has no supply action."""
    if factor.supply is None or not factor.advisable:
        return -1
    valued = [i for i, b in enumerate(spec_factor.bins) if b.kind in ("range", "categories")]
    if not valued:
        return -1
    return min(valued, key=lambda i: (spec_factor.bins[i].points, i))


@dataclass(frozen=True)
class _Statics:
    """What ``factor_moves`` needs from a factor's bins, computed once per factor."""

    points: np.ndarray
    no_record_bin: np.ndarray  # bool per bin: special or missing
    is_range: np.ndarray
    lo: np.ndarray
    up: np.ndarray
    edge: np.ndarray  # the nearest value inside each bin, from the harmful side
    supply_bin: int  # where supplying a record conservatively lands (-1: the factor has no supply)
    specials: np.ndarray
    unit: float


@functools.lru_cache(maxsize=1024)
def _statics(spec_factor: FactorSpec, factor: Factor) -> _Statics:
    bins = spec_factor.bins
    unit = _unit(factor)
    lo = np.array([-np.inf if t.lower is None or t.kind != "range" else t.lower for t in bins])
    up = np.array([np.inf if t.upper is None or t.kind != "range" else t.upper for t in bins])
    if factor.helps == "increase":
        edge = np.array([_ceil_unit(np.array([x]), unit)[0] if np.isfinite(x) else -np.inf for x in lo])
    else:
        edge = np.array([_below_unit(x, unit) if np.isfinite(x) else np.inf for x in up])
    return _Statics(
        points=np.array([b.points for b in bins], dtype=np.int64),
        no_record_bin=np.array([b.kind in ("special", "missing") for b in bins]),
        is_range=np.array([t.kind == "range" for t in bins]),
        lo=lo,
        up=up,
        edge=edge,
        supply_bin=_supply_bin(factor, spec_factor),
        specials=np.array([float(v) for v in factor.special_codes if not isinstance(v, str)], dtype=float),
        unit=unit,
    )


def factor_moves(spec_factor: FactorSpec, factor: Factor, column: pd.Series, bins: np.ndarray) -> FactorMoves:
    """All allowed moves of one factor for every row (vectorised over rows)."""
    n, nb = len(bins), len(spec_factor.bins)
    static = _statics(spec_factor, factor)
    here = static.points[bins]
    gain = static.points[None, :] - here[:, None]
    cost = np.full((n, nb), INF, dtype=np.int64)
    steps = np.zeros((n, nb), dtype=np.int64)
    effort = round(factor.effort_per_step * COST_UNIT)
    if spec_factor.kind == "categorical":
        to_value = np.full((n, nb), None, dtype=object)
    else:
        to_value = np.full((n, nb), np.nan, dtype=float)
    if not factor.advisable or factor.helps == "none" or n == 0:
        return FactorMoves(gain, cost, steps, to_value)

    no_record = static.no_record_bin[bins]
    if static.supply_bin >= 0:  # supplying the record: one action, into the conservative bin
        ok = no_record & (gain[:, static.supply_bin] > 0)
        steps[ok, static.supply_bin] = 1
        cost[ok, static.supply_bin] = effort

    if spec_factor.kind == "categorical":
        for b, target in enumerate(spec_factor.bins):
            if target.kind != "categories" or not target.categories:
                continue
            ok = (gain[:, b] > 0) & ~no_record
            steps[ok, b] = 1
            cost[ok, b] = effort
            to_value[ok, b] = target.categories[0]
        return FactorMoves(gain, cost, steps, to_value)

    # numpy-backed numeric columns convert directly (much cheaper than to_numeric per call)
    values = column.to_numpy(dtype=float) if column.dtype.kind in "iuf" else numeric_values(column)
    start = np.where(no_record, np.nan, values)  # from no record, only the supply move above
    lo_bound = -np.inf if factor.min_value is None else factor.min_value
    hi_bound = np.inf if factor.max_value is None else factor.max_value
    lo, up, edge = static.lo, static.up, static.edge
    s0 = start[:, None]
    with np.errstate(invalid="ignore"):
        if _falls_to_floor(factor):
            # A count over the last N days falls, once the person stops, to its lowest value within
            # N days: any value between is reached in the same time, so it is no plan of its own
            # (and "to 3 cycles" would read as three more being fine).
            floor = float(factor.min_value)  # type: ignore[arg-type]
            t = np.broadcast_to(np.float64(floor), gain.shape)
            ok = (static.is_range & (lo <= floor) & (floor < up))[None, :] & (s0 > floor) & (gain > 0)
        else:
            if factor.helps == "increase":
                t = np.where(s0 >= lo, s0, edge)
                ok = (s0 < up) & (t < up)
            else:
                t = np.where(s0 < up, s0, edge)
                ok = (s0 >= lo) & (t >= lo)
            ok &= static.is_range & (t >= lo_bound) & (t <= hi_bound) & (gain > 0) & np.isfinite(t)
        if len(static.specials):
            ok &= ~np.isin(t, static.specials)
    # steps only for the allowed cells (a minority): the rounding is the costly part
    at = np.flatnonzero(ok)
    t = t.ravel()[at]
    moved = np.ceil(np.round(np.abs(t - start[at // nb]) / factor.step, 9)).astype(np.int64)
    if spec_factor.kind == "flag":
        moved = np.minimum(moved, 1)
    keep = moved > 0
    at, moved = at[keep], moved[keep]
    steps.ravel()[at] = moved
    cost.ravel()[at] = moved * effort
    to_value.ravel()[at] = t[keep]
    return FactorMoves(gain, cost, steps, to_value)


def all_moves(spec: ScorecardSpec, table: pd.DataFrame, result: ScoreResult) -> list[FactorMoves]:
    return [
        factor_moves(f, spec.profile.factor(f.name), table[f.column], result.bins[:, j])
        for j, f in enumerate(spec.factors)
    ]


# --- the dynamic programme ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Group:
    """The rows of a chunk in one current bin of a factor, and their moves (allowed target bins
    in order)."""

    rows: Any  # row indices, or a slice when all rows are in this bin
    gains: list[int]  # points each move gains
    cost_columns: list[np.ndarray]  # each (rows, 1): the move's cost per row
    costs: np.ndarray  # (rows, moves): the same columns side by side
    into_reached: np.ndarray  # (moves,) min(gain, width - 1): states that the move takes to "reached"


def _moves_by_bin(here: np.ndarray, points: np.ndarray, cost: np.ndarray, width: int) -> list[_Group]:
    """One factor's moves in a chunk of tables ``width`` wide, grouped by the rows' current bin.
    Made once per chunk and factor: the prefix, suffix and forced tables share it."""
    order = np.argsort(here, kind="stable")  # rows of one bin stay in row order
    ranked = here[order]
    starts = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]])
    ends = np.r_[starts[1:], len(order)]
    allowed = np.logical_or.reduceat(cost[order] < INF, starts, axis=0)  # (bins here, bins): a move for some row
    groups = []
    for i, (start, end) in enumerate(zip(starts.tolist(), ends.tolist())):
        a = int(ranked[start])
        options = np.flatnonzero((points > points[a]) & allowed[i])
        if not len(options):
            continue
        rows = slice(None) if len(starts) == 1 else order[start:end]
        costs = cost[rows][:, options]
        gains = points[options] - points[a]
        groups.append(_Group(rows, gains.tolist(), [costs[:, [m]] for m in range(len(options))], costs,
                             np.minimum(gains, width - 1)))
    return groups


def _transition(table: np.ndarray, moves: list[_Group], must: np.ndarray | None = None) -> np.ndarray:
    """Add one factor (its ``_moves_by_bin``): table[r, d] = least cost so far with d points still
    needed (0: reached, however far beyond).

    A move gaining g points leads from d + g to d, and from any d <= g to 0. Counting what is
    still needed (rather than what was gained) caps each row at its own gap with no extra work:
    a row's start is its gap, so no state beyond it is ever reached. ``must`` (rows,) bool: rows
    where the factor must move (no "stay" option; the affordability guard). Every update is a
    minimum of values read from the old table, so their order does not matter, and with a value
    already at most INF, so no cell ever exceeds INF.
    """
    width = table.shape[1]
    out = table.copy()  # column "stay": no gain, no cost
    if must is not None:
        out[must] = INF
    for group in moves:
        whole = isinstance(group.rows, slice)
        sub = table[group.rows]
        best = out if whole else out[group.rows]
        for g, c in zip(group.gains, group.cost_columns):
            if g < width - 1:
                np.minimum(best[:, 1 : width - g], sub[:, 1 + g :] + c, out=best[:, 1 : width - g])
        # into "reached" from any d <= g, all moves at once: the least cost within g still needed
        within = np.minimum.accumulate(sub[:, : int(group.into_reached.max()) + 1], axis=1)
        np.minimum(best[:, 0], (within[:, group.into_reached] + group.costs).min(axis=1), out=best[:, 0])
        if not whole:
            out[group.rows] = best
    return out


def _step_back(before: np.ndarray, after: np.ndarray, state: np.ndarray, rows: np.ndarray, t: "_Tables",
               j: int) -> tuple[np.ndarray, np.ndarray]:
    """Which move of one factor led to ``after[r, state[r]]``: (bin or -1 for stay, earlier state).

    Checks "stay" first, then bins in order, so among equal-cost plans the one with fewer
    changes and lower bin indices wins, deterministically. All of the factor's bins are checked
    at once, as (rows, options) arrays.
    """
    here, points, cost, gap, options = t.here[:, j], t.points[j], t.costs[j], t.gap, t.options[j]
    value = after[rows, state]
    choice = np.full(len(rows), -1, dtype=np.int16)
    prev = state.copy()
    moved = before[rows, state] != value  # rows that did not stay (or could not)
    if t.must is not None:
        moved |= t.must[rows, j]
    todo = np.flatnonzero(moved)
    if len(todo) == 0 or not options:
        return choice, prev
    opts = np.asarray(options, dtype=np.int64)
    sub = rows[todo]
    d = state[todo][:, None]  # points still needed after the move
    g = points[opts][None, :] - points[here[sub]][:, None]  # (m, options): points the move gains
    c = cost[sub[:, None], opts[None, :]]
    open_ = (g > 0) & (c < INF)
    exact = open_ & (d > 0) & (d + g <= gap[sub][:, None])
    p = np.where(exact, d + g, 0)
    capped = open_ & (d == 0)
    at_cap = np.flatnonzero(capped.any(axis=1))
    if len(at_cap):
        # Into the reached state 0 from any d' <= g: the least-cost d', the largest of equal cost
        # (the fewest points gained so far); for every end, the last index of the minimum so far.
        hi = np.clip(g[at_cap], 0, before.shape[1] - 1)
        table = before[sub[at_cap], : int(hi.max()) + 1]  # no move reaches further
        width = table.shape[1]
        marks = np.where(table == np.minimum.accumulate(table, axis=1), np.arange(width)[None, :], -1)
        last_min = np.maximum.accumulate(marks, axis=1)
        p[at_cap] = np.where(capped[at_cap], np.take_along_axis(last_min, hi, axis=1), p[at_cap])
    hit = (exact | capped) & (before[sub[:, None], p] + c == value[todo][:, None])
    first = hit.argmax(axis=1)  # the first bin, in options order, that explains the state
    found = np.flatnonzero(hit[np.arange(len(todo)), first])
    choice[todo[found]] = opts[first[found]]
    prev[todo[found]] = p[found, first[found]]
    return choice, prev


@dataclass(frozen=True)
class RecoursePlans:
    """Plans of a batch: ``bins[r, p, j]`` is the target bin of factor j in plan p (-1: no change)."""

    status: np.ndarray  # (rows,) object: not_needed / found / infeasible
    target: np.ndarray  # (rows,) int64: score aimed for (-1 when not needed)
    bins: np.ndarray  # (rows, MAX_PLANS, factors) int16
    cost: np.ndarray  # (rows, MAX_PLANS) int64 cost units; INF where there is no plan


@dataclass(frozen=True)
class _Tables:
    """A chunk's dynamic programme: ``prefix[j]`` over factors 0..j-1, ``suffix[j]`` over j..k-1,
    each (rows, largest gap + 1) by points still needed (see ``_transition``)."""

    gap: np.ndarray  # (rows,)
    here: np.ndarray  # (rows, k) current bins
    points: list[np.ndarray]
    costs: list[np.ndarray]  # per factor (rows, bins)
    options: list[list[int]]  # per factor, the bins that are a move for some row
    active: list[bool]
    by_bin: list[list[_Group]]  # per factor, ``_moves_by_bin``
    prefix: list[np.ndarray | None]  # None where not needed (see _tables)
    suffix: list[np.ndarray | None]
    must: np.ndarray | None  # (rows, k) bool: the factor must move (the affordability guard)


def _tables(gap: np.ndarray, here: np.ndarray, points: list[np.ndarray], costs: list[np.ndarray], *,
            suffix_from: int = 0, must: np.ndarray | None = None) -> _Tables:
    """The tables of a chunk: ``prefix[0..k]`` and ``suffix[suffix_from..k]`` (the others None)."""
    n, k = here.shape
    prefix_to = k
    start = np.full((n, int(gap.max()) + 1), INF, dtype=np.int64)
    start[np.arange(n), gap] = 0  # nothing moved yet: the whole gap still needed
    options = [np.flatnonzero((c < INF).any(axis=0)).tolist() for c in costs]
    active = [bool(o) for o in options]
    by_bin = [_moves_by_bin(here[:, j], points[j], costs[j], start.shape[1]) if active[j] else [] for j in range(k)]
    prefix: list[np.ndarray | None] = [start] + [None] * k
    for j in range(prefix_to):
        must_j = _column_of(must, j)
        prefix[j + 1] = _transition(prefix[j], by_bin[j], must_j) if active[j] or must_j is not None else prefix[j]
    suffix: list[np.ndarray | None] = [None] * k + [start]
    for j in range(k - 1, suffix_from - 1, -1):
        must_j = _column_of(must, j)
        suffix[j] = _transition(suffix[j + 1], by_bin[j], must_j) if active[j] or must_j is not None else suffix[j + 1]
    return _Tables(gap, here, points, costs, options, active, by_bin, prefix, suffix, must)


def _column_of(must: np.ndarray | None, j: int) -> np.ndarray | None:
    """Rows where factor j must move, or None when none must (the unguarded fast path)."""
    if must is None or not must[:, j].any():
        return None
    return must[:, j]


def _join(t: _Tables, left: np.ndarray, ahead: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, ...]:
    """The cheapest plan made of table ``left`` (the factors before f, or up to f) and the
    suffix table ``ahead`` (the factors after f), for ``rows``: (rows where one exists, the state
    of ``left`` with the fewest points gained among the cheapest, the cost, the state of ``ahead``
    with the fewest points gained that completes it).

    With d points still needed after ``left``, ``ahead`` must gain at least d: its states
    gap - d or fewer still needed."""
    gap = t.gap[rows]
    width = left.shape[1]
    cols = np.arange(width)
    ahead_rows = ahead[rows]
    ahead_min = np.minimum.accumulate(ahead_rows, axis=1)  # least cost with at most x still needed
    total = left[rows] + np.take_along_axis(ahead_min, np.maximum(gap[:, None] - cols[None, :], 0), axis=1)
    d1 = width - 1 - total[:, ::-1].argmin(axis=1)  # the largest d of least cost
    value = total[np.arange(len(rows)), d1]
    ok = np.flatnonzero(value < INF)
    rows, d1, value, gap, ahead_rows = rows[ok], d1[ok], value[ok], gap[ok], ahead_rows[ok]
    window = np.where(cols[None, :] <= (gap - d1)[:, None], ahead_rows, INF * 2)
    return rows, d1, value, width - 1 - window[:, ::-1].argmin(axis=1)


def _walk(t: _Tables, rows: np.ndarray, f: np.ndarray, before_f: np.ndarray, after_f: np.ndarray) -> np.ndarray:
    """The bins of plans (rows[i], f[i]) made of ``prefix[f]`` at state ``before_f`` and
    ``suffix[f + 1]`` at state ``after_f`` (factor f itself: -1; f = k: all from the prefix).

    All plans walk back together, one factor at a time (each plan's walk is its own, so the
    result is that of walking them one by one, in far fewer NumPy calls)."""
    k = len(t.active)
    out = np.full((len(rows), k), -1, dtype=np.int16)
    state = before_f.copy()  # the factors before f, from the last back to the first
    for j in range(k - 1, -1, -1):
        live = np.flatnonzero(f > j)
        if t.active[j] and len(live):
            out[live, j], state[live] = _step_back(t.prefix[j], t.prefix[j + 1], state[live], rows[live], t, j)
    state = after_f.copy()  # the factors after f, from the first on
    for j in range(k):
        live = np.flatnonzero(f < j)
        if t.active[j] and len(live):
            out[live, j], state[live] = _step_back(t.suffix[j + 1], t.suffix[j], state[live], rows[live], t, j)
    return out


def _solve_chunk(gap: np.ndarray, here: np.ndarray, points: list[np.ndarray], costs: list[np.ndarray],
                 must: np.ndarray | None = None,
                 waits: list[np.ndarray | None] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Exact plans for rows of one chunk. ``here`` (rows, k) current bins; ``must`` (rows, k): the
    factors each row's plans must move (None: none); ``waits``: per factor, the days each move
    waits (rows, bins; None or 0: an action), for dropping alternatives that outwait what they
    leave alone; returns (bins (rows, MAX_PLANS, k), cost (rows, MAX_PLANS))."""
    n, k = here.shape
    t = _tables(gap, here, points, costs, suffix_from=1, must=must)  # an alternative leaves out factor 0 at the earliest
    best_cost = t.prefix[k][:, 0]  # nothing still needed

    plans = np.full((n, MAX_PLANS, k), -1, dtype=np.int16)
    plan_cost = np.full((n, MAX_PLANS), INF, dtype=np.int64)
    found = np.flatnonzero(best_cost < INF)
    if len(found) == 0:
        return plans, plan_cost
    reached = np.zeros(len(found), dtype=np.int64)  # plan 1 ends with nothing still needed
    first = _walk(t, found, np.full(len(found), k), reached, reached)
    plans[found, 0] = first
    plan_cost[found, 0] = best_cost[found]

    # Alternatives: for each factor f changed by plan 1 (and free to stay), the cheapest plan leaving f alone.
    free = np.ones((len(found), k), dtype=bool) if must is None else ~must[found]
    joined = [(f, *_join(t, t.prefix[f], t.suffix[f + 1], found[(first[:, f] >= 0) & free[:, f]])) for f in range(k)]
    rows = np.concatenate([j[1] for j in joined])
    f_of = np.concatenate([np.full(len(j[1]), j[0]) for j in joined])
    alt_cost = np.full((n, k), INF, dtype=np.int64)
    alt_bins = np.full((n, k, k), -1, dtype=np.int16)
    alt_cost[rows, f_of] = np.concatenate([j[3] for j in joined])
    alt_bins[rows, f_of] = _walk(t, rows, f_of, np.concatenate([j[2] for j in joined]),
                                 np.concatenate([j[4] for j in joined]))
    if waits is not None:
        _drop_outwaiting(alt_cost, alt_bins[rows, f_of], plans[rows, 0], rows, f_of, waits)

    # Plans 2 and 3: the cheapest alternatives whose sets of changed factors are new.
    sets = alt_bins >= 0  # sets[r, f, j]: alternative f changes factor j
    order = np.argsort(alt_cost, axis=1, kind="stable")
    every = np.arange(n)
    taken = np.zeros(n, dtype=np.int64)
    second = np.zeros((n, k), dtype=bool)  # the set of plan 2, once chosen
    has_second = np.zeros(n, dtype=bool)
    for position in range(k):
        f = order[:, position]
        c = alt_cost[every, f]
        live = (c < INF) & (taken < MAX_PLANS - 1)
        if not live.any():
            break
        s = sets[every, f]
        # every alternative leaves out a factor plan 1 changes, so it always differs from plan 1
        fresh = live & (~has_second | (s != second).any(axis=1))
        idx = np.flatnonzero(fresh)
        plans[idx, taken[idx] + 1] = alt_bins[idx, f[idx]]
        plan_cost[idx, taken[idx] + 1] = c[idx]
        becomes_second = fresh & ~has_second
        second[becomes_second] = s[becomes_second]
        has_second |= becomes_second
        taken[idx] += 1
    return plans, plan_cost


def _drop_outwaiting(alt_cost: np.ndarray, alt: np.ndarray, first: np.ndarray, rows: np.ndarray, f_of: np.ndarray,
                     waits: list[np.ndarray | None]) -> None:
    """An alternative leaving alone a wait that plan 1 takes answers "and if I cannot wait for X?".
    If it waits at least as long itself, it answers nothing: by then X has got there by itself
    (account age grows; a rolling-window count falls once the person stops), unless the person
    keeps doing what X counts (two years of account age beside eight borrow-and-repay cycles a
    month). Such an alternative is not offered; a plan of waits alone stays where plan 1 has an
    action (time's own answer). ``alt`` (m, k) and ``first`` (m, k): the bins of each alternative
    (leaving ``f_of`` alone) and of its row's plan 1; in place on ``alt_cost``."""
    m = len(rows)
    longest = np.zeros(m, dtype=np.int64)
    alt_acts = np.zeros(m, dtype=bool)
    first_acts = np.zeros(m, dtype=bool)
    for j, days in enumerate(waits):
        moved, moved_first = alt[:, j] >= 0, first[:, j] >= 0
        if days is None:
            alt_acts |= moved
            first_acts |= moved_first
            continue
        d = np.where(moved, days[rows, np.maximum(alt[:, j], 0)], 0)
        longest = np.maximum(longest, d)
        alt_acts |= moved & (d == 0)
        first_acts |= moved_first & (days[rows, np.maximum(first[:, j], 0)] == 0)
    for f, days in enumerate(waits):
        sel = np.flatnonzero(f_of == f)
        if days is None or len(sel) == 0:
            continue
        waited = days[rows[sel], np.maximum(first[sel, f], 0)]  # plan 1's wait for f (it changes f)
        drop = (waited > 0) & (longest[sel] >= waited) & (alt_acts[sel] | ~first_acts[sel])
        alt_cost[rows[sel][drop], f] = INF


def _add_wait_only(plans: np.ndarray, plan_cost: np.ndarray, gap: np.ndarray, here: np.ndarray,
                   points: list[np.ndarray], wait_costs: list[np.ndarray], waits: np.ndarray) -> None:
    """The cheapest plan made only of rolling-window waits, where one reaches the target and no
    plan shown is made only of waits already (``waits`` (rows, k): the factor's move is a wait): it
    takes the last place (appended, or instead of plan 3). Someone who can do nothing now learns
    that time alone gets there. In place."""
    k = here.shape[1]
    has_plan = plan_cost < INF
    only_waits = has_plan & ~((plans >= 0) & ~waits[:, None, :]).any(axis=2)
    # the most waits alone can gain: rows short of their gap need no table
    reach = sum(np.where(c < INF, points[j][None, :] - points[j][here[:, j]][:, None], 0).max(axis=1, initial=0)
                for j, c in enumerate(wait_costs))
    rows = np.flatnonzero(has_plan[:, 0] & ~only_waits.any(axis=1) & (reach >= gap))
    if len(rows) == 0:
        return
    t = _tables(gap[rows], here[rows], points, [c[rows] for c in wait_costs], suffix_from=k)
    best = t.prefix[k][:, 0]
    found = np.flatnonzero(best < INF)
    if len(found) == 0:
        return
    reached = np.zeros(len(found), dtype=np.int64)
    bins = _walk(t, found, np.full(len(found), k), reached, reached)
    rows = rows[found]
    slot = np.minimum(has_plan[rows].sum(axis=1), MAX_PLANS - 1)
    plans[rows, slot] = bins
    plan_cost[rows, slot] = best[found]


def _chunk_bounds(gaps: np.ndarray) -> list[tuple[int, int]]:
    """Cut rows sorted by gap into chunks [i, j) for the DP.

    A chunk's tables are as wide as its largest gap, so a row with a small gap in a wide chunk
    costs work for nothing: a chunk's widest row is at most ``CHUNK_WIDTH_RATIO`` times (plus
    ``CHUNK_WIDTH_SLACK`` states) as wide as its narrowest, which keeps the wasted cells small,
    while chunks stay big enough that NumPy's per-call overhead does not dominate; cells and rows
    per chunk are bounded for memory. Chunking never changes a plan (each row's tables are capped
    at its own gap)."""
    width = gaps.astype(np.int64) + 1
    bounds, i, n = [], 0, len(width)
    while i < n:
        widest = max(int(width[i] * CHUNK_WIDTH_RATIO), int(width[i]) + CHUNK_WIDTH_SLACK)
        j = int(np.searchsorted(width, widest, side="right"))  # rows no wider than ``widest``
        j = max(i + 1, min(j, i + CHUNK_ROWS))
        while j - i > 1 and (j - i) * int(width[j - 1]) > CHUNK_CELLS:
            j = i + max(1, CHUNK_CELLS // int(width[j - 1]))
        bounds.append((i, j))
        i = j
    return bounds


def solve(spec: ScorecardSpec, result: ScoreResult, targets: np.ndarray, moves: list[FactorMoves],
          must: np.ndarray | None = None) -> RecoursePlans:
    """Exact plans for every row whose score is below its target (``targets < 0``: none wanted).

    ``must`` (rows, factors) bool: factors every plan of the row must move (the affordability
    guard, see ``guard_clearance``, whose moves are the ones to pass)."""
    here = result.bins
    n, k = here.shape
    points = [np.array([b.points for b in f.bins], dtype=np.int64) for f in spec.factors]
    targets = np.asarray(targets, dtype=np.int64)
    gap = np.where(targets >= 0, targets - result.total, 0).astype(np.int64)
    need = gap > 0
    status = np.full(n, "not_needed", dtype=object)
    status[need] = "infeasible"
    plans = np.full((n, MAX_PLANS, k), -1, dtype=np.int16)
    cost = np.full((n, MAX_PLANS), INF, dtype=np.int64)
    # The most a row can gain: every factor at its best allowed bin. Short of the gap: infeasible.
    reachable = np.zeros(n, dtype=np.int64)
    for m in moves:
        reachable += np.where(m.cost < INF, m.gain, 0).max(axis=1, initial=0)
    guarded = np.zeros(n, dtype=bool) if must is None else np.asarray(must, dtype=bool).any(axis=1)
    feasible = need & (reachable >= gap)
    # where a factor's move is a wait (outside a no-record bin), and a rolling-window wait: the
    # time-only plan's moves
    waiting, windowed = [], []
    wait_tables: list[np.ndarray | None] = []  # per wait factor, the days each move waits (rows, bins)
    for j, f in enumerate(spec.factors):
        no_record = np.array([b.kind in ("special", "missing") for b in f.bins])
        factor = spec.profile.factor(f.name)
        waiting.append((factor.advice == "wait") & ~no_record[here[:, j]])
        windowed.append(waiting[-1] & (factor.window_days is not None))
        wait_tables.append(_wait_table(factor, moves[j].steps, waiting[-1]) if factor.advice == "wait" else None)
    for under_guard in (False, True):  # rows without a factor that must move take the fast path
        todo = np.flatnonzero(feasible & (guarded == under_guard))
        todo = todo[np.argsort(gap[todo], kind="stable")]  # similar gaps share a chunk
        for i, j in _chunk_bounds(gap[todo]):
            rows = todo[i:j]
            costs = [m.cost[rows] for m in moves]
            chunk_plans, chunk_cost = _solve_chunk(gap[rows], here[rows], points, costs,
                                                   must[rows] if under_guard else None,
                                                   [None if w is None else w[rows] for w in wait_tables])
            if not under_guard:  # under the guard time alone never clears the debt
                _add_wait_only(chunk_plans, chunk_cost, gap[rows], here[rows], points,
                               [np.where(w[rows][:, None], c, INF) for w, c in zip(windowed, costs)],
                               np.stack([w[rows] for w in waiting], axis=1))
            plans[rows] = chunk_plans
            cost[rows] = chunk_cost
            status[rows[chunk_cost[:, 0] < INF]] = "found"
    return RecoursePlans(status=status, target=np.where(need, targets, -1), bins=plans, cost=cost)


def guard_clearance(spec: ScorecardSpec, policy: Policy, table: pd.DataFrame, guard: np.ndarray,
                    moves: list[FactorMoves]) -> tuple[list[FactorMoves], np.ndarray]:
    """The moves plans may use under the affordability guard, and the factors they must move.

    For each guard condition holding for a row under the guard: the factor reading its column
    must move (``must[r, j]``), and only into bins whose target value no longer meets the
    condition (the others cost INF for that row). A condition holding on a column no factor moves
    (or on the segment or date) cannot be cleared: that row gets no move at all (``infeasible``).
    Rows outside the guard keep their moves; the cards still read the unrestricted ``moves``."""
    n, k = len(table), len(spec.factors)
    must = np.zeros((n, k), dtype=bool)
    guard = np.asarray(guard, dtype=bool)
    if not guard.any():
        return list(moves), must
    by_column = {f.column: j for j, f in enumerate(spec.factors)}
    costs = [m.cost for m in moves]
    blocked = np.zeros(n, dtype=bool)
    for cond, holds in guard_holds(policy, table, spec.profile):
        holds = holds & guard
        j = by_column.get(cond.column) if cond.column is not None else None
        if j is None:
            blocked |= holds
            continue
        still = condition_holds(cond, moves[j].to_value)
        costs[j] = np.where(holds[:, None] & still, INF, costs[j])
        must[:, j] |= holds
    if blocked.any():
        costs = [np.where(blocked[:, None], INF, c) for c in costs]
    out = [m if c is m.cost else FactorMoves(m.gain, c, m.steps, m.to_value) for m, c in zip(moves, costs)]
    return out, must


# --- plans as records ---------------------------------------------------------------------------


def value_codes(values: Any) -> np.ndarray:
    """int64 codes equal exactly where ``values`` (a list or array of plain values) are equal;
    every missing value (None, NaN) gets the same code."""
    codes, _ = pd.factorize(pd.Series(values, dtype=object) if isinstance(values, list) else pd.Series(values),
                            use_na_sentinel=True)
    return codes.astype(np.int64)


def group_rows(*keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Group rows by several integer key columns: (group code per row, first row of each group),
    groups numbered in order of their first row."""
    combined = np.zeros(len(keys[0]), dtype=np.int64)
    for key in keys:
        key = np.asarray(key, dtype=np.int64)
        low = int(key.min(initial=0))
        span = int(key.max(initial=0)) - low + 1
        if span > 1:
            combined, _ = pd.factorize(combined * span + (key - low))
            combined = combined.astype(np.int64)
    codes, _ = pd.factorize(combined)
    # codes count up in order of first appearance: a group starts where a code exceeds all before it
    first = np.flatnonzero(np.r_[True, codes[1:] > np.maximum.accumulate(codes)[:-1]]) if len(codes) else codes
    return codes.astype(np.int64), first


def _wait_table(factor: Factor, steps: np.ndarray, waiting: np.ndarray) -> np.ndarray:
    """The days each move of a wait factor waits (:func:`wait_days`, vectorised), 0 for rows whose
    move is not a wait (supplying a record)."""
    if factor.days_per_step is None:
        days = np.full(steps.shape, int(factor.window_days or 0), dtype=np.int32)
    else:
        days = np.maximum(1, np.ceil(steps * factor.days_per_step)).astype(np.int32)
        if factor.window_days is not None:
            days = np.minimum(days, int(factor.window_days))
    return np.where(waiting[:, None], days, 0).astype(np.int32)


def _falls_to_floor(factor: Factor) -> bool:
    """A rolling-window count that helps by falling: its only move is to its lowest value."""
    return (factor.advice == "wait" and factor.window_days is not None and factor.helps == "decrease"
            and factor.min_value is not None)


def wait_days(factor: Factor, steps: int) -> int | None:
    """How long ``steps`` steps of a wait factor take, in whole days (the module docstring's one
    rule; a window caps it); None for other factors (their moves are actions)."""
    if factor.advice != "wait":
        return None
    window = factor.window_days
    if factor.days_per_step is None:
        return int(window) if window is not None else None
    days = max(1, int(math.ceil(int(steps) * factor.days_per_step)))
    return min(days, int(window)) if window is not None else days


def move_kind(factor: Factor, from_bin_kind: str) -> str:
    """How a change of ``factor`` from a bin of ``from_bin_kind`` is made: "supply" (a missing or
    special record, supplied by the profile's action), "wait" or "act"."""
    if from_bin_kind in ("special", "missing"):
        return "supply"
    return "wait" if factor.advice == "wait" else "act"


def bin_bounds(spec_bin: Bin) -> BinBounds:
    """A spec bin as a record names it: kind, bounds of a range, categories of a group."""
    ranged = spec_bin.kind == "range"
    return BinBounds(kind=spec_bin.kind, lower=spec_bin.lower if ranged else None,
                     upper=spec_bin.upper if ranged else None, categories=spec_bin.categories)


def cost_of(units: int) -> float:
    return round(int(units) / COST_UNIT, 6)


class PlanBuilder:
    """Turns plan arrays into record objects, sharing identical changes between applicants.

    A change is fully determined by (factor, current bin, current value, target bin), so it is
    built once per distinct key; records are frozen, so sharing is safe.
    """

    def __init__(self, spec: ScorecardSpec, plans: RecoursePlans, moves: list[FactorMoves], result: ScoreResult,
                 values: list[list[Any]]):
        self.spec, self.plans, self.moves, self.result, self.values = spec, plans, moves, result, values
        self.factors = [spec.profile.factor(f.name) for f in spec.factors]
        self.bounds = [[bin_bounds(b) for b in f.bins] for f in spec.factors]
        self.changes: dict[tuple, tuple[Change, int]] = {}
        self._codes: dict[int, np.ndarray] = {}

    def _value_codes(self, j: int) -> np.ndarray:
        """Per row, a code equal for rows whose values of factor j are equal (missing: one code)."""
        codes = self._codes.get(j)
        if codes is None:
            codes = self._codes[j] = value_codes(self.values[j])
        return codes

    def _change(self, j: int, row: int, here: int, b: int) -> tuple[Change, int]:
        value = self.values[j][row]
        key = (j, here, value, b)
        hit = self.changes.get(key)
        if hit is not None:
            return hit
        fs, factor, m = self.spec.factors[j], self.factors[j], self.moves[j]
        kind = move_kind(factor, fs.bins[here].kind)
        change = Change(
            factor=fs.name,
            from_value=record_value(value, factor),
            to_value=record_value(m.to_value[row, b], factor),
            from_bin=fs.bins[here].label,
            to_bin=fs.bins[b].label,
            from_bounds=self.bounds[j][here],
            to_bounds=self.bounds[j][b],
            points_gain=int(m.gain[row, b]),
            cost=cost_of(m.cost[row, b]),
            wait_days=None if kind == "supply" else wait_days(factor, int(m.steps[row, b])),
            remedy_pages=factor.remedy_pages,
            move=kind,
        )
        self.changes[key] = (change, int(m.cost[row, b]))
        return self.changes[key]

    def plans_of(self, row: int) -> tuple[Plan, ...]:
        """The plans of one row, cheapest first, changes in factor order."""
        out = []
        here = self.result.bins[row].tolist()
        total = int(self.result.total[row])
        for p, (targets, units) in enumerate(zip(self.plans.bins[row].tolist(), self.plans.cost[row].tolist())):
            if units >= INF:
                break
            changes = []
            for j, b in enumerate(targets):
                if b >= 0:
                    changes.append(self._change(j, row, here[j], b)[0])
            waits = [c.wait_days for c in changes if c.wait_days is not None]
            out.append(
                Plan(
                    changes=tuple(changes),
                    new_score=total + sum(c.points_gain for c in changes),
                    cost=cost_of(units),
                    wait_days=max(waits) if waits else None,
                )
            )
        return tuple(out)


    def plans_for(self, rows: np.ndarray) -> list[tuple[Plan, ...]]:
        """The plans of many rows at once (same result as ``plans_of`` row by row)."""
        rows = np.asarray(rows, dtype=np.int64)
        if len(rows) == 0:
            return []
        sub = self.plans.bins[rows]  # (m, plans, k)
        r, p, j = np.nonzero(sub >= 0)  # row-major: by row, then plan, then factor
        b = sub[r, p, j].astype(np.int64)
        row = rows[r]
        here = self.result.bins[row, j].astype(np.int64)
        changes = np.empty(len(r), dtype=object)
        gains = np.zeros(len(r), dtype=np.int64)
        waits = np.full(len(r), -1, dtype=np.int64)
        for jj in np.unique(j).tolist():
            at = np.flatnonzero(j == jj)
            codes, first = group_rows(here[at], b[at], self._value_codes(jj)[row[at]])
            built = [self._change(jj, int(row[at[i]]), int(here[at[i]]), int(b[at[i]]))[0] for i in first.tolist()]
            objects = np.empty(len(built), dtype=object)
            objects[:] = built
            changes[at] = objects[codes]
            gains[at] = np.array([c.points_gain for c in built])[codes]
            waits[at] = np.array([-1 if c.wait_days is None else c.wait_days for c in built])[codes]
        # one plan per (row, plan) pair
        pair = r * MAX_PLANS + p
        starts = np.flatnonzero(np.r_[True, pair[1:] != pair[:-1]])
        ends = np.r_[starts[1:], len(pair)]
        gained = np.add.reduceat(gains, starts) if len(starts) else np.zeros(0, dtype=np.int64)
        longest = np.maximum.reduceat(waits, starts) if len(starts) else np.zeros(0, dtype=np.int64)
        # every plan's fields as whole columns, then one constructor call per plan (no per-plan Python arithmetic)
        pair_row, pair_plan = r[starts], p[starts]
        new_score = (self.result.total[rows][pair_row] + gained).tolist()
        cost = np.round(self.plans.cost[rows] / COST_UNIT, 6)[pair_row, pair_plan].tolist()
        wait = [None if w < 0 else w for w in longest.tolist()]
        change_list = changes.tolist()
        built = list(map(Plan, [tuple(change_list[s:e]) for s, e in zip(starts.tolist(), ends.tolist())], new_score,
                         cost, wait))  # positional: a million plans feel keywords
        bounds = np.r_[0, np.cumsum(np.bincount(pair_row, minlength=len(rows)))].tolist()
        return [tuple(built[a:z]) for a, z in zip(bounds[:-1], bounds[1:])]


def build_plans(spec: ScorecardSpec, plans: RecoursePlans, moves: list[FactorMoves], result: ScoreResult,
                raw_values: list[Any], row: int) -> tuple[Plan, ...]:
    """The plans of one row as record objects (see ``PlanBuilder`` for batches)."""
    return PlanBuilder(spec, plans, moves, result, raw_values).plans_of(row)
