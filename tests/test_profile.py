"""Profiles: the bundled ones load and make sense; a bad one fails with one line naming the file
and the key at fault."""

from __future__ import annotations

import copy

import pytest
import yaml

from scorecard.datasets.demo import COLUMNS
from scorecard.errors import ProfileError
from scorecard.profile import BUNDLED_DIR, bundled_profiles, load_profile, parse_profile

BUNDLED = ("demo", "heloc", "gmsc", "german")
DEMO = yaml.safe_load((BUNDLED_DIR / "demo.yaml").read_text(encoding="utf-8"))


def test_the_four_bundled_profiles_are_listed():
    assert set(BUNDLED) <= set(bundled_profiles())


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_profile_loads_and_is_sensible(name):
    profile = load_profile(name)
    assert profile.name == name
    assert profile.description.zh and profile.description.en
    for factor in profile.factors:
        assert factor.label.zh != factor.label.en, factor.name  # both languages written, not copied
        assert factor.meaning.zh and factor.meaning.en
        if factor.kind == "categorical":
            assert factor.categories, f"{name}.{factor.name}: a categorical factor should list its codes"
        for special in factor.special_values:
            assert special.meaning.zh and special.meaning.en
            if factor.min_value is not None and not isinstance(special.value, str):
                # A special code lies outside the measured range, so it can never be mistaken for a value.
                assert special.value < factor.min_value or (factor.max_value is not None and special.value > factor.max_value)


def test_bundled_profile_loads_by_path():
    assert load_profile(BUNDLED_DIR / "german.yaml").name == "german"


def test_demo_profile_matches_the_generator_columns():
    profile = load_profile("demo")
    described = {profile.id_column, profile.target.column, profile.date_column, profile.segment_column,
                 *profile.policy_columns, *(f.source_column for f in profile.factors)}
    assert described == set(COLUMNS)
    assert len(profile.factors) == 14


def test_public_profiles_carry_the_documented_codes():
    heloc = load_profile("heloc")
    codes = {c for f in heloc.factors for c in f.special_codes}
    assert codes == {-7, -8, -9}
    assert all(-9 in f.special_codes for f in heloc.factors)  # "no bureau record" can occur in every field
    assert heloc.target.bad_value == "Bad" and heloc.id_column is None
    assert heloc.factor("MaxDelq2PublicRecLast12M").kind == "categorical"
    gmsc = load_profile("gmsc")
    assert gmsc.id_column == "row_id" and gmsc.target.column == "SeriousDlqin2yrs"
    assert gmsc.factor("NumberOfTime30_59DaysPastDueNotWorse").source_column == "NumberOfTime30-59DaysPastDueNotWorse"
    assert set(gmsc.factor("NumberOfTimes90DaysLate").special_codes) == {96, 98}
    german = load_profile("german")
    assert german.target.bad_value == 2
    checking = german.factor("checking_account_status")
    assert checking.categories == ("A11", "A12", "A13", "A14")
    assert "A14" in checking.meaning.en and "A14" in checking.meaning.zh  # the codes are explained


@pytest.mark.parametrize("name", BUNDLED)
def test_advice_is_consistent(name):
    for factor in load_profile(name).factors:
        if factor.advice == "fixed":
            assert factor.helps == "none"
        elif factor.advice in ("act", "wait"):
            assert factor.helps != "none"
        if factor.advice == "wait":
            assert (factor.days_per_step or 0) > 0 or (factor.window_days or 0) > 0
    demo = load_profile("demo")
    assert demo.factor("age").advice == "fixed"
    # counts a person could only game are never a plan's target; counts over a window are waits
    assert demo.factor("monthly_payment_activity").advice == "never"
    assert [demo.factor(n).window_days for n in ("applications_3m", "overdue_count_12m", "borrow_repay_cycles_30d")] == [
        90, 365, 30]
    assert demo.factor("debt_to_income").supply is not None
    assert demo.factor("overdue_count_12m").group == demo.factor("max_overdue_days_12m").group == "overdue_history"


def test_the_old_actionability_key_still_reads_as_an_alias(tmp_path):
    def old_style(data):
        for f in data["factors"]:
            advice = f.pop("advice")
            if advice == "never":
                advice, f["helps"] = "fixed", "none"
            f["actionability"] = {"act": "actionable", "wait": "time-only", "fixed": "fixed"}[advice]
    profile = load_profile(_write(tmp_path, old_style))
    assert profile.factor("applications_3m").advice == "wait"
    assert profile.factor("other_platform_loans").advice == "act"
    assert profile.factor("age").advice == "fixed"


def _write(tmp_path, mutate, name="bad.yaml"):
    data = copy.deepcopy(DEMO)
    mutate(data)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _factor(data, name):
    return next(f for f in data["factors"] if f["name"] == name)


