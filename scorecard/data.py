"""The only place that reads applicant tables, and the checks of a table against its profile.

CSV is read as text (UTF-8, UTF-8 with BOM, then GBK) so that every value can be checked before
it is converted; Parquet keeps its own types. Row numbers in messages are 1-based data rows
(the header is not counted).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from scorecard.errors import DataError
from scorecard.profile import Factor, Profile

ENCODINGS = ("utf-8-sig", "gbk")  # utf-8-sig also reads plain UTF-8
MAX_LISTED = 5
REJECT_COLUMNS = ["row", "id", "column", "reason"]


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV (UTF-8, UTF-8 with BOM or GBK) or Parquet file; fail with one clear line."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: file not found; check the path")
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        try:
            table = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises many types for a damaged file
            raise DataError(f"{path}: not a readable Parquet file ({exc.__class__.__name__}); re-export it") from exc
    elif suffix in (".csv", ".txt"):
        table = _read_csv(path)
    else:
        raise DataError(f"{path}: unknown file type '{suffix}'; give a .csv or .parquet file")
    if table.columns.empty:
        raise DataError(f"{path}: the file is empty; give a table with a header row and data rows")
    # An empty header (e.g. the unnamed first column of a pandas export) gets a stable name.
    table.columns = ["row_id" if (not str(c).strip() or str(c).startswith("Unnamed: 0")) else str(c).strip() for c in table.columns]
    return table


def _read_csv(path: Path) -> pd.DataFrame:
    failures = []
    for encoding in ENCODINGS:
        try:
            return pd.read_csv(path, dtype=str, encoding=encoding, keep_default_na=True)
        except UnicodeDecodeError:
            failures.append(encoding)
        except pd.errors.EmptyDataError as exc:
            raise DataError(f"{path}: the file is empty; give a table with a header row and data rows") from exc
        except pd.errors.ParserError as exc:
            raise DataError(f"{path}: not a well-formed CSV ({str(exc).splitlines()[0]}); fix the file") from exc
    raise DataError(f"{path}: cannot decode the text as UTF-8 or GBK; save the file as UTF-8")


# --- checks -------------------------------------------------------------------------------------


def _problems_of(factor: Factor, column: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """The converted column and, per row, the reason it is unusable ('' when fine)."""
    reasons = np.full(len(column), "", dtype=object)
    if factor.kind == "categorical":
        text = column.astype("string").str.strip()
        if factor.categories is not None:
            allowed = set(factor.categories) | {str(c) for c in factor.special_codes}
            unknown = text.notna() & (text != "") & ~text.isin(allowed)
            reasons[unknown.to_numpy()] = "unknown category; allowed: " + ", ".join(factor.categories)
        return text, reasons
    raw = column
    values = pd.to_numeric(raw, errors="coerce").astype(float)
    given = raw.notna() & (raw.astype("string").str.strip() != "")
    bad_type = (given & values.isna()).to_numpy()
    reasons[bad_type] = "not a number"
    special = values.isin([float(c) for c in factor.special_codes if not isinstance(c, str)]).to_numpy()
    v = values.to_numpy()
    with np.errstate(invalid="ignore"):
        if factor.min_value is not None:
            reasons[(v < factor.min_value) & ~special & (reasons == "")] = f"below the minimum {factor.min_value:g}"
        if factor.max_value is not None:
            reasons[(v > factor.max_value) & ~special & (reasons == "")] = f"above the maximum {factor.max_value:g}"
        if factor.integer:
            reasons[(np.isfinite(v) & (v != np.round(v))) & ~special & (reasons == "")] = "not a whole number"
    return values, reasons


def _check_columns(table: pd.DataFrame, profile: Profile, source: str, *, need_target: bool) -> None:
    needed = [f.source_column for f in profile.factors]
    if profile.id_column:
        needed.insert(0, profile.id_column)
    if need_target:
        needed.append(profile.target.column)
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise DataError(
            f"{source}: missing column(s) {', '.join(repr(c) for c in missing)} that profile '{profile.name}' needs; "
            "add them or fix the profile's column names"
        )
    if table.empty:
        raise DataError(f"{source}: the table has no data rows; give a file with applicants in it")


def target_vector(table: pd.DataFrame, profile: Profile) -> np.ndarray:
    """1 where the target equals the profile's bad value, else 0."""
    column = table[profile.target.column].astype("string").str.strip()
    return (column == str(profile.target.bad_value)).to_numpy(dtype=np.int8)


