"""The calculator page's data, pure: everything the in-browser calculator needs to explain a
reader's own situation exactly as ``explain`` would, written by the site build as one script
(``window.SCORECARD_CALCULATOR = {...}``), because a page opened from ``file://`` can load a
script but not fetch a JSON file.

One source of truth: every number comes from the spec and the policy the site is built from, and
the recourse rules' derived numbers (a move's nearest value inside a bin, the bin supplying a
missing record counts as, effort in cost units, the reason baselines at each threshold) are computed
here by the same functions ``explain`` uses, so the page's JavaScript never re-derives a float
that Python rounds. Every sentence comes from the locale files (the explanation pages' wording
and the ``calculator`` block of the site wording); the bins are said by the pages' own
``Speaker``. The JavaScript that reads it lives in ``docs/assets/javascripts/calculator/``.
"""

from __future__ import annotations

import json
import math
from typing import Any

from scorecard import reasons, recourse
from scorecard.languages import page_languages
from markupsafe import Markup

from scorecard.pages import charts, editorial
from scorecard.pages.builder import context_wording, render_rights
from scorecard.pages.speaking import Speaker, monotone
from scorecard.pages.words import kb_pages, load_words, site_words
from scorecard.policy import Condition, Policy, _day
from scorecard.profile import Factor, Profile
from scorecard.scoring import category_lookup
from scorecard.site.rendering import SiteFile, page_path, render_site_page
from scorecard.spec import FactorSpec, ScorecardSpec

PAGE = "calculator/index"  # the page's stem, relative to the docs root
DATA_SCRIPT = "assets/javascripts/calculator/data.js"  # relative to the docs root
GLOBAL = "SCORECARD_CALCULATOR"
SCHEMA = 1


def _number(x: float | None) -> float | None:
    """A float for JSON: None for a missing or infinite bound (the script reads null as unbounded)."""
    if x is None or not math.isfinite(float(x)):
        return None
    return float(x)


def _condition(cond: Condition, profile: Profile) -> dict[str, Any]:
    column = cond.column
    if cond.profile_column is not None:
        column = profile.segment_column if cond.profile_column == "segment" else profile.date_column
    values = list(cond.value) if isinstance(cond.value, tuple) else [cond.value]
    if cond.is_date:
        how, values = "date", [_day(v) for v in values]
    elif all(not isinstance(v, str) for v in values):
        how, values = "number", [float(v) for v in values]
    else:
        how, values = "text", [str(v) for v in values]
    return {"column": column, "op": cond.op, "how": how, "values": values, "missing_match": cond.missing == "match"}


def _described(rule: Any) -> dict[str, Any]:
    """A rule's or overlay's own words per page language and its pages (null: the generic ones)."""
    return {"description": {lang: rule.description.get(lang) for lang in page_languages().codes},
            "pages": None if rule.pages is None else {"causes": list(rule.pages.causes),
                                                     "remedies": list(rule.pages.remedies)}}


def _policy(policy: Policy, profile: Profile) -> dict[str, Any]:
    return {
        "version": policy.version,
        "cutoff": policy.cutoff,
        "hard_rules": [{"code": r.code, "outcome": r.outcome, "when": [_condition(c, profile) for c in r.when],
                        **_described(r)} for r in policy.hard_rules],
        "overlays": [{"code": o.code, "kind": o.kind, "cutoff": o.cutoff, "cap": o.cap,
                      "when": [_condition(c, profile) for c in o.when], "until": editorial.overlay_end(o),
                      **_described(o)} for o in policy.overlays],
        "bands": [{"name": b.name, "min_score": b.min_score, "limit": b.limit} for b in policy.limit_bands],
        "margin": policy.margin,
        "affordability": ([_condition(c, profile) for c in policy.affordability.when_any]
                          if policy.affordability is not None else None),
    }


def _conditions(policy: Policy, profile: Profile) -> list[dict[str, Any]]:
    guard = policy.affordability.when_any if policy.affordability is not None else ()
    return [_condition(c, profile) for item in (*policy.hard_rules, *policy.overlays) for c in item.when] + [
        _condition(c, profile) for c in guard]


def _unscored(spec: ScorecardSpec, policy: Policy) -> list[Factor]:
    """Profile factors the policy reads that the scorecard does not score (the logit left them
    out): the page asks for them like factors."""
    read = {c["column"] for c in _conditions(policy, spec.profile)}
    scored = {fs.column for fs in spec.factors}
    return [f for f in spec.profile.factors if f.source_column in read and f.source_column not in scored]


