"""Interrupted and concurrent runs, as real processes: a killed `explain` (SIGINT or SIGKILL at a random
moment) leaves either its complete output or nothing that looks complete, and no process behind; the
next run cleans up after it; a second run into the same output refuses while the first is writing."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import yaml

from _decision_fixtures import random_tiny_table, tiny_spec, with_reference
from scorecard.spec import save_spec

REPO = Path(__file__).resolve().parents[2]
# The CLI with small chunks, so a few thousand applicants make many chunks for two worker processes.
CLI = ("import sys; import scorecard.jobs.explain as job; job.EXPLAIN_CHUNK = int(sys.argv.pop(1)); "
       "sys.argv[0] = 'scorecard'; from scorecard.cli import main; main()")
ROWS = 4000

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc to find the run's processes")


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("interrupts")
    table = random_tiny_table(ROWS, 5)
    model = save_spec(with_reference(tiny_spec(), table), folder / "model.json")
    data = folder / "applicants.csv"
    table.to_csv(data, index=False)
    policy = yaml.safe_load((REPO / "scorecard" / "policies" / "demo.yaml").read_text(encoding="utf-8"))
    bands = [{"name": "B1", "min_score": 480, "limit": 1000}, {"name": "B2", "min_score": 540, "limit": 3000}]
    (folder / "policy.yaml").write_text(yaml.safe_dump({**policy, "cutoff": 480, "overlays": [], "limit_bands": bands},
                                                       allow_unicode=True), encoding="utf-8")
    return model, data


def start(*args: str, token: str, chunk: int = 200) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO), "SCORECARD_TEST_RUN": token}
    args = (*args, "--policy", str(Path(args[args.index("--model") + 1]).parent / "policy.yaml"))
    return subprocess.Popen([sys.executable, "-c", CLI, str(chunk), *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def processes_of(token: str) -> list[int]:
    """Processes whose environment carries ``token``: the run and everything it started."""
    found = []
    needle = f"SCORECARD_TEST_RUN={token}".encode()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if needle in (entry / "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def wait_until_gone(token: str, seconds: float = 10) -> list[int]:
    deadline = time.monotonic() + seconds
    while (left := processes_of(token)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def looks_complete(out: Path) -> bool:
    return (out / "manifest.json").exists() or (out / "summary.csv").exists()


def check_complete(out: Path, fmt: str) -> None:
    """A complete output: the manifest's counts match the summary and the records."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    summary = (out / "summary.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert manifest["complete"] and manifest["applicants_explained"] == len(summary) == ROWS
    if fmt == "jsonl":
        lines = (out / "records.jsonl").read_text(encoding="utf-8").splitlines()
        assert len(lines) == ROWS and all(json.loads(line)["applicant_id"] for line in lines)
    else:
        records = [p for p in out.glob("*.json") if p.name != "manifest.json"]
        assert len(records) == ROWS
    assert not list(out.glob(".part-*")) and not list(out.glob(".*.part-*"))


@pytest.mark.parametrize("how, fmt", [(signal.SIGINT, "jsonl"), (signal.SIGKILL, "json")])
def test_a_killed_explain_leaves_complete_output_or_nothing_that_looks_complete(inputs, tmp_path, how, fmt):
    model, data = inputs
    out = tmp_path / "out"
    token = uuid.uuid4().hex
    run = start("explain", "--model", str(model), "--data", str(data), "--out", str(out), "--format", fmt,
                "--jobs", "2", token=token)
    time.sleep(random.uniform(0.8, 2.8))  # a random moment: reading, explaining in workers, or done
    run.send_signal(how)
    run.communicate(timeout=60)
    assert wait_until_gone(token) == []  # no worker (nor resource tracker) left behind
    if (out / "manifest.json").exists():
        check_complete(out, fmt)
    else:
        assert not looks_complete(out) and not (out / "records.jsonl").exists()
        assert [p for p in out.glob("*.json")] == []  # no record that could be taken for a result
    # The next run into the same folder cleans up what the killed one left and writes everything.
    again = start("explain", "--model", str(model), "--data", str(data), "--out", str(out), "--format", fmt,
                  "--jobs", "2", token=token)
    _, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    check_complete(out, fmt)
    assert wait_until_gone(token) == []


def test_a_second_explain_into_the_same_folder_refuses_while_the_first_writes(inputs, tmp_path):
    model, data = inputs
    out = tmp_path / "out"
    token = uuid.uuid4().hex
    args = ("explain", "--model", str(model), "--data", str(data), "--out", str(out), "--jobs", "1")
    first = start(*args, "--format", "md", "--lang", "en", token=token)  # pages: a few seconds of writing
    deadline = time.monotonic() + 30
    while not (out / ".scorecard.lock").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    second = start(*args, "--format", "jsonl", token=token)
    _, err2 = second.communicate(timeout=60)
    _, err1 = first.communicate(timeout=120)
    assert first.returncode == 0, err1
    assert second.returncode == 2 and err2.startswith("error: ") and "another scorecard run" in err2
    assert len(err2.strip().splitlines()) == 1
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format"] == "md" and manifest["pages"] == ROWS and len(list(out.glob("*.en.md"))) == ROWS
    assert not (out / ".scorecard.lock").exists()


