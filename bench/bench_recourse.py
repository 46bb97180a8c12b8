"""Benchmark: exact recourse against optbinning's Counterfactual, and the whole explain batch.

Part 1 (HELOC, 200 declined applicants). One optbinning ``Scorecard`` is fitted on FICO's HELOC
data (BinningProcess + logistic regression, 600 points at 50:1, PDO 20); the same bins and
points, rounded to integers, form our ``ScorecardSpec``, so both tools explain the same
scorecard. For each applicant below the cutoff:

* ours: ``recourse.solve`` (exact multiple-choice knapsack under our cost function);
* optbinning: ``Counterfactual.generate`` (a MIP on log-odds, CBC through OR-Tools) asked for a
  probability of the bad outcome at most the cutoff's (``outcome_type="probability"``, hard
  ``max_outcome``; it refuses ``continuous`` for a binary target), allowed to change the same
  factors (``actionable_features``), objective: its default proximity + closeness.

Its counterfactual is then priced with our cost function (the cheapest allowed move into each
bin it chose): a move our rules forbid (the wrong direction, outside the bounds) makes the plan
"breaks rules", and a plan that misses the cutoff after integer rounding is "misses target".
Targets: equal or lower cost on every applicant, and at least 100x faster.

Part 2: the whole batch (score + decision + reasons + recourse + records) on 10^6 synthetic demo
rows (seed 11), with the model ``scorecard demo`` trains (50,000 rows, seed 7) and the demo
policy. In memory, one process: seconds and rows per second of scoring, of the decision, of
``explain_table`` over the table in the chunks the command uses (every step, returning the
DecisionRecords) and of the JSON Lines text of the records. End to end, each in a fresh process:
``scorecard explain --format jsonl`` with ``--jobs 2`` and ``--jobs 1`` (read the Parquet file,
check it, explain, write records.jsonl, summary.csv and rejects), and with ``--json-files`` also
``--format json --jobs 2`` (one file per applicant): seconds, peak memory (the largest process,
from getrusage of the children; and the sum over the command's processes, sampled every 50 ms
from /proc) and the size of the output folder.

Part 3 (``--peer DIR``): this checkout against another checkout of the package (a peer, e.g. an
older commit: ``git worktree add /tmp/peer <commit>``) in the same run. Each tree trains the demo
model once (50,000 rows, seed 7) and then, in a fresh process per run, explains ``--rows`` demo rows
(seed 11) with ``explain_table`` in the command's chunks; runs alternate between the trees
(``--repeat`` each, to see the noise of a shared machine). Reported per run: seconds of the whole
``explain_table`` and, inside it, of ``recourse.all_moves``, ``recourse.solve`` and
``PlanBuilder.plans_for``; then the best and the median run of each and their ratios to the
peer's (below 1: this checkout is faster). Only names both trees have are used.

Run: ``python bench/bench_recourse.py [--part 1|2|all] [--applicants 200] [--rows 1000000] [--json-files]``,
``python bench/bench_recourse.py --peer /tmp/peer --rows 100000 --repeat 3``.
Part 1 needs the shared data folder (``../shared/data`` or ``SCORECARD_SHARED_DATA``).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from scorecard import recourse  # noqa: E402
from scorecard.profile import parse_profile  # noqa: E402
from scorecard.scoring import score  # noqa: E402
from scorecard.spec import Bin, FactorSpec, Scaling, ScorecardSpec, sealed  # noqa: E402

SPECIALS = [-9, -8, -7]
# Who can change what in HELOC (a judgement for the benchmark; both tools get the same list).
FIXED = {"ExternalRiskEstimate", "MaxDelqEver", "NumTrades60Ever2DerogPubRec", "NumTrades90Ever2DerogPubRec",
         "PercentTradesNeverDelq", "NumTotalTrades"}
TIME_ONLY = {"MSinceOldestTradeOpen", "MSinceMostRecentTradeOpen", "AverageMInFile", "MSinceMostRecentDelq",
             "MSinceMostRecentInqexcl7days", "NumInqLast6M", "NumInqLast6Mexcl7days", "NumTradesOpeninLast12M",
             "MaxDelq2PublicRecLast12M"}


def shared_data() -> Path:
    env = os.environ.get("SCORECARD_SHARED_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared" / "data"


def fit_heloc(table: pd.DataFrame):
    from optbinning import BinningProcess, Scorecard
    from sklearn.linear_model import LogisticRegression

    y = (table["RiskPerformance"] == "Bad").astype(int).to_numpy()
    X = table.drop(columns=["RiskPerformance"])
    names = list(X.columns)
    process = BinningProcess(names, special_codes=SPECIALS)
    card = Scorecard(binning_process=process, estimator=LogisticRegression(max_iter=1000),
                     scaling_method="pdo_odds", scaling_method_params={"pdo": 20, "odds": 50, "scorecard_points": 600})
    card.fit(X, y)
    return card, X, y


def spec_from_optbinning(card) -> ScorecardSpec:
    """Our spec with optbinning's bins and points (rounded to integers)."""
    table = card.table(style="detailed")
    names = list(card.binning_process_.get_support(names=True))
    entries, factors = [], []
    for name in names:
        rows = table[table["Variable"] == name].reset_index(drop=True)
        optb = card.binning_process_.get_binned_variable(name)
        splits = list(optb.splits)
        points = [int(round(p)) for p in rows["Points"]]
        n_range = len(splits) + 1
        edges = [None, *splits, None]
        bins = [
            Bin(kind="range", label=str(rows["Bin"][i]), points=points[i], woe=float(rows["WoE"][i]),
                count=int(rows["Count"][i]), event_count=int(rows["Event"][i]), event_rate=float(rows["Event rate"][i]),
                iv=float(rows["IV"][i]), lower=edges[i], upper=edges[i + 1])
            for i in range(n_range)
        ]
        bins.append(Bin(kind="special", label="Special", points=points[n_range], woe=0.0, count=0, event_count=0,
                        event_rate=0.0, iv=0.0, special_values=tuple(float(v) for v in SPECIALS)))
        bins.append(Bin(kind="missing", label="Missing", points=points[n_range + 1], woe=0.0, count=0, event_count=0,
                        event_rate=0.0, iv=0.0))
        ranged = [b.points for b in bins[:n_range]]
        helps = "increase" if ranged[-1] >= ranged[0] else "decrease"
        act = "fixed" if name in FIXED else "wait" if name in TIME_ONLY else "act"
        entry = {"name": name, "kind": "numeric", "label": {"zh": name, "en": name}, "meaning": {"zh": name, "en": name},
                 "integer": True, "min_value": 0, "max_value": 1000, "advice": act,
                 "helps": "none" if act == "fixed" else helps, "step": 1, "effort_per_step": 1.0,
                 "special_values": [{"value": v, "meaning": {"zh": "特殊", "en": "special"}} for v in SPECIALS]}
        if act == "wait":
            entry["days_per_step"] = 30
        entries.append(entry)
        factors.append(FactorSpec(name=name, column=name, kind="numeric", coefficient=0.0, iv=0.0, bins=tuple(bins),
                                  missing_bin=len(bins) - 1, unseen_bin=len(bins) - 1))
    profile = parse_profile({"name": "heloc-bench", "description": {"zh": "HELOC", "en": "HELOC"},
                             "target": {"column": "RiskPerformance"}, "factors": entries}, "bench profile")
    factor = 20 / math.log(2)
    return sealed(ScorecardSpec(
        profile=profile, factors=tuple(factors), intercept=0.0, coefficients=(),
        scaling=Scaling(method="pdo", factor=factor, offset=600 - factor * math.log(50), pdo=20, base_score=600, base_odds=50),
        selection_log=(), metrics={}, training={}, rounding={}))


