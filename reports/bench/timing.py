"""Interleaved timing: the sides of a comparison run in turns, then medians.

Other work on the machine slows whatever runs at the same moment. Running the
sides of a comparison in turns (ABBA...) puts such slowdowns on both sides,
and the median of the per-repetition ratios ignores the repetitions that a
burst of load hit hardest.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping, Sequence

import jax


def seconds_per_call(fn: Callable[[], object], calls: int) -> float:
    """Wall seconds per call of ``fn`` over ``calls`` calls, results awaited.

    Only the last result is awaited: JAX dispatches asynchronously, and each
    call of a training step depends on the previous one, so awaiting the last
    awaits them all.
    """
    start = time.perf_counter()
    result = None
    for _ in range(calls):
        result = fn()
    jax.block_until_ready(result)
    return (time.perf_counter() - start) / calls


def interleaved(
    sides: Mapping[str, Callable[[], float]], repetitions: int
) -> dict[str, list[float]]:
    """Runs every side once per repetition, in turns; returns their seconds.

    Each callable runs one repetition and returns the seconds it measured.
    The order reverses every repetition (A B, B A, ...) so that neither side
    always runs first, right after the other has warmed or cooled the caches.
    """
    names = list(sides)
    times: dict[str, list[float]] = {name: [] for name in names}
    for repetition in range(repetitions):
        order = names if repetition % 2 == 0 else names[::-1]
        for name in order:
            times[name].append(sides[name]())
    return times


def median_ratio(numerator: Sequence[float], denominator: Sequence[float]) -> float:
    """The median over repetitions of ``numerator[i] / denominator[i]``."""
    if len(numerator) != len(denominator) or not numerator:
        raise ValueError(
            f"need equally many repetitions, got {len(numerator)} and "
            f"{len(denominator)}"
        )
    return statistics.median(a / b for a, b in zip(numerator, denominator, strict=True))


def median(values: Sequence[float]) -> float:
    """``statistics.median``, named here so that callers read alike."""
    return statistics.median(values)
