"""The results page's generator (``python -m reports.results``, ``make results``).

Not part of the library's wheel. Modules, one concern each:

* :mod:`~reports.results.models`: the models (CNNs, a byte transformer).
* :mod:`~reports.results.tasks`: the three tasks, with validation splits.
* :mod:`~reports.results.policies`: every policy as per-step tables.
* :mod:`~reports.results.runs`: the training engine, seeds under ``jax.vmap``.
* :mod:`~reports.results.experiment`: one task end to end.
* :mod:`~reports.results.stats`: medians, ranges, divergence and verdicts.
* :mod:`~reports.results.plots` and :mod:`~reports.results.page`: the figures,
  the page (from ``results.rst.jinja``) and ``results.json``.
* :mod:`~reports.results.cli`: the command line.
"""
