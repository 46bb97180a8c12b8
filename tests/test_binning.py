"""Binning: optbinning's splits turned into spec bins a risk analyst can defend bin by bin."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from scorecard import binning
from scorecard.binning import bin_share, fit_bins, optbinning_params, range_label, woe_matrix
from scorecard.errors import FitError
from scorecard.profile import parse_profile
from scorecard.scoring import assign_bins
from scorecard.spec import EMPTY_BIN_RULE, UNSEEN_RULE

TEXT = {"zh": "测试", "en": "test"}


def profile_of(*factors: dict) -> object:
    entries = [{"label": TEXT, "meaning": TEXT, **f} for f in factors]
    return parse_profile({"name": "t", "description": TEXT, "target": {"column": "bad"}, "factors": entries}, "test")


def risky_table(n: int = 4000, seed: int = 0) -> pd.DataFrame:
    """``debt`` raises the bad rate; -1 is a special code whose rows are all bad; ``noise`` is noise;
    ``city`` has categories with different bad rates; 5% of ``debt`` is missing."""
    rng = np.random.default_rng(seed)
    debt = np.round(rng.gamma(2.0, 0.2, n), 3)
    city = rng.choice(["A", "B", "C", "D"], n, p=[0.4, 0.3, 0.2, 0.1])
    log_odds = -2.5 + 2.2 * np.minimum(debt, 1.5) + np.select([city == "C", city == "D"], [0.6, 1.2], 0.0)
    bad = (rng.random(n) < 1 / (1 + np.exp(-log_odds))).astype(int)
    debt = np.where(rng.random(n) < 0.05, np.nan, debt)
    special = rng.random(n) < 0.01
    debt[special] = -1
    bad[special] = 1
    return pd.DataFrame({"debt": debt, "noise": rng.normal(size=n), "city": city, "bad": bad})


PROFILE = profile_of(
    {"name": "debt", "kind": "numeric", "trend": "ascending", "special_values": [{"value": -1, "meaning": TEXT},
                                                                                   {"value": -2, "meaning": TEXT}]},
    {"name": "noise", "kind": "numeric", "trend": "auto"},
    {"name": "city", "kind": "categorical"},
)


@pytest.fixture(scope="module")
def fitted():
    table = risky_table()
    return table, fit_bins(table, table["bad"].to_numpy(), PROFILE)


def factor(result, name):
    return next(f for f in result.all_factors if f.name == name)


def test_every_factor_is_logged_and_weak_ones_dropped_with_a_reason(fitted):
    _, result = fitted
    steps = {s.factor: s for s in result.steps}
    assert set(steps) == {"debt", "noise", "city"}
    assert steps["debt"].action == "kept" and steps["city"].action == "kept"
    assert steps["noise"].action == "dropped" and "IV" in steps["noise"].reason and "< 0.02" in steps["noise"].reason
    assert [f.name for f in result.factors] == ["debt", "city"]
    assert all(s.iv is not None and s.iv >= 0 for s in result.steps)


def test_bins_follow_the_profile_trend_size_and_count(fitted):
    table, result = fitted
    debt = factor(result, "debt")
    ranges = [b for b in debt.bins if b.kind == "range"]
    assert 2 <= len(ranges) <= binning.MAX_BINS
    rates = [b.event_rate for b in ranges]
    assert rates == sorted(rates), "ascending trend: the bad rate grows bin by bin"
    assert all(b.count >= bin_share(PROFILE.factor("debt"), len(table)) * len(table) - 1 for b in ranges)
    assert ranges[0].lower is None and ranges[-1].upper is None
    assert all(a.upper == b.lower for a, b in zip(ranges, ranges[1:]))
    # Order: range bins, one bin per special code, then missing.
    assert [b.kind for b in debt.bins[len(ranges):]] == ["special", "special", "missing"]
    assert debt.bins[debt.missing_bin].kind == "missing"


def test_counts_add_up_and_match_the_scorers_bin_rule(fitted):
    table, result = fitted
    for f in result.all_factors:
        index = assign_bins(f, table[f.column])
        counts = np.bincount(index, minlength=len(f.bins))
        assert counts.tolist() == [b.count for b in f.bins]
        bads = np.bincount(index, weights=table["bad"], minlength=len(f.bins))
        assert bads.round().astype(int).tolist() == [b.event_count for b in f.bins]


def test_numeric_side_convention_is_optbinnings(fitted):
    """A value exactly on a split point goes to the upper bin (lower <= x < upper), as
    optbinning's own transform puts it."""
    from optbinning import OptimalBinning

    table, result = fitted
    debt = factor(result, "debt")
    splits = [b.upper for b in debt.bins if b.kind == "range"][:-1]
    probes = np.array([s + d for s in splits for d in (-1e-9, 0.0, 1e-9)] + [-1.0, -2.0, np.nan])
    optb = OptimalBinning(name="debt", **optbinning_params(PROFILE.factor("debt"), len(table)))
    optb.fit(table["debt"].to_numpy(), table["bad"].to_numpy())
    assert list(optb.splits) == splits
    # optbinning's transform defaults (metric_special=0, metric_missing=0) would put specials and
    # missing values in bin 0; "empirical" gives each its own bin, as Scorecard.score does.
    theirs = optb.transform(probes, metric="indices", metric_special="empirical", metric_missing="empirical")
    ours = assign_bins(debt, pd.Series(probes))
    assert ours.tolist() == theirs.tolist()
    for s in splits:
        at = assign_bins(debt, pd.Series([s]))[0]
        assert debt.bins[at].lower == s


