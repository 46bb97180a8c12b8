"""Batch scoring through DuckDB: a CSV or Parquet file larger than memory, streamed.

``score_with_duckdb`` runs the query of ``sql.query`` through DuckDB as the NumPy engine
(``data.read_table``, ``data.split_valid_rows``, ``scoring.score``) would: the same column names,
the same checks of every profile factor and of the ids (empty, repeated), so the same rows go to
the rejects file with the same ids and reasons in the same order (``row, id, column, reason``); the
others are scored and streamed to the output file in input order. This is the only module that
imports duckdb.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from scorecard.data import (EMPTY_ID_REASON, INFINITE_REASON, check_columns_present, column_names, csv_header, default_rejects_path,
                            no_rows_message, repeated_id_reason)
from scorecard.errors import DataError
from scorecard.profile import Factor
from scorecard.spec import FactorSpec, ScorecardSpec
from scorecard.sql import Source, number_literal, query, quote_identifier, string_literal, whitespace_literal

# pandas.read_csv's default missing-value markers: the NumPy path reads these as missing, so
# the DuckDB path must too, or "NA" would be an unknown category here and missing there.
PANDAS_NA_STRINGS = (
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A",
    "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
)
MEMORY_LIMIT = "1GB"
PARQUET_SUFFIXES = (".parquet", ".pq")

Progress = Callable[[float], None]


def _file_format(path: Path) -> str:
    return "parquet" if path.suffix.lower() in PARQUET_SUFFIXES else "csv"


def _utf8_source(path: Path, workdir: Path) -> Path:
    """The CSV as UTF-8: DuckDB reads only UTF-8, so a GBK file is transcoded in a stream once."""
    with path.open("rb") as handle:
        head = handle.read(1 << 20)
    try:
        # A multi-byte character may be cut at the end of the sample: drop an incomplete tail.
        head.decode("utf-8") if len(head) < (1 << 20) else head[: len(head) - 4].decode("utf-8")
        return path
    except UnicodeDecodeError:
        pass
    target = workdir / "input-utf8.csv"
    try:
        with path.open("r", encoding="gbk", newline="") as src, target.open("w", encoding="utf-8", newline="") as dst:
            while chunk := src.read(1 << 22):
                dst.write(chunk)
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: neither UTF-8 nor GBK text (byte {exc.start}); save the file as UTF-8") from exc
    return target


def _read_expression(path: Path, fmt: str) -> str:
    literal = string_literal(str(path), "duckdb")
    if fmt == "parquet":
        return f"read_parquet({literal})"
    # Every CSV field is read as text, as written: numbers are parsed (and rejected when they are
    # not numbers) by the same rules for every row, not by a type DuckDB guessed from a sample.
    nulls = ", ".join(string_literal(s, "duckdb") for s in PANDAS_NA_STRINGS)
    return (f"read_csv({literal}, header = true, all_varchar = true, delim = ',', quote = '\"', escape = '\"', "
            f"nullstr = [{nulls}])")


def _numeric_value(column: str, column_type: str) -> str:
    if column_type.upper() in ("VARCHAR", "TEXT", "STRING"):
        # DuckDB also reads '1_000' as 1000; pandas does not, so neither do we.
        return f"CASE WHEN contains({column}, '_') THEN NULL ELSE TRY_CAST({column} AS DOUBLE) END"
    return f"TRY_CAST({column} AS DOUBLE)"


def _stripped(value: str) -> str:
    """Text with Python's ``str.strip`` whitespace removed at both ends (NULL stays NULL).

    TRIM with a set of characters costs about ten times a plain TRIM in DuckDB, so it runs only
    where the first or the last character is not printable ASCII ('!'..'~', never whitespace):
    ids and categories rarely need it."""
    text = f"CAST({value} AS VARCHAR)"
    return (f"CASE WHEN ascii({text}) BETWEEN 33 AND 126 AND ascii(right({text}, 1)) BETWEEN 33 AND 126 "
            f"THEN {text} ELSE TRIM(BOTH {whitespace_literal('duckdb')} FROM {text}) END")


def _blank(value: str) -> str:
    return f"{_stripped(value)} = ''"


def _reason(factor: Factor, raw: str, value: str) -> str:
    """SQL giving the reason a row's value is rejected (NULL when it is fine).

    The same checks as ``data.split_valid_rows``: numbers must parse, lie within the profile's
    range and be whole for integer factors (special codes always pass); categories (compared
    stripped) must be among the profile's categories when it lists them. Missing values are
    fine: they score in the missing bin.
    """
    if factor.kind == "categorical":
        if factor.categories is None:
            return "NULL"
        allowed = [*factor.categories, *(str(c) for c in factor.special_codes)]
        literals = ", ".join(string_literal(c, "duckdb") for c in allowed)
        return (f"CASE WHEN {value} IS NULL OR {value} = '' OR {value} IN ({literals}) THEN NULL "
                f"ELSE 'unknown category ' || {value} END")
    codes = []
    for code in factor.special_codes:
        try:
            codes.append(number_literal(float(code), f"factor '{factor.name}' special code"))
        except (TypeError, ValueError):
            continue  # a text code cannot match a number
    whens = [f"WHEN {value} IS NULL AND {raw} IS NOT NULL AND NOT {_blank(raw)} THEN 'not a number'",
             f"WHEN {value} IS NULL OR isnan({value}) THEN NULL"]
    if codes:
        whens.append(f"WHEN {value} IN ({', '.join(codes)}) THEN NULL")
    if factor.min_value is not None:
        whens.append(f"WHEN {value} < {number_literal(factor.min_value, 'min_value')} "
                     f"THEN 'below the minimum {factor.min_value:g}'")
    if factor.max_value is not None:
        whens.append(f"WHEN {value} > {number_literal(factor.max_value, 'max_value')} "
                     f"THEN 'above the maximum {factor.max_value:g}'")
    if not factor.allow_infinite:
        whens.append(f"WHEN isinf({value}) THEN {string_literal(INFINITE_REASON, 'duckdb')}")
    if factor.integer:
        whens.append(f"WHEN isinf({value}) OR {value} <> floor({value}) THEN 'not a whole number'")
    return "CASE " + " ".join(whens) + " ELSE NULL END"


def _date_reason(text: str, fmt: str) -> str:
    """SQL giving ``data.check_dates``' reason for a date the profile's format cannot read (NULL
    when it is fine or missing)."""
    d = "duckdb"
    before = string_literal("date '", d)
    after = f"' is not written as {fmt} (the profile's date_format)"
    return (f"CASE WHEN {text} IS NULL OR {text} = '' THEN NULL "
            f"WHEN try_strptime({text}, {string_literal(fmt, d)}) IS NULL "
            f"THEN {before} || left({text}, 40) || {string_literal(after, d)} END")


def _factor_value(factor: Factor | FactorSpec, column_type: str) -> str:
    """The value a factor is checked and scored with, as ``data.check_factor`` converts it:
    categories as stripped text, numbers parsed like ``pandas.to_numeric``."""
    raw = quote_identifier(factor.source_column if isinstance(factor, Factor) else factor.column, "duckdb")
    return _stripped(raw) if factor.kind == "categorical" else _numeric_value(raw, column_type)


@dataclass(frozen=True)
class _Plan:
    """The queries of a DuckDB batch. ``repeats`` (with an id column) selects every non-empty
    (id, date) key that more than one row holds, with the first such row. When it finds any, they
    go to the temporary table ``scorecard_repeats`` and ``*_with_repeats`` (joined to it) run;
    otherwise ``rejects`` and ``scores`` (no join: the common case stays one streaming scan)."""

    repeats: str | None
    rejects: str
    scores: str
    rejects_with_repeats: str
    scores_with_repeats: str


def _neutral(text: str) -> str:
    """SQL of ``jobs.files.neutral_cell`` for CSV outputs: text a spreadsheet would run as a formula
    gets a leading apostrophe (a plain number such as -42 stays as it is)."""
    return (f"CASE WHEN regexp_matches({text}, '^[=+\\-@\\t\\r]') AND TRY_CAST({text} AS DOUBLE) IS NULL "
            f"THEN '''' || {text} ELSE {text} END")


def _plan(spec: ScorecardSpec, read: str, column_types: dict[str, str], *, blank_id_as_null: bool,
          neutral_scores: bool = False) -> _Plan:
    """The DuckDB queries that reject exactly the rows ``data.split_valid_rows`` rejects, with
    the same rows, ids, columns and reasons in the same order, and score the others.

    Every profile factor is checked (also those the model dropped), in profile order, then the
    id: empty after stripping -> ``EMPTY_ID_REASON``; a non-empty (id, date) key an earlier row
    holds -> ``repeated_id_reason`` (the date joins the key when the table has the profile's
    date column). CSV outputs neutralise formula-like ids (``_neutral``): the rejects when
    ``blank_id_as_null``, the scores when ``neutral_scores``. ``blank_id_as_null`` writes an empty id as NULL (a CSV then holds an empty
    field, as pandas writes it, where DuckDB would write "")."""
    d = "duckdb"
    profile = spec.profile
    numbered = f"(SELECT row_number() OVER () AS scorecard_row, * FROM {read})"
    date = profile.date_column if profile.date_column and profile.date_column in column_types else None
    keys = []
    if profile.id_column:
        keys.append(f"COALESCE({_stripped(quote_identifier(profile.id_column, d))}, '') AS scorecard_id_key")
        if date:
            keys.append(f"COALESCE({_stripped(quote_identifier(date, d))}, '') AS scorecard_date_key")
    keyed = f"(SELECT *, {', '.join(keys)} FROM {numbered})" if keys else numbered
    key_columns = ["scorecard_id_key"] + (["scorecard_date_key"] if date else [])

    problems = []  # (column, SQL of the reason or NULL), in the order the NumPy engine lists them
    if date and column_types[date].upper() in ("VARCHAR", "TEXT", "STRING"):
        problems.append((date, _date_reason(_stripped(quote_identifier(date, d)), profile.dates_written_as)))
    for factor in profile.factors:
        raw = quote_identifier(factor.source_column, d)
        problems.append((factor.source_column, _reason(factor, raw, _factor_value(factor, column_types[factor.source_column]))))
    if profile.id_column:
        problems.append((profile.id_column, f"CASE WHEN scorecard_id_key = '' THEN {string_literal(EMPTY_ID_REASON, d)} END"))
        marker = 987654321  # stands for the first row's number, which SQL fills in
        before, after = repeated_id_reason(marker, date).split(str(marker), 1)
        problems.append((profile.id_column,
                         "CASE WHEN scorecard_first_row IS NOT NULL AND scorecard_row > scorecard_first_row THEN "
                         f"{string_literal(before, d)} || CAST(scorecard_first_row AS VARCHAR) || "
                         f"{string_literal(after, d)} END"))
    problems = [(c, r) for c, r in problems if r != "NULL"]
    listed = ", ".join(f"{{'k': {k}, 'column': {string_literal(c, d)}, 'reason': {r}}}"
                       for k, (c, r) in enumerate(problems))
    any_problem = ("COALESCE(" + ", ".join(f"({r})" for _, r in problems) + ")") if problems else "NULL"
    if profile.id_column:
        reject_id = "NULLIF(scorecard_id_key, '')" if blank_id_as_null else "scorecard_id_key"
        score_id = f"CAST({quote_identifier(profile.id_column, d)} AS VARCHAR)"
    else:
        reject_id = score_id = "CAST(scorecard_row AS VARCHAR)"
    if blank_id_as_null:
        reject_id = _neutral(reject_id)
    if neutral_scores:
        score_id = _neutral(score_id)
    values = tuple(_factor_value(f, column_types[f.column]) for f in spec.factors)

    def rejects(rows: str) -> str:
        if not problems:  # nothing to check: an empty table with the rejects' columns
            return 'SELECT CAST(NULL AS BIGINT) AS row, CAST(NULL AS VARCHAR) AS id, ' \
                   'CAST(NULL AS VARCHAR) AS "column", CAST(NULL AS VARCHAR) AS reason LIMIT 0'
        return "\n".join([
            "SELECT row, id, problem.column AS \"column\", problem.reason AS reason FROM (",
            f"  SELECT scorecard_row AS row, {reject_id} AS id,",
            f"    UNNEST([{listed}]) AS problem",
            f"  FROM {rows} AS scorecard_rows",
            f"  WHERE {any_problem} IS NOT NULL",
            ") WHERE problem.reason IS NOT NULL ORDER BY row, problem.k",
        ])

    def scores(rows: str) -> str:
        source = Source(table=f"{rows} AS scorecard_rows", id_expr=score_id, values=values,
                         where=f"{any_problem} IS NULL")
        return query(spec, d, source, with_bins=False)

    plain = f"(SELECT *, CAST(NULL AS BIGINT) AS scorecard_first_row FROM {keyed})"
    repeats = joined = None
    if profile.id_column:
        repeats = (f"SELECT {', '.join(key_columns)}, "
                   f"min(scorecard_row) AS scorecard_first_row "
                   f"FROM (SELECT row_number() OVER () AS scorecard_row, {', '.join(keys)} FROM {read}) "
                   f"WHERE scorecard_id_key <> '' "
                   f"GROUP BY ALL HAVING count(*) > 1")
        on = " AND ".join(f"k.{c} = r.{c}" for c in key_columns)
        joined = (f"(SELECT k.*, r.scorecard_first_row FROM {keyed} AS k "
                  f"LEFT JOIN scorecard_repeats AS r ON {on})")
    return _Plan(repeats=repeats, rejects=rejects(plain), scores=scores(plain),
                 rejects_with_repeats=rejects(joined or plain), scores_with_repeats=scores(joined or plain))


def _copy(target: Path) -> str:
    options = "FORMAT parquet" if _file_format(target) == "parquet" else "FORMAT csv, HEADER true"
    return f"TO {string_literal(str(target), 'duckdb')} ({options})"


def _run(con, sql: str, progress: Progress | None, start: float, share: float) -> int:  # noqa: ANN001
    """Run one COPY; report DuckDB's own progress of it as ``start .. start + share``."""
    if progress is None:
        return int(con.execute(sql).fetchone()[0])
    outcome: dict[str, object] = {}

    def work() -> None:
        try:
            outcome["rows"] = con.execute(sql).fetchone()[0]
        except Exception as exc:  # noqa: BLE001 - re-raised in the calling thread
            outcome["error"] = exc

    worker = threading.Thread(target=work, name="scorecard-duckdb", daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(0.2)
        done = con.query_progress()
        if done is not None and done >= 0:
            progress(start + share * min(done, 100.0) / 100.0)
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    progress(start + share)
    return int(outcome["rows"])  # type: ignore[arg-type]


def score_with_duckdb(
    spec: ScorecardSpec,
    data_path: Path,
    out_path: Path,
    rejects_path: Path | None,
    progress: Progress | None = None,
) -> tuple[int, int]:
    """Stream a CSV or Parquet file (larger than memory is fine) through DuckDB.

    Valid rows are scored with ``to_sql``'s query and written to ``out_path`` (columns id,
    score, pd, points_<factor>..., rows in input order; Parquet or CSV by the suffix); every
    other row is written to ``rejects_path`` once per problem (row, id, column, reason).
    ``progress`` receives the fraction done (0..1). Returns (scored rows, rejected rows).
    """
    import duckdb  # only here: the rest of the package scores without it

    data_path, out_path = Path(data_path), Path(out_path)
    rejects_path = Path(rejects_path) if rejects_path is not None else default_rejects_path(out_path)
    if not data_path.is_file():
        raise DataError(f"{data_path}: file not found; give an existing CSV or Parquet file")
    for target in (out_path, rejects_path):
        target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="scorecard-duckdb-") as workdir:
        con = duckdb.connect(":memory:", config={
            "memory_limit": MEMORY_LIMIT,
            "threads": os.cpu_count() or 1,
            "preserve_insertion_order": True,  # scores come out in input order
            "temp_directory": str(Path(workdir) / "spill"),
        })
        con.execute("SET enable_progress_bar = false")  # never print on the caller's terminal; see ``progress``
        try:
            fmt = _file_format(data_path)
            path = _utf8_source(data_path, Path(workdir)) if fmt == "csv" else data_path
            raw_read = _read_expression(path, fmt)
            try:
                described = con.execute(f"DESCRIBE SELECT * FROM {raw_read}").fetchall()
            except duckdb.Error as exc:
                raise _read_error(data_path, path, fmt, exc, "cannot be read as " + fmt.upper()) from exc
            # The columns get the names the NumPy engine's read_table gives them (an unnamed first
            # column is row_id, names are stripped, a name twice is an error), by position.
            header = csv_header(path, "utf-8-sig") if fmt == "csv" else [str(row[0]) for row in described]
            if len(header) != len(described):
                header = [str(row[0]) for row in described]
            names = column_names(header, data_path)
            read = "(SELECT " + ", ".join(f"{quote_identifier(str(row[0]), 'duckdb')} AS {quote_identifier(name, 'duckdb')}"
                                          for row, name in zip(described, names)) + f" FROM {raw_read})"
            check_columns_present(names, spec.profile, str(data_path), need_target=False)
            missing = [f.column for f in spec.factors if f.column not in names]
            if missing:  # a spec whose factors the profile does not describe (hand-made)
                raise DataError(f"{data_path}: no column {', '.join(repr(c) for c in missing)}; the scorecard needs it")
            if con.execute(f"SELECT count(*) FROM (SELECT 1 FROM {read} LIMIT 1)").fetchone()[0] == 0:
                raise DataError(no_rows_message(str(data_path)))
            plan = _plan(spec, read, {name: str(row[1]) for row, name in zip(described, names)},
                         blank_id_as_null=_file_format(rejects_path) == "csv",
                         neutral_scores=_file_format(out_path) == "csv")
            if progress is not None:
                con.execute("SET enable_progress_bar = true")
                con.execute("SET enable_progress_bar_print = false")
                progress(0.0)
            try:
                start = 0.0
                rejects_sql, scores_sql = plan.rejects, plan.scores
                if plan.repeats is not None:
                    start = 0.2
                    if _run(con, f"SELECT count(*) FROM ({plan.repeats})", progress, 0.0, start):
                        con.execute(f"CREATE TEMP TABLE scorecard_repeats AS {plan.repeats}")
                        rejects_sql, scores_sql = plan.rejects_with_repeats, plan.scores_with_repeats
                share = (1.0 - start) * 0.3
                rejected_lines = _run(con, f"COPY ({rejects_sql}) {_copy(rejects_path)}", progress, start, share)
                rejected = 0
                if rejected_lines:
                    rejected = int(con.execute(
                        f"SELECT count(DISTINCT row) FROM {_reread(rejects_path)}").fetchone()[0])
                scored = _run(con, f"COPY ({scores_sql}) {_copy(out_path)}", progress, start + share,
                              1.0 - start - share)
            except duckdb.Error as exc:
                raise _read_error(data_path, path, fmt, exc, "DuckDB could not score the file") from exc
        finally:
            con.close()
    return scored, rejected


