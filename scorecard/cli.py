"""The ``scorecard`` command: parse arguments, call one job function (``scorecard.jobs``), print.

One error boundary: a ``ScorecardError`` prints as one line on stderr and exits with code 2;
``--debug`` shows the traceback instead. Typer never prints local variables, so a crash cannot
leak applicant rows. Each command imports its job when it runs, so ``scorecard --help`` loads
neither pandas nor the rest of the package.
"""

from __future__ import annotations

import functools
import signal
import sys
import warnings
from enum import Enum
from pathlib import Path
from typing import Annotated, Callable, Optional

import typer
from rich.console import Console
from rich.markup import escape

from scorecard import __version__
from scorecard.errors import ScorecardError, ScorecardNote
from scorecard.jobs.pool import MAX_JOBS

app = typer.Typer(
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    add_completion=False,
    help="Explainable credit scorecard: train, score, explain decisions, build the knowledge-base site.",
)
data_app = typer.Typer(no_args_is_help=True, help="Make and check applicant tables.")
export_app = typer.Typer(no_args_is_help=True, help="Export the scorecard for other engines.")
app.add_typer(data_app, name="data")
profile_app = typer.Typer(no_args_is_help=True, help="Write profiles.")
app.add_typer(profile_app, name="profile")
app.add_typer(export_app, name="export")

console = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)
_state = {"debug": False}
_show_warning = warnings.showwarning


def _boundary(command: Callable) -> Callable:
    """Turn user-facing errors into one line and exit code 2 (traceback only with --debug)."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("always", ScorecardNote)
                warnings.showwarning = _note
                return command(*args, **kwargs)
        except (ScorecardError, OSError) as exc:
            if _state["debug"]:
                raise
            message = str(exc) if isinstance(exc, ScorecardError) else _file_system_message(exc)
            console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, markup=True, soft_wrap=True)
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            if _state["debug"]:
                raise
            console.print("[bold red]interrupted:[/] nothing of this run was put in place (outputs are moved into "
                          "place only when complete)", highlight=False, markup=True, soft_wrap=True)
            raise typer.Exit(130) from None

    return wrapper


def _note(message, category, filename, lineno, file=None, line=None) -> None:  # noqa: ANN001
    """Print a ``ScorecardNote`` (e.g. a file read as GBK) as one line on stderr; other warnings as usual."""
    if issubclass(category, ScorecardNote):
        console.print(f"[bold yellow]note:[/] {escape(str(message))}", highlight=False, markup=True, soft_wrap=True)
    else:
        _show_warning(message, category, filename, lineno, file, line)


def _file_system_message(exc: OSError) -> str:
    """One line for a file-system error: the path, what went wrong, what to do."""
    where = exc.filename if exc.filename is not None else "a file"
    what = (exc.strerror or exc.__class__.__name__).lower()
    return f"{where}: {what}; check the path, its folder and its permissions (or the free disk space)"


def _terminate(signum, frame) -> None:  # noqa: ANN001
    raise KeyboardInterrupt  # the same clean-up as Ctrl-C: staged files removed, workers stopped


def _version(value: bool) -> None:
    if value:
        out.print(f"scorecard {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
    version: Annotated[
        Optional[bool], typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = None,
) -> None:
    _state["debug"] = debug


class Engine(str, Enum):
    auto = "auto"
    numpy = "numpy"
    duckdb = "duckdb"


class ReportFormat(str, Enum):
    table = "table"
    md = "md"
    json = "json"


class PageFormat(str, Enum):
    json = "json"
    jsonl = "jsonl"
    md = "md"
    html = "html"


class Dialect(str, Enum):
    duckdb = "duckdb"
    spark = "spark"
    ansi = "ansi"


class Baseline(str, Enum):
    cutoff_average = "cutoff_average"
    population_average = "population_average"
    best_points = "best_points"


class PolicyCheck(str, Enum):
    refuse = "refuse"
    warn = "warn"


PolicyCheckOpt = Annotated[PolicyCheck, typer.Option("--policy-check", help=(
    "refuse: stop when the policy does not fit the model (a cutoff or band outside its scores, a cutoff that "
    "approves or declines the whole reference population); warn: say so and go on."))]


class ScalingMethod(str, Enum):
    pdo = "pdo"
    range = "range"


DataOpt = Annotated[Path, typer.Option("--data", help="Applicant table: CSV (UTF-8 or GBK) or Parquet.")]
ModelOpt = Annotated[Path, typer.Option("--model", help="Scorecard spec JSON written by 'scorecard train'.")]
SepOpt = Annotated[Optional[str], typer.Option("--sep", help=(
    "The CSV separator (e.g. ';' or $'\\t'); by default ',' unless the header has no comma but semicolons or tabs "
    "(then a note says so)."))]


@app.command()
@_boundary
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the demo data, model, records and site.")] = Path(
        "scorecard-demo"
    ),
    rows: Annotated[int, typer.Option(help="Rows of synthetic applicants.")] = 50_000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 7,
) -> None:
    """The main job on the bundled demo data: generate, train, explain the personas, build the site."""
    from scorecard.jobs.demo import run_demo

    result = run_demo(out_dir, rows=rows, seed=seed, console=console)
    out.print(result.summary(), highlight=False)


@app.command()
@_boundary
def site(
    model: ModelOpt,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the site: docs/ (sources), html/ (the built site).")],
    policy: Annotated[Optional[Path], typer.Option("--policy", help="Decision policy YAML (default: the demo policy).")] = None,
    personas: Annotated[Optional[Path], typer.Option("--personas", help="Personas YAML (laid out like scorecard/datasets/personas.yaml) whose snapshots have the model's columns; default: the demo personas when they fit the model.")] = None,
    strict: Annotated[bool, typer.Option("--strict/--no-strict", help="Fail on any MkDocs warning (broken link, missing page).")] = True,
    policy_check: PolicyCheckOpt = PolicyCheck.refuse,
) -> None:
    """Build the knowledge-base site for any model: the knowledge base of the policy's jurisdiction, the
    model's pages, and pages for the personas that fit the model (left out, with a note, when none do)."""
    from scorecard.jobs.site import build_site

    result = build_site(model, out_dir, policy=policy, personas=personas, strict=strict, console=console,
                        policy_check=policy_check.value)
    out.print(result.summary(), highlight=False)


