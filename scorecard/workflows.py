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
    """Write the synthetic demo population; the same rows and seed give the same bytes."""
    from scorecard.datasets.demo import generate
    from scorecard.errors import DataError

    if rows < 1:
        raise DataError(f"--rows {rows}: give at least 1 row")
    return write_table(generate(rows, seed), out)


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


@dataclass(frozen=True)
class TrainResult:
    path: Path
    factors: tuple[str, ...]
    metrics: dict[str, Any]

    def summary(self) -> str:
        test = self.metrics.get("test", {})
        auc, ks = test.get("auc"), test.get("ks")
        where = "training rows (test size 0)" if "note" in self.metrics else "test rows"
        return (
            f"kept {len(self.factors)} factors: {', '.join(self.factors)}\n"
            f"AUC {auc if auc is None else f'{auc:.3f}'}, KS {ks if ks is None else f'{ks:.3f}'} on the {where}\n"
            f"wrote {self.path}"
        )


def train(data: Path, *, profile: str, out: Path, test_size: float, seed: int, console: Any = None, **scaling: Any):
    from scorecard import data as data_io
    from scorecard.profile import load_profile
    from scorecard.spec import save_spec
    from scorecard.training import fit_scorecard

    chosen = load_profile(profile)
    with _status(console, f"reading {data}"):
        table = data_io.validate_training(data_io.read_table(Path(data)), chosen, str(data))
    with _status(console, "training the scorecard"):
        spec = fit_scorecard(table, chosen, test_size=test_size, seed=seed, **scaling)
    path = save_spec(spec, out)
    return TrainResult(path=path, factors=spec.factor_names, metrics=spec.metrics)


@dataclass(frozen=True)
class ScoreRunResult:
    out: Path
    rejects: Path
    scored: int
    rejected: int
    engine: str

    def summary(self) -> str:
        return (f"scored {self.scored:,} rows with the {self.engine} engine: {self.out}\n"
                f"{self.rejected:,} rows could not be scored; reasons in {self.rejects}")


DUCKDB_ABOVE_BYTES = 200 * 2**20  # "auto": stream files larger than this through DuckDB


def score_table(spec: Any, table: Any, source: str) -> tuple[Any, Any]:
    """NumPy engine: (scores in input order: id, score, pd, points per factor; rejects)."""
    import pandas as pd

    from scorecard.data import split_valid_rows
    from scorecard.scoring import score

    valid, rejects = split_valid_rows(table, spec.profile, source)
    result = score(spec, valid)
    # Without an id column the id is the 1-based row number of the input file, as in the rejects.
    ids = result.ids if spec.profile.id_column else (valid.index.to_numpy() + 1).astype(str)
    scores = pd.DataFrame({"id": ids, "score": result.total, "pd": result.pd})
    for j, name in enumerate(result.factor_names):
        scores[f"points_{name}"] = result.points[:, j]
    return scores, rejects


def score_file(model: Path, data: Path, out: Path, *, rejects: Path | None, engine: str,
               console: Any = None) -> ScoreRunResult:
    """Score a file; every input row ends up in ``out`` or in the rejects file with its reason."""
    from scorecard.data import read_table
    from scorecard.errors import DataError
    from scorecard.spec import load_spec

    spec = load_spec(model)
    out = Path(out)
    rejects = Path(rejects) if rejects else out.with_name(f"{out.stem}.rejects.csv")
    if not Path(data).is_file():
        raise DataError(f"{data}: file not found; check the path")
    if engine == "auto":
        engine = "duckdb" if Path(data).stat().st_size > DUCKDB_ABOVE_BYTES else "numpy"
    if engine == "duckdb":
        from scorecard.export_sql import score_with_duckdb

        with _status(console, "scoring with DuckDB"):
            scored, rejected = score_with_duckdb(spec, Path(data), out, rejects)
        return ScoreRunResult(out, rejects, scored, rejected, "duckdb")
    with _status(console, "scoring"):
        scores, problems = score_table(spec, read_table(data), str(data))
        write_table(scores, out)
        write_table(problems, rejects.with_suffix(".csv") if rejects.suffix.lower() not in (".csv", ".parquet") else rejects)
    return ScoreRunResult(out, rejects, len(scores), int(problems["row"].nunique()), "numpy")


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

    def summary(self) -> str:
        counts = ", ".join(f"{n:,} {name.replace('_', ' ')}" for name, n in self.outcomes if n)
        lines = [f"explained {self.records:,} applicants ({counts or 'none'}): records in {self.out_dir}"]
        if self.pages:
            lines.append(f"wrote {self.pages:,} pages")
        lines.append(f"{self.rejected_rows:,} rows could not be explained" + (f", see {self.rejects}" if self.rejected_rows else ""))
        return "\n".join(lines)


