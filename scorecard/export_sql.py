"""The scorecard as SQL: one query that scores every row where the data already lives.

``to_sql`` writes one query (CTEs, no DDL) for DuckDB, Spark SQL or ANSI SQL that gives, per
row, the id, the total score, the PD, the points of every factor (``points_<factor>``) and the
bin of every factor (``bin_<factor>``: the index into the spec's bins, as ``ScoreResult.bins``).
The CASE expressions implement the bin rule of ``spec.py`` exactly as ``scoring.py`` does:

* numeric and flag factors: NULL or NaN -> the missing bin; a special code -> its special bin
  (the last special bin listing it, like the NumPy scorer); otherwise the range bin found by the
  inner split points (``lower <= x < upper``, outer edges unbounded). Text in a numeric column
  is read with ``TRY_CAST`` (DuckDB, Spark), so unparseable text scores as missing, like
  ``pandas.to_numeric(errors="coerce")``;
* categorical factors: NULL or blank text (Python's ``str.strip`` whitespace) -> the missing
  bin; the category's bin, compared as text; any other text -> ``unseen_bin``.

Split points and codes are written as exact double literals (``repr`` digits with an exponent,
which every dialect reads as a DOUBLE), so no value lands in a different bin than in Python.

``score_with_duckdb`` runs the same query through DuckDB over a CSV or Parquet file larger than
memory, as the NumPy engine (``data.read_table``, ``data.split_valid_rows``, ``scoring.score``)
would: the same column names, the same checks of every profile factor and of the ids (empty,
repeated), so the same rows go to the rejects file with the same ids and reasons in the same
order (``row, id, column, reason``); the others are scored and streamed to the output file in
input order. This is the only module that imports duckdb.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from scorecard.data import (EMPTY_ID_REASON, check_columns_present, column_names, csv_header, default_rejects_path,
                            no_rows_message, repeated_id_reason)
from scorecard.errors import DataError, SpecError
from scorecard.profile import Factor
from scorecard.spec import FactorSpec, ScorecardSpec
from scorecard.scoring import category_lookup

DIALECTS = ("duckdb", "spark", "ansi")

# Exactly the characters ``str.isspace`` accepts: Python strips these before deciding that a
# categorical value is blank (missing), so SQL must trim the same set, not only spaces.
PY_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)

_DIALECT_NOTES = {
    "duckdb": (
        "DuckDB: without an id column the id is row_number() OVER (), which follows the scan order of",
        "the source (DuckDB keeps insertion order for files and tables).",
    ),
    "spark": (
        "Spark SQL: without an id column the id is row_number() over monotonically_increasing_id(),",
        "i.e. the order of the source's partitions and rows (a single file keeps its order).",
    ),
    "ansi": (
        "ANSI SQL assumes: numeric columns hold numbers (CAST, not TRY_CAST: text there is an error),",
        "missing values are NULL (no NaN), and without an id column ROW_NUMBER() OVER () numbers rows",
        "in stored order, which the standard does not promise: give the profile an id column.",
        "The blank test's literal holds the whitespace characters themselves (tab, line breaks, ...).",
    ),
}


# --- literals and identifiers ------------------------------------------------------------------


def quote_identifier(name: str, dialect: str) -> str:
    """A column name as a quoted identifier: spaces, Chinese and quotes stay exact."""
    if dialect == "spark":
        return "`" + name.replace("`", "``") + "`"
    return '"' + name.replace('"', '""') + '"'


def string_literal(text: str, dialect: str) -> str:
    """A string literal; Spark reads backslash escapes in literals, the others do not."""
    if dialect == "spark":
        escaped = text.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n").replace("\r", "\\r")
        return "'" + escaped + "'"
    return "'" + text.replace("'", "''") + "'"


def number_literal(value: float, where: str) -> str:
    """An exact DOUBLE literal: ``repr`` round-trips, the exponent makes it approximate numeric.

    ``0.1`` alone is a DECIMAL in DuckDB and Spark; ``0.1E0`` is the double nearest 0.1, the
    same double Python compares with.
    """
    number = float(value)
    if number != number or number in (float("inf"), float("-inf")):
        raise SpecError(f"{where} is {number}, which SQL cannot compare exactly; re-run 'scorecard train'")
    text = repr(number)
    return text.upper() if "e" in text else text + "E0"


def _whitespace_literal(dialect: str) -> str:
    # DuckDB and Spark: control and separator characters spelled as code points, so the SQL prints.
    if dialect == "duckdb":
        return " || ".join(f"chr({ord(c)})" for c in PY_WHITESPACE)
    if dialect == "spark":
        return "'" + "".join(f"\\u{ord(c):04X}" for c in PY_WHITESPACE) + "'"
    # Standard SQL has no portable escape (U&'' is optional and rare), so the characters
    # themselves stand in the literal.
    return "'" + PY_WHITESPACE + "'"


def _check_dialect(dialect: str) -> None:
    if dialect not in DIALECTS:
        raise SpecError(f"unknown SQL dialect '{dialect}'; use one of {', '.join(DIALECTS)}")


def _check_table(table: str) -> str:
    text = table.strip()
    if not text or ";" in text:
        raise DataError(f"--table '{table}' must be one table name or file expression (no ';')")
    return text


# --- the bin rule as CASE expressions ----------------------------------------------------------


def _comment(text: object) -> str:
    """Text safe inside a ``--`` comment: a line break in a label must not end the comment."""
    return "".join(c if c.isprintable() else " " for c in str(text))


def _factor_where(factor: FactorSpec) -> str:
    return f"factor '{factor.name}'"


def _numeric_case(factor: FactorSpec, value: str, dialect: str) -> list[str]:
    """WHEN lines for a numeric or flag factor, mirroring ``scoring._numeric_bins``."""
    where = _factor_where(factor)
    missing = f"{value} IS NULL OR " + (f"{value} <> {value}" if dialect == "ansi" else f"isnan({value})")
    lines = [f"WHEN {missing} THEN {factor.missing_bin}  -- {_comment(factor.bins[factor.missing_bin].label)}"]
    # NumPy assigns special bins in order, so a code listed twice ends in the later bin: the
    # first WHEN wins in SQL, hence the reversed order.
    for i in reversed(range(len(factor.bins))):
        b = factor.bins[i]
        if b.kind != "special" or not b.special_values:
            continue
        codes = []
        for code in b.special_values:
            try:
                codes.append(number_literal(float(code), f"{where} special code {code!r}"))
            except (TypeError, ValueError) as exc:
                raise SpecError(f"{where}: special code {code!r} of a numeric factor is not a number; "
                                "re-run 'scorecard train'") from exc
        lines.append(f"WHEN {value} IN ({', '.join(codes)}) THEN {i}  -- special {_comment(b.label)}")
    ranges = [i for i, b in enumerate(factor.bins) if b.kind == "range"]
    if not ranges:
        lines.append(f"ELSE {factor.missing_bin}")
        return lines
    previous = None
    for i in ranges[:-1]:
        upper = factor.bins[i].upper
        if upper is None:
            raise SpecError(f"{where}: range bin {i} has no upper edge but is not the last range bin; "
                            "re-run 'scorecard train'")
        if previous is not None and upper < previous:
            raise SpecError(f"{where}: range bins are not in increasing order at bin {i}; re-run 'scorecard train'")
        previous = upper
        literal = number_literal(upper, f"{where} bin {i} upper edge")
        lines.append(f"WHEN {value} < {literal} THEN {i}  -- {_comment(factor.bins[i].label)}")
    lines.append(f"ELSE {ranges[-1]}  -- {_comment(factor.bins[ranges[-1]].label)}")
    return lines


def _categorical_case(factor: FactorSpec, value: str, dialect: str) -> list[str]:
    blank = f"TRIM(BOTH {_whitespace_literal(dialect)} FROM {value}) = ''"
    lines = [f"WHEN {value} IS NULL OR {blank} THEN {factor.missing_bin}  -- {_comment(factor.bins[factor.missing_bin].label)}"]
    groups: dict[int, list[str]] = {}
    for category, i in category_lookup(factor).items():
        groups.setdefault(i, []).append(category)
    for i in sorted(groups):
        literals = ", ".join(string_literal(c, dialect) for c in groups[i])
        lines.append(f"WHEN {value} IN ({literals}) THEN {i}")
    lines.append(f"ELSE {factor.unseen_bin}  -- unseen: {_comment(factor.bins[factor.unseen_bin].label)}")
    return lines


def _check_factor(factor: FactorSpec) -> None:
    n = len(factor.bins)
    for name, index in (("missing_bin", factor.missing_bin), ("unseen_bin", factor.unseen_bin)):
        if not 0 <= index < n:
            raise SpecError(f"{_factor_where(factor)}: {name} {index} is not a bin index (0..{n - 1}); "
                            "re-run 'scorecard train'")


# --- the query ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    """Where the rows come from and how the id and the factor values are read."""

    table: str  # a FROM item
    id_expr: str  # SQL text of the id (text) per row
    values: tuple[str, ...]  # per factor, the SQL expression of its value (DOUBLE or text)
    where: str | None = None  # keep only these rows (score_with_duckdb: the valid ones)


def _text_type(dialect: str) -> str:
    return "STRING" if dialect == "spark" else "VARCHAR"


def _row_number(dialect: str) -> str:
    if dialect == "spark":
        return "row_number() OVER (ORDER BY monotonically_increasing_id())"
    return "ROW_NUMBER() OVER ()"


def _default_source(spec: ScorecardSpec, dialect: str, table: str) -> _Source:
    id_column = spec.profile.id_column
    text = _text_type(dialect)
    if id_column:
        id_expr = f"CAST({quote_identifier(id_column, dialect)} AS {text})"
    else:
        id_expr = f"CAST({_row_number(dialect)} AS {text})"
    values = []
    for f in spec.factors:
        column = quote_identifier(f.column, dialect)
        if f.kind == "categorical":
            values.append(f"CAST({column} AS {text})")
        elif dialect == "ansi":
            values.append(f"CAST({column} AS DOUBLE PRECISION)")
        else:
            values.append(f"TRY_CAST({column} AS DOUBLE)")
    return _Source(table=table, id_expr=id_expr, values=tuple(values))


def _pd_expression(spec: ScorecardSpec, dialect: str) -> str:
    """The PD of ``score``, looked up in the spec's PD table (never computed with EXP, whose last
    bits differ between engines): a list indexed by the score in DuckDB, ``element_at`` of an
    array in Spark (both 1-based), a CASE in ANSI SQL, which has no arrays."""
    table = spec.pd_table
    if table is None:
        raise SpecError("the scorecard spec has no PD table; re-run 'scorecard train'")
    values = [number_literal(p, f"pd_table score {table.first_score + i}") for i, p in enumerate(table.pd)]
    position = f"score - {table.first_score - 1}" if table.first_score != 1 else "score"
    if dialect == "duckdb":
        return f"[{', '.join(values)}][{position}]"
    if dialect == "spark":
        return f"element_at(array({', '.join(values)}), CAST({position} AS INT))"
    whens = " ".join(f"WHEN {table.first_score + i} THEN {v}" for i, v in enumerate(values))
    return f"CASE score {whens} END"


def _indent(lines: Sequence[str], spaces: int) -> str:
    pad = " " * spaces
    return "\n".join(pad + line for line in lines)


def _query(spec: ScorecardSpec, dialect: str, source: _Source, *, with_bins: bool = True) -> str:
    q = lambda name: quote_identifier(name, dialect)  # noqa: E731 - short local alias
    if not spec.factors:
        raise SpecError("the scorecard has no factors; re-run 'scorecard train'")
    for f in spec.factors:
        _check_factor(f)
    pd_value = _pd_expression(spec, dialect)

    inputs = [f"{source.id_expr} AS scorecard_id,"]
    inputs += [f"{expr} AS v{j}," for j, expr in enumerate(source.values)]
    inputs[-1] = inputs[-1].rstrip(",")

    binned = ["scorecard_id,"]
    for j, f in enumerate(spec.factors):
        value = f"v{j}"
        cases = _categorical_case(f, value, dialect) if f.kind == "categorical" else _numeric_case(f, value, dialect)
        binned += ["CASE", *("  " + c for c in cases), f"END AS {q('bin_' + f.name)},"]
    binned[-1] = binned[-1].rstrip(",")

    pointed = ["scorecard_id,"]
    for f in spec.factors:
        whens = " ".join(f"WHEN {i} THEN {b.points}" for i, b in enumerate(f.bins))
        pointed.append(f"CASE {q('bin_' + f.name)} {whens} END AS {q('points_' + f.name)},")
    pointed += [f"{q('bin_' + f.name)}," for f in spec.factors]
    pointed[-1] = pointed[-1].rstrip(",")

    total = " + ".join(f"CAST({q('points_' + f.name)} AS BIGINT)" for f in spec.factors)
    summed = ["scorecard_id,", f"{total} AS score,", *[f"{q('points_' + f.name)}," for f in spec.factors]]
    summed += [f"{q('bin_' + f.name)}," for f in spec.factors]
    summed[-1] = summed[-1].rstrip(",")

    final = ["scorecard_id AS id,", "score,",
             f"{pd_value} AS pd,"]
    final += [f"{q('points_' + f.name)}," for f in spec.factors]
    if with_bins:
        final += [f"{q('bin_' + f.name)}," for f in spec.factors]
    final[-1] = final[-1].rstrip(",")

    where = f"\n  WHERE {source.where}" if source.where else ""
    return "\n".join([
        "WITH scorecard_input AS (",
        "  SELECT",
        _indent(inputs, 4),
        f"  FROM {source.table}{where}",
        "), scorecard_bins AS (",
        "  SELECT",
        _indent(binned, 4),
        "  FROM scorecard_input",
        "), scorecard_points AS (",
        "  SELECT",
        _indent(pointed, 4),
        "  FROM scorecard_bins",
        "), scorecard_total AS (",
        "  SELECT",
        _indent(summed, 4),
        "  FROM scorecard_points",
        ")",
        "SELECT",
        _indent(final, 2),
        "FROM scorecard_total",
    ])


def _header(spec: ScorecardSpec, dialect: str) -> list[str]:
    s = spec.scaling
    lines = [
        f"-- Scorecard '{_comment(spec.profile.name)}' (spec sha256 {spec.sha256 or 'not set'}), {dialect} SQL.",
        "-- Per row: id, score (the sum of the points), pd (looked up in the spec's PD table, which holds",
        "-- 1 / (1 + exp((score - offset) / factor)) for every possible score, rounded as the spec is),",
        "-- points_<factor> and bin_<factor> (the index of the bin in the spec's list of bins).",
        f"-- Scaling: offset {s.offset!r}, factor {s.factor!r}.",
        "-- Bin rule (spec.py): missing (NULL, NaN, blank text) -> missing bin; special code -> its bin;",
        "-- numeric: lower <= x < upper; categorical: by text; unseen category -> the factor's unseen bin.",
        *("-- " + line for line in _DIALECT_NOTES[dialect]),
    ]
    return lines


def to_sql(spec: ScorecardSpec, *, dialect: str, table: str) -> str:
    """One query scoring every row of ``table`` (a table or view name, or a FROM item such as
    DuckDB's ``read_parquet('x.parquet')``) exactly as ``scoring.score`` does."""
    _check_dialect(dialect)
    table = _check_table(table)
    body = _query(spec, dialect, _default_source(spec, dialect, table))
    return "\n".join([*_header(spec, dialect), body]) + "\n"


# --- batch scoring through DuckDB --------------------------------------------------------------

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
            f"THEN {text} ELSE TRIM(BOTH {_whitespace_literal('duckdb')} FROM {text}) END")


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
    if factor.integer:
        whens.append(f"WHEN isinf({value}) OR {value} <> floor({value}) THEN 'not a whole number'")
    return "CASE " + " ".join(whens) + " ELSE NULL END"


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


