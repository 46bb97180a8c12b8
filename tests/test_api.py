"""The notebook API (``from scorecard import Scorecard``): scikit-learn conventions, a Pipeline under
cross_val_score, the JSON spec as the only saved form, DataFrames out, and a profile that is optional."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

import scorecard
from scorecard import Scorecard
from scorecard.datasets.demo import generate
from scorecard.errors import DataError, ProfileError
from scorecard.profile import load_profile
from scorecard.training import fit_scorecard


@pytest.fixture(scope="module")
def demo():
    table = generate(2500, 3)
    profile = load_profile("demo")
    X = table[[profile.id_column, *(f.source_column for f in profile.factors)]]
    return X, table["bad"].to_numpy()


def small_table(n: int = 1500, seed: int = 1) -> tuple[pd.DataFrame, pd.Series]:
    """Columns a notebook would hold: a number, a 0/1 flag, a text category, a column with a space."""
    rng = np.random.default_rng(seed)
    income = rng.gamma(2.0, 3000.0, n).round()
    verified = rng.integers(0, 2, n)
    city = rng.choice(["north", "south", "east", "west"], n)
    late = rng.poisson(0.5, n)
    log_odds = -1.5 - income / 6000 + 0.8 * late - 0.6 * verified + (city == "east") * 0.7
    y = pd.Series((rng.random(n) < 1 / (1 + np.exp(-log_odds))).astype(int), name="default")
    return pd.DataFrame({"income": income, "verified": verified, "city": city, "late payments": late}), y


def test_fit_without_a_profile_infers_kinds_and_labels_from_the_columns():
    X, y = small_table()
    card = Scorecard().fit(X, y)
    profile = card.spec_.profile
    kinds = {f.source_column: f.kind for f in profile.factors}
    assert kinds == {"income": "numeric", "verified": "flag", "city": "categorical", "late payments": "numeric"}
    late = next(f for f in profile.factors if f.source_column == "late payments")
    assert late.name == "late_payments" and late.label.zh == late.label.en == late.meaning.en == "late payments"
    assert set(card.spec_.factor_names) >= {"income", "late_payments"}
    assert list(card.feature_names_in_) == list(X.columns) and card.n_features_in_ == 4
    assert card.score(X, y) > 0.7  # AUC on the training rows


def test_the_same_fit_as_the_cli_pipeline(demo):
    X, y = demo
    card = Scorecard("demo", seed=5).fit(X, y)
    table = X.assign(bad=y)
    assert card.spec_.sha256 == fit_scorecard(table, load_profile("demo"), test_size=0.0, seed=5).sha256


def test_inside_a_pipeline_under_cross_val_score(demo):
    X, y = demo
    capped = FunctionTransformer(lambda t: t.assign(applications_3m=t["applications_3m"].clip(upper=12)))
    pipe = Pipeline([("cap", capped), ("card", Scorecard("demo"))])
    aucs = cross_val_score(pipe, X, y, cv=3)  # no scoring given: Scorecard.score is the AUC
    assert aucs.shape == (3,) and np.all((aucs > 0.65) & (aucs < 0.95))
    by_proba = cross_val_score(pipe, X, y, cv=3, scoring="roc_auc")
    np.testing.assert_allclose(aucs, by_proba, atol=1e-6)  # metrics.auc reports six decimals


def test_params_follow_scikit_learn_conventions():
    card = Scorecard("demo", selection={"method": "bic"}, pdo=40)
    assert card.get_params()["pdo"] == 40 and card.get_params()["selection"] == {"method": "bic"}
    twin = clone(card.set_params(seed=11))
    assert twin.get_params() == card.get_params() and not hasattr(twin, "spec_")
    with pytest.raises(NotFittedError):
        twin.predict_proba(pd.DataFrame({"age": [30]}))
    with pytest.raises(ProfileError, match="selection"):
        Scorecard(selection={"method": "stepwise"}).fit(*small_table(300))


def test_save_load_and_score_give_identical_results(tmp_path, demo):
    X, y = demo
    card = Scorecard("demo", selection={"max_correlation": 0.5}).fit(X, y)
    (tmp_path / "model.json").write_text("an older spec", encoding="utf-8")
    path = card.save(tmp_path / "model.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json"]  # staged and renamed: no temporary left
    back = Scorecard.load(path)
    assert back.spec_ == card.spec_ and back.spec_.sha256 == card.spec_.sha256
    assert back.get_params()["selection"]["max_correlation"] == 0.5 and back.get_params()["profile"] == card.spec_.profile
    np.testing.assert_array_equal(back.predict_proba(X), card.predict_proba(X))
    pd.testing.assert_frame_equal(back.scores(X), card.scores(X))
    assert back.score(X, y) == card.score(X, y)
    refit = clone(back).fit(X, y)  # the loaded parameters train the same spec again
    assert refit.spec_.sha256 == card.spec_.sha256


def test_tables_are_dataframes(demo):
    X, y = demo
    card = Scorecard("demo").fit(X, y)
    scores = card.scores(X.head(5))
    assert list(scores.columns[:2]) == ["score", "pd"] and list(scores.columns[2:]) == list(card.spec_.factor_names)
    assert (scores[list(card.spec_.factor_names)].sum(axis=1) == scores["score"]).all()
    bins = card.bin_table("debt_to_income")
    assert list(bins.columns) == ["bin", "kind", "meaning", "count", "share", "bad_rate", "woe", "iv", "points", "note"]
    assert bins["count"].sum() == len(X) and bins["share"].sum() == pytest.approx(1.0)
    assert bins.loc[bins["kind"] == "special", "meaning"].str.len().gt(0).all()  # -1: no usable income record
    assert card.transform(X.head(3)).shape == (3, len(card.spec_.factors))
    assert card.bins(X.head(3)).iloc[0].tolist()[0] in set(card.bin_table(card.spec_.factor_names[0])["bin"])
    summary = card.summary()
    assert summary["iv"].is_monotonic_decreasing and summary["in_model"].sum() == len(card.spec_.factors)
    log = card.selection_log()
    assert {"factor", "stage", "action", "reason", "partner", "correlation"} <= set(log.columns)
    proba = card.predict_proba(X.head(4))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0) and np.testing.assert_array_equal(proba[:, 1], scores["pd"].head(4))
    with pytest.raises(DataError, match="no column 'age'"):
        card.predict_proba(X.drop(columns="age"))
    unnumbered = Scorecard("demo").fit(X.drop(columns="applicant_id"), y)  # no id column: rows are numbered
    assert unnumbered.spec_.profile.id_column is None
    np.testing.assert_array_equal(unnumbered.predict_proba(X), card.predict_proba(X))


def test_jupyter_shows_the_summary_and_escapes_names():
    X, y = small_table(800)
    X = X.rename(columns={"city": "<b>city</b>"})
    card = Scorecard().fit(X, y)
    shown = card._repr_html_()
    assert "<table" in shown and "AUC" in shown and "<b>city</b>" not in shown and "&lt;b&gt;city&lt;/b&gt;" in shown


def test_the_package_exports_the_api_lazily():
    assert scorecard.Scorecard is Scorecard and "Scorecard" in dir(scorecard)
    with pytest.raises(AttributeError):
        scorecard.nothing_here  # noqa: B018
