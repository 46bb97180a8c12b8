"""The selection log in words: every step of the demo model's selection, screen included, reads in
each page language from its recorded numbers, and the report states the rule and what its
p-values mean under the ridge."""

from __future__ import annotations

from pathlib import Path

import pytest

from scorecard.profile import ProfileError, load_profile, parse_profile
from scorecard.report import report_data, report_markdown
from scorecard.site.model_pages import selection_intro, step_reason
from scorecard.spec import load_spec

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "demo_model.json"


@pytest.fixture(scope="module")
def spec():
    return load_spec(GOLDEN)


def test_the_screened_factor_names_its_partner_and_the_correlation_in_each_language(spec):
    step = next(s for s in spec.selection_log if s.stage == "screen")
    assert (step.factor, step.partner) == ("overdue_count_12m", "max_overdue_days_12m")
    partner = spec.profile.factor("max_overdue_days_12m").label
    for lang in ("zh", "en"):
        text = step_reason(spec, step, lang)
        assert partner.get(lang) in text and f"{step.correlation:.2f}" in text and "0.7" in text
    assert step_reason(spec, step, "zh") != step.reason  # worded from the numbers, not the English log line


def test_every_logged_step_is_worded_in_each_language(spec):
    for lang in ("zh", "en"):
        intro = selection_intro(spec, lang)
        assert "AIC" in intro and "3" in intro  # the rule and the ridge penalty
    # Every step carries its numbers, so none falls back to the recorded English sentence.
    assert all(step_reason(spec, step, "zh") != step.reason for step in spec.selection_log)
    kept = [s for s in spec.selection_log if s.stage == "logit" and s.action == "kept"]
    assert all("AIC" in step_reason(spec, s, lang) for s in kept for lang in ("zh", "en"))


def test_report_states_the_rule_and_what_its_p_values_mean(spec):
    text = report_markdown(report_data(spec))
    assert "Rule: aic" in text and "correlation limit 0.7" in text
    assert "p-values are those of the unpenalized logit on the same kept factors" in text
    assert "| overdue_count_12m | screen | dropped | WoE correlation +0.8711 with max_overdue_days_12m" in text


def test_a_profile_chooses_its_selection_and_bad_values_name_the_key():
    data = load_profile("german").model_dump(mode="json")
    chosen = parse_profile({**data, "selection": {"method": "bic", "max_vif": 5, "l2": 0}}, "german.yaml")
    assert (chosen.selection.method, chosen.selection.max_vif, chosen.selection.max_correlation) == ("bic", 5, 0.7)
    with pytest.raises(ProfileError, match=r"german.yaml: selection.method"):
        parse_profile({**data, "selection": {"method": "stepwise"}}, "german.yaml")
    with pytest.raises(ProfileError, match=r"selection.max_correlation"):
        parse_profile({**data, "selection": {"max_correlation": 1.5}}, "german.yaml")
