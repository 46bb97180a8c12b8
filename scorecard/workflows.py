"""Workflows: train / score / explain / site / demo. The only file I/O of the core.

Each function reads its inputs, calls the pure core modules, writes its outputs and returns a
small result object whose ``summary()`` the CLI prints. A ``console`` (rich) may be passed for
progress bars; ``None`` keeps them quiet (tests, library use).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator


@contextlib.contextmanager
def _status(console: Any, message: str) -> Iterator[None]:
    """A spinner on the console for a step without a measurable length (quiet without a console)."""
    if console is None:
        yield
    else:
        with console.status(message):
            yield

# --- data (issue 2) -----------------------------------------------------------------------------


def write_table(table: Any, out: Path) -> Path:
    """Write a table as CSV (UTF-8, LF) or Parquet by the file's extension, deterministically."""
    from scorecard.errors import DataError

    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise DataError(f"{out}: unknown output type '{suffix}'; use .csv or .parquet")
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        table.to_csv(out, index=False, lineterminator="\n", encoding="utf-8")
    else:
        table.to_parquet(out, index=False)
    return out


def make_demo_data(out: Path, *, rows: int, seed: int) -> Path:
    """Write the synthetic demo population as .csv or .parquet (by the extension of ``out``).

    The same rows and seed give the same bytes: fixed column order, ids and ISO dates as text,
    floats in Python's shortest round-trip form, whole numbers without '.0', no timestamps.
    """
    from scorecard.datasets.demo import for_writing, generate
    from scorecard.errors import DataError

    if rows < 1:
        raise DataError(f"--rows {rows}: give at least 1 row")
    if Path(out).suffix.lower() not in (".csv", ".parquet"):
        raise DataError(f"{out}: unknown output type '{Path(out).suffix}'; use .csv or .parquet")
    return write_table(for_writing(generate(rows, seed)), out)


@dataclass(frozen=True)
class CheckResult:
    source: Path
    profile: str
    rows: int
    bad_rate: float
    factors: int

    def summary(self) -> str:
        return (f"{self.source}: {self.rows:,} rows match profile '{self.profile}' "
                f"({self.factors} factors, bad rate {self.bad_rate:.2%}); no problem found")


def check_table(data: Path, profile: str) -> CheckResult:
    from scorecard.data import read_table, validate_training
    from scorecard.profile import load_profile

    spec_profile = load_profile(profile)
    table = validate_training(read_table(data), spec_profile, str(data))
    return CheckResult(Path(data), spec_profile.name, len(table),
                       float(table[spec_profile.target.column].mean()), len(spec_profile.factors))


def check_data(data: Path, profile: str) -> str:
    """Check a training table against its profile; the first problem raises a one-line DataError."""
    return check_table(data, profile).summary()


# --- engine (issue 3) ---------------------------------------------------------------------------


@contextlib.contextmanager
def _steps(console: Any, title: str) -> Iterator[Any]:
    """A rich progress bar fed by ``(stage, done, total)`` callbacks (``None`` without a console)."""
    if console is None:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task(title, total=None)

        def update(stage: str, done: float, total: float) -> None:
            bar.update(task, description=f"{title}: {stage}", completed=done, total=total)

        yield update


@dataclass(frozen=True)
class TrainResult:
    path: Path
    factors: tuple[str, ...]
    dropped: int
    metrics: dict[str, Any]

    def summary(self) -> str:
        test = self.metrics.get("test", {})
        auc, ks = test.get("auc"), test.get("ks")
        where = self.metrics.get("evaluated_on", "test rows")
        note = f" ({self.metrics['note']})" if "note" in self.metrics else ""
        return (
            f"kept {len(self.factors)} factors ({self.dropped} dropped, see 'scorecard report'): {', '.join(self.factors)}\n"
            f"AUC {'n/a' if auc is None else f'{auc:.3f}'}, KS {'n/a' if ks is None else f'{ks:.3f}'} "
            f"on the {where}{note}\n"
            f"wrote {self.path}"
        )


def train(data: Path, *, profile: str, out: Path, test_size: float, seed: int, console: Any = None,
          **scaling: Any) -> TrainResult:
    """Read and check the training table, fit the scorecard, write the checksummed spec."""
    from scorecard import data as data_io
    from scorecard.profile import load_profile
    from scorecard.spec import save_spec
    from scorecard.training import fit_scorecard

    chosen = load_profile(profile)
    with _status(console, f"reading {data}"):
        table = data_io.validate_training(data_io.read_table(Path(data)), chosen, str(data))
    with _steps(console, "training") as progress:
        spec = fit_scorecard(table, chosen, test_size=test_size, seed=seed, progress=progress, **scaling)
    path = save_spec(spec, out)
    return TrainResult(path=path, factors=spec.factor_names, dropped=len(chosen.factors) - len(spec.factors),
                       metrics=spec.metrics)


