"""The spec file: a plain JSON file that round-trips exactly and refuses to load when tampered with."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _decision_fixtures import tiny_spec
from scorecard.errors import SpecError
from scorecard.spec import (SCHEMA_VERSION, Bin, FactorSpec, Scaling, from_json, load_spec, save_spec, to_json,
                            with_checksum)

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
    return with_checksum(replace(base, factors=tuple(factors), scaling=scaling, intercept=draw(finite), metrics=metrics))


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
