"""Data flows one way: no module of the package imports a module that imports it back (core ->
pages -> site -> jobs -> cli), and every module imports on its own in a fresh interpreter."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import scorecard

PACKAGE = Path(scorecard.__file__).resolve().parent


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports_of(path: Path, known: dict[str, Path]) -> set[str]:
    """The package's modules that ``path`` imports, at module level or inside a function (a deferred
    import still runs back up the flow when the function runs)."""
    edges = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            edges |= {a.name for a in node.names if a.name in known}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "scorecard":
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                edges.add(sub if sub in known else node.module)
    return edges


def test_the_import_graph_has_no_cycle():
    known = modules()
    graph = {name: imports_of(path, known) for name, path in known.items()}
    cycles = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        for nxt in sorted(graph.get(name, ())):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join(path[path.index(nxt):] + [nxt]) if nxt in path else f"{name} -> {nxt}")
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert not cycles, "import cycles:\n" + "\n".join(cycles)
    assert len(graph) > 40 and graph["scorecard.cli"]  # the walk saw the whole package


def test_every_module_imports_in_a_fresh_interpreter_and_the_cli_stays_light():
    names = sorted(modules())
    code = ("import importlib, sys\n"
            f"for name in {names!r}:\n"
            "    importlib.import_module(name)\n"
            "print('ok')\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr
    light = subprocess.run([sys.executable, "-c", "import sys, scorecard.cli; "
                            "print(sorted(m for m in ('pandas', 'jinja2', 'duckdb', 'mkdocs', 'optbinning') "
                            "if m in sys.modules))"], capture_output=True, text=True, timeout=120)
    assert light.returncode == 0 and light.stdout.strip() == "[]", light.stdout + light.stderr  # --help stays fast