@data_app.command("demo")
@_boundary
def data_demo(
    out_file: Annotated[Path, typer.Option("--out", help="Output file (.csv or .parquet).")],
    rows: Annotated[int, typer.Option(help="Rows of synthetic applicants.")] = 100_000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 7,
    shift_from: Annotated[Optional[str], typer.Option(help="Shift the applicants from this date (YYYY-MM-DD) on: more applications, higher debt (for 'scorecard monitor').")] = None,
    shift_applications: Annotated[float, typer.Option(help="With --shift-from: extra applications in 3 months (Poisson mean).")] = 1.0,
    shift_debt: Annotated[float, typer.Option(help="With --shift-from: debt-to-income multiplied by this.")] = 1.4,
) -> None:
    """Write the synthetic demo applicant population (same seed, byte-identical file)."""
    from scorecard.datasets.demo import Shift
    from scorecard.jobs.data import make_demo_data

    shift = Shift(shift_from, applications=shift_applications, debt=shift_debt) if shift_from else None
    path = make_demo_data(out_file, rows=rows, seed=seed, shift=shift)
    out.print(f"wrote {rows:,} synthetic applicants to {path}", highlight=False)


@data_app.command("check")
@_boundary
def data_check(
    data: DataOpt,
    profile: Annotated[str, typer.Option(help="Profile name (demo, heloc, gmsc, german) or YAML path.")] = "demo",
    sep: SepOpt = None,
) -> None:
    """Check a training table against its profile: the first problem found (file, column, rows) or a summary."""
    from scorecard.jobs.data import check_table

    out.print(check_table(data, profile, sep=sep).summary(), highlight=False)


@profile_app.command("draft")
@_boundary
def profile_draft(
    data: DataOpt,
    target: Annotated[str, typer.Option("--target", help="The outcome column (good or bad).")],
    out_file: Annotated[Path, typer.Option("--out", help="Where to write the starting profile (a new .yaml file).")] = Path(
        "profile.yaml"),
) -> None:
    """Write a starting profile for a table: kinds, ids, dates and special values found in the data, with
    comments (TODO) for what only the analyst knows (trends, meanings, who can change what)."""
    from scorecard.jobs.profile import draft_profile_file

    path = draft_profile_file(data, target=target, out=out_file)
    out.print(f"wrote a starting profile to {path}; fill in its TODO lines, then: scorecard data check --data {data} "
              f"--profile {path}", highlight=False)


