"""Decision records (``records``) and their JSON text for batches (``record_writer``): the fast
paths give exactly what the plain dataclass and ``json.dumps`` give."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scorecard.explain import explain_table
from scorecard.profile import load_profile
from scorecard.record_writer import RecordWriter
from scorecard.records import DecisionRecord, Plan, Snapshot, record_from_dict, record_value, record_values

from _decision_fixtures import random_tiny_table, tiny_policy, tiny_row, tiny_spec, tiny_table, with_reference

SPEC = with_reference(tiny_spec(), random_tiny_table(4000, 11))
POLICY = tiny_policy()


def test_record_writer_writes_exactly_what_json_dumps_writes():
    personas = [record_from_dict(json.loads(p.read_text(encoding="utf-8")))
                for p in sorted((Path(__file__).resolve().parent / "golden" / "personas").glob("*.json"))]
    table = random_tiny_table(200, 8)
    table.loc[150:, "applicant_id"] = table.loc[:49, "applicant_id"].to_numpy()  # snapshots: history
    table.loc[150:, "snapshot_date"] = "2025-12-31"
    records = personas + explain_table(SPEC, POLICY, table)
    odd = dataclasses.replace(records[-1], applicant_id='引号 "q" \\ \n \u2028 \x01', segment="é", pd=1e-7,
                              limit=10**20, base_cutoff=True)
    records.append(odd)
    for compact in (False, True):
        write = RecordWriter(compact=compact)
        for record in records + records[:20]:  # again: the shared parts come from the writer's memory
            assert write(record) == (record.to_json_line() if compact else record.to_json()).encode("utf-8")
    bad = dataclasses.replace(records[0], pd=float("nan"))
    with pytest.raises(ValueError):
        bad.to_json()
    with pytest.raises(ValueError):
        RecordWriter(compact=True)(bad)


def test_records_built_by_keyword_are_the_records_dataclass_builds():
    """explain builds records by keyword in a fast way (``records._record``); a record made so is
    the same value as one made positionally: equal, same hash and repr, defaults applied, and a
    wrong or missing field refused."""
    (record,) = explain_table(SPEC, POLICY, tiny_table([tiny_row(other_platform_loans=4, overdue_count=2, debt_to_income=0.8)]))
    for value in (record, record.recourse[0], record.recourse[0].changes[0], record.history[0], record.factors[0],
                  record.reasons[0]):
        fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
        made = type(value)(**fields)
        positional = type(value)(*fields.values())
        assert made == positional == value and hash(made) == hash(positional) and repr(made) == repr(positional)
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(made, dataclasses.fields(value)[0].name, None)
    assert Snapshot(date="d", score=1, decision="X", limit=0) == Snapshot("d", 1, "X", 0)
    without_default = {f.name: getattr(record, f.name) for f in dataclasses.fields(DecisionRecord)
                       if f.name != "schema_version"}
    assert DecisionRecord(**without_default).schema_version == record.schema_version  # the default applies
    with pytest.raises(TypeError):
        Plan(changes=())
    with pytest.raises(TypeError):
        Snapshot(date="d", score=1, decision="X", limits=0)


def test_a_value_reads_the_same_one_at_a_time_and_by_column():
    """``record_value`` and ``record_values`` are one rule: missing as None, whole numbers of
    whole-number factors as ints, other numbers to ten decimals, categories as text."""
    demo = load_profile("demo")
    cases = {
        "overdue_count_12m": pd.Series([0, 3, None, 2.0], dtype="float64"),
        "income_proof": pd.Series([1, 0, np.nan, 1]),
        "debt_to_income": pd.Series([0.25, 1 / 3, np.nan, -1.0]),
    }
    for name, column in cases.items():
        factor = demo.factor(name)
        by_column = record_values(column, factor)
        assert by_column == [record_value(v, factor) for v in column.tolist()], name
        assert [type(v) for v in by_column] == [type(record_value(v, factor)) for v in column.tolist()], name
    assert record_values(pd.Series([0, 3, None], dtype="float64"), demo.factor("overdue_count_12m")) == [0, 3, None]
    assert record_value(1 / 3, demo.factor("debt_to_income")) == round(1 / 3, 10)
    german = load_profile("german")
    purpose = german.factor("purpose")
    assert record_values(pd.Series(["A41", None]), purpose) == ["A41", None] == [record_value("A41", purpose), None]
