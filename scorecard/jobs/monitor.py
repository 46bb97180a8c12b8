"""The monitor job: read the model, the policy and a table of applications over time; print the
periods as a table and write the HTML page with charts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup
from rich.console import Console

from scorecard.data import read_table, split_valid_rows
from scorecard.errors import DataError
from scorecard.governance.measures import assess
from scorecard.governance.monitor import load_thresholds, monitor_data
from scorecard.governance.monitor_view import monitor_view, summary_rows
from scorecard.jobs import console as progress
from scorecard.jobs.outputs import Run, guard
from scorecard.pages import templating
from scorecard.pages.words import check_language, site_words
from scorecard.policy import default_policy, load_policy
from scorecard.report import ReportTable, rich_table
from scorecard.spec import load_spec


@dataclass(frozen=True)
class MonitorResult:
    data: dict[str, Any]
    html: Path | None
    rows: int
    rejected: int

    @property
    def flags(self) -> int:
        return sum(len(p["flags"]) for p in self.data["periods"])


def terminal_table(data: dict[str, Any], label: dict[str, str]) -> ReportTable:
    w = site_words("en")["monitor"]
    head = w["summary_head"]
    return ReportTable(w["summary_title"], tuple((h, 0 < i < len(head) - 1) for i, h in enumerate(head)),
                       tuple(tuple(r) for r in summary_rows(data, w, label)))


def monitor(model: Path, data: Path, *, by: str, out: Path | None, policy: Path | None, thresholds: Path | None,
            lang: str, console: Console | None = None, status_console: Console | None = None) -> MonitorResult:
    """Measure every period of ``data``; print the table on ``console``; write ``out`` (HTML) when given."""
    check_language(lang)
    if out is not None and Path(out).suffix.lower() != ".html":
        raise DataError(f"--out {out}: give a file name ending in .html")
    guard(inputs={"--model": Path(model), "--data": Path(data), "--policy": policy, "--thresholds": thresholds},
          files={"--out": Path(out) if out is not None else None})
    spec = load_spec(model)
    limits = load_thresholds(thresholds)
    decision_policy = load_policy(policy) if policy is not None else default_policy()
    with Run("monitor") as run:
        if out is not None:
            run.lock(Path(out))  # before the work: an output that cannot be written, or is being written, fails now
        with progress.status(status_console, f"reading and scoring {data}"):
            valid, rejects = split_valid_rows(read_table(Path(data)), spec.profile, str(data))
            if len(valid) == 0:
                raise DataError(f"{data}: no row can be scored; check it with 'scorecard data check'")
            assessment = assess(spec, decision_policy, valid)
            measured = monitor_data(spec, valid, assessment, by=by, thresholds=limits)
        if console is not None:
            console.print(rich_table(terminal_table(measured, {})))  # factors by name: the table stays narrow
        if out is not None:
            view = monitor_view(measured, spec.profile, lang=lang, source=Path(data).name, sha=spec.sha256,
                                policy=f"{decision_policy.name} {decision_policy.version}")
            view["figures"] = [Markup(f) for f in view["figures"]]  # drawn and escaped by our own SVG template
            html = templating.template("html", "governance/monitor.html.j2").render(d=view)
            run.file(Path(out)).write_text(html, encoding="utf-8")
            run.commit()
    return MonitorResult(data=measured, html=Path(out) if out is not None else None, rows=len(valid),
                         rejected=int(rejects["row"].nunique()))
