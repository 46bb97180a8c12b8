"""The knowledge-base site: the hand-written ``docs/`` plus pages generated from one scorecard.

Generated, in both languages (``<page>.md`` zh, ``<page>.en.md`` en, the suffix structure of
mkdocs-static-i18n):

- ``model/``: how a points scorecard works, the scorecard table, metrics, the decision policy,
  the training data, and one page per factor of the profile with a bar chart (SVG);
- ``personas/``: the demo personas, each an explanation page of its latest snapshot.

:func:`plan_site` is pure: spec, policy, personas and their records in, ``SiteFile`` s out.
:func:`write_sources` and :func:`build_html` are the edges (files and MkDocs). Generated pages
go to the output folder only, never into the tracked ``docs/`` tree, and only the demo
personas' pages are part of the site: real applicants' pages go where ``scorecard explain``
writes them.
"""

from __future__ import annotations

import logging
import math
import re
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import yaml

from scorecard.datasets.personas import Persona
from scorecard.errors import SiteError
from scorecard.metrics import psi_level
from scorecard.policy import Condition, Policy
from scorecard.profile import Factor, Profile
from scorecard.records import DecisionRecord
from scorecard.render import (LANGS, bin_in_words, load_words, plain_number, render_persona_page, render_site_not_found,
                              render_site_page, render_site_svg, site_link, site_words)
from scorecard.spec import Bin, FactorSpec, ScorecardSpec, SelectionStep

MARKER = ".scorecard-site"  # marks an output folder this module wrote, so rebuilding may clear it
KB_SECTIONS = ("causes", "scenarios", "remedies", "lessons", "rights")
SCORE_EXAMPLES = 5  # rows of the score -> estimated bad rate table
# The factor chart, in px: 480 wide so that its 13 px text stays readable when a phone shrinks it.
CHART_WIDTH, CHART_FONT, CHART_ROW, CHART_TOP, CHART_LABEL, CHART_BAR = 480, 13, 26, 30, 190, 190
GOOD, BAD = "#26a69a", "#ef6c00"


@dataclass(frozen=True)
class SiteFile:
    """One generated file: ``path`` relative to the docs root, with forward slashes."""

    path: str
    text: str


def page_path(stem: str, lang: str) -> str:
    """``stem.md`` for the default language, ``stem.<lang>.md`` otherwise."""
    return f"{stem}.md" if lang == LANGS[0] else f"{stem}.{lang}.md"


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


def _bin_label(profile: Profile, factor: FactorSpec, spec_bin: Bin, lang: str) -> str:
    """The bin as the explanation pages say it, so a reader finds the same words on both."""
    described = next(f for f in profile.factors if f.name == factor.name)
    label = spec_bin.label
    if spec_bin.kind == "special" and spec_bin.special_values:
        value = spec_bin.special_values[0]
        label = plain_number(value) if isinstance(value, float) else str(value)
    return bin_in_words(profile, described, label, spec_bin.kind, lang)


def _bin_rows(profile: Profile, factor: FactorSpec, lang: str) -> list[dict[str, str]]:
    total = sum(b.count for b in factor.bins) or 1
    return [
        {
            "label": _bin_label(profile, factor, b, lang),
            "count": _count(b.count),
            "share": _percent(b.count / total),
            "event_rate": _percent(b.event_rate) if b.count else "–",
            "woe": _decimal(b.woe, 4),
            "iv": _decimal(b.iv, 4),
            "points": str(b.points),
        }
        for b in factor.bins
    ]


def step_reason(spec: ScorecardSpec, step: SelectionStep, lang: str) -> str:
    """A selection step's reason in the page's language, from its recorded numbers and the
    training settings; the recorded (English) sentence only when the numbers are missing."""
    words = site_words(lang)["metrics"]["reasons"]
    settings = spec.training.get("settings", {})
    min_iv, max_p = settings.get("min_iv"), settings.get("max_p_value")
    if step.stage == "binning" and step.iv is not None and min_iv is not None:
        key = "iv_kept" if step.action == "kept" else "iv_dropped"
        return words[key].format(iv=_decimal(step.iv, 4), min_iv=plain_number(float(min_iv)))
    if step.stage == "logit" and step.coefficient is not None and step.p_value is not None and max_p is not None:
        key = ("logit_kept" if step.action == "kept" else "wrong_sign" if step.coefficient > 0 else "not_significant")
        return words[key].format(coefficient=f"{step.coefficient:+.4f}", p_value=_p_value(step.p_value),
                                 max_p=plain_number(float(max_p)))
    return step.reason


