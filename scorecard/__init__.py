"""Explainable WoE points scorecard for consumer credit-line decisions.

The package reads as the data flow: profile (``draft`` writes a starting one) -> data -> binning -> model -> scaling -> spec ->
scoring -> policy -> reasons -> recourse -> explain -> records, then ``pages`` (records into
words), ``site`` (the knowledge-base site), ``jobs`` (what each command does, with files) and the
CLI on top. Imports run only that way (``tests/test_import_graph.py``).
"""

__version__ = "0.1.0"
