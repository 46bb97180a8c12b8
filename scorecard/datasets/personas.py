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
from pydantic import ValidationError

from scorecard.errors import ProfileError
from scorecard.languages import page_languages
from scorecard.text import Text, require_written

PERSONAS_FILE = Path(__file__).parent / "personas.yaml"


@dataclass(frozen=True)
class Persona:
    """A demo applicant who shows one scenario of the knowledge base."""

    slug: str
    title: Text
    story: Text
    causes: tuple[str, ...]
    scenarios: tuple[str, ...]
    lessons: tuple[str, ...]
    snapshots: tuple[dict[str, Any], ...]

    @property
    def applicant_id(self) -> str:
        return str(self.snapshots[-1]["applicant_id"])


def _written(value: Any, where: str) -> Text:
    """A persona text in every language the personas are written in (``templates/languages.yaml``)."""
    # An unquoted comma in a YAML flow mapping splits a title into two keys; catch it here.
    written = page_languages().written_in
    try:
        if not isinstance(value, dict) or set(value) != set(written):
            raise ValueError
        text = require_written(Text.model_validate(value))
    except (ValueError, ValidationError):
        raise ProfileError(f"{PERSONAS_FILE.name}: {where} must be {{{': ..., '.join(written)}: ...}} with "
                           f"non-empty texts (quote texts that contain a comma); found {value!r}") from None
    return text  # type: ignore[return-value]


def load_personas(path: Path = PERSONAS_FILE) -> tuple[Persona, ...]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    personas = []
    for p in data["personas"]:
        unknown = set(p) - {"slug", "title", "story", "causes", "scenarios", "lessons", "snapshots"}
        if unknown:
            raise ProfileError(f"{path.name}: persona '{p.get('slug')}' has unknown keys: {', '.join(sorted(unknown))}")
        personas.append(Persona(
            slug=p["slug"],
            title=_written(p["title"], f"the title of '{p['slug']}'"),
            story=_written(p["story"], f"the story of '{p['slug']}'"),
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