def _dropped_reasons(spec: ScorecardSpec, lang: str) -> dict[str, str]:
    """The last selection step that dropped each factor, in the page's language."""
    dropped: dict[str, str] = {}
    for step in spec.selection_log:
        if step.action == "dropped":
            dropped[step.factor] = step_reason(spec, step, lang)
    return {name: reason for name, reason in dropped.items() if name not in spec.factor_names}


def _read_more(factor: Factor, lang: str) -> list[dict[str, Any]]:
    words = load_words(lang)
    links = []
    for section, slugs in (("causes", factor.cause_pages), ("remedies", factor.remedy_pages)):
        for slug in slugs:
            title = words.text("pages", section, slug) if words.has("pages", section, slug) else slug
            links.append({"kind": section, "title": title, "href": site_link(f"../../{section}/{slug}.md")})
    return links


def _factor_view(spec: ScorecardSpec, factor: Factor, lang: str) -> dict[str, Any]:
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
        "changeable": words["changeable"][factor.actionability],
        "used": used,
        "href": site_link(f"factors/{factor.name}.md"),
        "chart": site_link(f"{factor.name}.svg"),
        "special_values": [{"value": plain_number(s.value) if isinstance(s.value, float) else str(s.value),
                            "meaning": s.meaning.get(lang)} for s in factor.special_values],
        "read_more": _read_more(factor, lang),
        "dropped_reason": _dropped_reasons(spec, lang).get(factor.name, words["factor"]["not_listed"]),
    }
    if used:
        fitted = spec.factor(factor.name)
        coefficient = next(c for c in spec.coefficients if c.name == factor.name)
        view.update(iv=_decimal(fitted.iv, 4), coefficient=_decimal(coefficient.estimate, 4),
                    p_value=_p_value(coefficient.p_value), bins=_bin_rows(spec.profile, fitted, lang),
                    best=str(fitted.best_points), worst=str(fitted.worst_points))
    return view


def _fit_label(text: str, room: float) -> str:
    """``text`` cut to ``room`` pixels at the chart's font size (CJK characters are twice as wide)."""
    used, kept = 0.0, []
    for char in text:
        width = CHART_FONT if unicodedata.east_asian_width(char) in "WF" else CHART_FONT * 0.55
        if used + width > room:
            return "".join(kept).rstrip() + "…"
        used += width
        kept.append(char)
    return text