def price(spec: ScorecardSpec, moves, result, row: int, new_bins: np.ndarray) -> tuple[float, str]:
    """Our cost of moving row ``row`` into ``new_bins``, or inf and the first rule it breaks."""
    total = 0.0
    for j, b in enumerate(new_bins):
        here = result.bins[row, j]
        if b == here:
            continue
        if moves[j].cost[row, b] >= recourse.INF:
            fs = spec.factors[j]
            factor = spec.profile.factor(fs.name)
            if not factor.advisable:
                why = "moves a fixed factor"
            elif fs.bins[b].kind in ("special", "missing"):
                why = "moves into a no-record bin"
            elif fs.bins[b].points <= fs.bins[here].points:
                why = "moves to a bin with fewer points"
            else:
                why = "moves the wrong way"
            return math.inf, why
        total += moves[j].cost[row, b] / recourse.COST_UNIT
    return total, ""


def relaxed_price(spec: ScorecardSpec, values: pd.Series, result, row: int, new_bins: np.ndarray) -> float:
    """Our effort per step, but any direction allowed: what the counterfactual would cost if
    our direction rules did not exist (inf for a move into a special or missing bin)."""
    total = 0.0
    for j, b in enumerate(new_bins):
        if b == result.bins[row, j]:
            continue
        fs = spec.factors[j]
        target = fs.bins[b]
        if target.kind != "range":
            return math.inf
        factor = spec.profile.factor(fs.name)
        v = float(values[fs.column])
        lo = -math.inf if target.lower is None else target.lower
        up = math.inf if target.upper is None else target.upper
        t = min(max(v, math.ceil(lo) if math.isfinite(lo) else v), math.ceil(up) - 1 if math.isfinite(up) else v)
        if v in SPECIALS or math.isnan(v):
            total += factor.effort_per_step  # the step of supplying the record, nothing more
            continue
        total += factor.effort_per_step * math.ceil(abs(t - v) / factor.step)
    return total


