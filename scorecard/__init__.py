"""Explainable WoE points scorecard for consumer credit-line decisions.

The package reads as the data flow: profile (``draft`` writes a starting one) -> data -> binning -> model -> scaling -> spec ->
scoring -> policy -> reasons -> recourse -> explain -> records, then ``pages`` (records into
words), ``site`` (the knowledge-base site), ``jobs`` (what each command does, with files) and the
CLI on top. Imports run only that way (``tests/test_import_graph.py``). ``api`` is the notebook
API (``from scorecard import Scorecard``): a scikit-learn estimator over training and scoring.
"""

__version__ = "0.1.0"

# The public notebook API (``scorecard.api``), loaded on first use: ``import scorecard`` stays light,
# so the CLI starts without optbinning, statsmodels or scikit-learn.
__all__ = ["Scorecard", "infer_profile", "load_profile", "load_spec", "Selection"]
_PUBLIC = {"Scorecard": "scorecard.api", "infer_profile": "scorecard.api", "load_profile": "scorecard.profile",
           "Selection": "scorecard.profile", "load_spec": "scorecard.spec"}


def __getattr__(name: str):  # noqa: ANN202 (PEP 562: the public names, imported when first asked for)
    if name in _PUBLIC:
        import importlib

        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'scorecard' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
