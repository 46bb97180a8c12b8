"""The notebook API: a scikit-learn estimator around the same training and scoring as the CLI.

    >>> from scorecard import Scorecard
    >>> card = Scorecard().fit(X, y)          # X: a DataFrame of factors, y: 1 for bad
    >>> card.predict_proba(X_new)[:, 1]       # the PD a deployed scorecard gives
    >>> card.scores(X_new)                    # integer score, PD and points per factor
    >>> card.bin_table("age")                 # bins, counts, bad rates, WoE, IV, points
    >>> card.save("model.json"); Scorecard.load("model.json")

``Scorecard.fit`` calls ``training.fit_scorecard`` (what ``scorecard train`` calls) after
``data.validate_training`` (what ``scorecard data check`` checks), so a notebook and the CLI give
the same spec for the same table, profile and settings. The profile is optional: without one,
every column of ``X`` is a factor, its kind inferred from its values (0/1 -> flag, numbers ->
numeric, anything else -> categorical) and its label the column name; a profile (a bundled name,
a path, a ``Profile`` or a dict) adds wording, trends, special values, bin overrides and the
selection rule. What is fitted is the JSON spec (``spec_``): ``save`` writes it and ``load`` reads
it back, checksum verified; nothing is pickled.

scikit-learn conventions: the constructor only stores its arguments (``get_params`` /
``set_params`` / ``clone`` work), checks run in ``fit``, fitted attributes end in ``_``
(``spec_``, ``classes_``, ``n_features_in_``, ``feature_names_in_``), and ``score(X, y)`` is the
ROC AUC (the measure a scorecard is judged by), so ``cross_val_score`` without ``scoring`` ranks
by AUC. The estimator works inside a ``Pipeline``.
"""

from __future__ import annotations

import dataclasses
import html
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin

from scorecard import metrics, scoring
from scorecard.binning import MAX_BINS, MIN_BIN_SHARE, MIN_IV, woe_matrix
from scorecard.data import validate_training
from scorecard.errors import DataError, FitError, ProfileError
from scorecard.jobs.outputs import Run
from scorecard.languages import page_languages
from scorecard.profile import Profile, Selection, load_profile, parse_profile
from scorecard.report import report_data
from scorecard.spec import ScorecardSpec, load_spec, save_spec
from scorecard.training import fit_scorecard

TARGET = "bad"  # the target column of an inferred profile (with underscores added if X has one)


def infer_profile(X: pd.DataFrame, *, name: str = "notebook") -> Profile:
    """A profile for a table without one: every column a factor, its kind from its values, its
    label and meaning the column name (``profile.Factor`` fills them in)."""
    factors = []
    used: set[str] = set()
    for column in X.columns:
        values = X[column]
        base = re.sub(r"\W", "_", str(column)) or "factor"
        base = base if re.match(r"[A-Za-z_]", base) else f"f_{base}"
        factor_name, n = base, 2
        while factor_name in used:
            factor_name, n = f"{base}_{n}", n + 1
        used.add(factor_name)
        factor: dict[str, Any] = {"name": factor_name, "column": str(column)}
        present = values.dropna()
        if pd.api.types.is_bool_dtype(values.dtype) or (
                pd.api.types.is_numeric_dtype(values.dtype) and len(present) and set(pd.unique(present)) <= {0, 1}):
            factor["kind"] = "flag"
        elif pd.api.types.is_numeric_dtype(values.dtype):
            factor["kind"] = "numeric"
            factor["integer"] = bool(pd.api.types.is_integer_dtype(values.dtype))
        else:
            factor["kind"] = "categorical"
        factors.append(factor)
    description = {lang: name for lang in page_languages().written_in}
    target = TARGET
    while target in X.columns:
        target += "_"
    return parse_profile({"name": name, "description": description, "target": {"column": target, "bad_value": 1},
                          "factors": factors}, f"the profile inferred from the columns of X ({name})")