def _segments(policy: Policy, profile: Profile) -> list[str]:
    """The segment values the policy names, in the order it names them, then those the pages word
    differently (a small-business owner is told not to fund the business with consumer credit)."""
    if profile.segment_column is None:
        return []
    found = [v for c in _conditions(policy, profile) if c["column"] == profile.segment_column for v in c["values"]]
    return [str(v) for v in dict.fromkeys(found + sorted(editorial.SMALL_BUSINESS_SEGMENTS))]


def _input(factor: Factor) -> dict[str, Any]:
    return {"name": factor.name, "column": factor.source_column, "kind": factor.kind, "integer": factor.integer,
            "min": _number(factor.min_value), "max": _number(factor.max_value),
            "categories": list(factor.categories) if factor.categories is not None else None,
            "specials": [s.value for s in factor.special_values]}


def _input_words(factor: Factor, say: Speaker, lang: str) -> dict[str, Any]:
    unit = factor.unit.get(lang) if factor.unit is not None else None
    return {"label": factor.label.get(lang), "meaning": factor.meaning.get(lang), "unit": unit,
            "percent": factor.percent,  # a ratio the pages say as a percentage (Speaker.number)
            "unit_one": say.lang.unit_for_one(unit) if unit else None,
            "specials": [[s.value, s.meaning.get(lang)] for s in factor.special_values],
            "categories": {c.code: c.label.get(lang) for c in factor.category_labels}}


def _thresholds(policy: Policy) -> list[int]:
    """Every score a record's reasons are measured at: the cutoffs and the bands' scores."""
    found = {policy.cutoff, *(o.cutoff for o in policy.overlays if o.kind == "cutoff"),
             *(b.min_score for b in policy.limit_bands)}
    return sorted(int(t) for t in found if t is not None)


def _factor(fs: FactorSpec, factor: Factor) -> dict[str, Any]:
    static = recourse._statics(fs, factor)
    return {
        "name": fs.name,
        "column": fs.column,
        "kind": fs.kind,
        "integer": factor.integer,
        "min": _number(factor.min_value),
        "max": _number(factor.max_value),
        "step": factor.step,
        "helps": factor.helps,
        "monotone": monotone(factor),  # its better values read as one threshold (speaking.best, toward)
        "advice": factor.advice,
        "effort": int(round(factor.effort_per_step * recourse.COST_UNIT)),  # recourse's own cost units
        "days_per_step": factor.days_per_step,
        "window_days": factor.window_days,
        "group": factor.group,
        "categories": list(factor.categories) if factor.categories is not None else None,
        "lookup": category_lookup(fs) if fs.kind == "categorical" else {},  # scoring's own: text -> bin
        "missing_bin": fs.missing_bin,
        "unseen_bin": fs.unseen_bin,
        "best_points": fs.best_points,
        "bins": [{"kind": b.kind, "lower": _number(b.lower) if b.kind == "range" else None,
                  "upper": _number(b.upper) if b.kind == "range" else None, "categories": list(b.categories),
                  "specials": list(b.special_values), "points": b.points, "label": b.label} for b in fs.bins],
        # recourse._statics: the nearest value inside each bin from the harmful side (null: none),
        # and the bin supplying a missing record counts as (-1: the factor has no supply action)
        "edge": [_number(x) for x in static.edge],
        "supply_bin": static.supply_bin,
        "special_numbers": [float(x) for x in static.specials],  # no move may land on a special code
        "cause_pages": list(factor.cause_pages),
        "remedy_pages": list(factor.remedy_pages),
    }


def _factor_words(fs: FactorSpec, factor: Factor, say: Speaker, lang: str, profile: Profile) -> dict[str, Any]:
    words = say.w
    action = words.text("factors", profile.name, factor.name, "action") \
        if words.has("factors", profile.name, factor.name, "action") else None
    return {
        **_input_words(factor, say, lang),
        "bins": [say.bin(factor, b) for b in fs.bins],
        "action": action,
        "supply": factor.supply.get(lang) if factor.supply is not None else None,
    }


def _site_words(lang: str) -> dict[str, Any]:
    words = site_words(lang)
    policy = words.get("policy", {})
    return {"calculator": words["calculator"], "values": policy.get("values", {})}


