"""Principal reasons: baselines from the reference population, ranking, stable codes."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _decision_fixtures import random_tiny_table, tiny_row, tiny_spec, tiny_table, with_reference
from scorecard import reasons
from scorecard.errors import SpecError
from scorecard.scoring import score
from scorecard.spec import from_json, to_json

SPEC = tiny_spec()
K = len(SPEC.factors)


def reference_with(bands: list[tuple[int, int, float]]) -> dict:
    """Bands (lower, count, points of every factor)."""
    return {
        "band_width": 5,
        "rows": sum(c for _, c, _ in bands),
        "factors": list(SPEC.factor_names),
        "bands": [{"lower": lo, "count": c, "mean_points": [p] * K} for lo, c, p in bands],
    }


def test_reference_points_are_band_counts_and_means_of_the_training_rows():
    table = tiny_table([tiny_row(), tiny_row(other_platform_loans=2), tiny_row(debt_to_income=1.5)])
    result = score(SPEC, table)
    assert result.total.tolist() == [595, 580, 530]
    ref = reasons.reference_points(SPEC, result)
    assert [(b["lower"], b["count"]) for b in ref["bands"]] == [(530, 1), (580, 1), (595, 1)]
    assert ref["bands"][0]["mean_points"] == result.points[2].tolist()
    assert ref["rows"] == 3 and ref["factors"] == list(SPEC.factor_names)


def test_reference_is_part_of_the_checksummed_spec():
    spec = with_reference(SPEC, random_tiny_table(500, 1))
    assert spec.reference and spec.sha256 != SPEC.sha256
    assert from_json(to_json(spec)) == spec
    data = json.loads(to_json(spec))
    data["reference"]["bands"][0]["count"] += 1
    with pytest.raises(SpecError, match="checksum mismatch"):
        from_json(json.dumps(data))


def test_cutoff_average_starts_at_the_cutoff_and_takes_at_least_200_applicants():
    spec = replace(SPEC, reference=reference_with([(550, 500, 10.0), (560, 150, 20.0), (565, 100, 30.0), (570, 400, 40.0)]))
    # cutoff 560: bands 560 and 565 hold 250 >= max(200, 1% of 1150)
    assert reasons.baseline_points(spec, "cutoff_average", 560).tolist() == [round((150 * 20 + 100 * 30) / 250, 2)] * K
    # cutoff 562: the band starting at 560 holds scores below 562, so it starts at 565
    assert reasons.baseline_points(spec, "cutoff_average", 562).tolist() == [round((100 * 30 + 400 * 40) / 500, 2)] * K
    # nobody near a very high cutoff: the nearest applicants below make up the numbers
    assert reasons.baseline_points(spec, "cutoff_average", 600).tolist() == [40.0] * K
    assert reasons.baseline_points(spec, "population_average").tolist() == [round((5000 + 3000 + 3000 + 16000) / 1150, 2)] * K
    assert reasons.baseline_points(spec, "best_points").tolist() == [f.best_points for f in SPEC.factors]


def test_one_percent_rule_for_large_reference_populations():
    spec = replace(SPEC, reference=reference_with([(560, 250, 10.0), (565, 1000, 20.0), (570, 100_000, 30.0)]))
    # 1% of 101,250 rows is 1,013: the first two bands hold 1,250
    assert reasons.baseline_points(spec, "cutoff_average", 560)[0] == round((2500 + 20000) / 1250, 2)


def test_averages_need_a_reference_population():
    with pytest.raises(SpecError, match="no reference population.*--baseline best_points"):
        reasons.baseline_points(SPEC, "cutoff_average", 560)
    assert reasons.baseline_points(SPEC, "best_points").shape == (K,)


def test_ranking_keeps_real_shortfalls_only_most_important_first_ties_in_factor_order():
    points = np.array([[10, 20, 30, 40, 50, 60, 70]])
    base = np.array([20, 30, 30.5, 40.6, 60, 70, 72])
    index, below = reasons.rank_reasons(points, base)
    # shortfalls: 10, 10, 0.5 (not > 0.5), 0.6, 10, 10, 2 -> four largest, ties by factor order
    assert index.tolist() == [[0, 1, 4, 5]]
    assert below.tolist() == [[10.0, 10.0, 10.0, 10.0]]
    index, below = reasons.rank_reasons(np.array([[20, 30, 30, 40, 60, 70, 71]]), base)
    assert index.tolist() == [[6, 3, -1, -1]] and below.tolist() == [[1.0, 0.6, 0.0, 0.0]]


def test_codes_tell_a_bad_value_from_no_record():
    assert reasons.reason_code("debt_to_income", "range") == "DEBT_TO_INCOME.VALUE"
    assert reasons.reason_code("debt_to_income", "special") == "DEBT_TO_INCOME.SPECIAL"
    assert reasons.reason_code("city", "missing") == "CITY.MISSING"
    assert reasons.reason_code("city", "categories") == "CITY.VALUE"


def test_better_bins_are_reachable_ranges_best_first():
    dti = SPEC.factor("debt_to_income")
    special = next(i for i, b in enumerate(dti.bins) if b.kind == "special")
    assert reasons.better_bins(dti, special) == (0, 1, 2)  # 95, 80, 55 points; never the missing bin
    assert reasons.better_bins(dti, 0) == ()


@settings(max_examples=80, deadline=None)
@given(st.lists(st.lists(st.integers(0, 100), min_size=K, max_size=K), min_size=1, max_size=20),
       st.lists(st.floats(0, 100, allow_nan=False), min_size=K, max_size=K))
def test_reasons_only_name_factors_with_a_shortfall(points, base):
    points = np.array(points)
    base = np.round(np.array(base), 2)
    index, below = reasons.rank_reasons(points, base)
    assert index.shape[1] == reasons.MAX_REASONS
    for row, idx, gap in zip(points, index, below):
        named = [int(j) for j in idx if j >= 0]
        assert len(set(named)) == len(named)
        for j, g in zip(named, gap):
            assert base[j] - row[j] > 0.5 and g == round(base[j] - row[j], 2)
        assert list(gap[: len(named)]) == sorted(gap[: len(named)], reverse=True)
        others = [base[j] - row[j] for j in range(K) if j not in named]
        if len(named) == reasons.MAX_REASONS:
            assert all(round(o, 2) <= min(gap) for o in others)
        else:
            assert all(round(o, 2) <= 0.5 for o in others)
