"""One source for every fact: the hand-written knowledge base (docs/**/*.md, zh NAME.md and en
NAME.en.md) may state a persona's or the demo model's facts only if they agree with the persona
inputs (scorecard/datasets/personas.yaml), the persona records (tests/golden/personas/P-*.json)
and the demo model spec (tests/golden/demo_model.json). Each check is also fed a deliberately
wrong text, so a disagreeing doc is proven to fail."""

import json
import re
from pathlib import Path

import pytest
import yaml

from scorecard.pages import editorial

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
SPEC = json.loads((ROOT / "tests/golden/demo_model.json").read_text(encoding="utf-8"))
PROFILE = yaml.safe_load((ROOT / "scorecard/profiles/demo.yaml").read_text(encoding="utf-8"))
PERSONAS = yaml.safe_load((ROOT / "scorecard/datasets/personas.yaml").read_text(encoding="utf-8"))

# The factors the demo model scores (spec), and every factor the profile knows (with labels).
MODEL_FACTORS = {c["name"] for c in SPEC["coefficients"]} - {"intercept"}
LABELS = {f["name"]: f["label"] for f in PROFILE["factors"]}

NUM = r"([一两二三四五六七八九十\d]|\d+)"
NUMBERS = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
           "十": 10, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
           "eight": 8, "nine": 9, "ten": 10}
SEGMENTS = {"年轻人群": "young", "普通人群": "standard", "young": "young", "standard": "standard"}


def _number(word):
    return int(word) if word.isdigit() else NUMBERS[word.lower()]


def _latest_input(applicant_id):
    """The latest snapshot of the persona (the one its record explains)."""
    for persona in PERSONAS["personas"]:
        snapshots = [s for s in persona["snapshots"] if s["applicant_id"] == applicant_id]
        if snapshots:
            return max(snapshots, key=lambda s: str(s["snapshot_date"]))
    raise KeyError(applicant_id)


def _record(applicant_id):
    return json.loads((ROOT / f"tests/golden/personas/{applicant_id}.json").read_text(encoding="utf-8"))


def fact(applicant_id, field):
    """A persona fact: a record field if the record has it, else the persona's input column."""
    record = _record(applicant_id)
    return record[field] if field in record else _latest_input(applicant_id)[field]


# (doc file, regex with one group, applicant, field, how to read the captured text).
# Add a row whenever a page states a persona's number or class in words.
FACTS = [
    ("causes/overdue-history.md", r"逾期" + NUM + r"次", "P-OVERDUE", "overdue_count_12m", _number),
    ("causes/overdue-history.md", r"最长一次(\d+)天", "P-OVERDUE", "max_overdue_days_12m", _number),
    ("causes/overdue-history.en.md", r"(\w+) late payments last year", "P-OVERDUE", "overdue_count_12m", _number),
    ("causes/overdue-history.en.md", r"the longest (\d+) days", "P-OVERDUE", "max_overdue_days_12m", _number),
    ("remedies/repair-record.md", r"逾期" + NUM + r"次", "P-OVERDUE", "overdue_count_12m", _number),
    ("remedies/repair-record.md", r"最长(\d+)天", "P-OVERDUE", "max_overdue_days_12m", _number),
    ("remedies/repair-record.en.md", r"(\w+) late payments last year", "P-OVERDUE", "overdue_count_12m", _number),
    ("remedies/repair-record.en.md", r"the longest (\d+) days", "P-OVERDUE", "max_overdue_days_12m", _number),
    ("causes/multiple-borrowing.md", r"" + NUM + r"个平台", "P-MULTI", "other_platform_loans", _number),
    ("causes/multiple-borrowing.md", r"申请了" + NUM + r"次", "P-MULTI", "applications_3m", _number),
    ("causes/multiple-borrowing.en.md", r"unpaid loans on (\w+) platforms", "P-MULTI", "other_platform_loans", _number),
    ("causes/multiple-borrowing.en.md", r"(\w+) more applications", "P-MULTI", "applications_3m", _number),
    ("remedies/stop-multiple-applications.md", r"：" + NUM + r"个平台", "P-MULTI", "other_platform_loans", _number),
    ("remedies/stop-multiple-applications.md", r"申请了" + NUM + r"次", "P-MULTI", "applications_3m", _number),
    ("remedies/stop-multiple-applications.en.md", r"unpaid loans on (\w+) platforms", "P-MULTI", "other_platform_loans", _number),
    ("remedies/stop-multiple-applications.en.md", r"(\w+) more applications", "P-MULTI", "applications_3m", _number),
    ("scenarios/zero-limit-can-i-borrow.md", r"在" + NUM + r"个平台", "P-MULTI", "other_platform_loans", _number),
    ("scenarios/zero-limit-can-i-borrow.en.md", r"loans on (\w+) platforms", "P-MULTI", "other_platform_loans", _number),
    ("causes/abnormal-borrowing.md", r"借还" + NUM + r"次", "P-CYCLES", "borrow_repay_cycles_30d", _number),
    ("causes/abnormal-borrowing.en.md", r"did it (\w+) times in a month", "P-CYCLES", "borrow_repay_cycles_30d", _number),
    ("remedies/steady-use.md", r"借还" + NUM + r"次", "P-CYCLES", "borrow_repay_cycles_30d", _number),
    ("remedies/steady-use.en.md", r"did it (\w+) times in a month", "P-CYCLES", "borrow_repay_cycles_30d", _number),
    ("scenarios/limit-gone-after-repayment.md", r"借还" + NUM + r"次", "P-CYCLES", "borrow_repay_cycles_30d", _number),
    ("scenarios/limit-gone-after-repayment.en.md", r"repaid (\w+) times in a month", "P-CYCLES", "borrow_repay_cycles_30d", _number),
    ("causes/regulation.md", r"（(\d+) 岁", "P-REPAID", "age", _number),
    ("causes/regulation.md", r"岁，(\S{4})）", "P-REPAID", "segment", SEGMENTS.get),
    ("causes/regulation.en.md", r"Zhou \((\d+),", "P-REPAID", "age", _number),
    ("causes/regulation.en.md", r"Zhou \(\d+, (\w+) segment\)", "P-REPAID", "segment", SEGMENTS.get),
    ("causes/policy-tightening.md", r"小周(?:属于|所在的)(\S{4})", "P-REPAID", "segment", SEGMENTS.get),
    ("causes/policy-tightening.en.md", r"Zhou (?:is in|belongs to) the (\w+) segment", "P-REPAID", "segment", SEGMENTS.get),
    ("scenarios/reopened-low-limit.md", r"小赵又属于演示政策里的(\S{4})", "P-CYCLES", "segment", SEGMENTS.get),
    ("scenarios/reopened-low-limit.en.md", r"Zhao also belongs to the (\w+) segment", "P-CYCLES", "segment", SEGMENTS.get),
]


