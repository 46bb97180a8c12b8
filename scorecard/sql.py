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

With a ``ReasonRule`` (``reason_rule``: the policy's cutoff and limit bands, a reason baseline)
the query also returns the principal reason codes of every row, ``reason_1`` .. ``reason_4``
(NULL where there are fewer), and ``reason_target``, the score they explain the distance to:
the cutoff below it, the next limit band's score above it, NULL in the top band. The rule is
``reasons.py``'s, in integers so every engine ranks alike: baselines in hundredths of a point
(the Python baseline is rounded to 0.01), ranked by cause as ``reasons.py`` ranks them (a reason
group sums its factors' shortfalls and takes the code of the member furthest below, the first of
equals, under the group's id), a shortfall counts above 50 hundredths, the largest first, ties in
the order of a cause's first factor, at most four. Hard rules, overlays and limit caps are not evaluated
in SQL: for a row they touch, ``scorecard explain`` gives the record (the header says so).

Split points and codes are written as exact double literals (``repr`` digits with an exponent,
which every dialect reads as a DOUBLE), so no value lands in a different bin than in Python.

Pure: text in, text out. ``duckdb_engine`` runs the same query through DuckDB over files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scorecard.errors import DataError, SpecError
from scorecard.policy import Policy
from scorecard.reasons import MAX_REASONS, MIN_SHORTFALL, baseline_points, cause_index, reason_code
from scorecard.scoring import category_lookup
from scorecard.spec import FactorSpec, ScorecardSpec

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


def whitespace_literal(dialect: str) -> str:
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
    blank = f"TRIM(BOTH {whitespace_literal(dialect)} FROM {value}) = ''"
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
class Source:
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


def _default_source(spec: ScorecardSpec, dialect: str, table: str) -> Source:
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
    return Source(table=table, id_expr=id_expr, values=tuple(values))


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


# --- principal reasons --------------------------------------------------------------------------


@dataclass(frozen=True)
class ReasonRule:
    """What the principal reasons of a row are measured against, in integers.

    ``targets``: the cutoff, then every limit band score above it, increasing; a row below the
    cutoff is explained against the cutoff, an approved row against the lowest target above its
    score, a row at or above the last target gets no reasons. ``baselines[t][j]``: the baseline
    points of factor j for target t, in hundredths of a point.
    """

    baseline: str
    targets: tuple[int, ...]
    baselines: tuple[tuple[int, ...], ...]
    min_shortfall: int = round(MIN_SHORTFALL * 100)
    max_reasons: int = MAX_REASONS


def reason_rule(spec: ScorecardSpec, policy: Policy, *, baseline: str = "cutoff_average") -> ReasonRule:
    """The rule by which ``explain`` ranks reasons for rows that no hard rule, overlay or cap touches."""
    bands = sorted({b.min_score for b in policy.limit_bands if b.min_score > policy.cutoff})
    targets = (policy.cutoff, *bands)
    baselines = tuple(tuple(int(round(float(v) * 100)) for v in baseline_points(spec, baseline, t)) for t in targets)
    return ReasonRule(baseline=baseline, targets=targets, baselines=baselines)


def _reason_ctes(spec: ScorecardSpec, rule: ReasonRule, dialect: str) -> tuple[list[str], list[str]]:
    """The CTEs after ``scorecard_total`` that rank reasons, and the final select's reason columns."""
    q = lambda name: quote_identifier(name, dialect)  # noqa: E731 - short local alias
    k = len(spec.factors)
    if any(len(b) != k for b in rule.baselines):
        raise SpecError("the reason baselines name another number of factors than the scorecard; re-run 'scorecard train'")
    targets = " ".join(f"WHEN score < {t} THEN {t}" for t in rule.targets)
    target = ["*,", f"CASE {targets} END AS reason_target"]
    shortfall = ["*,"]
    for j, f in enumerate(spec.factors):
        whens = " ".join(f"WHEN {t} THEN {rule.baselines[i][j]}" for i, t in enumerate(rule.targets))
        shortfall.append(f"CASE reason_target {whens} END - 100 * CAST({q('points_' + f.name)} AS BIGINT) AS s{j},")
    # Causes (reasons.cause_index): a reason group, or a factor on its own. A cause's shortfall is
    # the sum of its factors'; it is ranked like a factor, ties in the order of its first factor.
    causes = cause_index(spec).tolist()
    members = [[j for j in range(k) if causes[j] == g] for g in range(max(causes) + 1)]
    for g, group in enumerate(members):
        shortfall.append(f"{' + '.join(f's{j}' for j in group)} AS c{g},")
    shortfall[-1] = shortfall[-1].rstrip(",")
    real = lambda g: f"c{g} > {rule.min_shortfall}"  # noqa: E731
    ranked = ["*,"]
    n_causes = len(members)
    for g in range(n_causes):
        ahead = [f"CASE WHEN {real(i)} AND (c{i} > c{g}{f' OR c{i} = c{g}' if i < g else ''}) THEN 1 ELSE 0 END"
                 for i in range(n_causes) if i != g]
        ranked.append(f"CASE WHEN {real(g)} THEN 1{''.join(' + ' + a for a in ahead)} END AS r{g},")
    ranked[-1] = ranked[-1].rstrip(",")

    def factor_code(j: int) -> str:
        f = spec.factors[j]
        group = spec.profile.factor(f.name).group
        codes = {i: reason_code(f.name, b.kind, group) for i, b in enumerate(f.bins)}
        plain = reason_code(f.name, "range", group)
        odd = " ".join(f"WHEN {i} THEN {string_literal(c, dialect)}" for i, c in codes.items() if c != plain)
        return (f"CASE {q('bin_' + f.name)} {odd} ELSE {string_literal(plain, dialect)} END" if odd
                else string_literal(plain, dialect))

    def cause_code(group: list[int]) -> str:
        if len(group) == 1:
            return factor_code(group[0])
        # the representative: the member with the largest shortfall, the first of equals
        whens = [f"WHEN {' AND '.join(f's{i} >= s{later}' for later in group[n + 1:])} THEN {factor_code(i)}"
                 for n, i in enumerate(group[:-1])]
        return f"CASE {' '.join(whens)} ELSE {factor_code(group[-1])} END"

    columns = []
    for n in range(1, rule.max_reasons + 1):
        whens = [f"WHEN r{g} = {n} THEN {cause_code(group)}" for g, group in enumerate(members)]
        columns.append(f"CASE {' '.join(whens)} END AS reason_{n},")
    columns.append("reason_target,")
    ctes = [
        "), scorecard_reason_target AS (", "  SELECT", _indent(target, 4), "  FROM scorecard_total",
        "), scorecard_shortfall AS (", "  SELECT", _indent(shortfall, 4), "  FROM scorecard_reason_target",
        "), scorecard_reason_rank AS (", "  SELECT", _indent(ranked, 4), "  FROM scorecard_shortfall",
    ]
    return ctes, columns


def query(spec: ScorecardSpec, dialect: str, source: Source, *, with_bins: bool = True,
          reasons: ReasonRule | None = None) -> str:
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
    reason_ctes, last = [], "scorecard_total"
    if reasons is not None:
        reason_ctes, columns = _reason_ctes(spec, reasons, dialect)
        final += columns
        last = "scorecard_reason_rank"
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
        *reason_ctes,
        ")",
        "SELECT",
        _indent(final, 2),
        f"FROM {last}",
    ])


