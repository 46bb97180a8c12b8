"""Profiles: bundled ones load; bad ones fail with a message naming the file and the key."""

from __future__ import annotations

import pytest
import yaml

from scorecard.errors import ProfileError
from scorecard.profile import bundled_profiles, load_profile

BUNDLED = ["demo"] + [p for p in ("heloc", "gmsc", "german") if p in bundled_profiles()]


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_profiles_load(name):
    profile = load_profile(name)
    assert profile.name == name
    assert profile.factors


def test_demo_profile_describes_the_seed_factors():
    names = set(load_profile("demo").factor_names)
    assert {"identity_verified", "profile_completeness", "bank_card_bound", "overdue_count_12m",
            "max_overdue_days_12m", "applications_3m", "other_platform_loans", "debt_to_income",
            "monthly_payment_activity", "account_age_months", "borrow_repay_cycles_30d",
            "recent_full_repayment", "income_proof", "age"} <= names


def _write(tmp_path, mutate):
    data = yaml.safe_load(open(load_profile.__globals__["BUNDLED_DIR"] / "demo.yaml", encoding="utf-8"))
    mutate(data)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("mutate", "key"),
    [
        (lambda d: d["factors"][1].update(trend="upwards"), "factors[1] (profile_completeness).trend"),
        (lambda d: d["factors"][0]["label"].pop("en"), "factors[0] (identity_verified).label.en"),
        (lambda d: d["factors"][13].update(helps="increase"), "factors[13] (age)"),
        (lambda d: d["factors"].append(dict(d["factors"][0])), "repeated: identity_verified"),
        (lambda d: d["factors"][4].pop("days_per_step"), "factors[4] (overdue_count_12m)"),
        (lambda d: d.pop("target"), "target"),
        (lambda d: d["factors"][0].update(cause_pages=["Not A Slug"]), "cause_pages"),
    ],
)
def test_bad_profiles_name_file_and_key(tmp_path, mutate, key):
    path = _write(tmp_path, mutate)
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    message = str(info.value)
    assert str(path) in message and key in message
    assert "\n" not in message


def test_unknown_profile_name_lists_the_bundled_ones():
    with pytest.raises(ProfileError, match="unknown profile 'nope'; use one of .*demo"):
        load_profile("nope")


def test_invalid_yaml_names_the_file(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="broken.yaml: not valid UTF-8 YAML"):
        load_profile(path)


def test_missing_file(tmp_path):
    with pytest.raises(ProfileError, match="profile file not found"):
        load_profile(tmp_path / "none.yaml")
