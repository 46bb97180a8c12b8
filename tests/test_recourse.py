"""Recourse plans: reach the target, respect the profile, cost the least (checked by brute force)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _decision_fixtures import tiny_row, tiny_spec, tiny_table
from scorecard import recourse
from scorecard.records import record_values
from scorecard.scoring import score

SPEC = tiny_spec()
PROFILE = SPEC.profile


def plans_for(rows: list[dict], targets: list[int]):
    table = tiny_table(rows)
    result = score(SPEC, table)
    moves = recourse.all_moves(SPEC, table, result)
    plans = recourse.solve(SPEC, result, np.array(targets), moves)
    values = [record_values(table[f.column], PROFILE.factor(f.name)) for f in SPEC.factors]
    built = [recourse.build_plans(SPEC, plans, moves, result, values, i) for i in range(len(rows))]
    return table, result, plans, built


# --- an independent oracle: the documented cost rule, one value at a time ---------------------


def oracle_options(name: str, value) -> list[tuple[int, int, float]]:
    """(bin, points gained, cost) of every allowed move of one factor, written from the docs."""
    fs = SPEC.factor(name)
    factor = PROFILE.factor(name)
    current = int(score(SPEC, pd.DataFrame([tiny_row(**{name: value})])).bins[0, SPEC.factor_names.index(name)])
    here = fs.bins[current]
    out = []
    if factor.advice in ("fixed", "never"):
        return out
    if here.kind in ("special", "missing"):
        # supplying the record: one action, counted as the lowest-scoring range or category bin
        if factor.supply is None:
            return out
        valued = [i for i, b in enumerate(fs.bins) if b.kind in ("range", "categories")]
        land = min(valued, key=lambda i: (fs.bins[i].points, i))
        if fs.bins[land].points > here.points:
            out.append((land, fs.bins[land].points - here.points, factor.effort_per_step))
        return out
    for b, target in enumerate(fs.bins):
        if target.points <= here.points or target.kind in ("special", "missing"):
            continue
        if fs.kind == "categorical":
            out.append((b, target.points - here.points, factor.effort_per_step))
            continue
        unit = 1.0 if factor.integer else 10 ** math.floor(math.log10(factor.step))
        lo = -math.inf if target.lower is None else target.lower
        up = math.inf if target.upper is None else target.upper
        start = value
        if factor.advice == "wait" and factor.window_days is not None and factor.helps == "decrease":
            # a rolling-window count falls to its lowest value once the person stops: only that move
            floor = factor.min_value
            if lo <= floor < up and start > floor:
                out.append((b, target.points - here.points,
                            math.ceil(round((start - floor) / factor.step, 9)) * factor.effort_per_step))
            continue
        if factor.helps == "increase":
            if start >= up:
                continue
            t = start if start >= lo else math.ceil(round(lo / unit, 9)) * unit
        else:
            if start < lo:
                continue
            t = start if start < up else (math.ceil(round(up / unit, 9)) - 1) * unit
        if not (lo <= t < up) or not (factor.min_value <= t <= factor.max_value):
            continue
        steps = math.ceil(round(abs(t - start) / factor.step, 9))
        if fs.kind == "flag":
            steps = min(steps, 1)
        out.append((b, target.points - here.points, steps * factor.effort_per_step))
    return out


def brute_force(row: dict, gap: int, leave_alone: str | None = None) -> float:
    per_factor = []
    for f in SPEC.factors:
        options = [(0, 0.0)]
        if f.name != leave_alone:
            options += [(g, c) for _, g, c in oracle_options(f.name, row[f.name])]
        per_factor.append(options)
    best = math.inf
    for combo in itertools.product(*per_factor):
        if sum(g for g, _ in combo) >= gap:
            best = min(best, sum(c for _, c in combo))
    return best


rows = st.fixed_dictionaries(
    {
        "identity_verified": st.sampled_from([0, 1]),
        "overdue_count": st.integers(0, 8),
        "other_platform_loans": st.integers(0, 12),
        "debt_to_income": st.one_of(st.just(-1.0), st.none(), st.floats(0, 3).map(lambda x: round(x, 2))),
        "profile_completeness": st.integers(0, 100),
        "city": st.sampled_from(["A", "B", "C", "D"]),
        "age": st.integers(18, 75),
    }
).map(lambda values: tiny_row(**values))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(row=rows, lift=st.integers(1, 160))
def test_plans_reach_the_target_within_the_rules_at_least_cost(row, lift):
    base = int(score(SPEC, tiny_table([row])).total[0])
    target = base + lift
    table, result, plans, built = plans_for([row], [target])
    optimum = brute_force(row, lift)
    if math.isinf(optimum):
        assert plans.status[0] == "infeasible" and built[0] == ()
        return
    assert plans.status[0] == "found"
    assert built[0][0].cost == round(optimum, 6)
    for plan in built[0]:
        changed = dict(row)
        lands = 0
        for change in plan.changes:
            factor = PROFILE.factor(change.factor)
            assert factor.advice in ("act", "wait")
            if change.move == "supply":  # one action, no target value; counted at the worst bin
                assert factor.supply is not None and change.to_value is None and change.wait_days is None
                assert change.from_bounds.kind in ("special", "missing") and change.cost == factor.effort_per_step
                worst = min(b.points for b in SPEC.factor(change.factor).bins if b.kind in ("range", "categories"))
                lands += worst - next(b.points for b in SPEC.factor(change.factor).bins
                                      if b.label == change.from_bin)
                changed[change.factor] = None  # scored below from the points it is counted at
                continue
            assert change.move == ("wait" if factor.advice == "wait" else "act")
            if factor.helps == "increase":
                assert change.to_value > change.from_value
            elif factor.helps == "decrease":
                assert change.to_value < change.from_value
            if factor.min_value is not None:
                assert factor.min_value <= change.to_value <= factor.max_value
            if change.move == "wait":
                assert 0 < change.wait_days <= factor.window_days
            else:
                assert change.wait_days is None
            changed[change.factor] = change.to_value
        supplied = [c for c in plan.changes if c.move == "supply"]
        rescored = score(SPEC, tiny_table([changed]))
        missing_points = sum(next(b.points for b in SPEC.factor(c.factor).bins if b.kind == "missing") -
                             next(b.points for b in SPEC.factor(c.factor).bins if b.label == c.from_bin)
                             for c in supplied)
        assert int(rescored.total[0]) - missing_points + lands == plan.new_score >= target
        assert plan.cost == round(sum(c.cost for c in plan.changes), 6)
    sets = [frozenset(c.factor for c in plan.changes) for plan in built[0]]
    assert len(set(sets)) == len(sets), "plans must change different sets of factors"
    assert [p.cost for p in built[0]] == sorted(p.cost for p in built[0])
    if len(built[0]) > 1:
        # plan 2: the cheapest plan that leaves one of plan 1's factors where it is
        # (or a dearer one, where the cheapest outwaits a rolling-window count it leaves alone)
        assert built[0][1].cost >= round(min(brute_force(row, lift, leave_alone=f) for f in sets[0]), 6)


def test_worked_example_matches_hand_calculation():
    row = tiny_row(other_platform_loans=4, overdue_count=2, debt_to_income=0.8)
    _, result, plans, built = plans_for([row], [560])
    assert int(result.total[0]) == 490
    first, second = built[0]
    # overdue 2 -> 0 by waiting 2 x 60 days (3 per step); debt-to-income 0.8 -> 0.29 in 11 steps of 0.05
    assert [(c.factor, c.from_value, c.to_value, c.points_gain, c.cost, c.wait_days) for c in first.changes] == [
        ("overdue_count", 2, 0, 30, 6.0, 120),
        ("debt_to_income", 0.8, 0.29, 40, 4.4, None),
    ]
    assert (first.new_score, first.cost, first.wait_days) == (560, 10.4, 120)
    # if waiting is not an option: pay off the other-platform loans 4 -> 0 instead
    assert [(c.factor, c.to_value) for c in second.changes] == [("other_platform_loans", 0), ("debt_to_income", 0.29)]
    assert second.cost == 12.4 and second.wait_days is None


def test_a_missing_record_is_supplied_by_one_action_never_turned_into_a_target_value():
    # No debt-to-income at all (20 points): providing the income record is one action (0.4), counted
    # conservatively at the worst range bin (30 points), never "from no record to 0.96 x income".
    row = tiny_row(debt_to_income=None, city="D", profile_completeness=35)
    base = int(score(SPEC, tiny_table([row])).total[0])
    _, result, plans, built = plans_for([row], [base + 10])
    (plan,) = built[0][:1]
    (dti,) = plan.changes
    assert (dti.factor, dti.move, dti.from_value, dti.to_value, dti.points_gain, dti.cost, dti.wait_days) == (
        "debt_to_income", "supply", None, None, 10, 0.4, None)
    # The special code -1 scores 40, more than the worst range bin: supplying it cannot be promised to help
    special = tiny_row(debt_to_income=-1)
    here = int(score(SPEC, tiny_table([special])).total[0])
    _, _, _, built = plans_for([special], [here + 5])
    assert all(c.factor != "debt_to_income" for p in built[0] for c in p.changes)


def test_a_wait_over_a_window_is_never_longer_than_the_window():
    # 3 late payments -> 0: 3 steps of 60 days would be 180, but each leaves the 150-day window within 150 days
    row = tiny_row(overdue_count=3, other_platform_loans=0)
    base = int(score(SPEC, tiny_table([row])).total[0])
    _, _, _, built = plans_for([row], [base + 60])
    waits = [c for p in built[0] for c in p.changes if c.factor == "overdue_count"]
    assert waits and all(c.move == "wait" and c.wait_days == 150 for c in waits)


def test_fixed_factor_only_gap_is_infeasible_and_said_plainly():
    best = tiny_row(age=18)  # every other factor already at its best bin; age is fixed
    _, result, plans, built = plans_for([best], [int(score(SPEC, tiny_table([best])).total[0]) + 5])
    assert plans.status[0] == "infeasible" and built[0] == ()


def test_rows_without_a_target_need_nothing():
    _, _, plans, built = plans_for([tiny_row(), tiny_row()], [-1, 100])
    assert list(plans.status) == ["not_needed", "not_needed"] and built == [(), ()]


def test_batch_gives_the_same_plans_as_one_row_at_a_time():
    rng = np.random.default_rng(3)
    batch = [tiny_row(overdue_count=int(rng.integers(0, 6)), other_platform_loans=int(rng.integers(0, 9)),
                      debt_to_income=float(np.round(rng.uniform(0, 2), 2)), city=str(rng.choice(list("ABCD"))),
                      profile_completeness=int(rng.integers(0, 101))) for _ in range(120)]
    targets = [560 + int(rng.integers(-40, 60)) for _ in batch]
    _, _, _, together = plans_for(batch, targets)
    alone = [plans_for([row], [t])[3][0] for row, t in zip(batch, targets)]
    assert together == alone


def test_bulk_plan_assembly_equals_row_by_row():
    rng = np.random.default_rng(5)
    batch = [tiny_row(overdue_count=int(rng.integers(0, 6)), other_platform_loans=int(rng.integers(0, 9)),
                      debt_to_income=float(np.round(rng.uniform(0, 2), 2)), city=str(rng.choice(list("ABCD"))),
                      age=int(rng.integers(18, 76))) for _ in range(200)]
    table = tiny_table(batch)
    result = score(SPEC, table)
    moves = recourse.all_moves(SPEC, table, result)
    plans = recourse.solve(SPEC, result, np.full(len(batch), 560), moves)
    values = [record_values(table[f.column], PROFILE.factor(f.name)) for f in SPEC.factors]
    builder = recourse.PlanBuilder(SPEC, plans, moves, result, values)
    rows = np.flatnonzero(plans.status == "found")
    assert len(rows) > 100
    assert builder.plans_for(rows) == [builder.plans_of(int(r)) for r in rows]


def test_chunks_never_change_a_plan(monkeypatch):
    """Rows are solved in chunks of similar gaps; one chunk for all rows, or one per gap, gives the
    same plans, with and without the affordability guard."""
    rng = np.random.default_rng(8)
    batch = [tiny_row(overdue_count=int(rng.integers(0, 6)), other_platform_loans=int(rng.integers(0, 9)),
                      debt_to_income=float(np.round(rng.uniform(0, 2), 2)), city=str(rng.choice(list("ABCD"))),
                      age=int(rng.integers(18, 76))) for _ in range(300)]
    table = tiny_table(batch)
    result = score(SPEC, table)
    moves = recourse.all_moves(SPEC, table, result)
    targets = result.total + rng.integers(-20, 120, len(batch))
    # under a "guard" a row must move one or both of two factors, and only into their better bins
    debt = [j for j, f in enumerate(SPEC.factors) if f.name in ("debt_to_income", "other_platform_loans")]
    must = np.zeros((len(batch), len(SPEC.factors)), dtype=bool)
    must[:, debt] = rng.random((len(batch), len(debt))) < 0.3
    assert must.any(axis=1).sum() > 50

    def solved() -> recourse.RecoursePlans:
        return recourse.solve(SPEC, result, targets, moves, must=must)

    usual = solved()
    assert (usual.status == "found").sum() > 100 and len(np.unique(targets - result.total)) > 50
    monkeypatch.setattr(recourse, "CHUNK_WIDTH_RATIO", 1e9)  # one chunk for all
    everything = solved()
    monkeypatch.setattr(recourse, "CHUNK_WIDTH_RATIO", 1.0)
    monkeypatch.setattr(recourse, "CHUNK_WIDTH_SLACK", 0)  # one chunk per gap
    per_gap = solved()
    for other in (everything, per_gap):
        for field in ("status", "target", "bins", "cost"):
            assert np.array_equal(getattr(usual, field), getattr(other, field)), field
