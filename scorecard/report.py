"""The analyst's report of a scorecard: one JSON-ready dict (``report_data``), and its presentation
as Markdown (``report_markdown``) or as rich tables on a terminal (``report_tables``). Both
presentations print the same tables (``ReportTable``), so they never disagree. English only: the
report is for the analyst, the pages are for the consumer."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from scorecard.metrics import PSI_SHIFT, PSI_WATCH, psi_level
from scorecard.spec import Bin, FactorSpec, ScorecardSpec

SELECTION_NOTE = ("Binning keeps a factor whose IV reaches the threshold; the screen leaves out, strongest first, a factor "
                  "whose WoE correlates with a stronger one beyond the limit (and, with a VIF limit, the weakest factor "
                  "above it); the logit then drops one factor at a time (a wrong sign first, then the least significant "
                  "one by the rule below) and is refitted after each drop, in the order listed.")


def selection_note(data: dict[str, Any]) -> str:
    """The selection note with the spec's own rule: method, limits, and what its p-values mean."""
    rule = data["training"].get("settings", {}).get("selection")
    if not rule:
        return SELECTION_NOTE
    how = {"aic": "drop while leaving the factor out lowers AIC", "bic": "drop while leaving the factor out lowers BIC",
           "pvalue": f"drop while its p-value exceeds {rule['max_p_value']:g}"}[rule["method"]]
    note = (f"{SELECTION_NOTE} Rule: {rule['method']} ({how}); correlation limit "
            f"{'none' if rule['max_correlation'] is None else format(rule['max_correlation'], 'g')}; VIF limit "
            f"{'none' if rule['max_vif'] is None else format(rule['max_vif'], 'g')}.")
    if rule["l2"]:
        note += (f" The coefficients are ridge estimates (l2 {rule['l2']:g}, sklearn's C = {1 / rule['l2']:.4g}); their "
                 "std errors, z and p-values are those of the unpenalized logit on the same kept factors.")
    return note
EMPTY_BIN_NOTE = "no training rows: scores as the worst observed bin"
PSI_NOTE = f"PSI < {PSI_WATCH:g} stable, {PSI_WATCH:g}-{PSI_SHIFT:g} watch, > {PSI_SHIFT:g} the population has shifted"


def _bin_meaning(spec: ScorecardSpec, factor: FactorSpec, b: Bin) -> str:
    """What a special bin's code, or a category bin's codes, mean (English, as the report is)."""
    profile_factor = next((f for f in spec.profile.factors if f.name == factor.name), None)
    if b.kind == "categories" and profile_factor is not None:
        words = [profile_factor.category_label(code, "en") for code in b.categories]
        return "; ".join(dict.fromkeys(words)) if words != list(b.categories) else ""
    if b.kind != "special":
        return ""
    for special in profile_factor.special_values if profile_factor else ():
        if any(v == special.value or str(v) == str(special.value) for v in b.special_values):
            return special.meaning.en
    return ""


