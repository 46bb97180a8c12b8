"""SQL text of values: quoted identifiers and exact literals for DuckDB, Spark SQL and ANSI SQL, pure.

Shared by the scorecard query (``sql.py``) and the policy's conditions (``sql_policy.py``).
"""

from __future__ import annotations

from scorecard.errors import SpecError

# Exactly the characters ``str.isspace`` accepts: Python strips these before deciding that a
# categorical value is blank (missing), so SQL must trim the same set, not only spaces.
PY_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)

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
