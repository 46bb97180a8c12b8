"""The site job: the knowledge base plus the model's pages (and the persona pages that fit the
model) of one scorecard, written to ``out/docs`` and built with MkDocs into ``out/html``.

The whole folder is built beside ``out`` under a hidden temporary name and swapped into place when
the build succeeded, with ``out/manifest.json`` written last (``outputs.Run.swap``): a failed or
interrupted build leaves the previous site as it was (or no site), and only a folder the command
owns (its marker file) is ever replaced.

Any model gets a site. Persona pages come from the demo personas when their snapshots have every
column the model and the policy read, or from a personas file the user gives (``--personas``, the
layout of ``scorecard/datasets/personas.yaml``); otherwise they are left out and the summary says
why in one line. The policy's ``context.jurisdiction`` picks the knowledge base (``cn``: ``docs/``;
``neutral``: ``templates/kb/neutral/``)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from rich.console import Console

from scorecard import data as tables
from scorecard import resources
from scorecard.datasets.personas import PERSONAS_FILE, Persona, load_personas, persona_table
from scorecard.errors import ScorecardError, SiteError
from scorecard.explain import explain_table
from scorecard.jobs import console as progress
from scorecard.jobs.explain import fit_policy
from scorecard.jobs.outputs import MANIFEST, Run, check_owned, guard
from scorecard.pages.words import knowledge_base
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
    personas_note: str = ""  # why there are no persona pages, when there are none

    def summary(self) -> str:
        lines = [f"built the site from {self.pages} generated pages and the knowledge base: {self.html / 'index.html'}",
                 f"  (any static file server works; or open the file directly; rebuild: mkdocs build -f {self.config})"]
        if self.personas_note:
            lines.append(self.personas_note)
        return "\n".join(lines)


def read_columns(spec: ScorecardSpec, decision_policy: Policy) -> list[str]:
    """The columns explaining an applicant reads: the id, the factors the model scores, and the
    columns the policy's conditions test (a segment or date condition reads the profile's column)."""
    profile = spec.profile
    columns = [c for c in (profile.id_column, profile.date_column) if c]
    columns += [profile.factor(name).source_column for name in spec.factor_names]
    for cond in [c for rule in decision_policy.hard_rules for c in rule.when] + \
                [c for overlay in decision_policy.overlays for c in overlay.when]:
        if cond.column:
            columns.append(cond.column)
        elif cond.profile_column == "segment" and profile.segment_column:
            columns.append(profile.segment_column)
        elif cond.profile_column == "date" and profile.date_column:
            columns.append(profile.date_column)
    return list(dict.fromkeys(columns))


def read_persona_file(path: Path) -> tuple[Persona, ...]:
    """Personas from a YAML file laid out like the bundled ``personas.yaml``; one clear error otherwise."""
    path = Path(path)
    if not path.is_file():
        raise SiteError(f"{path}: personas file not found; give a YAML file laid out like scorecard/datasets/personas.yaml")
    try:
        return load_personas(path)
    except ScorecardError as exc:
        raise SiteError(f"{path}: {exc}") from exc
    except (yaml.YAMLError, UnicodeDecodeError, KeyError, TypeError, IndexError) as exc:
        raise SiteError(f"{path}: not a personas file ({exc.__class__.__name__}: {exc}); each persona needs slug, "
                        "title {zh, en}, story {zh, en} and snapshots (rows of the model's columns), under 'personas:'") from exc


def persona_ids(spec: ScorecardSpec, personas: tuple[Persona, ...]) -> dict[str, str]:
    """Each persona's applicant id as its records carry it: its latest snapshot's id column, or
    without one, that snapshot's row number in the personas' table."""
    column = spec.profile.id_column
    ids, row = {}, 0
    for persona in personas:
        row += len(persona.snapshots)
        ids[persona.slug] = str(persona.snapshots[-1].get(column, "")) if column else str(row)
    return ids


def explain_personas(spec: ScorecardSpec, decision_policy: Policy, personas: tuple[Persona, ...] | None = None,
                     source: str = PERSONAS_FILE.name) -> tuple[tuple[Persona, ...], list[DecisionRecord]]:
    """The personas (default: the demo's) and their decision records under ``spec`` and
    ``decision_policy``. Raises ``SiteError`` naming what does not fit: the columns the model or
    the policy reads that the snapshots lack, or a snapshot's value."""
    personas = load_personas() if personas is None else personas
    needed = read_columns(spec, decision_policy)
    every = list(dict.fromkeys([*needed, *(f.source_column for f in spec.profile.factors),
                                *spec.profile.policy_columns,
                                *(c for c in (spec.profile.segment_column,) if c)]))
    table = persona_table(personas, every)
    missing = [c for c in needed if c not in table.columns]
    if missing:
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise SiteError(f"{source}: the persona snapshots lack columns the model or the policy reads "
                        f"({', '.join(missing[:5])}{more})")
    for column in every:  # factors the model dropped and unread columns: not scored, so may be empty
        if column not in table.columns:
            table[column] = np.nan
    valid, rejected = tables.split_valid_rows(table, spec.profile, source)
    if len(rejected):
        first = rejected.iloc[0]
        raise SiteError(f"{source}: snapshot row {first['row']} does not fit the model's profile: "
                        f"column {first['column']}: {first['reason']}")
    return personas, explain_table(spec, decision_policy, valid)


def _choose_personas(spec: ScorecardSpec, decision_policy: Policy, personas_file: Path | None
                     ) -> tuple[tuple[Persona, ...], list[DecisionRecord], str]:
    """The personas that fit the model: the user's file (which must fit), else the demo's when they
    fit; else none, with the one line that says why and what to do."""
    if personas_file is not None:
        return (*explain_personas(spec, decision_policy, read_persona_file(personas_file), str(personas_file)), "")
    try:
        return (*explain_personas(spec, decision_policy), "")
    except (SiteError, ScorecardError) as exc:
        note = (f"no persona pages: the demo personas do not fit this model ({exc}); to add persona pages, "
                "give --personas FILE with snapshots of your own (laid out like scorecard/datasets/personas.yaml)")
        return (), [], note


def build_site(model: Path, out: Path, *, policy: Path | None = None, personas: Path | None = None,
               strict: bool = True, console: Console | None = None, policy_check: str = "refuse") -> SiteResult:
    """Generated model (and persona) pages + the knowledge base -> ``out/docs``; MkDocs -> ``out/html``;
    the folder is built beside ``out`` and swapped into place whole, ``out/manifest.json`` last."""
    guard(inputs={"--model": Path(model), "--policy": Path(policy) if policy is not None else None,
                  "--personas": Path(personas) if personas is not None else None},
          folders={"--out": Path(out)})
    out = Path(os.path.realpath(out)) if Path(out).is_symlink() else Path(out)  # the folder itself is swapped
    check_owned(out, build.MARKER, "site")
    spec = load_spec(model)
    decision_policy = load_policy(policy) if policy is not None else default_policy()
    fit_policy(decision_policy, spec, policy, policy_check)
    with Run("site") as run:
        run.lock(out)  # a lock file next to the folder; removes what a killed build left there
        with progress.status(console, "explaining the personas"):
            chosen, records, note = _choose_personas(spec, decision_policy, personas)
            ids = persona_ids(spec, chosen)
        staged = run.swap(out, marker=build.MARKER)
        with progress.status(console, "writing the pages"):
            kb = knowledge_base(decision_policy.context.jurisdiction)
            files = plan_site(spec, decision_policy, chosen, records, build.kb_titles(kb), ids,
                               demo_personas=personas is None)
            settings = site_settings(build.site_config(resources.mkdocs_config(), kb), spec, chosen,
                                     is_demo=spec.profile.name == "demo")
            config = build.write_sources(files, kb, staged, settings, theme_overrides())
        with progress.status(console, "building the site (MkDocs)"):
            html = build.build_html(config, strict=strict, shown=out / "mkdocs.yml")
        decisions = {r.applicant_id: r.decision for r in records}
        result = SiteResult(html=out / os.path.relpath(html, staged), config=out / os.path.relpath(config, staged),
                            pages=sum(1 for f in files if f.path.endswith(".md")),
                            persona_decisions=tuple((p.slug, ids[p.slug], decisions[ids[p.slug]]) for p in chosen),
                            personas_note=note)
        run.commit(out / MANIFEST, {
            "command": "site", "complete": True, "model_sha256": spec.sha256,
            "policy": f"{decision_policy.name} {decision_policy.version}", "pages": result.pages,
            "personas": [slug for slug, _, _ in result.persona_decisions], "html": "html/index.html",
            "config": "mkdocs.yml",
        })
    return result