@dataclass(frozen=True)
class ScoreRunResult:
    out: Path
    rejects: Path
    scored: int
    rejected: int
    engine: str

    def summary(self) -> str:
        return (f"scored {self.scored:,} rows with the {self.engine} engine: {self.out}\n"
                f"{self.rejected:,} rows could not be scored" + (f"; reasons in {self.rejects}" if self.rejected
                                                                  else f" (empty rejects file {self.rejects})"))


DUCKDB_ABOVE_BYTES = 200 * 2**20  # "auto": stream files larger than this (about 2 million rows) through DuckDB
TABLE_SUFFIXES = (".csv", ".parquet")


def score_table(spec: Any, table: Any, source: str) -> tuple[Any, Any]:
    """NumPy engine: (scores in input order: id, score, pd, points per factor; rejects)."""
    import pandas as pd

    from scorecard.data import split_valid_rows
    from scorecard.scoring import score

    valid, rejects = split_valid_rows(table, spec.profile, source)
    result = score(spec, valid)
    scores = pd.DataFrame({"id": result.ids, "score": result.total, "pd": result.pd})
    for j, name in enumerate(result.factor_names):
        scores[f"points_{name}"] = result.points[:, j]
    return scores, rejects


def score_file(model: Path, data: Path, out: Path, *, rejects: Path | None, engine: str,
               console: Any = None) -> ScoreRunResult:
    """Score a file; every input row ends up in ``out`` or in the rejects file with its reason.

    Rejects go to ``rejects`` or, by default, next to ``out`` as ``<stem>.rejects.csv``; the file
    is always written (header only when every row was scored). ``engine`` "auto" streams files
    above ``DUCKDB_ABOVE_BYTES`` through DuckDB and scores smaller ones in memory with NumPy.
    """
    from scorecard.data import default_rejects_path, read_table
    from scorecard.errors import DataError
    from scorecard.spec import load_spec

    spec = load_spec(model)
    data, out = Path(data), Path(out)
    rejects = Path(rejects) if rejects else default_rejects_path(out)
    for target, option in ((out, "--out"), (rejects, "--rejects")):
        if target.suffix.lower() not in TABLE_SUFFIXES:
            raise DataError(f"{target}: {option} must end in .csv or .parquet")
    if not data.is_file():
        raise DataError(f"{data}: file not found; check the path")
    if engine == "auto":
        engine = "duckdb" if data.stat().st_size > DUCKDB_ABOVE_BYTES else "numpy"
    if engine == "duckdb":
        from scorecard.export_sql import score_with_duckdb

        with _steps(console, "scoring with DuckDB") as progress:
            scored, rejected = score_with_duckdb(
                spec, data, out, rejects, progress=(lambda done: progress("streaming", round(100 * done), 100))
                if progress else None)
        return ScoreRunResult(out, rejects, scored, rejected, "duckdb")
    if engine != "numpy":
        raise DataError(f"unknown engine '{engine}'; use auto, numpy or duckdb")
    with _steps(console, "scoring") as progress:
        if progress:
            progress(f"reading {data.name}", 0, 3)
        table = read_table(data)
        if progress:
            progress(f"checking and scoring {len(table):,} rows", 1, 3)
        scores, problems = score_table(spec, table, str(data))
        if progress:
            progress("writing", 2, 3)
        write_table(scores, out)
        write_table(problems, rejects)
    return ScoreRunResult(out, rejects, len(scores), int(problems["row"].nunique()), "numpy")


# The model report: one JSON-ready dict, printed as rich tables, Markdown or JSON.


def _bin_meaning(spec: Any, factor: Any, b: Any) -> str:
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


