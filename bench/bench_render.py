"""Benchmark: explanation pages rendered per second, Markdown and HTML, on one core.

The records are real: 10^5 synthetic demo applicants (``datasets.demo.generate``) explained by
``explain_table`` with the bundled demo policy and the demo scorecard kept as a test fixture
(``tests/golden/demo_model.json``; ``--model`` for another). Explaining is timed but not counted.
Languages alternate (even records zh, odd en), each measurement starts with cold caches, and
the process is pinned to one CPU where the OS allows it.

Peer, measured in the same run: the JSON text of each record as ``scorecard explain`` writes it
anyway (``record_writer.RecordWriter``, indented); the ratio says what a page costs next to it.
Target: at least 2,000 pages/s per format on one core (rendering; the rows that write files
depend on the disk, so the same number of files of the same size, without rendering, is timed
next to them and the target is not applied to them).

Run: ``python bench/bench_render.py [--rows 100000] [--seed 7] [--model SPEC]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from scorecard.datasets.demo import generate  # noqa: E402
from scorecard.explain import explain_table  # noqa: E402
from scorecard.jobs.files import record_stems, write_pages  # noqa: E402
from scorecard.pages import PageRenderer  # noqa: E402
from scorecard.policy import default_policy  # noqa: E402
from scorecard.record_writer import RecordWriter  # noqa: E402
from scorecard.spec import load_spec  # noqa: E402

TARGET = 2000.0
ROOT = Path(__file__).resolve().parents[1]


def pin_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "not pinned (no sched_setaffinity on this OS)"


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--model", type=Path, default=ROOT / "tests" / "golden" / "demo_model.json")
    args = parser.parse_args()

    where = pin_one_core()
    spec = load_spec(args.model)
    profile = spec.profile
    table = generate(args.rows, args.seed)
    explain_s = 0.0
    records: list = []

    def explain() -> None:
        records.extend(explain_table(spec, default_policy(), table))

    explain_s = timed(explain)
    n = len(records)
    langs = ["zh" if i % 2 == 0 else "en" for i in range(n)]

    def json_peer() -> None:
        write = RecordWriter(compact=False)
        for record in records:
            write(record)

    def pages(fmt: str):
        def run() -> None:
            # cold caches: fresh renderers, so the first pages pay for what later pages reuse
            renderers = {lang: PageRenderer(profile, lang, fmt) for lang in set(langs)}
            for record, lang in zip(records, langs):
                renderers[lang].render(record)
        return run

    rows = [("JSON record (peer)", n, timed(json_peer))]
    for fmt in ("md", "html"):
        rows.append((f"{fmt} page", n, timed(pages(fmt))))
    with tempfile.TemporaryDirectory() as folder:
        written: list = []
        stems = record_stems([r.applicant_id for r in records])
        seconds = timed(lambda: written.extend(write_pages(records, stems, profile, Path(folder), fmt="md",
                                                           langs=("zh", "en"))))
        rows.append(("md pages written, zh+en", len(written), seconds))
        size = sum(path.stat().st_size for path in written) // len(written)
    with tempfile.TemporaryDirectory() as folder:
        filler = "页" * (size // 3)  # the mean page size in UTF-8 bytes

        def files_only() -> None:
            for i in range(len(written)):
                with open(os.path.join(folder, f"{i}.md"), "w", encoding="utf-8", newline="\n") as handle:
                    handle.write(filler)

        rows.append((f"files alone ({size:,} B, disk)", len(written), timed(files_only)))

    peer = rows[0][1] / rows[0][2]
    print(f"{n:,} demo records (explained in {explain_s:.1f} s), one core: {where}")
    width = max(len(what) for what, _, _ in rows) + 2
    print(f"{'what':<{width}}{'pages':>10}{'seconds':>10}{'per second':>12}{'vs JSON':>9}{'target':>9}")
    for what, count, seconds in rows:
        rate = count / seconds
        judged = what.endswith(" page")  # the target is for rendering, not for the disk
        verdict = ("ok" if rate >= TARGET else "MISSED") if judged else ""
        print(f"{what:<{width}}{count:>10,}{seconds:>10.1f}{rate:>12,.0f}{rate / peer:>9.2f}{verdict:>9}")
    decisions: dict[str, int] = {}
    for record in records:
        decisions[record.decision] = decisions.get(record.decision, 0) + 1
    print("decisions: " + ", ".join(f"{k} {v:,}" for k, v in sorted(decisions.items())))


if __name__ == "__main__":
    main()