def check_fact(text, pattern, expected, read):
    """Every match of the phrase must state the expected value; the phrase must be there at all."""
    found = [read(m.group(1)) for m in re.finditer(pattern, text)]
    assert found, f"phrase {pattern!r} not found (update the FACTS table when the page changes)"
    wrong = [v for v in found if v != expected]
    assert not wrong, f"page says {wrong}, the record says {expected!r}"


@pytest.mark.parametrize("page, pattern, applicant, field, read", FACTS,
                         ids=[f"{r[0]}:{r[3]}" for r in FACTS])
def test_page_states_the_record(page, pattern, applicant, field, read):
    check_fact((DOCS / page).read_text(encoding="utf-8"), pattern, fact(applicant, field), read)


# Sections that list the model's factors: "模型里的对应因素" / "Factors in the model".
SECTION = re.compile(r"^## (?:模型里的对应因素|Factors in the model)\s*$(.*?)(?=^## |\Z)", re.M | re.S)
FACTOR_LINK = re.compile(r"\[([^\]]+)\]\((?:\.\./)*model/factors/([a-z0-9_]+)\.md\)")
NOT_SCORED = re.compile(r"不计分|scores nothing")
COUNT = re.compile(r"(?:下面|这)([一两二三四五六七八九十])个因素|(?:[Tt]hese |[Tt]hose )?(\w+) factors (?:measure|belong|change)"
                   r"|(两|both)(?:个逾期因素| late-payment factors)")


def check_factor_lists(text, model_factors=MODEL_FACTORS, labels=LABELS):
    """Each factor linked from a "factors in the model" section is scored by the model, is
    named by the profile's label, and a stated count ("these four factors") matches the list."""
    lang = "en" if "## Factors in the model" in text else "zh"
    problems = []
    for section in SECTION.findall(text):
        links = FACTOR_LINK.findall(section)
        listed = re.findall(r"^- \[[^\]]+\]\((?:\.\./)*model/factors/", section, re.M)
        for label, name in links:
            item = next((line for line in section.splitlines() if f"factors/{name}.md" in line), "")
            if name not in model_factors and NOT_SCORED.search(item):
                continue  # a dropped factor may be listed only with the words that it scores nothing
            if name not in model_factors:
                problems.append(f"{name} ({label}) is listed but the demo model does not score it")
            elif label.lower() != labels[name][lang].lower():
                problems.append(f"{name} is called {label!r}, the profile calls it {labels[name][lang]!r}")
        for m in COUNT.finditer(section):
            word = next(g for g in m.groups() if g)
            if word.lower() in ("both", "两"):
                continue
            if word.lower() in NUMBERS and NUMBERS[word.lower()] != len(listed):
                problems.append(f"says {word} factors, lists {len(listed)}")
    assert not problems, "; ".join(problems)


def check_late_payment_factors(text, model_factors=MODEL_FACTORS):
    """Pages may speak of two late-payment factors only while the model scores both."""
    both = {"overdue_count_12m", "max_overdue_days_12m"} <= model_factors
    claims = re.findall(r"两个逾期因素|both late-payment factors|[Tt]hese two factors|这两个因素", text)
    assert both or not claims, f"speaks of two late-payment factors {claims}; the model scores one"


