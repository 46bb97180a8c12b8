"""The explain job: one decision record per applicant of a file, a summary, the rejects and, for
md and html, the pages; in chunks of applicants, on every core, with the same bytes for any
number of processes and any chunk size."""

from __future__ import annotations

import contextlib
import csv
import io
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pandas as pd
import pyarrow
from rich.console import Console

from scorecard import data as tables
from scorecard.errors import DataError, PolicyError, RenderError, ScorecardNote
from scorecard.explain import applicant_chunks, applicant_codes, explain_table, gc_paused
from scorecard.jobs import console as progress
from scorecard.jobs.files import append_pieces, neutral_cell, record_stems, write_csv, write_pages
from scorecard.jobs.outputs import MANIFEST, Run, guard, owned_folder
from scorecard.jobs.pool import default_jobs, run_chunks
from scorecard.languages import page_languages
from scorecard.policy import Policy, default_policy, load_policy, misfits
from scorecard.reasons import BASELINES
from scorecard.record_writer import RecordWriter
from scorecard.records import DecisionRecord
from scorecard.spec import ScorecardSpec, load_spec

EXPLAIN_FORMATS = ("json", "jsonl", "md", "html")
JSONL_NAME = "records.jsonl"
SUMMARY_NAME = "summary.csv"
REJECTS_NAME = "rejects.csv"
MARKER = ".scorecard-explain"  # the folder was written by explain: a later run may replace its files
SUMMARY_COLUMNS = ("applicant_id", "file", "decision", "outcome", "score", "cutoff", "limit", "reason_codes",
                   "recourse_status", "plans")
OUTCOME_ORDER = ("approved", "declined", "cannot_evaluate", "retry_later")
EXPLAIN_CHUNK = 20_000  # applicants per chunk: bounds the memory of each process (about 0.3 GB)


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


@dataclass
class ChunkOutput:
    applicants: int
    summary: bytes  # summary.csv rows (UTF-8)
    outcomes: dict[str, int]
    records: list[DecisionRecord] | None  # the records themselves, when pages are to be rendered from them


@dataclass(frozen=True)
class ExplainChunks:
    """What explaining one chunk needs; sent once to each worker process (``pool.run_chunks``)."""

    spec: ScorecardSpec
    policy: Policy
    baseline: str
    fmt: str
    out: Path
    keep_records: bool

    def run(self, table: pd.DataFrame, stems: list[str] | None, lines_to: str | None) -> ChunkOutput:
        """Explain one chunk of applicants: write its record files (json, md, html) or append
        its JSON lines to ``lines_to`` (jsonl); return its summary rows."""
        records = explain_table(self.spec, self.policy, table, baseline=self.baseline)
        write = RecordWriter(compact=self.fmt == "jsonl")
        with gc_paused():
            if lines_to is not None:
                files = [JSONL_NAME] * len(records)
                append_pieces(lines_to, [write(r) for r in records])
            else:
                files = [f"{stem}.json" for stem in stems or ()]
                for record, name in zip(records, files):
                    (self.out / name).write_bytes(write(record))
            del write  # the text of the shared parts
            text = io.StringIO()
            writer = csv.writer(text, lineterminator="\n")
            outcomes: dict[str, int] = {}
            writer.writerows([[neutral_cell(r.applicant_id), neutral_cell(name), r.decision, r.outcome, "" if r.score is None else r.score, r.cutoff,
                               r.limit, ";".join([reason.code for reason in r.reasons]), r.recourse_status, len(r.recourse)]
                              for r, name in zip(records, files)])
            for r in records:
                outcomes[r.outcome] = outcomes.get(r.outcome, 0) + 1
        return ChunkOutput(len(records), text.getvalue().encode("utf-8"), outcomes,
                           records if self.keep_records else None)


def _release_arrow_memory() -> None:
    """Hand the memory that Arrow's pool keeps for reuse back to the system."""
    try:
        pyarrow.default_memory_pool().release_unused()
    except AttributeError:  # an older pyarrow: nothing to do
        pass


def fit_policy(decision_policy: Policy, spec: ScorecardSpec, source: Path | None, check: str) -> None:
    """Refuse (``check`` "refuse") or note ("warn") a policy that does not fit the scorecard
    (``policy.misfits``: cutoffs or bands outside its scores, a cutoff that approves or declines
    the whole reference population)."""
    if check not in ("refuse", "warn"):
        raise PolicyError(f"unknown policy check '{check}'; use refuse or warn")
    name = str(source) if source is not None else "the demo policy"
    for i, problem in enumerate(misfits(decision_policy, spec)):
        if check == "refuse":
            raise PolicyError(f"{name}: {problem}; fix the policy for this scorecard, or pass --policy-check warn "
                              "to explain with it anyway")
        warnings.warn(ScorecardNote(f"{name}: {problem}"), stacklevel=2)


def page_langs(lang: str) -> tuple[str, ...]:
    """The page languages ``--lang`` names: one, or ``all``."""
    codes = page_languages().codes
    if lang not in (*codes, "all"):
        raise RenderError(f"unknown page language '{lang}'; use {', '.join(codes)} or all")
    return codes if lang == "all" else (lang,)