def calculator_data(spec: ScorecardSpec, policy: Policy) -> dict[str, Any]:
    """The calculator's data: the model, the policy, the recourse rules and the wording."""
    profile = spec.profile
    factors = [profile.factor(fs.name) for fs in spec.factors]
    languages = page_languages()
    words: dict[str, Any] = {}
    kb = kb_pages(policy.context.jurisdiction)
    for lang in languages.codes:
        w = load_words(lang)
        say = Speaker(w, profile, currency=policy.context.currency, pages=kb_pages(policy.context.jurisdiction))
        words[lang] = {
            "page": context_wording(lang, policy, profile),
            "site": _site_words(lang),
            "factors": {fs.name: _factor_words(fs, f, say, lang, profile) for fs, f in zip(spec.factors, factors)},
            "policy_factors": {f.name: _input_words(f, say, lang) for f in _unscored(spec, policy)},
            "description": profile.description.get(lang),
            "groups": {g.id: g.label.get(lang) for g in profile.reason_groups},
        }
    read = list(dict.fromkeys(c["column"] for c in _conditions(policy, profile)))
    known = {fs.column for fs in spec.factors} | {f.source_column for f in profile.factors}
    extra = [c for c in read if c not in known and c not in (profile.segment_column, profile.date_column)]
    return {
        "schema": SCHEMA,
        "model": {
            "sha256": spec.sha256,
            "profile": profile.name,
            "first_score": spec.pd_table.first_score,  # type: ignore[union-attr]
            "pd": list(spec.pd_table.pd),  # type: ignore[union-attr]
        },
        "rules": {
            "cost_unit": recourse.COST_UNIT,
            "max_plans": recourse.MAX_PLANS,
            "max_reasons": reasons.MAX_REASONS,
            "min_shortfall": reasons.MIN_SHORTFALL,
            "baseline": "cutoff_average",
        },
        "columns": {"segment": profile.segment_column, "date": profile.date_column, "policy": extra,
                    "segments": _segments(policy, profile)},
        "policy_factors": [_input(f) for f in _unscored(spec, policy)],
        "factors": [_factor(fs, f) for fs, f in zip(spec.factors, factors)],
        "causes": reasons.cause_index(spec).tolist(),  # reason groups: the cause of each factor
        "baselines": {str(t): reasons.baseline_points(spec, "cutoff_average", t).tolist() for t in _thresholds(policy)},
        "policy": _policy(policy, profile),
        "chart": {"text_bar_cells": charts.TEXT_BAR_CELLS},
        "editorial": {"hard_rule_pages": editorial.HARD_RULE_PAGES, "overlay_pages": editorial.OVERLAY_PAGES,
                      "dont_pages": editorial.DONT_PAGES, "sha_prefix": editorial.SHA_PREFIX,
                      "relief_deadline": editorial.RELIEF_DEADLINE, "many_causes": sorted(editorial.MANY_CAUSES),
                      "supply_causes": list(editorial.SUPPLY_CAUSES),
                      "decline_only_remedies": sorted(editorial.DECLINE_ONLY_REMEDIES),
                      "small_business_segments": sorted(editorial.SMALL_BUSINESS_SEGMENTS)},
        # The knowledge-base pages this site has (null: every page; a neutral jurisdiction's has fewer)
        "pages": None if kb is None else sorted(f"{section}/{slug}" for section, slug in kb),
        "languages": list(languages.codes),
        "default_language": languages.default,
        "words": words,
    }


def data_script(spec: ScorecardSpec, policy: Policy) -> str:
    """The data as a classic script (one line of JSON: deterministic, no NaN)."""
    text = json.dumps(calculator_data(spec, policy), ensure_ascii=False, sort_keys=True, allow_nan=False,
                      separators=(",", ":"))
    # "</script" cannot end a script that is loaded from a file, but keep the text safe to inline too.
    safe = text.replace("</", "<\\/")
    return f"window.{GLOBAL} = {safe};\n"


def calculator_files(spec: ScorecardSpec, policy: Policy) -> list[SiteFile]:
    """The calculator's page in every page language and its data script (the scripts that read it
    are static files of the knowledge base)."""
    languages = page_languages()
    files = []
    for lang in languages.codes:
        words = site_words(lang)["calculator"]
        note = load_words(lang).join([words["private"], words["model_note"]])
        root = Markup("../" if lang == languages.default else "../../")  # calculator/ (and <lang>/) up to the root
        files.append(SiteFile(page_path(PAGE, lang), render_site_page(
            "calculator", lang=lang, root=root, note=note, rights=render_rights(spec.profile, lang=lang, policy=policy))))
    files.append(SiteFile(DATA_SCRIPT, data_script(spec, policy)))
    return files