def report_data(spec: ScorecardSpec) -> dict[str, Any]:
    """Everything the model report shows, JSON-ready, in a fixed order."""
    factors = []
    overrides = {s.factor: s.override for s in spec.selection_log if s.stage == "binning" and s.override}

    def rows_of(f: FactorSpec, bins: tuple[Bin, ...]) -> list[dict[str, Any]]:
        rows = sum(b.count for b in bins) or 1
        return [{"bin": b.label, "kind": b.kind, "meaning": _bin_meaning(spec, f, b), "count": b.count,
                 "share": round(b.count / rows, 6), "event_rate": round(b.event_rate, 6),
                 "woe": round(b.woe, 6), "iv": round(b.iv, 6), "points": b.points,
                 "note": EMPTY_BIN_NOTE if b.count == 0 else ""} for b in bins]

    for f in spec.factors:
        factors.append({
            "factor": f.name, "column": f.column, "kind": f.kind, "iv": round(f.iv, 6),
            "coefficient": round(f.coefficient, 6), "best_points": f.best_points, "worst_points": f.worst_points,
            "unseen_bin": f.bins[f.unseen_bin].label if f.kind == "categorical" else None,
            "bins": rows_of(f, f.bins),
            # Bins set by the analyst: what and why, and the bins optbinning chose before (no points).
            "override": overrides.get(f.name),
            "automatic_bins": rows_of(f, f.automatic_bins),
        })
    return {
        "profile": spec.profile.name,
        "schema_version": spec.schema_version,
        "sha256": spec.sha256,
        "scaling": dataclasses.asdict(spec.scaling),
        "score_range": [spec.min_score, spec.max_score],
        "rules": {"unseen": spec.unseen_rule, "empty_bin": spec.empty_bin_rule},
        "factors": factors,
        "coefficients": [dataclasses.asdict(c) for c in spec.coefficients],
        "selection_log": [dataclasses.asdict(s) for s in spec.selection_log],
        "metrics": spec.metrics,
        "training": spec.training,
        "rounding": spec.rounding,
    }


def number_text(value: Any, digits: int = 4) -> str:
    """A report cell: floats with ``digits`` decimals, None empty."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def psi_reading(value: float | None) -> str:
    """How a PSI reads, in the report's words ("stable", "watch", "shifted")."""
    return "" if value is None else {"shift": "shifted"}.get(psi_level(value), psi_level(value))


# --- the tables both presentations print --------------------------------------------------------


@dataclass(frozen=True)
class ReportTable:
    title: str
    columns: tuple[tuple[str, bool], ...]  # (name, aligned right)
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""
    caption_left: bool = True  # a terminal centres the captions of factor tables


def _columns(*names: str, left: tuple[str, ...]) -> tuple[tuple[str, bool], ...]:
    return tuple((name, name not in left) for name in names)


def bin_table(factor: dict[str, Any]) -> ReportTable:
    rows = tuple((b["bin"] + (f" ({b['meaning']})" if b["meaning"] else "") + (" *" if b["note"] else ""),
                  f"{b['count']:,}", f"{b['share']:.1%}", f"{b['event_rate']:.2%}", f"{b['woe']:.4f}", f"{b['iv']:.4f}",
                  str(b["points"])) for b in factor["bins"])
    unseen = factor["unseen_bin"]
    return ReportTable(f"{factor['factor']}  IV {factor['iv']:.4f}  coefficient {factor['coefficient']:.4f}",
                       _columns("bin", "count", "share", "event rate", "WoE", "IV", "points", left=("bin",)), rows,
                       "" if unseen is None else f"a category not seen in training scores as: {unseen}", caption_left=False)


def automatic_bin_table(factor: dict[str, Any]) -> ReportTable | None:
    """The bins optbinning chose for a factor whose bins the analyst set (None for the others)."""
    if not factor.get("automatic_bins"):
        return None
    rows = tuple((b["bin"] + (f" ({b['meaning']})" if b["meaning"] else ""), f"{b['count']:,}", f"{b['share']:.1%}",
                  f"{b['event_rate']:.2%}", f"{b['woe']:.4f}", f"{b['iv']:.4f}") for b in factor["automatic_bins"])
    return ReportTable(f"{factor['factor']}: optbinning's bins before the override "
                       f"(IV {sum(b['iv'] for b in factor['automatic_bins']):.4f})",
                       _columns("bin", "count", "share", "event rate", "WoE", "IV", left=("bin",)), rows,
                       f"set by the analyst: {factor['override']}", caption_left=True)


def coefficient_table(data: dict[str, Any]) -> ReportTable:
    rows = tuple((c["name"], f"{c['estimate']:.4f}", f"{c['std_error']:.4f}", f"{c['z']:.2f}", f"{c['p_value']:.4g}",
                  number_text(c["vif"], 2)) for c in data["coefficients"])
    return ReportTable("Coefficients", _columns("name", "estimate", "std error", "z", "p-value", "VIF", left=("name",)),
                       rows)


