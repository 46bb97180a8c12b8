"""The decision policy as SQL (pure): hard rules, cutoff overlays, limit bands and caps, exactly as
``policy.decide`` evaluates them, so the exported query gives each row its decision, limit and
the score its reasons are measured toward.

A policy condition reads a table column (or the profile's segment or date column) the way
``policy._matches`` does: numbers when every value compared with is a number (text that is not a
number, NULL and NaN are missing), calendar days for the date column (an unreadable date is
missing), otherwise text with Python's whitespace stripped (NULL and blank are missing); a
missing value matches when the condition says ``missing: match``.

``condition_columns`` are computed in the query's first step, from the source table: ``h<i>`` is 1
when hard rule i fires, ``o<i>`` when overlay i applies (before the rule that only approved
applicants can have a cap); ``decision_ctes`` turns them and the score into the decision.
"""

from __future__ import annotations

from scorecard.errors import DataError
from scorecard.policy import Condition, Policy
from scorecard.profile import Profile
from scorecard.sql_literals import number_literal, quote_identifier, string_literal, whitespace_literal

BIGINT_MAX = 9223372036854775807  # "no cap", as policy.decide's int64 maximum


def _text_type(dialect: str) -> str:
    return "STRING" if dialect == "spark" else "VARCHAR"


def _column_name(cond: Condition, profile: Profile, owner: str) -> str:
    if cond.profile_column is None:
        return str(cond.column)
    name = profile.segment_column if cond.profile_column == "segment" else profile.date_column
    if name is None:
        raise DataError(f"policy {owner} reads the {cond.profile_column} column, but profile '{profile.name}' names "
                        f"none; add {cond.profile_column}_column to the profile")
    return name


def condition_sql(cond: Condition, profile: Profile, dialect: str, owner: str) -> str:
    """A boolean SQL expression that is true where ``cond`` matches (never NULL)."""
    column = quote_identifier(_column_name(cond, profile, owner), dialect)
    values = cond.value if isinstance(cond.value, tuple) else (cond.value,)
    text = _text_type(dialect)
    if cond.is_date:
        if dialect == "spark":
            x = f"to_date(CAST({column} AS STRING))"
        elif dialect == "duckdb":
            x = f"CAST(TRY_CAST(CAST({column} AS VARCHAR) AS TIMESTAMP) AS DATE)"
        else:
            x = f"CAST({column} AS DATE)"
        literals = [f"DATE '{v}'" for v in values]
        missing = f"{x} IS NULL"
    elif all(not isinstance(v, str) for v in values):
        x = f"CAST({column} AS DOUBLE PRECISION)" if dialect == "ansi" else f"TRY_CAST({column} AS DOUBLE)"
        literals = [number_literal(float(v), f"policy {owner} value {v!r}") for v in values]
        missing = f"{x} IS NULL OR " + (f"{x} <> {x}" if dialect == "ansi" else f"isnan({x})")
    else:
        x = f"TRIM(BOTH {whitespace_literal(dialect)} FROM CAST({column} AS {text}))"
        literals = [string_literal(str(v), dialect) for v in values]
        missing = f"{x} IS NULL OR {x} = ''"
    ops = {"eq": "=", "ne": "<>", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}
    if cond.op in ops:
        hit = f"{x} {ops[cond.op]} {literals[0]}"
    elif cond.op == "between":
        hit = f"{x} >= {literals[0]} AND {x} <= {literals[1]}"
    else:
        hit = f"{x} {'NOT IN' if cond.op == 'not_in' else 'IN'} ({', '.join(literals)})"
    return f"CASE WHEN {missing} THEN {'TRUE' if cond.missing == 'match' else 'FALSE'} ELSE ({hit}) END"


def _all(conditions: tuple[Condition, ...], profile: Profile, dialect: str, owner: str) -> str:
    if not conditions:
        return "1"
    parts = " AND ".join(f"({condition_sql(c, profile, dialect, owner)})" for c in conditions)
    return f"CASE WHEN {parts} THEN 1 ELSE 0 END"