PAGES = sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md"))


@pytest.mark.parametrize("page", PAGES)
def test_factor_lists_name_only_model_factors(page):
    text = (DOCS / page).read_text(encoding="utf-8")
    check_factor_lists(text)
    if page.split("/")[-1].split(".")[0] in ("overdue-history", "repair-record"):
        check_late_payment_factors(text)


def test_spec_dropped_what_the_fixes_assume():
    """The fixes below rest on these spec facts; if the model changes, revisit the pages."""
    assert "identity_verified" not in MODEL_FACTORS
    assert "overdue_count_12m" not in MODEL_FACTORS
    assert "max_overdue_days_12m" in MODEL_FACTORS


CHECKED = re.compile(r"^(?:最后核对：|Last checked: )(.+?)\s*$", re.M)


def check_checked_dates(pages):
    """The knowledge base was checked on one day: every "最后核对：" / "Last checked:" line states
    the same ISO date (the day the rights box of the explanation pages states), and a
    zh page and its en counterpart either both carry the line or neither does."""
    dates = {}
    for name, text in pages.items():
        found = CHECKED.findall(text)
        assert len(found) <= 1, f"{name} states {len(found)} checked dates"
        dates[name] = found[0] if found else None
    problems = [f"{name}: {d!r} is not an ISO date" for name, d in dates.items()
                if d is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", d)]
    stated = sorted({d for d in dates.values() if d})
    if len(stated) > 1:
        problems.append(f"the pages state different checked dates: {stated}")
    for name, d in dates.items():
        if name.endswith(".en.md") and name.replace(".en.md", ".md") in dates:
            zh = dates[name.replace(".en.md", ".md")]
            if (zh is None) != (d is None):
                problems.append(f"{name} and its zh page disagree on stating a checked date")
    assert not problems, "; ".join(problems)


def test_one_checked_date_across_the_knowledge_base():
    """...and it is the day the explanation pages' rights box states (one source: editorial)."""
    pages = {p: (DOCS / p).read_text(encoding="utf-8") for p in PAGES}
    check_checked_dates(pages)
    stated = {m for text in pages.values() for m in CHECKED.findall(text)}
    assert stated == {"%04d-%02d-%02d" % editorial.RIGHTS_LAST_CHECKED}


WRONG = [
    ("two checked dates",
     lambda: check_checked_dates({"a.md": "# A\n\n最后核对：2026-11-22\n", "b.md": "# B\n\n最后核对：2026-12-01\n"})),
    ("checked date as a month",
     lambda: check_checked_dates({"a.md": "# A\n\n最后核对：2026 年 12 月\n"})),
    ("en page without the zh page's date",
     lambda: check_checked_dates({"a.md": "# A\n\n最后核对：2026-11-22\n", "a.en.md": "# A\n"})),
    ("Wang's longest delay",
     lambda: check_fact("去年逾期三次，最长一次45天。", r"最长一次(\d+)天", fact("P-OVERDUE", "max_overdue_days_12m"), _number)),
    ("Li's platforms in words",
     lambda: check_fact("unpaid loans on five platforms", r"unpaid loans on (\w+) platforms",
                        fact("P-MULTI", "other_platform_loans"), _number)),
    ("Zhou in the young segment",
     lambda: check_fact("小周所在的年轻人群，门槛本来就更高", r"小周(?:属于|所在的)(\S{4})",
                        fact("P-REPAID", "segment"), SEGMENTS.get)),
    ("phrase gone",
     lambda: check_fact("nothing here", r"the longest (\d+) days", 60, _number)),
    ("identity listed as scored",
     lambda: check_factor_lists("## 模型里的对应因素\n\n- [实名认证](../model/factors/identity_verified.md)\n"
                                "- [资料完整度](../model/factors/profile_completeness.md)\n\n## 示例\n")),
    ("dropped late-payment count listed",
     lambda: check_factor_lists("## Factors in the model\n\n- [Late payments in the last 12 months]"
                                "(../model/factors/overdue_count_12m.md)\n\n## Examples\n")),
    ("label differs from the profile",
     lambda: check_factor_lists("## Factors in the model\n\n- [Card bound](../model/factors/bank_card_bound.md)\n")),
    ("count differs from the list",
     lambda: check_factor_lists("## 模型里的对应因素\n\n下面四个因素衡量信息是否完整：\n\n"
                                "- [资料完整度](../model/factors/profile_completeness.md)\n")),
    ("dropped factor listed without saying it scores nothing",
     lambda: check_factor_lists("## 模型里的对应因素\n\n- [近30天集中结清](../model/factors/recent_full_repayment.md)：次数越多，扣分越多。\n")),
    ("two late-payment factors",
     lambda: check_late_payment_factors("两个逾期因素都只看“近12个月”。")),
]


@pytest.mark.parametrize("name, check", WRONG, ids=[w[0] for w in WRONG])
def test_checker_fails_on_a_wrong_doc(name, check):
    with pytest.raises(AssertionError):
        check()
