"""Protected characteristics: left out of training unless the profile says why, reported by group."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scorecard.errors import ProfileError
from scorecard.profile import load_profile, parse_profile
from scorecard.protected import FOUR_FIFTHS, assign_groups, group_outcomes
from scorecard.training import fit_scorecard

from _decision_fixtures import TEXT, factor_entry
from _sql_fixtures import SHARED_DATA


def _profile(**age: object):
    return parse_profile({"name": "p", "description": TEXT, "target": {"column": "bad"},
                          "factors": [factor_entry("debt", "numeric"),
                                      factor_entry("age", "numeric", **age),
                                      factor_entry("sex", "categorical", protected=True)]}, "p.yaml")


def test_profile_rules_for_protected_factors() -> None:
    profile = _profile(protected=True, group_splits=[25, 40])
    assert [f.name for f in profile.protected_factors] == ["age", "sex"]
    with pytest.raises(ProfileError, match=r"factors\[1\] \(age\).*group_splits"):
        _profile(protected=True)
    with pytest.raises(ProfileError, match="only apply to a factor marked protected"):
        _profile(protected_use=TEXT)
    with pytest.raises(ProfileError, match="must increase"):
        _profile(protected=True, group_splits=[40, 25])
    with pytest.raises(ProfileError, match=r"protected_use.*en"):
        _profile(protected=True, group_splits=[25], protected_use={"zh": "原因"})


def _table(n: int = 4_000, seed: int = 3) -> pd.DataFrame:
    """Debt, age and sex all predict the outcome; sex and age strongly."""
    rng = np.random.default_rng(seed)
    debt, age = rng.uniform(0, 1, n), rng.integers(18, 70, n)
    sex = rng.choice(["F", "M"], n)
    logit = -2 + 2 * debt + 1.2 * (sex == "M") + 1.0 * (age < 30)
    bad = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return pd.DataFrame({"debt": debt, "age": age, "sex": sex, "bad": bad})


def test_training_leaves_protected_factors_out_unless_the_profile_says_why() -> None:
    table = _table()
    spec = fit_scorecard(table, _profile(protected=True, group_splits=[30]), test_size=0.3, seed=1)
    assert spec.factor_names == ("debt",)
    steps = {s.factor: s for s in spec.selection_log if s.stage == "protected"}
    assert {f: s.action for f, s in steps.items()} == {"age": "dropped", "sex": "dropped"}
    assert "no protected_use" in steps["sex"].reason
    allowed = fit_scorecard(table, _profile(protected=True, group_splits=[30], protected_use=TEXT), test_size=0.3, seed=1)
    assert set(allowed.factor_names) == {"debt", "age"}
    step = next(s for s in allowed.selection_log if s.stage == "protected" and s.factor == "age")
    assert step.action == "kept" and TEXT["en"] in step.reason


def test_groups_of_numeric_categorical_and_missing_values() -> None:
    profile = _profile(protected=True, group_splits=[25, 40])
    index, names = assign_groups(profile.factor("age"), pd.Series([18, 25, 39.5, 40, None, 70]))
    assert names == ("< 25", "25 - 40", ">= 40", "missing")
    assert index.tolist() == [0, 1, 1, 2, 3, 2]
    index, names = assign_groups(profile.factor("sex"), pd.Series(["M", " F", None, "", "M"]))
    assert names == ("F", "M", "missing") and index.tolist() == [1, 0, 2, 2, 1]


def test_adverse_impact_ratio_against_the_most_favoured_group() -> None:
    profile = _profile(protected=True, group_splits=[30])
    sex = pd.Series(["F"] * 100 + ["M"] * 100 + [None] * 10)
    approved = np.r_[np.arange(100) < 60, np.arange(100) < 40, np.ones(10, bool)]
    y = np.r_[np.arange(100) % 10 == 0, np.arange(100) % 5 == 0, np.zeros(10, bool)].astype(float)
    pd_ = np.where(y == 1, 0.3, 0.1)
    codes = [("DEBT.VALUE",)] * 100 + [("DEBT.VALUE", "AGE.VALUE")] * 100 + [()] * 10
    out = group_outcomes(profile.factor("sex"), sex, approved=approved, assessed=np.ones(210, bool), pd_=pd_, y=y,
                         reason_codes=codes, in_model=False)
    groups = {g["group"]: g for g in out["groups"]}
    assert groups["F"]["approval_rate"] == 0.6 and groups["M"]["approval_rate"] == 0.4
    # The missing group approves everyone, but the most favoured group is a real group.
    assert groups["F"]["adverse_impact_ratio"] == 1.0
    assert groups["M"]["adverse_impact_ratio"] == pytest.approx(0.4 / 0.6, abs=1e-6) and groups["M"]["flag"]
    assert 0.4 / 0.6 < FOUR_FIFTHS and not groups["F"]["flag"]
    assert groups["M"]["bad_rate"] == 0.2 and groups["F"]["auc"] == 1.0
    assert groups["M"]["reason_shares"] == [{"code": "AGE.VALUE", "share": 1.0}, {"code": "DEBT.VALUE", "share": 1.0}]
    assert not out["in_model"]


def test_bundled_profiles_mark_their_protected_characteristics() -> None:
    german = load_profile("german")
    assert {f.name for f in german.protected_factors} == {"personal_status_sex", "age_years", "foreign_worker"}
    assert all(f.protected_use is None for f in german.protected_factors)
    demo = load_profile("demo")
    (age,) = demo.protected_factors
    assert age.name == "age" and age.protected_use is not None and age.advice == "fixed"


@pytest.mark.slow
def test_german_default_training_leaves_sex_marital_status_and_age_out() -> None:
    from scorecard.data import read_table, validate_training

    path = SHARED_DATA / "german.csv"
    if not path.is_file():
        pytest.skip(f"{path} is absent (set SCORECARD_SHARED_DATA to the shared data folder)")
    profile = load_profile("german")
    spec = fit_scorecard(validate_training(read_table(path), profile, str(path)), profile)
    assert not {"personal_status_sex", "age_years", "foreign_worker"} & set(spec.factor_names)
    dropped = {s.factor for s in spec.selection_log if s.stage == "protected" and s.action == "dropped"}
    assert "personal_status_sex" in dropped  # it passes binning (IV above the threshold), then is left out
