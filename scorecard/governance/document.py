"""The model document: what a validator reads before signing a scorecard off, pure.

The headings follow SR 11-7 and the usual bank model documentation template: purpose and intended
use; data (sample window, target, exclusions); binning of every factor with its chart; the
selection log and analyst overrides; coefficients; scaling; performance overall and by segment;
calibration with the Hosmer-Lemeshow test; stability; protected characteristics; the reason codes
in every page language; limitations. Every figure comes from the spec or from the table given
(``measures.assess``); the tables the analyst's report prints (bins, coefficients, training
metrics) are formatted by ``report.py`` itself, so the two never disagree.

``document_view`` returns one language's view (plain dicts of text); the job renders it with
``templates/governance/document.{html,md}.j2``. No dates, no paths of the machine: the same spec,
policy and table give the same bytes.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from scorecard import metrics, report
from scorecard.governance import charts
from scorecard.governance.measures import Assessment, protected_groups, training_psi
from scorecard.pages.words import site_words
from scorecard.policy import Policy
from scorecard.protected import FOUR_FIFTHS
from scorecard.site.model_pages import _bin_words, factor_chart, step_reason
from scorecard.spec import ScorecardSpec

HL_ALPHA = 0.05  # a Hosmer-Lemeshow p-value below this says the PDs do not fit
MIN_SEGMENT_ROWS = 100  # segments with fewer rows (or without both outcomes) get no AUC


def _pct(value: float | None, digits: int = 1) -> str:
    return "–" if value is None or not math.isfinite(value) else f"{100 * value:.{digits}f}%"


def _dec(value: float | None, digits: int = 4) -> str:
    return "–" if value is None or not math.isfinite(float(value)) else f"{value:.{digits}f}"


def _table(head: list[str], rows: list[list[str]], right: tuple[int, ...] = ()) -> dict[str, Any]:
    """A table as the templates print it: header cells, rows of cells, which columns align right."""
    return {"head": head, "rows": rows, "right": [i in right for i in range(len(head))]}


def _performance(y: np.ndarray, pd_: np.ndarray, scores: np.ndarray) -> dict[str, str]:
    return {"rows": f"{len(y):,}", "bad_rate": _pct(float(y.mean()) if len(y) else None, 2),
            "auc": _dec(metrics.auc(y, pd_)), "gini": _dec(metrics.gini(y, pd_)), "ks": _dec(metrics.ks(y, pd_)),
            "brier": _dec(metrics.brier(y, pd_))}


def document_view(spec: ScorecardSpec, policy: Policy, table: pd.DataFrame, assessment: Assessment, *,
                  source: str, rejected: int, rejects_by_column: dict[str, int], lang: str) -> dict[str, Any]:
    """Everything one language's document prints, formatted."""
    w = site_words(lang)["document"]
    profile = spec.profile
    table = table.reset_index(drop=True)
    data = report.report_data(spec)
    result = assessment.result
    y_all = assessment.outcome
    known = np.zeros(len(table), dtype=bool) if y_all is None else ~np.isnan(y_all)
    y = (y_all[known] if y_all is not None else np.zeros(0)).astype(np.int64)
    training = spec.training
    label = {f.name: f.label.get(lang) for f in profile.factors}
    sections: list[dict[str, Any]] = []

    def section(key: str, **body: Any) -> None:
        parts = dict.fromkeys(("facts", "exclusions", "spec_table", "evaluated", "by_segment", "table", "overrides"))
        parts.update(paragraphs=[], factors=[], groups=[], figures=[], bullets=[])
        sections.append({"id": key, "title": w["sections"][key], **parts, **body})

    # 1. purpose and intended use
    section("purpose", paragraphs=[
        w["purpose"].format(profile=profile.name, description=profile.description.get(lang),
                            target=profile.target.column, bad=profile.target.bad_value),
        w["intended_use"].format(policy=policy.name, version=policy.version, cutoff=policy.cutoff),
        w["not_intended"]])

    # 2. data
    window = training.get("date_range") or ["–", "–"]
    facts = [
        [w["data_rows"], f"{training.get('rows', 0):,}"],
        [w["data_bad"], f"{training.get('bad_rows', 0):,} ({_pct(training.get('bad_rate'), 2)})"],
        [w["data_window"], f"{window[0]} – {window[1]}" if profile.date_column else w["no_dates"]],
        [w["data_target"], w["target_rule"].format(column=profile.target.column, bad=profile.target.bad_value)],
        [w["data_split"], w["split_rule"].format(train=f"{training.get('train_rows', 0):,}",
                                                  test=f"{training.get('test_rows', 0):,}",
                                                  seed=training.get("seed"), size=training.get("test_size"))],
        [w["data_settings"], ", ".join(f"{k} {v}" for k, v in sorted(training.get("settings", {}).items()))],
        [w["data_fingerprint"], str(training.get("sha256", "–"))],
        [w["evaluated_file"], source],
        [w["evaluated_rows"], w["evaluated_rule"].format(rows=f"{len(table) + rejected:,}", valid=f"{len(table):,}",
                                                         rejected=f"{rejected:,}", known=f"{int(known.sum()):,}")],
    ]
    exclusions = [[column, f"{count:,}"] for column, count in sorted(rejects_by_column.items())]
    section("data", facts=_table([w["item"], w["value"]], facts),
            exclusions=_table([w["column"], w["rows"]], exclusions, (1,)) if exclusions else None,
            paragraphs=[w["exclusions"]])

    # 3. binning
    factors = []
    for f, fd in zip(spec.factors, data["factors"]):
        cells = report.bin_table(fd).rows
        words = _bin_words(profile, f, lang)
        rows = [[words[i], *cells[i][1:]] for i in range(len(f.bins))]
        factors.append({
            "name": f.name, "label": label.get(f.name, f.name),
            "summary": w["factor_summary"].format(iv=f"{f.iv:.4f}", coefficient=f"{f.coefficient:.4f}",
                                                  best=f.best_points, worst=f.worst_points),
            "table": _table(w["bin_head"], rows, (1, 2, 3, 4, 5, 6)),
            "chart": factor_chart(profile, f, lang),
        })
    section("binning", factors=factors, paragraphs=[w["binning"]])

    # 4. selection log and overrides
    steps = [[label.get(s.factor, s.factor), w["stages"][s.stage], w["actions"][s.action], step_reason(spec, s, lang)]
             for s in spec.selection_log]
    overrides = [[label.get(f.name, f.name), str(getattr(f, "bins", "") or "")] for f in profile.factors
                 if getattr(f, "bins", None)]
    section("selection", table=_table(w["selection_head"], steps),
            paragraphs=[w["selection"], w["overrides"] if overrides else w["no_overrides"]],
            overrides=_table([w["factor"], w["override"]], overrides) if overrides else None)

    # 5. coefficients
    coef = report.coefficient_table(data)
    section("coefficients", table=_table(w["coefficient_head"], [list(r) for r in coef.rows], (1, 2, 3, 4, 5)),
            paragraphs=[w["coefficients"]])

    # 6. scaling
    s = spec.scaling
    scaling = [[w["scaling_method"], s.method], [w["scaling_factor"], f"{s.factor:.4f}"],
               [w["scaling_offset"], f"{s.offset:.4f}"], [w["score_range"], f"{spec.min_score} – {spec.max_score}"],
               [w["rounding"], w["rounding_rule"].format(max=_dec(spec.rounding.get("max_abs", 0), 2),
                                                         mean=_dec(spec.rounding.get("mean_abs", 0), 2))]]
    if s.method == "pdo":
        scaling[1:1] = [[w["scaling_base"], w["scaling_base_rule"].format(score=f"{s.base_score:g}",
                                                                          odds=f"{s.base_odds:g}", pdo=f"{s.pdo:g}")]]
    section("scaling", table=_table([w["item"], w["value"]], scaling))

    # 7. performance
    spec_metrics = report.metric_table(data)
    names = {**w["metric_names"], "psi (train vs test)": w["psi_train_test_name"]}
    perf_rows = [[names.get(r[0], r[0]), r[1], r[2]] for r in spec_metrics.rows]
    evaluated = None
    by_segment = None
    figures = []
    if len(y) and 0 < y.sum() < len(y):
        pd_k, sc_k = result.pd[known], result.total[known]
        overall = _performance(y, pd_k, sc_k)
        evaluated = _table([w["metric"], w["value"]], [[w["metric_names"][k], v] for k, v in overall.items()], (1,))
        figures = [charts.render(charts.roc(y, pd_k, w["chart"])), charts.render(charts.ks(y, sc_k, w["chart"]))]
        if profile.segment_column and profile.segment_column in table.columns:
            segments = table[profile.segment_column].astype("string").fillna("–").to_numpy(dtype=object)[known]
            seg_rows = []
            for name in sorted(set(segments.tolist())):
                rows = segments == name
                p = _performance(y[rows], pd_k[rows], sc_k[rows])
                small = rows.sum() < MIN_SEGMENT_ROWS
                seg_rows.append([str(name), p["rows"], p["bad_rate"], "–" if small else p["auc"],
                                 "–" if small else p["ks"]])
            by_segment = _table(w["segment_head"], seg_rows, (1, 2, 3, 4))
    section("performance", spec_table=_table(w["spec_metric_head"], perf_rows, (1, 2)), evaluated=evaluated,
            by_segment=by_segment, figures=figures,
            paragraphs=[w["performance"].format(where=w["evaluated_on"][spec.metrics.get("evaluated_on", "test rows")])]
            + ([] if evaluated else [w["no_outcomes"]]))

    # 8. calibration
    hl = None
    cal_table = None
    cal_figure = []
    fits = True
    if evaluated is not None:
        test = metrics.hosmer_lemeshow(y, result.pd[known], result.total[known])
        fits = test["p_value"] is None or test["p_value"] >= HL_ALPHA
        hl = w["hl_result"].format(statistic=_dec(test["statistic"], 2), df=test["df"], p=_dec(test["p_value"], 4),
                                   alpha=HL_ALPHA) + " " + (w["hl_fits"] if fits else w["hl_misfit"])
        cal_table = _table(w["calibration_head"], [[f"{b['lower']:g} – {b['upper']:g}", f"{b['rows']:,}",
                                                    _pct(b["observed_bad_rate"], 2), _pct(b["predicted_bad_rate"], 2)]
                                                   for b in test["bands"]], (1, 2, 3))
        cal_figure = [charts.render(charts.calibration(test["bands"], w["chart"]))]
    section("calibration", paragraphs=[w["calibration"]] + ([hl] if hl else [w["no_outcomes"]]),
            table=cal_table, figures=cal_figure)

    # 9. stability
    drift = training_psi(spec, result)
    readings = w["psi_levels"]
    psi_rows = [[w["score"], _dec(drift["score"]), readings[metrics.psi_level(drift["score"])] if drift["score"] is not None else "–"]]
    psi_rows += [[label.get(n, n), _dec(v), readings[metrics.psi_level(v)] if v is not None else "–"]
                 for n, v in drift["factors"].items()]
    section("stability", table=_table(w["psi_head"], psi_rows, (1,)),
            paragraphs=[w["stability"].format(watch=metrics.PSI_WATCH, shift=metrics.PSI_SHIFT),
                        w["psi_train_test"].format(psi=_dec(spec.metrics.get("psi_train_test")))])

    # 10. protected characteristics
    groups = protected_groups(spec, table, assessment)
    protected = []
    for g in groups:
        f = profile.factor(g["factor"])
        status = (w["protected_in"].format(use=f.protected_use.get(lang)) if g["in_model"] and f.protected_use
                  else w["protected_allowed_out"] if f.protected_use else w["protected_out"])
        rows = []
        for entry in g["groups"]:
            shares = ", ".join(f"{r['code']} {_pct(r['share'])}" for r in entry.get("reason_shares", [])[:3])
            rows.append([entry["group"], f"{entry['applicants']:,}", _pct(entry["approval_rate"]),
                         _dec(entry["adverse_impact_ratio"], 2) + (" ⚠" if entry["flag"] else ""),
                         _pct(entry.get("bad_rate"), 2), _dec(entry.get("auc"), 3), shares or "–"])
        protected.append({"label": f.label.get(lang), "name": f.name, "status": status,
                          "table": _table(w["protected_head"], rows, (1, 2, 3, 4, 5))})
    section("protected", groups=protected,
            paragraphs=[w["protected"].format(ratio=FOUR_FIFTHS)] + ([] if protected else [w["no_protected"]]))

    # 11. reason codes
    codes = []
    for f in spec.factors:
        described = profile.factor(f.name)
        kinds = sorted({b.kind for b in f.bins}, key=lambda k: ("range", "categories", "special", "missing").index(k))
        for kind in dict.fromkeys("value" if k in ("range", "categories") else k for k in kinds):
            code = f"{f.name.upper()}.{kind.upper()}"
            row = [code]
            for language in ("zh", "en"):
                words = site_words(language)["document"]["reason_kinds"]
                text = words[kind]
                if kind == "special":
                    meanings = [s.meaning.get(language) for s in described.special_values]
                    text = text + (": " if language == "en" else "：") + "; ".join(meanings) if meanings else text
                row.append(f"{described.label.get(language)} — {text}")
            codes.append(row)
    section("reasons", table=_table(w["reason_head"], codes),
            paragraphs=[w["reasons"].format(count=4)])

    # 12. limitations
    limits = [w["limits"]["population"], w["limits"]["rejects"], w["limits"]["policy"]]
    if not fits:
        limits.append(w["limits"]["calibration"])
    shifted = [label.get(n, n) for n, v in drift["factors"].items() if v is not None and v >= metrics.PSI_SHIFT]
    if shifted or (drift["score"] is not None and drift["score"] >= metrics.PSI_SHIFT):
        limits.append(w["limits"]["shift"].format(factors=", ".join(shifted) or w["score"]))
    flagged = [f"{g['label']}: {e['group']}" for g in groups for e in g["groups"] if e["flag"]]
    if flagged:
        limits.append(w["limits"]["impact"].format(groups="; ".join(flagged), ratio=FOUR_FIFTHS))
    used = [label.get(f.name, f.name) for f in profile.protected_factors if f.name in spec.factor_names]
    if used:
        limits.append(w["limits"]["protected_used"].format(factors=", ".join(used)))
    empty = [label.get(f.name, f.name) for f in spec.factors if any(b.count == 0 and b.kind != "missing" for b in f.bins)]
    if empty:
        limits.append(w["limits"]["empty_bins"].format(factors=", ".join(empty)))
    unseen = [label.get(f.name, f.name) for f in spec.factors if f.bins[f.missing_bin].count == 0]
    if unseen:
        limits.append(w["limits"]["missing_unseen"].format(factors=", ".join(unseen)))
    section("limitations", bullets=limits)

    return {"lang": lang, "title": w["title"].format(profile=profile.name), "t": w,
            "subtitle": w["subtitle"].format(sha=spec.sha256[:12], policy=policy.name, version=policy.version),
            "sections": sections}