def _frame(X: Any) -> pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        return X
    array = np.asarray(X)
    if array.ndim != 2:
        raise DataError(f"X must be a table (2 dimensions), not {array.ndim}; pass a DataFrame")
    return pd.DataFrame(array, columns=[f"x{i}" for i in range(array.shape[1])])


def _bad(y: Any, bad_value: Any) -> np.ndarray:
    y = np.asarray(y).ravel()
    if bad_value is not None:
        return (y == bad_value).astype(np.int8)
    values = set(pd.unique(y[~pd.isna(y)]))
    if not values <= {0, 1, True, False}:
        raise DataError(f"y holds {', '.join(map(str, sorted(values, key=str)[:5]))}; give 1 for bad and 0 for good, "
                        "or say which value is bad with Scorecard(bad_value=...)")
    return y.astype(np.int8)


class Scorecard(ClassifierMixin, BaseEstimator):
    """A WoE points scorecard with the fit/predict API of scikit-learn (see the module docstring).

    ``profile``: ``None`` (inferred from ``X``), a bundled name (``"german"``), a path to a YAML
    profile, a ``Profile`` or a dict with its content. The other arguments are those of
    ``scorecard train`` (``training.fit_scorecard``); ``selection`` replaces the profile's
    selection rule (a ``Selection`` or a dict such as ``{"method": "bic"}``). ``bad_value``: the
    value of ``y`` that means bad (default: ``y`` is 1 for bad, 0 for good).
    """

    def __init__(self, profile: Any = None, *, selection: Any = None, test_size: float = 0.0, seed: int = 7,
                 scaling: str = "pdo", base_score: float = 600, base_odds: float = 50, pdo: float = 20,
                 min_score: int = 350, max_score: int = 950, min_iv: float = MIN_IV, max_bins: int = MAX_BINS,
                 min_bin_share: float = MIN_BIN_SHARE, bad_value: Any = None) -> None:
        self.profile = profile
        self.selection = selection
        self.test_size = test_size
        self.seed = seed
        self.scaling = scaling
        self.base_score = base_score
        self.base_odds = base_odds
        self.pdo = pdo
        self.min_score = min_score
        self.max_score = max_score
        self.min_iv = min_iv
        self.max_bins = max_bins
        self.min_bin_share = min_bin_share
        self.bad_value = bad_value

    # --- fitting ---------------------------------------------------------------------------------

    def _profile_for(self, X: pd.DataFrame) -> Profile:
        chosen = self.profile
        if chosen is None:
            return infer_profile(X)
        if isinstance(chosen, Profile):
            return chosen
        if isinstance(chosen, dict):
            return parse_profile(chosen, "the profile given to Scorecard")
        if isinstance(chosen, (str, Path)):
            return load_profile(chosen)
        raise ProfileError(f"profile must be None, a bundled name, a path, a Profile or a dict, not {type(chosen).__name__}")

    def _selection(self) -> Selection | None:
        if self.selection is None or isinstance(self.selection, Selection):
            return self.selection
        try:
            return Selection.model_validate(self.selection)
        except ValueError as exc:
            raise ProfileError(f"selection {self.selection!r} is not a selection rule ({exc.errors()[0]['msg']}); "
                               "use keys method, max_p_value, max_correlation, max_vif, l2") from exc

    def fit(self, X: Any, y: Any) -> Scorecard:
        """Bin, select and fit on ``X`` (a table of factors) and ``y`` (1 for bad)."""
        X = _frame(X)
        bad = _bad(y, self.bad_value)
        if len(bad) != len(X):
            raise DataError(f"X has {len(X)} rows but y has {len(bad)}; give one outcome per row")
        profile = self._profile_for(X)
        if profile.id_column and profile.id_column not in X.columns:  # rows are numbered instead
            profile = profile.model_copy(update={"id_column": None})
        target = profile.target.column
        if target in X.columns:
            raise DataError(f"X holds the target column '{target}'; drop it from X and pass it as y")
        table = X.reset_index(drop=True).copy()
        # The outcome in the profile's own values, so that the data check reads it as a file would be read.
        table[target] = np.where(bad == 1, profile.target.bad_value, self._good_value(profile))
        table = validate_training(table, profile, "X")
        self.spec_ = fit_scorecard(table, profile, test_size=self.test_size, seed=self.seed, scaling=self.scaling,
                                   base_score=self.base_score, base_odds=self.base_odds, pdo=self.pdo,
                                   min_score=self.min_score, max_score=self.max_score, min_iv=self.min_iv,
                                   max_bins=self.max_bins, min_bin_share=self.min_bin_share, selection=self._selection())
        self._fitted_from(self.spec_, list(map(str, X.columns)))
        return self

    @staticmethod
    def _good_value(profile: Profile) -> Any:
        bad = profile.target.bad_value
        if isinstance(bad, bool):
            return not bad
        if isinstance(bad, int):
            return 0 if bad != 0 else 1
        return f"not {bad}"

    def _fitted_from(self, spec: ScorecardSpec, columns: list[str]) -> None:
        self.classes_ = np.array([0, 1])
        self.feature_names_in_ = np.array(columns, dtype=object)
        self.n_features_in_ = len(columns)

    def _spec(self) -> ScorecardSpec:
        spec = getattr(self, "spec_", None)
        if spec is None:
            from sklearn.exceptions import NotFittedError  # the error scikit-learn's tools expect

            raise NotFittedError("this Scorecard is not fitted yet; call fit(X, y) or Scorecard.load(path) first")
        return spec

    # --- scoring ---------------------------------------------------------------------------------

    def _result(self, X: Any) -> scoring.ScoreResult:
        spec = self._spec()
        X = _frame(X)
        missing = [f.column for f in spec.factors if f.column not in X.columns]
        if missing:
            raise DataError(f"X has no column {', '.join(repr(c) for c in missing)} that the scorecard needs")
        return scoring.score(spec, X)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Columns: P(good), P(bad), the bad probability being the PD of the integer score."""
        pd_bad = self._result(X).pd
        return np.column_stack([1.0 - pd_bad, pd_bad])

    def predict(self, X: Any) -> np.ndarray:
        """1 where the PD is at least one half. A lender decides by a cutoff on the score instead
        (``scorecard explain --policy``)."""
        return (self._result(X).pd >= 0.5).astype(int)

    def decision_function(self, X: Any) -> np.ndarray:
        """Higher for riskier rows, as scikit-learn expects: minus the score."""
        return -self._result(X).total.astype(float)

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """ROC AUC of the PD against ``y`` (1 for bad)."""
        if sample_weight is not None:
            raise FitError("score does not take sample weights; compute a weighted AUC from predict_proba")
        return float(metrics.auc(_bad(y, self.bad_value), self._result(X).pd))

    def scores(self, X: Any) -> pd.DataFrame:
        """The integer score, the PD and the points of every factor, one row per row of ``X``
        (index kept)."""
        X = _frame(X)
        result = self._result(X)
        out = pd.DataFrame(result.points, columns=list(result.factor_names), index=X.index)
        out.insert(0, "pd", result.pd)
        out.insert(0, "score", result.total)
        return out

    def transform(self, X: Any) -> pd.DataFrame:
        """The WoE of every kept factor (what the logit was fitted on), one column per factor."""
        X = _frame(X)
        self._result(X.iloc[:0])  # the column check
        return woe_matrix(self._spec().factors, X)

    def bins(self, X: Any) -> pd.DataFrame:
        """The bin every row falls in, per kept factor, as the bin's label."""
        X = _frame(X)
        result = self._result(X)
        labels = {f.name: np.array([b.label for b in f.bins], dtype=object) for f in self._spec().factors}
        return pd.DataFrame({name: labels[name][result.bins[:, j]] for j, name in enumerate(result.factor_names)},
                            index=X.index)

    # --- tables ----------------------------------------------------------------------------------

    def bin_table(self, factor: str) -> pd.DataFrame:
        """One factor's bins: kind, count, share, bad rate, WoE, IV and points (the report's numbers)."""
        spec = self._spec()
        spec.factor(factor)  # a clear error for an unknown or dropped factor
        data = next(f for f in report_data(spec)["factors"] if f["factor"] == factor)
        table = pd.DataFrame(data["bins"]).rename(columns={"event_rate": "bad_rate"})
        return table[["bin", "kind", "meaning", "count", "share", "bad_rate", "woe", "iv", "points", "note"]]

    def summary(self) -> pd.DataFrame:
        """Every binned factor, strongest first: IV, whether the model kept it, its coefficient and
        statistics, and the points it can give."""
        spec = self._spec()
        coefficients = {c.name: c for c in spec.coefficients}
        columns = {f.name: f.source_column for f in spec.profile.factors}
        rows = []
        for row in spec.metrics.get("iv", ()):
            name = row["factor"]
            c = coefficients.get(name)
            kept = name in spec.factor_names
            f = spec.factor(name) if kept else None
            rows.append({"factor": name, "column": columns.get(name, name), "iv": row["iv"], "in_model": kept,
                         "coefficient": c.estimate if c else None, "p_value": c.p_value if c else None,
                         "vif": c.vif if c else None, "worst_points": f.worst_points if f else None,
                         "best_points": f.best_points if f else None})
        table = pd.DataFrame(rows)
        for name in ("worst_points", "best_points"):
            table[name] = table[name].astype("Int64")  # whole points; empty for a factor the model left out
        return table

    def selection_log(self) -> pd.DataFrame:
        """Every selection decision, in order, with its numbers and reason."""
        return pd.DataFrame([dataclasses.asdict(s) for s in self._spec().selection_log])

    def _repr_html_(self) -> str:
        spec = getattr(self, "spec_", None)
        if spec is None:
            return f"<pre>{html.escape(repr(self))}</pre>"
        test = spec.metrics.get("test", {})
        head = (f"<p><b>Scorecard</b> (profile {html.escape(spec.profile.name)}): {len(spec.factors)} factors, "
                f"scores {spec.min_score} to {spec.max_score}; {html.escape(str(spec.metrics.get('evaluated_on', '')))}: "
                f"AUC {test.get('auc', float('nan')):.4f}, KS {test.get('ks', float('nan')):.4f}; "
                f"sha256 {spec.sha256[:12]}</p>")
        return head + self.summary().to_html(index=False, na_rep="", float_format=lambda v: f"{v:.4g}")

    # --- the JSON spec ---------------------------------------------------------------------------

    def save(self, path: str | Path) -> Path:
        """Write the fitted scorecard as its checksummed JSON spec (what ``scorecard train`` writes): under
        a temporary name first, then renamed, so ``path`` holds the old spec or the whole new one."""
        path = Path(path)
        spec = self._spec()
        with Run("save") as run:
            run.lock(path)
            save_spec(spec, run.file(path))
            run.commit()
        return path

    @classmethod
    def from_spec(cls, spec: ScorecardSpec) -> Scorecard:
        """A fitted estimator around a spec, its parameters those the spec was trained with."""
        settings = spec.training.get("settings", {})
        scale = spec.scaling
        card = cls(profile=spec.profile, selection=settings.get("selection"),
                   test_size=spec.training.get("test_size", 0.0), seed=spec.training.get("seed", 7),
                   scaling=scale.method,
                   **{k: v for k, v in (("base_score", scale.base_score), ("base_odds", scale.base_odds),
                                        ("pdo", scale.pdo), ("min_score", scale.min_score),
                                        ("max_score", scale.max_score)) if v is not None},
                   **{k: settings[k] for k in ("min_iv", "max_bins", "min_bin_share") if k in settings})
        card.spec_ = spec
        card._fitted_from(spec, [f.source_column for f in spec.profile.factors])
        return card

    @classmethod
    def load(cls, path: str | Path) -> Scorecard:
        """A fitted estimator from a spec file (checksum verified; no pickle)."""
        return cls.from_spec(load_spec(path))