def factor_chart(profile: Profile, factor: FactorSpec, lang: str) -> str:
    """One row per bin: the bin in words, a bar as long as its bad rate, and its points. Rows
    rather than columns, so long labels never collide and the chart stays legible on a phone."""
    words = site_words(lang)["factor"]
    shown = [b for b in factor.bins if b.count > 0]
    top_rate = max((b.event_rate for b in shown), default=0.0) or 1.0
    best = max((b.points for b in shown), default=0)
    rows = []
    for i, b in enumerate(shown):
        y = CHART_TOP + i * CHART_ROW
        length = CHART_BAR * b.event_rate / top_rate
        rows.append({
            "label": _fit_label(_bin_label(profile, factor, b, lang), CHART_LABEL - 8),
            "y": f"{y:.1f}", "text_y": f"{y + CHART_ROW * 0.62:.1f}", "bar_y": f"{y + 4:.1f}", "bar_h": f"{CHART_ROW - 8:.1f}",
            "bar_w": f"{max(length, 1.0):.1f}", "rate_x": f"{CHART_LABEL + length + 6:.1f}", "rate": _percent(b.event_rate),
            "points": str(b.points), "color": GOOD if b.points == best else BAD,
        })
    height = CHART_TOP + len(rows) * CHART_ROW + 8
    return render_site_svg("factor_chart", width=CHART_WIDTH, height=height, font=CHART_FONT, label_x=CHART_LABEL - 8,
                           bar_x=CHART_LABEL, points_x=CHART_WIDTH - 8, head_y=CHART_TOP - 8, rows=rows,
                           rate_head=words["chart_rate"], points_head=words["chart_points"], bin_head=words["chart_bin"])


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
    words = site_words(lang)["metrics"]["psi_levels"]
    return words[psi_level(value)]


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
    steps = [
        {"stage": site_words(lang)["metrics"]["stages"][s.stage], "label": _label(spec.profile, s.factor, lang),
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
        "rounding": {"max": _decimal(spec.rounding.get("max_abs"), 2), "mean": _decimal(spec.rounding.get("mean_abs"), 2)},
    }


# --- the policy page --------------------------------------------------------------------------


def _policy_value(value: Any, cond: Condition, profile: Profile, lang: str) -> str:
    """A value of a policy condition as a reader says it: yes/no for flags, with the factor's unit,
    and segment or status names from the site wording."""
    words = site_words(lang)["policy"]["values"]
    factor = next((f for f in profile.factors if cond.column and f.source_column == cond.column), None)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and factor is not None:
        if factor.kind == "flag":
            return load_words(lang).text("values", "yes" if value == 1 else "no")
        number = plain_number(float(value))
        unit = factor.unit.get(lang) if factor.unit else ""
        return f"{number}%" if unit == "%" else load_words(lang).text("values", "unit", n=number, unit=unit) if unit else number
    text = plain_number(value) if isinstance(value, float) else str(value)
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


def _policy_view(spec: ScorecardSpec, policy: Policy, lang: str) -> dict[str, Any]:
    words = site_words(lang)["policy"]
    shares, approved = _score_shares(spec, policy)
    return {
        "name": policy.name,
        "version": policy.version,
        "description": policy.description.get(lang),
        "cutoff": str(policy.cutoff),
        "approved_share": None if approved is None else _percent(approved),
        "hard_rules": [{"code": r.code, "outcome": words["outcomes"][r.outcome], "when": _when(r.when, spec.profile, lang),
                        "description": r.description.get(lang)} for r in policy.hard_rules],
        "overlays": [{"code": o.code,
                      "effect": (words["effects"]["cutoff"].format(cutoff=o.cutoff) if o.kind == "cutoff"
                                 else words["effects"]["limit_cap"].format(cap=_count(o.cap or 0))),
                      "when": _when(o.when, spec.profile, lang), "description": o.description.get(lang)}
                     for o in policy.overlays],
        "bands": [{"name": b.name, "min_score": str(b.min_score), "limit": _count(b.limit),
                   "share": "–" if share is None else _percent(share)}
                  for b, share in zip(policy.limit_bands, shares)],
    }


def _data_view(spec: ScorecardSpec, lang: str) -> dict[str, Any]:
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
        "is_demo": spec.profile.name == "demo",
        "factors": [{"name": f.name, "label": f.label.get(lang), "column": f.source_column,
                     "kind": site_words(lang)["kinds"][f.kind], "unit": f.unit.get(lang) if f.unit else "",
                     "changeable": site_words(lang)["changeable"][f.actionability],
                     "href": site_link(f"factors/{f.name}.md")}
                    for f in spec.profile.factors],
    }


def model_pages(spec: ScorecardSpec, policy: Policy, lang: str) -> list[SiteFile]:
    """The ``model/`` pages of one language."""
    used = [f for f in spec.profile.factors if f.name in spec.factor_names]
    example = max(used, key=lambda f: spec.factor(f.name).iv) if used else None
    example_view = None if example is None else {
        "label": example.label.get(lang),
        "rows": [{"label": r["label"], "points": r["points"]} for r in _bin_rows(spec.profile, spec.factor(example.name), lang)],
    }
    scaling = spec.scaling
    index = render_site_page(
        "model_index", lang=lang, example=example_view, n_factors=len(spec.factors), min_score=spec.min_score,
        max_score=spec.max_score, score_examples=_score_examples(spec),
        scaling={"method": scaling.method, "base_score": plain_number(scaling.base_score or 0),
                 "base_odds": plain_number(scaling.base_odds or 0), "pdo": plain_number(scaling.pdo or 0),
                 "min_score": scaling.min_score, "max_score": scaling.max_score})
    factors = [_factor_view(spec, f, lang) for f in spec.profile.factors]
    scorecard = render_site_page("model_scorecard", lang=lang, factors=[f for f in factors if f["used"]],
                                 dropped=[f for f in factors if not f["used"]], min_score=spec.min_score,
                                 max_score=spec.max_score)
    pages = [
        SiteFile(page_path("model/index", lang), index),
        SiteFile(page_path("model/scorecard", lang), scorecard),
        SiteFile(page_path("model/metrics", lang), render_site_page("model_metrics", lang=lang, m=_metrics_view(spec, lang))),
        SiteFile(page_path("model/policy", lang), render_site_page("model_policy", lang=lang, p=_policy_view(spec, policy, lang))),
        SiteFile(page_path("model/data", lang), render_site_page("model_data", lang=lang, d=_data_view(spec, lang))),
    ]
    pages += [SiteFile(page_path(f"model/factors/{f['name']}", lang), render_site_page("model_factor", lang=lang, f=f))
              for f in factors]
    return pages


