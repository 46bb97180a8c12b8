"""The catalogue of hostile inputs and situations (issue "nothing lost, nothing overwritten"), one row
per case: what a careless or unlucky user types, the exit code, what the one line on stderr says (or
what the run wrote), and what must still be there afterwards. Every error is one line that starts
with "error:" (never a blank line first, never a traceback); no input is ever changed.

The interrupted and concurrent runs are real processes: tests/jobs/test_interrupts.py.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

import pytest
import yaml
from typer.testing import CliRunner

from _decision_fixtures import random_tiny_table, tiny_spec, with_reference
from scorecard.cli import app
from scorecard.datasets.demo import for_writing, generate
from scorecard.jobs.outputs import Run
from scorecard.spec import load_spec, save_spec, sealed

TESTS = Path(__file__).resolve().parents[1]
POLICY = TESTS.parent / "scorecard" / "policies" / "demo.yaml"
runner = CliRunner()


# --- the world every case starts from (copied into the case's own folder) --------------------------


def _variant(spec, **factor_changes):
    """The tiny spec with ``factor -> {field: value}`` changed in its profile (checksum renewed)."""
    factors = tuple(f.model_copy(update=factor_changes.get(f.name, {})) for f in spec.profile.factors)
    return sealed(replace(spec, profile=spec.profile.model_copy(update={"factors": factors})))


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("world")
    table = random_tiny_table(40, 3)
    tiny = with_reference(tiny_spec(), random_tiny_table(2000, 3))
    save_spec(tiny, folder / "tiny.json")
    table.to_csv(folder / "tiny.csv", index=False)
    save_spec(_variant(tiny, debt_to_income={"max_value": None}), folder / "open.json")
    save_spec(_variant(tiny, debt_to_income={"max_value": None, "allow_infinite": True}), folder / "inf.json")
    dated = sealed(replace(tiny, profile=tiny.profile.model_copy(update={"date_format": "%d/%m/%Y"})))
    save_spec(dated, folder / "dated.json")
    shutil.copy(TESTS / "golden" / "demo_model.json", folder / "demo.json")
    for_writing(generate(60, 3)).to_csv(folder / "demo.csv", index=False, lineterminator="\n")
    base = yaml.safe_load(POLICY.read_text(encoding="utf-8"))
    # A reference population of one kind of applicant: every training score is the same.
    alike = random_tiny_table(50, 3).assign(identity_verified=1, overdue_count=1, other_platform_loans=2,
                                            debt_to_income=0.4, profile_completeness=60, city="C", age=30)
    narrow = with_reference(tiny_spec(), alike)
    save_spec(narrow, folder / "narrow.json")
    only = narrow.reference["bands"][0]["lower"]
    lowest, highest = only - 20, only + 20  # below / above every reference score, inside the scale
    (folder / "tiny_policy.yaml").write_text(yaml.safe_dump(
        {**base, "cutoff": 480, "overlays": [], "limit_bands": [{"name": "B1", "min_score": 480, "limit": 1000},
                                                              {"name": "B2", "min_score": 540, "limit": 3000}]},
        allow_unicode=True), encoding="utf-8")
    for name, changes in {
        "high_cutoff": {"cutoff": 99999, "overlays": [], "limit_bands": [{"name": "B1", "min_score": 0, "limit": 1}]},
        "low_cutoff": {"cutoff": -500, "overlays": [], "limit_bands": [{"name": "B1", "min_score": -600, "limit": 1}]},
        "band_above": {"limit_bands": [*base["limit_bands"], {"name": "B9", "min_score": 5000, "limit": 10**9}]},
        "overlay_above": {"overlays": [{**base["overlays"][0], "cutoff": 9000}]},
        "all_pass": {"cutoff": lowest, "overlays": [], "limit_bands": [{"name": "B1", "min_score": lowest, "limit": 1}]},
        "all_fail": {"cutoff": highest, "overlays": [], "limit_bands": [{"name": "B1", "min_score": highest,
                                                                         "limit": 1}]},
    }.items():
        (folder / f"{name}.yaml").write_text(yaml.safe_dump({**base, **changes}, allow_unicode=True), encoding="utf-8")
    (folder / "broken.yaml").write_text("name: x\ncutoff: [1, 2\nversion: '1'\n", encoding="utf-8")
    return folder


# --- how a case is written ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    args: tuple[str, ...]  # '{folder}' is the case's folder; run there
    code: int = 2
    says: tuple[str, ...] = ()  # parts of the one error line (code 2) or of the output
    setup: Callable[[Path], None] | None = None
    check: Callable[[Path], None] | None = None
    keep: tuple[str, ...] = ("tiny.csv", "tiny.json", "demo.csv", "demo.json")  # inputs that must not change
    notes: tuple[str, ...] = field(default=())  # parts of 'note:' lines on stderr


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def lines(text: str) -> Callable[[Path], None]:
    """Setup: write ``text`` (after a tiny header) as x.csv."""
    header = ",".join(random_tiny_table(1, 0).columns)

    def write(folder: Path) -> None:
        (folder / "x.csv").write_text(header + "\n" + text, encoding="utf-8")

    return write


ROW = "A-{n},1,0,0,0.2,90,A,30,standard,ok,2026-03-01"


def rows(*changes: dict[int, str], n: int = 3) -> str:
    """n good rows; ``changes`` maps a field position to a new value, one dict per row from the first."""
    out = []
    for i in range(n):
        fields = ROW.format(n=i).split(",")
        for position, value in (changes[i] if i < len(changes) else {}).items():
            fields[position] = value
        out.append(",".join(fields))
    return "\n".join(out) + "\n"


def write(name: str, data: bytes | str) -> Callable[[Path], None]:
    def go(folder: Path) -> None:
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            target.write_bytes(data)
        else:
            target.write_text(data, encoding="utf-8")
    return go


def both(*steps: Callable[[Path], None]) -> Callable[[Path], None]:
    def go(folder: Path) -> None:
        for step in steps:
            step(folder)
    return go


def rejects_say(path: str, *parts: str, scored: int | None = None) -> Callable[[Path], None]:
    def check(folder: Path) -> None:
        text = (folder / path).read_text(encoding="utf-8")
        for part in parts:
            assert part in text, (part, text)
        if scored is not None:
            assert len(csv_rows(folder / "s.csv")) == scored
    return check


def files_are(folder_name: str, *expected: str) -> Callable[[Path], None]:
    def check(folder: Path) -> None:
        names = sorted(p.name for p in (folder / folder_name).iterdir() if not p.name.startswith("."))
        assert names == sorted(expected), names
    return check


def absent(*names: str) -> Callable[[Path], None]:
    def check(folder: Path) -> None:
        for name in names:
            assert not (folder / name).exists(), name
    return check


SCORE = ("score", "--model", "tiny.json", "--data", "tiny.csv")
SCORE_X = ("score", "--model", "tiny.json", "--data", "x.csv", "--out", "s.csv")
EXPLAIN = ("explain", "--model", "tiny.json", "--data", "tiny.csv", "--policy", "tiny_policy.yaml")
EXPLAIN_X = ("explain", "--model", "tiny.json", "--data", "x.csv", "--policy", "tiny_policy.yaml", "--out", "D")
DEMO_EXPLAIN = ("explain", "--model", "demo.json", "--data", "demo.csv", "--out", "D")
NARROW_EXPLAIN = ("explain", "--model", "narrow.json", "--data", "tiny.csv", "--out", "D")
NOT_WRITABLE = "/proc/scorecard-cannot-write-here"
DOCUMENT = ("document", "--model", "tiny.json", "--data", "tiny.csv", "--out", "d.html", "--lang", "en")
MONITOR = ("monitor", "--model", "demo.json", "--data", "demo.csv", "--out", "m.html", "--lang", "en")
DRAFT = ("profile", "draft", "--data", "demo.csv", "--target", "bad", "--out", "p.yaml")
SITE = ("site", "--model", "demo.json", "--out", "S")
PREVIOUS_SITE = {".scorecard-site": "x", "html/index.html": "previous", "manifest.json": "{}"}


def site_at(name: str) -> Callable[[Path], None]:
    """Setup: a site an earlier run built at ``name`` (its marker, a page, its manifest)."""
    return both(*(write(f"{name}/{path}", text) for path, text in PREVIOUS_SITE.items()))


def site_kept(name: str) -> Callable[[Path], None]:
    """Check: the earlier site at ``name``, file for file, and nothing staged or set aside beside it."""
    def check(folder: Path) -> None:
        site = folder / name
        assert {p.relative_to(site).as_posix(): p.read_text(encoding="utf-8") for p in site.rglob("*")
                if p.is_file()} == PREVIOUS_SITE
        beside = sorted(p.name for p in folder.glob(f".{name}.*"))
        assert beside == [], beside
    return check


def test_world_policy_fits_the_tiny_model(world, monkeypatch):
    monkeypatch.chdir(world)
    result = runner.invoke(app, [*EXPLAIN, "--out", "fits"])
    assert result.exit_code == 0, result.output
    shutil.rmtree(world / "fits")


CASES = [
    # --- an output over an input or over another output ------------------------------------------------
    Case("score out is rejects", (*SCORE, "--out", "s.csv", "--rejects", "s.csv"), says=("--out and --rejects",),
         check=absent("s.csv")),
    Case("score out is data", (*SCORE, "--out", "tiny.csv"), says=("--out tiny.csv is also the input --data",)),
    Case("score rejects is data", (*SCORE, "--out", "s.csv", "--rejects", "tiny.csv"), says=("--rejects",)),
    Case("score out is model", ("score", "--model", "m.csv", "--data", "tiny.csv", "--out", "m.csv"),
         setup=lambda f: shutil.copy(f / "tiny.json", f / "m.csv"), says=("--out m.csv is also the input --model",)),
    Case("score rejects is model", ("score", "--model", "m.csv", "--data", "tiny.csv", "--out", "s.csv",
                                    "--rejects", "m.csv"), setup=write("m.csv", "x"), says=("--rejects m.csv",)),
    Case("score out is data by another spelling", (*SCORE, "--out", "./sub/../tiny.csv"), setup=write("sub/k", "k"),
         says=("is also the input --data",)),
    Case("score out is a symlink to data", (*SCORE, "--out", "link.csv"),
         setup=lambda f: (f / "link.csv").symlink_to(f / "tiny.csv"), says=("is also the input --data",)),
    Case("score out is a hard link to data", (*SCORE, "--out", "hard.csv"),
         setup=lambda f: os.link(f / "tiny.csv", f / "hard.csv"), says=("is also the input --data",)),
    Case("score out is an existing folder", (*SCORE, "--out", "dir.csv"), setup=write("dir.csv/x", "x"),
         says=("is a folder",)),
    Case("score manifest would be the data", ("score", "--model", "tiny.json", "--data", "s.manifest.json",
                                              "--out", "s.csv"), setup=write("s.manifest.json", "{}"),
         says=("is also the input --data",)),
    Case("explain rejects is data", (*EXPLAIN, "--out", "D", "--rejects", "tiny.csv"), says=("--rejects tiny.csv",)),
    Case("explain rejects inside out", (*EXPLAIN, "--out", "D", "--rejects", "D/summary.csv"),
         says=("--rejects D/summary.csv is inside --out D",), check=absent("D/summary.csv")),
    Case("explain rejects named as the default", (*EXPLAIN, "--out", "D", "--rejects", "D/rejects.csv"), code=0,
         says=("explained 40 applicants",), check=files_are("D", *[f"R{i:05d}.json" for i in range(40)],
                                                            "summary.csv", "rejects.csv", "manifest.json")),
    Case("explain out holds the model", ("explain", "--model", "proj/model.json", "--data", "tiny.csv", "--policy",
                                         "tiny_policy.yaml", "--out", "proj"),
         setup=lambda f: (f / "proj").mkdir() or shutil.copy(f / "tiny.json", f / "proj" / "model.json"),
         says=("--model proj/model.json is inside --out proj",)),
    Case("explain out holds the data", ("explain", "--model", "tiny.json", "--data", "D/tiny.csv", "--policy",
                                        "tiny_policy.yaml", "--out", "D"),
         setup=lambda f: (f / "D").mkdir() or shutil.copy(f / "tiny.csv", f / "D" / "tiny.csv"),
         says=("--data D/tiny.csv is inside --out D",)),
    Case("explain out holds the policy", ("explain", "--model", "tiny.json", "--data", "tiny.csv", "--policy",
                                          "D/p.yaml", "--out", "D"),
         setup=lambda f: (f / "D").mkdir() or shutil.copy(f / "tiny_policy.yaml", f / "D" / "p.yaml"),
         says=("--policy D/p.yaml is inside --out D",)),
    Case("explain out is the working folder", (*EXPLAIN, "--out", "."), says=("is inside --out .",)),
    Case("explain out is someone else's folder", (*EXPLAIN, "--out", "mine"), setup=write("mine/notes.txt", "mine"),
         says=("not written by 'scorecard explain'",), check=files_are("mine", "notes.txt")),
    Case("explain out is a file", (*EXPLAIN, "--out", "tiny.csv"), says=("--out tiny.csv: is a file",)),
    Case("explain out is the data file", (*EXPLAIN, "--out", "plain.txt"), setup=write("plain.txt", "x"),
         says=("is a file",)),
    Case("site out is a file", ("site", "--model", "demo.json", "--out", "demo.csv"), says=("is a file",)),
    Case("site out is the model", ("site", "--model", "demo.json", "--out", "demo.json"), says=("is a file",)),
    Case("train out is data", ("train", "--data", "demo.csv", "--out", "demo.csv"),
         says=("--out demo.csv is also the input --data",)),
    Case("train out is the profile", ("train", "--data", "demo.csv", "--profile", "p.yaml", "--out", "p.yaml"),
         setup=write("p.yaml", "name: p"), says=("--out p.yaml is also the input --profile",)),
    Case("train out is a folder", ("train", "--data", "demo.csv", "--out", "M"), setup=write("M/x", "x"),
         says=("--out M: is a folder",)),
    Case("export sql over its model", ("export", "sql", "--model", "tiny.json", "--out", "tiny.json"),
         says=("--out tiny.json is also the input --model",)),
    Case("export sql into a new folder", ("export", "sql", "--model", "tiny.json", "--out", "new/q.sql"), code=0,
         check=lambda f: (f / "new" / "q.sql").read_text(encoding="utf-8").startswith(("SELECT", "WITH", "--"))),
    Case("data demo over a folder", ("data", "demo", "--out", "F.csv", "--rows", "5"), setup=write("F.csv/x", "x"),
         says=("is a folder",)),
    # --- applicant ids and file names -------------------------------------------------------------------
    Case("ids that clash after the case fold", EXPLAIN_X,
         setup=lines(rows({0: "x_-14f825b2bb"}, {0: "X"}, {0: "x"})), code=0, says=("explained 3 applicants",),
         check=lambda f: len({r["file"].lower() for r in csv_rows(f / "D" / "summary.csv")}) == 3
         and all((f / "D" / r["file"]).is_file() for r in csv_rows(f / "D" / "summary.csv"))),
    Case("ids that differ only in case", EXPLAIN_X, setup=lines(rows({0: "abc"}, {0: "ABC"}, {0: "Abc"})), code=0,
         check=lambda f: sorted(r["file"] for r in csv_rows(f / "D" / "summary.csv"))
         == ["ABC~2.json", "Abc~3.json", "abc.json"]),
    Case("an applicant called manifest", EXPLAIN_X, setup=lines(rows({0: "manifest"}, {0: "model"})), code=0,
         check=lambda f: json.loads((f / "D" / "manifest.json").read_text(encoding="utf-8"))["complete"]
         and json.loads((f / "D" / "manifest~2.json").read_text(encoding="utf-8"))["applicant_id"] == "manifest"),
    Case("ids that climb out of the folder", EXPLAIN_X, setup=lines(rows({0: "../../evil"}, {0: "/etc/passwd"})),
         code=0, check=lambda f: not (f.parent / "evil.json").exists() and len(list((f / "D").glob("*.json"))) == 4),
    Case("a formula id in summary.csv", EXPLAIN_X, setup=lines(rows({0: '"=HYPERLINK(""http://x"",""y"")"'})),
         code=0, check=lambda f: csv_rows(f / "D" / "summary.csv")[0]["applicant_id"].startswith("'=HYPERLINK")),
    Case("a formula id in the rejects", EXPLAIN_X, setup=lines(rows({0: "@SUM(A1)", 3: "-4"})), code=0,
         check=lambda f: csv_rows(f / "D" / "rejects.csv")[0]["id"] == "'@SUM(A1)"),
    Case("a formula id in scores.csv", SCORE_X, setup=lines(rows({0: "+cmd|' /C calc'!A0"})), code=0,
         check=lambda f: csv_rows(f / "s.csv")[0]["id"].startswith("'+cmd")),
    Case("a negative number id stays a number", SCORE_X, setup=lines(rows({0: "-42"})), code=0,
         check=lambda f: csv_rows(f / "s.csv")[0]["id"] == "-42"),
    Case("DuckDB neutralises formula ids like NumPy", (*SCORE_X, "--engine", "duckdb"),
         setup=lines(rows({0: "=1+1"}, {0: "-42"}, {0: "@x", 3: "-4"})), code=0,
         check=lambda f: [r["id"] for r in csv_rows(f / "s.csv")] == ["'=1+1", "-42"]
         and csv_rows(f / "s.rejects.csv")[0]["id"] == "'@x"),
    Case("DuckDB rejects the dates NumPy rejects", (*SCORE_X, "--engine", "duckdb"),
         setup=lines(rows({10: "15/08/2026"}, {10: "2026-13-45"})), code=0,
         check=rejects_say("s.rejects.csv", "date '15/08/2026' is not written as %Y-%m-%d", "2026-13-45", scored=1)),
    Case("parquet scores keep ids as they are", ("score", "--model", "tiny.json", "--data", "x.csv", "--out",
                                                  "s.parquet"), setup=lines(rows({0: "=1+1"})), code=0,
         check=lambda f: __import__("pandas").read_parquet(f / "s.parquet")["id"].iloc[0] == "=1+1"),
    # --- rows whole or rejected ---------------------------------------------------------------------------
    Case("a row with too few fields", SCORE_X, setup=lines(rows(n=2) + "A-9,1,0\n"), code=0,
         says=("1 rows could not be scored",), check=rejects_say("s.rejects.csv", "has 3 fields, the header 11",
                                                                  scored=2)),
    Case("a last line cut mid-row", SCORE_X, setup=lines(rows(n=3)[:-20]), code=0,
         check=rejects_say("s.rejects.csv", "A-2", "the header 11", scored=2)),
    Case("a row with too many fields", SCORE_X, setup=lines(rows(n=2) + ROW.format(n=7) + ",extra\n"), code=0,
         check=rejects_say("s.rejects.csv", "has 12 fields", scored=2)),
    Case("a first row with too many fields", SCORE_X, setup=lines(ROW.format(n=7) + ",extra\n" + rows(n=2)), code=0,
         check=lambda f: [r["id"] for r in csv_rows(f / "s.csv")] == ["A-0", "A-1"]
         and csv_rows(f / "s.rejects.csv")[0]["row"] == "1"),
    Case("a blank line is not a row", SCORE_X, setup=lines(rows(n=1) + "\n   \n" + rows({0: "B-0"}, n=1)), code=0,
         says=("scored 2 rows", "0 rows could not be scored")),
    Case("empty trailing fields are whole", SCORE_X, setup=lines(rows({8: "", 9: "", 10: ""}, n=1)), code=0,
         says=("scored 1 rows",)),
    Case("a date in another format", SCORE_X, setup=lines(rows({10: "15/08/2026"})), code=0,
         check=rejects_say("s.rejects.csv", "date '15/08/2026' is not written as %Y-%m-%d", scored=2)),
    Case("an impossible date", SCORE_X, setup=lines(rows({10: "2026-13-45"})), code=0,
         check=rejects_say("s.rejects.csv", "2026-13-45", scored=2)),
    Case("a date in words", SCORE_X, setup=lines(rows({10: '"Aug 15 2026"'})), code=0,
         check=rejects_say("s.rejects.csv", "Aug 15 2026", scored=2)),
    Case("a date the profile declares", ("score", "--model", "dated.json", "--data", "x.csv", "--out", "s.csv"),
         setup=lines(rows({10: "15/08/2026"}, {10: "2026-08-15"}, n=2)), code=0,
         check=rejects_say("s.rejects.csv", "2026-08-15", "%d/%m/%Y", scored=1)),
    Case("a declared date reaches the policy as a day", ("explain", "--model", "dated.json", "--data", "x.csv",
                                                         "--policy", "tiny_policy.yaml", "--out", "D"),
         setup=lines(rows({10: "15/08/2026"})), code=0,
         check=lambda f: json.loads((f / "D" / "A-0.json").read_text(encoding="utf-8"))["snapshot_date"]
         == "2026-08-15"),
    Case("the 2026H2 overlay is never skipped by a bad date", ("explain", "--model", "demo.json", "--data", "y.csv",
                                                               "--out", "D"),
         setup=lambda f: (f / "y.csv").write_text((f / "demo.csv").read_text(encoding="utf-8")
                                                  .replace("2026-", "15/", 1), encoding="utf-8"),
         code=0, check=rejects_say("D/rejects.csv", "snapshot_date", "is not written as")),
    Case("infinity without a maximum", ("score", "--model", "open.json", "--data", "x.csv", "--out", "s.csv"),
         setup=lines(rows({4: "inf"}, {4: "-Infinity"})), code=0,
         check=rejects_say("s.rejects.csv", "not a finite number", "below the minimum 0", scored=1)),
    Case("infinity a profile allows", ("score", "--model", "inf.json", "--data", "x.csv", "--out", "s.csv"),
         setup=lines(rows({4: "inf"})), code=0, says=("scored 3 rows",)),
    Case("infinity above a maximum", SCORE_X, setup=lines(rows({4: "Infinity"})), code=0,
         check=rejects_say("s.rejects.csv", "above the maximum 20", scored=2)),
    Case("a huge finite number without a maximum", ("score", "--model", "open.json", "--data", "x.csv", "--out",
                                                    "s.csv"), setup=lines(rows({4: "1e308"})), code=0,
         says=("scored 3 rows",)),
    Case("nan text is a missing value", SCORE_X, setup=lines(rows({4: "nan"}, {4: "NA"})), code=0,
         says=("scored 3 rows",)),
    Case("not a number", SCORE_X, setup=lines(rows({4: "lots"})), code=0,
         check=rejects_say("s.rejects.csv", "not a number", scored=2)),
    Case("an unknown category", SCORE_X, setup=lines(rows({6: "Z"})), code=0, says=("scored 3 rows",)),
    Case("an empty id", SCORE_X, setup=lines(rows({0: ""})), code=0,
         check=rejects_say("s.rejects.csv", "empty id", scored=2)),
    Case("a repeated id and date", SCORE_X, setup=lines(rows({0: "A-1"})), code=0,
         check=rejects_say("s.rejects.csv", "repeated id", scored=2)),
    Case("below a minimum", SCORE_X, setup=lines(rows({3: "-4"})), code=0,
         check=rejects_say("s.rejects.csv", "below the minimum 0", scored=2)),
    Case("not a whole number", SCORE_X, setup=lines(rows({2: "1.5"})), code=0,
         check=rejects_say("s.rejects.csv", "not a whole number", scored=2)),
    # --- encodings and separators ---------------------------------------------------------------------------
    Case("a GBK file", SCORE_X, setup=lambda f: (f / "x.csv").write_bytes(
        (",".join(random_tiny_table(1, 0).columns) + "\n" + rows({0: "张三"})).encode("gbk")), code=0,
         says=("scored 3 rows",), notes=("read as GBK", "line 2", "张三")),
    Case("Latin-1 bytes that happen to be GBK", SCORE_X, setup=lambda f: (f / "x.csv").write_bytes(
        (",".join(random_tiny_table(1, 0).columns) + "\n" + rows({0: "Müller01"})).encode("latin-1")), code=0,
         notes=("read as GBK", "line 2", "M黮ler01", "save the file as UTF-8")),
    Case("a byte that is neither UTF-8 nor GBK", SCORE_X, setup=lambda f: (f / "x.csv").write_bytes(
        (",".join(random_tiny_table(1, 0).columns) + "\n" + rows(n=2)).encode() + b"A-\xff\xff,1\n"),
         says=("line 4 (byte 0xff) is not UTF-8", "line 4 (byte 0xff) is not GBK", "save the file as UTF-8")),
    Case("a semicolon-separated file", SCORE_X, setup=lambda f: lines(rows())(f) or (f / "x.csv").write_text(
        (f / "x.csv").read_text(encoding="utf-8").replace(",", ";"), encoding="utf-8"), code=0,
         says=("scored 3 rows",), notes=("no comma but 10 semicolons", "read as semicolon-separated")),
    Case("a tab-separated file", SCORE_X, setup=lambda f: lines(rows())(f) or (f / "x.csv").write_text(
        (f / "x.csv").read_text(encoding="utf-8").replace(",", "\t"), encoding="utf-8"), code=0,
         says=("scored 3 rows",), notes=("read as tab-separated",)),
    Case("a separator given with --sep", (*SCORE_X, "--sep", "|"), setup=lambda f: lines(rows())(f) or (
        f / "x.csv").write_text((f / "x.csv").read_text(encoding="utf-8").replace(",", "|"), encoding="utf-8"),
         code=0, says=("scored 3 rows",)),
    Case("a separator of two characters", (*SCORE_X, "--sep", "||"), setup=lines(rows()), says=("give one character",)),
    Case("DuckDB and a semicolon file", (*SCORE_X, "--engine", "duckdb"), setup=lambda f: lines(rows())(f) or (
        f / "x.csv").write_text((f / "x.csv").read_text(encoding="utf-8").replace(",", ";"), encoding="utf-8"),
         says=("DuckDB engine reads comma-separated files",)),
    Case("DuckDB and a row with too few fields", (*SCORE_X, "--engine", "duckdb"),
         setup=lines(rows(n=2) + "A-9,1,0\n"), says=("cannot be read as CSV", "--engine numpy")),
    Case("an empty file", SCORE_X, setup=write("x.csv", ""), says=("the file is empty",)),
    Case("a header and no rows", SCORE_X, setup=lines(""), says=("no data rows",)),
    Case("missing columns", SCORE_X, setup=write("x.csv", "a,b\n1,2\n"), says=("missing column(s)",)),
    Case("a damaged Parquet file", ("score", "--model", "tiny.json", "--data", "x.parquet", "--out", "s.csv"),
         setup=write("x.parquet", b"PAR1garbage"), says=("not a readable Parquet file",)),
    Case("an unknown file type", ("score", "--model", "tiny.json", "--data", "x.xlsx", "--out", "s.csv"),
         setup=write("x.xlsx", "x"), says=("unknown file type",)),
    Case("a missing data file", ("score", "--model", "tiny.json", "--data", "nope.csv", "--out", "s.csv"),
         says=("nope.csv: file not found",)),
    Case("a quote never closed", SCORE_X, setup=lines('A-1,"1,0\n'), says=("not a well-formed CSV",)),
    # --- a policy checked against its model ---------------------------------------------------------------
    Case("a cutoff above every score", (*DEMO_EXPLAIN, "--policy", "high_cutoff.yaml"),
         says=("the cutoff 99999 is above the highest score", "--policy-check warn"), check=absent("D")),
    Case("a cutoff below every score", (*DEMO_EXPLAIN, "--policy", "low_cutoff.yaml"),
         says=("the cutoff -500 is at or below the lowest score",)),
    Case("a cutoff above every score, warned", (*DEMO_EXPLAIN, "--policy", "high_cutoff.yaml", "--policy-check",
                                                "warn"), code=0, notes=("99999",)),
    Case("a band above every score", (*DEMO_EXPLAIN, "--policy", "band_above.yaml"),
         says=("limit band B9 starts at 5000",)),
    Case("an overlay cutoff above every score", (*DEMO_EXPLAIN, "--policy", "overlay_above.yaml"),
         says=("overlay OVL.YOUNG_SEGMENT_CUTOFF's cutoff 9000",)),
    Case("a cutoff that approves the whole reference population", (*NARROW_EXPLAIN, "--policy", "all_pass.yaml"),
         says=("approves all 50 applicants of the reference population",)),
    Case("a cutoff that declines the whole reference population", (*NARROW_EXPLAIN, "--policy", "all_fail.yaml"),
         says=("declines all 50 applicants",)),
    Case("site refuses a policy that does not fit", ("site", "--model", "demo.json", "--out", "S", "--policy",
                                                     "high_cutoff.yaml"), says=("99999",), check=absent("S")),
    Case("a policy YAML syntax error", (*DEMO_EXPLAIN, "--policy", "broken.yaml"), says=("at line 3",)),
    Case("a policy column missing from the data", ("explain", "--model", "tiny.json", "--data", "x.csv", "--policy",
                                                   "tiny_policy.yaml", "--out", "D"),
         setup=lambda f: random_tiny_table(5, 1).drop(columns=["system_status"]).to_csv(f / "x.csv", index=False),
         says=("system_status",), check=lambda f: not (f / "D" / "summary.csv").exists()
         and not (f / "D" / "rejects.csv").exists()),
    # --- specs and training options -------------------------------------------------------------------------
    Case("a spec with a NaN intercept", ("score", "--model", "bad.json", "--data", "tiny.csv", "--out", "s.csv"),
         setup=lambda f: (f / "bad.json").write_text(
             (f / "tiny.json").read_text(encoding="utf-8").replace('"intercept": ', '"intercept": NaN, "x": ', 1),
             encoding="utf-8"), says=("bad.json",)),
    Case("a spec with schema_version as text", ("score", "--model", "bad.json", "--data", "tiny.csv", "--out",
                                                "s.csv"),
         setup=lambda f: (f / "bad.json").write_text(json.dumps({**json.loads((f / "tiny.json").read_text(
             encoding="utf-8")), "schema_version": "1"}), encoding="utf-8"), says=("schema_version must be a whole",)),
    Case("a truncated spec", ("score", "--model", "bad.json", "--data", "tiny.csv", "--out", "s.csv"),
         setup=lambda f: (f / "bad.json").write_text((f / "tiny.json").read_text(encoding="utf-8")[:500],
                                                      encoding="utf-8"), says=("not valid JSON",)),
    Case("an edited spec", ("score", "--model", "bad.json", "--data", "tiny.csv", "--out", "s.csv"),
         setup=lambda f: (f / "bad.json").write_text((f / "tiny.json").read_text(encoding="utf-8").replace(
             '"points": 40', '"points": 41', 1), encoding="utf-8"), says=("bad.json",)),
    Case("a missing spec", ("score", "--model", "none.json", "--data", "tiny.csv", "--out", "s.csv"),
         says=("none.json: scorecard spec not found",)),
    Case("train with pdo inf", ("train", "--data", "demo.csv", "--out", "m.json", "--pdo", "inf"),
         says=("--pdo inf: give a finite number",), check=absent("m.json")),
    Case("train with base score nan", ("train", "--data", "demo.csv", "--out", "m.json", "--base-score", "nan"),
         says=("--base-score nan: give a finite number",)),
    Case("psi of a table with no scorable row", ("psi", "--model", "tiny.json", "--base", "tiny.csv", "--compare",
                                                 "x.csv"), setup=lines(rows({3: "-4"}, {3: "-4"}, {3: "-4"})),
         says=("none of its 3 rows can be scored",)),
    # --- file-system problems ---------------------------------------------------------------------------------
    Case("score into a folder that cannot be written", (*SCORE, "--out", f"{NOT_WRITABLE}/s.csv"),
         says=("check the path",)),
    Case("explain into a folder that cannot be written", (*EXPLAIN, "--out", f"{NOT_WRITABLE}/D"),
         says=("check the path",)),
    Case("export sql into a folder that cannot be written", ("export", "sql", "--model", "tiny.json", "--out",
                                                             f"{NOT_WRITABLE}/q.sql"), says=("check the path",)),
    Case("data demo into a folder that cannot be written", ("data", "demo", "--out", f"{NOT_WRITABLE}/d.csv",
                                                            "--rows", "5"), says=("check the path",)),
    Case("train into a folder that cannot be written", ("train", "--data", "demo.csv", "--out",
                                                        f"{NOT_WRITABLE}/m.json"), says=("check the path",)),
    Case("site into a folder that cannot be written", ("site", "--model", "demo.json", "--out", f"{NOT_WRITABLE}/S"),
         says=("check the path",)),
    Case("a data path that is a folder", ("score", "--model", "tiny.json", "--data", "F.csv", "--out", "s.csv"),
         setup=write("F.csv/x", "x"), says=("F.csv",)),
    # --- all or nothing, visibly --------------------------------------------------------------------------------
    Case("score writes a manifest last", (*SCORE, "--out", "s.csv"), code=0,
         check=lambda f: json.loads((f / "s.manifest.json").read_text(encoding="utf-8")) | {} == {
             "command": "score", "complete": True, "engine": "numpy", "model_sha256": load_spec(f / "tiny.json").sha256,
             "rows_in": 40, "rows_scored": 40, "rows_rejected": 0, "scores": "s.csv", "rejects": "s.rejects.csv"}),
    Case("explain writes a manifest last", (*EXPLAIN, "--out", "D", "--format", "jsonl"), code=0,
         check=lambda f: json.loads((f / "D" / "manifest.json").read_text(encoding="utf-8"))["applicants_explained"]
         == 40 == len((f / "D" / "records.jsonl").read_text(encoding="utf-8").splitlines())),
    Case("a rerun replaces the records of the run before", (*EXPLAIN, "--out", "D"),
         setup=lambda f: runner.invoke(app, ["explain", "--model", str(f / "tiny.json"), "--data", str(f / "x.csv"),
                                             "--policy", str(f / "tiny_policy.yaml"), "--out", str(f / "D")])
         if lines(rows({0: "OLD-1"}))(f) is None else None, code=0,
         check=lambda f: not (f / "D" / "OLD-1.json").exists() and (f / "D" / "R00000.json").exists()),
    Case("leftovers of a killed explain are cleaned", (*EXPLAIN, "--out", "D"),
         setup=both(write("D/.scorecard-explain", "x"), write("D/.part-1-dead/summary.csv", "half"),
                    write("D/.rejects.part-1-dead.csv", "half")), code=0,
         check=lambda f: sorted(p.name for p in (f / "D").iterdir() if p.name.startswith(".")) == [".scorecard-explain"]),
    Case("leftovers of a killed score are cleaned", (*SCORE, "--out", "s.csv"),
         setup=both(write(".s.part-1-dead.csv", "half"), write(".s.rejects.part-1-dead.csv", "half")), code=0,
         check=lambda f: not list(f.glob(".*.part-*"))),
    Case("an old manifest never vouches for a failed run", ("score", "--model", "tiny.json", "--data", "x.csv",
                                                            "--out", "s.csv"),
         setup=both(write("s.csv", "old"), write("s.manifest.json", "{}"), write("x.csv", "a,b\n1,2\n")),
         says=("missing column(s)",), check=lambda f: (f / "s.csv").read_text(encoding="utf-8") == "old"),
    Case("a second run while the first holds the folder", (*EXPLAIN, "--out", "D"),
         setup=lambda f: HELD.append(_hold(f / "D")), says=("another scorecard run", "is writing there")),
    Case("a second score while the first holds its output", (*SCORE, "--out", "s.csv"),
         setup=lambda f: HELD.append(_hold(f / "s.csv", folder=False)), says=("another scorecard run",)),
    # --- every command that writes: its guard, its lock, its staging -------------------------------------
    Case("document over its model", ("document", "--model", "m.html", "--data", "tiny.csv", "--out", "m.html"),
         setup=lambda f: shutil.copy(f / "tiny.json", f / "m.html"), says=("--out m.html is also the input --model",)),
    Case("document's Markdown over its data", ("document", "--model", "tiny.json", "--data", "r.md", "--out", "r.html"),
         setup=write("r.md", "keep"), says=("--out (Markdown) r.md is also the input --data",), keep=("r.md",)),
    Case("document out is a folder", ("document", "--model", "tiny.json", "--data", "tiny.csv", "--out", "d.html"),
         setup=write("d.html/x", "x"), says=("--out d.html: is a folder",)),
    Case("document into a folder that cannot be written", ("document", "--model", "tiny.json", "--data", "tiny.csv",
                                                          "--out", f"{NOT_WRITABLE}/d.html"), says=("check the path",)),
    Case("a second document while the first holds its output", DOCUMENT,
         setup=lambda f: HELD.append(_hold(f / "d.html", folder=False)), says=("another scorecard run",),
         check=absent("d.html", "d.md")),
    Case("document writes the HTML and the Markdown together", DOCUMENT, code=0, check=lambda f: (f / "d.html").is_file()
         and (f / "d.md").is_file() and not list(f.glob(".*part-*")) and not list(f.glob(".*.lock"))),
    Case("a failed document leaves the earlier one", ("document", "--model", "tiny.json", "--data", "x.csv", "--out",
                                                      "d.html", "--lang", "en"),
         setup=both(write("d.html", "old"), write("d.md", "old"), write("x.csv", "a,b\n1,2\n")),
         says=("missing column(s)",), keep=("d.html", "d.md")),
    Case("monitor over its data", ("monitor", "--model", "tiny.json", "--data", "m.html", "--out", "m.html"),
         setup=write("m.html", "x"), says=("--out m.html is also the input --data",)),
    Case("monitor over its thresholds", ("monitor", "--model", "tiny.json", "--data", "tiny.csv", "--thresholds",
                                         "t.html", "--out", "t.html"), setup=write("t.html", "psi_watch: 0.1\n"),
         says=("--out t.html is also the input --thresholds",), keep=("t.html",)),
    Case("monitor out is a folder", ("monitor", "--model", "tiny.json", "--data", "tiny.csv", "--out", "m.html"),
         setup=write("m.html/x", "x"), says=("--out m.html: is a folder",)),
    Case("monitor into a folder that cannot be written", ("monitor", "--model", "tiny.json", "--data", "tiny.csv",
                                                         "--out", f"{NOT_WRITABLE}/m.html"), says=("check the path",)),
    Case("a second monitor while the first holds its page", MONITOR,
         setup=lambda f: HELD.append(_hold(f / "m.html", folder=False)), says=("another scorecard run",),
         check=absent("m.html")),
    Case("a failed monitor leaves the earlier page", ("monitor", "--model", "demo.json", "--data", "x.csv", "--out",
                                                      "m.html"), setup=both(write("m.html", "old"), write("x.csv", "a,b\n1,2\n")),
         says=("missing column(s)",), keep=("m.html",)),
    Case("monitor writes its page", MONITOR, code=0,
         check=lambda f: "<html" in (f / "m.html").read_text(encoding="utf-8") and not list(f.glob(".*part-*"))),
    Case("profile draft over its data", ("profile", "draft", "--data", "tiny.csv", "--target", "bad", "--out",
                                         "tiny.csv"), says=("--out tiny.csv is also the input --data",)),
    Case("profile draft out is a folder", (*DRAFT[:-1], "P.yaml"), setup=write("P.yaml/x", "x"),
         says=("--out P.yaml: is a folder",)),
    Case("profile draft into a folder that cannot be written", (*DRAFT[:-1], f"{NOT_WRITABLE}/p.yaml"),
         says=("check the path",)),
    Case("a second profile draft while the first holds its output", DRAFT,
         setup=lambda f: HELD.append(_hold(f / "p.yaml", folder=False)), says=("another scorecard run",),
         check=absent("p.yaml")),
    Case("profile draft never replaces a profile", DRAFT, setup=write("p.yaml", "name: mine\n"),
         says=("p.yaml: the file exists",), keep=("p.yaml",)),
    Case("profile draft writes a profile", DRAFT, code=0, says=("wrote a starting profile to p.yaml",),
         check=lambda f: "target" in (f / "p.yaml").read_text(encoding="utf-8") and not list(f.glob(".*part-*"))),
    Case("report plots into the model's folder", ("report", "--model", "proj/model.json", "--plots", "proj"),
         setup=lambda f: (f / "proj").mkdir() or shutil.copy(f / "tiny.json", f / "proj" / "model.json"),
         says=("--model proj/model.json is inside --plots proj",)),
    Case("report plots over a file", ("report", "--model", "tiny.json", "--plots", "tiny.csv"), says=("is a file",)),
    Case("report plots into a folder that cannot be written", ("report", "--model", "tiny.json", "--plots",
                                                              f"{NOT_WRITABLE}/P"), says=("check the path",)),
    Case("report plots into someone else's folder", ("report", "--model", "tiny.json", "--plots", "mine"),
         setup=write("mine/notes.txt", "mine"), says=("not written by 'scorecard report --plots'",),
         check=files_are("mine", "notes.txt")),
    Case("a second report while the first holds the plots", ("report", "--model", "tiny.json", "--plots", "P"),
         setup=lambda f: HELD.append(_hold(f / "P")), says=("another scorecard run",)),
    Case("export sql out is a folder", ("export", "sql", "--model", "tiny.json", "--out", "Q.sql"),
         setup=write("Q.sql/x", "x"), says=("--out Q.sql: is a folder",)),
    Case("a second export sql while the first holds its output", ("export", "sql", "--model", "tiny.json", "--out",
                                                                  "q.sql"),
         setup=lambda f: HELD.append(_hold(f / "q.sql", folder=False)), says=("another scorecard run",),
         check=absent("q.sql")),
    Case("a second train while the first holds its spec", ("train", "--data", "demo.csv", "--out", "m.json"),
         setup=lambda f: HELD.append(_hold(f / "m.json", folder=False)), says=("another scorecard run",),
         check=absent("m.json")),
    Case("a second data demo while the first holds its file", ("data", "demo", "--out", "d.csv", "--rows", "5"),
         setup=lambda f: HELD.append(_hold(f / "d.csv", folder=False)), says=("another scorecard run",),
         check=absent("d.csv")),
    Case("site over a previous site with a policy that does not fit", (*SITE, "--policy", "high_cutoff.yaml"),
         setup=site_at("S"), says=("99999",), check=site_kept("S")),
    Case("a failed site build leaves the previous site", (*SITE, "--personas", "no.yaml"), setup=site_at("S"),
         says=("no.yaml: personas file not found",), check=site_kept("S")),
    Case("leftovers of a killed site build are cleaned", (*SITE, "--personas", "no.yaml"),
         setup=both(site_at("S"), write(".S.part-1-dead/html/index.html", "half"),
                    write(".S.replaced-1-dead/html/index.html", "older")), says=("personas file not found",),
         check=site_kept("S")),
    Case("a site a killed swap set aside is put back", (*SITE, "--personas", "no.yaml"),
         setup=both(site_at(".S.replaced-1-dead"), write(".S.part-1-dead/html/index.html", "new, never vouched for")),
         says=("personas file not found",), check=site_kept("S")),
    Case("site out is someone else's folder", SITE, setup=write("S/notes.txt", "mine"),
         says=("not written by 'scorecard site'",), check=files_are("S", "notes.txt")),
    Case("site out holds the model", ("site", "--model", "S/m.json", "--out", "S"),
         setup=lambda f: (f / "S").mkdir() or shutil.copy(f / "demo.json", f / "S" / "m.json"),
         says=("--model S/m.json is inside --out S",)),
    Case("site out is the working folder", ("site", "--model", "demo.json", "--out", "."),
         says=("--model demo.json is inside --out .",)),
    Case("a second site while the first holds the folder", SITE, setup=both(
        site_at("S"), lambda f: HELD.append(_hold(f / "S", folder=False))), says=("another scorecard run",),
         check=site_kept("S")),
    Case("demo out is a file", ("demo", "--out", "demo.csv", "--rows", "5"), says=("--out demo.csv: is a file",)),
    Case("demo into someone else's folder", ("demo", "--out", "mine", "--rows", "5"), setup=both(write("mine/model.json", "mine"), write("mine/notes.txt", "mine")),
         says=("not written by 'scorecard demo'",), check=files_are("mine", "model.json", "notes.txt")),
    Case("demo into a folder that cannot be written", ("demo", "--out", f"{NOT_WRITABLE}/D", "--rows", "5"),
         says=("check the path",)),
    Case("a second demo while the first holds the folder", ("demo", "--out", "D", "--rows", "5"),
         setup=lambda f: HELD.append(_hold(f / "D")), says=("another scorecard run",), check=files_are("D")),
    Case("a failed demo leaves whole outputs and no manifest", ("demo", "--out", "D", "--rows", "5"),
         says=("never equals the bad value",), check=lambda f: files_are("D", "demo_applicants.csv")(f) is None
         and len((f / "D" / "demo_applicants.csv").read_text(encoding="utf-8").splitlines()) == 6
         and sorted(p.name for p in (f / "D").iterdir() if p.name.startswith(".")) == [".scorecard-demo"]),
    Case("a demo folder of an earlier version is the demo's", ("demo", "--out", "D", "--rows", "5"),
         setup=both(write("D/model.json", "old"), write("D/site/x", "old")), says=("never equals the bad value",),
         keep=("D/model.json",), check=lambda f: (f / "D" / ".scorecard-demo").exists()),
    # --- the DuckDB engine and a very long field --------------------------------------------------------------
    Case("DuckDB and a 10 MB field names its line", (*SCORE_X, "--engine", "duckdb"),
         setup=lines(rows({}, {8: "x" * 10_000_000})), says=("x.csv: line 3 is 10,000,", "--engine numpy")),
    Case("NumPy reads a 10 MB field", SCORE_X, setup=lines(rows({}, {8: "x" * 10_000_000})), code=0,
         says=("scored", "with the numpy engine")),
]

HELD: list[Run] = []


def _hold(target: Path, *, folder: bool = True) -> Run:
    run = Run("test")
    run.lock(target, folder=folder)
    return run


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_catalogue(case: Case, world: Path, tmp_path: Path, monkeypatch) -> None:
    for item in world.iterdir():
        (shutil.copytree if item.is_dir() else shutil.copy)(item, tmp_path / item.name)
    if case.setup:
        case.setup(tmp_path)
    before = {name: hashlib.sha256((tmp_path / name).read_bytes()).hexdigest() for name in case.keep}
    monkeypatch.chdir(tmp_path)
    try:
        result = runner.invoke(app, list(case.args))
    finally:
        while HELD:
            HELD.pop().close()
    stderr = result.stderr
    assert result.exit_code == case.code, (result.output, result.exception)
    if not isinstance(result.exception, SystemExit) and result.exception is not None:
        raise result.exception
    error_lines = [line for line in stderr.splitlines() if not line.startswith("note: ")]
    if case.code == 2:
        assert len(error_lines) == 1 and error_lines[0].startswith("error: "), stderr  # no blank line, no traceback
        for part in case.says:
            assert part in error_lines[0], (part, error_lines[0])
    else:
        assert not any(line.startswith(("error", "Traceback")) for line in error_lines), stderr
        for part in case.says:
            assert part in result.stdout, (part, result.stdout)
    notes = [line for line in stderr.splitlines() if line.startswith("note: ")]
    for part in case.notes:
        assert any(part in note for note in notes), (part, notes)
    for name, digest in before.items():
        assert hashlib.sha256((tmp_path / name).read_bytes()).hexdigest() == digest, f"{name} changed"
    if case.check:
        outcome = case.check(tmp_path)
        assert outcome is None or outcome is True, case.name


def test_the_catalogue_has_at_least_80_cases() -> None:
    assert len(CASES) >= 80 and len({c.name for c in CASES}) == len(CASES)


@pytest.mark.skipif(sys.platform != "linux", reason="a lock file is a POSIX matter here")
def test_a_lock_is_released_and_its_file_removed(tmp_path: Path) -> None:
    with Run("test") as run:
        run.lock(tmp_path / "D", folder=True)
        assert (tmp_path / "D" / ".scorecard.lock").exists()
    assert not (tmp_path / "D" / ".scorecard.lock").exists()
    with Run("again") as run:  # free again
        run.lock(tmp_path / "D", folder=True)


def test_a_swap_that_cannot_rename_puts_the_old_folder_back(tmp_path: Path, monkeypatch) -> None:
    site = tmp_path / "S"
    site.mkdir()
    (site / ".scorecard-site").write_text("x", encoding="utf-8")
    (site / "index.html").write_text("previous", encoding="utf-8")
    real_rename = os.rename

    def failing(source, target):  # noqa: ANN001 - the second rename of the swap fails
        if ".part-" in str(source):
            raise OSError(5, "Input/output error", str(target))
        real_rename(source, target)

    with Run("site") as run:
        run.lock(site)
        (run.swap(site, marker=".scorecard-site") / "index.html").write_text("new", encoding="utf-8")
        monkeypatch.setattr(os, "rename", failing)
        with pytest.raises(OSError):
            run.commit()
        monkeypatch.setattr(os, "rename", real_rename)
    assert (site / "index.html").read_text(encoding="utf-8") == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["S"]
