"""Performance measurements of the guide's code: ``make bench`` runs them.

``python -m benchmarks`` measures, in one run, the figures that
``_build/bench.json`` holds and ``docs/benchmarks.rst`` shows (see
:mod:`benchmarks.__main__`). Comparisons are taken side by side: the two
sides run in turns, repetition after repetition, and a ratio is the median of
the per-repetition ratios, so that a change in the machine's load during the
run falls on both sides alike.

XLA reads ``XLA_FLAGS`` once, when the backend starts, so comparisons of XLA
settings run in two worker processes (:mod:`benchmarks.worker`) driven in turns
from this one.

The automatic-emphasis corpus in ``benchmarks/autodiff_corpus`` is a separate
measurement with its own README.
"""
