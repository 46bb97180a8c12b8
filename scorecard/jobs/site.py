"""The site job: the knowledge base plus the model's pages and the demo personas' pages of one
scorecard, written to ``out/docs`` and built with MkDocs into ``out/html``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from scorecard import data as tables
from scorecard import resources
from scorecard.datasets.personas import Persona, load_personas, persona_table
from scorecard.errors import SiteError
from scorecard.explain import explain_table
from scorecard.jobs import console as progress
from scorecard.jobs.explain import fit_policy
from scorecard.jobs.outputs import Run, guard
from scorecard.policy import Policy, default_policy, load_policy
from scorecard.records import DecisionRecord
from scorecard.site import build
from scorecard.site.plan import plan_site, site_settings, theme_overrides
from scorecard.spec import ScorecardSpec, load_spec


@dataclass(frozen=True)
class SiteResult:
    html: Path  # the built site; open index.html
    config: Path  # the MkDocs configuration that built it (mkdocs build -f CONFIG rebuilds it)
    pages: int  # generated Markdown pages (every language)
    persona_decisions: tuple[tuple[str, str, str], ...]  # (slug, applicant id, decision code)

    def summary(self) -> str:
        return (f"built the site from {self.pages} generated pages and the knowledge base: {self.html / 'index.html'}\n"
                f"  (any static file server works; or open the file directly; rebuild: mkdocs build -f {self.config})")


def explain_personas(spec: ScorecardSpec, decision_policy: Policy) -> tuple[tuple[Persona, ...], list[DecisionRecord]]:
    """The demo personas and their decision records under ``spec`` and ``decision_policy``."""
    personas = load_personas()
    columns = [f.source_column for f in spec.profile.factors] + list(spec.profile.policy_columns)
    columns += [c for c in (spec.profile.id_column, spec.profile.date_column, spec.profile.segment_column) if c]
    table = persona_table(personas, [c for c in dict.fromkeys(columns)])
    missing = sorted(set(columns) - set(table.columns))
    if missing:
        raise SiteError(f"the model's profile '{spec.profile.name}' reads columns the demo personas do not have "
                        f"({', '.join(missing[:5])}); the site's persona pages need a model trained on the demo profile")
    valid, rejected = tables.split_valid_rows(table, spec.profile, "personas.yaml")
    if len(rejected):
        first = rejected.iloc[0].to_dict()
        raise SiteError(f"personas.yaml: a persona snapshot does not fit the model's profile: {first}")
    return personas, explain_table(spec, decision_policy, valid)


def build_site(model: Path, out: Path, *, policy: Path | None = None, strict: bool = True,
               console: Console | None = None, policy_check: str = "refuse") -> SiteResult:
    """Generated model and persona pages + the knowledge base -> ``out/docs``; MkDocs -> ``out/html``."""
    guard(inputs={"--model": Path(model), "--policy": Path(policy) if policy is not None else None},
          folders={"--out": Path(out)})
    spec = load_spec(model)
    decision_policy = load_policy(policy) if policy is not None else default_policy()
    fit_policy(decision_policy, spec, policy, policy_check)
    with progress.status(console, "explaining the demo personas"):
        personas, records = explain_personas(spec, decision_policy)
    with Run("site") as run:
        run.lock(Path(out))  # a lock file next to the folder: the folder holds only what the build writes
        with progress.status(console, "writing the pages"):
            kb = resources.docs_dir()
            files = plan_site(spec, decision_policy, personas, records, build.kb_titles(kb))
            settings = site_settings(build.read_config(resources.mkdocs_config()), spec, personas)
            config = build.write_sources(files, kb, Path(out), settings, theme_overrides())
        with progress.status(console, "building the site (MkDocs)"):
            html = build.build_html(config, strict=strict)
    decisions = {r.applicant_id: r.decision for r in records}
    return SiteResult(html=html, config=config, pages=sum(1 for f in files if f.path.endswith(".md")),
                      persona_decisions=tuple((p.slug, p.applicant_id, decisions[p.applicant_id]) for p in personas))
