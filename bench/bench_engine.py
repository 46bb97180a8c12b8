"""Benchmark: this scorecard against optbinning's ``Scorecard`` and LightGBM, in the same run.

On HELOC and Give Me Some Credit (``../shared/data/``, or ``$SCORECARD_SHARED_DATA``), each file is
read and checked with its bundled profile and split once, stratified 70/30 with a fixed seed.
Then, on the same training rows:

* **scorecard**: ``training.fit_scorecard`` (optbinning bins under the profile's trends, the
  statsmodels logit with sign and p-value selection, integer PDO points), test rows scored with
  ``scoring.score`` (NumPy, integer totals);
* **optbinning**: ``optbinning.Scorecard`` with ``BinningProcess`` (optbinning's defaults, told the
  profile's special codes and categorical columns), sklearn's ``LogisticRegression`` and the
  same PDO scaling with rounding, scored with ``Scorecard.score``; its AUC and KS come from the
  same integer scores a user would deploy;
* **lightgbm**: ``LGBMClassifier`` with default settings on the raw columns (a ceiling, not a
  scorecard).

Reported: test AUC and KS; fit time (best of ``--repeat``) and scoring throughput on 10^6 rows
(the test rows repeated; best of ``--repeat``), both as ratios to optbinning's ``Scorecard``.
Targets: AUC >= optbinning's and within 0.01 of LightGBM's; fit time <= 1.5x optbinning's;
scoring >= 20x ``Scorecard.score``.

Run: ``python bench/bench_engine.py [--files heloc gmsc] [--repeat 3] [--score-rows 1000000]``.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from scorecard import binning  # noqa: E402,F401  (quiets cvxpy's solver-probe log lines before optbinning loads)
from scorecard import metrics, scoring  # noqa: E402
from scorecard.data import read_table, validate_training  # noqa: E402
from scorecard.profile import load_profile  # noqa: E402
from scorecard.training import fit_scorecard, split_rows, target_vector  # noqa: E402

SHARED = Path(os.environ.get("SCORECARD_SHARED_DATA", ROOT.parent / "shared" / "data"))
SEED = 42
TEST_SIZE = 0.3
TARGETS = {"auc_vs_optbinning": 0.0, "auc_vs_lightgbm": -0.01, "fit_ratio": 1.5, "score_ratio": 20.0}


def best_of(repeat: int, run):  # noqa: ANN001, ANN201
    """(best seconds, last result) of ``repeat`` runs of ``run()``."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


