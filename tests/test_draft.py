"""``scorecard profile draft``: a starting profile that loads, finds what the data says and leaves the rest
to the analyst (marked TODO)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from scorecard.draft import draft_profile
from scorecard.errors import DataError
from scorecard.profile import parse_profile
from scorecard.spec import compared


def _table(rows: int = 400, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    tenure = rng.integers(0, 100, rows).astype(float)
    tenure[:40] = -9  # "no file"
    return pd.DataFrame({
        "loan_id": [f"L{i}" for i in range(rows)],
        "app date": pd.date_range("2025-01-01", periods=rows, freq="D").strftime("%Y-%m-%d"),
        "tenure": tenure,
        "ratio": rng.random(rows).round(3),
        "has card": rng.integers(0, 2, rows),
        "region": rng.choice(["north", "south", "east"], rows),
        "note": [f"free text {i}" for i in range(rows)],
        "bad": rng.choice(["Y", "N"], rows, p=[0.2, 0.8]),
    })


def test_the_draft_loads_and_finds_ids_dates_kinds_and_special_codes() -> None:
    text = draft_profile(_table(), target="bad", name="my-loans", source="loans.csv")
    profile = parse_profile(yaml.safe_load(text), "draft.yaml")
    assert profile.name == "my_loans"
    assert (profile.id_column, profile.date_column) == ("loan_id", "app date")
    assert profile.target.bad_value == "Y"  # the rarer value, marked TODO
    kinds = {f.name: (f.kind, f.source_column) for f in profile.factors}
    assert kinds == {"tenure": ("numeric", "tenure"), "ratio": ("numeric", "ratio"), "has_card": ("flag", "has card"),
                     "region": ("categorical", "region")}
    tenure = profile.factor("tenure")
    assert tenure.special_codes == (-9,) and tenure.integer and tenure.min_value == 0
    assert not profile.factor("ratio").integer
    assert tenure.label.get("en") == tenure.label.get("zh") == "tenure"  # labels default to the name
    assert "Left out: note (400 distinct text values" in text
    assert "TODO: say what -9 means" in text and "TODO: ascending or descending" in text


def test_a_target_that_is_not_a_column_or_not_two_valued_is_one_clear_error() -> None:
    with pytest.raises(DataError, match="loans.csv: there is no column 'outcome'"):
        draft_profile(_table(), target="outcome", name="x", source="loans.csv")
    with pytest.raises(DataError, match="'region' has 3 distinct values"):
        draft_profile(_table(), target="region", name="x", source="loans.csv")


@settings(max_examples=60, deadline=None)
@given(value=st.floats(0, 1, allow_nan=False), threshold=st.sampled_from([0.02, 0.05, 0.1]))
def test_a_compared_number_reads_on_the_same_side_of_its_threshold(value: float, threshold: float) -> None:
    shown = float(compared(value, threshold))
    assert (shown < threshold) == (value < threshold)
    assert (shown == threshold) == (value == threshold)
    assert compared(0.019996, 0.02) == "0.019996" and compared(0.0234, 0.02) == "0.0234"
