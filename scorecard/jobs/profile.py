"""The profile job: a starting profile drafted from a table (``scorecard profile draft``)."""

from __future__ import annotations

from pathlib import Path

from scorecard.data import read_table
from scorecard.draft import draft_profile
from scorecard.errors import DataError
from scorecard.jobs.outputs import Run, guard
from scorecard.profile import parse_profile


def draft_profile_file(data: Path, *, target: str, out: Path) -> Path:
    """Read ``data``, draft its profile and write it to ``out`` (a new YAML file; never over an
    existing file, so an analyst's edited profile is never lost). The draft is checked to load."""
    import yaml

    data, out = Path(data), Path(out)
    guard(inputs={"--data": data}, files={"--out": out})
    if out.suffix.lower() not in (".yaml", ".yml"):
        raise DataError(f"{out}: a profile is a YAML file; give --out ending in .yaml")
    with Run("profile draft") as run:
        run.lock(out)  # before the work: an output that cannot be written, or is being written, fails now
        if out.exists():
            raise DataError(f"{out}: the file exists; choose another --out or remove it (a draft never replaces a profile)")
        text = draft_profile(read_table(data), target=target, name=data.stem, source=data.name)
        parse_profile(yaml.safe_load(text), str(out))  # a draft that does not load is a bug here, not the analyst's
        run.file(out).write_text(text, encoding="utf-8", newline="\n")
        run.commit()  # under the lock, so no other scorecard run wrote ``out`` meanwhile
    return out
