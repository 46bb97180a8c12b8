"""The main job on the bundled demo data: generate and check the data, train, explain the
personas (records), build the site."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from scorecard.datasets.demo import COLUMNS
from scorecard.datasets.personas import load_personas, persona_table
from scorecard.jobs.data import CheckResult, check_table, make_demo_data
from scorecard.jobs.explain import explain
from scorecard.jobs.files import write_table
from scorecard.jobs.site import SiteResult, build_site
from scorecard.jobs.train import train


@dataclass(frozen=True)
class DemoResult:
    data: Path
    check: CheckResult
    model: Path
    train_summary: str
    records: Path
    site: SiteResult

    def summary(self) -> str:
        lines = [f"made {self.check.rows:,} synthetic applicants: {self.data}", self.check.summary(), self.train_summary,
                 f"decision records of the {len(self.site.persona_decisions)} demo personas: {self.records}"]
        lines += [f"  {applicant}: {decision}" for _, applicant, decision in self.site.persona_decisions]
        lines.append(self.site.summary())
        return "\n".join(lines)


def run_demo(out: Path, *, rows: int, seed: int, console: Console | None = None) -> DemoResult:
    """The main job on the bundled demo data: generate and check the data, train, explain the
    personas (records and pages), build the site."""
    out = Path(out)
    data = make_demo_data(out / "demo_applicants.csv", rows=rows, seed=seed)
    check = check_table(data, "demo")
    model = out / "model.json"
    trained = train(data, profile="demo", out=model, test_size=0.3, seed=seed, console=console)
    personas_csv = write_table(persona_table(load_personas(), list(COLUMNS)), out / "personas.csv")
    explain(model, personas_csv, out / "personas", policy=None, fmt="json", lang="all",
            baseline="cutoff_average", rejects=None, console=None)
    built = build_site(model, out / "site", console=console)
    return DemoResult(data=data, check=check, model=model, train_summary=trained.summary(),
                      records=out / "personas", site=built)