def report_data(spec: Any) -> dict[str, Any]:
    """Everything the model report shows, JSON-ready, in a fixed order."""
    factors = []
    for f in spec.factors:
        rows = sum(b.count for b in f.bins) or 1
        factors.append({
            "factor": f.name, "column": f.column, "kind": f.kind, "iv": round(f.iv, 6),
            "coefficient": round(f.coefficient, 6), "best_points": f.best_points, "worst_points": f.worst_points,
            "unseen_bin": f.bins[f.unseen_bin].label if f.kind == "categorical" else None,
            "bins": [{"bin": b.label, "kind": b.kind, "meaning": _bin_meaning(spec, f, b), "count": b.count,
                      "share": round(b.count / rows, 6), "event_rate": round(b.event_rate, 6),
                      "woe": round(b.woe, 6), "iv": round(b.iv, 6), "points": b.points,
                      "note": "no training rows: scores as the worst observed bin" if b.count == 0 else ""}
                     for b in f.bins],
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


def _fmt(value: Any, digits: int = 4) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _metric_rows(metrics: dict[str, Any]) -> list[list[str]]:
    rows = []
    for name in ("auc", "gini", "ks", "brier", "rows", "bad_rate"):
        rows.append([name, _fmt(metrics.get("train", {}).get(name)), _fmt(metrics.get("test", {}).get(name))])
    rows.append(["psi (train vs test)", "", _fmt(metrics.get("psi_train_test"))])
    return rows


def _factor_rows(metrics: dict[str, Any]) -> list[list[str]]:
    """Every binned factor, strongest first: IV, number of bins (special and missing bins included),
    whether the model kept it, PSI of its bin shares between the training and test rows (kept ones)."""
    drift = metrics.get("psi_factors_train_test") or {}
    return [[row["factor"], _fmt(row["iv"]), str(row["bins"]), "yes" if row["in_model"] else "no",
             _fmt(drift.get(row["factor"]))] for row in metrics.get("iv", [])]


SELECTION_NOTE = ("Binning keeps a factor whose IV reaches the threshold; the logit then drops one factor at a time "
                  "(a wrong sign first, then the largest p-value) and is refitted after each drop, in the order listed.")


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
        lines += [f"### {f['factor']} (IV {f['iv']:.4f}, coefficient {f['coefficient']:.4f})", "",
                  "| bin | count | share | event rate | WoE | IV | points |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for b in f["bins"]:
            label = b["bin"] + (f" ({b['meaning']})" if b["meaning"] else "") + (" *" if b["note"] else "")
            lines.append(f"| {label} | {b['count']:,} | {b['share']:.1%} | {b['event_rate']:.2%} | {b['woe']:.4f} | "
                         f"{b['iv']:.4f} | {b['points']} |")
        if any(b["note"] for b in f["bins"]):
            lines.append("")
            lines.append("\\* no training rows: scores as the worst observed bin.")
        if f["unseen_bin"] is not None:
            lines += ["", f"A category not seen in training scores as: {f['unseen_bin']}."]
        lines.append("")
    lines += ["## Coefficients", "", "| name | estimate | std error | z | p-value | VIF |",
              "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for c in data["coefficients"]:
        lines.append(f"| {c['name']} | {c['estimate']:.4f} | {c['std_error']:.4f} | {c['z']:.2f} | {c['p_value']:.4g} | "
                     f"{_fmt(c['vif'], 2)} |")
    lines += ["", "## Selection log", "", SELECTION_NOTE, "", "| factor | stage | action | reason |",
              "| --- | --- | --- | --- |"]
    for s in data["selection_log"]:
        lines.append(f"| {s['factor']} | {s['stage']} | {s['action']} | {s['reason']} |")
    lines += ["", "## Metrics", "", f"Evaluated on the {data['metrics'].get('evaluated_on', 'test rows')}"
              + (f" ({data['metrics']['note']})" if data["metrics"].get("note") else "") + ".", "",
              "| metric | train | test |", "| --- | ---: | ---: |"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in _metric_rows(data["metrics"])]
    calibration = data["metrics"].get("test", {}).get("calibration", [])
    if calibration:
        lines += ["", "Calibration by score band (test):", "", "| scores | rows | observed bad rate | predicted bad rate |",
                  "| --- | ---: | ---: | ---: |"]
        lines += [f"| {b['lower']:g}-{b['upper']:g} | {b['rows']:,} | {b['observed_bad_rate']:.2%} | "
                  f"{b['predicted_bad_rate']:.2%} |" for b in calibration]
    factor_rows = _factor_rows(data["metrics"])
    if factor_rows:
        lines += ["", "Information value of every binned factor and stability of the kept ones (PSI of bin shares, "
                  "train vs test):", "", "| factor | IV | all bins | in model | PSI |", "| --- | ---: | ---: | --- | ---: |"]
        lines += ["| " + " | ".join(row) + " |" for row in factor_rows]
    lines += ["", "## Training data", ""]
    lines += [f"- {k}: {v}" for k, v in data["training"].items()]
    return "\n".join(lines) + "\n"


def _print_text(console: Any, text: str) -> None:
    console.print(text, markup=False, highlight=False, soft_wrap=True, end="")


def report(model: Path, fmt: str, *, console: Any) -> None:
    """Print the model report: rich tables (``table``), Markdown (``md``) or JSON (``json``)."""
    from scorecard.spec import load_spec

    data = report_data(load_spec(model))
    if fmt == "json":
        _print_text(console, json.dumps(data, sort_keys=True, ensure_ascii=False, allow_nan=False, indent=1) + "\n")
        return
    if fmt == "md":
        _print_text(console, report_markdown(data))
        return
    from rich.table import Table

    scaling = data["scaling"]
    console.print(f"[bold]Scorecard[/] profile {data['profile']}: scores {data['score_range'][0]}-{data['score_range'][1]}, "
                  f"{scaling['method']} scaling; unseen categories: {data['rules']['unseen']}; "
                  f"empty bins: {data['rules']['empty_bin']}", highlight=False)
    for f in data["factors"]:
        table = Table(title=f"{f['factor']}  IV {f['iv']:.4f}  coefficient {f['coefficient']:.4f}", title_justify="left")
        for name, justify in (("bin", "left"), ("count", "right"), ("share", "right"), ("event rate", "right"),
                              ("WoE", "right"), ("IV", "right"), ("points", "right")):
            table.add_column(name, justify=justify)
        for b in f["bins"]:
            label = b["bin"] + (f" ({b['meaning']})" if b["meaning"] else "") + (" *" if b["note"] else "")
            table.add_row(label, f"{b['count']:,}", f"{b['share']:.1%}", f"{b['event_rate']:.2%}", f"{b['woe']:.4f}",
                          f"{b['iv']:.4f}", str(b["points"]))
        if f["unseen_bin"] is not None:
            table.caption = f"a category not seen in training scores as: {f['unseen_bin']}"
        console.print(table)
    if any(b["note"] for f in data["factors"] for b in f["bins"]):
        console.print("* no training rows: scores as the worst observed bin", highlight=False)
    coefficients = Table(title="Coefficients", title_justify="left")
    for name in ("name", "estimate", "std error", "z", "p-value", "VIF"):
        coefficients.add_column(name, justify="left" if name == "name" else "right")
    for c in data["coefficients"]:
        coefficients.add_row(c["name"], f"{c['estimate']:.4f}", f"{c['std_error']:.4f}", f"{c['z']:.2f}",
                             f"{c['p_value']:.4g}", _fmt(c["vif"], 2))
    console.print(coefficients)
    log = Table(title="Selection log", title_justify="left", caption=SELECTION_NOTE, caption_justify="left")
    for name in ("factor", "stage", "action", "reason"):
        log.add_column(name)
    for s in data["selection_log"]:
        log.add_row(s["factor"], s["stage"], s["action"], s["reason"])
    console.print(log)
    measured = Table(title=f"Metrics (evaluated on the {data['metrics'].get('evaluated_on', 'test rows')})",
                     title_justify="left")
    for name in ("metric", "train", "test"):
        measured.add_column(name, justify="left" if name == "metric" else "right")
    for row in _metric_rows(data["metrics"]):
        measured.add_row(*row)
    console.print(measured)
    calibration = data["metrics"].get("test", {}).get("calibration", [])
    if calibration:
        bands = Table(title="Calibration by score band (test)", title_justify="left")
        for name in ("scores", "rows", "observed bad rate", "predicted bad rate"):
            bands.add_column(name, justify="left" if name == "scores" else "right")
        for b in calibration:
            bands.add_row(f"{b['lower']:g}-{b['upper']:g}", f"{b['rows']:,}", f"{b['observed_bad_rate']:.2%}",
                          f"{b['predicted_bad_rate']:.2%}")
        console.print(bands)
    factor_rows = _factor_rows(data["metrics"])
    if factor_rows:
        strength = Table(title="Information value and stability (PSI train vs test)", title_justify="left")
        for name in ("factor", "IV", "all bins", "in model", "PSI"):
            strength.add_column(name, justify="right" if name in ("IV", "all bins", "PSI") else "left")
        for row in factor_rows:
            strength.add_row(*row)
        console.print(strength)
    rounding = data["rounding"]
    console.print(f"Rounding: integer totals are at most {rounding.get('max_abs', 0):g} points "
                  f"(mean {rounding.get('mean_abs', 0):g}) from the unrounded score on the training rows.",
                  highlight=False)
    if data["metrics"].get("note"):
        console.print(data["metrics"]["note"], highlight=False)


@dataclass(frozen=True)
class PsiResult:
    score: float | None
    factors: dict[str, float | None]
    rows: tuple[int, int]
    rejected: tuple[int, int]


def _psi_verdict(value: float | None) -> str:
    from scorecard.metrics import psi_level

    return "" if value is None else {"shift": "shifted"}.get(psi_level(value), psi_level(value))


def psi(model: Path, base: Path, compare: Path, *, console: Any, status_console: Any = None) -> PsiResult:
    """Score PSI and per-factor PSI (bin shares) of ``compare`` against ``base``, printed as a table.

    Rows that cannot be scored (see ``data.split_valid_rows``) are left out of both and counted.
    ``status_console`` (stderr) shows a spinner while the tables are read and scored.
    """
    from scorecard import metrics
    from scorecard.data import read_table, split_valid_rows
    from scorecard.scoring import score
    from scorecard.spec import load_spec

    spec = load_spec(model)
    results, rejected = [], []
    for path in (Path(base), Path(compare)):
        with _status(status_console, f"reading and scoring {path}"):
            valid, problems = split_valid_rows(read_table(path), spec.profile, str(path))
            results.append(score(spec, valid))
        rejected.append(int(problems["row"].nunique()))
    table = metrics.psi_table(spec, results[0], results[1])
    outcome = PsiResult(score=table["score"], factors=table["factors"], rows=(len(results[0]), len(results[1])),
                        rejected=(rejected[0], rejected[1]))
    if console is not None:
        from rich.table import Table

        shown = Table(title=f"PSI of {compare} against {base} ({outcome.rows[1]:,} vs {outcome.rows[0]:,} rows)",
                      title_justify="left")
        for name in ("", "PSI", "reading"):
            shown.add_column(name, justify="right" if name == "PSI" else "left")
        shown.add_row("score", _fmt(outcome.score), _psi_verdict(outcome.score))
        for name, value in outcome.factors.items():
            shown.add_row(name, _fmt(value), _psi_verdict(value))
        console.print(shown)
        console.print(f"PSI < {metrics.PSI_WATCH:g} stable, {metrics.PSI_WATCH:g}-{metrics.PSI_SHIFT:g} watch, "
                      f"> {metrics.PSI_SHIFT:g} the population has shifted"
                      + (f"; rows left out as unscorable: {rejected[0]:,} in base, {rejected[1]:,} in compare"
                         if any(rejected) else ""), highlight=False)
    return outcome


# --- decisions and pages (issues 4, 5) ----------------------------------------------------------


_SAFE_ID = re.compile(r"[^A-Za-z0-9._-]")
_RESERVED_NAMES = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}


def safe_file_stem(applicant_id: str) -> str:
    """A file name for an applicant id: [A-Za-z0-9._-] kept, others replaced by '_'; when the id
    had to change (or is empty, dots only, hidden, reserved or long), a short hash of the id is
    added, so different ids never share a file."""
    stem = _SAFE_ID.sub("_", applicant_id)[:80]
    if stem.startswith("."):
        stem = "_" + stem[1:]
    changed = stem != applicant_id or stem.split(".")[0].upper() in _RESERVED_NAMES or stem.strip("._") == ""
    if changed:
        digest = hashlib.sha256(applicant_id.encode("utf-8")).hexdigest()[:10]
        stem = f"{stem}-{digest}" if stem.strip("._") else f"id-{digest}"
    return stem


@dataclass(frozen=True)
class ExplainResult:
    out_dir: Path
    records: int
    outcomes: tuple[tuple[str, int], ...]  # (outcome, applicants), in a fixed order
    rejected_rows: int
    rejects: Path
    pages: int
    jobs: int = 1  # processes that explained the chunks

    def summary(self) -> str:
        counts = ", ".join(f"{n:,} {name.replace('_', ' ')}" for name, n in self.outcomes if n)
        lines = [f"explained {self.records:,} applicants ({counts or 'none'}): records in {self.out_dir}"]
        if self.pages:
            lines.append(f"wrote {self.pages:,} pages")
        lines.append(f"{self.rejected_rows:,} rows could not be explained" + (f", see {self.rejects}" if self.rejected_rows else ""))
        return "\n".join(lines)


EXPLAIN_FORMATS = ("json", "jsonl", "md", "html")
JSONL_NAME = "records.jsonl"
SUMMARY_COLUMNS = ("applicant_id", "file", "decision", "outcome", "score", "cutoff", "limit", "reason_codes",
                   "recourse_status", "plans")
OUTCOME_ORDER = ("approved", "declined", "cannot_evaluate", "retry_later")
EXPLAIN_CHUNK = 20_000  # applicants per chunk: bounds the memory of each process (about 0.3 GB)
MAX_JOBS = 8  # the default --jobs: the usable CPUs, at most this many


def default_jobs() -> int:
    """Processes for ``scorecard explain`` by default: the CPUs this process may use, at most ``MAX_JOBS``."""
    import os

    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(MAX_JOBS, cpus))


def record_stems(applicant_ids: Any) -> list[str]:
    """File stems of records in order (``safe_file_stem``; a stem already taken, ignoring case,
    gets the id's second stem), as ``render.write_pages`` names the pages next to them."""
    stems: list[str] = []
    taken: set[str] = set()
    for applicant_id in applicant_ids:
        stem = safe_file_stem(applicant_id)
        if stem.lower() in taken:  # case-insensitive file systems
            stem = safe_file_stem(applicant_id + "\0")
        taken.add(stem.lower())
        stems.append(stem)
    return stems


@dataclass
class _ChunkOutput:
    applicants: int
    summary: bytes  # summary.csv rows (UTF-8)
    outcomes: dict[str, int]
    records: list[Any] | None  # the records themselves, when pages are to be rendered from them


@dataclass(frozen=True)
class _ExplainJob:
    """What explaining one chunk needs; sent once to each worker process."""

    spec: Any
    policy: Any
    baseline: str
    fmt: str
    out: Path
    keep_records: bool

    def run(self, table: Any, stems: list[str] | None, lines_to: str | None) -> _ChunkOutput:
        """Explain one chunk of applicants: write its record files (json, md, html) or append
        its JSON lines to ``lines_to`` (jsonl); return its summary rows."""
        import csv
        import io

        from scorecard.explain import explain_table, gc_paused
        from scorecard.record_writer import RecordWriter

        records = explain_table(self.spec, self.policy, table, baseline=self.baseline)
        write = RecordWriter(compact=self.fmt == "jsonl")
        with gc_paused():
            if lines_to is not None:
                files = [JSONL_NAME] * len(records)
                with open(lines_to, "a", encoding="utf-8", newline="") as handle:
                    for record in records:
                        handle.write(write(record))
            else:
                files = [f"{stem}.json" for stem in stems or ()]
                for record, name in zip(records, files):
                    (self.out / name).write_bytes(write(record).encode("utf-8"))
            del write  # the text of the shared parts
            text = io.StringIO()
            writer = csv.writer(text, lineterminator="\n")
            outcomes: dict[str, int] = {}
            writer.writerows([[r.applicant_id, name, r.decision, r.outcome, "" if r.score is None else r.score, r.cutoff,
                               r.limit, ";".join([reason.code for reason in r.reasons]), r.recourse_status, len(r.recourse)]
                              for r, name in zip(records, files)])
            for r in records:
                outcomes[r.outcome] = outcomes.get(r.outcome, 0) + 1
        return _ChunkOutput(len(records), text.getvalue().encode("utf-8"), outcomes,
                            records if self.keep_records else None)


_WORKER_JOB: list[_ExplainJob] = []  # the job of this worker process


def _start_explain_worker(job: _ExplainJob) -> None:
    _WORKER_JOB[:] = [job]


def _explain_chunk(*task: Any) -> _ChunkOutput:
    return _WORKER_JOB[0].run(*task)


def _append_file(fd: int, source: Path) -> None:
    """Append the file ``source`` at the position of the file descriptor ``fd`` (its end): in
    the kernel where it can (copy_file_range, which refuses O_APPEND descriptors), else by reading."""
    import os
    import shutil

    with source.open("rb") as part:
        size = os.fstat(part.fileno()).st_size
        done = 0
        try:
            while done < size:
                copied = os.copy_file_range(part.fileno(), fd, size - done)
                if copied == 0:
                    break
                done += copied
        except (AttributeError, OSError):  # not on this system or file system: copy through this process
            pass
        if done < size:
            part.seek(done)
            with open(fd, "wb", closefd=False) as out:
                shutil.copyfileobj(part, out, 1 << 24)


def _explained_chunks(job: _ExplainJob, tasks: Iterator[tuple[Any, ...]], jobs: int,
                      jsonl: Path | None) -> Iterator[_ChunkOutput]:
    """Chunk outputs in chunk order; with ``jsonl``, their JSON lines appended to that file in
    the same order.

    ``jobs`` 1: in this process, each chunk appending to ``jsonl`` itself. Otherwise a pool of
    ``jobs`` worker processes with at most two chunks per worker in flight (bounded memory),
    each chunk writing its lines to a part file that is appended to ``jsonl`` here, in order.
    """
    if jobs <= 1:
        for task in tasks:
            yield job.run(*task, str(jsonl) if jsonl is not None else None)
        return
    import collections
    import multiprocessing
    import os
    import tempfile
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    with contextlib.ExitStack() as stack:
        lines = scratch = None
        if jsonl is not None:
            lines = os.open(jsonl, os.O_WRONLY)  # not O_APPEND: copy_file_range refuses it
            stack.callback(os.close, lines)
            os.lseek(lines, 0, os.SEEK_END)
            scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=".explain-", dir=jsonl.parent)))

        def part(n: int) -> Path | None:
            return scratch / f"part-{n:06d}.jsonl" if scratch is not None else None

        def finish(n: int, future: Any) -> _ChunkOutput:
            result = future.result()
            path = part(n)
            if path is not None:
                _append_file(lines, path)
                path.unlink()
            return result

        # "spawn": workers start clean (no copy of this process's memory or threads) on every platform
        pool = stack.enter_context(ProcessPoolExecutor(
            max_workers=jobs, mp_context=multiprocessing.get_context("spawn"), initializer=_start_explain_worker,
            initargs=(job,)))
        try:
            pending: collections.deque = collections.deque()
            for n, task in enumerate(tasks):
                path = part(n)
                pending.append((n, pool.submit(_explain_chunk, *task, str(path) if path else None)))
                if len(pending) >= 2 * jobs:
                    yield finish(*pending.popleft())
            while pending:
                yield finish(*pending.popleft())
        except BrokenProcessPool as exc:
            from scorecard.errors import ScorecardError

            raise ScorecardError(
                "a worker process stopped before its chunk was explained (out of memory?); run again with fewer "
                "--jobs, or --jobs 1 (a script that calls explain must start it under "
                "if __name__ == '__main__')") from exc
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise


def _release_arrow_memory() -> None:
    """Hand the memory that Arrow's pool keeps for reuse back to the system."""
    try:
        import pyarrow

        pyarrow.default_memory_pool().release_unused()
    except (ImportError, AttributeError):  # an older pyarrow: nothing to do
        pass


def explain(model: Path, data: Path, out: Path, *, policy: Path | None, fmt: str, lang: str, baseline: str,
            rejects: Path | None, console: Any = None, jobs: int | None = None,
            chunk_size: int | None = None) -> ExplainResult:
    """One DecisionRecord per applicant, a summary CSV, rejects and, for md/html, pages.

    ``fmt`` json (and md, html): one indented JSON file per applicant, ``<stem>.json``;
    jsonl: every record as one compact JSON line of ``records.jsonl``, line i for row i of
    ``summary.csv``. Applicants are explained in chunks of ``chunk_size`` (all snapshots of an
    applicant in one chunk; default ``EXPLAIN_CHUNK``) by ``jobs`` processes (default
    ``default_jobs()``; 1 explains in this process). The output is the same, byte for byte,
    whatever the chunk size and the number of processes.
    """
    from scorecard import data as tables
    from scorecard.errors import DataError
    from scorecard.explain import applicant_chunks, applicant_codes
    from scorecard.policy import default_policy, load_policy
    from scorecard.reasons import BASELINES
    from scorecard.spec import load_spec

    if fmt not in EXPLAIN_FORMATS:
        raise DataError(f"unknown format '{fmt}'; use {', '.join(EXPLAIN_FORMATS)}")
    if baseline not in BASELINES:
        raise DataError(f"unknown reason baseline '{baseline}'; use one of {', '.join(BASELINES)}")
    jobs = default_jobs() if jobs is None else jobs
    if jobs < 1:
        raise DataError(f"--jobs must be at least 1, not {jobs}")
    chunk_size = EXPLAIN_CHUNK if chunk_size is None else chunk_size
    if chunk_size < 1:
        raise DataError(f"the chunk size must be at least 1 applicant, not {chunk_size}")
    spec = load_spec(model)
    decision_policy = load_policy(policy) if policy is not None else default_policy()
    table = tables.read_table(Path(data))
    valid, rejected = tables.split_valid_rows(table, spec.profile, str(data))
    del table
    _release_arrow_memory()  # what reading and checking left in Arrow's pool: a few hundred MB per 10^6 rows
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rejects_path = Path(rejects) if rejects is not None else out / "rejects.csv"
    rejects_path.parent.mkdir(parents=True, exist_ok=True)
    # Always written (header only when every row was explained), so a batch never loses a row silently.
    rejected.to_csv(rejects_path, index=False, encoding="utf-8")

    codes, everyone = applicant_codes(valid, spec.profile.id_column)  # raises for a row without an id, naming it
    chunks = applicant_chunks(codes, chunk_size)
    stems = record_stems(everyone.tolist()) if fmt != "jsonl" else None
    del codes
    pages_wanted = fmt in ("md", "html")
    job = _ExplainJob(spec, decision_policy, baseline, fmt, out, keep_records=pages_wanted)
    jobs = max(1, min(jobs, len(chunks)))

    def tasks() -> Iterator[tuple[Any, list[str] | None]]:
        for i, rows in enumerate(chunks):
            # chunk i holds applicants i * chunk_size ... of that order (see applicant_chunks)
            mine = stems[i * chunk_size:(i + 1) * chunk_size] if stems is not None else None
            yield valid.iloc[rows], mine

    outcomes = dict.fromkeys(OUTCOME_ORDER, 0)
    applicants = 0
    pages = 0
    with contextlib.ExitStack() as stack:
        summary = stack.enter_context((out / "summary.csv").open("wb"))
        summary.write((",".join(SUMMARY_COLUMNS) + "\n").encode("utf-8"))
        jsonl = out / JSONL_NAME if fmt == "jsonl" else None
        if jsonl is not None:
            jsonl.write_bytes(b"")  # chunks append to it
        bar = stack.enter_context(_progress(console))
        task = bar.add_task("explaining" if jobs == 1 else f"explaining ({jobs} processes)",
                            total=len(everyone)) if bar else None

        def records() -> Iterator[Any]:
            nonlocal applicants
            for part in _explained_chunks(job, tasks(), jobs, jsonl):
                summary.write(part.summary)
                for name, n in part.outcomes.items():
                    outcomes[name] = outcomes.get(name, 0) + n
                applicants += part.applicants
                if bar:
                    bar.advance(task, part.applicants)
                if part.records is not None:
                    yield from part.records

        if pages_wanted:
            from scorecard.render import write_pages

            pages = len(write_pages(records(), spec.profile, out, fmt=fmt, lang=lang))
        else:
            for _ in records():
                pass
    return ExplainResult(
        out_dir=out,
        records=applicants,
        outcomes=tuple((name, outcomes.get(name, 0)) for name in OUTCOME_ORDER),
        rejected_rows=len(rejected),
        rejects=rejects_path,
        pages=pages,
        jobs=jobs,
    )


