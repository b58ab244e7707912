"""Training speed, a reported figure: images per second of plain training.

:func:`workloads.train_loop` (one jitted step per batch, SGD with momentum,
the guide's triangular schedule) over ``STEPS`` synthetic batches, for each
model of :data:`workloads.MODELS`; the median over repetitions. The guide
ships JAX's defaults (no ``XLA_FLAGS``); the benchmarks page says why.
"""

from __future__ import annotations

import time
from typing import Any

import jax

from reports.bench import workloads
from reports.bench.timing import median

STEPS = {"digits": 100, "guide_cnn_28x28": 10, "mnist_cnn": 10}


def measure(repetitions: int = 5) -> dict[str, Any]:
    results: dict[str, Any] = {"throughput_repetitions": repetitions}
    for name, (_, image_shape, batch_size) in workloads.MODELS.items():
        stacked = workloads.synthetic_batches(STEPS[name], batch_size, image_shape)
        batches, train = workloads.unstack(stacked), workloads.train_loop(name)
        jax.block_until_ready(train(batches))  # compile
        seconds = []
        for _ in range(repetitions):
            start = time.perf_counter()
            jax.block_until_ready(train(batches))
            seconds.append(time.perf_counter() - start)
        step = median(seconds) / STEPS[name]
        results[f"train_images_per_second_{name}"] = batch_size / step
        results[f"train_step_ms_{name}"] = step * 1e3
    return results