def repeated(table: pd.DataFrame, rows: int) -> pd.DataFrame:
    times = -(-rows // len(table))
    return pd.concat([table] * times, ignore_index=True).iloc[:rows]


def ours(train: pd.DataFrame, test: pd.DataFrame, profile, repeat: int, score_rows: int) -> dict:  # noqa: ANN001
    fit_s, spec = best_of(repeat, lambda: fit_scorecard(train, profile, test_size=0, seed=SEED))
    result = scoring.score(spec, test)
    y = target_vector(test, profile)
    big = repeated(test, score_rows)
    score_s, _ = best_of(repeat, lambda: scoring.score(spec, big))
    return {"auc": metrics.auc(y, result.pd), "ks": metrics.ks(y, result.pd), "fit_s": fit_s,
            "rows_per_s": len(big) / score_s, "factors": len(spec.factors)}


class _Quiet(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return False


def peer_optbinning(train: pd.DataFrame, test: pd.DataFrame, profile, repeat: int, score_rows: int) -> dict:  # noqa: ANN001
    from optbinning import BinningProcess, Scorecard
    from sklearn.linear_model import LogisticRegression

    columns = [f.source_column for f in profile.factors]
    codes = sorted({float(c) for f in profile.factors for c in f.special_codes if not isinstance(c, str)})
    categorical = [f.source_column for f in profile.factors if f.kind == "categorical"]
    y_train = target_vector(train, profile)

    def fit() -> Scorecard:
        process = BinningProcess(variable_names=columns, special_codes=codes or None,
                                 categorical_variables=categorical or None)
        model = Scorecard(binning_process=process, estimator=LogisticRegression(max_iter=1000),
                          scaling_method="pdo_odds",
                          scaling_method_params={"pdo": 20, "odds": 50, "scorecard_points": 600}, rounding=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return model.fit(train[columns], y_train)

    fit_s, model = best_of(repeat, fit)
    y = target_vector(test, profile)
    score = model.score(test[columns])
    # A higher score is safer: rank by the negated score, as our PD does.
    big = repeated(test[columns], score_rows)
    score_s, _ = best_of(repeat, lambda: model.score(big))
    return {"auc": metrics.auc(y, -score), "ks": metrics.ks(y, -score), "fit_s": fit_s,
            "rows_per_s": len(big) / score_s, "factors": int(len(model.binning_process_.get_support(names=True)))}


def peer_lightgbm(train: pd.DataFrame, test: pd.DataFrame, profile) -> dict:  # noqa: ANN001
    from lightgbm import LGBMClassifier

    columns = [f.source_column for f in profile.factors]

    def frame(table: pd.DataFrame) -> pd.DataFrame:
        out = table[columns].copy()
        for f in profile.factors:
            out[f.source_column] = (out[f.source_column].astype("category") if f.kind == "categorical"
                                    else pd.to_numeric(out[f.source_column], errors="coerce"))
        return out

    start = time.perf_counter()
    model = LGBMClassifier(verbose=-1, random_state=SEED).fit(frame(train), target_vector(train, profile))
    fit_s = time.perf_counter() - start
    p = model.predict_proba(frame(test))[:, 1]
    y = target_vector(test, profile)
    return {"auc": metrics.auc(y, p), "ks": metrics.ks(y, p), "fit_s": fit_s}


def run(name: str, repeat: int, score_rows: int) -> list[dict]:
    path = SHARED / f"{name}.csv"
    profile = load_profile(name)
    table = validate_training(read_table(path), profile, str(path)).reset_index(drop=True)
    train_at, test_at = split_rows(target_vector(table, profile), TEST_SIZE, SEED)
    train, test = table.iloc[train_at], table.iloc[test_at]
    rows = []
    mine = ours(train, test, profile, repeat, score_rows)
    peer = peer_optbinning(train, test, profile, repeat, score_rows)
    light = peer_lightgbm(train, test, profile)
    for model, m in (("scorecard", mine), ("optbinning Scorecard", peer), ("LightGBM", light)):
        rows.append({"file": name, "model": model, **m,
                     "fit_ratio": m["fit_s"] / peer["fit_s"] if model != "LightGBM" else None,
                     "score_ratio": m["rows_per_s"] / peer["rows_per_s"] if "rows_per_s" in m else None})
    rows[0]["checks"] = {
        "AUC >= optbinning": mine["auc"] - peer["auc"] >= TARGETS["auc_vs_optbinning"],
        "AUC within 0.01 of LightGBM": mine["auc"] - light["auc"] >= TARGETS["auc_vs_lightgbm"],
        "fit <= 1.5x optbinning": mine["fit_s"] / peer["fit_s"] <= TARGETS["fit_ratio"],
        "scoring >= 20x optbinning": mine["rows_per_s"] / peer["rows_per_s"] >= TARGETS["score_ratio"],
    }
    return rows


def _cell(value: object, fmt: str) -> str:
    return "" if value is None else format(value, fmt)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", nargs="+", default=["heloc", "gmsc"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--score-rows", type=int, default=1_000_000)
    args = parser.parse_args()
    missing = [n for n in args.files if not (SHARED / f"{n}.csv").is_file()]
    if missing:
        sys.exit(f"{SHARED}: no {', '.join(missing)}.csv; set SCORECARD_SHARED_DATA to the shared data folder")
    rows = [row for name in args.files for row in run(name, args.repeat, args.score_rows)]
    print(f"Stratified {1 - TEST_SIZE:.0%}/{TEST_SIZE:.0%} split, seed {SEED}; fit time best of {args.repeat}; "
          f"scoring on {args.score_rows:,} rows (test rows repeated).\n")
    print("| file | model | factors | test AUC | test KS | fit s | fit vs optbinning | scoring rows/s | scoring vs optbinning |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(f"| {r['file']} | {r['model']} | {r.get('factors', '')} | {r['auc']:.4f} | {r['ks']:.4f} | {r['fit_s']:.2f} | "
              f"{_cell(r['fit_ratio'], '.2f')}{'x' if r['fit_ratio'] else ''} | {_cell(r.get('rows_per_s'), ',.0f')} | "
              f"{_cell(r['score_ratio'], '.1f')}{'x' if r['score_ratio'] else ''} |")
    print()
    failed = 0
    for r in rows:
        for check, ok in r.get("checks", {}).items():
            failed += not ok
            print(f"- {r['file']}: {check}: {'met' if ok else 'MISSED'}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
