"""The only place that reads applicant tables, and the checks of a table against its profile.

Reading: CSV is read as text (UTF-8, UTF-8 with a byte-order mark, then GBK) so that every value
can be checked before it is converted; Parquet keeps its own types. An empty header name (the
unnamed index column that pandas writes, e.g. the first column of Give Me Some Credit) becomes
``row_id`` when it is the first column and ``unnamed_<position>`` elsewhere.

Checks (the same rules for training and for scoring; ``duckdb_engine`` mirrors them in SQL):

* numeric and flag factors: a non-empty value must parse as a number; it must lie within the
  profile's ``min_value``/``max_value`` and be whole for ``integer`` factors, unless it is one of
  the factor's special codes (e.g. -1 or HELOC's -7/-8/-9);
* categorical factors: when the profile lists ``categories``, the text must be one of them (or a
  special code);
* missing values (empty, ``NA``, ``NaN``) are never a problem: they score in the missing bin.

Training (``validate_training``) stops at the first problem with one line naming the file, the
column, the first rows and the fix; it also needs a binary target holding the bad value and
unique ids. Scoring (``split_valid_rows``) never stops a batch: each bad row goes to the rejects
with its reason. Row numbers are 1-based data rows (the header is not counted).
"""

from __future__ import annotations

import csv
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from scorecard.errors import DataError, ScorecardNote
from scorecard.profile import Factor, Profile

# (codec, how a message names it); "utf-8-sig" also reads UTF-8 files that carry a BOM.
ENCODINGS = (("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8 with BOM"), ("gbk", "GBK"))
MAX_LISTED = 5  # rows named in one message
REJECT_COLUMNS = ["row", "id", "column", "reason"]
REJECTS_SUFFIX = ".rejects.csv"  # the rejects of scores.parquet go to scores.rejects.csv unless named
FIRST_UNNAMED = "row_id"
_UNNAMED = re.compile(r"^Unnamed: \d+(?:_level_\d+)?$")
_NAN_TEXT = ("nan", "+nan", "-nan")  # parse as NaN: a missing value, not "not a number"
INFINITE_REASON = "not a finite number (the profile does not allow infinite values)"
MALFORMED = "scorecard_malformed_rows"  # table.attrs key: {row position: reason} (``read_table``)
# The texts pandas reads as missing by default (read_csv's keep_default_na).
PANDAS_NA_VALUES = ("", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
                    "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null")


# --- reading ------------------------------------------------------------------------------------


def read_table(path: str | Path, *, sep: str | None = None) -> pd.DataFrame:
    """Read a CSV (UTF-8, UTF-8 with BOM or GBK) or Parquet file; fail with one clear line.

    A CSV's separator is ``sep`` or, when the header has no comma but semicolons or tabs, that
    character (said in a ``ScorecardNote``, as is a file read as GBK). A data row with more or fewer
    fields than the header is kept in the table (padded or cut) and listed in ``malformed_rows``,
    so the checks reject it with its reason instead of reading a shifted or half row.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: file not found; check the path")
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        table = _read_parquet(path)
        header = [str(c) for c in table.columns]
    elif suffix in (".csv", ".txt", ".tsv"):
        table, header = _read_csv(path, sep)
    else:
        raise DataError(f"{path}: unknown file type '{suffix or '(none)'}'; give a .csv or .parquet file")
    if len(header) == 0:
        raise DataError(f"{path}: the file is empty; give a table with a header row and data rows")
    malformed = table.attrs.get(MALFORMED, {})
    table.columns = column_names(header, path)
    table.attrs[MALFORMED] = malformed
    return table


def malformed_rows(table: pd.DataFrame) -> dict[int, str]:
    """Rows (0-based positions of the table ``read_table`` returned) whose field count differs
    from the header's, with the reason."""
    return dict(table.attrs.get(MALFORMED, {}))


def column_names(header: list[str], path: str | Path) -> list[str]:
    """The names a table's columns get: ``_column_names``, and no name twice (DataError).
    ``duckdb_engine`` gives DuckDB's columns the same names, so both engines see the same table."""
    names = _column_names(header)
    seen: dict[str, int] = {}
    for position, name in enumerate(names, start=1):
        if name in seen:
            raise DataError(
                f"{path}: column '{name}' appears twice in the header (positions {seen[name]} and {position}); "
                "rename or remove one"
            )
        seen[name] = position
    return names


