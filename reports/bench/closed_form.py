"""The closed-form triangular schedule against the same wave built by joining
Optax's linear schedules.

A triangular wave of N cycles can be written with Optax alone:
``optax.join_schedules`` of 2N ``optax.linear_schedule`` pieces (up, down, up,
...). Joining evaluates every piece and selects with one ``jnp.where`` per
boundary, so both its program and its work per step grow with N.
:func:`lr_scheduling.create_triangular_schedule` computes the position in the
cycle with one integer remainder, the same few operations for any N.

Compilation (trace, lowering and XLA together, a fresh ``jax.jit`` each time)
and evaluation (the compiled function on an array of steps spread over the N
cycles) are timed separately, the two sides in turns.
"""

from __future__ import annotations

import functools
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax

from lr_scheduling import create_triangular_schedule
from reports.bench.timing import interleaved, median, median_ratio, seconds_per_call

LR_MIN, LR_MAX, STEPS_PER_CYCLE = 0.01, 0.1, 22  # the guide's schedule
# Enough steps that the per-step work, not the fixed cost of a call, is timed.
EVALUATED_STEPS = 65536
CYCLE_COUNTS = (10, 100, 1000)


def joined_triangle(cycles: int) -> optax.Schedule:
    """The guide's wave for ``cycles`` cycles from Optax's pieces.

    ``ceil(P / 2)`` steps up and ``floor(P / 2)`` down, as
    ``create_triangular_schedule`` has it, so the two agree at every step of
    the ``cycles`` cycles.
    """
    rise, fall = (STEPS_PER_CYCLE + 1) // 2, STEPS_PER_CYCLE // 2
    pieces, boundaries = [], []
    for cycle in range(cycles):
        start = cycle * STEPS_PER_CYCLE
        pieces += [
            optax.linear_schedule(LR_MIN, LR_MAX, rise),
            optax.linear_schedule(LR_MAX, LR_MIN, fall),
        ]
        boundaries += [start + rise, start + STEPS_PER_CYCLE]
    return optax.join_schedules(pieces, boundaries[:-1])


def _compiler(schedule, steps, compiled: list):
    """A callable that jits ``schedule`` afresh, compiles it for ``steps``,
    appends the result to ``compiled`` and returns the seconds it took."""

    def compile_once() -> float:
        fn = jax.jit(lambda step: schedule(step))  # a new function: no cache hit
        return seconds_per_call(lambda: compiled.append(fn.lower(steps).compile()), 1)

    return compile_once


def _seconds_per_evaluation(fn, steps, calls: int) -> float:
    return seconds_per_call(lambda: fn(steps), calls)


def _calls_for(fn, steps, seconds: float = 0.02) -> int:
    """How many calls of ``fn`` take about ``seconds``, at least 1."""
    once = seconds_per_call(lambda: fn(steps), 1)
    return max(1, min(200, int(seconds / once)))


def measure_cycles(cycles: int, repetitions: int) -> dict[str, Any]:
    steps = jnp.asarray(
        np.linspace(0, cycles * STEPS_PER_CYCLE - 1, EVALUATED_STEPS).astype(np.int32)
    )
    schedules = {
        "closed_form": create_triangular_schedule(LR_MIN, LR_MAX, STEPS_PER_CYCLE),
        "optax_join": joined_triangle(cycles),
    }
    compiled: dict[str, list] = {name: [] for name in schedules}
    compile_times = interleaved(
        {
            name: _compiler(schedule, steps, compiled[name])
            for name, schedule in schedules.items()
        },
        repetitions,
    )
    functions = {name: versions[-1] for name, versions in compiled.items()}
    values = {name: np.asarray(fn(steps)) for name, fn in functions.items()}
    calls = {name: _calls_for(fn, steps) for name, fn in functions.items()}
    eval_times = interleaved(
        {
            name: functools.partial(_seconds_per_evaluation, fn, steps, calls[name])
            for name, fn in functions.items()
        },
        9,
    )
    suffix = f"_n{cycles}"
    return {
        "closed_form_vs_optax_join_speedup" + suffix: median_ratio(
            eval_times["optax_join"], eval_times["closed_form"]
        ),
        "closed_form_vs_optax_join_compile_speedup" + suffix: median_ratio(
            compile_times["optax_join"], compile_times["closed_form"]
        ),
        "closed_form_eval_us" + suffix: median(eval_times["closed_form"]) * 1e6,
        "optax_join_eval_us" + suffix: median(eval_times["optax_join"]) * 1e6,
        "closed_form_compile_seconds" + suffix: median(compile_times["closed_form"]),
        "optax_join_compile_seconds" + suffix: median(compile_times["optax_join"]),
        "closed_form_vs_optax_join_max_difference" + suffix: float(
            np.max(np.abs(values["closed_form"] - values["optax_join"]))
        ),
    }


def measure(cycle_counts=CYCLE_COUNTS) -> dict[str, Any]:
    results: dict[str, Any] = {"closed_form_evaluated_steps": EVALUATED_STEPS}
    for cycles in cycle_counts:
        # The join's compile grows with N: one repetition at N = 1000 (~10 s).
        repetitions = 3 if cycles <= 100 else 1
        results.update(measure_cycles(cycles, repetitions))
    return results