def chart_files(spec: ScorecardSpec, lang: str) -> list[SiteFile]:
    """One chart per factor in the model; per language, since mkdocs-static-i18n gives each
    language only its own files (``x.svg``, ``x.en.svg``)."""
    suffix = "" if lang == LANGS[0] else f".{lang}"
    return [SiteFile(f"model/factors/{f.name}{suffix}.svg", factor_chart(spec.profile, f, lang)) for f in spec.factors]


# --- persona pages ----------------------------------------------------------------------------


def _kb_link(section: str, slug: str, titles: dict[tuple[str, str, str], str], lang: str) -> dict[str, Any]:
    return {"title": titles.get((section, slug, lang), slug), "href": site_link(f"../{section}/{slug}.md")}


def persona_pages(personas: Iterable[Persona], records: dict[str, DecisionRecord], profile: Profile, lang: str,
                  titles: dict[tuple[str, str, str], str]) -> list[SiteFile]:
    """``personas/index`` and one page per persona (the explanation of its latest snapshot)."""
    words = site_words(lang)
    outcome_words = words["personas"]["outcomes"]
    rows, pages = [], []
    for persona in personas:
        record = records.get(persona.applicant_id)
        if record is None:
            raise SiteError(f"persona '{persona.slug}' ({persona.applicant_id}) was not explained; check its snapshot values")
        view = {
            "title": persona.title.get(lang),
            "story": persona.story.get(lang),
            "scenarios": [_kb_link("scenarios", s, titles, lang) for s in persona.scenarios],
            "causes": [_kb_link("causes", s, titles, lang) for s in persona.causes],
            "lessons": [_kb_link("lessons", s, titles, lang) for s in persona.lessons],
        }
        pages.append(SiteFile(page_path(f"personas/{persona.slug}", lang),
                              render_persona_page(record, profile, lang=lang, persona=view)))
        rows.append({"title": persona.title.get(lang), "href": site_link(f"{persona.slug}.md"),
                     "outcome": outcome_words[record.outcome],
                     "score": "–" if record.score is None else str(record.score),
                     "causes": [_kb_link("causes", s, titles, lang) for s in persona.causes]})
    pages.insert(0, SiteFile(page_path("personas/index", lang), render_site_page("personas_index", lang=lang, rows=rows)))
    return pages


# --- the whole site ---------------------------------------------------------------------------


def plan_site(spec: ScorecardSpec, policy: Policy, personas: Iterable[Persona], records: Iterable[DecisionRecord],
              titles: dict[tuple[str, str, str], str]) -> list[SiteFile]:
    """Every generated file of the site, in a fixed order. Pure."""
    by_id = {r.applicant_id: r for r in records}
    personas = tuple(personas)
    files: list[SiteFile] = []
    for lang in LANGS:
        files += model_pages(spec, policy, lang)
        files += persona_pages(personas, by_id, spec.profile, lang, titles)
        files += chart_files(spec, lang)
    return files


OVERRIDES = "overrides"  # theme overrides next to docs/ (MkDocs' theme.custom_dir)


def theme_overrides() -> list[SiteFile]:
    """Theme templates the site replaces, ``path`` relative to the overrides folder: the 404 page,
    in both languages (Material's own says "404 - Not found" in the last-built language only). Pure."""
    return [SiteFile("404.html", render_site_not_found())]


def site_nav(base_nav: list[Any], spec: ScorecardSpec, personas: Iterable[Persona]) -> list[Any]:
    """The configured navigation with the generated sections (示例人物, 模型) before 数据."""
    persona_section = {"示例人物": ["personas/index.md", *(f"personas/{p.slug}.md" for p in personas)]}
    model_section = {"模型": ["model/index.md", "model/scorecard.md", "model/metrics.md", "model/policy.md",
                             "model/data.md", {"因素": [f"model/factors/{f.name}.md" for f in spec.profile.factors]}]}
    nav = [item for item in base_nav if not (isinstance(item, dict) and ({"示例人物", "模型"} & set(item)))]
    at = next((i for i, item in enumerate(nav) if isinstance(item, dict) and "数据" in item), len(nav))
    return nav[:at] + [persona_section, model_section] + nav[at:]


_H1 = re.compile(r"^#\s+(.+?)\s*$", re.MULTILINE)


def kb_titles(docs: Path) -> dict[tuple[str, str, str], str]:
    """The title (first heading) of every knowledge-base page, by (section, slug, lang)."""
    titles: dict[tuple[str, str, str], str] = {}
    for section in KB_SECTIONS:
        for path in sorted((docs / section).glob("*.md")):
            stem = path.name[:-3]
            lang = LANGS[0]
            for code in LANGS[1:]:
                if stem.endswith(f".{code}"):
                    stem, lang = stem[: -len(code) - 1], code
            found = _H1.search(path.read_text(encoding="utf-8"))
            if found:
                titles[(section, stem, lang)] = found.group(1)
    return titles