def csv_header(path: Path, encoding: str, sep: str = ",") -> list[str]:
    """The header row of a CSV as written: the first row that is not blank (pandas skips blank
    lines before the header)."""
    with path.open(encoding=encoding, newline="") as handle:
        return next((row for row in csv.reader(handle, delimiter=sep) if any(cell.strip() for cell in row)), [])


def _column_names(header: list[str]) -> list[str]:
    """Header names stripped; an empty (or pandas-generated 'Unnamed: k') name gets a stable one."""
    names = []
    for position, raw in enumerate(header):
        name = str(raw).strip()
        if not name or _UNNAMED.match(name):
            name = FIRST_UNNAMED if position == 0 and FIRST_UNNAMED not in header else f"unnamed_{position + 1}"
        names.append(name)
    return names


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises many types for a damaged file
        raise DataError(f"{path}: not a readable Parquet file ({exc.__class__.__name__}); re-export it") from exc


def _read_csv(path: Path, sep: str | None) -> tuple[pd.DataFrame, list[str]]:
    """The table as text and its header as written (pandas would rename repeated names)."""
    with path.open("rb") as handle:
        has_bom = handle.read(3) == b"\xef\xbb\xbf"
    # With a byte-order mark only UTF-8 with BOM applies; without one, UTF-8 then GBK.
    codecs = ENCODINGS[1:2] if has_bom else (ENCODINGS[0], ENCODINGS[2])
    failures = []
    for codec, name in codecs:
        try:
            first = _header_line(path, codec)
            if first is None:
                raise DataError(f"{path}: the file is empty; give a table with a header row and data rows")
            chosen = _separator(path, first, sep)
            header = csv_header(path, codec, chosen)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("error", pd.errors.ParserWarning)  # a first row longer than the header
                    table = pd.read_csv(path, dtype=str, encoding=codec, keep_default_na=True, sep=chosen,
                                        index_col=False)
                malformed = _short_rows(path, codec, chosen, len(header), table)
            except (pd.errors.ParserError, pd.errors.ParserWarning) as exc:
                if "fields" not in str(exc) and "Length of header" not in str(exc):
                    raise
                table, malformed = _read_by_rows(path, codec, chosen, len(header))
            if name == "GBK":
                _note_gbk(path, chosen)
            table.attrs[MALFORMED] = malformed
            return table, header if len(header) == table.shape[1] else [str(c) for c in table.columns]
        except UnicodeDecodeError:
            failures.append(name)
        except pd.errors.EmptyDataError as exc:
            raise DataError(f"{path}: the file is empty; give a table with a header row and data rows") from exc
        except pd.errors.ParserError as exc:
            first = str(exc).strip().splitlines()[0]
            raise DataError(f"{path}: not a well-formed CSV ({first}); fix the file") from exc
    raise DataError(f"{path}: cannot decode the text: {_undecodable(path, codecs)}; save the file as UTF-8")


def separator(path: str | Path) -> str:
    """The separator ``read_table`` would read a CSV with (',' unless its header shows ';' or tabs)."""
    path = Path(path)
    for codec, _ in ENCODINGS:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ScorecardNote)
                return _separator(path, _header_line(path, codec) or "", None)
        except (UnicodeDecodeError, OSError):
            continue
    return ","


def _header_line(path: Path, codec: str) -> str | None:
    with path.open(encoding=codec, newline="") as handle:
        return next((line for line in handle if line.strip()), None)


def _separator(path: Path, header_line: str, sep: str | None) -> str:
    """``sep``, or the separator the header shows: ',' unless it has none and has ';' or tabs."""
    if sep is not None:
        sep = {"\\t": "\t", "tab": "\t"}.get(sep, sep)
        if len(sep) != 1:
            raise DataError(f"--sep {sep!r}: give one character, such as ';' or a tab")
        return sep
    if "," in header_line:
        return ","
    for other, one, many in ((";", "semicolon", "semicolons"), ("\t", "tab", "tabs")):
        found = header_line.count(other)
        if found:
            warnings.warn(ScorecardNote(f"{path}: the header has no comma but {found} {one if found == 1 else many}; "
                                        f"read as {one}-separated (--sep chooses another separator)"), stacklevel=4)
            return other
    return ","