@contextlib.contextmanager
def _progress(console: Any) -> Iterator[Any]:
    """A rich progress bar on the console (``None`` without a console)."""
    if console is None:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=console, transient=True) as bar:
        yield bar


# --- site and demo (issue 6) --------------------------------------------------------------------


@dataclass(frozen=True)
class SiteResult:
    html: Path  # the built site; open index.html
    config: Path  # the MkDocs configuration that built it (mkdocs build -f CONFIG rebuilds it)
    pages: int  # generated Markdown pages (both languages)
    persona_decisions: tuple[tuple[str, str, str], ...]  # (slug, applicant id, decision code)

    def summary(self) -> str:
        return (f"built the site from {self.pages} generated pages and the knowledge base: {self.html / 'index.html'}\n"
                f"  (any static file server works; or open the file directly; rebuild: mkdocs build -f {self.config})")


def explain_personas(spec: Any, decision_policy: Any) -> tuple[tuple[Any, ...], list[Any]]:
    """The demo personas and their decision records under ``spec`` and ``decision_policy``."""
    from scorecard import data as tables
    from scorecard.datasets import personas as persona_data
    from scorecard.errors import SiteError
    from scorecard.explain import explain_table

    personas = persona_data.load_personas()
    columns = [f.source_column for f in spec.profile.factors] + list(spec.profile.policy_columns)
    columns += [c for c in (spec.profile.id_column, spec.profile.date_column, spec.profile.segment_column) if c]
    table = persona_data.persona_table(personas, [c for c in dict.fromkeys(columns)])
    missing = sorted(set(columns) - set(table.columns))
    if missing:
        raise SiteError(f"the model's profile '{spec.profile.name}' reads columns the demo personas do not have "
                        f"({', '.join(missing[:5])}); the site's persona pages need a model trained on the demo profile")
    valid, rejected = tables.split_valid_rows(table, spec.profile, "personas.yaml")
    if len(rejected):
        first = rejected.iloc[0].to_dict()
        raise SiteError(f"personas.yaml: a persona snapshot does not fit the model's profile: {first}")
    return personas, explain_table(spec, decision_policy, valid)


