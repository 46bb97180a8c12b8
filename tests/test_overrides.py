"""Bins an analyst owns (profile ``bins``): split points, merged categories, a forced trend, special
codes grouped; a refit applies them, the spec and the selection log carry the analyst's reason,
the report shows optbinning's bins before the override next to the bins in use."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scorecard.datasets.demo import generate
from scorecard.errors import ProfileError
from scorecard.profile import load_profile, parse_profile
from scorecard.report import report_data, report_markdown
from scorecard.spec import from_json, to_json
from scorecard.training import fit_scorecard

REASON = "the credit committee's bands: 0, 1-2, 3-5, 6 and more"


def demo_with(**overrides) -> object:
    data = load_profile("demo").model_dump(mode="json")
    for factor in data["factors"]:
        if factor["name"] in overrides:
            factor["bins"] = overrides[factor["name"]]
    return parse_profile(data, "demo with overrides")


@pytest.fixture(scope="module")
def table():
    return generate(6000, 2)


@pytest.fixture(scope="module")
def fits(table):
    plain = fit_scorecard(table, load_profile("demo"), test_size=0.3, seed=2)
    profile = demo_with(other_platform_loans={"splits": [1, 3, 6], "reason": REASON},
                        debt_to_income={"trend": "ascending", "reason": "more debt never lowers the risk"})
    return plain, fit_scorecard(table, profile, test_size=0.3, seed=2), profile


def test_an_override_changes_the_bins_the_points_and_the_log(fits):
    plain, edited, _ = fits
    before, after = plain.factor("other_platform_loans"), edited.factor("other_platform_loans")
    ranges = [(b.lower, b.upper) for b in after.bins if b.kind == "range"]
    assert ranges == [(None, 1.0), (1.0, 3.0), (3.0, 6.0), (6.0, None)]
    assert [b.label for b in after.bins[:4]] == ["0", "1–2", "3–5", "≥ 6"]
    assert [(b.lower, b.upper) for b in before.bins] != [(b.lower, b.upper) for b in after.bins]
    assert [b.points for b in after.bins] != [b.points for b in before.bins]
    # optbinning's own bins stay in the spec, with their statistics, for the report.
    assert [(b.label, b.count, b.woe) for b in after.automatic_bins] == [(b.label, b.count, b.woe) for b in before.bins]
    assert before.automatic_bins == ()
    step = next(s for s in edited.selection_log if s.factor == "other_platform_loans" and s.stage == "binning")
    assert step.override == f"splits 1, 3, 6: {REASON}" and REASON in step.reason
    assert not any(s.override for s in plain.selection_log)
    # The points are monotone in the analyst's bins, as the trend says: more loans, fewer points.
    points = [b.points for b in after.bins if b.kind == "range"]
    assert points == sorted(points, reverse=True)


def test_a_forced_trend_is_followed(fits):
    _, edited, _ = fits
    rates = [b.event_rate for b in edited.factor("debt_to_income").bins if b.kind == "range"]
    assert rates == sorted(rates) and len(rates) >= 3


def test_the_refit_is_deterministic_and_the_spec_keeps_the_reason(table, fits):
    _, edited, profile = fits
    again = fit_scorecard(table, profile, test_size=0.3, seed=2)
    assert again.sha256 == edited.sha256 and to_json(again) == to_json(edited)
    back = from_json(to_json(edited))
    assert back == edited and back.profile.factor("other_platform_loans").bins.reason == REASON


def test_the_metrics_page_words_the_analysts_reason(fits):
    from scorecard.site.model_pages import step_reason

    _, edited, _ = fits
    step = next(s for s in edited.selection_log if s.factor == "other_platform_loans" and s.stage == "binning")
    assert step_reason(edited, step, "zh").endswith(f"；分箱由分析人员设定：splits 1, 3, 6: {REASON}")
    assert step_reason(edited, step, "en").endswith(f"; bins set by the analyst: splits 1, 3, 6: {REASON}")


def test_the_report_shows_the_bins_before_and_after(fits):
    _, edited, _ = fits
    text = report_markdown(report_data(edited))
    assert f"Bins set by the analyst (splits 1, 3, 6: {REASON}). Before the override, optbinning chose" in text
    section = text.split("### other_platform_loans")[1].split("###")[0]
    assert section.count("| bin | count |") == 2  # the bins in use, then optbinning's


def test_categories_merged_and_special_codes_grouped():
    rng = np.random.default_rng(4)
    n = 3000
    city = rng.choice(["a", "b", "c", "d"], n)
    score = rng.choice([-7.0, -8.0, 1.0, 2.0, 3.0, 4.0, 5.0], n)
    y = (rng.random(n) < np.where(np.isin(city, ["a", "b"]), 0.15, 0.35) + 0.03 * (score > 3)).astype(int)
    table = pd.DataFrame({"city": city, "score": score, "bad": y})
    profile = parse_profile({
        "name": "merge", "target": {"column": "bad"},
        "factors": [
            {"name": "city", "kind": "categorical", "bins": {"merge": [["c", "a"]], "reason": "one sales region"}},
            {"name": "score", "kind": "numeric",
             "special_values": [{"value": -7, "meaning": {"zh": "无记录", "en": "no record"}},
                                {"value": -8, "meaning": {"zh": "无效", "en": "not usable"}}],
             "bins": {"special_bin": [[-7, -8]], "reason": "both mean no usable history"}},
        ]}, "merge.yaml")
    spec = fit_scorecard(table, profile, test_size=0, seed=1, min_iv=0.0)
    groups = [b.categories for b in spec.factor("city").bins if b.kind == "categories"]
    assert groups == [("a", "c"), ("b",), ("d",)]
    specials = [b for b in spec.factor("score").bins if b.kind == "special"]
    assert [(b.label, b.special_values, b.count) for b in specials] == [
        ("-7, -8", (-7.0, -8.0), int(np.isin(score, [-7, -8]).sum()))]


@pytest.mark.parametrize(("bins", "message"), [
    ({"splits": [3, 1], "reason": "x"}, "increasing order"),
    ({"splits": [1, 3]}, "reason"),
    ({"reason": "nothing set"}, "set at least one of"),
    ({"merge": [["a"]], "reason": "x"}, "bins.merge applies to categorical factors"),
    ({"special_bin": [[-5]], "reason": "x"}, "special_values does not list"),
    ({"splits": [1], "trend": "ascending", "reason": "x"}, "not both"),
])
def test_bad_overrides_name_the_key(tmp_path, bins, message):
    data = load_profile("demo").model_dump(mode="json")
    factor = next(f for f in data["factors"] if f["name"] == "debt_to_income")
    factor["bins"] = bins
    with pytest.raises(ProfileError, match=message) as info:
        parse_profile(data, "profile.yaml")
    assert "debt_to_income" in str(info.value)
