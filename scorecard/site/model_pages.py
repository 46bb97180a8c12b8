"""The model's pages of the site, one language at a time: how a points scorecard works, the
scorecard table, metrics, the decision policy, the training data, one page per factor of the
profile, and each factor's chart (SVG). Pure: spec and policy in, ``SiteFile`` s out."""

from __future__ import annotations

import math
from typing import Any, Iterable

from scorecard.languages import page_languages
from scorecard.metrics import psi_level
from scorecard.pages import charts, plots
from scorecard.pages.builder import renderer
from scorecard.pages.speaking import Speaker, code_text, plain_number
from scorecard.pages.words import site_words
from scorecard.policy import Condition, Policy
from scorecard.profile import Factor, Profile
from scorecard.site.rendering import SiteFile, page_path, render_site_page, render_site_svg, site_link
from scorecard.spec import FactorSpec, ScorecardSpec, SelectionStep, compared

SCORE_EXAMPLES = 5  # rows of the score -> estimated bad rate table


# --- numbers as the pages print them ----------------------------------------------------------


def _percent(value: float | None, digits: int = 1) -> str:
    return "–" if value is None or not math.isfinite(value) else f"{100 * value:.{digits}f}%"


def _decimal(value: float | None, digits: int = 3) -> str:
    return "–" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


def _count(value: int | float) -> str:
    return f"{int(value):,}"


