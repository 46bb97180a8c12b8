"""Explainable WoE points scorecard for consumer credit-line decisions.

The package reads as the data flow: profile -> data -> binning -> model -> scaling -> spec ->
scoring -> policy -> reasons -> recourse -> records -> render -> site, with the CLI on top.
"""

__version__ = "0.1.0"
