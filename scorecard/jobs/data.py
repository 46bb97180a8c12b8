"""Data jobs: write the synthetic demo population; check a training table against its profile."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scorecard.data import read_table, validate_training
from scorecard.datasets.demo import Shift, for_writing, generate
from scorecard.errors import DataError
from scorecard.jobs.files import TABLE_SUFFIXES, write_table
from scorecard.jobs.outputs import Run, guard
from scorecard.profile import load_profile


def make_demo_data(out: Path, *, rows: int, seed: int, shift: Shift | None = None) -> Path:
    """Write the synthetic demo population as .csv or .parquet (by the extension of ``out``).

    The same rows and seed give the same bytes: fixed column order, ids and ISO dates as text,
    floats in Python's shortest round-trip form, whole numbers without '.0', no timestamps.
    """
    if rows < 1:
        raise DataError(f"--rows {rows}: give at least 1 row")
    if Path(out).suffix.lower() not in TABLE_SUFFIXES:
        raise DataError(f"{out}: unknown output type '{Path(out).suffix}'; use .csv or .parquet")
    out = Path(out)
    guard(inputs={}, files={"--out": out})
    table = for_writing(generate(rows, seed, shift=shift))
    with Run("data demo") as run:
        run.lock(out)
        write_table(table, run.file(out))
        run.commit()
    return out


@dataclass(frozen=True)
class CheckResult:
    source: Path
    profile: str
    rows: int
    bad_rate: float
    factors: int

    def summary(self) -> str:
        return (f"{self.source}: {self.rows:,} rows match profile '{self.profile}' "
                f"({self.factors} factors, bad rate {self.bad_rate:.2%}); no problem found")


def check_table(data: Path, profile: str, *, sep: str | None = None) -> CheckResult:
    """Check a training table against its profile; the first problem raises a one-line DataError."""
    chosen = load_profile(profile)
    table = validate_training(read_table(data, sep=sep), chosen, str(data))
    return CheckResult(Path(data), chosen.name, len(table), float(table[chosen.target.column].mean()),
                       len(chosen.factors))