def validate_training(table: pd.DataFrame, profile: Profile, source: str) -> pd.DataFrame:
    """Check a training table; return it with factors converted and the target as 0/1.

    Raises DataError naming the file, column and first rows of the first problem found.
    """
    _check_columns(table, profile, source, need_target=True)
    out = table.copy()
    for factor in profile.factors:
        values, reasons = _problems_of(factor, table[factor.source_column])
        bad = np.flatnonzero(reasons != "")
        if len(bad):
            rows = ", ".join(str(i + 1) for i in bad[:MAX_LISTED]) + (" ..." if len(bad) > MAX_LISTED else "")
            raise DataError(
                f"{source}: column '{factor.source_column}', row {rows}: {reasons[bad[0]]} "
                f"(value {table[factor.source_column].iloc[bad[0]]!r}); fix the data or the profile"
            )
        out[factor.source_column] = values
    target = table[profile.target.column].astype("string").str.strip()
    if target.isna().any():
        row = int(np.flatnonzero(target.isna().to_numpy())[0]) + 1
        raise DataError(f"{source}: column '{profile.target.column}', row {row}: the target is empty; every training row needs an outcome")
    values = sorted(target.unique())
    if len(values) != 2 or str(profile.target.bad_value) not in values:
        raise DataError(
            f"{source}: column '{profile.target.column}' must hold exactly two values, one of them the bad value "
            f"{profile.target.bad_value!r}; found {', '.join(values[:5])}"
        )
    out[profile.target.column] = (target == str(profile.target.bad_value)).astype(np.int8)
    if profile.id_column:
        keys = [profile.id_column] + ([profile.date_column] if profile.date_column in table.columns else [])
        dup = table.duplicated(keys, keep=False).to_numpy()
        if dup.any():
            first = table[profile.id_column].iloc[int(np.flatnonzero(dup)[0])]
            rows = np.flatnonzero((table[profile.id_column] == first).to_numpy()) + 1
            raise DataError(
                f"{source}: column '{profile.id_column}': id {first!r} appears more than once (rows "
                f"{', '.join(map(str, rows[:MAX_LISTED]))}); ids must be unique"
            )
    return out


def split_valid_rows(table: pd.DataFrame, profile: Profile, source: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """For scoring: (rows that can be scored, converted; rejects with row, id, column, reason).

    A bad row never stops the batch and no row is lost: each input row is in exactly one of the
    two frames (a row with several problems is listed once per problem in the rejects).
    Missing values are not rejects: they score in the factor's missing bin.
    """
    _check_columns(table, profile, source, need_target=False)
    ids = table[profile.id_column].astype("string") if profile.id_column else pd.Series(
        np.arange(1, len(table) + 1).astype(str), index=table.index
    )
    converted = table.copy()
    problems: list[pd.DataFrame] = []
    for factor in profile.factors:
        values, reasons = _problems_of(factor, table[factor.source_column])
        converted[factor.source_column] = values
        bad = np.flatnonzero(reasons != "")
        if len(bad):
            problems.append(pd.DataFrame({
                "row": bad + 1, "id": ids.iloc[bad].to_numpy(), "column": factor.source_column,
                "reason": reasons[bad],
            }))
    if profile.id_column:
        keys = [profile.id_column] + ([profile.date_column] if profile.date_column in table.columns else [])
        dup = np.flatnonzero(table.duplicated(keys, keep="first").to_numpy())
        if len(dup):
            problems.append(pd.DataFrame({
                "row": dup + 1, "id": ids.iloc[dup].to_numpy(), "column": profile.id_column,
                "reason": "duplicated id (an earlier row has the same id and date); only the first is scored",
            }))
    rejects = pd.concat(problems, ignore_index=True) if problems else pd.DataFrame(columns=REJECT_COLUMNS)
    rejects = rejects.sort_values("row", kind="stable").reset_index(drop=True)
    keep = np.ones(len(table), dtype=bool)
    keep[rejects["row"].to_numpy(dtype=int) - 1] = False
    return converted[keep], rejects[REJECT_COLUMNS]
