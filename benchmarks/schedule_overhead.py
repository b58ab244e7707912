"""What the triangular schedule costs a training step.

The guide's jitted ``train_step`` with the triangular schedule against the
same step with a constant rate (``optax.constant_schedule``), on the guide's
own data and batch size (8x8 digits, batches of 32), where a step is so short
that any cost of the schedule would show most.
"""

from __future__ import annotations

from typing import Any

import jax

from benchmarks import workloads
from benchmarks.timing import interleaved, median, median_ratio, seconds_per_call
from lr_scheduling import train
from lr_scheduling.data import load_digits

BATCH_SIZE = 32


def measure(repetitions: int = 101, steps: int = 40) -> dict[str, Any]:
    train_ds, _ = load_digits()
    batch = {k: v[:BATCH_SIZE] for k, v in train_ds.items()}
    image_shape = train_ds["image"].shape[1:]
    sides = {}
    for name, schedule in [
        ("triangular", workloads.SCHEDULE),
        ("constant", workloads.CONSTANT),
    ]:
        state = workloads.initial_state(schedule, image_shape)
        holder = [state]

        def step(holder=holder, schedule=schedule):
            holder[0], metrics = train.train_step(holder[0], batch, schedule)
            return holder[0], metrics

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
