"""The spec file: a plain JSON file that round-trips exactly and refuses to load when tampered with."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _decision_fixtures import tiny_spec
from scorecard.errors import SpecError
from scorecard.spec import (SCHEMA_VERSION, SIGNIFICANT_DIGITS, Bin, FactorSpec, Scaling, fitted, from_json, load_spec,
                            save_spec, sealed, to_json)

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
labels = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12)


@st.composite
def specs(draw):
    base = tiny_spec()
    factors = []
    for f in base.factors:
        bins = tuple(
            replace(b, points=draw(st.integers(-500, 500)), woe=draw(finite), label=draw(labels),
                    event_rate=draw(st.floats(0, 1)), iv=draw(st.floats(0, 5)))
            for b in f.bins
        )
        factors.append(replace(f, bins=bins, coefficient=draw(st.floats(-5, -1e-6))))
    scaling = Scaling(method="pdo", factor=draw(st.floats(1, 100)), offset=draw(finite), pdo=20.0, base_score=600.0,
                      base_odds=50.0)
    metrics = {"test": {"auc": draw(st.floats(0, 1)), "label": draw(labels)}, "note": draw(labels)}
    return sealed(replace(base, factors=tuple(factors), scaling=scaling, intercept=draw(finite), metrics=metrics))


@settings(max_examples=40, deadline=None)
@given(specs())
def test_any_spec_round_trips_through_json_unchanged(spec):
    text = to_json(spec)
    back = from_json(text)
    assert back == spec and back.sha256 == spec.sha256
    assert to_json(back) == text


def test_saved_file_loads_back(tmp_path):
    spec = tiny_spec()
    path = save_spec(spec, tmp_path / "deep" / "model.json")
    loaded = load_spec(path)
    assert loaded == spec and loaded.sha256 == spec.sha256
    assert path.read_text(encoding="utf-8") == to_json(spec)
    assert json.loads(path.read_text(encoding="utf-8"))["schema_version"] == SCHEMA_VERSION


def test_edited_spec_is_refused():
    data = json.loads(to_json(tiny_spec()))
    data["factors"][0]["bins"][0]["points"] += 10
    with pytest.raises(SpecError, match="checksum mismatch.*scorecard train"):
        from_json(json.dumps(data), "model.json")


def test_truncated_spec_is_refused():
    text = to_json(tiny_spec())
    with pytest.raises(SpecError, match=r"model\.json: not valid JSON \(truncated or edited\?\)"):
        from_json(text[: len(text) // 2], "model.json")


def test_newer_schema_is_refused_with_an_upgrade_hint():
    data = json.loads(to_json(tiny_spec()))
    data["schema_version"] = SCHEMA_VERSION + 1
    with pytest.raises(SpecError, match="newer schema.*upgrade credit-scorecard"):
        from_json(json.dumps(data), "model.json")


@pytest.mark.parametrize("change, message", [
    (lambda d: d.pop("sha256"), "no sha256"),
    (lambda d: d.pop("schema_version"), "not a scorecard spec"),
    (lambda d: d["factors"][0].pop("bins"), "missing or malformed field"),
    (lambda d: d["factors"][0]["bins"][0].update(colour="red"), "does not match schema"),
])
def test_damaged_specs_name_the_problem(change, message):
    data = json.loads(to_json(tiny_spec()))
    change(data)
    with pytest.raises(SpecError, match=message):
        from_json(json.dumps(data), "model.json")


def test_missing_and_binary_files_are_refused(tmp_path):
    with pytest.raises(SpecError, match="not found.*scorecard train"):
        load_spec(tmp_path / "nope.json")
    binary = tmp_path / "model.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(SpecError, match="not a UTF-8 JSON"):
        load_spec(binary)


def test_spec_json_never_holds_nan():
    spec = tiny_spec()
    broken = replace(spec, intercept=math.nan)
    with pytest.raises(ValueError):
        to_json(broken)


def test_bins_and_factor_helpers():
    spec = tiny_spec()
    f = spec.factor("debt_to_income")
    assert isinstance(f, FactorSpec) and all(isinstance(b, Bin) for b in f.bins)
    assert spec.min_score == sum(x.worst_points for x in spec.factors)
    assert spec.max_score == sum(x.best_points for x in spec.factors)
    with pytest.raises(SpecError, match="no factor 'income'"):
        spec.factor("income")


# --- portability: rounded floats and one PD per score -------------------------------------------


def test_older_schema_is_refused_with_a_retrain_hint():
    data = json.loads(to_json(tiny_spec()))
    data["schema_version"] = SCHEMA_VERSION - 1
    with pytest.raises(SpecError, match="older schema.*re-run 'scorecard train'"):
        from_json(json.dumps(data), "model.json")
    data["schema_version"] = "2"
    with pytest.raises(SpecError, match="whole number"):
        from_json(json.dumps(data), "model.json")


@settings(max_examples=200, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_fitted_is_idempotent_and_within_its_digits(x):
    once = fitted(x)
    assert fitted(once) == once
    assert abs(once - x) <= 0.5 * 10 ** (1 - SIGNIFICANT_DIGITS) * abs(x) * (1 + 1e-12)


def _nudged(spec, direction: float):
    """``spec`` with every fitted float moved by one unit in the last place, as another CPU's BLAS
    or libm kernel would leave it."""
    def ulp(x):
        return float(np.nextafter(x, direction * math.inf)) if isinstance(x, float) and x != 0 else x

    factors = tuple(replace(f, coefficient=ulp(f.coefficient), iv=ulp(f.iv),
                            bins=tuple(replace(b, woe=ulp(b.woe), iv=ulp(b.iv), event_rate=ulp(b.event_rate))
                                       for b in f.bins)) for f in spec.factors)
    scaling = replace(spec.scaling, factor=ulp(spec.scaling.factor), offset=ulp(spec.scaling.offset))
    metrics = {"test": {"auc": ulp(0.7461234567891234), "brier": ulp(0.0612345678901234)}}
    return replace(spec, factors=factors, scaling=scaling, intercept=ulp(spec.intercept), metrics=metrics)


def test_last_bit_noise_in_fitted_floats_does_not_reach_the_spec_bytes():
    """The same model computed on two CPUs differs in the last bits of its floats; sealed, both
    are the same file with the same SHA-256."""
    base = replace(tiny_spec(), intercept=-2.5639201196241954,
                   metrics={"test": {"auc": 0.7461234567891234, "brier": 0.0612345678901234}})
    up, down = sealed(_nudged(base, +1)), sealed(_nudged(base, -1))
    assert to_json(up) == to_json(down) == to_json(sealed(base))
    assert up.sha256 == down.sha256


def test_the_pd_table_holds_one_pd_for_every_possible_score():
    spec = tiny_spec()
    table = spec.pd_table
    assert (table.first_score, table.last_score) == (spec.min_score, spec.max_score)
    assert list(table.pd) == sorted(table.pd, reverse=True)  # a higher score, a lower PD
    for score in (spec.min_score, (spec.min_score + spec.max_score) // 2, spec.max_score):
        assert table.of(score) == fitted(spec.scaling.pd_from_score(score))
    with pytest.raises(SpecError, match="outside the PD table"):
        table.of(spec.max_score + 1)


def test_scoring_looks_the_pd_up_in_the_table():
    """A PD table that disagrees with the formula is what scoring writes: no engine computes exp."""
    from _decision_fixtures import random_tiny_table
    from scorecard.scoring import score

    spec = tiny_spec()
    marked = replace(spec, pd_table=replace(spec.pd_table, pd=tuple(0.5 for _ in spec.pd_table.pd)))
    assert set(score(marked, random_tiny_table(50, 1)).pd.tolist()) == {0.5}


def test_a_pd_table_that_does_not_cover_the_scores_is_refused():
    from scorecard.spec import checksum

    spec = tiny_spec()
    short = replace(spec, pd_table=replace(spec.pd_table, pd=spec.pd_table.pd[:-1]))
    data = json.loads(to_json(short))
    data["sha256"] = checksum(short)  # a consistent file, so the range check itself is what refuses it
    with pytest.raises(SpecError, match="PD table covers scores"):
        from_json(json.dumps(data), "model.json")