@app.command()
@_boundary
def train(
    data: DataOpt,
    out_file: Annotated[Path, typer.Option("--out", help="Where to write the scorecard spec (JSON).")],
    profile: Annotated[str, typer.Option(help="Profile name (demo, heloc, gmsc, german) or YAML path.")] = "demo",
    test_size: Annotated[float, typer.Option(help="Share of rows held out for metrics; 0 trains on every row.")] = 0.3,
    seed: Annotated[int, typer.Option(help="Random seed of the split.")] = 7,
    scaling: Annotated[ScalingMethod, typer.Option(help="pdo (base score at base odds) or range (min-max).")] = ScalingMethod.pdo,
    base_score: Annotated[float, typer.Option(help="Score at the base odds (pdo scaling).")] = 600,
    base_odds: Annotated[float, typer.Option(help="Good:bad odds at the base score (pdo scaling).")] = 50,
    pdo: Annotated[float, typer.Option(help="Points to double the odds (pdo scaling).")] = 20,
    min_score: Annotated[int, typer.Option(help="Lowest score (range scaling).")] = 350,
    max_score: Annotated[int, typer.Option(help="Highest score (range scaling).")] = 950,
    sep: SepOpt = None,
) -> None:
    """Bin, fit the logit, scale to integer points and write a checksummed spec."""
    from scorecard.jobs.train import train as train_job

    result = train_job(
        data,
        profile=profile,
        out=out_file,
        test_size=test_size,
        seed=seed,
        scaling=scaling.value,
        base_score=base_score,
        base_odds=base_odds,
        pdo=pdo,
        min_score=min_score,
        max_score=max_score,
        console=console,
        sep=sep,
    )
    out.print(result.summary(), highlight=False)


@app.command()
@_boundary
def score(
    model: ModelOpt,
    data: DataOpt,
    out_file: Annotated[Path, typer.Option("--out", help="Scores: .csv or .parquet (id, score, pd, points per factor).")],
    rejects: Annotated[Optional[Path], typer.Option(help="Rows that could not be scored, with the reason.")] = None,
    engine: Annotated[Engine, typer.Option(help="numpy (in memory) or duckdb (streams larger-than-memory files).")] = Engine.auto,
    sep: SepOpt = None,
) -> None:
    """Score a table with a spec; bad rows go to the rejects file, never silently away."""
    from scorecard.jobs.score import score_file

    result = score_file(model, data, out_file, rejects=rejects, engine=engine.value, console=console, sep=sep)
    out.print(result.summary(), highlight=False)


@app.command()
@_boundary
def report(
    model: ModelOpt,
    format: Annotated[ReportFormat, typer.Option("--format", help="table (terminal), md or json.")] = ReportFormat.table,
    plots: Annotated[Optional[Path], typer.Option("--plots", help="Also write the plots (SVG) into this folder: "
                                                "binning per factor, score distributions, ROC, KS.")] = None,
) -> None:
    """Show the scorecard: bins, points, coefficients, selection log and metrics."""
    from scorecard.jobs.report import report as report_job
    from scorecard.jobs.report import write_plots

    written = write_plots(model, plots) if plots is not None else []
    report_job(model, format.value, console=out)
    if written:
        console.print(f"wrote {len(written)} plots (SVG) to {plots}", highlight=False)


@app.command()
@_boundary
def psi(
    model: ModelOpt,
    base: Annotated[Path, typer.Option("--base", help="The reference table (e.g. training data).")],
    compare: Annotated[Path, typer.Option("--compare", help="The table to compare (e.g. this month's applicants).")],
    sep: SepOpt = None,
) -> None:
    """Population stability (PSI) of the score and of every factor between two tables."""
    from scorecard.jobs.report import psi as psi_job

    psi_job(model, base, compare, console=out, status_console=console, sep=sep)


@app.command()
@_boundary
def document(
    model: ModelOpt,
    data: DataOpt,
    out_file: Annotated[Path, typer.Option("--out", help="The HTML document to write (the Markdown goes next to it as .md).")],
    policy: Annotated[Optional[Path], typer.Option(help="Decision policy YAML (default: the bundled demo policy).")] = None,
    lang: Annotated[str, typer.Option(help="Language of the document: one of templates/languages.yaml (zh, en as shipped).")] = "zh",
) -> None:
    """The model document for a validator: purpose, data, bins, selection, coefficients, scaling,
    performance, calibration, stability, protected groups, reason codes and limitations, evaluated on DATA."""
    from scorecard.jobs.document import document as document_job

    result = document_job(model, data, out_file, policy=policy, lang=lang, console=console)
    console.print(result.summary(), highlight=False)


class MonitorPeriod(str, Enum):
    month = "month"
    quarter = "quarter"