def test_special_codes_get_their_own_bins_with_honest_statistics(fitted):
    """optbinning's table shows WoE 0 and event rate 0 for a bin with only bad rows; the spec
    shows the real event rate and a smoothed, clearly negative WoE."""
    table, result = fitted
    debt = factor(result, "debt")
    minus_one = next(b for b in debt.bins if b.kind == "special" and b.special_values == (-1.0,))
    assert minus_one.label == "-1"
    assert minus_one.count == int((table["debt"] == -1).sum()) > 0
    assert minus_one.event_rate == 1.0
    assert math.isfinite(minus_one.woe) and minus_one.woe < min(b.woe for b in debt.bins if b.kind == "range")
    assert minus_one.iv > 0


def test_empty_bins_carry_the_worst_observed_woe(fitted):
    _, result = fitted
    debt = factor(result, "debt")
    minus_two = next(b for b in debt.bins if b.special_values == (-2.0,))
    assert minus_two.count == 0 and minus_two.iv == 0
    assert minus_two.woe == min(b.woe for b in debt.bins if b.count > 0)
    assert "worst observed bin" in EMPTY_BIN_RULE


def test_categories_are_grouped_and_unseen_ones_go_to_the_worst_group(fitted):
    table, result = fitted
    city = factor(result, "city")
    groups = [b for b in city.bins if b.kind == "categories"]
    assert sorted(c for b in groups for c in b.categories) == ["A", "B", "C", "D"]
    worst = min(groups, key=lambda b: b.woe)
    assert city.bins[city.unseen_bin] == worst and "D" in worst.categories
    index = assign_bins(city, pd.Series(["Z", None, " ", "A"]))
    assert index.tolist()[:3] == [city.unseen_bin, city.missing_bin, city.missing_bin]
    assert "unseen category" in UNSEEN_RULE


def test_woe_is_ln_good_share_over_bad_share(fitted):
    table, result = fitted
    total_bad = int(table["bad"].sum())
    total_good = len(table) - total_bad
    for f in result.all_factors:
        for b in f.bins:
            good = b.count - b.event_count
            if good and b.event_count:
                # WoE is stored rounded to SIGNIFICANT_DIGITS (spec.fitted): within half a unit of the 9th digit.
                    assert b.woe == pytest.approx(math.log((good / total_good) / (b.event_count / total_bad)), rel=1e-8)
    woe = woe_matrix(result.factors, table)
    assert list(woe.columns) == ["debt", "city"] and not woe.isna().any().any()


def test_flags_split_even_when_one_value_is_rare():
    rng = np.random.default_rng(3)
    n = 5000
    verified = (rng.random(n) < 0.97).astype(int)  # 3% unverified: below the 5% a range bin would need
    bad = (rng.random(n) < np.where(verified == 1, 0.05, 0.3)).astype(int)
    table = pd.DataFrame({"verified": verified, "bad": bad})
    profile = profile_of({"name": "verified", "kind": "flag", "trend": "descending", "min_value": 0, "max_value": 1,
                          "integer": True})
    result = fit_bins(table, bad, profile)
    labels = [b.label for b in result.factors[0].bins]
    assert labels == ["0", "1", "Missing"]


