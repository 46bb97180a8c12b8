"""The main job on the bundled demo data: generate and check the data, train, explain the
personas (records), build the site.

Each output goes through its own job's staging (``outputs.Run``), so it appears complete or not at
all; the demo folder is the command's own (a marker file, or only the demo's outputs in it), one
demo runs there at a time, and its ``manifest.json`` is removed when a run starts and written when
every output is in place: a folder without it holds an earlier, failed or interrupted demo.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from scorecard.datasets.demo import COLUMNS
from scorecard.datasets.personas import load_personas, persona_table
from scorecard.jobs.data import CheckResult, check_table, make_demo_data
from scorecard.jobs.explain import explain
from scorecard.jobs.files import write_table
from scorecard.jobs.outputs import MANIFEST, Run, guard, owned_folder
from scorecard.jobs.site import SiteResult, build_site
from scorecard.jobs.train import train

MARKER = ".scorecard-demo"  # the folder was written by demo: a later run may replace its outputs
OUTPUTS = ("demo_applicants.csv", "model.json", "personas.csv", "personas", "site")


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
    personas (records and pages), build the site; ``out/manifest.json`` last."""
    out = Path(out)
    guard(inputs={}, folders={"--out": out})
    if out.is_dir() and not (out / MARKER).exists() and all(p.name in OUTPUTS for p in out.iterdir()
                                                           if not p.name.startswith(".")):
        (out / MARKER).touch()  # a demo folder of an earlier version: only the demo's own outputs in it
    owned_folder(out, MARKER, "demo")
    with Run("demo") as run:
        run.lock(out, folder=True)  # one demo per folder; removes what a killed demo left
        (out / MANIFEST).unlink(missing_ok=True)  # from here on the folder does not look complete
        data = make_demo_data(out / "demo_applicants.csv", rows=rows, seed=seed)
        check = check_table(data, "demo")
        model = out / "model.json"
        trained = train(data, profile="demo", out=model, test_size=0.3, seed=seed, console=console)
        personas_csv = out / "personas.csv"
        with Run("demo") as step:
            step.lock(personas_csv)
            write_table(persona_table(load_personas(), list(COLUMNS)), step.file(personas_csv))
            step.commit()
        explain(model, personas_csv, out / "personas", policy=None, fmt="json", lang="all",
                baseline="cutoff_average", rejects=None, console=None)
        built = build_site(model, out / "site", console=console)
        run.commit(out / MANIFEST, {
            "command": "demo", "complete": True, "rows": rows, "seed": seed,
            "model_sha256": json.loads(model.read_text(encoding="utf-8"))["sha256"], "outputs": list(OUTPUTS),
        })
    return DemoResult(data=data, check=check, model=model, train_summary=trained.summary(),
                      records=out / "personas", site=built)
