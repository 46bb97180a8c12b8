"""Decision policy: validation with clear messages, evaluation order, overlays, limit bands."""

from __future__ import annotations

import copy
import re

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from _decision_fixtures import tiny_row, tiny_spec, tiny_table
from scorecard.errors import DataError, PolicyError
from scorecard.policy import BUNDLED_DIR, decide, default_policy, load_policy, parse_policy
from scorecard.scoring import score

SPEC = tiny_spec()

BASE = {
    "name": "t",
    "version": "t-1",
    "hard_rules": [
        {"code": "HARD_IDENTITY", "when": [{"column": "identity_verified", "op": "ne", "value": 1, "missing": "match"}]},
        {"code": "HARD_PROFILE_INCOMPLETE", "when": [{"column": "profile_completeness", "op": "lt", "value": 40, "missing": "match"}]},
        {"code": "RETRY_LATER", "outcome": "retry_later", "when": [{"column": "system_status", "op": "eq", "value": "maintenance"}]},
    ],
    "cutoff": 500,
    "overlays": [
        {"code": "OVL.YOUNG", "kind": "cutoff", "cutoff": 520, "when": [{"profile_column": "segment", "op": "eq", "value": "young"}]},
        {"code": "OVL.H2", "kind": "cutoff", "cutoff": 530,
         "when": [{"profile_column": "date", "op": "between", "value": ["2026-07-01", "2026-12-31"]}]},
        {"code": "OVL.CAP", "kind": "limit_cap", "cap": 3000, "when": [{"profile_column": "segment", "op": "eq", "value": "young"}]},
    ],
    "limit_bands": [
        {"name": "B1", "min_score": 500, "limit": 1000},
        {"name": "B2", "min_score": 540, "limit": 3000},
        {"name": "B3", "min_score": 570, "limit": 8000},
    ],
}
POLICY = parse_policy(BASE, "t.yaml")


def run(rows):
    table = tiny_table(rows)
    return decide(score(SPEC, table), POLICY, table, SPEC.profile), score(SPEC, table).total


def test_bundled_demo_policy_loads_and_is_versioned():
    policy = default_policy()
    assert policy.version and policy.name == "demo"
    assert [r.code for r in policy.hard_rules] == ["HARD_IDENTITY", "HARD_PROFILE_INCOMPLETE", "RETRY_LATER"]
    assert 4 <= len(policy.limit_bands) <= 5


def test_a_folder_named_demo_does_not_hide_the_demo_policy(tmp_path, monkeypatch):
    (tmp_path / "demo").mkdir()  # e.g. where 'scorecard data demo' was asked to write
    monkeypatch.chdir(tmp_path)
    assert default_policy().name == "demo" and load_policy("demo").name == "demo"


def test_demo_policy_describes_every_rule_in_both_languages():
    """The site's policy page shows these descriptions: a zh page must not fall back to English."""
    policy = default_policy()
    for item in (policy, *policy.hard_rules, *policy.overlays):
        assert item.description.zh and item.description.en, getattr(item, "code", "policy")
        assert re.search(r"[\u4e00-\u9fff]", item.description.zh), item.description.zh
        assert not re.search(r"[\u4e00-\u9fff]", item.description.en), item.description.en
        assert item.description.get("zh") == item.description.zh and item.description.get("en") == item.description.en


def test_plain_string_descriptions_still_load_in_their_own_language_only():
    data = copy.deepcopy(BASE)
    data["description"] = "A policy written before descriptions had languages."
    data["hard_rules"][0]["description"] = "身份未验证。"
    data["overlays"][0]["description"] = {"zh": "较年轻的申请人", "en": "Young applicants"}
    policy = parse_policy(data, "old.yaml")
    assert (policy.description.zh, policy.description.en) == ("", "A policy written before descriptions had languages.")
    assert (policy.hard_rules[0].description.get("zh"), policy.hard_rules[0].description.get("en")) == ("身份未验证。", "")
    assert policy.overlays[0].description.get("en") == "Young applicants"
    assert not policy.hard_rules[1].description  # none given: empty in both languages
    data["overlays"][0]["description"] = {"zh": "x", "fr": "y"}
    with pytest.raises(PolicyError, match="old.yaml: .*fr"):
        parse_policy(data, "old.yaml")


