"""The export job: the scorecard at a path as one SQL query (``sql.to_sql``)."""

from __future__ import annotations

from pathlib import Path

from scorecard.jobs.outputs import Run, guard
from scorecard.policy import default_policy, load_policy
from scorecard.spec import load_spec
from scorecard.sql import reason_rule, to_sql


def export_sql(model: Path, *, dialect: str, table: str, out: Path | None = None, policy: Path | None = None,
               baseline: str | None = "cutoff_average") -> str:
    """The scorecard at ``model`` as one SQL query over ``table``, with the principal reason codes
    measured toward ``policy``'s cutoff and limit bands (default: the demo policy) unless ``baseline``
    is None; written to ``out`` (UTF-8) when given."""
    if out is not None:
        guard(inputs={"--model": Path(model), "--policy": policy}, files={"--out": Path(out)})
    spec = load_spec(model)
    rule = None
    if baseline is not None:
        rule = reason_rule(spec, load_policy(policy) if policy is not None else default_policy(), baseline=baseline)
    text = to_sql(spec, dialect=dialect, table=table, reasons=rule)
    if out is not None:
        with Run("export sql") as run:
            run.lock(Path(out))
            run.file(Path(out)).write_text(text, encoding="utf-8")
            run.commit()
    return text
