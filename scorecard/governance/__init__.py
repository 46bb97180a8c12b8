"""Model governance: the model document a validator signs off and the monitor an operator runs.

``measures`` holds what both compute from a spec, a policy and a table (stability against the
training population, reason codes, outcomes, protected groups); ``document`` and ``monitor`` build
their JSON-ready data from it; ``charts`` draws their small inline SVG charts. All pure: the jobs
(``jobs/document.py``, ``jobs/monitor.py``) read the files and write the pages.
"""
