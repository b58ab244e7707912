"""Statistics over seeds: divergence, medians and ranges, and the verdict rule.

A policy's figure is the median over its seeds that did not diverge, with
the range (lowest to highest) of those seeds. A policy is called better or
worse than the best fixed rate only when the two ranges do not overlap; with
5 seeds each, that happens by chance with probability ``2 / C(10, 5)``, under
1%, when the two are the same. Otherwise the page says "not
distinguishable". Diverged runs are counted and shown per seed, never
averaged in.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from reports.results.runs import Curves, Objective

__all__ = ["Row", "diverged", "pick_best_fixed", "row", "verdict"]

CHANCE_ACCURACY = 0.2  # twice chance for 10 classes: below it, a run failed
UNIFORM_BITS = 8.0  # bits per byte of a uniform guess over 256 byte values
FRACTIONS = (0.25, 0.5, 1.0)  # the budget shares at which the metric is read

BETTER, WORSE, SAME, DIVERGED = "better", "worse", "not distinguishable", "diverged"


def diverged(objective: Objective, curves: Curves) -> np.ndarray:
    """bool ``(seeds,)``: runs whose loss went non-finite or that ended failed.

    Failed: final validation accuracy below 20% (twice chance), or final
    validation bits per byte above 8 (worse than a uniform guess) or NaN.

    Example:
      >>> from reports.results.runs import Classifier
      >>> curves = Curves(np.array([[1.0, 0.5], [1.0, np.nan]]),
      ...                 np.array([[0.5, 0.9], [0.5, 0.1]]), np.zeros((2, 2)))
      >>> diverged(Classifier(None), curves).tolist()
      [False, True]
    """
    final = curves.val[:, -1]
    blown = ~np.all(np.isfinite(curves.loss), axis=1) | ~np.isfinite(final)
    if objective.higher_is_better:
        return blown | (final < CHANCE_ACCURACY)
    return blown | (final > UNIFORM_BITS)


def _best(values: np.ndarray, higher_is_better: bool) -> int:
    """Index of the best value, the first on ties (NaN never wins)."""
    values = np.where(np.isnan(values), -np.inf if higher_is_better else np.inf, values)
    return int(np.argmax(values) if higher_is_better else np.argmin(values))


def pick_best_fixed(
    objective: Objective,
    finals_val: Sequence[np.ndarray],
    flags: Sequence[np.ndarray],
) -> int:
    """The sweep's best rate: the best median final validation metric.

    Only rates with no diverged seed qualify (all of them if none has none);
    ties go to the first, the lowest rate.

    Example:
      >>> from reports.results.runs import Classifier
      >>> finals = [np.array([0.8, 0.9]), np.array([0.95, 0.1]), np.array([0.85, 0.9])]
      >>> flags = [np.array([False, False]), np.array([False, True])] * 1 + [
      ...     np.array([False, False])]
      >>> pick_best_fixed(Classifier(None), finals, flags)
      2
    """
    clean = [not f.any() for f in flags]
    medians = np.array(
        [
            np.median(v) if ok or not any(clean) else np.nan
            for v, ok in zip(finals_val, clean, strict=True)
        ]
    )
    return _best(medians, objective.higher_is_better)


@dataclasses.dataclass(frozen=True)
class Row:
    """A policy's figures on the test split, over its seeds.

    Attributes:
      key: the policy's key (``"fixed 0.05"``, ``"wsd@best fixed"``).
      seeds: the seeds, in order; ``test`` and ``failed`` follow them.
      test: the final test metric of each seed (NaN where it diverged).
      failed: whether each seed diverged.
      median, low, high: median and range of ``test`` over the seeds that
        did not diverge (NaN if all did).
      val_median: median final validation metric of those seeds.
      at_fractions: median test metric after each of :data:`FRACTIONS` of
        the budget, over the same seeds.
    """

    key: str
    seeds: tuple[int, ...]
    test: tuple[float, ...]
    failed: tuple[bool, ...]
    median: float
    low: float
    high: float
    val_median: float
    at_fractions: tuple[float, ...]

    @property
    def diverged_count(self) -> int:
        return sum(self.failed)


def row(key: str, seeds: Sequence[int], curves: Curves, failed: np.ndarray) -> Row:
    """A policy's :class:`Row` from its curves and divergence flags."""
    ok = ~np.asarray(failed, bool)
    test = np.where(ok, curves.test[:, -1], np.nan).astype(np.float64)
    evals = curves.test.shape[1]

    def median(values: np.ndarray) -> float:
        return float(np.median(values[ok])) if ok.any() else float("nan")

    fractions = tuple(
        median(curves.test[:, round(share * evals) - 1].astype(np.float64))
        for share in FRACTIONS
    )
    return Row(
        key=key,
        seeds=tuple(int(s) for s in seeds),
        test=tuple(float(v) for v in test),
        failed=tuple(bool(f) for f in failed),
        median=median(test),
        low=float(np.nanmin(test)) if ok.any() else float("nan"),
        high=float(np.nanmax(test)) if ok.any() else float("nan"),
        val_median=median(curves.val[:, -1].astype(np.float64)),
        at_fractions=fractions,
    )


def verdict(reference: Row, candidate: Row, higher_is_better: bool) -> str:
    """Better, worse or not distinguishable from ``reference``: the ranges rule.

    ``"diverged"`` if any seed of ``candidate`` diverged (no verdict on the
    rest). Otherwise ``"better"`` when the candidate's worst seed beats the
    reference's best, ``"worse"`` when its best is behind the reference's
    worst, else ``"not distinguishable"``.

    Example:
      >>> ref = Row("a", (0, 1), (0.9, 0.92), (False, False), 0.91, 0.9, 0.92, 0, ())
      >>> new = Row("b", (0, 1), (0.93, 0.95), (False, False), 0.94, 0.93, 0.95, 0, ())
      >>> verdict(ref, new, True), verdict(new, ref, True), verdict(ref, ref, True)
      ('better', 'worse', 'not distinguishable')
    """
    if candidate.diverged_count:
        return DIVERGED
    if reference.diverged_count == len(reference.seeds):
        return BETTER
    if higher_is_better:
        better, worse = candidate.low > reference.high, candidate.high < reference.low
    else:
        better, worse = candidate.high < reference.low, candidate.low > reference.high
    if better:
        return BETTER
    if worse:
        return WORSE
    return SAME