def explain(model: Path, data: Path, out: Path, *, policy: Path | None, fmt: str, lang: str, baseline: str,
            rejects: Path | None, console: Any = None) -> ExplainResult:
    """One DecisionRecord (JSON) per applicant in ``out``, a summary CSV, rejects, optional pages."""
    import csv

    from scorecard import data as tables
    from scorecard.explain import explain_table
    from scorecard.policy import default_policy, load_policy
    from scorecard.spec import load_spec

    spec = load_spec(model)
    decision_policy = load_policy(policy) if policy is not None else default_policy()
    table = tables.read_table(Path(data))
    valid, rejected = tables.split_valid_rows(table, spec.profile, str(data))
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rejects_path = Path(rejects) if rejects is not None else out / "rejects.csv"
    rejects_path.parent.mkdir(parents=True, exist_ok=True)
    # Always written (header only when every row was explained), so a batch never loses a row silently.
    rejected.to_csv(rejects_path, index=False, encoding="utf-8")

    id_column = spec.profile.id_column
    applicants = int(valid[id_column].nunique(dropna=False)) if id_column and id_column in valid.columns else len(valid)
    with _progress(console) as bar:
        task = bar.add_task("explaining", total=applicants) if bar else None
        records = explain_table(spec, decision_policy, valid, baseline=baseline,
                                progress=(lambda done: bar.advance(task, done)) if bar else None)
        write = bar.add_task("writing records", total=len(records)) if bar else None
        stems: dict[str, str] = {}
        taken: set[str] = set()
        memo: dict[tuple[int, int], Any] = {}
        for i, record in enumerate(records):
            stem = safe_file_stem(record.applicant_id)
            if stem.lower() in taken:  # case-insensitive file systems
                stem = safe_file_stem(record.applicant_id + "\0")
            taken.add(stem.lower())
            stems[record.applicant_id] = stem
            (out / f"{stem}.json").write_text(_record_json(record, memo), encoding="utf-8")
            if bar and (i + 1) % 1000 == 0:
                bar.advance(write, 1000)
        if bar:
            bar.update(write, completed=len(records))

    with (out / "summary.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["applicant_id", "file", "decision", "outcome", "score", "cutoff", "limit", "reason_codes",
                         "recourse_status", "plans"])
        for r in records:
            writer.writerow([r.applicant_id, f"{stems[r.applicant_id]}.json", r.decision, r.outcome,
                             "" if r.score is None else r.score, r.cutoff, r.limit,
                             ";".join(reason.code for reason in r.reasons), r.recourse_status, len(r.recourse)])

    pages = 0
    if fmt in ("md", "html"):
        from scorecard.render import write_pages

        with _status(console, "writing pages"):
            pages = len(write_pages(records, spec.profile, out, fmt=fmt, lang=lang))
    order = ("approved", "declined", "cannot_evaluate", "retry_later")
    return ExplainResult(
        out_dir=out,
        records=len(records),
        outcomes=tuple((name, sum(1 for r in records if r.outcome == name)) for name in order),
        rejected_rows=len(rejected),
        rejects=rejects_path,
        pages=pages,
    )


_FIELDS: dict[type, tuple[str, ...]] = {}
_scalar = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
_SHARED = {"FactorLine", "Reason", "Change", "Overlay"}  # parts that explain_table shares between records