def build_site(model: Path, out: Path, *, policy: Path | None = None, strict: bool = True,
               console: Any = None) -> SiteResult:
    """Generated model and persona pages + the knowledge base -> ``out/docs``; MkDocs -> ``out/html``."""
    from scorecard import resources
    from scorecard import site
    from scorecard.policy import default_policy, load_policy
    from scorecard.spec import load_spec

    spec = load_spec(model)
    decision_policy = load_policy(policy) if policy is not None else default_policy()
    with _status(console, "explaining the demo personas"):
        personas, records = explain_personas(spec, decision_policy)
    with _status(console, "writing the pages"):
        kb = resources.docs_dir()
        files = site.plan_site(spec, decision_policy, personas, records, site.kb_titles(kb))
        settings = site.read_config(resources.mkdocs_config())
        settings["nav"] = site.site_nav(settings["nav"], spec, personas)
        config_out = site.write_sources(files, kb, Path(out), settings, site.theme_overrides())
    with _status(console, "building the site (MkDocs)"):
        html = site.build_html(config_out, strict=strict)
    decisions = {r.applicant_id: r.decision for r in records}
    return SiteResult(html=html, config=config_out, pages=sum(1 for f in files if f.path.endswith(".md")),
                      persona_decisions=tuple((p.slug, p.applicant_id, decisions[p.applicant_id]) for p in personas))


