"""The export job: the scorecard at a path as one SQL query (``sql.to_sql``)."""

from __future__ import annotations

from pathlib import Path

from scorecard.jobs.outputs import Run, guard
from scorecard.spec import load_spec
from scorecard.sql import to_sql


def export_sql(model: Path, *, dialect: str, table: str, out: Path | None = None) -> str:
    """The scorecard at ``model`` as one SQL query over ``table``; written to ``out`` (UTF-8) when given."""
    if out is not None:
        guard(inputs={"--model": Path(model)}, files={"--out": Path(out)})
    text = to_sql(load_spec(model), dialect=dialect, table=table)
    if out is not None:
        with Run("export sql") as run:
            run.lock(Path(out))
            run.file(Path(out)).write_text(text, encoding="utf-8")
            run.commit()
    return text