def selection_table(data: dict[str, Any]) -> ReportTable:
    rows = tuple((s["factor"], s["stage"], s["action"], s["reason"]) for s in data["selection_log"])
    names = ("factor", "stage", "action", "reason")
    return ReportTable("Selection log", _columns(*names, left=names), rows, selection_note(data))


def metric_table(data: dict[str, Any]) -> ReportTable:
    metrics = data["metrics"]
    rows = [(name, number_text(metrics.get("train", {}).get(name)), number_text(metrics.get("test", {}).get(name)))
            for name in ("auc", "gini", "ks", "brier", "rows", "bad_rate")]
    rows.append(("psi (train vs test)", "", number_text(metrics.get("psi_train_test"))))
    return ReportTable(f"Metrics (evaluated on the {metrics.get('evaluated_on', 'test rows')})",
                       _columns("metric", "train", "test", left=("metric",)), tuple(rows))


def calibration_table(data: dict[str, Any]) -> ReportTable | None:
    bands = data["metrics"].get("test", {}).get("calibration", [])
    rows = tuple((f"{b['lower']:g}-{b['upper']:g}", f"{b['rows']:,}", f"{b['observed_bad_rate']:.2%}",
                  f"{b['predicted_bad_rate']:.2%}") for b in bands)
    return ReportTable("Calibration by score band (test)",
                       _columns("scores", "rows", "observed bad rate", "predicted bad rate", left=("scores",)),
                       rows) if rows else None


def strength_table(data: dict[str, Any]) -> ReportTable | None:
    """Every binned factor, strongest first: IV, number of bins (special and missing bins included),
    whether the model kept it, PSI of its bin shares between the training and test rows (kept ones)."""
    metrics = data["metrics"]
    drift = metrics.get("psi_factors_train_test") or {}
    rows = tuple((row["factor"], number_text(row["iv"]), str(row["bins"]), "yes" if row["in_model"] else "no",
                  number_text(drift.get(row["factor"]))) for row in metrics.get("iv", []))
    return ReportTable("Information value and stability (PSI train vs test)",
                       _columns("factor", "IV", "all bins", "in model", "PSI", left=("factor", "in model")),
                       rows) if rows else None


# --- Markdown -----------------------------------------------------------------------------------


def markdown_table(table: ReportTable) -> list[str]:
    """The table's header, alignment and rows as Markdown lines (no title)."""
    return ["| " + " | ".join(name for name, _ in table.columns) + " |",
            "| " + " | ".join("---:" if right else "---" for _, right in table.columns) + " |",
            *("| " + " | ".join(row) + " |" for row in table.rows)]