def condition_columns(policy: Policy, profile: Profile, dialect: str) -> list[str]:
    """``<expr> AS h<i>`` per hard rule and ``<expr> AS o<i>`` per overlay (1 or 0)."""
    out = [f"{_all(r.when, profile, dialect, f'rule {r.code}')} AS h{i}" for i, r in enumerate(policy.hard_rules)]
    out += [f"{_all(o.when, profile, dialect, f'overlay {o.code}')} AS o{i}" for i, o in enumerate(policy.overlays)]
    return out


def condition_names(policy: Policy) -> list[str]:
    return [f"h{i}" for i in range(len(policy.hard_rules))] + [f"o{i}" for i in range(len(policy.overlays))]


def decision_ctes(policy: Policy, dialect: str, source: str) -> tuple[list[str], str]:
    """CTE text after ``source`` giving ``decision``, ``limit_amount`` and ``reason_target``, and the
    name of the last CTE. ``reason_target``: the effective cutoff when declined, the next limit
    band's score when approved below the top band and no cap holds the limit, else NULL."""
    base = policy.cutoff
    hard = " ".join(f"WHEN h{i} = 1 THEN {i}" for i in range(len(policy.hard_rules)))
    hard_rule = f"CASE {hard} ELSE -1 END" if hard else "-1"
    cutoffs = [f"CASE WHEN o{i} = 1 THEN {o.cutoff} ELSE {base} END" for i, o in enumerate(policy.overlays)
               if o.kind == "cutoff"]
    caps = [f"CASE WHEN o{i} = 1 THEN {o.cap} ELSE {BIGINT_MAX} END" for i, o in enumerate(policy.overlays)
            if o.kind == "limit_cap"]
    cutoff = f"GREATEST({base}, {', '.join(cutoffs)})" if cutoffs else str(base)
    cap = f"LEAST({', '.join(caps)})" if len(caps) > 1 else (caps[0] if caps else str(BIGINT_MAX))
    first = ["*,", f"{hard_rule} AS policy_hard_rule,", f"{cutoff} AS policy_cutoff,",
             f"CAST({cap} AS BIGINT) AS policy_cap"]
    bands = policy.limit_bands
    band = " ".join(f"WHEN score >= {b.min_score} THEN {i}" for i, b in reversed(list(enumerate(bands))))
    band_limit = " ".join(f"WHEN score >= {b.min_score} THEN {b.limit}" for b in reversed(bands))
    second = ["*,", "policy_hard_rule < 0 AND score >= policy_cutoff AS policy_approved,",
              f"CASE {band} ELSE -1 END AS policy_band,",
              f"CAST(CASE {band_limit} ELSE {bands[0].limit} END AS BIGINT) AS policy_band_limit"]
    codes = " ".join(f"WHEN policy_hard_rule = {i} THEN {string_literal(r.code, dialect)}"
                     for i, r in enumerate(policy.hard_rules))
    decision = (f"CASE {codes} WHEN policy_approved THEN 'APPROVED' WHEN score >= {base} THEN 'DECLINED_OVERLAY' "
                "ELSE 'DECLINED_SCORE' END")
    limit = "CASE WHEN policy_approved THEN LEAST(policy_band_limit, policy_cap) ELSE 0 END"
    third = ["*,", f"{decision} AS decision,", f"CAST({limit} AS BIGINT) AS limit_amount"]
    nxt = " ".join(f"WHEN {i} THEN {bands[i + 1].min_score}" for i in range(-1, len(bands) - 1))
    next_band = f"CASE policy_band {nxt} END" if nxt else "NULL"
    top = len(bands) - 1
    target = (f"CASE WHEN policy_hard_rule >= 0 THEN NULL WHEN NOT policy_approved THEN policy_cutoff "
              f"WHEN policy_band < {top} AND limit_amount < policy_cap THEN {next_band} END")
    fourth = ["*,", f"{target} AS reason_target"]

    def cte(name: str, lines: list[str], after: str) -> list[str]:
        return [f"), {name} AS (", "  SELECT", *("    " + line for line in lines), f"  FROM {after}"]

    return ([*cte("scorecard_policy", first, source), *cte("scorecard_band", second, "scorecard_policy"),
             *cte("scorecard_decision", third, "scorecard_band"), *cte("scorecard_reason_target", fourth,
                                                                       "scorecard_decision")],
            "scorecard_reason_target")
