"""How often a training run compiles: the one compile counter.

JAX reports every XLA compilation to its monitoring listeners as the event
``/jax/core/compile/backend_compile_duration``, with the name of the function
compiled (``jit(train_step)``); a hit in the persistent compilation cache is
reported too, since JAX traced and lowered the function again to look it up.
Counting these events counts compilations whatever their cause.
:func:`counting_compiles` is the counter that the bench and
``tests/test_compile_counts.py`` share.

Run as a module (``python -m reports.bench.compile_counts``), it trains in a
fresh process, so that nothing was compiled before, and prints the counts as
JSON; :func:`measure` runs it so.
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

from reports.bench import ROOT

BACKEND_COMPILE_EVENT = "/jax/core/compile/backend_compile_duration"
EPOCHS = 2  # the second epoch shows that epochs do not compile again


@contextlib.contextmanager
def counting_compiles() -> Iterator[collections.Counter[str]]:
    """Counts XLA compilations by function name (``"jit(train_step)"``) while
    the ``with`` block runs.

    >>> import jax, numpy as np
    >>> double = jax.jit(lambda x: 2 * x)
    >>> with counting_compiles() as counts:
    ...     _ = double(np.zeros(3)), double(np.ones(3)), double(np.ones(4))
    >>> counts["jit(<lambda>)"]  # two shapes, two compilations
    2
    """
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
    """Compile counts of two equal ``train_and_evaluate`` runs, per module.

    Only the public ``train_and_evaluate(train_ds, test_ds, num_epochs=...)``
    of :mod:`lr_scheduling.train` and :mod:`lr_scheduling.baseline` is used.
    """
    from lr_scheduling import baseline, train
    from lr_scheduling.data import load_digits

    train_ds, test_ds = load_digits()
    counts: dict[str, Any] = {}
    for module in (train, baseline):
        runs = []
        for _ in range(2):
            with counting_compiles() as compiles:
                module.train_and_evaluate(train_ds, test_ds, num_epochs=EPOCHS)
            runs.append(compiles)
        counts[module.__name__.rsplit(".", 1)[-1]] = {
            "first_run": dict(runs[0]),
            "repeat_run": dict(runs[1]),
        }
    return counts


def measure() -> dict[str, Any]:
    """Runs :func:`count_runs` in a fresh process; the bench's figures."""
    environment = dict(os.environ)
    environment.pop("JAX_COMPILATION_CACHE_DIR", None)
    completed = subprocess.run(
        [sys.executable, "-m", "reports.bench.compile_counts"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    counts = json.loads(completed.stdout)
    results: dict[str, Any] = {"compile_count_epochs": EPOCHS}
    for module, runs in counts.items():
        prefix = "" if module == "train" else f"{module}_"
        first, repeat = runs["first_run"], runs["repeat_run"]
        results |= {
            f"{prefix}compiles_per_training_run": first.get("jit(train_step)", 0),
            # The most any one function compiled: 1 when nothing compiles twice.
            f"{prefix}most_compiles_of_one_function": max(first.values(), default=0),
            f"{prefix}compiles_first_run_all_functions": sum(first.values()),
            # A run builds a new optimizer, a static part of the jitted step's
            # input, so a repeat run compiles each function once, not twice.
            f"{prefix}repeat_run_compiles_per_function": max(
                repeat.values(), default=0
            ),
            f"{prefix}compiled_on_repeat_run": sorted(repeat),
        }
    return results


if __name__ == "__main__":
    print(json.dumps(count_runs()))