def _undecodable(path: Path, codecs: tuple[tuple[str, str], ...]) -> str:
    """Where each encoding fails: 'line 3 (byte 0xff) is not UTF-8, line 3 (byte 0xff) is not GBK'."""
    raw = path.read_bytes()
    parts = []
    for codec, name in codecs:
        try:
            raw.decode(codec)
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            parts.append(f"line {line} (byte 0x{raw[exc.start]:02x}) is not {name}")
    return ", ".join(parts)


def _note_gbk(path: Path, sep: str) -> None:
    """Say that a file was read as GBK, with the first line that is not plain ASCII as it reads."""
    with path.open(encoding="gbk", newline="") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.isascii():
                field = next((f for f in line.rstrip("\r\n").split(sep) if not f.isascii()), line.strip())
                warnings.warn(ScorecardNote(
                    f"{path}: not UTF-8, read as GBK (line {number} reads {field[:40]!r}); if that text looks wrong, "
                    "save the file as UTF-8"), stacklevel=4)
                return


def _field_counts(path: Path, codec: str, sep: str) -> np.ndarray:
    """The number of fields of every non-blank line after the header, as pandas reads them."""
    raw = path.read_bytes()
    if b'"' not in raw and codec != "gbk":  # no quoting: a line is a row (GBK bytes may hold the separator)
        lines = [line for line in raw.split(b"\n") if line.strip()]
        token = sep.encode("ascii") if sep.isascii() else sep.encode(codec)
        return np.fromiter((line.count(token) + 1 for line in lines[1:]), dtype=np.int64, count=max(len(lines) - 1, 0))
    with path.open(encoding=codec, newline="") as handle:
        rows = (row for row in csv.reader(handle, delimiter=sep) if not (len(row) <= 1 and not "".join(row).strip()))
        next(rows, None)
        return np.fromiter((len(row) for row in rows), dtype=np.int64)


def _mismatch(counts: np.ndarray, width: int) -> dict[int, str]:
    bad = np.flatnonzero(counts != width)
    return {int(i): f"the row has {int(counts[i])} fields, the header {width}; the row is cut or shifted, fix the file"
            for i in bad}


def _short_rows(path: Path, codec: str, sep: str, width: int, table: pd.DataFrame) -> dict[int, str]:
    """Rows pandas padded because they had fewer fields than the header: only a row whose last
    column is missing can be one, so the file is counted only when there is such a row."""
    if table.shape[1] == 0 or not table.iloc[:, -1].isna().any():
        return {}
    counts = _field_counts(path, codec, sep)
    if len(counts) != len(table):
        return {}  # lines and rows do not pair up (should not happen): nothing to say
    return _mismatch(counts, width)


def _read_by_rows(path: Path, codec: str, sep: str, width: int) -> tuple[pd.DataFrame, dict[int, str]]:
    """The table of a file with rows longer than its header, read row by row: every row kept
    (cut or padded to the header's width) and the malformed ones listed."""
    with path.open(encoding=codec, newline="") as handle:
        rows = [row for row in csv.reader(handle, delimiter=sep) if not (len(row) <= 1 and not "".join(row).strip())]
    header, body = rows[0], rows[1:]
    counts = np.fromiter((len(row) for row in body), dtype=np.int64, count=len(body))
    fitted = [row[:width] + [""] * (width - len(row)) for row in body]
    table = pd.DataFrame(fitted, columns=[f"c{i}" for i in range(width)], dtype=object)
    table = table.mask(table.isin(PANDAS_NA_VALUES) | (table == "")).astype(object)
    return table, _mismatch(counts, width)


# --- value checks -------------------------------------------------------------------------------


def _text(column: pd.Series) -> pd.Series:
    """The column as stripped text; missing and blank become ''."""
    return column.astype("string").str.strip().fillna("")


def _parse_numbers(column: pd.Series) -> pd.Series:
    """Text to float64 as ``pandas.to_numeric(errors="coerce")`` reads it (unparseable -> NaN).

    A clean column takes a cast that is several times faster; Python's float() behind that cast
    also reads '1_000' and non-ASCII digits and spaces ('１２', '\u30005'), which to_numeric (and
    the SQL export) do not, so a column holding any of those takes the slow path.
    """
    try:
        given = column[column.notna()].tolist()
        joined = "".join(given)  # TypeError unless every value is text: then the slow path
        if "_" not in joined and joined.isascii():
            return column.astype("float64")
    except (TypeError, ValueError):
        pass
    return pd.to_numeric(column, errors="coerce").astype(float)