def test_demo_policy_is_tuned_on_the_trained_demo_model():
    """The cutoff and bands fit the score distribution of the model `scorecard demo` trains
    (tests/golden/demo_model.json; its reference population is the training rows): a plausible
    approval rate, every band in use, the top band the smallest, a tightening that bites."""
    from pathlib import Path

    from scorecard.spec import load_spec

    spec = load_spec(Path(__file__).resolve().parent / "golden" / "demo_model.json")
    policy = default_policy()
    bands = spec.reference["bands"]
    rows = sum(b["count"] for b in bands)

    def share(low, high=10**6):
        return sum(b["count"] for b in bands if low <= b["lower"] < high) / rows

    assert policy.cutoff % spec.reference["band_width"] == 0  # the shares below are exact
    approved = share(policy.cutoff)
    assert 0.55 <= approved <= 0.70
    edges = [b.min_score for b in policy.limit_bands] + [10**6]
    shares = [share(lo, hi) / approved for lo, hi in zip(edges, edges[1:])]
    assert all(0.05 <= x <= 0.35 for x in shares), shares
    assert shares[-1] == min(shares)
    tightened = max(o.cutoff for o in policy.overlays if o.kind == "cutoff")
    assert 0.35 <= share(tightened) < approved


@pytest.mark.parametrize(
    "edit, words",
    [
        (lambda d: d.pop("version"), "version"),
        (lambda d: d.__setitem__("version", 2.1), "quoted text"),
        (lambda d: d["overlays"][0].__setitem__("cutoff", 480), "overlay OVL.YOUNG: cutoff 480 does not tighten"),
        (lambda d: d["overlays"][0].__setitem__("code", "young"), "OVL.SOMETHING"),
        (lambda d: d["limit_bands"].reverse(), "increasing order"),
        (lambda d: d["hard_rules"][0].__setitem__("code", "IDENTITY"), "HARD_SOMETHING"),
        (lambda d: d["hard_rules"][0]["when"][0].__setitem__("op", "like"), "hard_rules[0] (HARD_IDENTITY).when[0].op"),
        (lambda d: d["overlays"][1]["when"][0].__setitem__("value", ["2026-07-01", "July"]), "YYYY-MM-DD"),
        (lambda d: d.__setitem__("surprise", 1), "surprise"),
        (lambda d: d["overlays"][0].__setitem__("description", 5), "overlays[0] (OVL.YOUNG).description: write a description as {zh"),
    ],
)
def test_invalid_policies_name_file_and_key(edit, words):
    data = copy.deepcopy(BASE)
    edit(data)
    with pytest.raises(PolicyError) as info:
        parse_policy(data, "mine.yaml")
    message = str(info.value)
    assert message.startswith("mine.yaml: ") and words in message and "\n" not in message


def test_policy_files_missing_or_broken(tmp_path):
    with pytest.raises(PolicyError, match="not found"):
        load_policy(tmp_path / "none.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed", encoding="utf-8")
    with pytest.raises(PolicyError, match="bad.yaml: not valid"):
        load_policy(bad)
    good = tmp_path / "good.yaml"
    good.write_text(yaml.safe_dump(BASE), encoding="utf-8")
    assert load_policy(good) == POLICY


def test_hard_rules_stop_in_order_before_the_score():
    rows = [
        tiny_row(identity_verified=0, profile_completeness=10, system_status="maintenance"),
        tiny_row(identity_verified=None, system_status="maintenance"),
        tiny_row(profile_completeness=30, system_status="maintenance"),
        tiny_row(system_status="maintenance"),
        tiny_row(),
    ]
    d, _ = run(rows)
    assert list(d.code) == ["HARD_IDENTITY", "HARD_IDENTITY", "HARD_PROFILE_INCOMPLETE", "RETRY_LATER", "APPROVED"]
    assert list(d.outcome) == ["cannot_evaluate"] * 3 + ["retry_later", "approved"]
    assert list(d.limit[:4]) == [0, 0, 0, 0]
    assert not d.overlay_applied[:4].any()


def test_overlay_alone_turns_approval_into_decline_and_says_so():
    # score 505: passes the base cutoff 500, not the young cutoff 520
    row = tiny_row(debt_to_income=0.6, other_platform_loans=4, city="C", segment="young")
    d, total = run([row, {**row, "segment": "standard"}])
    assert int(total[0]) == 505
    assert list(d.code) == ["DECLINED_OVERLAY", "APPROVED"]
    assert d.overlay_applied[0].tolist() == [True, False, False]
    assert d.overlay_changed[0].tolist() == [True, False, False]
    assert (d.overlay_before[0, 0], d.overlay_after[0, 0]) == (500, 520)
    assert d.cutoff.tolist() == [520, 500]


def test_date_overlay_uses_the_profile_date_column_inclusive():
    row = tiny_row(debt_to_income=0.6, other_platform_loans=4, city="C")  # 505
    dates = ["2026-06-30", "2026-07-01", "2026-12-31", "2027-01-01", None]
    d, _ = run([{**row, "snapshot_date": x} for x in dates])
    assert list(d.code) == ["APPROVED", "DECLINED_OVERLAY", "DECLINED_OVERLAY", "APPROVED", "APPROVED"]