# --- site and demo: a folder swapped in whole, outputs complete or absent -----------------------------

DEMO_MODEL = REPO / "tests" / "golden" / "demo_model.json"


def cli(*args: str, token: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO), "SCORECARD_TEST_RUN": token}
    return subprocess.Popen([sys.executable, "-c", CLI, "0", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def wait_for(path: Path, seconds: float = 30) -> None:
    """Until ``path`` exists: the run took its lock and does its work."""
    deadline = time.monotonic() + seconds
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.02)


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def previous_site(folder: Path) -> dict[str, bytes]:
    """A site an earlier run built (its marker, a page, a manifest); returns its files."""
    for name, text in {".scorecard-site": "x", "html/index.html": "previous", "manifest.json": "{}"}.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return tree(folder)


def check_new_site(folder: Path) -> None:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["complete"] and manifest["command"] == "site" and manifest["pages"] > 0
    assert "previous" not in (folder / "html" / "index.html").read_text(encoding="utf-8")
    assert (folder / ".scorecard-site").exists()  # the next run may replace it


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGKILL])
def test_a_killed_site_build_leaves_the_previous_site_or_the_new_one(tmp_path, how):
    site = tmp_path / "site"
    before = previous_site(site)
    token = uuid.uuid4().hex
    run = cli("site", "--model", str(DEMO_MODEL), "--out", str(site), token=token)
    wait_for(tmp_path / ".site.lock")
    time.sleep(random.uniform(0, 2.5))  # a random moment: explaining personas, writing pages, MkDocs, swapping
    run.send_signal(how)
    _, err = run.communicate(timeout=60)
    assert wait_until_gone(token) == []
    leftovers = sorted(p.name for p in tmp_path.iterdir() if p.name != "site")
    if how == signal.SIGINT:
        assert leftovers == [], leftovers  # Ctrl-C: the run removed what it staged, and its lock
        assert run.returncode == 0 or (run.returncode == 130 and err.startswith("interrupted: nothing of this run")
                                       and len(err.splitlines()) == 1), err
    if not site.exists():  # killed between the two renames of the swap: the old site waits beside
        assert any(name.startswith(".site.replaced-") for name in leftovers), leftovers
    elif (site / "html" / "index.html").read_text(encoding="utf-8") == "previous":
        assert tree(site) == before  # the previous site, byte for byte
    else:
        check_new_site(site)
    if how == signal.SIGKILL:  # the next run (one that fails after taking the lock) cleans up beside the site
        again = cli("site", "--model", str(DEMO_MODEL), "--out", str(site), "--personas", str(tmp_path / "no.yaml"),
                    token=token)
        _, err = again.communicate(timeout=60)
        assert again.returncode == 2 and "no.yaml: personas file not found" in err
        assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
        assert tree(site) == before or check_new_site(site) is None
    else:  # the next run builds the new site in place of whatever is there
        again = cli("site", "--model", str(DEMO_MODEL), "--out", str(site), token=token)
        _, err = again.communicate(timeout=60)
        assert again.returncode == 0, err
        check_new_site(site)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_killed_demo_leaves_each_output_complete_or_absent(tmp_path):
    out = tmp_path / "demo"
    token = uuid.uuid4().hex
    run = cli("demo", "--out", str(out), "--rows", "3000", token=token)
    wait_for(out / ".scorecard.lock")
    time.sleep(random.uniform(0, 5.0))  # data, training, personas, site, or done
    run.send_signal(signal.SIGKILL)
    run.communicate(timeout=60)
    assert wait_until_gone(token) == []
    from scorecard.spec import load_spec

    if (out / "demo_applicants.csv").exists():
        assert len((out / "demo_applicants.csv").read_text(encoding="utf-8").splitlines()) == 3001
    if (out / "model.json").exists():
        load_spec(out / "model.json")  # whole: its checksum holds
    if (out / "personas.csv").exists():
        assert len((out / "personas.csv").read_text(encoding="utf-8").splitlines()) > 1
    records = [p for p in (out / "personas").glob("*.json") if p.name != "manifest.json"] if (out / "personas").exists() else []
    assert bool(records) == (out / "personas" / "manifest.json").exists()
    if (out / "site").exists():
        check_new_site(out / "site")
    if (out / "manifest.json").exists():
        assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["complete"]
        assert (out / "site" / "manifest.json").exists()