def _plan(spec: ScorecardSpec, read: str, column_types: dict[str, str], *, blank_id_as_null: bool) -> _Plan:
    """The DuckDB queries that reject exactly the rows ``data.split_valid_rows`` rejects, with
    the same rows, ids, columns and reasons in the same order, and score the others.

    Every profile factor is checked (also those the model dropped), in profile order, then the
    id: empty after stripping -> ``EMPTY_ID_REASON``; a non-empty (id, date) key an earlier row
    holds -> ``repeated_id_reason`` (the date joins the key when the table has the profile's
    date column). ``blank_id_as_null`` writes an empty id as NULL (a CSV then holds an empty
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
        source = _Source(table=f"{rows} AS scorecard_rows", id_expr=score_id, values=values,
                         where=f"{any_problem} IS NULL")
        return _query(spec, d, source, with_bins=False)

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
                raise DataError(f"{data_path}: cannot be read as {fmt.upper()} ({_first_line(exc)})") from exc
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
                         blank_id_as_null=_file_format(rejects_path) == "csv")
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
                raise DataError(f"{data_path}: DuckDB could not score the file ({_first_line(exc)})") from exc
        finally:
            con.close()
    return scored, rejected


def _reread(path: Path) -> str:
    literal = string_literal(str(path), "duckdb")
    return f"read_parquet({literal})" if _file_format(path) == "parquet" else f"read_csv({literal}, header = true)"


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
