"""The README's "Bring your own data", end to end, on a table unlike the demo's: draft a profile, check,
train, write a policy with another currency, product and the neutral jurisdiction, explain, build the
site with the lender's own personas. The site builds, money is in the configured currency everywhere,
no page names mainland China's law, bureau or products, and a hard rule's page shows the rule's own
description."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from _fitted_policy import fitted_bands
from scorecard.cli import app
from scorecard.spec import load_spec

runner = CliRunner()

# Words that exist only on a site for mainland China (its laws, bureau, apps and scores, its currency).
MAINLAND_ONLY = ("PIPL", "Personal Information Protection Law", "个人信息保护法", "征信", "Credit Reference Center",
                 "中国人民银行", "People's Bank", "Zhima", "芝麻", "Sesame", "借呗", "花呗", "支付宝", "Alipay",
                 "Ant Group", "蚂蚁", "银保监", "金融监管总局", "12378", "yuan", "人民币", "RMB", "real-name")
YUAN_AMOUNT = re.compile(r"\d\s*元|（元）")

POLICY = {
    "name": "harbour-card",
    "version": "2026.1",
    "description": {"zh": "港湾银行信用卡规则（测试用）", "en": "Harbour Bank credit-card rules (for the test)"},
    "context": {"currency": {"code": "GBP", "zh": "{n} 英镑", "en": "£{n}"}, "product": "credit_card",
                "jurisdiction": "neutral"},
    "hard_rules": [{
        "code": "HARD_SERIOUS_ARREARS",
        "description": {"zh": "过去一年有三次或以上超过 90 天的拖欠", "en": "three or more arrears of over 90 days in the last year"},
        "when": [{"column": "arrears_90d", "op": "ge", "value": 3}],
    }],
    "overlays": [{
        "code": "OVL.BROKER_CAP", "kind": "limit_cap", "cap": 1500,
        "description": {"zh": "经中介申请的卡，额度有上限。", "en": "Cards applied for through a broker have a capped limit."},
        "when": [{"column": "channel", "op": "eq", "value": "broker"}],
    }],
}


def lender_table(rows: int, seed: int) -> pd.DataFrame:
    """A lender's applicants with columns unlike the demo's: a reference, revolving utilisation, months
    on book (-1: new to the bank), arrears over 90 days, the sales channel; ``went_bad`` the outcome."""
    rng = np.random.default_rng(seed)
    utilisation = np.round(rng.beta(2, 3, rows) * 1.2, 3)
    months = rng.integers(0, 180, rows)
    months[rng.random(rows) < 0.08] = -1
    arrears = rng.poisson(0.4, rows)
    channel = rng.choice(["branch", "web", "broker"], rows, p=[0.4, 0.45, 0.15])
    logit = -2.2 + 2.4 * utilisation - 0.008 * np.where(months < 0, 12, months) + 0.9 * arrears + 0.5 * (channel == "broker")
    bad = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(int)
    return pd.DataFrame({"cust_ref": [f"C{i:05d}" for i in range(rows)], "utilisation": utilisation,
                         "months_on_book": months, "arrears_90d": arrears, "channel": channel, "went_bad": bad})


def invoke(*args: object) -> str:
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


def personas_file(path: Path) -> Path:
    base = {"utilisation": 0.3, "months_on_book": 60, "arrears_90d": 0, "channel": "web"}
    people = [
        ("steady", "稳定的客户", "A steady customer", {"cust_ref": "P-STEADY"}),
        ("stretched", "额度用得很满的客户", "A customer near the limit", {"cust_ref": "P-STRETCHED", "utilisation": 1.1,
                                                                       "arrears_90d": 1, "months_on_book": -1}),
        ("arrears", "多次严重拖欠的客户", "A customer with serious arrears", {"cust_ref": "P-ARREARS", "arrears_90d": 4}),
        ("broker", "经中介申请的客户", "A customer who came through a broker", {"cust_ref": "P-BROKER", "channel": "broker",
                                                                         "utilisation": 0.05, "months_on_book": 170}),
    ]
    data = {"personas": [{"slug": slug, "title": {"zh": zh, "en": en},
                          "story": {"zh": f"{zh}（虚构）。", "en": f"{en} (invented)."},
                          "snapshots": [{**base, **values}]} for slug, zh, en, values in people]}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def own_site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("own")
    data = folder / "applicants.csv"
    lender_table(4000, 3).to_csv(data, index=False)
    # 1. a starting profile, then the analyst's edits: what -1 means, the trends they know
    draft = folder / "harbour.yaml"
    invoke("profile", "draft", "--data", data, "--target", "went_bad", "--out", draft)
    text = draft.read_text(encoding="utf-8")
    assert 'id_column: "cust_ref"' in text and "value: -1" in text and "kind: categorical" in text
    text = text.replace('{zh: "代码 -1", en: "code -1"}', '{zh: "新客户，没有记录", en: "new to the bank, no history"}')
    profile = yaml.safe_load(text)
    by_name = {f["name"]: f for f in profile["factors"]}
    by_name["utilisation"].update(label={"zh": "额度使用率", "en": "Credit utilisation"}, actionability="actionable",
                                  helps="decrease", step=0.05, effort_per_step=1, trend="ascending")
    by_name["arrears_90d"].update(actionability="time-only", helps="decrease", days_per_step=90, trend="ascending")
    by_name["months_on_book"].update(actionability="time-only", helps="increase", days_per_step=30)
    draft.write_text(yaml.safe_dump(profile, allow_unicode=True, sort_keys=False), encoding="utf-8")
    # 2-3. check, train
    invoke("data", "check", "--data", data, "--profile", draft)
    model = folder / "model.json"
    invoke("train", "--data", data, "--profile", draft, "--out", model)
    # 4. the policy, explain, the site
    policy = folder / "policy.yaml"
    policy.write_text(yaml.safe_dump({**POLICY, **fitted_bands(load_spec(model))}, allow_unicode=True), encoding="utf-8")
    new = folder / "new.csv"
    lender_table(300, 4).to_csv(new, index=False)
    invoke("explain", "--model", model, "--policy", policy, "--data", new, "--out", folder / "private",
           "--format", "html")
    output = invoke("site", "--model", model, "--policy", policy, "--personas", personas_file(folder / "people.yaml"),
                    "--out", folder / "site")
    assert "no persona pages" not in output
    return {"site": folder / "site" / "html", "private": folder / "private"}


def _texts(folder: Path) -> dict[Path, str]:
    return {p: p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*.html"))}


def test_the_site_of_own_data_builds_with_the_lenders_personas(own_site: dict[str, Path]) -> None:
    html = own_site["site"]
    assert (html / "index.html").is_file() and (html / "model" / "policy.html").is_file()
    assert {p.stem for p in (html / "personas").glob("*.html")} == {"index", "steady", "stretched", "arrears", "broker"}


def test_money_is_in_the_configured_currency_everywhere(own_site: dict[str, Path]) -> None:
    site = _texts(own_site["site"])
    assert "£1,500" in (own_site["site"] / "en" / "model" / "policy.html").read_text(encoding="utf-8")
    assert "1,500 英镑" in (own_site["site"] / "model" / "policy.html").read_text(encoding="utf-8")
    assert any("£" in text for path, text in site.items() if "personas" in path.parts)
    for folder in (own_site["site"], own_site["private"]):
        for path, text in _texts(folder).items():
            assert not YUAN_AMOUNT.search(text), path
            assert "yuan" not in text, path


def test_no_page_names_mainland_law_bureau_or_products(own_site: dict[str, Path]) -> None:
    for folder in (own_site["site"], own_site["private"]):
        for path, text in _texts(folder).items():
            found = [word for word in MAINLAND_ONLY if word in text]
            assert not found, f"{path}: {found}"
    scripts = sorted(own_site["site"].glob("assets/javascripts/calculator/*.js"))
    assert scripts  # the calculator's data script holds wording too: none of it mainland China's
    for path in scripts:
        text = path.read_text(encoding="utf-8")
        assert not [word for word in MAINLAND_ONLY if word in text], path


def test_a_hard_rule_page_shows_the_rules_own_description(own_site: dict[str, Path]) -> None:
    en = (own_site["site"] / "en" / "personas" / "arrears.html").read_text(encoding="utf-8")
    zh = (own_site["site"] / "personas" / "arrears.html").read_text(encoding="utf-8")
    assert "three or more arrears of over 90 days in the last year" in en
    assert "过去一年有三次或以上超过 90 天的拖欠" in zh
    assert "basic condition" not in en and "not a judgement of your credit" not in en
    assert "nothing about your credit was judged" not in en
    assert "Complete and correct your information" not in en  # no guessed remedy
    broker = (own_site["site"] / "en" / "personas" / "broker.html").read_text(encoding="utf-8")
    assert "Cards applied for through a broker have a capped limit." in broker
