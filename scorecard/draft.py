"""A starting profile for a table: what ``scorecard profile draft`` writes. Pure: a table in, YAML
text out, with comments saying what the analyst still decides.

From the data it finds: the id column (all values different, and a name such as ``id`` or
``*_id`` or values that are text), a date column (a name with "date" whose values read as dates), each other column's kind
(two values 0/1: ``flag``; numbers: ``numeric``, whole numbers marked ``integer``; text with at
most ``MAX_CATEGORIES`` values: ``categorical``), the target's bad value (1 for a 0/1 target, else
the rarer value), and special values: negative whole-number codes in a column that is otherwise
never negative (HELOC's -7/-8/-9, "-1: no record"). It leaves to the analyst what data cannot say:
the trend of the bad rate, what each special value means, who can change a factor and in which
direction, the effort of a step, labels and knowledge-base pages.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd

from scorecard.errors import DataError
from scorecard.profile import NAME

MAX_CATEGORIES = 50  # a text column with more distinct values is left out (an id, free text)
MAX_SPECIALS = 5  # at most this many distinct negative codes count as special values
MIN_SPECIAL_SHARE = 0.001  # a code must mark at least this share of rows
_ID_NAME = re.compile(r"(^|_)(id|no|number)$|^id(_|$)", re.IGNORECASE)


def _quote(text: object) -> str:
    """A YAML scalar that reads back as the same text (JSON strings are YAML)."""
    return json.dumps(str(text), ensure_ascii=False)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _factor_name(column: str, taken: set[str]) -> str:
    """A factor name (letters, digits, _) for ``column``, unique among ``taken``."""
    name = re.sub(r"\W+", "_", column).strip("_") or "factor"
    if not NAME.match(name):
        name = f"f_{name}"
    base, n = name, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    taken.add(name)
    return name


def _is_id(column: str, values: pd.Series) -> bool:
    """Every row has a different value, and the name says id or the values are text, not numbers."""
    if not (values.notna().all() and values.is_unique):
        return False
    return bool(_ID_NAME.search(column)) or pd.to_numeric(values, errors="coerce").isna().any()


def _is_date(column: str, values: pd.Series) -> bool:
    if "date" not in column.lower() or values.dtype.kind in "iufb":
        return False
    parsed = pd.to_datetime(values.dropna().astype(str), errors="coerce", format="ISO8601")
    return len(parsed) > 0 and bool(parsed.notna().mean() > 0.99)


def _specials(numbers: pd.Series) -> list[float]:
    """Negative whole-number codes of an otherwise non-negative column, each on enough rows."""
    present = numbers.dropna()
    negative = present[present < 0]
    if negative.empty or (present >= 0).sum() == 0:
        return []
    codes = negative.value_counts()
    if len(codes) > MAX_SPECIALS or not all(float(c).is_integer() for c in codes.index):
        return []
    if (codes / len(numbers)).min() < MIN_SPECIAL_SHARE:
        return []
    return sorted(float(c) for c in codes.index)


def _bad_value(values: pd.Series) -> object:
    present = values.dropna()
    numbers = pd.to_numeric(present, errors="coerce")
    if numbers.notna().all():
        present = numbers
    if set(pd.unique(present)) <= {0, 1}:
        return 1
    counts = present.value_counts()
    return counts.index[-1]  # the rarer value


def draft_profile(table: pd.DataFrame, *, target: str, name: str, source: str) -> str:
    """The YAML text of a starting profile for ``table`` (read from ``source``), whose target
    column is ``target``. Raises ``DataError`` when the target is not a column or has one value."""
    if target not in table.columns:
        raise DataError(f"{source}: there is no column '{target}'; --target must name the outcome column "
                        f"(columns: {', '.join(map(str, table.columns[:8]))}{', ...' if len(table.columns) > 8 else ''})")
    outcome = table[target]
    if outcome.dropna().nunique() != 2:
        raise DataError(f"{source}: the target column '{target}' has {outcome.dropna().nunique()} distinct values; "
                        "it needs exactly two (good and bad)")
    bad = _bad_value(outcome)
    profile_name = _factor_name(name, set()).lower()
    lines = [
        f"# A starting profile for {source}, written by 'scorecard profile draft'. Check every line:",
        "# the kinds and special values were read from the data; what data cannot say is marked TODO.",
        "# Only a factor's column and kind are required; label and meaning default to the column name",
        "# in every language (add them as {zh: ..., en: ...} for readers of the pages).",
        f"name: {profile_name}",
        "description:",
        f"  zh: {_quote(f'{source} 的申请人数据')}  # TODO: what the data is, where it comes from",
        f"  en: {_quote(f'Applicants of {source}')}",
    ]
    rest = [c for c in table.columns if c != target]
    id_column = next((c for c in rest if _is_id(str(c), table[c])), None)
    date_column = next((c for c in rest if c != id_column and _is_date(str(c), table[c])), None)
    if id_column is not None:
        lines.append(f"id_column: {_quote(id_column)}")
    else:
        lines.append("# id_column: ...  # none found; without one, an applicant's id is its row number")
    if date_column is not None:
        lines.append(f"date_column: {_quote(date_column)}  # assessment date (policy overlays may test it)")
    bad_text = _number(float(bad)) if isinstance(bad, (int, float, np.integer, np.floating)) else _quote(bad)
    lines += [f"target: {{column: {_quote(target)}, bad_value: {bad_text}}}  # TODO: check which value means 'bad'",
              "factors:"]
    taken: set[str] = set()
    skipped: list[str] = []
    for column in rest:
        if column in (id_column, date_column):
            continue
        values = table[column]
        lines += _factor_lines(str(column), values, taken, skipped)
    if skipped:
        lines.append("# Left out: " + "; ".join(skipped))
    return "\n".join(lines) + "\n"


_PROTECTED_NAME = re.compile(r"age|sex|gender|marri|nation|birth|religio|ethnic|race", re.IGNORECASE)


def _factor_lines(column: str, values: pd.Series, taken: set[str], skipped: list[str]) -> list[str]:
    lines = _kind_lines(column, values, taken, skipped)
    if lines and _PROTECTED_NAME.search(column):
        lines.insert(1, "    # protected: true  # TODO: a protected characteristic? then see README (protected_use)")
    return lines


def _kind_lines(column: str, values: pd.Series, taken: set[str], skipped: list[str]) -> list[str]:
    name = _factor_name(column, taken)
    numbers = pd.to_numeric(values, errors="coerce")
    numeric = values.dtype.kind in "iufb" or (numbers.notna().sum() == values.notna().sum() and values.notna().any())
    head = [f"  - name: {name}"]
    if name != column:
        head.append(f"    column: {_quote(column)}")
    if not values.notna().any():
        taken.discard(name)
        skipped.append(f"{column} (empty)")
        return []
    if numeric and set(pd.unique(numbers.dropna())) <= {0.0, 1.0}:
        return head + ["    kind: flag",
                       "    actionability: fixed  # TODO: actionable (a person can change it) or time-only; then helps",
                       "    helps: none"]
    if numeric:
        specials = _specials(numbers)
        regular = numbers[~numbers.isin(specials)].dropna()
        whole = bool(len(regular)) and bool((regular == np.round(regular)).all())
        body = ["    kind: numeric",
                "    trend: auto  # TODO: ascending or descending (the bad rate as the value grows), peak, valley"]
        if whole:
            body.append("    integer: true")
        if len(regular) and regular.min() >= 0:
            body.append("    min_value: 0")
        if specials:
            body.append("    special_values:  # codes that are not measurements; each gets its own bin")
            for code in specials:
                text = _number(code)
                body.append(f"      - {{value: {text}, meaning: {{zh: {_quote(f'代码 {text}')}, "
                            f"en: {_quote(f'code {text}')}}}}}  # TODO: say what {text} means")
        body += ["    actionability: fixed  # TODO: actionable or time-only (needs days_per_step), then helps",
                 "    helps: none  # increase or decrease: the direction that lowers risk",
                 "    # step: 1  # one step of change, in the factor's unit",
                 "    # effort_per_step: 1  # effort of one step; 1 = one ordinary action (see README)"]
        return head + body
    distinct = values.dropna().astype(str).nunique()
    if distinct > MAX_CATEGORIES:
        taken.discard(name)
        skipped.append(f"{column} ({distinct} distinct text values; too many for categories)")
        return []
    return head + ["    kind: categorical",
                   "    # category_labels: {CODE: {zh: ..., en: ...}}  # words for the codes",
                   "    actionability: fixed  # TODO: actionable, then helps: toward_better_bins",
                   "    helps: none"]