def test_a_factor_without_any_split_is_dropped_saying_why():
    rng = np.random.default_rng(4)
    n = 3000
    x = rng.integers(0, 10, n)
    bad = (rng.random(n) < 0.1 + 0.02 * (x % 3)).astype(int)  # no monotone pattern
    table = pd.DataFrame({"x": x, "y": rng.normal(size=n), "bad": bad})
    profile = profile_of({"name": "x", "kind": "numeric", "trend": "descending"},
                         {"name": "y", "kind": "numeric", "trend": "ascending"})
    with pytest.raises(FitError, match="no factor reaches IV"):
        fit_bins(table, bad, profile)


def test_labels_read_as_values():
    integer = profile_of({"name": "n", "kind": "numeric", "integer": True, "min_value": 0}).factors[0]
    plain = profile_of({"name": "r", "kind": "numeric"}).factors[0]
    flag = profile_of({"name": "f", "kind": "flag", "min_value": 0, "max_value": 1}).factors[0]
    assert [range_label(None, 2.5, integer), range_label(2.5, 3.5, integer), range_label(2.5, 5.5, integer),
            range_label(5.5, None, integer)] == ["0–2", "3", "3–5", "≥ 6"]
    assert [range_label(None, 0.3, plain), range_label(0.3, 0.5, plain), range_label(0.5, None, plain)] == [
        "< 0.3", "[0.3, 0.5)", "≥ 0.5"]
    assert [range_label(None, 0.5, flag), range_label(0.5, None, flag)] == ["0", "1"]


def test_bad_settings_fail_clearly(fitted):
    table, _ = fitted
    with pytest.raises(FitError, match="min bin share"):
        fit_bins(table, table["bad"].to_numpy(), PROFILE, min_bin_share=0.7)
    with pytest.raises(FitError, match="only one outcome"):
        fit_bins(table, np.zeros(len(table), dtype=int), PROFILE)


def test_progress_reports_every_factor(fitted):
    table, _ = fitted
    seen = []
    fit_bins(table, table["bad"].to_numpy(), PROFILE, progress=lambda stage, done, total: seen.append((done, total)))
    assert seen[0] == (0, 3) and seen[-1] == (3, 3) and len(seen) == 4


def test_constant_and_empty_columns_are_dropped_not_fatal():
    rng = np.random.default_rng(6)
    n = 2000
    x = rng.normal(size=n)
    bad = (rng.random(n) < 1 / (1 + np.exp(-(x - 2)))).astype(int)
    table = pd.DataFrame({"x": x, "const": 1.0, "empty": np.nan, "text": None, "bad": bad})
    profile = profile_of({"name": "x", "kind": "numeric", "trend": "ascending"}, {"name": "const", "kind": "numeric"},
                         {"name": "empty", "kind": "numeric"}, {"name": "text", "kind": "categorical"})
    result = fit_bins(table, bad, profile)
    reasons = {s.factor: s.reason for s in result.steps if s.action == "dropped"}
    assert set(reasons) == {"const", "empty", "text"}
    assert "no split gives a monotone bad rate" in reasons["const"]
    assert "no training row has a value other than missing" in reasons["empty"]
    assert "no training row has a value other than missing" in reasons["text"]
    assert [f.name for f in result.factors] == ["x"]


def test_cvxpy_highs_probe_message_is_silenced_and_nothing_else(tmp_path):
    """A highspy wheel whose native library does not load makes cvxpy log one line on stderr
    when optbinning is imported; importing optbinning through ``scorecard.binning`` drops
    exactly that line (a stand-in highspy that fails to import reproduces it)."""
    import logging
    import os
    import subprocess
    import sys

    broken = tmp_path / "highspy"
    broken.mkdir()
    (broken / "__init__.py").write_text('raise ImportError("libhighs.so: cannot open shared object file")\n')
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *filter(None, [os.environ.get("PYTHONPATH")])])}

    # One fresh interpreter: the stand-in made cvxpy's probe fail (HIGHS is not installed for it),
    # yet nothing reached stderr.
    code = ("import scorecard.binning\n"
            "from cvxpy.reductions.solvers.defines import INSTALLED_SOLVERS\n"
            "assert 'HIGHS' not in INSTALLED_SOLVERS, INSTALLED_SOLVERS\n")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""

    probe = binning._QuietSolverProbe()
    noise = "Encountered unexpected exception importing solver HIGHS:\nImportError('libhighs.so')"
    assert not probe.filter(logging.LogRecord("__cvxpy__", logging.WARNING, __file__, 1, noise, None, None))
    other = "Encountered unexpected exception importing solver SCIP:\nImportError('libscip.so')"
    assert probe.filter(logging.LogRecord("__cvxpy__", logging.WARNING, __file__, 1, other, None, None))