def part_one(applicants: int) -> None:
    from optbinning.scorecard import Counterfactual

    path = shared_data() / "heloc.csv"
    if not path.is_file():
        print(f"skipped part 1: {path} not found")
        return
    data = pd.read_csv(path)
    data = data[(data.drop(columns=["RiskPerformance"]) != -9).any(axis=1)].reset_index(drop=True)  # no-record rows
    card, X, _ = fit_heloc(data)
    spec = spec_from_optbinning(card)
    result = score(spec, X)
    cutoff = int(np.percentile(result.total, 40))
    rng = np.random.default_rng(7)
    declined = np.flatnonzero(result.total < cutoff)
    chosen = np.sort(rng.choice(declined, size=min(applicants, len(declined)), replace=False))
    sub = X.iloc[chosen].reset_index(drop=True)
    sub_result = score(spec, sub)
    moves = recourse.all_moves(spec, sub, sub_result)
    targets = np.full(len(sub), cutoff)

    t0 = time.perf_counter()
    ours = recourse.solve(spec, sub_result, targets, moves)
    batch_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    for i in range(len(sub)):
        one = sub.iloc[[i]]
        r1 = score(spec, one)
        recourse.solve(spec, r1, targets[:1], recourse.all_moves(spec, one, r1))
    single_seconds = (time.perf_counter() - t0) / len(sub)

    # optbinning: probability of the bad outcome at most the cutoff's (it only takes
    # outcome_type binary or probability for a binary target)
    pd_cut = spec.pd_table.of(cutoff)
    actionable = [f.name for f in spec.profile.factors if f.advisable]
    cf = Counterfactual(scorecard=card).fit(X)
    cf_seconds, cf_cost, status, relaxed = [], [], [], []
    names = list(spec.factor_names)
    for i in range(len(sub)):
        query = sub.iloc[[i]]
        t0 = time.perf_counter()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                cf.generate(query, y=pd_cut, outcome_type="probability", n_cf=1, actionable_features=actionable,
                            hard_constraints=["max_outcome"], max_changes=len(actionable), time_limit=10)
            ok = cf.status in ("OPTIMAL", "FEASIBLE")
        except Exception:  # noqa: BLE001 - optbinning raises when it finds no solution
            ok = False
        cf_seconds.append(time.perf_counter() - t0)
        if not ok:
            cf_cost.append(math.inf)
            relaxed.append(math.inf)
            status.append("no solution")
            continue
        # The counterfactual names each changed factor's new bin by its label, e.g. "[3.50, 8.50)".
        new_row = cf._cfs[0]["query"][names].iloc[0]
        new_bins = sub_result.bins[i].astype(np.int64).copy()
        for j, fs in enumerate(spec.factors):
            if isinstance(new_row[fs.name], str):
                new_bins[j] = next(b for b, bin_ in enumerate(fs.bins) if bin_.label == new_row[fs.name])
        new_total = sum(fs.bins[b].points for fs, b in zip(spec.factors, new_bins))
        relaxed.append(relaxed_price(spec, sub.iloc[i], sub_result, i, new_bins))
        cost, why = price(spec, moves, sub_result, i, new_bins)
        if math.isinf(cost):
            status.append("breaks rules: " + why)
        elif new_total < cutoff:
            status.append("misses target")
            cost = math.inf
        else:
            status.append("valid")
        cf_cost.append(cost)

    our_cost = np.where(ours.cost[:, 0] < recourse.INF, ours.cost[:, 0] / recourse.COST_UNIT, np.inf)
    cf_cost = np.array(cf_cost)
    both = np.isfinite(our_cost) & np.isfinite(cf_cost)
    print(f"\nPart 1: HELOC recourse, {len(sub)} declined applicants, cutoff {cutoff} (40th percentile), "
          f"{len(actionable)} of {len(names)} factors can change")
    print(f"{'':34}{'ours (exact DP)':>18}{'optbinning CF':>18}")
    print(f"{'time per applicant, batch':34}{batch_seconds / len(sub) * 1e3:>15.3f} ms{'':>18}")
    print(f"{'time per applicant, one at a time':34}{single_seconds * 1e3:>15.3f} ms{np.mean(cf_seconds) * 1e3:>15.1f} ms")
    print(f"{'plans found':34}{int(np.isfinite(our_cost).sum()):>18}{status.count('valid'):>18}")
    for s in sorted(set(status) - {"valid"}):
        print(f"{'  CF ' + s:54}{status.count(s):>16}")
    infeasible = int((ours.status == "infeasible").sum())
    print(f"{'  ours: infeasible (said plainly)':34}{infeasible:>18}")
    if both.any():
        print(f"{'mean cost where both valid':34}{our_cost[both].mean():>18.2f}{cf_cost[both].mean():>18.2f}")
    relaxed = np.array(relaxed)
    fine = np.isfinite(relaxed) & np.isfinite(our_cost)
    if fine.any():
        print(f"{'CF cost if direction did not matter':34}{our_cost[fine].mean():>18.2f}{relaxed[fine].mean():>18.2f}"
              f"  (n={int(fine.sum())}; ours lower or equal on {int((our_cost[fine] <= relaxed[fine] + 1e-9).sum())})")
    worse = int((our_cost > cf_cost + 1e-9).sum())
    print(f"applicants where ours costs more: {worse} (target 0); "
          f"ours cheaper on {int((our_cost < cf_cost - 1e-9).sum())}, equal on {int((np.abs(our_cost - cf_cost) <= 1e-9).sum())}")
    print(f"speed-up, one at a time: {np.mean(cf_seconds) / single_seconds:,.0f}x; "
          f"batch: {np.mean(cf_seconds) / (batch_seconds / len(sub)):,.0f}x (target >= 100x)")


