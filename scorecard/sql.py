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

With a ``ReasonRule`` (``reason_rule``: a decision policy and a reason baseline) the query also
decides every row as ``policy.decide`` does (``sql_policy``: hard rules, cutoff overlays, limit
bands and caps): ``decision``, ``limit_amount``, and the principal reason codes ``reason_1`` ..
``reason_4`` (NULL where there are fewer) with ``reason_target``, the score they explain the
distance to (the effective cutoff when declined, the next limit band when approved below the top
band, NULL otherwise). The ranking is ``reasons.py``'s, in integers so every engine ranks alike:
baselines in hundredths of a point (the Python baseline is rounded to 0.01), a reason group's
shortfall is the sum of its factors', a shortfall counts above 50 hundredths, the largest first,
ties in the order of the causes' first factors, at most four; a group's reason shows its member
with the largest shortfall. So a pipeline with no Python gives the decision records' reasons.

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
from scorecard.sql_literals import (  # noqa: F401 - PY_WHITESPACE and the literals are part of this module's API
    PY_WHITESPACE, number_literal, quote_identifier, string_literal, whitespace_literal)
from scorecard.sql_policy import condition_columns, condition_names, decision_ctes
from scorecard.spec import FactorSpec, ScorecardSpec

DIALECTS = ("duckdb", "spark", "ansi")

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
    """The decision policy the query applies and what reasons are measured against, in integers.

    ``targets``: every score a row can be explained toward (the cutoff, each overlay's cutoff,
    each limit band's score); ``baselines[t][j]``: the baseline points of factor j toward
    ``targets[t]``, in hundredths of a point.
    """

    baseline: str
    policy: Policy
    targets: tuple[int, ...]
    baselines: tuple[tuple[int, ...], ...]
    min_shortfall: int = round(MIN_SHORTFALL * 100)
    max_reasons: int = MAX_REASONS


def reason_rule(spec: ScorecardSpec, policy: Policy, *, baseline: str = "cutoff_average") -> ReasonRule:
    """The rule by which ``explain`` decides and ranks reasons, ready for SQL."""
    targets = tuple(sorted({policy.cutoff, *(o.cutoff for o in policy.overlays if o.kind == "cutoff"),
                            *(b.min_score for b in policy.limit_bands)}))
    baselines = tuple(tuple(int(round(float(v) * 100)) for v in baseline_points(spec, baseline, t)) for t in targets)
    return ReasonRule(baseline=baseline, policy=policy, targets=targets, baselines=baselines)


def _causes(spec: ScorecardSpec) -> list[tuple[tuple[int, ...], str | None]]:
    """The causes reasons are ranked by (``reasons.cause_index``), in order of their first factor: a
    reason group's factors in the model (with the group id) or one ungrouped factor (None)."""
    index = cause_index(spec).tolist()
    out = []
    for c in range(max(index) + 1):
        members = tuple(j for j, i in enumerate(index) if i == c)
        out.append((members, spec.profile.factor(spec.factors[members[0]].name).group))
    return out


