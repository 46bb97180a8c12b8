"""`scorecard monitor`: a shifted demo population is flagged where it shifted, an unshifted one nowhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from scorecard.cli import app
from scorecard.datasets.demo import Shift, for_writing, generate
from scorecard.errors import DataError
from scorecard.governance.measures import assess
from scorecard.governance.monitor import ThresholdError, Thresholds, load_thresholds, monitor_data
from scorecard.policy import default_policy
from scorecard.spec import load_spec

runner = CliRunner()
SHIFT = "2026-03-01"


def _monitor(demo_model: Path, shift: Shift | None, **thresholds: object) -> dict:
    spec = load_spec(demo_model)
    table = generate(30_000, 11, shift=shift)
    return monitor_data(spec, table, assess(spec, default_policy(), table), by="month",
                        thresholds=Thresholds(**thresholds))


def _flags(data: dict) -> dict[str, set[tuple[str, str]]]:
    return {p["period"]: {(f["kind"], f["name"]) for f in p["flags"]} for p in data["periods"]}


def test_shifted_months_flag_the_shifted_factors_and_the_reasons_that_grew(demo_model: Path) -> None:
    flags = _flags(_monitor(demo_model, Shift(SHIFT, applications=1.0, debt=1.7)))
    assert len(flags) == 22  # 2025-01 .. 2026-10
    for period, found in flags.items():
        if period < SHIFT[:7]:
            assert not found, period
            continue
        assert {("psi", "applications_3m"), ("psi", "debt_to_income")} <= found, period
        assert {("reason", "APPLICATIONS_3M.VALUE"), ("reason", "DEBT_TO_INCOME.VALUE")} <= found, period
        # Only what shifted: no factor the shift does not touch.
        assert {name for kind, name in found if kind == "psi"} <= {"score", "applications_3m", "debt_to_income"}


def test_an_unshifted_population_is_flagged_nowhere(demo_model: Path) -> None:
    data = _monitor(demo_model, None)
    assert not any(p["flags"] for p in data["periods"]), [p["flags"] for p in data["periods"] if p["flags"]]
    # Measured, not merely silent: every month has its PSI, bad rates, AUC and reason shares.
    for p in data["periods"]:
        assert p["score_psi"] < 0.1 and p["auc"] > 0.6 and p["reason_shares"]
        assert abs(p["actual_bad_rate"] - p["expected_bad_rate"]) < 0.03


def test_the_doubling_rule_and_the_thresholds_are_configurable(demo_model: Path, tmp_path: Path) -> None:
    # Without the absolute rise, a common reason (31 % -> 55 %) does not double: only PSI flags remain.
    data = _monitor(demo_model, Shift(SHIFT), reason_increase=1.0)
    assert not any(f["kind"] == "reason" for p in data["periods"] for f in p["flags"])
    path = tmp_path / "thresholds.yaml"
    path.write_text("psi_watch: 0.2\nmin_rows: 50000\n", encoding="utf-8")
    loaded = load_thresholds(path)
    assert loaded.psi_watch == 0.2 and loaded.psi_shift == 0.25
    path.write_text("psi_wach: 0.2\n", encoding="utf-8")
    with pytest.raises(ThresholdError, match=r"thresholds.yaml: psi_wach"):
        load_thresholds(path)
    assert not any(p["flags"] for p in _monitor(demo_model, Shift(SHIFT), min_rows=50_000)["periods"])


def test_cli_prints_the_table_and_writes_the_page(demo_model: Path, tmp_path: Path) -> None:
    data = tmp_path / "shifted.csv"
    made = runner.invoke(app, ["data", "demo", "--out", str(data), "--rows", "8000", "--seed", "11",
                               "--shift-from", SHIFT])
    assert made.exit_code == 0, made.output
    page = tmp_path / "monitor.html"
    result = runner.invoke(app, ["monitor", "--model", str(demo_model), "--data", str(data), "--by", "quarter",
                                 "--out", str(page), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Periods" in result.output and "in 8 period(s)" in result.output  # 2025-Q1 .. 2026-Q4
    html = page.read_text(encoding="utf-8")
    assert "<td>2026-Q2</td>" in html and "Credit applications in the last 3 months PSI" in html
    assert html.count("<svg") == 4 and "APPLICATIONS_3M.VALUE" in html and "Adverse impact ratio" in html
    assert "https://" not in html and "<script" not in html
    refused = runner.invoke(app, ["monitor", "--model", str(demo_model), "--data", str(data), "--out", str(data)])
    assert refused.exit_code == 2


def test_monitoring_needs_dates(demo_model: Path) -> None:
    spec = load_spec(demo_model)
    table = for_writing(generate(500, 3)).drop(columns="snapshot_date")
    with pytest.raises(DataError, match="snapshot_date"):
        monitor_data(spec, table, assess(spec, default_policy(), table), by="month", thresholds=Thresholds())


def test_shift_leaves_the_months_before_it_as_they_were() -> None:
    plain, shifted = generate(5_000, 4), generate(5_000, 4, shift=Shift(SHIFT))
    before = plain["snapshot_date"] < SHIFT
    assert plain[before].equals(shifted[before])
    after = ~before
    assert shifted.loc[after, "applications_3m"].mean() > plain.loc[after, "applications_3m"].mean() + 0.5
    with pytest.raises(DataError, match="YYYY-MM-DD"):
        Shift("March")
