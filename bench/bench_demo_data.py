"""How fast the demo population is generated and written (target: 100k rows in under 10 s).

    python bench/bench_demo_data.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from scorecard import workflows


def main() -> None:
    print("| rows | format | seconds | rows/s |")
    print("| ---: | --- | ---: | ---: |")
    with tempfile.TemporaryDirectory() as folder:
        for rows in (10_000, 100_000, 1_000_000):
            for suffix in (".csv", ".parquet"):
                start = time.perf_counter()
                workflows.make_demo_data(Path(folder) / f"demo{suffix}", rows=rows, seed=7)
                seconds = time.perf_counter() - start
                print(f"| {rows:,} | {suffix[1:]} | {seconds:.2f} | {rows / seconds:,.0f} |")


if __name__ == "__main__":
    main()
