"""What the range test costs against plain training (issue 18, item 6).

:func:`lr_scheduling.lr_range_test` on ``steps`` batches against the same
number of plain jitted training steps (:func:`workloads.train_loop`, SGD
with momentum), on the guide's digits model and on Flax's MNIST CNN, the two
sides in turns. Compilation is excluded: each side runs once before timing.
"""

from __future__ import annotations

import functools
import time
from typing import Any

import jax
import optax

from lr_scheduling import lr_range_test
from reports.bench import workloads
from reports.bench.timing import interleaved, median, median_ratio

STEPS = {"digits": 100, "mnist_cnn": 10}
SGD = functools.partial(optax.sgd, momentum=workloads.MOMENTUM)


def _seconds(fn: Any) -> float:
    start = time.perf_counter()
    jax.block_until_ready(fn())
    return time.perf_counter() - start


def measure_model(name: str, repetitions: int) -> dict[str, Any]:
    """Seconds per step of the range test and of plain steps, and their ratio."""
    _, image_shape, batch_size = workloads.MODELS[name]
    steps = STEPS[name]
    stacked = workloads.synthetic_batches(steps, batch_size, image_shape)
    batches = workloads.unstack(stacked)
    params = workloads.initial_params(name)
    loss, train = workloads.LOSSES[name], workloads.train_loop(name)

    def range_test() -> Any:
        return lr_range_test(
            loss,
            params,
            stacked,
            min_lr=1e-4,
            max_lr=1.0,
            optimizer=SGD,
            progress=False,
        ).losses

    sides = {"range_test": range_test, "plain": lambda: train(batches)}
    for side in sides.values():
        jax.block_until_ready(side())  # compile
    times = interleaved(
        {key: functools.partial(_seconds, fn) for key, fn in sides.items()},
        repetitions,
    )
    return {
        f"range_test_vs_training_{name}": median_ratio(
            times["range_test"], times["plain"]
        ),
        f"range_test_step_ms_{name}": median(times["range_test"]) / steps * 1e3,
        f"training_step_ms_{name}": median(times["plain"]) / steps * 1e3,
        f"range_test_steps_{name}": steps,
        f"range_test_batch_{name}": f"{image_shape[0]}x{image_shape[1]}, "
        f"batches of {batch_size}",
    }


def measure(repetitions: int = 5) -> dict[str, Any]:
    results: dict[str, Any] = {"range_test_repetitions": repetitions}
    for name in STEPS:
        results.update(measure_model(name, repetitions))
    return results
