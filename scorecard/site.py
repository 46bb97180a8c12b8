"""The knowledge-base site: plan the generated pages as ``{path: text}``, write them, build.

Planning is pure: from the spec, the policy and the persona records it returns every generated
page (model pages and persona pages, each in zh and en) as text. ``write_sources`` copies the
hand-written knowledge base next to them and writes the MkDocs configuration with the generated
sections added to the navigation; ``build_html`` runs the MkDocs build (strict). Generated pages
never land in the tracked ``docs/`` tree.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from scorecard import render
from scorecard.errors import SiteError
from scorecard.records import DecisionRecord
from scorecard.resources import docs_dir, mkdocs_config
from scorecard.profile import Factor
from scorecard.spec import FactorSpec, ScorecardSpec

LANGS = ("zh", "en")
PERSONAS_FILE = Path(__file__).parent / "datasets" / "personas.yaml"


@dataclass(frozen=True)
class Persona:
    """A demo applicant who shows one scenario of the knowledge base."""

    slug: str
    title: dict[str, str]
    story: dict[str, str]
    causes: tuple[str, ...]
    scenarios: tuple[str, ...]
    lessons: tuple[str, ...]
    snapshots: tuple[dict[str, Any], ...]

    @property
    def applicant_id(self) -> str:
        return str(self.snapshots[-1]["applicant_id"])


def load_personas(path: Path = PERSONAS_FILE) -> tuple[Persona, ...]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return tuple(
        Persona(
            slug=p["slug"],
            title=p["title"],
            story=p["story"],
            causes=tuple(p.get("causes", ())),
            scenarios=tuple(p.get("scenarios", ())),
            lessons=tuple(p.get("lessons", ())),
            snapshots=tuple(p["snapshots"]),
        )
        for p in data["personas"]
    )


def persona_table(personas: tuple[Persona, ...], columns: list[str]) -> pd.DataFrame:
    """All snapshots of all personas as one applicant table with the demo columns, in order."""
    rows = [snapshot for persona in personas for snapshot in persona.snapshots]
    table = pd.DataFrame(rows)
    return table[[c for c in columns if c in table.columns]]


# --- planning (pure) ----------------------------------------------------------------------------


def _page_name(path: str, lang: str) -> str:
    """``model/index.md`` in zh, ``model/index.en.md`` in en (static-i18n suffix structure)."""
    return path if lang == "zh" else path.removesuffix(".md") + f".{lang}.md"


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _num(x: float | None, digits: int = 3) -> str:
    return "" if x is None else f"{x:.{digits}f}"


def _changeable(factor: Factor, t: dict[str, Any]) -> str:
    return t["changeable"][factor.actionability]


def _used_factor_context(factor: Factor, fspec: FactorSpec, spec: ScorecardSpec, lang: str) -> dict[str, Any]:
    total = sum(b.count for b in fspec.bins) or 1
    coefficient = next((c for c in spec.coefficients if c.name == factor.name), None)
    return {
        "used": True,
        "iv": _num(fspec.iv),
        "coefficient": _num(fspec.coefficient),
        "p_value": _num(coefficient.p_value, 4) if coefficient else "",
        "bins": [
            {
                "label": b.label,
                "count": f"{b.count:,}",
                "share": _pct(b.count / total),
                "event_rate": _pct(b.event_rate),
                "woe": _num(b.woe),
                "iv": _num(b.iv),
                "points": b.points,
            }
            for b in fspec.bins
        ],
    }


def _factor_context(factor: Factor, spec: ScorecardSpec, t: dict[str, Any], lang: str) -> dict[str, Any]:
    context: dict[str, Any] = {
        "name": factor.name,
        "label": factor.label.get(lang),
        "meaning": factor.meaning.get(lang),
        "column": factor.source_column,
        "kind": factor.kind,
        "unit": factor.unit.get(lang) if factor.unit else "",
        "trend": factor.trend,
        "changeable": _changeable(factor, t),
        "special_values": [{"value": s.value, "meaning": s.meaning.get(lang)} for s in factor.special_values],
        "cause_pages": list(factor.cause_pages),
        "remedy_pages": list(factor.remedy_pages),
        "used": False,
        "dropped_reason": "",
    }
    if factor.name in spec.factor_names:
        context.update(_used_factor_context(factor, spec.factor(factor.name), spec, lang))
    else:
        drops = [s.reason for s in spec.selection_log if s.factor == factor.name and s.action == "dropped"]
        context["dropped_reason"] = drops[-1] if drops else ""
    return context


def factor_chart(fspec: FactorSpec) -> dict[str, Any]:
    """Geometry of the bad-rate bar chart of one factor (the SVG template only draws it)."""
    width, height, left, top, bottom = 80 + 90 * len(fspec.bins), 230, 20, 24, 44
    base = height - bottom
    highest = max((b.event_rate for b in fspec.bins), default=0) or 1
    bars = []
    for i, b in enumerate(fspec.bins):
        h = round((base - top) * b.event_rate / highest, 1)
        x = left + 20 + 90 * i
        bars.append(
            {
                "x": x, "y": round(base - h, 1), "w": 60, "h": h, "cx": x + 30,
                "rate": _pct(b.event_rate), "label": b.label, "points": b.points,
                "color": "#c0504d" if b.kind in ("special", "missing") else "#4f81bd",
            }
        )
    return {"width": width, "height": height, "left": left, "base": base, "bars": bars}


def model_pages(spec: ScorecardSpec, policy: Any, lang: str) -> dict[str, str]:
    """The model's own pages in one language: how it works, the table, one page per factor."""
    t = render.site_locale(lang)
    profile = spec.profile
    labels = {f.name: f.label.get(lang) for f in profile.factors}
    example = max(spec.factors, key=lambda f: f.best_points - f.worst_points)
    scaling = spec.scaling
    score_examples = [
        {"score": s, "pd": _pct(scaling.pd_from_score(s))}
        for s in range(spec.min_score, spec.max_score + 1, max(1, (spec.max_score - spec.min_score) // 6))
    ]
    pages = {
        "model/index.md": render.render_site_template(
            "model_index.md.j2",
            lang=lang,
            example={"label": labels[example.name], "rows": [{"label": b.label, "points": b.points} for b in example.bins]},
            n_factors=len(spec.factors),
            min_score=spec.min_score,
            max_score=spec.max_score,
            scaling=scaling,
            score_examples=score_examples,
        ),
        "model/scorecard.md": render.render_site_template(
            "model_scorecard.md.j2",
            lang=lang,
            factors=[
                {"name": f.name, "label": labels[f.name], "bins": _used_factor_context(profile.factor(f.name), f, spec, lang)["bins"]}
                for f in spec.factors
            ],
            dropped=[
                {"name": f.name, "label": labels[f.name], "reason": _factor_context(f, spec, t, lang)["dropped_reason"]}
                for f in profile.factors
                if f.name not in spec.factor_names
            ],
            min_score=spec.min_score,
            max_score=spec.max_score,
        ),
    }
    for factor in profile.factors:
        pages[f"model/factors/{factor.name}.md"] = render.render_site_template(
            "model_factor.md.j2", lang=lang, f=_factor_context(factor, spec, t, lang)
        )
    return pages


def chart_files(spec: ScorecardSpec) -> dict[str, str]:
    """One SVG chart per factor in the model (numbers only, so one file serves both languages)."""
    return {
        f"model/factors/{f.name}.svg": render.render_site_template("factor_chart.svg.j2", lang="zh", **factor_chart(f))
        for f in spec.factors
    }


def plan_pages(
    spec: ScorecardSpec,
    policy: Any,
    personas: tuple[Persona, ...],
    records: dict[str, DecisionRecord],
) -> dict[str, str]:
    """Every generated page as ``{relative path: text}``, both languages, plus the charts."""
    pages: dict[str, str] = dict(chart_files(spec))
    for lang in LANGS:
        for path, text in model_pages(spec, policy, lang).items():
            pages[_page_name(path, lang)] = text
        pages[_page_name("personas/index.md", lang)] = render.personas_index(personas, records, spec.profile, lang=lang)
        for persona in personas:
            record = records[persona.applicant_id]
            pages[_page_name(f"personas/{persona.slug}.md", lang)] = render.persona_page(
                persona, record, spec.profile, lang=lang
            )
    return dict(sorted(pages.items()))


def site_nav(spec: ScorecardSpec, personas: tuple[Persona, ...]) -> list[dict[str, Any]]:
    """The generated sections of the navigation (titles in zh; mkdocs.yml translates them)."""
    return [
        {"示例人物": ["personas/index.md", *(f"personas/{p.slug}.md" for p in personas)]},
        {
            "模型": [
                "model/index.md",
                "model/scorecard.md",
                *(f"model/factors/{f.name}.md" for f in spec.profile.factors),
                "model/metrics.md",
                "model/policy.md",
                "model/data.md",
            ]
        },
    ]


# --- I/O edges ----------------------------------------------------------------------------------


def write_sources(out: Path, pages: dict[str, str], nav_extra: list[dict[str, Any]]) -> Path:
    """Copy the knowledge base to ``out/docs``, add the generated pages and write ``out/mkdocs.yml``."""
    source_docs = docs_dir()
    if not source_docs.is_dir():
        raise SiteError(f"{source_docs}: knowledge base not found; reinstall credit-scorecard")
    target_docs = out / "docs"
    if target_docs.exists():
        shutil.rmtree(target_docs)
    shutil.copytree(source_docs, target_docs)
    for path, text in pages.items():
        file = target_docs / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(text, encoding="utf-8")
    config = yaml.safe_load(mkdocs_config().read_text(encoding="utf-8"))
    nav = config["nav"]
    data_index = next((i for i, item in enumerate(nav) if "数据" in item), len(nav))
    config["nav"] = nav[:data_index] + nav_extra + nav[data_index:]
    config["docs_dir"] = "docs"
    config["site_dir"] = "site"
    config_file = out / "mkdocs.yml"
    config_file.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return config_file


def build_html(config_file: Path) -> Path:
    """Run the strict MkDocs build; warnings (e.g. a broken link) fail it with their text."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    messages: list[str] = []

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.WARNING:
                messages.append(record.getMessage())

    handler = _Collect()
    mkdocs_log = logging.getLogger("mkdocs")
    mkdocs_log.addHandler(handler)
    try:
        config = load_config(str(config_file), strict=True)
        build(config)
    except (MkDocsException, SystemExit) as exc:
        detail = messages[0] if messages else str(exc)
        raise SiteError(f"{config_file}: the MkDocs build failed: {detail}") from exc
    finally:
        mkdocs_log.removeHandler(handler)
    return Path(config["site_dir"])