def read_config(config: Path) -> dict[str, Any]:
    """The package's MkDocs configuration as a mapping (its navigation is :func:`site_nav`'s base)."""
    try:
        return yaml.safe_load(Path(config).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SiteError(f"{config}: cannot read the MkDocs configuration ({exc.__class__.__name__}); reinstall the package") from exc


def _write_files(folder: Path, files: Iterable[SiteFile]) -> int:
    """Each file below ``folder`` (UTF-8, ``\\n`` line ends); returns how many were written."""
    count = 0
    for item in files:
        target = folder / item.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(item.text, encoding="utf-8", newline="\n")
        count += 1
    return count


def write_sources(files: Iterable[SiteFile], kb_docs: Path, out: Path, settings: dict[str, Any],
                  overrides: Iterable[SiteFile] = ()) -> Path:
    """``out/docs`` (the knowledge base and the generated files), ``out/overrides`` (theme templates,
    when there are any) and ``out/mkdocs.yml``; returns the config.

    ``out`` is cleared of an earlier build first, but only when this module wrote it (``MARKER``),
    so pointing ``--out`` at a folder of one's own never deletes anything.
    """
    out = Path(out)
    docs, html, theme = out / "docs", out / "html", out / OVERRIDES
    if out.exists() and any(out.iterdir()) and not (out / MARKER).exists():
        raise SiteError(f"{out}: the folder is not empty and was not written by 'scorecard site'; choose a new or empty folder")
    for folder in (docs, html, theme):
        if folder.exists():
            shutil.rmtree(folder)
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("written by scorecard site; the next build replaces docs/, overrides/ and html/\n",
                              encoding="utf-8")
    shutil.copytree(kb_docs, docs)
    _write_files(docs, files)
    settings = {**settings, "docs_dir": "docs", "site_dir": "html"}
    if _write_files(theme, overrides):
        settings["theme"] = {**settings["theme"], "custom_dir": OVERRIDES}
    path = out / "mkdocs.yml"
    path.write_text("# Written by 'scorecard site' from the package's mkdocs.yml; rebuild with: mkdocs build -f this file\n"
                    + yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage().splitlines()[0])


def build_html(config: Path, *, strict: bool = True) -> Path:
    """Run the MkDocs build of ``config``; returns the HTML folder. Warnings fail a strict build
    with the first of them in the message."""
    from mkdocs import exceptions
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    try:  # the search plugin segments Chinese with jieba, which announces itself on stderr
        import jieba

        jieba.setLogLevel(logging.WARNING)
    except ImportError:
        pass
    collect = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collect)
    quiet = logging.getLogger("mkdocs").level
    logger.setLevel(logging.WARNING)
    try:
        settings = load_config(str(config), strict=strict)
        build(settings)
    except (exceptions.Abort, exceptions.ConfigurationError) as exc:
        detail = collect.messages[0] if collect.messages else str(exc)
        more = f" (and {len(collect.messages) - 1} more warnings)" if len(collect.messages) > 1 else ""
        raise SiteError(f"{config}: the MkDocs build failed: {detail}{more}") from exc
    finally:
        logger.removeHandler(collect)
        logger.setLevel(quiet)
    html = Path(settings["site_dir"])
    mend_search_worker(html)
    return html


# Material's search worker splits a Chinese query into the words of the index before searching,
# but its loop never tries a word that ends on the query's last character (``o<t.length``). So
# whenever the first character is also a word of the index, "还款" is searched as "还*", "多头"
# as "多*" and "额度" as "额*". Letting the loop reach the end fixes that and nothing else. The
# mend applies only to this exact upstream code, so a Material release that changes it is left alone.
_SEGMENT_LOOP = "for(let o=s+1;o<t.length;o++)t.slice(s,o)in e&&(n[s]=o-s)"
_SEGMENT_LOOP_MENDED = "for(let o=s+1;o<=t.length;o++)t.slice(s,o)in e&&(n[s]=o-s)"


def mend_search_worker(html: Path) -> list[Path]:
    """Apply the query-segmentation fix above to the built site's search worker; returns the files mended."""
    mended = []
    for worker in sorted((Path(html) / "assets" / "javascripts" / "workers").glob("search.*.min.js")):
        code = worker.read_text(encoding="utf-8")
        if code.count(_SEGMENT_LOOP) == 1:
            worker.write_text(code.replace(_SEGMENT_LOOP, _SEGMENT_LOOP_MENDED), encoding="utf-8", newline="")
            mended.append(worker)
    return mended
