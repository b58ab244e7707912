"""How often a training run compiles: ``python -m benchmarks.compile_counts``.

JAX reports every XLA compilation to its monitoring listeners as the event
``/jax/core/compile/backend_compile_duration``, with the name of the function
compiled (``jit(train_step)``); a hit in the persistent compilation cache is
reported too, since JAX traced and lowered the function again to look it up.
Counting these events counts compilations whatever their cause. The jitted
function's ``_cache_size()`` counts something else, the entries of its
dispatch cache: the guide's first step passes the step count as a Python
``int`` and later steps as an array, two entries for a single compilation.

Run as a module, it trains in a fresh process (so that nothing was compiled
before) and prints the counts as JSON; :func:`measure` runs it so.
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

from jax import monitoring

from benchmarks.workers import ROOT

BACKEND_COMPILE_EVENT = "/jax/core/compile/backend_compile_duration"
EPOCHS = 2  # the second epoch shows that epochs do not compile again


@contextlib.contextmanager
def counting_compiles() -> Iterator[collections.Counter[str]]:
    """Counts XLA compilations by function name (``"jit(train_step)"``) while
    the ``with`` block runs."""
    counts: collections.Counter[str] = collections.Counter()

    def listener(event: str, duration_secs: float, **kwargs: str | int) -> None:
        if event == BACKEND_COMPILE_EVENT:
            counts[str(kwargs.get("fun_name", "?"))] += 1

    monitoring.register_event_duration_secs_listener(listener)
    try:
        yield counts
    finally:
        monitoring.unregister_event_duration_listener(listener)


def count_runs() -> dict[str, Any]:
    """Compile counts of two equal ``train_and_evaluate`` runs, per module."""
    from lr_scheduling import baseline, train
    from lr_scheduling.data import load_digits

    train_ds, test_ds = load_digits()
    counts: dict[str, Any] = {}
    for module in (train, baseline):
        name = module.__name__.rsplit(".", 1)[-1]
        runs, cache_sizes = [], []
        for _ in range(2):
            with counting_compiles() as compiles:
                module.train_and_evaluate(train_ds, test_ds, num_epochs=EPOCHS)
            runs.append(compiles)
            cache_sizes.append(module.train_step._cache_size())
        counts[name] = {
            "train_step_cache_size": cache_sizes,
            "train_step_compiles_first_run": runs[0]["jit(train_step)"],
            "all_compiles_first_run": sum(runs[0].values()),
            "all_compiles_repeat_run": sum(runs[1].values()),
            "compiled_on_repeat": sorted(runs[1]),
        }
    return counts


def measure() -> dict[str, Any]:
    """Runs :func:`count_runs` in a fresh process; the bench's figures."""
    environment = dict(os.environ)
    environment.pop("JAX_COMPILATION_CACHE_DIR", None)
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.compile_counts"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    counts = json.loads(completed.stdout)
    return {
        "compiles_per_training_run": counts["train"]["train_step_compiles_first_run"],
        "recompiles_on_repeat_run": counts["train"]["all_compiles_repeat_run"],
        "compiles_first_run_all_functions": counts["train"]["all_compiles_first_run"],
        "baseline_compiles_per_training_run": counts["baseline"][
            "train_step_compiles_first_run"
        ],
        "baseline_recompiles_on_repeat_run": counts["baseline"][
            "all_compiles_repeat_run"
        ],
        "compile_count_epochs": EPOCHS,
        # Entries of the jitted step's dispatch cache after each run.
        "train_step_cache_size_after_runs": counts["train"]["train_step_cache_size"],
        "compiled_on_repeat_run": counts["train"]["compiled_on_repeat"]
        + counts["baseline"]["compiled_on_repeat"],
    }


if __name__ == "__main__":
    print(json.dumps(count_runs()))
