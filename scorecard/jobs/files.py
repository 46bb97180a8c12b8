"""Every file a job writes, and the names of record and page files.

Tables are written deterministically (CSV UTF-8 with LF, or Parquet, by the extension). A record's
file is named after its applicant id (``safe_file_stem``), and its pages sit next to it under the
same stem (``record_stems`` gives both the same names, collisions resolved once).
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Iterable

import pandas as pd

from scorecard.errors import DataError
from scorecard.pages import page_name
from scorecard.pages.builder import renderer
from scorecard.policy import Policy
from scorecard.profile import Profile
from scorecard.records import DecisionRecord

TABLE_SUFFIXES = (".csv", ".parquet")
_SAFE_ID = re.compile(r"[^A-Za-z0-9._-]")
_RESERVED_STEMS = ("manifest",)  # explain's manifest.json sits among the record files
_RESERVED_NAMES = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}


def write_table(table: pd.DataFrame, out: Path) -> Path:
    """Write a table as CSV (UTF-8, LF) or Parquet by the file's extension, deterministically."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise DataError(f"{out}: unknown output type '{suffix}'; use .csv or .parquet")
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        write_csv(table, out)
    else:
        table.to_parquet(out, index=False)
    return out


def safe_file_stem(applicant_id: str) -> str:
    """A file name for an applicant id: [A-Za-z0-9._-] kept, others replaced by '_'; when the id
    had to change (or is empty, dots only, hidden, reserved or long), a short hash of the id is
    added, so different ids never share a file."""
    stem = _SAFE_ID.sub("_", applicant_id)[:80]
    if stem.startswith("."):
        stem = "_" + stem[1:]
    changed = stem != applicant_id or stem.split(".")[0].upper() in _RESERVED_NAMES or stem.strip("._") == ""
    if changed:
        digest = hashlib.sha256(applicant_id.encode("utf-8")).hexdigest()[:10]
        stem = f"{stem}-{digest}" if stem.strip("._") else f"id-{digest}"
    return stem


def record_stems(applicant_ids: Iterable[str]) -> list[str]:
    """File stems of records and their pages, in order, unique by construction: each id's
    ``safe_file_stem``; a stem already taken (ignoring case, for case-insensitive file systems) or
    reserved for the folder's own files (``manifest``) gets ``~2``, ``~3``, ... ('~' never appears in
    a ``safe_file_stem``, so such a name cannot be another id's), checked against every name taken."""
    stems: list[str] = []
    taken: set[str] = set(_RESERVED_STEMS)
    for applicant_id in applicant_ids:
        stem = candidate = safe_file_stem(applicant_id)
        n = 1
        while candidate.lower() in taken:
            n += 1
            candidate = f"{stem}~{n}"
        taken.add(candidate.lower())
        stems.append(candidate)
    return stems


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutral_cell(value: object) -> object:
    """A text cell a spreadsheet would run as a formula (it starts with = + - @, a tab or a carriage
    return and is not a plain number) with a leading apostrophe, which spreadsheets show as text;
    any other value as it is."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value


def neutral_table(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with ``neutral_cell`` applied to its text columns (numbers are left alone)."""
    out = None
    for name in table.columns:
        column = table[name]
        if pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_bool_dtype(column.dtype):
            continue
        text = column.astype("string")
        risky = text.str.startswith(_FORMULA_START).fillna(False).to_numpy(dtype=bool)
        if risky.any():
            out = table.copy() if out is None else out
            values = column.astype(object).to_numpy(copy=True)
            values[risky] = [neutral_cell(v) for v in values[risky]]
            out[name] = values
    return table if out is None else out


def write_csv(table: pd.DataFrame, out: Path) -> Path:
    """A table as CSV (UTF-8, LF) for people who open it in a spreadsheet: formula-like text
    cells neutralised (``neutral_cell``)."""
    neutral_table(table).to_csv(out, index=False, lineterminator="\n", encoding="utf-8")
    return Path(out)


IOV_MAX = 1024  # pieces per vectored write (the POSIX minimum of IOV_MAX)


def append_pieces(path: str | Path, pieces: list[bytes]) -> None:
    """Append ``pieces`` (e.g. JSON lines) to the file at ``path`` with vectored writes: the kernel
    copies each piece where it belongs, nothing is joined first; a partial write is resumed."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        for start in range(0, len(pieces), IOV_MAX):
            batch = [memoryview(piece) for piece in pieces[start:start + IOV_MAX]]
            while batch:
                written = os.writev(fd, batch)
                while batch and written >= len(batch[0]):
                    written -= len(batch.pop(0))
                if batch and written:
                    batch[0] = batch[0][written:]
    finally:
        os.close(fd)


def write_pages(records: Iterable[DecisionRecord], stems: Iterable[str], profile: Profile, out_dir: Path, *,
                fmt: str, langs: tuple[str, ...], policy: Policy | None = None) -> list[Path]:
    """One page per record and language in ``out_dir``, named after the record's stem
    (``page_name``); returns the paths in record order. ``policy``: the one the records were
    decided under (its context: currency, product, jurisdiction; its rules' descriptions)."""
    chosen = [(lang, renderer(profile, lang, fmt, policy)) for lang in langs]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for record, stem in zip(records, stems):
        for lang, pages in chosen:
            path = out / page_name(stem, lang=lang, fmt=fmt)
            with path.open("w", encoding="utf-8", newline="\n") as handle:
                handle.write(pages.render(record))
            written.append(path)
    return written
