"""Workflows: train / score / explain / site / demo. The only file I/O of the core.

Each function reads its inputs, calls the pure core modules, writes its outputs and returns a
small result object whose ``summary()`` the CLI prints. A ``console`` (rich) may be passed for
progress bars; ``None`` keeps them quiet (tests, library use).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

# --- data (issue 2) -----------------------------------------------------------------------------


def make_demo_data(out: Path, *, rows: int, seed: int) -> Path:
    raise NotImplementedError("make_demo_data")


def check_data(data: Path, profile: str) -> str:
    raise NotImplementedError("check_data")


# --- engine (issue 3) ---------------------------------------------------------------------------


def train(data: Path, *, profile: str, out: Path, test_size: float, seed: int, console: Any = None, **scaling: Any):
    raise NotImplementedError("train")


def score_file(model: Path, data: Path, out: Path, *, rejects: Path | None, engine: str, console: Any = None):
    raise NotImplementedError("score_file")


def report(model: Path, fmt: str, *, console: Any) -> None:
    raise NotImplementedError("report")


def psi(model: Path, base: Path, compare: Path, *, console: Any) -> None:
    raise NotImplementedError("psi")


# --- decisions and pages (issues 4, 5) ----------------------------------------------------------


def explain(model: Path, data: Path, out: Path, *, policy: Path | None, fmt: str, lang: str, baseline: str,
            rejects: Path | None, console: Any = None):
    raise NotImplementedError("explain")


# --- site and demo (issue 6) --------------------------------------------------------------------


def build_site(model: Path, out: Path, *, policy: Path | None, data: Path | None, console: Any = None):
    raise NotImplementedError("build_site")


def run_demo(out: Path, *, rows: int, seed: int, console: Any = None):
    raise NotImplementedError("run_demo")


# --- SQL (issue 7) ------------------------------------------------------------------------------


def export_sql(model: Path, *, dialect: str, table: str) -> str:
    raise NotImplementedError("export_sql")
