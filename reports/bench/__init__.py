"""Performance measurements of the guide's code: ``make bench`` runs them.

``python -m reports.bench`` measures, in one run, the figures that
``_build/bench.json`` holds and ``docs/benchmarks.rst`` shows (see
:mod:`reports.bench.__main__`). Comparisons are taken side by side: the two
sides run in turns, repetition after repetition, and a ratio is the median of
the per-repetition ratios, so that a change in the machine's load during the
run falls on both sides alike (:mod:`reports.bench.timing`).
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the repository