def _reason_ctes(spec: ScorecardSpec, rule: ReasonRule, dialect: str) -> tuple[list[str], list[str]]:
    """The CTEs after ``scorecard_total`` that rank reasons, and the final select's reason columns.

    Per factor j its shortfall ``s<j>`` in hundredths of a point; per cause c (a reason group or a
    factor alone) ``c<c>``, the sum of its factors' shortfalls, and ``r<c>``, its rank among the
    causes with a real shortfall (larger first, ties in cause order). A reason's code is that of
    the cause's representative: its factor with the largest shortfall (ties: the first).
    """
    q = lambda name: quote_identifier(name, dialect)  # noqa: E731 - short local alias
    k = len(spec.factors)
    if any(len(b) != k for b in rule.baselines):
        raise SpecError("the reason baselines name another number of factors than the scorecard; re-run 'scorecard train'")
    causes = _causes(spec)
    decided, last = decision_ctes(rule.policy, dialect, "scorecard_total")
    shortfall = ["*,"]
    for j, f in enumerate(spec.factors):
        whens = " ".join(f"WHEN {t} THEN {rule.baselines[i][j]}" for i, t in enumerate(rule.targets))
        shortfall.append(f"CASE reason_target {whens} END - 100 * CAST({q('points_' + f.name)} AS BIGINT) AS s{j},")
    shortfall[-1] = shortfall[-1].rstrip(",")
    summed = ["*,", *(f"{' + '.join(f's{j}' for j in members)} AS c{c}," for c, (members, _) in enumerate(causes))]
    summed[-1] = summed[-1].rstrip(",")
    real = lambda c: f"c{c} > {rule.min_shortfall}"  # noqa: E731
    ranked = ["*,"]
    for c in range(len(causes)):
        ahead = [f"CASE WHEN {real(i)} AND (c{i} > c{c}{f' OR c{i} = c{c}' if i < c else ''}) THEN 1 ELSE 0 END"
                 for i in range(len(causes)) if i != c]
        ranked.append(f"CASE WHEN {real(c)} THEN 1{''.join(' + ' + a for a in ahead)} END AS r{c},")
    ranked[-1] = ranked[-1].rstrip(",")

    def code_of(j: int, group: str | None) -> str:
        f = spec.factors[j]
        codes = {i: reason_code(f.name, b.kind, group) for i, b in enumerate(f.bins)}
        plain = reason_code(f.name, "range", group)
        odd = " ".join(f"WHEN {i} THEN {string_literal(code, dialect)}" for i, code in codes.items() if code != plain)
        return f"CASE {q('bin_' + f.name)} {odd} ELSE {string_literal(plain, dialect)} END" if odd else string_literal(plain, dialect)

    def representative(members: tuple[int, ...], group: str | None) -> str:
        if len(members) == 1:
            return code_of(members[0], group)
        whens = []
        for a, j in enumerate(members[:-1]):
            test = " AND ".join(f"s{j} >= s{i}" for i in members[a + 1:])
            whens.append(f"WHEN {test} THEN {code_of(j, group)}")
        return f"CASE {' '.join(whens)} ELSE {code_of(members[-1], group)} END"

    codes = [representative(members, group) for members, group in causes]
    columns = []
    for n in range(1, rule.max_reasons + 1):
        whens = " ".join(f"WHEN r{c} = {n} THEN {code}" for c, code in enumerate(codes))
        columns.append(f"CASE {whens} END AS reason_{n},")
    columns = ["decision,", "limit_amount,", *columns, "reason_target,"]
    ctes = [
        *decided,
        "), scorecard_shortfall AS (", "  SELECT", _indent(shortfall, 4), f"  FROM {last}",
        "), scorecard_cause AS (", "  SELECT", _indent(summed, 4), "  FROM scorecard_shortfall",
        "), scorecard_reason_rank AS (", "  SELECT", _indent(ranked, 4), "  FROM scorecard_cause",
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
    carried: list[str] = []  # the policy's conditions, carried to the decision
    if reasons is not None:
        inputs += [f"{expr}," for expr in condition_columns(reasons.policy, spec.profile, dialect)]
        carried = [f"{name}," for name in condition_names(reasons.policy)]
    inputs[-1] = inputs[-1].rstrip(",")

    binned = ["scorecard_id,", *carried]
    for j, f in enumerate(spec.factors):
        value = f"v{j}"
        cases = _categorical_case(f, value, dialect) if f.kind == "categorical" else _numeric_case(f, value, dialect)
        binned += ["CASE", *("  " + c for c in cases), f"END AS {q('bin_' + f.name)},"]
    binned[-1] = binned[-1].rstrip(",")

    pointed = ["scorecard_id,", *carried]
    for f in spec.factors:
        whens = " ".join(f"WHEN {i} THEN {b.points}" for i, b in enumerate(f.bins))
        pointed.append(f"CASE {q('bin_' + f.name)} {whens} END AS {q('points_' + f.name)},")
    pointed += [f"{q('bin_' + f.name)}," for f in spec.factors]
    pointed[-1] = pointed[-1].rstrip(",")

    total = " + ".join(f"CAST({q('points_' + f.name)} AS BIGINT)" for f in spec.factors)
    summed = ["scorecard_id,", *carried, f"{total} AS score,", *[f"{q('points_' + f.name)}," for f in spec.factors]]
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
    p = rule.policy
    return [
        f"-- Policy '{_comment(p.name)}' version {_comment(p.version)}: decision (hard rule codes, APPROVED,",
        "-- DECLINED_OVERLAY, DECLINED_SCORE) and limit_amount, as policy.py decides (hard rules in order, cutoff",
        "-- overlays raise the cutoff, limit bands, limit caps); reason_1..reason_"
        f"{rule.max_reasons}: the principal reason codes (reasons.py, baseline {rule.baseline}),",
        "-- measured toward reason_target: the cutoff when declined, the next limit band when approved below",
        "-- the top band (and no cap holds the limit); none after a hard rule.",
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