_LINE_LIMIT = re.compile(r"Maximum line size of (\d+) bytes")


def _read_error(data_path: Path, read_path: Path, fmt: str, exc: BaseException, what: str) -> DataError:
    """The one line for a file DuckDB stopped on: a line longer than DuckDB reads is named by its
    number (DuckDB's own 'Line' counts from its buffer, not from the file); otherwise DuckDB's first
    line and what to do."""
    found = _LINE_LIMIT.search(str(exc)) if fmt == "csv" else None
    if found:
        limit = int(found.group(1))
        line = longest_line_over(read_path, limit)
        if line is not None:
            number, size = line
            return DataError(f"{data_path}: line {number:,} is {size:,} bytes long, more than the DuckDB engine reads "
                             f"in one line ({limit:,}); score with --engine numpy, which reads it, or shorten that field")
    return DataError(f"{data_path}: {what} ({_first_line(exc)}){_hint(fmt)}")


def longest_line_over(path: Path, limit: int, chunk: int = 1 << 23) -> tuple[int, int] | None:
    """(line number from 1, length in bytes without its line end) of the first line of the file at
    ``path`` longer than ``limit`` bytes, or None. Reads the file once, in chunks, counting line ends
    with NumPy (a quoted field's own line ends count as lines, as in an editor)."""
    import numpy as np  # only on this error path

    lines_before, start, offset = 0, 0, 0  # lines ended before the current one; where it starts
    with Path(path).open("rb") as handle:
        while block := handle.read(chunk):
            ends = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == 10) + offset
            if len(ends):
                lengths = ends - np.r_[start, ends[:-1] + 1]
                over = np.flatnonzero(lengths > limit)
                if len(over):
                    first = int(over[0])
                    return lines_before + first + 1, int(lengths[first])
                lines_before += len(ends)
                start = int(ends[-1]) + 1
            offset += len(block)
    return (lines_before + 1, offset - start) if offset - start > limit else None


def _hint(fmt: str) -> str:
    """What to do when DuckDB cannot read a CSV: the NumPy engine reads rows with the wrong number
    of fields (and very long fields) and rejects or scores them one by one."""
    if fmt != "csv":
        return ""
    return ("; a row with more or fewer fields than the header or a very long field stops DuckDB: score with "
            "--engine numpy, which rejects such rows one by one with their reason")


def _reread(path: Path) -> str:
    literal = string_literal(str(path), "duckdb")
    return f"read_parquet({literal})" if _file_format(path) == "parquet" else f"read_csv({literal}, header = true)"


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