CLI = ("import sys; from scorecard.cli import main; sys.argv[0] = 'scorecard'; main()")


def _tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants now (Linux /proc; 0 elsewhere)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status", encoding="ascii") as handle:
                total += next((int(line.split()[1]) for line in handle if line.startswith("VmRSS:")), 0)
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children", encoding="ascii") as handle:
                    todo += [int(c) for c in handle.read().split()]
        except (OSError, ValueError):
            continue
    return total / 1024


def run_cli(args: list[str]) -> dict[str, float]:
    """Run ``scorecard ARGS`` in a fresh process: seconds, the peak RSS of its largest process
    (getrusage of the children of a wrapper process that runs only this command, so earlier
    runs do not count) and the peak of the sum over all its processes, sampled every 50 ms."""
    import json
    import subprocess
    import threading

    wrapper = ("import json, resource, subprocess, sys; rc = subprocess.call(sys.argv[1:]); "
               "print(json.dumps([rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss]))")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parents[1]),
                                                        os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", wrapper, sys.executable, "-c", CLI, *args], env=env,
                            stdout=subprocess.PIPE, text=True)
    peak = [0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            peak[0] = max(peak[0], _tree_rss_mb(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = proc.communicate()
    seconds = time.perf_counter() - t0
    done.set()
    sampler.join()
    rc, maxrss_kb = json.loads(out.strip().splitlines()[-1])
    if rc != 0:
        raise SystemExit(f"scorecard {' '.join(args)} failed with exit code {rc}")
    return {"seconds": seconds, "largest_mb": maxrss_kb / 1024, "total_mb": peak[0]}


def part_two(rows: int, json_files: bool) -> None:
    import gc
    import tempfile

    from scorecard.datasets.demo import generate
    from scorecard.explain import applicant_chunks, applicant_codes, explain_table, gc_paused
    from scorecard.policy import decide, default_policy
    from scorecard.profile import load_profile
    from scorecard.jobs.explain import EXPLAIN_CHUNK
    from scorecard.jobs.files import write_table
    from scorecard.record_writer import RecordWriter
    from scorecard.spec import save_spec
    from scorecard.training import fit_scorecard

    profile = load_profile("demo")
    t0 = time.perf_counter()
    spec = fit_scorecard(generate(50_000, 7), profile, test_size=0.3, seed=7)  # = `scorecard demo`'s model
    train_seconds = time.perf_counter() - t0
    table = generate(rows, 11)  # applicants the model has never seen
    policy = default_policy()
    chunk = EXPLAIN_CHUNK

    stages = []
    t0 = time.perf_counter()
    result = score(spec, table)
    stages.append(("score (NumPy)", time.perf_counter() - t0))
    t0 = time.perf_counter()
    decide(result, policy, table, profile)
    stages.append(("decide (policy)", time.perf_counter() - t0))
    del result
    chunks = applicant_chunks(applicant_codes(table, profile.id_column)[0], chunk)
    codes, bands, plans = {}, {}, {}
    explain_seconds = write_seconds = 0.0
    text_bytes = 0
    for rows_ in chunks:
        part = table.iloc[rows_]
        t0 = time.perf_counter()
        records = explain_table(spec, policy, part)
        t1 = time.perf_counter()
        write = RecordWriter(compact=True)
        with gc_paused():  # as the command writes them
            text_bytes += len(b"".join([write(r) for r in records]))  # the writer gives UTF-8 bytes
        t2 = time.perf_counter()
        explain_seconds += t1 - t0
        write_seconds += t2 - t1
        for r in records:
            codes[r.decision] = codes.get(r.decision, 0) + 1
            plans[r.recourse_status] = plans.get(r.recourse_status, 0) + 1
            if r.limit_band:
                bands[r.limit_band] = bands.get(r.limit_band, 0) + 1
        del records, write
    stages.append((f"explain_table: score + decide + reasons + recourse -> DecisionRecords "
                   f"(chunks of {chunk:,} applicants, one process)", explain_seconds))
    stages.append(("JSON Lines text of every record (RecordWriter, UTF-8)", write_seconds))
    gc.collect()

    commands = []
    with tempfile.TemporaryDirectory() as folder:
        model, data = Path(folder) / "model.json", Path(folder) / "applicants.parquet"
        save_spec(spec, model)
        write_table(table, data)
        del table
        gc.collect()
        runs = [("jsonl", 2), ("jsonl", 1)] + ([("json", 2)] if json_files else [])
        for fmt, jobs in runs:
            out = Path(folder) / f"records-{fmt}-{jobs}"
            measured = run_cli(["explain", "--model", str(model), "--data", str(data), "--out", str(out),
                                "--format", fmt, "--jobs", str(jobs)])
            measured["disk_mb"] = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 1e6
            commands.append((fmt, jobs, measured))
            import shutil

            shutil.rmtree(out)

    print(f"\nPart 2: the whole batch on {rows:,} demo rows (seed 11), demo model trained on 50,000 rows "
          f"(seed 7) in {train_seconds:.1f} s, policy {policy.version}; {os.cpu_count()} CPUs")
    print("| stage (in memory, one process) | seconds | rows/s |")
    print("| --- | ---: | ---: |")
    for name, seconds in stages:
        print(f"| {name} | {seconds:.1f} | {rows / seconds:,.0f} |")
    print()
    print("| `scorecard explain` end to end: read, check, explain, write records + summary.csv + rejects "
          "| seconds | rows/s | peak MB, largest process | peak MB, all processes | output MB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for fmt, jobs, m in commands:
        what = "one records.jsonl" if fmt == "jsonl" else "one JSON file per applicant"
        print(f"| `--format {fmt} --jobs {jobs}` ({what}) | {m['seconds']:.1f} | {rows / m['seconds']:,.0f} | "
              f"{m['largest_mb']:,.0f} | {m['total_mb']:,.0f} | {m['disk_mb']:,.0f} |")
    print(f"\nJSON Lines text: {text_bytes / 1e6:,.0f} MB ({text_bytes / rows:,.0f} bytes per record)")
    print("decisions: " + ", ".join(f"{code} {n / rows:.1%}" for code, n in sorted(codes.items(), key=lambda x: -x[1])))
    approved = sum(bands.values())
    print("limit bands of the approved: " + ", ".join(f"{band} {n / approved:.1%}" for band, n in sorted(bands.items())))
    print(f"recourse: {plans}")


# Run in a fresh process with the tree under test first on sys.path (argv: tree, rows, spec file).
PEER_WORKER = """
import json, os, sys, time
tree, rows, spec_file = sys.argv[1], int(sys.argv[2]), sys.argv[3]
sys.path.insert(0, tree)
import scorecard
assert scorecard.__file__.startswith(os.path.abspath(tree)), scorecard.__file__
import scorecard.explain as ex
from scorecard.datasets.demo import generate
from scorecard.jobs.explain import EXPLAIN_CHUNK
from scorecard.policy import default_policy
from scorecard.profile import load_profile
from scorecard.spec import load_spec, save_spec
from scorecard.training import fit_scorecard
profile = load_profile("demo")
if not os.path.exists(spec_file):
    save_spec(fit_scorecard(generate(50_000, 7), profile, test_size=0.3, seed=7), spec_file)
spec, policy, table = load_spec(spec_file), default_policy(), generate(rows, 11)
seconds = {"moves": 0.0, "solve": 0.0, "plans": 0.0}
def timed(name, f):
    def run(*a, **k):
        t0 = time.perf_counter()
        try:
            return f(*a, **k)
        finally:
            seconds[name] += time.perf_counter() - t0
    return run
ex.all_moves, ex.solve = timed("moves", ex.all_moves), timed("solve", ex.solve)
ex.PlanBuilder.plans_for = timed("plans", ex.PlanBuilder.plans_for)
t0 = time.perf_counter()
for part in ex.applicant_chunks(ex.applicant_codes(table, profile.id_column)[0], EXPLAIN_CHUNK):
    ex.explain_table(spec, policy, table.iloc[part])
seconds["explain"] = time.perf_counter() - t0
print(json.dumps(seconds))
"""


def part_peer(peer: Path, rows: int, repeat: int) -> None:
    import json
    import subprocess
    import tempfile

    trees = {"this": Path(__file__).resolve().parents[1], "peer": peer.resolve()}
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
    stages = ("explain", "moves", "solve", "plans")
    with tempfile.TemporaryDirectory() as folder:
        for i in range(repeat):
            for name, tree in (trees.items() if i % 2 == 0 else reversed(trees.items())):  # alternate who goes first
                env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
                out = subprocess.run([sys.executable, "-c", PEER_WORKER, str(tree), str(rows),
                                      str(Path(folder) / f"{name}.json")], env=env, check=True, capture_output=True,
                                     text=True).stdout
                runs[name].append(json.loads(out.strip().splitlines()[-1]))
    print(f"\nPart 3: explain_table on {rows:,} demo rows (seed 11), this checkout ({trees['this']}) against "
          f"the peer ({trees['peer']}); each tree's own demo model and policy; {os.cpu_count()} CPUs")
    print("| tree | run | explain_table s | rows/s | all_moves s | solve s | plans_for s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name in trees:
        for i, m in enumerate(runs[name], 1):
            print(f"| {name} | {i} | {m['explain']:.2f} | {rows / m['explain']:,.0f} | {m['moves']:.2f} | "
                  f"{m['solve']:.2f} | {m['plans']:.2f} |")
    # the best run shows what the code costs (a shared machine only ever adds time), the median the noise
    for label, pick in (("best", np.min), ("median", np.median)):
        got = {name: {s: float(pick([m[s] for m in runs[name]])) for s in stages} for name in trees}
        for name in trees:
            print(f"| {name} | {label} | " + " | ".join(
                f"{got[name][s]:.2f}" + (f" | {rows / got[name][s]:,.0f}" if s == "explain" else "") for s in stages)
                + " |")
        print(f"| this / peer | {label} | " + " | ".join(
            f"{got['this'][s] / got['peer'][s]:.2f}" + (" | " if s == "explain" else "") for s in stages) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applicants", type=int, default=200)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--part", choices=("1", "2", "all"), default="all",
                        help="1: HELOC recourse against Counterfactual; 2: the whole demo batch")
    parser.add_argument("--peer", type=Path, help="part 3: a checkout to compare explain_table with (runs only part 3)")
    parser.add_argument("--repeat", type=int, default=3, help="part 3: runs per tree, alternating")
    parser.add_argument("--json-files", action="store_true",
                        help="part 2: also time --format json (one file per applicant; slow: a million files)")
    args = parser.parse_args()
    if args.peer is not None:
        part_peer(args.peer, args.rows, args.repeat)
        return
    if args.part in ("1", "all"):
        part_one(args.applicants)
    if args.part in ("2", "all"):
        part_two(args.rows, args.json_files)


if __name__ == "__main__":
    main()
