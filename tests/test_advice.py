"""Advice a person can safely follow: properties of the demo model's records over random applicants.

Every record of a random demo applicant (the trained demo model in ``golden/demo_model.json``, the
demo policy) must keep the profile's advice rules, the policy's margin and affordability guard and
the reason groups; plan 1 must still be the exact cheapest plan, checked against a plain Python
dynamic programme written from the docstrings of ``scorecard.recourse``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scorecard import recourse
from scorecard.datasets.demo import generate
from scorecard.explain import explain_table
from scorecard.policy import condition_holds, decide, default_policy
from scorecard.scoring import score
from scorecard.spec import load_spec

GOLDEN = Path(__file__).resolve().parent / "golden"


@lru_cache(maxsize=1)
def demo():
    return load_spec(GOLDEN / "demo_model.json"), default_policy()


@lru_cache(maxsize=8)
def population(seed: int) -> pd.DataFrame:
    return generate(400, seed)


# Random applicants: rows of the demo generator, with values pushed to the edges where advice
# matters (many platforms, high debt, late payments, no income record, fresh accounts).
applicants = st.builds(
    lambda seed, row, loans, dti, overdue, days, apps, cycles, activity: {
        **population(seed).iloc[row].to_dict(),
        **{k: v for k, v in {"other_platform_loans": loans, "debt_to_income": dti, "overdue_count_12m": overdue,
                             "max_overdue_days_12m": days, "applications_3m": apps,
                             "borrow_repay_cycles_30d": cycles, "monthly_payment_activity": activity}.items()
           if v is not None},
        "identity_verified": 1, "system_status": "ok",
    },
    seed=st.integers(0, 3),
    row=st.integers(0, 399),
    loans=st.one_of(st.none(), st.integers(0, 9)),
    dti=st.one_of(st.none(), st.just(-1.0), st.floats(0, 2).map(lambda x: round(x, 2))),
    overdue=st.one_of(st.none(), st.integers(0, 6)),
    days=st.one_of(st.none(), st.sampled_from([0, 5, 20, 40, 60, 120])),
    apps=st.one_of(st.none(), st.integers(0, 12)),
    cycles=st.one_of(st.none(), st.integers(0, 10)),
    activity=st.one_of(st.none(), st.integers(0, 200)),
)


def _consistent(row: dict) -> dict:
    if row["overdue_count_12m"] == 0:
        row["max_overdue_days_12m"] = 0
    elif row["max_overdue_days_12m"] == 0:
        row["max_overdue_days_12m"] = 1
    return row


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(applicants, min_size=1, max_size=12))
def test_plans_and_reasons_of_random_demo_applicants_follow_the_advice_rules(rows):
    spec, policy = demo()
    profile = spec.profile
    table = pd.DataFrame([_consistent(r) for r in rows])
    table["applicant_id"] = [f"R{i}" for i in range(len(table))]
    conditions = policy.affordability.when_any
    by_column = {f.source_column: f.name for f in profile.factors}
    assert {by_column[c.column] for c in conditions} == {"debt_to_income", "other_platform_loans"}
    for record in explain_table(spec, policy, table):
        if record.score is None:
            continue
        # no two reasons from one group, at most four
        groups = [r.group for r in record.reasons if r.group]
        assert len(groups) == len(set(groups)) and len(record.reasons) <= 4
        grouped = {f.name for f in profile.factors if f.group}
        assert not any(r.factor in grouped and r.group is None for r in record.reasons)
        # the target: the pass line (or the next band) plus the margin
        line = record.cutoff if record.outcome == "declined" else record.next_band_score
        if record.affordability_guard and record.outcome == "approved":
            assert record.recourse_target is None and record.recourse == ()  # never steered to a higher limit
        elif line is not None:
            assert record.recourse_target == line + policy.margin
        for plan in record.recourse:
            assert plan.new_score >= record.recourse_target >= line + policy.margin
            if record.affordability_guard:  # every plan first brings debt out of the guard
                values = {line.factor: line.value for line in record.factors}
                changed = {c.factor: c.to_value for c in plan.changes}
                held = [c for c in conditions if condition_holds(c, np.array([values[by_column[c.column]]], dtype=object))[0]]
                assert held
                for cond in held:
                    factor = by_column[cond.column]
                    assert factor in changed and not condition_holds(cond, np.array([changed[factor]], dtype=object))[0]
            acts = any(profile.factor(c.factor).advice != "wait" for c in plan.changes)
            # an alternative answers "and if I cannot do or wait for X?": something plan 1 changes that
            # it leaves alone is an action, or a wait it beats (not two years beside a 30-day count)
            first_acts = any(c.move != "wait" for c in record.recourse[0].changes)
            if plan is not record.recourse[0] and (acts or not first_acts):
                own = {c.factor for c in plan.changes}
                left = [c for c in record.recourse[0].changes if c.factor not in own]
                assert any(c.move != "wait" or plan.wait_days is None or plan.wait_days < c.wait_days for c in left)
            for change in plan.changes:
                factor = profile.factor(change.factor)
                assert factor.advice in ("act", "wait"), f"a plan changed {factor.advice} factor {factor.name}"
                if change.move == "wait":
                    assert factor.advice == "wait" and change.wait_days and change.wait_days > 0
                    if factor.window_days is not None:
                        assert change.wait_days <= factor.window_days
                        if factor.helps == "decrease":  # stopping takes a window count to its lowest, not "to 3"
                            assert change.to_value == factor.min_value
                elif change.move == "supply":
                    assert factor.supply is not None and change.to_value is None
                else:
                    assert factor.advice == "act" and change.wait_days is None
        for fl in record.factors:
            factor = profile.factor(fl.factor)
            if not factor.advisable:
                assert fl.better_value is None
            if factor.window_days is not None and fl.wait_days is not None:
                assert fl.wait_days <= factor.window_days


# --- plan 1 is still the exact cheapest plan ------------------------------------------------------


def _oracle(gap: int, options: list[list[tuple[int, int]]], must: set[int]) -> int | None:
    """Least cost of one option (or none, unless the factor is in ``must``) per factor gaining at
    least ``gap`` points. Plain dictionaries, no NumPy."""
    best: dict[int, int] = {0: 0}
    for j, opts in enumerate(options):
        nxt: dict[int, int] = {} if j in must else dict(best)
        for s, c in best.items():
            for g, cost in opts:
                key = min(gap, s + g)
                if nxt.get(key, 1 << 62) > c + cost:
                    nxt[key] = c + cost
        best = nxt
    return best.get(gap)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(applicants, min_size=1, max_size=10))
def test_plan_one_is_the_exact_cheapest_plan_with_and_without_the_guard(rows):
    spec, policy = demo()
    table = pd.DataFrame([_consistent(r) for r in rows]).reset_index(drop=True)
    table["applicant_id"] = [f"R{i}" for i in range(len(table))]
    result = score(spec, table)
    decisions = decide(result, policy, table, spec.profile)
    targets = np.where(decisions.hard_rule < 0, decisions.target, -1)
    moves, must = recourse.guard_clearance(spec, policy, table, decisions.guard & (targets >= 0),
                                           recourse.all_moves(spec, table, result))
    plans = recourse.solve(spec, result, targets, moves, must=must)
    for r in range(len(table)):
        gap = int(targets[r] - result.total[r])
        if targets[r] < 0 or gap <= 0:
            assert plans.status[r] == "not_needed"
            continue
        options = [[(int(m.gain[r, b]), int(m.cost[r, b])) for b in range(m.cost.shape[1]) if m.cost[r, b] < recourse.INF]
                   for m in moves]
        expected = _oracle(gap, options, set(np.flatnonzero(must[r]).tolist()))
        if expected is None:
            assert plans.status[r] == "infeasible"
        else:
            assert plans.status[r] == "found" and int(plans.cost[r, 0]) == expected
        # time alone: where records ageing out of their windows reach the target (outside the guard),
        # one plan shown is made only of waits
        if expected is not None and not must[r].any():
            waiting = [spec.profile.factor(f.name).advice == "wait"
                       and f.bins[result.bins[r, j]].kind not in ("special", "missing") for j, f in enumerate(spec.factors)]
            windowed = [w and spec.profile.factor(f.name).window_days is not None for w, f in zip(waiting, spec.factors)]
            if _oracle(gap, [o if windowed[j] else [] for j, o in enumerate(options)], set()) is not None:
                shown = [plans.bins[r, p] for p in range(recourse.MAX_PLANS) if plans.cost[r, p] < recourse.INF]
                assert any(all(b < 0 or waiting[j] for j, b in enumerate(bins)) for bins in shown)
