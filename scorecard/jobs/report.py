"""Jobs that print for the analyst: the model report (``report.py``) and the population stability
of a new table against a reference."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from scorecard import metrics
from scorecard.data import read_table, split_valid_rows
from scorecard.errors import DataError
from scorecard.jobs import console as progress
from scorecard.jobs.outputs import Run, guard, owned_folder
from scorecard.report import PSI_NOTE, psi_table, report_data, report_markdown, report_tables
from scorecard.scoring import score
from scorecard.site.model_pages import binning_plots, metric_plots
from scorecard.spec import load_spec

PLOTS_MARKER = ".scorecard-plots"


def _print_text(console: Console, text: str) -> None:
    console.print(text, markup=False, highlight=False, soft_wrap=True, end="")


def report(model: Path, fmt: str, *, console: Console) -> None:
    """Print the model report: rich tables (``table``), Markdown (``md``) or JSON (``json``)."""
    data = report_data(load_spec(model))
    if fmt == "json":
        _print_text(console, json.dumps(data, sort_keys=True, ensure_ascii=False, allow_nan=False, indent=1) + "\n")
    elif fmt == "md":
        _print_text(console, report_markdown(data))
    else:
        for part in report_tables(data):
            console.print(part, highlight=False)


def write_plots(model: Path, out: Path) -> list[Path]:
    """The report's plots as SVG files in the folder ``out`` (English, like the report): the binning
    plot of every factor (``binning-<factor>.svg``), the score distributions of goods and bads, the
    ROC and the KS curve on the evaluated rows. The folder is the command's own (replaced each run)."""
    out = Path(out)
    guard(inputs={"--model": Path(model)}, folders={"--plots": out})
    spec = load_spec(model)
    figures = {f"binning-{name}.svg": svg for name, svg in binning_plots(spec, "en").items()}
    figures.update({f"{name}.svg": svg for name, svg in metric_plots(spec, "en").items()})
    owned_folder(out, PLOTS_MARKER, "report --plots")
    with Run("report --plots") as run:
        run.lock(out, folder=True)
        staged = run.folder(out)
        for name, svg in figures.items():
            (staged / name).write_text(svg, encoding="utf-8")
        run.commit()
    return [out / name for name in figures]


@dataclass(frozen=True)
class PsiResult:
    score: float | None
    factors: dict[str, float | None]
    rows: tuple[int, int]
    rejected: tuple[int, int]


def psi(model: Path, base: Path, compare: Path, *, console: Console | None, sep: str | None = None,
        status_console: Console | None = None) -> PsiResult:
    """Score PSI and per-factor PSI (bin shares) of ``compare`` against ``base``, printed as a table.

    Rows that cannot be scored (see ``data.split_valid_rows``) are left out of both and counted.
    ``status_console`` (stderr) shows a spinner while the tables are read and scored.
    """
    spec = load_spec(model)
    results, rejected = [], []
    for path in (Path(base), Path(compare)):
        with progress.status(status_console, f"reading and scoring {path}"):
            valid, problems = split_valid_rows(read_table(path, sep=sep), spec.profile, str(path))
            if valid.empty:
                raise DataError(f"{path}: none of its {len(problems['row'].unique()):,} rows can be scored (first reason: "
                                f"{problems['column'].iloc[0]} {problems['reason'].iloc[0]}); a PSI needs scorable rows")
            results.append(score(spec, valid))
        rejected.append(int(problems["row"].nunique()))
    table = metrics.psi_table(spec, results[0], results[1])
    outcome = PsiResult(score=table["score"], factors=table["factors"], rows=(len(results[0]), len(results[1])),
                        rejected=(rejected[0], rejected[1]))
    if console is not None:
        console.print(psi_table(f"PSI of {compare} against {base} ({outcome.rows[1]:,} vs {outcome.rows[0]:,} rows)",
                                outcome.score, outcome.factors))
        console.print(PSI_NOTE + (f"; rows left out as unscorable: {rejected[0]:,} in base, {rejected[1]:,} in compare"
                                  if any(rejected) else ""), highlight=False)
    return outcome
