"""Fixtures shared by the whole run.

The demo site takes a MkDocs build, so it is built once per run and shared: under pytest-xdist the
first worker that needs it builds it into the run's shared temporary folder while the others wait
on a lock, then every worker reads the same build. Tests only read it.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Iterator

import pytest

from scorecard.jobs.site import SiteResult, build_site, explain_personas
from scorecard.policy import default_policy
from scorecard.spec import load_spec

TESTS = Path(__file__).resolve().parent
DEMO_MODEL = TESTS / "golden" / "demo_model.json"


@pytest.fixture(scope="session")
def demo_model() -> Path:
    """The model `scorecard demo` trains (tests/test_explain.py keeps this copy equal to it), so the
    persona pages tell the stories the knowledge base promises."""
    return DEMO_MODEL


@contextlib.contextmanager
def _run_lock(path: Path) -> Iterator[None]:
    """An exclusive lock between the workers of one run (a no-op where fcntl is missing)."""
    try:
        import fcntl  # POSIX only: elsewhere each worker builds its own copy
    except ImportError:
        yield
        return
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def built_site(demo_model: Path, tmp_path_factory: pytest.TempPathFactory) -> SiteResult:
    """The demo site, as `scorecard site` builds it from the demo model, once per run."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the folder all workers of this run share
    out = shared / "demo-site"
    with _run_lock(shared / "demo-site.lock"):
        done = out / "built.txt"
        if not done.is_file():
            result = build_site(demo_model, out)
            done.write_text(f"{result.html}\n{result.config}\n{result.pages}\n", encoding="utf-8")
    html, config, pages = done.read_text(encoding="utf-8").splitlines()
    personas, records = explain_personas(load_spec(demo_model), default_policy())
    decisions = {r.applicant_id: r.decision for r in records}
    return SiteResult(html=Path(html), config=Path(config), pages=int(pages),
                      persona_decisions=tuple((p.slug, p.applicant_id, decisions[p.applicant_id]) for p in personas))
