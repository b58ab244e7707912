"""The range test's sweep: a Python loop of one jitted step (private).

:func:`lr_scheduling.range_test.lr_range_test` checks its arguments and
calls :func:`sweep`; this module runs the steps. Why a loop and not one
``lax.scan``: XLA:CPU runs a convolution inside a loop body many times slower
than in a program of its own (``make bench`` measures the range test against
plain jitted training steps), while a host loop of a jitted step costs only
Python's dispatch per step, microseconds, with every array on the device.
"""

from __future__ import annotations

import functools
import math
import sys
import time
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax

PROGRESS_SECONDS = 5.0  # a sweep longer than this prints a line this often


def batch_count(batches: Any) -> int:
    """The leading axis all of ``batches``' leaves share, checked."""
    lengths = {np.shape(leaf)[:1] for leaf in jax.tree.leaves(batches)}
    if len(lengths) != 1 or () in lengths:
        raise ValueError(
            "batches must be arrays sharing a leading axis (one batch per step), "
            f"got leading axes {sorted(lengths)}"
        )
    (length,) = lengths.pop()
    if length < 2:
        raise ValueError(f"batches must hold >= 2 batches (steps), got {length}")
    return length


_STATIC = ("loss_fn", "optimizer", "schedule", "has_aux")


@functools.partial(jax.jit, static_argnames=("optimizer", "schedule"))
def _start(params: Any, *, optimizer: Callable, schedule: Callable) -> Any:
    """The sweep's state before step 0 (a copy: the caller's params stay)."""
    zero = jnp.zeros((), jnp.result_type(float))
    params = jax.tree.map(jnp.copy, params)
    state = optimizer(schedule).init(params)
    return params, state, zero, zero + jnp.inf, jnp.array(False), jnp.int32(0)


@functools.partial(jax.jit, static_argnames=_STATIC)
def _sweep_step(
    carry: Any,
    batches: Any,
    smoothing: jax.Array,
    divergence_factor: jax.Array,
    *,
    loss_fn: Callable[..., Any],
    optimizer: Callable[[optax.Schedule], optax.GradientTransformation],
    schedule: Callable,
    has_aux: bool,
) -> tuple[Any, tuple[Any, ...]]:
    """One step of the sweep: the new state, and (rate, loss, smoothed, aux,
    diverged) of this step. The batches stay on the device; the step picks
    its own by the index in ``carry``."""
    params, opt_state, average, best, diverged, index = carry
    batch = jax.tree.map(lambda leaf: leaf[index], batches)
    value, grads = jax.value_and_grad(loss_fn, has_aux=has_aux)(params, batch)
    loss, aux = value if has_aux else (value, None)
    # fastai's AvgSmoothLoss: a bias-corrected exponential moving average.
    average = smoothing * average + (1 - smoothing) * loss
    smoothed = average / (1 - smoothing ** (index + 1))
    best = jnp.minimum(best, smoothed)
    # fastai's LRFinder stops at smoothed > 4 * best; NaN fails that test. An
    # infinite factor counts only non-finite losses (inf * best is -inf or
    # NaN when best <= 0).
    too_high = jnp.isfinite(divergence_factor) & (smoothed > divergence_factor * best)
    stop = diverged | ~jnp.isfinite(loss) | too_high
    tx = optimizer(schedule)
    updates, new_state = tx.update(grads, opt_state, params)
    new_params = optax.apply_updates(params, updates)
    # Past divergence nothing moves and nothing is recorded.
    frozen = lambda new, old: jnp.where(stop, old, new)  # noqa: E731
    params = jax.tree.map(frozen, new_params, params)
    opt_state = jax.tree.map(frozen, new_state, opt_state)

    def masked(x: jax.Array) -> jax.Array:
        if not jnp.issubdtype(x.dtype, jnp.inexact):
            return x
        return jnp.where(diverged, jnp.nan, x)

    record = (
        schedule(index),
        masked(loss),
        masked(smoothed),
        jax.tree.map(masked, aux),
        stop,
    )
    return (params, opt_state, average, best, stop, index + 1), record


class _Progress:
    """Prints, every ``every`` seconds, the steps done, the rate and the loss.

    The clock starts after the first step, which compiles: a sweep is "long"
    for what its steps take, not for its compilation.
    """

    def __init__(self, num_steps: int) -> None:
        self.num_steps, self.every = num_steps, PROGRESS_SECONDS
        self.start = self.last = time.perf_counter()

    def update(self, done: int, record: tuple[Any, ...]) -> None:
        now = time.perf_counter()
        if done == 1:
            self.start = self.last = now
            return
        if now - self.last < self.every and done < self.num_steps:
            return
        if done == self.num_steps and self.last == self.start:
            return  # a short sweep prints nothing
        self.last = now
        rate, loss = (float(x) for x in jax.device_get(record[:2]))  # waits
        print(
            f"lr_range_test: step {done}/{self.num_steps}, lr {rate:.3g}, "
            f"loss {loss:.4g}, {now - self.start:.0f} s",
            file=sys.stderr,
            flush=True,
        )


def sweep(
    params: Any,
    batches: Any,
    smoothing: float,
    divergence_factor: float,
    progress: bool,
    **static: Any,
) -> tuple[Any, ...]:
    """The whole sweep: per step (rate, loss, smoothed, aux, diverged), NumPy.

    A Python loop of one jitted step, the sweep's state kept on the device:
    one compilation whatever ``num_steps``, and no wait for the device but the
    progress lines and the final transfer. (XLA:CPU runs a convolution inside
    ``lax.scan`` many times slower than in a step of its own: ``make bench``
    compares the two.)
    """
    schedule = static["schedule"]
    batches = jax.device_put(jax.tree.map(lambda x: x[: schedule.num_steps], batches))
    carry = _start(params, optimizer=static["optimizer"], schedule=schedule)
    factors = jnp.asarray(smoothing), jnp.asarray(divergence_factor)
    shown = _Progress(schedule.num_steps) if progress else None
    records = []
    for done in range(1, schedule.num_steps + 1):
        carry, record = _sweep_step(carry, batches, *factors, **static)
        records.append(record)
        if shown is not None:
            shown.update(done, record)
    fields = zip(*jax.device_get(records), strict=True)
    return tuple(jax.tree.map(lambda *x: np.stack(x), *field) for field in fields)


def check_nonnegative(
    losses: np.ndarray, diverged_at: int | None, divergence_factor: float
) -> None:
    """A finite factor reads a negative loss wrongly: refuse the curve."""
    end = len(losses) if diverged_at is None else diverged_at + 1
    negative = np.flatnonzero(losses[:end] < 0)
    if math.isfinite(divergence_factor) and negative.size:
        first = int(negative[0])
        raise ValueError(
            f"the loss is negative at step {first} ({losses[first]:.4g}): the "
            f"divergence rule, smoothed loss > divergence_factor="
            f"{divergence_factor!r} x the lowest so far, assumes losses >= 0. "
            "Pass divergence_factor=float('inf') to count only non-finite "
            "losses as divergence, or shift the loss to be >= 0"
        )