def report_markdown(data: dict[str, Any]) -> str:
    """The model report as Markdown (deterministic: no dates, fixed number formats)."""
    scaling = data["scaling"]
    lines = [f"# Scorecard report: profile `{data['profile']}`", "",
             f"Score range {data['score_range'][0]} to {data['score_range'][1]}; scaling {scaling['method']} "
             f"(factor {scaling['factor']:.4f}, offset {scaling['offset']:.4f}"
             + (f", {scaling['base_score']:g} points at odds {scaling['base_odds']:g}:1, PDO {scaling['pdo']:g})"
                if scaling["method"] == "pdo" else f", range {scaling['min_score']}-{scaling['max_score']})"),
             "", f"- Unseen categories: {data['rules']['unseen']}.", f"- Empty bins: {data['rules']['empty_bin']}.",
             f"- Rounding: max {data['rounding'].get('max_abs', 0):g}, mean {data['rounding'].get('mean_abs', 0):g} "
             "points from the unrounded score on the training rows.", "", "## Factors", ""]
    for f in data["factors"]:
        lines += [f"### {f['factor']} (IV {f['iv']:.4f}, coefficient {f['coefficient']:.4f})", ""]
        lines += markdown_table(bin_table(f))
        if any(b["note"] for b in f["bins"]):
            lines += ["", f"\\* {EMPTY_BIN_NOTE}."]
        if f["unseen_bin"] is not None:
            lines += ["", f"A category not seen in training scores as: {f['unseen_bin']}."]
        before = automatic_bin_table(f)
        if before is not None:
            lines += ["", f"Bins set by the analyst ({f['override']}). Before the override, optbinning chose "
                      f"(IV {sum(b['iv'] for b in f['automatic_bins']):.4f} against {f['iv']:.4f} now):", "",
                      *markdown_table(before)]
        lines.append("")
    lines += ["## Coefficients", "", *markdown_table(coefficient_table(data))]
    lines += ["", "## Selection log", "", selection_note(data), "", *markdown_table(selection_table(data))]
    lines += ["", "## Metrics", "", f"Evaluated on the {data['metrics'].get('evaluated_on', 'test rows')}"
              + (f" ({data['metrics']['note']})" if data["metrics"].get("note") else "") + ".", "",
              *markdown_table(metric_table(data))]
    calibration = calibration_table(data)
    if calibration:
        lines += ["", "Calibration by score band (test):", "", *markdown_table(calibration)]
    strength = strength_table(data)
    if strength:
        lines += ["", "Information value of every binned factor and stability of the kept ones (PSI of bin shares, "
                  "train vs test):", "", *markdown_table(strength)]
    lines += ["", "## Training data", ""]
    lines += [f"- {k}: {v}" for k, v in data["training"].items()]
    return "\n".join(lines) + "\n"


# --- rich tables for the terminal ---------------------------------------------------------------


def rich_table(table: ReportTable) -> Table:
    shown = Table(title=table.title, title_justify="left", caption=table.caption or None,
                  caption_justify="left" if table.caption_left else "center")
    for name, right in table.columns:
        shown.add_column(name, justify="right" if right else "left")
    for row in table.rows:
        shown.add_row(*row)
    return shown


def report_tables(data: dict[str, Any]) -> list[RenderableType]:
    """The model report as what a terminal prints, in order: lines and tables."""
    scaling = data["scaling"]
    shown: list[RenderableType] = [Text.from_markup(
        f"[bold]Scorecard[/] profile {data['profile']}: scores {data['score_range'][0]}-{data['score_range'][1]}, "
        f"{scaling['method']} scaling; unseen categories: {data['rules']['unseen']}; "
        f"empty bins: {data['rules']['empty_bin']}")]
    for f in data["factors"]:
        shown.append(rich_table(bin_table(f)))
        before = automatic_bin_table(f)
        if before is not None:
            shown.append(rich_table(before))
    if any(b["note"] for f in data["factors"] for b in f["bins"]):
        shown.append(Text(f"* {EMPTY_BIN_NOTE}"))
    shown += [rich_table(coefficient_table(data)), rich_table(selection_table(data)), rich_table(metric_table(data))]
    shown += [rich_table(t) for t in (calibration_table(data), strength_table(data)) if t is not None]
    rounding = data["rounding"]
    shown.append(Text(f"Rounding: integer totals are at most {rounding.get('max_abs', 0):g} points "
                      f"(mean {rounding.get('mean_abs', 0):g}) from the unrounded score on the training rows."))
    if data["metrics"].get("note"):
        shown.append(Text(data["metrics"]["note"]))
    return shown


def psi_table(title: str, score: float | None, factors: dict[str, float | None]) -> Table:
    """The PSI of the score and of every factor, with how each reads."""
    rows = [("score", number_text(score), psi_reading(score))]
    rows += [(name, number_text(value), psi_reading(value)) for name, value in factors.items()]
    return rich_table(ReportTable(title, _columns("", "PSI", "reading", left=("", "reading")), tuple(rows)))
