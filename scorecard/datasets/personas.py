"""Demo personas: one synthetic applicant per scenario of the knowledge base.

They live in ``personas.yaml`` beside this file; each is one or more snapshots (rows of the demo
table). Explanations use the latest snapshot and show earlier ones as history.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from scorecard.errors import ProfileError

PERSONAS_FILE = Path(__file__).parent / "personas.yaml"


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


def _both_languages(value: Any, where: str) -> dict[str, str]:
    # An unquoted comma in a YAML flow mapping splits a title into two keys; catch it here.
    if not isinstance(value, dict) or set(value) != {"zh", "en"} or not all(isinstance(v, str) and v for v in value.values()):
        raise ProfileError(f"{PERSONAS_FILE.name}: {where} must be {{zh: ..., en: ...}} with two non-empty texts "
                           f"(quote texts that contain a comma); found {value!r}")
    return value


def load_personas(path: Path = PERSONAS_FILE) -> tuple[Persona, ...]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    personas = []
    for p in data["personas"]:
        unknown = set(p) - {"slug", "title", "story", "causes", "scenarios", "lessons", "snapshots"}
        if unknown:
            raise ProfileError(f"{path.name}: persona '{p.get('slug')}' has unknown keys: {', '.join(sorted(unknown))}")
        personas.append(Persona(
            slug=p["slug"],
            title=_both_languages(p["title"], f"the title of '{p['slug']}'"),
            story=_both_languages(p["story"], f"the story of '{p['slug']}'"),
            causes=tuple(p.get("causes", ())),
            scenarios=tuple(p.get("scenarios", ())),
            lessons=tuple(p.get("lessons", ())),
            snapshots=tuple(p["snapshots"]),
        ))
    return tuple(personas)


def persona_table(personas: tuple[Persona, ...], columns: list[str]) -> pd.DataFrame:
    """All snapshots of all personas as one applicant table with the demo columns, in order."""
    rows = [snapshot for persona in personas for snapshot in persona.snapshots]
    table = pd.DataFrame(rows)
    return table[[c for c in columns if c in table.columns]]