def check_factor(factor: Factor, column: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """The column converted to the factor's kind (float64, or text for categorical factors) and,
    per row, the reason the value is unusable ('' when it is fine or missing)."""
    reasons = np.full(len(column), "", dtype=object)
    if factor.kind == "categorical":
        text = _text(column)
        blank = (text == "").to_numpy(dtype=bool)
        if factor.categories is not None:
            allowed = [*factor.categories, *(str(c) for c in factor.special_codes)]
            unknown = ~blank & ~text.isin(allowed).to_numpy(dtype=bool)
            if unknown.any():
                reasons[unknown] = ("unknown category " + text[unknown]).to_numpy(dtype=object)
        return text.mask(blank), reasons
    if (pd.api.types.is_datetime64_any_dtype(column.dtype) or pd.api.types.is_timedelta64_dtype(column.dtype)
            or isinstance(column.dtype, pd.PeriodDtype)):
        raise DataError(f"column '{factor.source_column}' holds dates or times ({column.dtype}), but factor "
                        f"'{factor.name}' is {factor.kind}; give it numbers or fix the profile's column")
    if pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_object_dtype(column.dtype):
        values = column.astype(float)  # a typed column (Parquet, a DataFrame): nothing to parse
    else:
        values = _parse_numbers(column)
        # Only the rows that did not parse need a look at their text (empty or "nan" is missing).
        unparsed = np.flatnonzero(values.isna().to_numpy(dtype=bool))
        if len(unparsed):
            text = _text(column.iloc[unparsed])
            given = ((text != "") & ~text.str.lower().isin(_NAN_TEXT)).to_numpy(dtype=bool)
            reasons[unparsed[given]] = "not a number"
    codes = [float(c) for c in factor.special_codes if not isinstance(c, str)]
    open_ = (reasons == "") & ~values.isin(codes).to_numpy(dtype=bool)
    v = values.to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        if factor.min_value is not None:
            hit = open_ & (v < factor.min_value)
            reasons[hit] = f"below the minimum {factor.min_value:g}"
            open_ &= ~hit
        if factor.max_value is not None:
            hit = open_ & (v > factor.max_value)
            reasons[hit] = f"above the maximum {factor.max_value:g}"
            open_ &= ~hit
        if not factor.allow_infinite:
            hit = open_ & np.isinf(v)
            reasons[hit] = INFINITE_REASON
            open_ &= ~hit
        if factor.integer:
            reasons[open_ & (np.isinf(v) | (np.isfinite(v) & (v != np.floor(v))))] = "not a whole number"
    return values, reasons


def check_dates(column: pd.Series, profile: Profile) -> tuple[pd.Series, np.ndarray]:
    """The profile's date column as ISO 8601 days (what the policy reads; missing stays missing)
    and, per row, the reason its date is unusable: a date the profile's ``date_format`` cannot read."""
    fmt = profile.dates_written_as
    text = _text(column) if not pd.api.types.is_datetime64_any_dtype(column.dtype) else None
    if text is None:  # a typed column (Parquet): already dates
        parsed = column
        given = column.notna().to_numpy(dtype=bool)
    else:
        given = (text != "").to_numpy(dtype=bool)
        parsed = pd.to_datetime(text.mask(~given), format=fmt, errors="coerce")
    bad = given & parsed.isna().to_numpy(dtype=bool)
    reasons = np.full(len(column), "", dtype=object)
    if bad.any():
        reasons[bad] = ("date " + text[bad].str.slice(0, 40).map(repr) + f" is not written as {fmt}"
                        " (the profile's date_format)").to_numpy(dtype=object)
    iso = pd.Series(parsed.dt.strftime("%Y-%m-%d").to_numpy(dtype=object), index=column.index)
    iso[~given | bad] = None
    return iso, reasons


def _rows_text(rows: np.ndarray) -> str:
    """'3' or '3, 6, 9' or '3, 6, 9, 12, 15 and 40 more' (1-based rows)."""
    shown = ", ".join(str(int(r)) for r in rows[:MAX_LISTED])
    more = len(rows) - MAX_LISTED
    return shown + (f" and {more} more" if more > 0 else "")


def check_columns_present(columns: list[str], profile: Profile, source: str, *, need_target: bool) -> None:
    """DataError naming every column the profile needs (id, factors, target if asked) that
    ``columns`` lacks. Scoring checks every profile factor, also those the model dropped."""
    needed = [f.source_column for f in profile.factors]
    if profile.id_column:
        needed.insert(0, profile.id_column)
    if need_target:
        needed.append(profile.target.column)
    present = set(columns)
    missing = [c for c in needed if c not in present]
    if missing:
        raise DataError(
            f"{source}: missing column(s) {', '.join(repr(c) for c in missing)} that profile '{profile.name}' needs; "
            "add them or fix the profile's column names"
        )


def no_rows_message(source: str) -> str:
    return f"{source}: the table has no data rows; give a file with applicants in it"


def _check_columns(table: pd.DataFrame, profile: Profile, source: str, *, need_target: bool) -> None:
    check_columns_present(list(table.columns), profile, source, need_target=need_target)
    if table.columns.duplicated().any():
        twice = table.columns[table.columns.duplicated()][0]
        raise DataError(f"{source}: column '{twice}' appears twice; rename or remove one")
    if table.empty:
        raise DataError(no_rows_message(source))


def row_numbers(table: pd.DataFrame) -> np.ndarray:
    """The 1-based number of each row in the file it was read from. ``read_table`` numbers a file's
    rows 0, 1, ... in the index and every part of a table keeps its rows' index (``split_valid_rows``,
    a chunk), so a row keeps its number; a table whose index is not whole numbers is numbered by
    position."""
    if pd.api.types.is_integer_dtype(table.index.dtype):
        return table.index.to_numpy(dtype=np.int64) + 1
    return np.arange(1, len(table) + 1, dtype=np.int64)


def applicant_ids(table: pd.DataFrame, id_column: str | None) -> np.ndarray:
    """The applicant id of every row, as records, scores and summaries show it: the profile's id
    column as text; without one, the row's number (``row_numbers``). Raises ``DataError`` naming
    the first row without an id."""
    if id_column is None:
        return row_numbers(table).astype(str).astype(object)
    ids = table[id_column].astype("string").to_numpy(dtype=object)
    missing = pd.isna(ids)
    if missing.any():
        raise DataError(f"row {row_numbers(table)[np.flatnonzero(missing)[0]]} has no applicant id in column "
                        f"'{id_column}'; every row needs one")
    return ids


def _ids(table: pd.DataFrame, profile: Profile) -> pd.Series:
    """The id of every row as it is checked: the id column as stripped text ('' when empty), else
    the ``applicant_ids`` row number."""
    if profile.id_column:
        return _text(table[profile.id_column])
    return pd.Series(applicant_ids(table, None), index=table.index, dtype="string")


def _id_keys(table: pd.DataFrame, profile: Profile, ids: pd.Series) -> tuple[pd.DataFrame, str | None]:
    """What must be unique per row: the id, or (id, date) when the table has the profile's date
    column (several dated snapshots of one applicant are legitimate). Positional index."""
    keys = pd.DataFrame({"id": ids.to_numpy()})
    if profile.date_column and profile.date_column in table.columns:
        keys["date"] = _text(table[profile.date_column]).to_numpy()
        return keys, profile.date_column
    return keys, None


# --- training -----------------------------------------------------------------------------------


def _target_is_bad(table: pd.DataFrame, profile: Profile, source: str) -> np.ndarray:
    """1 where the target is the bad value, after checking that the target is binary."""
    column = profile.target.column
    bad_value = profile.target.bad_value
    text = _text(table[column])
    empty = (text == "").to_numpy(dtype=bool)
    if empty.any():
        raise DataError(
            f"{source}: column '{column}', row {_rows_text(np.flatnonzero(empty) + 1)}: the target is empty; "
            "every training row needs an outcome"
        )
    numbers = pd.to_numeric(text, errors="coerce")
    numeric_bad = isinstance(bad_value, (int, float)) and not isinstance(bad_value, bool)
    if numeric_bad and numbers.notna().all():
        keys, bad = numbers.astype(float), float(bad_value)  # 1, 1.0 and " 1" are one outcome
    elif isinstance(bad_value, bool):
        keys = text.str.lower().replace({"1": "true", "0": "false", "1.0": "true", "0.0": "false"})
        bad = str(bad_value).lower()
    else:
        keys, bad = text, str(bad_value)
    values = list(pd.unique(keys))

    def show(value: object) -> str:
        return f"{value:g}" if isinstance(value, float) else str(value)

    if bad not in values:
        raise DataError(
            f"{source}: column '{column}' never equals the bad value {bad_value!r} "
            f"(found {', '.join(show(v) for v in values[:MAX_LISTED])}); "
            "fix target.bad_value in the profile or the data"
        )
    if len(values) > 2:
        # The good value is the commonest other one; name the first row holding neither.
        good = keys[keys != bad].value_counts().index[0]
        odd = np.flatnonzero(~keys.isin([bad, good]).to_numpy(dtype=bool))[0]
        raise DataError(
            f"{source}: column '{column}' must be binary (good or bad) but holds {len(values)} values "
            f"({', '.join(sorted(show(v) for v in values)[:MAX_LISTED])}); row {odd + 1} has {show(keys.iloc[odd])!r}; "
            "recode the target"
        )
    if len(values) < 2:
        raise DataError(
            f"{source}: column '{column}' holds only the bad value {bad_value!r}; "
            "a scorecard needs both good and bad rows"
        )
    return (keys == bad).to_numpy(dtype=bool)


def validate_training(table: pd.DataFrame, profile: Profile, source: str) -> pd.DataFrame:
    """Check a training table; return it with the factors converted and the target as 0/1 int8.

    Numeric and flag factors become float64 (NaN for missing), categorical factors stripped text.
    Raises ``DataError`` naming the file, column and first rows of the first problem found:
    missing columns, no rows, values that are not numbers, out of range or not whole, unknown
    categories, an empty or non-binary target or one without the bad value, empty or repeated ids.
    """
    _check_columns(table, profile, source, need_target=True)
    malformed = malformed_rows(table)
    if malformed:
        rows = np.array(sorted(malformed))
        raise DataError(f"{source}: row {_rows_text(rows + 1)}: {malformed[int(rows[0])]}")
    out = table.copy()
    if profile.date_column and profile.date_column in table.columns:
        iso, reasons = check_dates(table[profile.date_column], profile)
        bad = np.flatnonzero(reasons != "")
        if len(bad):
            raise DataError(f"{source}: column '{profile.date_column}', row {_rows_text(bad + 1)}: {reasons[bad[0]]}; "
                            "fix the data or set date_format in the profile")
        out[profile.date_column] = iso
    for factor in profile.factors:
        name = factor.source_column
        values, reasons = check_factor(factor, table[name])
        bad = np.flatnonzero(reasons != "")
        if len(bad):
            first = bad[0]
            reason = reasons[first]
            if factor.kind == "categorical":
                detail = f"; allowed: {', '.join(factor.categories or ())}; fix the data or the profile's categories"
            else:
                detail = f" (value {table[name].iloc[first]!r}); fix the data or the profile"
            raise DataError(f"{source}: column '{name}', row {_rows_text(bad + 1)}: {reason}{detail}")
        out[name] = values
    out[profile.target.column] = _target_is_bad(table, profile, source).astype(np.int8)
    if profile.id_column:
        ids = _ids(table, profile)
        empty = (ids == "").to_numpy(dtype=bool)
        if empty.any():
            raise DataError(
                f"{source}: column '{profile.id_column}', row {_rows_text(np.flatnonzero(empty) + 1)}: "
                "the id is empty; "
                "give every applicant an id"
            )
        keys, date = _id_keys(table, profile, ids)
        repeated = keys.duplicated(keep=False).to_numpy(dtype=bool)
        if repeated.any():
            first = int(np.flatnonzero(repeated)[0])
            group = (keys == keys.iloc[first]).all(axis=1).to_numpy(dtype=bool)
            raise DataError(
                f"{source}: column '{profile.id_column}': id {ids.iloc[first]!r} appears more than once"
                f"{f' with the same {date}' if date else ''} (rows {_rows_text(np.flatnonzero(group) + 1)}); "
                "ids must be unique"
            )
    return out


def target_vector(table: pd.DataFrame, profile: Profile) -> np.ndarray:
    """0/1 (int8) bad indicator of a raw table or of one ``validate_training`` returned.

    A validated table holds 0/1 integers with 1 for bad; a raw table holds the profile's values
    (e.g. ``Bad``/``Good``). An integer 0/1 column is taken as validated unless the bad value is
    itself 0 (then 0 means bad, as in the raw data).
    """
    column = profile.target.column
    if column not in table.columns:
        raise DataError(f"the table has no target column '{column}'; add it or fix the profile's target")
    values = table[column]
    if pd.api.types.is_integer_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        unique = set(pd.unique(values.dropna()))
        if unique <= {0, 1} and profile.target.bad_value != 0:
            return values.to_numpy(dtype=np.int8)
    return _target_is_bad(table, profile, f"target '{column}'").astype(np.int8)


# --- scoring ------------------------------------------------------------------------------------

# The wording of the id rejects; ``duckdb_engine.score_with_duckdb`` writes the same words.
EMPTY_ID_REASON = "empty id; give every applicant an id"


def repeated_id_reason(first_row: int, date_column: str | None) -> str:
    """Why a row whose id (and date, when the table has the profile's date column) an earlier
    row already has is not scored."""
    same = f"the same id and {date_column}" if date_column else "the same id"
    return f"repeated id: row {first_row} has {same}; only the first is scored"


def default_rejects_path(out: Path) -> Path:
    """Where the rejects of a batch scored into ``out`` go when no path is given: next to it, as
    ``<stem>.rejects.csv`` (CSV whatever the scores' format: a reader opens it in any tool)."""
    return Path(out).with_name(Path(out).stem + REJECTS_SUFFIX)


def split_valid_rows(table: pd.DataFrame, profile: Profile, source: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """For scoring: (rows that can be scored, converted; rejects with row, id, column, reason).

    A bad row never stops the batch and no row is lost: each input row is either among the valid
    rows (which keep the input's index) or in the rejects, once per problem, in row order and
    then profile order. Missing values are not rejects: they score in the factor's missing bin.
    The target column is not needed. An empty id is a reject; a repeated id is a reject after its
    first row, unless the profile has a date column and the date differs (another snapshot).
    Only a missing column or an empty table raises ``DataError``: then nothing can be scored.
    """
    _check_columns(table, profile, source, need_target=False)
    ids = _ids(table, profile)
    converted = table.copy()
    problems: list[pd.DataFrame] = []

    def reject(rows: np.ndarray, column: str, reason: object) -> None:
        problems.append(pd.DataFrame({
            "row": rows + 1, "id": ids.iloc[rows].to_numpy(dtype=object), "column": column,
            "reason": reason,
        }))

    malformed = malformed_rows(table)
    if malformed:
        rows = np.array(sorted(malformed), dtype=np.int64)
        reject(rows, "", np.asarray([malformed[int(r)] for r in rows], dtype=object))
    if profile.date_column and profile.date_column in table.columns:
        iso, reasons = check_dates(table[profile.date_column], profile)
        converted[profile.date_column] = iso
        bad = np.flatnonzero(reasons != "")
        if len(bad):
            reject(bad, profile.date_column, reasons[bad])
    for factor in profile.factors:
        values, reasons = check_factor(factor, table[factor.source_column])
        converted[factor.source_column] = values
        bad = np.flatnonzero(reasons != "")
        if len(bad):
            reject(bad, factor.source_column, reasons[bad])
    if profile.id_column:
        empty = (ids == "").to_numpy(dtype=bool)
        if empty.any():
            reject(np.flatnonzero(empty), profile.id_column, EMPTY_ID_REASON)
        keys, date = _id_keys(table, profile, ids)
        repeated = np.flatnonzero(keys.duplicated(keep="first").to_numpy(dtype=bool) & ~empty)
        if len(repeated):
            first_row = pd.Series(np.arange(len(keys)) + 1).groupby(
                [keys[c] for c in keys.columns], dropna=False, sort=False).transform("first")
            reason = [repeated_id_reason(int(first_row.iloc[r]), date) for r in repeated]
            reject(repeated, profile.id_column, np.asarray(reason, dtype=object))
    if problems:
        rejects = pd.concat(problems, ignore_index=True).sort_values("row", kind="stable").reset_index(drop=True)
    else:
        rejects = pd.DataFrame({"row": pd.Series(dtype=np.int64), "id": pd.Series(dtype=object),
                                "column": pd.Series(dtype=object), "reason": pd.Series(dtype=object)})
    keep = np.ones(len(table), dtype=bool)
    keep[rejects["row"].to_numpy(dtype=np.int64) - 1] = False
    return converted[keep], rejects[REJECT_COLUMNS]