def _p_value(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    return "< 0.0001" if value < 1e-4 else f"{value:.4f}"


# --- model pages ------------------------------------------------------------------------------


def _speaker(profile: Profile, lang: str) -> Speaker:
    """The explanation pages' own speaker, so bins read the same words on both."""
    return renderer(profile, lang, "md").say


def _bin_words(profile: Profile, factor: FactorSpec, lang: str) -> list[str]:
    """Each bin as the explanation pages say it, so a reader finds the same words on both."""
    described = profile.factor(factor.name)
    return [_speaker(profile, lang).bin(described, b) for b in factor.bins]


def _bin_rows(profile: Profile, factor: FactorSpec, lang: str) -> list[dict[str, str]]:
    total = sum(b.count for b in factor.bins) or 1
    return [
        {
            "label": label,
            "count": _count(b.count),
            "share": _percent(b.count / total),
            "event_rate": _percent(b.event_rate) if b.count else "–",
            "woe": _decimal(b.woe, 4),
            "iv": _decimal(b.iv, 4),
            "points": str(b.points),
        }
        for b, label in zip(factor.bins, _bin_words(profile, factor, lang))
    ]


def step_reason(spec: ScorecardSpec, step: SelectionStep, lang: str) -> str:
    """A selection step's reason in the page's language, from its recorded numbers and the
    training settings; the recorded (English) sentence only when the numbers are missing."""
    site = site_words(lang)
    words, chosen = site["metrics"]["reasons"], site["selection"]["reasons"]
    settings = spec.training.get("settings", {})
    rule = settings.get("selection", {})
    min_iv, max_p = settings.get("min_iv"), settings.get("max_p_value")
    if step.stage == "binning" and step.iv is not None and min_iv is not None:
        key = "iv_kept" if step.action == "kept" else "iv_dropped"
        text = words[key].format(iv=compared(step.iv, float(min_iv)), min_iv=plain_number(float(min_iv)))
        # The analyst's own words (their bins and reason) as they wrote them.
        return text + (chosen["override"].format(override=step.override) if step.override else "")
    if step.stage == "screen" and step.partner is not None and step.correlation is not None and rule.get("max_correlation"):
        return chosen["correlated"].format(partner=_label(spec.profile, step.partner, lang),
                                           correlation=_decimal(step.correlation, 2),
                                           max_correlation=plain_number(float(rule["max_correlation"])))
    if step.stage == "screen" and step.vif is not None and rule.get("max_vif"):
        return chosen["vif"].format(vif=_decimal(step.vif, 2), max_vif=plain_number(float(rule["max_vif"])))
    if step.stage == "logit" and step.coefficient is not None and step.p_value is not None and max_p is not None:
        criterion = str(rule.get("method", "pvalue")).upper()
        if step.action == "dropped" and step.criterion is not None and step.coefficient <= 0:
            return chosen["criterion_dropped"].format(criterion=criterion, change=_decimal(-step.criterion, 2),
                                                      p_value=_p_value(step.p_value))
        if step.action == "kept" and criterion != "PVALUE":
            return chosen["criterion_kept"].format(coefficient=f"{step.coefficient:+.4f}", criterion=criterion,
                                                   p_value=_p_value(step.p_value))
        key = ("logit_kept" if step.action == "kept" else "wrong_sign" if step.coefficient > 0 else "not_significant")
        return words[key].format(coefficient=f"{step.coefficient:+.4f}", p_value=_p_value(step.p_value),
                                 max_p=plain_number(float(max_p)))
    if step.stage == "protected":
        if step.action == "dropped":
            return words["protected_dropped"]
        use = spec.profile.factor(step.factor).protected_use
        return words["protected_kept"].format(use=use.get(lang) if use else "")
    return step.reason


def selection_intro(spec: ScorecardSpec, lang: str) -> str:
    """How the factors were chosen, in the page's language: the spec's selection rule and its limits,
    and what the p-values mean when the coefficients are penalized."""
    words = site_words(lang)["selection"]
    rule = spec.training.get("settings", {}).get("selection", {})
    method = rule.get("method", "pvalue")
    limit = rule.get("max_correlation")
    vif = rule.get("max_vif")
    text = words["intro"][method].format(
        max_correlation=words["no_correlation"] if limit is None else plain_number(float(limit)),
        vif="" if vif is None else words["vif_limit"].format(max_vif=plain_number(float(vif))),
        max_p=plain_number(float(rule.get("max_p_value", spec.training.get("settings", {}).get("max_p_value", 0.05)))))
    if rule.get("l2"):
        text += words["ridge"].format(l2=plain_number(float(rule["l2"])))  # its own leading space where a language has one
    return text


def _dropped_reasons(spec: ScorecardSpec, lang: str) -> dict[str, str]:
    """The last selection step that dropped each factor, in the page's language."""
    dropped: dict[str, str] = {}
    for step in spec.selection_log:
        if step.action == "dropped":
            dropped[step.factor] = step_reason(spec, step, lang)
    return {name: reason for name, reason in dropped.items() if name not in spec.factor_names}


def _read_more(profile: Profile, factor: Factor, lang: str, policy: Policy) -> list[dict[str, Any]]:
    """The knowledge-base pages a factor links to, those the site's knowledge base has (the
    policy's jurisdiction picks it)."""
    say = renderer(profile, lang, "md", policy).say
    links = []
    for section, slugs in (("causes", factor.cause_pages), ("remedies", factor.remedy_pages)):
        for link in say.links(section, slugs):
            slug = link.href.rsplit("/", 1)[-1][:-3]
            links.append({"kind": section, "title": link.title, "href": site_link(f"../../{section}/{slug}.md")})
    return links


def _factor_view(spec: ScorecardSpec, factor: Factor, lang: str, policy: Policy) -> dict[str, Any]:
    words = site_words(lang)
    used = factor.name in spec.factor_names
    view: dict[str, Any] = {
        "name": factor.name,
        "label": factor.label.get(lang),
        "meaning": factor.meaning.get(lang),
        "column": factor.source_column,
        "kind": words["kinds"][factor.kind],
        "unit": factor.unit.get(lang) if factor.unit else "",
        "trend": words["trends"][factor.trend],
        "changeable": words["changeable"][factor.advice],
        "used": used,
        "href": site_link(f"factors/{factor.name}.md"),
        "chart": site_link(f"{factor.name}.svg"),
        "binning_chart": site_link(f"{factor.name}-binning.svg"),
        "special_values": [{"value": code_text(s.value), "meaning": s.meaning.get(lang)} for s in factor.special_values],
        "read_more": _read_more(spec.profile, factor, lang, policy),
        "dropped_reason": _dropped_reasons(spec, lang).get(factor.name, words["factor"]["not_listed"]),
    }
    if used:
        fitted = spec.factor(factor.name)
        coefficient = next(c for c in spec.coefficients if c.name == factor.name)
        view.update(iv=_decimal(fitted.iv, 4), coefficient=_decimal(coefficient.estimate, 4),
                    p_value=_p_value(coefficient.p_value), bins=_bin_rows(spec.profile, fitted, lang),
                    best=str(fitted.best_points), worst=str(fitted.worst_points))
    return view


def factor_chart(profile: Profile, factor: FactorSpec, lang: str) -> str:
    """One row per bin with training rows: the bin in words, a bar as long as its bad rate, its points."""
    words = site_words(lang)["factor"]
    rows = [(label, b.event_rate, b.points) for b, label in zip(factor.bins, _bin_words(profile, factor, lang))
            if b.count > 0]
    return render_site_svg("factor_chart", **charts.factor_chart(rows, _percent), rate_head=words["chart_rate"],
                           points_head=words["chart_points"], bin_head=words["chart_bin"])


def _score_examples(spec: ScorecardSpec) -> list[dict[str, str]]:
    low, high = spec.min_score, spec.max_score
    step = max(1, round((high - low) / (SCORE_EXAMPLES - 1) / 10) * 10)
    start = int(math.ceil(low / 10.0) * 10)
    scores = [s for s in range(start, high + 1, step)][:SCORE_EXAMPLES]
    return [{"score": str(s), "pd": _percent(spec.pd_table.of(s), 2)} for s in scores]


def _metric_rows(spec: ScorecardSpec, lang: str) -> list[dict[str, str]]:
    words = site_words(lang)["metrics"]["names"]
    train, test = spec.metrics.get("train", {}), spec.metrics.get("test", {})
    rows = []
    for key, digits in (("auc", 3), ("gini", 3), ("ks", 3), ("brier", 4)):
        if key in train or key in test:
            rows.append({"name": words[key], "train": _decimal(train.get(key), digits),
                         "test": _decimal(test.get(key), digits)})
    rows.append({"name": words["rows"], "train": _count(train.get("rows", 0)), "test": _count(test.get("rows", 0))})
    rows.append({"name": words["bad_rate"], "train": _percent(train.get("bad_rate")), "test": _percent(test.get("bad_rate"))})
    return rows


def _psi_reading(value: float, lang: str) -> str:
    return site_words(lang)["metrics"]["psi_levels"][psi_level(value)]


def _label(profile: Profile, name: str, lang: str) -> str:
    for factor in profile.factors:
        if factor.name == name:
            return factor.label.get(lang)
    return name


def _metrics_view(spec: ScorecardSpec, lang: str) -> dict[str, Any]:
    metrics = spec.metrics
    evaluated = metrics.get("test") or metrics.get("train") or {}
    calibration = [
        {"range": f"{int(c['lower'])}–{int(c['upper'])}", "rows": _count(c["rows"]),
         "predicted": _percent(c["predicted_bad_rate"], 1), "observed": _percent(c["observed_bad_rate"], 1)}
        for c in evaluated.get("calibration", ())
    ]
    psi = metrics.get("psi_train_test")
    psi_factors = [
        {"label": _label(spec.profile, name, lang), "psi": _decimal(value, 4), "reading": _psi_reading(value, lang)}
        for name, value in sorted(metrics.get("psi_factors_train_test", {}).items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    iv_rows = [
        {"label": _label(spec.profile, row["factor"], lang), "iv": _decimal(row["iv"], 4), "bins": str(row["bins"]),
         "in_model": site_words(lang)["common"]["answer_yes" if row["in_model"] else "answer_no"]}
        for row in metrics.get("iv", ())
    ]
    stages = {**site_words(lang)["metrics"]["stages"], **site_words(lang)["selection"]["stages"]}
    steps = [
        {"stage": stages[s.stage], "label": _label(spec.profile, s.factor, lang),
         "action": site_words(lang)["metrics"]["actions"][s.action], "reason": step_reason(spec, s, lang)}
        for s in spec.selection_log
    ]
    return {
        "rows": _metric_rows(spec, lang),
        "has_test": bool(metrics.get("test")),
        "calibration": calibration,
        "psi": None if psi is None else {"value": _decimal(psi, 4), "reading": _psi_reading(psi, lang)},
        "psi_factors": psi_factors,
        "iv": iv_rows,
        "steps": steps,
        "steps_intro": selection_intro(spec, lang),
        "plots": [{"href": site_link(f"{name}.svg"), "alt": site_words(lang)["plots"][f"{key}_title"]}
                  for name, key in (("score-distribution", "distribution"), ("roc", "roc"), ("ks", "ks"))
                  if (spec.metrics.get("test") or {}).get("score_bands", {}).get("goods")],
        "rounding": {"max": _decimal(spec.rounding.get("max_abs"), 2), "mean": _decimal(spec.rounding.get("mean_abs"), 2)},
    }


# --- the policy page --------------------------------------------------------------------------


def _policy_value(value: Any, cond: Condition, profile: Profile, lang: str) -> str:
    """A value of a policy condition as a reader says it: yes/no for flags, with the factor's unit,
    and segment or status names from the site wording."""
    words = site_words(lang)["policy"]["values"]
    factor = next((f for f in profile.factors if cond.column and f.source_column == cond.column), None)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and factor is not None:
        say = _speaker(profile, lang)
        if factor.kind == "flag":
            return say.value(factor, 1 if value == 1 else 0)
        return say.with_unit(factor, plain_number(float(value)))
    text = code_text(value)
    return str(words.get(text, text))


def _condition(cond: Condition, profile: Profile, lang: str) -> str:
    words = site_words(lang)["policy"]
    if cond.profile_column:
        subject = words["subjects"][cond.profile_column]
    else:
        column = cond.column or ""
        subject = words["columns"].get(column) or _label(profile, column, lang)
    value = cond.value
    if isinstance(value, tuple):
        parts = [_policy_value(v, cond, profile, lang) for v in value]
        shown = (words["range"].format(low=parts[0], high=parts[-1]) if cond.op == "between" and len(parts) == 2
                 else ", ".join(parts))
    else:
        shown = _policy_value(value, cond, profile, lang)
    return words["condition"].format(subject=subject, op=words["ops"][cond.op], value=shown)


def _when(conditions: Iterable[Condition], profile: Profile, lang: str) -> str:
    words = site_words(lang)["policy"]
    parts = [_condition(c, profile, lang) for c in conditions]
    return words["and"].join(parts) if parts else words["everyone"]


def _score_shares(spec: ScorecardSpec, policy: Policy) -> tuple[list[float | None], float | None]:
    """Share of the training applicants in each limit band and at or above the cutoff, from the
    spec's reference population (counts per 5-point score band, each counted at its lower edge);
    None when the spec has no reference population."""
    bands = spec.reference.get("bands") if spec.reference else None
    if not bands:
        return [None] * len(policy.limit_bands), None
    total = sum(b["count"] for b in bands) or 1
    edges = [band.min_score for band in policy.limit_bands] + [math.inf]
    shares: list[float | None] = [sum(b["count"] for b in bands if low <= b["lower"] < high) / total
                                  for low, high in zip(edges, edges[1:])]
    return shares, sum(b["count"] for b in bands if b["lower"] >= policy.cutoff) / total


def _money(policy: Policy, lang: str, n: int) -> str:
    """An amount in the policy's currency, as the explanation pages say it."""
    return policy.context.currency.amount(lang, _count(n), site_words(lang)["anymodel"]["money"])


def _policy_view(spec: ScorecardSpec, policy: Policy, lang: str, *, personas: bool) -> dict[str, Any]:
    words = site_words(lang)["policy"]
    shares, approved = _score_shares(spec, policy)
    currency = policy.context.currency
    return {
        "is_demo": spec.profile.name == "demo",
        "personas": personas,
        "limit_head": site_words(lang)["anymodel"]["limit_head"].format(
            currency=currency.words.get(lang).replace("{n}", "").strip() or currency.code),
        "name": policy.name,
        "version": policy.version,
        "description": policy.description.get(lang),
        "cutoff": str(policy.cutoff),
        "approved_share": None if approved is None else _percent(approved),
        "hard_rules": [{"code": r.code, "outcome": words["outcomes"][r.outcome], "when": _when(r.when, spec.profile, lang),
                        "description": r.description.get(lang)} for r in policy.hard_rules],
        "overlays": [{"code": o.code,
                      "effect": (words["effects"]["cutoff"].format(cutoff=o.cutoff) if o.kind == "cutoff"
                                 else words["effects"]["limit_cap"].format(cap=_money(policy, lang, o.cap or 0))),
                      "when": _when(o.when, spec.profile, lang), "description": o.description.get(lang)}
                     for o in policy.overlays],
        "bands": [{"name": b.name, "min_score": str(b.min_score), "limit": _count(b.limit),
                   "share": "–" if share is None else _percent(share)}
                  for b, share in zip(policy.limit_bands, shares)],
    }


def _data_view(spec: ScorecardSpec, lang: str, policy: Policy) -> dict[str, Any]:
    training = spec.training
    dates = training.get("date_range") or []
    return {
        "description": spec.profile.description.get(lang),
        "rows": _count(training.get("rows", 0)),
        "train_rows": _count(training.get("train_rows", 0)),
        "test_rows": _count(training.get("test_rows", 0)),
        "bad_rate": _percent(training.get("bad_rate")),
        "dates": " – ".join(dates) if len(dates) == 2 else "–",
        "seed": str(training.get("seed", "–")),
        "sha256": str(training.get("sha256", "")),
        "model_sha256": spec.sha256,
        "target": spec.profile.target.column,
        # The demo population's page is part of mainland China's knowledge base only.
        "is_demo": spec.profile.name == "demo" and policy.context.jurisdiction == "cn",
        "factors": [{"name": f.name, "label": f.label.get(lang), "column": f.source_column,
                     "kind": site_words(lang)["kinds"][f.kind], "unit": f.unit.get(lang) if f.unit else "",
                     "changeable": site_words(lang)["changeable"][f.advice],
                     "href": site_link(f"factors/{f.name}.md")}
                    for f in spec.profile.factors],
    }


def model_pages(spec: ScorecardSpec, policy: Policy, lang: str, *, personas: bool = True) -> list[SiteFile]:
    """The ``model/`` pages of one language; ``personas``: whether the site has persona pages."""
    used = [f for f in spec.profile.factors if f.name in spec.factor_names]
    example = max(used, key=lambda f: spec.factor(f.name).iv) if used else None
    example_view = None if example is None else {
        "label": example.label.get(lang),
        "rows": [{"label": r["label"], "points": r["points"]} for r in _bin_rows(spec.profile, spec.factor(example.name), lang)],
    }
    scaling = spec.scaling
    index = render_site_page(
        "model_index", lang=lang, example=example_view, is_demo=spec.profile.name == "demo",
        description=spec.profile.description.get(lang), n_factors=len(spec.factors), min_score=spec.min_score,
        max_score=spec.max_score, score_examples=_score_examples(spec),
        scaling={"method": scaling.method, "base_score": plain_number(scaling.base_score or 0),
                 "base_odds": plain_number(scaling.base_odds or 0), "pdo": plain_number(scaling.pdo or 0),
                 "min_score": scaling.min_score, "max_score": scaling.max_score})
    factors = [_factor_view(spec, f, lang, policy) for f in spec.profile.factors]
    scorecard = render_site_page("model_scorecard", lang=lang, factors=[f for f in factors if f["used"]],
                                 dropped=[f for f in factors if not f["used"]], min_score=spec.min_score,
                                 max_score=spec.max_score)
    pages = [
        SiteFile(page_path("model/index", lang), index),
        SiteFile(page_path("model/scorecard", lang), scorecard),
        SiteFile(page_path("model/metrics", lang), render_site_page("model_metrics", lang=lang, m=_metrics_view(spec, lang))),
        SiteFile(page_path("model/policy", lang), render_site_page("model_policy", lang=lang,
                                                                         p=_policy_view(spec, policy, lang, personas=personas))),
        SiteFile(page_path("model/data", lang), render_site_page("model_data", lang=lang, d=_data_view(spec, lang, policy))),
    ]
    pages += [SiteFile(page_path(f"model/factors/{f['name']}", lang), render_site_page("model_factor", lang=lang, f=f))
              for f in factors]
    return pages


def chart_files(spec: ScorecardSpec, lang: str) -> list[SiteFile]:
    """Two charts per factor in the model (bad rate and points; the binning plot) and the metrics
    page's plots (score distributions, ROC, KS); per language, since mkdocs-static-i18n gives each
    language only its own files (``x.svg``, ``x.en.svg``)."""
    suffix = page_languages().suffix(lang)
    files = [SiteFile(f"model/factors/{f.name}{suffix}.svg", factor_chart(spec.profile, f, lang)) for f in spec.factors]
    files += [SiteFile(f"model/factors/{name}-binning{suffix}.svg", svg)
              for name, svg in binning_plots(spec, lang).items()]
    files += [SiteFile(f"model/{name}{suffix}.svg", svg) for name, svg in metric_plots(spec, lang).items()]
    return files


def binning_plots(spec: ScorecardSpec, lang: str) -> dict[str, str]:
    """The binning plot of every factor in the model, by factor name, worded in ``lang``."""
    words = site_words(lang)["plots"]
    def short(f: FactorSpec) -> list[str]:  # a long range in words as the spec writes it ("[0.1, 0.2)"), to fit under a bar
        return [b.label if b.kind == "range" and len(label) > 14 else label
                for b, label in zip(f.bins, _bin_words(spec.profile, f, lang))]

    return {f.name: plots.binning_plot(f, short(f), words,
                                       words["binning_title"].format(label=_label(spec.profile, f.name, lang)))
            for f in spec.factors}


def metric_plots(spec: ScorecardSpec, lang: str) -> dict[str, str]:
    """The score distributions of goods and bads, the ROC and the KS curve on the evaluated rows
    (none for a spec without score bands, such as a hand-made one)."""
    words = site_words(lang)["plots"]
    evaluated = spec.metrics.get("test") or {}
    bands = evaluated.get("score_bands")
    if not bands or not bands.get("goods"):
        return {}
    return {"score-distribution": plots.distribution_plot(bands, words, words["distribution_title"]),
            "roc": plots.roc_plot(bands, evaluated.get("auc"), words, words["roc_title"]),
            "ks": plots.ks_plot(bands, evaluated.get("ks"), words, words["ks_title"])}


