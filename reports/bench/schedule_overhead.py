"""What the triangular schedule costs a training step.

A jitted training step (:func:`workloads.train_step`: the guide's CNN, SGD
with momentum) with the triangular schedule against the same step with a
constant rate (``optax.constant_schedule``), on the guide's own data and batch
size (8x8 digits, batches of 32), where a step is so short that any cost of
the schedule would show most.
"""

from __future__ import annotations

from typing import Any

import jax

from lr_scheduling.data import load_digits
from reports.bench import workloads
from reports.bench.timing import interleaved, median, median_ratio, seconds_per_call

BATCH_SIZE = 32


def measure(repetitions: int = 101, steps: int = 40) -> dict[str, Any]:
    train_ds, _ = load_digits()
    batch = jax.device_put({k: v[:BATCH_SIZE] for k, v in train_ds.items()})
    params = workloads.initial_params("digits")
    loss = workloads.LOSSES["digits"]
    sides = {}
    for name, schedule in [
        ("triangular", workloads.SCHEDULE),
        ("constant", workloads.CONSTANT),
    ]:
        holder = [(params, workloads.optimizer(schedule).init(params))]

        def step(holder=holder, schedule=schedule):
            *state, value = workloads.train_step(
                *holder[0], batch, loss=loss, schedule=schedule
            )
            holder[0] = tuple(state)
            return value

        jax.block_until_ready(step())  # compile
        sides[name] = lambda step=step: seconds_per_call(step, steps)
    times = interleaved(sides, repetitions)
    return {
        "schedule_overhead_ratio": median_ratio(times["triangular"], times["constant"]),
        "schedule_step_us": median(times["triangular"]) * 1e6,
        "constant_step_us": median(times["constant"]) * 1e6,
        "schedule_overhead_batch": f"8x8x1 digits, batches of {BATCH_SIZE}",
        "schedule_overhead_repetitions": repetitions,
        "schedule_overhead_steps": steps,
    }