def _render(value: Any, level: int, memo: dict[tuple[int, int], Any]) -> str:
    """JSON text exactly as ``json.dumps(asdict(value), sort_keys=True, ensure_ascii=False,
    allow_nan=False, indent=1)`` writes it at nesting ``level``. Records of one batch share
    identical parts (a factor line, a reason, a change), so each part is rendered once."""
    if isinstance(value, tuple):
        if not value:
            return "[]"
        inner = "\n" + " " * (level + 1)
        return "[" + inner + ("," + inner).join(_render(v, level + 1, memo) for v in value) + "\n" + " " * level + "]"
    names = _FIELDS.get(type(value))
    if names is None:
        if not dataclasses.is_dataclass(value):
            return _scalar(value)
        names = _FIELDS[type(value)] = tuple(sorted(f.name for f in dataclasses.fields(value)))
    shared = type(value).__name__ in _SHARED
    key = (id(value), level)
    hit = memo.get(key) if shared else None
    if hit is None:
        inner = "\n" + " " * (level + 1)
        text = "{" + inner + ("," + inner).join(
            _scalar(name) + ": " + _render(getattr(value, name), level + 1, memo) for name in names
        ) + "\n" + " " * level + "}"
        if not shared:
            return text
        hit = memo[key] = (value, text)  # keeping the object keeps its id from being reused
    return hit[1]


def _record_json(record: Any, memo: dict[tuple[int, int], Any]) -> str:
    """Exactly ``record.to_json()``, several times faster for a batch (see ``_render``)."""
    names = _FIELDS.get(type(record)) or _FIELDS.setdefault(
        type(record), tuple(sorted(f.name for f in dataclasses.fields(record))))
    inner = "\n "
    return "{" + inner + ("," + inner).join(_scalar(n) + ": " + _render(getattr(record, n), 1, memo) for n in names) + "\n}\n"


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
class DemoResult:
    data: Path
    check: CheckResult
    model: Path | None = None
    train_summary: str = ""
    records: Path | None = None
    persona_decisions: tuple[tuple[str, str], ...] = ()

    def summary(self) -> str:
        lines = [f"made {self.check.rows:,} synthetic applicants: {self.data}", self.check.summary()]
        if self.model is not None:
            lines.append(self.train_summary)
        if self.records is not None:
            lines.append(f"decision records of the {len(self.persona_decisions)} demo personas: {self.records}")
            lines += [f"  {applicant}: {decision}" for applicant, decision in self.persona_decisions]
        return "\n".join(lines)


def run_demo(out: Path, *, rows: int, seed: int, console: Any = None) -> DemoResult:
    """The main job on the bundled demo data: generate and check the data, train, explain the personas."""
    from scorecard.datasets import personas as persona_data

    out = Path(out)
    data = make_demo_data(out / "demo_applicants.csv", rows=rows, seed=seed)
    check = check_table(data, "demo")
    model = out / "model.json"
    trained = train(data, profile="demo", out=model, test_size=0.3, seed=seed, console=console)
    personas = persona_data.load_personas()
    personas_csv = write_table(persona_data.persona_table(personas, list(__import__("scorecard.datasets.demo", fromlist=["COLUMNS"]).COLUMNS)), out / "personas.csv")
    explained = explain(model, personas_csv, out / "personas", policy=None, fmt="json", lang="all",
                        baseline="cutoff_average", rejects=None, console=None)
    import json

    decisions = tuple(
        (p.applicant_id, json.loads((out / "personas" / f"{p.applicant_id}.json").read_text(encoding="utf-8"))["decision"])
        for p in personas
    )
    del explained
    return DemoResult(data=data, check=check, model=model, train_summary=trained.summary(),
                      records=out / "personas", persona_decisions=decisions)


# --- SQL (issue 7) ------------------------------------------------------------------------------


def export_sql(model: Path, *, dialect: str, table: str) -> str:
    """The scorecard at ``model`` as one SQL query over ``table`` (see export_sql.to_sql)."""
    from scorecard.export_sql import to_sql
    from scorecard.spec import load_spec

    return to_sql(load_spec(model), dialect=dialect, table=table)
