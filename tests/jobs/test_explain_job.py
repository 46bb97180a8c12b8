"""`scorecard explain`: exit codes, files written, rejects, unsafe applicant ids."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from _decision_fixtures import random_tiny_table, tiny_row, tiny_spec, tiny_table, with_reference
from scorecard.cli import app
from scorecard.records import record_from_dict
from scorecard.spec import save_spec
from scorecard.jobs.files import safe_file_stem

runner = CliRunner()


@pytest.fixture()
def model(tmp_path: Path) -> Path:
    return save_spec(with_reference(tiny_spec(), random_tiny_table(2000, 3)), tmp_path / "model.json")


def write_rows(path: Path, rows: list[dict]) -> Path:
    tiny_table(rows).to_csv(path, index=False)
    return path


def invoke(*args: str):
    if args[0] == "explain" and "--policy" not in args:
        # The tiny scorecard tops out at 595, below the demo policy's highest limit band (610).
        args = (*args, "--policy-check", "warn")
    return runner.invoke(app, list(args))


def test_explain_writes_one_record_per_applicant_summary_and_rejects(tmp_path, model):
    rows = [
        tiny_row(applicant_id="A-1"),
        tiny_row(applicant_id="A-2", other_platform_loans=7, debt_to_income=1.4, overdue_count=3),
        tiny_row(applicant_id="A-3", other_platform_loans=-4),  # out of range: rejected
        tiny_row(applicant_id="A-2", snapshot_date="2026-01-05", other_platform_loans=1),  # earlier snapshot
        tiny_row(applicant_id="A-4", system_status="maintenance"),
    ]
    data = write_rows(tmp_path / "applicants.csv", rows)
    out = tmp_path / "out"
    result = invoke("explain", "--model", str(model), "--data", str(data), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "explained 3 applicants" in result.output and "1 rows could not be explained" in result.output
    written = sorted(p.name for p in out.glob("*.json"))
    assert written == ["A-1.json", "A-2.json", "A-4.json", "manifest.json"]
    text = (out / "A-2.json").read_text(encoding="utf-8")
    a2 = record_from_dict(json.loads(text))
    assert text == a2.to_json()  # the batch writer prints exactly DecisionRecord.to_json
    assert a2.snapshot_date == "2026-03-01" and [s.date for s in a2.history] == ["2026-01-05", "2026-03-01"]
    assert a2.outcome == "declined" and a2.reasons and a2.policy_version
    with (out / "summary.csv").open(encoding="utf-8") as handle:
        summary = list(csv.DictReader(handle))
    assert [r["applicant_id"] for r in summary] == ["A-1", "A-2", "A-4"]
    assert summary[1]["reason_codes"].split(";")[0].endswith(".VALUE")
    assert summary[2]["decision"] == "RETRY_LATER" and summary[2]["score"] == ""
    with (out / "rejects.csv").open(encoding="utf-8") as handle:
        rejects = list(csv.DictReader(handle))
    assert len(rejects) == 1 and rejects[0]["id"] == "A-3" and rejects[0]["row"] == "3"


def test_rejects_go_where_asked_and_are_written_even_when_empty(tmp_path, model):
    data = write_rows(tmp_path / "a.csv", [tiny_row()])
    rejects = tmp_path / "elsewhere" / "bad.csv"
    result = invoke("explain", "--model", str(model), "--data", str(data), "--out", str(tmp_path / "o"),
                    "--rejects", str(rejects))
    assert result.exit_code == 0, result.output
    assert rejects.read_text(encoding="utf-8").startswith("row,")
    assert "0 rows could not be explained" in result.output


def test_unsafe_ids_stay_inside_the_output_folder(tmp_path, model):
    ids = ["../evil", "a/b", "..", "CON", ".hidden", "张三", "A-1", "a-1"]
    data = write_rows(tmp_path / "a.csv", [tiny_row(applicant_id=i) for i in ids])
    out = tmp_path / "out"
    result = invoke("explain", "--model", str(model), "--data", str(data), "--out", str(out))
    assert result.exit_code == 0, result.output
    files = sorted(p for p in out.glob("*.json") if p.name != "manifest.json")
    assert len(files) == len(ids)
    assert not (tmp_path / "evil.json").exists()
    for path in files:
        assert path.parent == out and not path.name.startswith(".")
    recovered = {json.loads(p.read_text(encoding="utf-8"))["applicant_id"] for p in files}
    assert recovered == set(ids)
    with (out / "summary.csv").open(encoding="utf-8") as handle:
        assert {r["applicant_id"]: r["file"] for r in csv.DictReader(handle)}["A-1"] == "A-1.json"


def test_safe_file_stem_rules():
    assert safe_file_stem("P-HEALTHY") == "P-HEALTHY"
    assert safe_file_stem("a/b") != safe_file_stem("a_b") == "a_b"
    for unsafe in ["", ".", "..", "../x", "/etc/passwd", "NUL"]:
        stem = safe_file_stem(unsafe)
        assert stem and stem not in (".", "..") and "/" not in stem and not stem.startswith(".")


def test_missing_model_is_exit_code_2_with_one_line(tmp_path):
    data = write_rows(tmp_path / "a.csv", [tiny_row()])
    result = invoke("explain", "--model", str(tmp_path / "none.json"), "--data", str(data), "--out", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert "none.json" in result.output and "Traceback" not in result.output


def test_broken_policy_is_exit_code_2_naming_the_file(tmp_path, model):
    data = write_rows(tmp_path / "a.csv", [tiny_row()])
    policy = tmp_path / "policy.yaml"
    policy.write_text("name: p\nversion: '1'\ncutoff: 500\nlimit_bands: []\n", encoding="utf-8")
    result = invoke("explain", "--model", str(model), "--data", str(data), "--out", str(tmp_path / "o"),
                    "--policy", str(policy))
    assert result.exit_code == 2
    assert "policy.yaml" in result.output and "limit_bands" in result.output


def test_best_points_baseline_works_without_reference(tmp_path):
    bare = save_spec(tiny_spec(), tmp_path / "bare.json")
    data = write_rows(tmp_path / "a.csv", [tiny_row(other_platform_loans=8, debt_to_income=1.5)])
    out = tmp_path / "o"
    default = invoke("explain", "--model", str(bare), "--data", str(data), "--out", str(out))
    assert default.exit_code == 2 and "--baseline best_points" in default.output
    result = invoke("explain", "--model", str(bare), "--data", str(data), "--out", str(out), "--baseline", "best_points")
    assert result.exit_code == 0, result.output
    assert json.loads((out / "A-1.json").read_text(encoding="utf-8"))["reason_baseline"] == "best_points"


# --- large batches: chunks, processes, JSON Lines -------------------------------------------------


def varied_rows() -> list[dict]:
    """Applicants whose snapshots lie far apart, ids that collide as file names, a reject, hard
    rules and maintenance: everything whose output could depend on how the batch is cut."""
    rows = [tiny_row(applicant_id=f"A-{i}", other_platform_loans=i % 8, debt_to_income=round((i % 7) * 0.25, 2),
                     overdue_count=i % 4, profile_completeness=40 + (i * 7) % 61) for i in range(24)]
    rows += [
        tiny_row(applicant_id="A-3", snapshot_date="2026-08-20", other_platform_loans=5),  # later snapshot, far below
        tiny_row(applicant_id="A-10", snapshot_date="2025-12-01", debt_to_income=-1),
        tiny_row(applicant_id="A-3", snapshot_date="2025-11-11", city=None),
        tiny_row(applicant_id="a-5"), tiny_row(applicant_id="../x", identity_verified=0),
        tiny_row(applicant_id="B-1", system_status="maintenance"),
        tiny_row(applicant_id="B-2", other_platform_loans=-4),  # out of range: rejected
        tiny_row(applicant_id="A-21", snapshot_date="2026-07-15", overdue_count=5),
    ]
    return rows


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))}


def reference_output(tmp_path: Path, model: Path, data: Path, fmt: str) -> dict[str, bytes]:
    """One chunk, this process: what the command wrote before it learned chunks and processes."""
    from scorecard.jobs.explain import explain

    out = tmp_path / f"reference-{fmt}"
    explain(model, data, out, policy=None, fmt=fmt, lang="all", baseline="cutoff_average", rejects=None, policy_check="warn",
                      jobs=1, chunk_size=10**6)
    return folder_bytes(out)


def test_jsonl_holds_the_records_of_the_json_files_line_by_line(tmp_path, model):
    data = write_rows(tmp_path / "applicants.csv", varied_rows())
    result = invoke("explain", "--model", str(model), "--data", str(data), "--out", str(tmp_path / "lines"),
                    "--format", "jsonl")
    assert result.exit_code == 0, result.output
    files = reference_output(tmp_path, model, data, "json")
    lines = folder_bytes(tmp_path / "lines")
    # no files left behind; the marker says the folder is explain's, the manifest (last) that it is complete
    assert sorted(lines) == [".scorecard-explain", "manifest.json", "records.jsonl", "rejects.csv", "summary.csv"]
    manifest = json.loads(lines["manifest.json"])
    assert manifest["applicants_explained"] == 27 and manifest["rows_rejected"] == 1 and manifest["complete"]
    assert lines["rejects.csv"] == files["rejects.csv"] and b"B-2" in lines["rejects.csv"]
    by_file = list(csv.DictReader(files["summary.csv"].decode("utf-8").splitlines()))
    by_line = list(csv.DictReader(lines["summary.csv"].decode("utf-8").splitlines()))
    records = lines["records.jsonl"].decode("utf-8").splitlines()
    assert len(records) == len(by_file) == len(by_line) == 27
    for text, row, line_row in zip(records, by_file, by_line):
        record = json.loads(text)
        assert record == json.loads(files[row["file"]])  # line i of records.jsonl is row i of summary.csv
        assert text + "\n" == record_from_dict(record).to_json_line()  # compact, sorted keys
        assert line_row == {**row, "file": "records.jsonl"}
    assert [len(json.loads(t)["history"]) for t in records][3] == 3


@pytest.mark.parametrize("fmt", ["jsonl", "json"])
def test_two_processes_and_small_chunks_write_the_same_bytes(tmp_path, model, monkeypatch, fmt):
    from scorecard.jobs import explain as explain_job

    data = write_rows(tmp_path / "applicants.csv", varied_rows())
    expected = reference_output(tmp_path, model, data, fmt)
    monkeypatch.setattr(explain_job, "EXPLAIN_CHUNK", 4)  # 7 chunks: snapshots of A-3 are rows 4, 25 and 27
    used = []
    chunks = explain_job.run_chunks
    monkeypatch.setattr(explain_job, "run_chunks", lambda *args: used.append(args[2]) or chunks(*args))
    for jobs in ("1", "2"):
        out = tmp_path / f"out-{jobs}"
        result = invoke("explain", "--model", str(model), "--data", str(data), "--out", str(out), "--format", fmt,
                        "--jobs", jobs)
        assert result.exit_code == 0, result.output
        assert "explained 27 applicants" in result.output and "1 rows could not be explained" in result.output
        assert folder_bytes(out) == expected, f"--jobs {jobs}"
    assert used == [1, 2]  # processes that explained the chunks


def test_jobs_must_be_positive(tmp_path, model):
    data = write_rows(tmp_path / "a.csv", [tiny_row()])
    result = invoke("explain", "--model", str(model), "--data", str(data), "--out", str(tmp_path / "o"), "--jobs", "0")
    assert result.exit_code == 2


def test_a_worker_error_is_one_line_and_exit_code_2(tmp_path, monkeypatch):
    """An error raised inside a worker process reaches the user as the same one-line message."""
    from scorecard.jobs import explain as explain_job

    bare = save_spec(tiny_spec(), tmp_path / "bare.json")  # no reference population: cutoff_average fails
    data = write_rows(tmp_path / "a.csv", varied_rows())
    monkeypatch.setattr(explain_job, "EXPLAIN_CHUNK", 10)
    used = []
    chunks = explain_job.run_chunks
    monkeypatch.setattr(explain_job, "run_chunks", lambda *args: used.append(args[2]) or chunks(*args))
    result = invoke("explain", "--model", str(bare), "--data", str(data), "--out", str(tmp_path / "o"),
                    "--format", "jsonl", "--jobs", "2")
    assert result.exit_code == 2 and "--baseline best_points" in result.output and used == [2]
    assert not any(p.name.startswith(".explain-") for p in (tmp_path / "o").iterdir())


def test_without_an_id_column_explain_and_score_number_applicants_by_their_input_row(tmp_path):
    """An applicant without an id is its row of the input file, in the records, the summary, the
    scores and the rejects alike, also after a rejected row."""
    import dataclasses

    from scorecard.spec import sealed

    spec = with_reference(tiny_spec(), random_tiny_table(2000, 3))
    no_ids = sealed(dataclasses.replace(spec, profile=spec.profile.model_copy(update={"id_column": None})))
    model = save_spec(no_ids, tmp_path / "model.json")
    rows = [tiny_row(), tiny_row(other_platform_loans=-4), tiny_row(overdue_count=2), tiny_row()]  # row 2 is rejected
    data = tmp_path / "rows.csv"
    tiny_table(rows).drop(columns="applicant_id").to_csv(data, index=False)
    assert invoke("explain", "--model", str(model), "--data", str(data), "--out", str(tmp_path / "out")).exit_code == 0
    assert invoke("score", "--model", str(model), "--data", str(data), "--out", str(tmp_path / "s.csv")).exit_code == 0
    with (tmp_path / "out" / "summary.csv").open(encoding="utf-8") as handle:
        explained = [r["applicant_id"] for r in csv.DictReader(handle)]
    with (tmp_path / "s.csv").open(encoding="utf-8") as handle:
        scored = [r["id"] for r in csv.DictReader(handle)]
    with (tmp_path / "out" / "rejects.csv").open(encoding="utf-8") as handle:
        rejected = [r["row"] for r in csv.DictReader(handle)]
    assert explained == scored == ["1", "3", "4"] and rejected == ["2"]
    assert json.loads((tmp_path / "out" / "3.json").read_text(encoding="utf-8"))["applicant_id"] == "3"


def test_an_unknown_page_language_is_one_line_and_exit_2_before_any_work(tmp_path, model):
    data = write_rows(tmp_path / "a.csv", [tiny_row()])
    result = invoke("explain", "--model", str(model), "--data", str(data), "--out", str(tmp_path / "o"),
                    "--format", "md", "--lang", "fr")
    assert result.exit_code == 2 and "unknown page language 'fr'; use zh, en or all" in result.output
    assert not (tmp_path / "o").exists()
