"""Values and bins in words (``pages.speaking``): a bin is said from its kind and numbers (the same
words for a spec's bin and a record's ``BinBounds``), with units, the English singular for one,
and the profile's words for category and special codes."""

from __future__ import annotations

import pytest

from scorecard.pages.speaking import Speaker
from scorecard.pages.words import load_words
from scorecard.profile import load_profile
from scorecard.records import BinBounds
from scorecard.spec import Bin


def speaker(profile, lang):
    return Speaker(load_words(lang), profile)


def span(lower, upper):
    return BinBounds(kind="range", lower=lower, upper=upper, categories=())


def group(*codes):
    return BinBounds(kind="categories", lower=None, upper=None, categories=codes)


def test_bins_in_words_use_units_and_english_singular_only_for_one():
    profile = load_profile("demo")
    overdue = profile.factor("overdue_count_12m")
    income = profile.factor("income_proof")
    en, zh = speaker(profile, "en"), speaker(profile, "zh")
    assert en.bin(overdue, span(0.5, 1.5)) == "1 time"
    assert en.bin(overdue, span(None, 1.5)) == "0–1 times"  # min_value 0
    assert en.bin(overdue, span(2.5, None)) == "3 times or more"
    assert en.bin(overdue, span(3, None)) == "3 times or more"  # whole bounds read the same
    assert zh.bin(overdue, span(0.5, 1.5)) == "1 次"
    assert en.bin(income, span(0.5, None)) == "Yes" and en.bin(income, span(None, 0.5)) == "No"
    assert zh.bin(income, span(0.5, None)) == "是"


def test_decimal_ranges_missing_bins_and_unbounded_ranges_in_words():
    profile = load_profile("demo")
    dti = profile.factor("debt_to_income")
    en = speaker(profile, "en")
    assert en.bin(dti, span(0.105, 0.175)) == en.range(dti, 0.105, 0.175)
    # debt-to-income is a ratio the demo profile says as a share of income (percent: true)
    assert en.bin(dti, span(0.105, 0.175)) == "from 10.5 to under 17.5%"
    assert en.value(dti, 0.45) == "45%" and speaker(profile, "zh").value(dti, 0.7) == "70%"
    assert en.toward(dti, span(None, 0.425)) == "below 42.5%"
    assert en.bin(dti, BinBounds(kind="missing", lower=None, upper=None, categories=())) == "no record"
    assert en.bin(dti, span(None, None)) == "any value"


def test_a_spec_bin_and_its_bounds_on_a_record_read_the_same():
    from scorecard.recourse import bin_bounds
    from scorecard.spec import load_spec
    from pathlib import Path

    spec = load_spec(Path(__file__).resolve().parents[1] / "golden" / "demo_model.json")
    for lang in ("zh", "en"):
        say = speaker(spec.profile, lang)
        for fitted in spec.factors:
            factor = spec.profile.factor(fitted.name)
            for b in fitted.bins:
                if b.kind != "special":
                    assert say.bin(factor, b) == say.bin(factor, bin_bounds(b)), (fitted.name, b.label)


def test_a_special_bin_says_what_its_code_means():
    profile = load_profile("demo")
    dti = profile.factor("debt_to_income")
    code = dti.special_values[0].value
    special = Bin(kind="special", label=str(code), points=0, woe=0.0, count=1, event_count=0, event_rate=0.0, iv=0.0,
                  special_values=(float(code),))
    for lang in ("zh", "en"):
        assert speaker(profile, lang).bin(dti, special) == dti.special_values[0].meaning.get(lang)
    assert speaker(profile, "en").special_bin(dti, 12345) == "special code 12345"


def test_category_codes_read_as_the_profiles_words():
    """German credit's UCI codes ("A41") read as words on pages; codes without words stay as they are."""
    german = load_profile("german")
    purpose = german.factor("purpose")
    en, zh = speaker(german, "en"), speaker(german, "zh")
    assert en.bin(purpose, group("A41", "A48")) == "car (used), retraining"
    assert zh.bin(purpose, group("A41", "A48")) == "二手车、再培训"
    assert en.value(purpose, "A49") == "business" and zh.value(purpose, "A49") == "生意"
    assert en.bin(purpose, group("A41", "X9")) == "car (used), X9"
    assert en.bin(purpose, group("A40")) == "car (new)"


def test_numeric_category_codes_read_as_words_once_each():
    heloc = load_profile("heloc")
    ever = heloc.factor("MaxDelqEver")
    en = speaker(heloc, "en")
    assert en.value(ever, 8) == en.value(ever, 8.0) == "current and never delinquent"  # codes are numbers in the data
    assert en.bin(ever, group("6", "7")) == "30 days late, unknown delinquency"
    recent = heloc.factor("MaxDelq2PublicRecLast12M")
    assert en.bin(recent, group("5", "6", "7")) == "unknown delinquency, current and never delinquent"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_singular_rule_is_configuration(lang):
    """Only a language whose configuration gives a singular rule changes a count unit for one."""
    from scorecard.languages import page_languages

    rule = page_languages().get(lang)
    assert rule.unit_for_one("times") == ("time" if lang == "en" else "times")
    assert rule.unit_for_one("× income") == "× income"
