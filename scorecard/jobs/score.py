"""The score job: every input row ends up in the scores or, with its reason, in the rejects file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from rich.console import Console

from scorecard.data import default_rejects_path, read_table, separator, split_valid_rows
from scorecard.duckdb_engine import score_with_duckdb
from scorecard.errors import DataError
from scorecard.jobs import console as progress
from scorecard.jobs.files import TABLE_SUFFIXES, write_table
from scorecard.jobs.outputs import Run, guard, manifest_path
from scorecard.scoring import score
from scorecard.spec import ScorecardSpec, load_spec

DUCKDB_ABOVE_BYTES = 200 * 2**20  # "auto": stream files larger than this (about 2 million rows) through DuckDB


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


def score_table(spec: ScorecardSpec, table: pd.DataFrame, source: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """NumPy engine: (scores in input order: id, score, pd, points per factor; rejects)."""
    valid, rejects = split_valid_rows(table, spec.profile, source)
    result = score(spec, valid)
    scores = pd.DataFrame({"id": result.ids, "score": result.total, "pd": result.pd})
    for j, name in enumerate(result.factor_names):
        scores[f"points_{name}"] = result.points[:, j]
    return scores, rejects


def score_file(model: Path, data: Path, out: Path, *, rejects: Path | None, engine: str,
               console: Console | None = None, sep: str | None = None) -> ScoreRunResult:
    """Score a file; every input row ends up in ``out`` or in the rejects file with its reason.

    Rejects go to ``rejects`` or, by default, next to ``out`` (``data.default_rejects_path``); the
    file is always written (header only when every row was scored). ``engine`` "auto" streams files
    above ``DUCKDB_ABOVE_BYTES`` through DuckDB and scores smaller ones in memory with NumPy.
    """
    data, out = Path(data), Path(out)
    rejects = Path(rejects) if rejects else default_rejects_path(out)
    for target, option in ((out, "--out"), (rejects, "--rejects")):
        if target.suffix.lower() not in TABLE_SUFFIXES:
            raise DataError(f"{target}: {option} must end in .csv or .parquet")
    manifest = manifest_path(out)
    guard(inputs={"--model": Path(model), "--data": data},
          files={"--out": out, "--rejects": rejects, "the manifest": manifest})
    spec = load_spec(model)
    if not data.is_file():
        raise DataError(f"{data}: file not found; check the path")
    comma = (sep or separator(data)) == "," if data.suffix.lower() not in (".parquet", ".pq") else True
    if engine == "auto":
        engine = "duckdb" if data.stat().st_size > DUCKDB_ABOVE_BYTES and comma else "numpy"
    if engine == "duckdb" and not comma:
        raise DataError(f"{data}: the DuckDB engine reads comma-separated files; use --engine numpy for this one")
    if engine not in ("numpy", "duckdb"):
        raise DataError(f"unknown engine '{engine}'; use auto, numpy or duckdb")
    with Run("score") as run:
        run.lock(out)
        run.lock(rejects)
        staged_rejects = run.file(rejects)  # moved into place first, the scores after it, the manifest last
        staged_out = run.file(out)
        if engine == "duckdb":
            with progress.stages(console, "scoring with DuckDB") as report:
                scored, rejected = score_with_duckdb(
                    spec, data, staged_out, staged_rejects,
                    progress=(lambda done: report("streaming", round(100 * done), 100)) if report else None)
        else:
            with progress.stages(console, "scoring") as report:
                if report:
                    report(f"reading {data.name}", 0, 3)
                table = read_table(data, sep=sep)
                if report:
                    report(f"checking and scoring {len(table):,} rows", 1, 3)
                scores, problems = score_table(spec, table, str(data))
                del table
                if report:
                    report("writing", 2, 3)
                write_table(scores, staged_out)
                write_table(problems, staged_rejects)
                scored, rejected = len(scores), int(problems["row"].nunique())
        run.commit(manifest, {
            "command": "score", "complete": True, "engine": engine, "model_sha256": spec.sha256,
            "rows_in": scored + rejected, "rows_scored": scored,
            "rows_rejected": rejected, "scores": out.name, "rejects": str(rejects),
        })
    return ScoreRunResult(out, rejects, scored, rejected, engine)
