"""The notebook tutorial (``docs/data/notebook.md`` and ``.en.md``) runs as written: its Python
blocks, in order, in one namespace; both languages show the same code."""

from __future__ import annotations

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs" / "data"
BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def blocks(name: str) -> list[str]:
    return BLOCK.findall((DOCS / name).read_text(encoding="utf-8"))


def test_both_languages_show_the_same_code():
    assert blocks("notebook.md") == blocks("notebook.en.md") and len(blocks("notebook.en.md")) >= 7


def test_the_tutorial_runs_as_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    for i, code in enumerate(blocks("notebook.en.md")):
        exec(compile(code, f"notebook.en.md, block {i + 1}", "exec"), namespace)  # noqa: S102 (our own page)
    assert namespace["same"].spec_.sha256 == namespace["card"].spec_.sha256
    assert (tmp_path / "demo_model.json").is_file()
    assert namespace["edited"].bin_table("other_platform_loans")["bin"].tolist()[:4] == ["0", "1–2", "3–5", "≥ 6"]
    assert namespace["quick"].spec_.profile.factor("income_proof").kind == "flag"
    assert len(namespace["strict"].selection_log()) > 0