def explain(model: Path, data: Path, out: Path, *, policy: Path | None, fmt: str, lang: str, baseline: str,
            rejects: Path | None, console: Console | None = None, jobs: int | None = None,
            chunk_size: int | None = None, policy_check: str = "refuse",
            sep: str | None = None) -> ExplainResult:
    """One DecisionRecord per applicant, a summary CSV, rejects and, for md/html, pages.

    ``fmt`` json (and md, html): one indented JSON file per applicant, ``<stem>.json``;
    jsonl: every record as one compact JSON line of ``records.jsonl``, line i for row i of
    ``summary.csv``. Applicants are explained in chunks of ``chunk_size`` (all snapshots of an
    applicant in one chunk; default ``EXPLAIN_CHUNK``) by ``jobs`` processes (default
    ``pool.default_jobs()``; 1 explains in this process). The output is the same, byte for byte,
    whatever the chunk size and the number of processes. ``policy_check`` "refuse" stops on a
    policy that does not fit the model (``fit_policy``); "warn" says so and goes on.
    """
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
    pages_wanted = fmt in ("md", "html")
    langs = page_langs(lang) if pages_wanted else ()
    out = Path(out)
    default_rejects = out / REJECTS_NAME
    rejects_path = Path(rejects) if rejects is not None else default_rejects
    guard(inputs={"--model": Path(model), "--data": Path(data), "--policy": Path(policy) if policy else None},
          files={"--rejects": rejects_path}, folders={"--out": out}, allowed_inside={"--rejects": default_rejects})
    with Run("explain") as run:
        spec = load_spec(model)
        decision_policy = load_policy(policy) if policy is not None else default_policy()
        fit_policy(decision_policy, spec, policy, policy_check)
        owned_folder(out, MARKER, "explain")
        run.lock(out, folder=True)  # before the work: an output that cannot be written fails now
        inside = rejects is None or rejects_path.resolve() == default_rejects.resolve()
        if not inside:
            run.lock(rejects_path)
        table = tables.read_table(Path(data), sep=sep)
        valid, rejected = tables.split_valid_rows(table, spec.profile, str(data))
        rows_in = len(table)
        del table
        _release_arrow_memory()  # what reading and checking left in Arrow's pool: a few hundred MB per 10^6 rows
        codes, everyone = applicant_codes(valid, spec.profile.id_column)  # raises for a row without an id, naming it
        chunks = applicant_chunks(codes, chunk_size)
        stems = record_stems(everyone.tolist()) if fmt != "jsonl" else None
        del codes
        jobs = max(1, min(jobs, len(chunks)))

        outcomes = dict.fromkeys(OUTCOME_ORDER, 0)
        applicants = 0
        pages = 0
        with contextlib.ExitStack() as stack:
            staged = run.folder(out)
            staged_rejects = staged / REJECTS_NAME if inside else run.file(rejects_path)
            # Always written (header only when every row was explained), so a batch never loses a row silently.
            write_csv(rejected, staged_rejects)
            job = ExplainChunks(spec, decision_policy, baseline, fmt, staged, keep_records=pages_wanted)

            def tasks() -> Iterator[tuple[pd.DataFrame, list[str] | None]]:
                for i, rows in enumerate(chunks):
                    # chunk i holds applicants i * chunk_size ... of that order (see applicant_chunks)
                    yield valid.iloc[rows], stems[i * chunk_size:(i + 1) * chunk_size] if stems is not None else None

            summary = stack.enter_context((staged / SUMMARY_NAME).open("wb"))
            summary.write((",".join(SUMMARY_COLUMNS) + "\n").encode("utf-8"))
            jsonl = staged / JSONL_NAME if fmt == "jsonl" else None
            if jsonl is not None:
                jsonl.write_bytes(b"")  # chunks append to it
            bar = stack.enter_context(progress.counting(console))
            task = bar.add_task("explaining" if jobs == 1 else f"explaining ({jobs} processes)",
                                total=len(everyone)) if bar else None

            def records() -> Iterator[DecisionRecord]:
                nonlocal applicants
                for part in run_chunks(job, tasks(), jobs, jsonl):
                    summary.write(part.summary)
                    for name, n in part.outcomes.items():
                        outcomes[name] = outcomes.get(name, 0) + n
                    applicants += part.applicants
                    if bar:
                        bar.advance(task, part.applicants)
                    if part.records is not None:
                        yield from part.records

            if pages_wanted:
                pages = len(write_pages(records(), stems or (), spec.profile, staged, fmt=fmt, langs=langs,
                                        policy=decision_policy))
            else:
                for _ in records():
                    pass
            summary.close()
            rejected_rows = int(rejected["row"].nunique())
            files = applicants if fmt != "jsonl" else 1
            run.commit(out / MANIFEST, {
                "command": "explain", "complete": True, "model_sha256": spec.sha256, "format": fmt,
                "rows_in": rows_in, "rows_rejected": rejected_rows, "applicants_explained": applicants,
                "record_files": files, "pages": pages, "summary_rows": applicants, "reject_lines": len(rejected),
                "summary": SUMMARY_NAME, "records": JSONL_NAME if fmt == "jsonl" else "<file>.json (summary.csv names each)",
                "rejects": str(rejects_path if not inside else REJECTS_NAME),
            })
    return ExplainResult(
        out_dir=out,
        records=applicants,
        outcomes=tuple((name, outcomes.get(name, 0)) for name in OUTCOME_ORDER),
        rejected_rows=rejected_rows,
        rejects=rejects_path,
        pages=pages,
        jobs=jobs,
    )