def test_score_below_base_cutoff_is_a_score_decline_even_when_an_overlay_applies():
    row = tiny_row(debt_to_income=1.2, other_platform_loans=7, overdue_count=4, segment="young")
    d, total = run([row])
    assert total[0] < 500 and d.code[0] == "DECLINED_SCORE"
    assert d.overlay_applied[0, 0] and not d.overlay_changed[0, 0]


def test_limit_bands_cap_and_next_band():
    best = tiny_row()  # 595: top band
    mid = tiny_row(other_platform_loans=2, debt_to_income=0.4)  # 565: B2
    d, total = run([best, mid, {**mid, "segment": "young"}, {**best, "segment": "young"}])
    assert total.tolist() == [595, 565, 565, 595]
    assert d.limit.tolist() == [8000, 3000, 3000, 3000]
    assert [POLICY.limit_bands[b].name for b in d.band] == ["B3", "B2", "B2", "B3"]
    # the next band raises the limit, unless a cap holds it down
    assert d.next_band_score.tolist() == [-1, 570, -1, -1]
    cap = 2
    assert d.overlay_changed[:, cap].tolist() == [False, False, False, True]
    assert (d.overlay_before[3, cap], d.overlay_after[3, cap]) == (8000, 3000)


def test_missing_policy_column_is_a_clear_data_error():
    table = tiny_table([tiny_row()]).drop(columns=["system_status"])
    with pytest.raises(DataError, match="no column 'system_status', which policy rule RETRY_LATER reads"):
        decide(score(SPEC, table), POLICY, table, SPEC.profile)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9), st.sampled_from(["standard", "young"]),
                          st.sampled_from(["2026-03-01", "2026-08-01"])), min_size=1, max_size=30))
def test_decision_invariants(params):
    rows = [tiny_row(other_platform_loans=loans, overdue_count=loans % 5, segment=seg, snapshot_date=date)
            for loans, seg, date in params]
    d, total = run(rows)
    approved = d.outcome == "approved"
    assert (total[approved] >= d.cutoff[approved]).all()
    assert (total[~approved] < d.cutoff[~approved]).all()
    assert (d.cutoff >= POLICY.cutoff).all()
    assert ((d.limit > 0) == approved).all()
    assert (d.code == "DECLINED_OVERLAY").tolist() == ((~approved) & (total >= POLICY.cutoff)).tolist()
    # same rows, same decisions, one by one
    singles = [run([row])[0].code[0] for row in rows]
    assert singles == d.code.tolist()
    assert np.all(d.next_band_score[~approved] == -1)


# --- the context of a deployment ----------------------------------------------------------------------


def _with_context(context: dict) -> dict:
    data = yaml.safe_load((BUNDLED_DIR / "demo.yaml").read_text(encoding="utf-8"))
    return {**data, "context": context}


def test_a_policy_without_context_reads_as_the_demo_yuan_app_credit_line_in_mainland_china() -> None:
    context = default_policy().context
    assert (context.currency.code, context.product, context.jurisdiction) == ("CNY", "app_credit_line", "cn")
    assert context.currency.amount("en", "2,000", "{n} {currency}") == "2,000 yuan"
    assert context.currency.amount("zh", "2,000", "{n} {currency}") == "2,000 元"


def test_currency_words_are_a_word_after_the_amount_or_a_pattern() -> None:
    policy = parse_policy(_with_context({"currency": {"code": "TWD", "zh": "新台币", "en": "NT${n}"},
                                         "jurisdiction": "neutral"}), "p.yaml")
    assert policy.context.currency.amount("zh", "30,000", "{n} {currency}") == "30,000 新台币"
    assert policy.context.currency.amount("en", "30,000", "{n} {currency}") == "NT$30,000"


@pytest.mark.parametrize("context, key", [
    ({"currency": {"code": "EUR"}}, "context.currency"),  # another currency needs its words, never "yuan"
    ({"currency": {"code": "euro", "zh": "欧元", "en": "euro"}}, "context.currency.code"),
    ({"jurisdiction": "tw"}, "context.jurisdiction"),
    ({"product": "mortgage"}, "context.product"),
])
def test_a_context_that_cannot_be_shown_is_refused_naming_the_key(context: dict, key: str) -> None:
    from scorecard.errors import PolicyError
    with pytest.raises(PolicyError, match=rf"p\.yaml: {re.escape(key)}"):
        parse_policy(_with_context(context), "p.yaml")


def test_rule_pages_must_be_slugs() -> None:
    from scorecard.errors import PolicyError
    data = _with_context({})
    data["hard_rules"][0] = {**data["hard_rules"][0], "pages": {"remedies": ["Not A Slug"]}}
    with pytest.raises(PolicyError, match="hard_rules"):
        parse_policy(data, "p.yaml")