@dataclass(frozen=True)
class DemoResult:
    data: Path
    check: CheckResult
    model: Path
    train_summary: str
    records: Path
    site: SiteResult

    def summary(self) -> str:
        lines = [f"made {self.check.rows:,} synthetic applicants: {self.data}", self.check.summary(), self.train_summary,
                 f"decision records of the {len(self.site.persona_decisions)} demo personas: {self.records}"]
        lines += [f"  {applicant}: {decision}" for _, applicant, decision in self.site.persona_decisions]
        lines.append(self.site.summary())
        return "\n".join(lines)


def run_demo(out: Path, *, rows: int, seed: int, console: Any = None) -> DemoResult:
    """The main job on the bundled demo data: generate and check the data, train, explain the
    personas (records and pages), build the site."""
    from scorecard.datasets import demo as demo_data
    from scorecard.datasets import personas as persona_data

    out = Path(out)
    data = make_demo_data(out / "demo_applicants.csv", rows=rows, seed=seed)
    check = check_table(data, "demo")
    model = out / "model.json"
    trained = train(data, profile="demo", out=model, test_size=0.3, seed=seed, console=console)
    personas_csv = write_table(persona_data.persona_table(persona_data.load_personas(), list(demo_data.COLUMNS)),
                               out / "personas.csv")
    explain(model, personas_csv, out / "personas", policy=None, fmt="json", lang="all",
            baseline="cutoff_average", rejects=None, console=None)
    built = build_site(model, out / "site", console=console)
    return DemoResult(data=data, check=check, model=model, train_summary=trained.summary(),
                      records=out / "personas", site=built)


# --- SQL (issue 7) ------------------------------------------------------------------------------


def export_sql(model: Path, *, dialect: str, table: str) -> str:
    """The scorecard at ``model`` as one SQL query over ``table`` (see export_sql.to_sql)."""
    from scorecard.export_sql import to_sql
    from scorecard.spec import load_spec

    return to_sql(load_spec(model), dialect=dialect, table=table)