@app.command()
@_boundary
def monitor(
    model: ModelOpt,
    data: DataOpt,
    by: Annotated[MonitorPeriod, typer.Option(help="Period of the profile's date column to measure by.")] = MonitorPeriod.month,
    out_file: Annotated[Optional[Path], typer.Option("--out", help="Also write the monitoring page (HTML with charts).")] = None,
    policy: Annotated[Optional[Path], typer.Option(help="Decision policy YAML (default: the bundled demo policy).")] = None,
    thresholds: Annotated[Optional[Path], typer.Option(help="YAML file of flag thresholds (psi_watch, psi_shift, reason_ratio, reason_increase, reason_min_share, reference_periods, min_rows, bad_rate_ratio, adverse_impact).")] = None,
    lang: Annotated[str, typer.Option(help="Language of the page: one of templates/languages.yaml.")] = "zh",
) -> None:
    """Per period: PSI of the score and every factor against training, approval rate, actual against
    expected bad rate, AUC, KS and reason code shares, with flags; a table here and an HTML page."""
    from scorecard.jobs.monitor import monitor as monitor_job

    result = monitor_job(model, data, by=by.value, out=out_file, policy=policy, thresholds=thresholds, lang=lang,
                         console=out, status_console=console)
    console.print(f"{result.flags} flag(s) in {len(result.data['periods'])} period(s); {result.rows:,} rows"
                  + (f" ({result.rejected:,} left out as unscorable)" if result.rejected else "")
                  + (f"; wrote {result.html}" if result.html else ""), highlight=False)


@app.command()
@_boundary
def explain(
    model: ModelOpt,
    data: DataOpt,
    out_dir: Annotated[Path, typer.Option("--out", help="Private output folder for records and pages.")],
    policy: Annotated[Optional[Path], typer.Option(help="Decision policy YAML (default: the bundled demo policy).")] = None,
    format: Annotated[PageFormat, typer.Option("--format", help=(
        "json: one indented record file per applicant (DIR/<id>.json); jsonl: all records in DIR/records.jsonl, "
        "one compact JSON object per line in input order (for large batches); md or html: json records plus one "
        "page per applicant and language."))] = PageFormat.json,
    lang: Annotated[str, typer.Option(help=(
        "Page language: one of templates/languages.yaml (zh, en as shipped) or all."))] = "all",
    baseline: Annotated[Baseline, typer.Option(help="What reasons are measured against.")] = Baseline.cutoff_average,
    rejects: Annotated[Optional[Path], typer.Option(help="Rows that could not be explained, with the reason.")] = None,
    jobs: Annotated[Optional[int], typer.Option("--jobs", min=1, help=(
        f"Processes that explain chunks of applicants in parallel (default: the CPUs, at most {MAX_JOBS}); "
        "the output is the same for any number."))] = None,
    policy_check: PolicyCheckOpt = PolicyCheck.refuse,
    sep: SepOpt = None,
) -> None:
    """One decision record (and page) per applicant: decision, reasons and recourse plans.

    Also writes summary.csv (one row per applicant, in input order; with jsonl, row i is line i of records.jsonl) and the rejects file. Applicants are explained in chunks (all snapshots of one applicant together), so memory stays bounded for millions of rows.
    """
    from scorecard.jobs.explain import explain as explain_job

    result = explain_job(
        model,
        data,
        out_dir,
        policy=policy,
        fmt=format.value,
        lang=lang,
        baseline=baseline.value,
        rejects=rejects,
        console=console,
        jobs=jobs,
        policy_check=policy_check.value,
        sep=sep,
    )
    out.print(result.summary(), highlight=False)


@export_app.command("sql")
@_boundary
def export_sql(
    model: ModelOpt,
    dialect: Annotated[Dialect, typer.Option(help="SQL dialect.")] = Dialect.duckdb,
    table: Annotated[str, typer.Option(help="Table (or file expression) to read applicants from.")] = "applicants",
    out_file: Annotated[Optional[Path], typer.Option("--out", help="Write the query here instead of standard output.")] = None,
    policy: Annotated[Optional[Path], typer.Option(help="Decision policy YAML whose cutoff and limit bands the reasons are measured toward (default: the bundled demo policy).")] = None,
    baseline: Annotated[Baseline, typer.Option(help="What reasons are measured against.")] = Baseline.cutoff_average,
    reasons: Annotated[bool, typer.Option("--reasons/--no-reasons", help="Return the principal reason codes per row.")] = True,
) -> None:
    """The scorecard as one SQL query: id, points per factor, bins, total score and the principal reason codes per row."""
    from scorecard.jobs.export import export_sql as export_job

    text = export_job(model, dialect=dialect.value, table=table, out=out_file, policy=policy,
                      baseline=baseline.value if reasons else None)
    if out_file is None:
        sys.stdout.write(text)
    else:
        console.print(f"wrote {out_file}", highlight=False)


def main() -> None:
    signal.signal(signal.SIGTERM, _terminate)
    app()


if __name__ == "__main__":
    main()