@pytest.mark.parametrize(
    ("mutate", "key", "hint"),
    [
        (lambda d: _factor(d, "profile_completeness").update(trend="upwards"),
         "factors[1] (profile_completeness).trend", "ascending"),
        (lambda d: _factor(d, "identity_verified")["label"].pop("en"),
         "factors[0] (identity_verified).label.en", "required"),
        (lambda d: _factor(d, "age").update(helps="increase"),
         "factors[13] (age)", "fixed factor cannot have a direction"),
        (lambda d: d["factors"].append(copy.deepcopy(d["factors"][0])),
         "factors", "repeated: identity_verified"),
        (lambda d: _factor(d, "overdue_count_12m").pop("window_days"),
         "factors[4] (overdue_count_12m)", "window_days"),
        (lambda d: _factor(d, "age").update(window_days=30), "factors[13] (age)", "only apply to advice: wait"),
        (lambda d: _factor(d, "age").update(supply={"zh": "甲", "en": "a"}), "factors[13] (age)", "never advised"),
        (lambda d: _factor(d, "age").update(actionability="fixed"), "factors[13] (age)", "not both"),
        (lambda d: _factor(d, "age").update(group="nope"), "(top level)", "reason group nope"),
        (lambda d: d["reason_groups"].update(age={"label": {"zh": "甲", "en": "a"}}), "(top level)", "also a factor name"),
        (lambda d: d.pop("target"), "target", "required"),
        (lambda d: _factor(d, "identity_verified").update(cause_pages=["Not A Slug"]),
         "factors[0] (identity_verified).cause_pages", "not a page slug"),
        (lambda d: _factor(d, "age").update(min_value=80), "factors[13] (age)", "min_value is greater than max_value"),
        (lambda d: _factor(d, "age").update(categories=["young"]), "factors[13] (age)", "categories only apply"),
        (lambda d: _factor(d, "age").update(colour="blue"), "factors[13] (age).colour", "not permitted"),
        (lambda d: _factor(d, "debt_to_income").update(kind="number"), "factors[8] (debt_to_income).kind", "numeric"),
        (lambda d: _factor(d, "age").update(category_labels={"A1": {"zh": "甲", "en": "a"}}),
         "factors[13] (age)", "category_labels only apply"),
    ],
)
def test_bad_profiles_name_file_and_key(tmp_path, mutate, key, hint):
    path = _write(tmp_path, mutate)
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ")
    assert key in message and hint in message
    assert "\n" not in message


def test_german_category_codes_have_words_in_both_languages():
    """Reports and pages show "car (used)" rather than UCI's code "A41"."""
    german = load_profile("german")
    categorical = [f for f in german.factors if f.kind == "categorical"]
    assert len(categorical) == 13
    for factor in categorical:
        assert [c.code for c in factor.category_labels] == list(factor.categories), factor.name
        for code in factor.categories:
            for lang in ("zh", "en"):
                words = factor.category_label(code, lang)
                assert words != code and code not in words, (factor.name, code, lang)
    purpose = german.factor("purpose")
    assert (purpose.category_label("A41", "en"), purpose.category_label("A41", "zh")) == ("car (used)", "二手车")
    assert purpose.category_label("A499", "en") == "A499"  # a code without words stays itself


def test_category_labels_must_name_listed_categories(tmp_path):
    data = yaml.safe_load((BUNDLED_DIR / "german.yaml").read_text(encoding="utf-8"))
    data["factors"][0]["category_labels"]["A19"] = {"zh": "错", "en": "wrong"}
    path = tmp_path / "german-typo.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ProfileError, match=r"factors\[0\] \(checking_account_status\).*A19, which categories does not list"):
        load_profile(path)


def test_unknown_profile_name_lists_the_bundled_ones():
    with pytest.raises(ProfileError, match="unknown profile 'nope'; use one of .*demo.*german.*gmsc.*heloc"):
        load_profile("nope")


def test_a_folder_named_like_a_bundled_profile_does_not_hide_it(tmp_path, monkeypatch):
    (tmp_path / "heloc").mkdir()  # e.g. where someone keeps heloc.csv
    monkeypatch.chdir(tmp_path)
    assert load_profile("heloc").name == "heloc"


def test_invalid_yaml_names_the_file(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="broken.yaml: not valid UTF-8 YAML"):
        load_profile(path)


def test_yaml_that_is_not_a_mapping(tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="list.yaml: a profile must be a YAML mapping"):
        load_profile(path)


def test_missing_file(tmp_path):
    with pytest.raises(ProfileError, match="none.yaml: profile file not found"):
        load_profile(tmp_path / "none.yaml")


def test_parse_profile_names_its_source():
    data = copy.deepcopy(DEMO)
    data["target"] = {"column": "age"}
    with pytest.raises(ProfileError, match=r"^inline: .*target column 'age' is also a factor"):
        parse_profile(data, "inline")


def test_label_and_meaning_are_optional_and_default_to_the_column_name(tmp_path):
    path = tmp_path / "minimal.yaml"
    path.write_text("name: minimal\ndescription: {zh: 最小, en: minimal}\ntarget: {column: bad}\n"
                    "factors:\n  - {name: income, kind: numeric}\n  - {name: city, column: City Name, kind: categorical}\n"
                    "  - {name: late, kind: numeric, label: {zh: 逾期, en: Late}}\n", encoding="utf-8")
    profile = load_profile(path)
    income, city, late = profile.factors
    assert (income.label.zh, income.label.en, income.meaning.zh, income.meaning.en) == ("income",) * 4
    assert (city.label.en, city.meaning.zh) == ("City Name", "City Name")
    assert (late.label.zh, late.meaning.en) == ("逾期", "late")  # a written label stays; the meaning defaults
    assert profile.selection.method == "aic" and profile.selection.max_correlation == 0.7
