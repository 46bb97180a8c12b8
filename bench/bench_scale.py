"""Benchmark: batch scoring of 10^7 demo rows from Parquet, NumPy engine against DuckDB engine.

The demo population (``scorecard.datasets.demo.generate``) is written once, in chunks, to a
Parquet file under /tmp (never into the repository); the demo model is trained on 50,000 rows
of it. Each engine then scores the same file in its own subprocess, so that its peak memory
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``, which includes the Python interpreter and
imports) is its own:

* numpy: ``data.read_table`` -> ``data.split_valid_rows`` -> ``scoring.score`` -> Parquet, all
  in memory (what ``scorecard score --engine numpy`` does);
* duckdb: ``duckdb_engine.score_with_duckdb`` (the exported SQL streamed through DuckDB with a
  1 GB memory limit, rejects checked in SQL) -> Parquet.

Targets: the DuckDB path keeps peak memory under 2 GB at any row count, and scores 10^7 rows in
under two minutes on 2 cores. Both engines must write the same scores (checked on every row).

Run: ``python bench/bench_scale.py [--rows 1000000 10000000] [--engines numpy duckdb]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

WORKDIR = Path(os.environ.get("SCORECARD_BENCH_DIR", "/tmp/scorecard-bench"))
CHUNK = 1_000_000
SEED = 7
TRAIN_ROWS = 50_000
MEMORY_TARGET_MB = 2048
TIME_TARGET_S = 120.0


def demo_parquet(rows: int) -> Path:
    """The demo population as one Parquet file, generated chunk by chunk (cached in WORKDIR)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from scorecard.datasets.demo import generate

    path = WORKDIR / f"demo_{rows}.parquet"
    if path.exists():
        return path
    WORKDIR.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    writer = None
    start = time.perf_counter()
    try:
        for i, offset in enumerate(range(0, rows, CHUNK)):
            n = min(CHUNK, rows - offset)
            chunk = generate(n, SEED + i)
            # Unique ids across chunks: every chunk numbers its applicants from the start.
            id_column = "applicant_id"
            if id_column in chunk.columns:
                chunk[id_column] = [f"B{offset + k:09d}" for k in range(n)]
            table = pa.Table.from_pandas(chunk, preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(partial, table.schema)
            writer.write_table(table, row_group_size=256_000)
    finally:
        if writer is not None:
            writer.close()
    partial.rename(path)
    print(f"wrote {rows:,} demo rows to {path} in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return path


def demo_model() -> Path:
    from scorecard.datasets.demo import generate
    from scorecard.profile import load_profile
    from scorecard.spec import save_spec
    from scorecard.training import fit_scorecard

    path = WORKDIR / f"demo_model_{TRAIN_ROWS}.json"
    if not path.exists():
        WORKDIR.mkdir(parents=True, exist_ok=True)
        spec = fit_scorecard(generate(TRAIN_ROWS, SEED), load_profile("demo"), test_size=0.3, seed=SEED)
        save_spec(spec, path)
    return path


# --- the engines, each run in its own process ------------------------------------------------


def run_numpy(model: Path, data: Path, out: Path, rejects: Path) -> tuple[int, int]:
    import pandas as pd

    from scorecard.data import read_table, split_valid_rows
    from scorecard.scoring import score
    from scorecard.spec import load_spec

    spec = load_spec(model)
    valid, bad = split_valid_rows(read_table(data), spec.profile, str(data))
    result = score(spec, valid)
    frame = pd.DataFrame({"id": result.ids, "score": result.total, "pd": result.pd})
    for j, name in enumerate(result.factor_names):
        frame[f"points_{name}"] = result.points[:, j]
    frame.to_parquet(out, index=False)
    bad.to_csv(rejects, index=False)
    return len(frame), int(bad["row"].nunique()) if len(bad) else 0


def run_duckdb(model: Path, data: Path, out: Path, rejects: Path) -> tuple[int, int]:
    from scorecard.duckdb_engine import score_with_duckdb
    from scorecard.spec import load_spec

    return score_with_duckdb(load_spec(model), data, out, rejects)


ENGINES = {"numpy": run_numpy, "duckdb": run_duckdb}


def worker(engine: str, model: Path, data: Path, out: Path) -> None:
    start = time.perf_counter()
    scored, rejected = ENGINES[engine](model, data, out, out.with_suffix(".rejects.csv"))
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    print(json.dumps({"scored": scored, "rejected": rejected, "seconds": seconds, "peak_mb": peak_kb / 1024}))


def measure(engine: str, model: Path, data: Path) -> dict:
    out = WORKDIR / f"scores_{engine}_{data.stem}.parquet"
    done = subprocess.run(
        [sys.executable, __file__, "--worker", engine, "--model", str(model), "--data", str(data), "--out", str(out)],
        capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{engine} failed on {data}:\n{done.stderr[-3000:]}")
    return {**json.loads(done.stdout.strip().splitlines()[-1]), "out": out}


def same_scores(a: Path, b: Path) -> bool:
    import duckdb

    con = duckdb.connect()
    differing = con.execute(
        f"SELECT count(*) FROM read_parquet('{a}') x POSITIONAL JOIN read_parquet('{b}') y "
        "WHERE x.id <> y.id OR x.score <> y.score OR abs(x.pd - y.pd) > 1e-12"
    ).fetchone()[0]
    counts = con.execute(f"SELECT (SELECT count(*) FROM read_parquet('{a}')), (SELECT count(*) FROM read_parquet('{b}'))").fetchone()
    return differing == 0 and counts[0] == counts[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--engines", nargs="+", default=["numpy", "duckdb"], choices=sorted(ENGINES))
    parser.add_argument("--worker", choices=sorted(ENGINES))
    parser.add_argument("--model", type=Path)
    parser.add_argument("--data", type=Path)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.model, args.data, args.out)
        return

    model = args.model or demo_model()
    print(f"cores: {os.cpu_count()}; model: {model}; data and outputs under {WORKDIR}")
    header = f"{'rows':>12} {'engine':>7} {'seconds':>8} {'rows/s':>12} {'peak MB':>8} {'vs numpy':>9}  targets"
    print(header)
    print("-" * len(header))
    failed = False
    for rows in args.rows:
        data = demo_parquet(rows)
        results = {engine: measure(engine, model, data) for engine in args.engines}
        numpy_rate = results["numpy"]["scored"] / results["numpy"]["seconds"] if "numpy" in results else None
        for engine, r in results.items():
            rate = (r["scored"] + r["rejected"]) / r["seconds"]
            ratio = f"{rate / numpy_rate:8.2f}x" if numpy_rate else "        -"
            notes = ""
            if engine == "duckdb":
                memory_ok = r["peak_mb"] < MEMORY_TARGET_MB
                time_ok = r["seconds"] * 10_000_000 / rows < TIME_TARGET_S
                notes = (f"memory {'ok' if memory_ok else 'MISSED'} (<{MEMORY_TARGET_MB} MB), "
                         f"10^7 rows {'ok' if time_ok else 'MISSED'} (<{TIME_TARGET_S:.0f} s"
                         f"{'' if rows == 10_000_000 else ', extrapolated'})")
                failed |= not (memory_ok and time_ok)
            print(f"{rows:>12,} {engine:>7} {r['seconds']:>8.1f} {rate:>12,.0f} {r['peak_mb']:>8.0f} {ratio}  {notes}")
        if {"numpy", "duckdb"} <= results.keys():
            same = same_scores(results["numpy"]["out"], results["duckdb"]["out"])
            print(f"{'':>12} both engines wrote the same ids, scores and PDs: {'yes' if same else 'NO'}")
            failed |= not same
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
