"""How fast the demo population is generated and written (target: 100,000 rows in under 10 s).

    python bench/bench_demo_data.py            # 10^4, 10^5 and 10^6 rows
    python bench/bench_demo_data.py --quick    # 10^4 and 10^5 rows

For each size and format the table shows the time to generate the rows, to write the file, the
total, rows per second and the file size. The peer column is a plain pandas write of a table of
the same shape filled with small random integers, measured in the same run: "total / peer"
says how much the population model and its formatting cost on top of merely writing that many
rows on this machine.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scorecard.jobs.data import make_demo_data  # noqa: E402
from scorecard.jobs.files import write_table  # noqa: E402
from scorecard.datasets.demo import COLUMNS, for_writing, generate  # noqa: E402

TARGET_ROWS, TARGET_SECONDS = 100_000, 10.0


def _peer(rows: int, out: Path) -> float:
    """Seconds to write a same-shaped table of small random integers with the same writer."""
    table = pd.DataFrame(np.random.default_rng(0).integers(0, 100, (rows, len(COLUMNS))), columns=list(COLUMNS))
    start = time.perf_counter()
    write_table(table, out)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 10^6-row case")
    args = parser.parse_args()
    sizes = (10_000, 100_000) if args.quick else (10_000, 100_000, 1_000_000)
    print("| rows | format | generate s | write s | total s | rows/s | MB | peer write s | total / peer |")
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    verdict = []
    with tempfile.TemporaryDirectory() as folder:
        for rows in sizes:
            for suffix in (".csv", ".parquet"):
                out = Path(folder) / f"demo{suffix}"
                start = time.perf_counter()
                table = for_writing(generate(rows, 7))
                generated = time.perf_counter() - start
                write_table(table, out)
                total = time.perf_counter() - start
                peer = _peer(rows, Path(folder) / f"peer{suffix}")
                print(f"| {rows:,} | {suffix[1:]} | {generated:.2f} | {total - generated:.2f} | {total:.2f} | "
                      f"{rows / total:,.0f} | {out.stat().st_size / 2**20:.1f} | {peer:.2f} | {total / peer:.1f} |")
                if rows == TARGET_ROWS:
                    verdict.append(f"{suffix[1:]} {total:.2f} s")
    ok = all(float(v.split()[1]) < TARGET_SECONDS for v in verdict)
    # The public entry point does the same work; time it once more so nothing else hides there.
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        make_demo_data(Path(folder) / "demo.csv", rows=TARGET_ROWS, seed=7)
        verdict.append(f"make_demo_data(csv) {time.perf_counter() - start:.2f} s")
        ok = ok and time.perf_counter() - start < TARGET_SECONDS
    print(f"\ntarget: {TARGET_ROWS:,} rows in under {TARGET_SECONDS:.0f} s: {', '.join(verdict)} -> "
          f"{'met' if ok else 'MISSED'}")


if __name__ == "__main__":
    main()