def _reason_header(rule: ReasonRule | None) -> list[str]:
    if rule is None:
        return []
    return [
        f"-- reason_1..reason_{rule.max_reasons}: the principal reason codes (reasons.py), baseline {rule.baseline}, measured",
        f"-- toward reason_target: the cutoff {rule.targets[0]} below it, else the next limit band score"
        + (f" ({', '.join(map(str, rule.targets[1:]))})" if rule.targets[1:] else "") + ", none at the top.",
        "-- Not evaluated here: hard rules, overlays and limit caps of the policy; rows they touch get their",
        "-- reasons from 'scorecard explain' (a hard rule gives none; an overlay moves the cutoff).",
    ]


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


def to_sql(spec: ScorecardSpec, *, dialect: str, table: str, reasons: ReasonRule | None = None) -> str:
    """One query scoring every row of ``table`` (a table or view name, or a FROM item such as
    DuckDB's ``read_parquet('x.parquet')``) exactly as ``scoring.score`` does, with the principal
    reason codes when a ``ReasonRule`` is given."""
    _check_dialect(dialect)
    table = _check_table(table)
    body = query(spec, dialect, _default_source(spec, dialect, table), reasons=reasons)
    return "\n".join([*_header(spec, dialect), *_reason_header(reasons), body]) + "\n"
