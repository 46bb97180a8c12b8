"""The train job: read and check the training table, fit the scorecard, write the checksummed spec."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console

from scorecard.data import read_table, validate_training
from scorecard.errors import FitError
from scorecard.jobs import console as progress
from scorecard.jobs.outputs import Run, guard
from scorecard.profile import load_profile
from scorecard.spec import save_spec
from scorecard.training import fit_scorecard, special_value_warnings


@dataclass(frozen=True)
class TrainResult:
    path: Path
    factors: tuple[str, ...]
    dropped: int
    metrics: dict[str, Any]
    protected_out: tuple[str, ...] = ()  # protected characteristics training left out
    protected_in: tuple[str, ...] = ()  # protected characteristics the profile allows and the model kept
    warnings: tuple[str, ...] = ()  # special values that score above or below every regular value

    def summary(self) -> str:
        test = self.metrics.get("test", {})
        auc, ks = test.get("auc"), test.get("ks")
        where = self.metrics.get("evaluated_on", "test rows")
        note = f" ({self.metrics['note']})" if "note" in self.metrics else ""
        return (
            f"kept {len(self.factors)} factors ({self.dropped} dropped, see 'scorecard report'): {', '.join(self.factors)}\n"
            f"AUC {'n/a' if auc is None else f'{auc:.3f}'}, KS {'n/a' if ks is None else f'{ks:.3f}'} "
            f"on the {where}{note}\n"
            + (f"protected characteristics left out of the model (no protected_use in the profile): "
               f"{', '.join(self.protected_out)}\n" if self.protected_out else "")
            + (f"protected characteristics scored because the profile says why (protected_use): "
               f"{', '.join(self.protected_in)}\n" if self.protected_in else "")
            + f"wrote {self.path}"
        ) + "".join(f"\nwarning: {line}" for line in self.warnings)


def train(data: Path, *, profile: str, out: Path, test_size: float, seed: int, console: Console | None = None,
          sep: str | None = None,
          **scaling: Any) -> TrainResult:
    """Read and check the training table, fit the scorecard, write the checksummed spec."""
    out = Path(out)
    guard(inputs={"--data": Path(data), "--profile": Path(profile) if Path(profile).is_file() else None},
          files={"--out": out})
    for name, value in scaling.items():
        if isinstance(value, float) and not math.isfinite(value):
            raise FitError(f"--{name.replace('_', '-')} {value}: give a finite number")
    chosen = load_profile(profile)
    with Run("train") as run:
        run.lock(out)  # before the work: an output that cannot be written fails now, not after fitting
        with progress.status(console, f"reading {data}"):
            table = validate_training(read_table(Path(data), sep=sep), chosen, str(data))
        with progress.stages(console, "training") as report:
            spec = fit_scorecard(table, chosen, test_size=test_size, seed=seed, progress=report, **scaling)
        save_spec(spec, run.file(out))
        run.commit()
    screened = {s.factor: s.action for s in spec.selection_log if s.stage == "protected"}
    return TrainResult(path=out, factors=spec.factor_names, dropped=len(chosen.factors) - len(spec.factors),
                       metrics=spec.metrics,
                       protected_out=tuple(f for f, a in screened.items() if a == "dropped"),
                       protected_in=tuple(f for f, a in screened.items() if a == "kept" and f in spec.factor_names),
                       warnings=special_value_warnings(spec))
