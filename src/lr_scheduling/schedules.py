"""Cyclical learning-rate schedules as pure functions of the step.

Every factory here validates its arguments when it is called and returns an
Optax schedule, ``step -> learning rate``, that works eagerly on Python ints,
on arrays of steps, and under ``jax.jit`` and ``jax.vmap``.

The position inside a cycle is found with integer arithmetic before anything is
converted to floating point. A float32 step loses integer precision above
2**24, so ``step / period`` computed in floats would drift; ``step % period``
computed in integers does not.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np
import optax

__all__ = [
    "MODES",
    "SCALE_MODES",
    "check_rate_bounds",
    "check_step_count",
    "create_triangular_schedule",
    "cycle_position",
    "cyclical_schedule",
]

MODES = ("triangular", "triangular2", "exp_range")
SCALE_MODES = ("cycle", "iterations")


def check_rate_bounds(**bounds: float) -> None:
    """Checks two named rates, lower first: finite reals >= 0, in order.

    Example:
      >>> check_rate_bounds(lr_min=0.1, lr_max=0.01)
      Traceback (most recent call last):
      ...
      ValueError: lr_min must be <= lr_max, got lr_min=0.1, lr_max=0.01
    """
    for name, value in bounds.items():
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ValueError(f"{name} must be a real number, got {value!r}")
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"{name} must be finite and >= 0, got {value!r}")
    (low_name, low), (high_name, high) = bounds.items()
    if low > high:
        raise ValueError(
            f"{low_name} must be <= {high_name}, "
            f"got {low_name}={low!r}, {high_name}={high!r}"
        )


def check_step_count(**counts: int) -> None:
    """Checks that every named count is an integer >= 1."""
    for name, value in counts.items():
        integral = isinstance(value, numbers.Integral) and not isinstance(value, bool)
        if not integral or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")


def cycle_position(
    step: jax.typing.ArrayLike, period: int
) -> tuple[jax.Array, jax.Array]:
    """Splits ``step`` into its position inside a cycle and the cycles done.

    Integer steps are divided exactly: Python ints and NumPy integers on the
    host in arbitrary or 64-bit precision, JAX integer arrays (including traced
    ones) in their own integer type. Only the results, a position below
    ``period`` and a count of cycles, are converted to the default float type.

    Args:
      step: a step number or an array of them.
      period: the number of steps in one cycle.

    Returns:
      ``(position, cycles)`` as float arrays shaped like ``step``, with
      ``step == cycles * period + position`` and ``0 <= position < period``.
      ``position`` is exact for any period below 2**24; ``cycles`` only while
      it is below 2**24 (float32), which is all a scale function needs.

    Example:
      >>> position, cycles = cycle_position(2**31 - 1, 1000)
      >>> int(position), int(cycles)
      (647, 2147483)
    """
    cycles: jax.typing.ArrayLike
    position: jax.typing.ArrayLike
    if isinstance(step, int):  # any size: Python ints never overflow
        whole, rest = divmod(step, period)
        cycles, position = float(whole), float(rest)
    elif isinstance(step, np.integer | np.ndarray) and np.issubdtype(
        np.asarray(step).dtype, np.integer
    ):
        whole_np, rest_np = np.divmod(np.asarray(step, dtype=np.int64), period)
        cycles, position = whole_np.astype(np.float64), rest_np.astype(np.float64)
    else:
        traced = jnp.asarray(step)
        if jnp.issubdtype(traced.dtype, jnp.integer):
            cycles, position = jnp.divmod(traced, period)
        else:
            cycles = jnp.floor(traced / period)
            position = traced - cycles * period
    as_float = jnp.result_type(float)
    return jnp.asarray(position, as_float), jnp.asarray(cycles, as_float)


def create_triangular_schedule(
    lr_min: float, lr_max: float, steps_per_cycle: int
) -> optax.Schedule:
    r"""The triangular cyclical schedule of Smith (2017), arXiv:1506.01186.

    With ``P = steps_per_cycle``, ``rise = ceil(P / 2)`` and ``p = step mod P``:

    .. math::

      \mathrm{lr}(step) = lr_{min} + (lr_{max} - lr_{min}) \cdot
      \begin{cases}
        p / rise & p \le rise \\
        (P - p) / (P - rise) & \text{otherwise}
      \end{cases}

    The rate starts at ``lr_min``, reaches ``lr_max`` at step ``ceil(P / 2)``
    and is back at ``lr_min`` at step ``P``. An odd ``P`` rises for one step
    more than it falls, so the wave never jumps.

    Args:
      lr_min: the rate at the start and end of every cycle.
      lr_max: the rate at the top of every cycle.
      steps_per_cycle: the period ``P`` in steps.

    Returns:
      A schedule ``step -> learning rate``.

    Example:
      >>> schedule = create_triangular_schedule(0.001, 0.005, steps_per_cycle=4)
      >>> [round(float(schedule(step)), 6) for step in range(6)]
      [0.001, 0.003, 0.005, 0.003, 0.001, 0.003]
    """
    check_rate_bounds(lr_min=lr_min, lr_max=lr_max)
    check_step_count(steps_per_cycle=steps_per_cycle)
    rise = (steps_per_cycle + 1) // 2  # ceil(P/2) steps up, floor(P/2) down;
    fall = max(steps_per_cycle - rise, 1)  # P = 1 never takes the falling side.

    def learning_rate_fn(step):
        position, _ = cycle_position(step, steps_per_cycle)  # exact step % P
        up, down = position / rise, (steps_per_cycle - position) / fall
        return lr_min + (lr_max - lr_min) * jnp.where(position <= rise, up, down)

    return learning_rate_fn


def cyclical_schedule(
    base_lr: float,
    max_lr: float,
    step_size_up: int,
    step_size_down: int | None = None,
    mode: str = "triangular",
    gamma: float = 1.0,
    scale_fn: Callable[[jax.Array], jax.Array] | None = None,
    scale_mode: str | None = None,
) -> optax.Schedule:
    r"""A cyclical schedule with the semantics of PyTorch's ``CyclicLR``.

    With ``T = step_size_up + step_size_down``, ``p = step mod T`` and the
    1-based cycle number ``c = floor(step / T) + 1``:

    .. math::

      \mathrm{lr}(step) = base\_lr + (max\_lr - base\_lr) \cdot
      \begin{cases}
        p / step\_size\_up & p \le step\_size\_up \\
        (T - p) / step\_size\_down & \text{otherwise}
      \end{cases}
      \cdot\ scale

    where ``scale`` is 1 for ``"triangular"``, :math:`2^{-(c - 1)}` for
    ``"triangular2"`` (the amplitude halves every cycle) and
    :math:`\gamma^{step}` for ``"exp_range"``. A custom ``scale_fn`` replaces
    the mode's scale; it is given the cycle number ``c`` (``scale_mode=
    "cycle"``, the default) or the step (``"iterations"``) as a float array
    and must be written with ``jax.numpy``. Step 0 gives ``base_lr``, as
    ``CyclicLR`` does before its first ``scheduler.step()``.

    Args:
      base_lr: the lowest rate, at the start of every cycle.
      max_lr: the highest rate reached (before scaling).
      step_size_up: steps from ``base_lr`` up to ``max_lr``.
      step_size_down: steps back down; defaults to ``step_size_up``.
      mode: ``"triangular"``, ``"triangular2"`` or ``"exp_range"``.
      gamma: the per-step decay of ``"exp_range"``; must be > 0.
      scale_fn: a custom amplitude scale, overriding ``mode``.
      scale_mode: what ``scale_fn`` is given, ``"cycle"`` or ``"iterations"``.
        Only for a custom ``scale_fn``; a mode has its own.

    Returns:
      A schedule ``step -> learning rate``.

    Example:
      >>> schedule = cyclical_schedule(0.1, 0.5, step_size_up=2, mode="triangular2")
      >>> [round(float(schedule(step)), 6) for step in range(9)]
      [0.1, 0.3, 0.5, 0.3, 0.1, 0.2, 0.3, 0.2, 0.1]
    """
    check_rate_bounds(base_lr=base_lr, max_lr=max_lr)
    check_step_count(step_size_up=step_size_up)
    if step_size_down is None:
        step_size_down = step_size_up
    check_step_count(step_size_down=step_size_down)
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    if isinstance(gamma, bool) or not isinstance(gamma, numbers.Real):
        raise ValueError(f"gamma must be a real number > 0, got {gamma!r}")
    if not (math.isfinite(gamma) and gamma > 0):
        raise ValueError(f"gamma must be a finite number > 0, got {gamma!r}")
    if scale_mode is not None and scale_mode not in SCALE_MODES:
        raise ValueError(f"scale_mode must be one of {SCALE_MODES}, got {scale_mode!r}")
    if scale_fn is not None and not callable(scale_fn):
        raise TypeError(f"scale_fn must be callable, got {scale_fn!r}")
    if scale_fn is None:
        scale_fn, own_mode = _mode_scale(mode, gamma)
        if scale_mode not in (None, own_mode):
            raise ValueError(
                f"scale_mode={scale_mode!r} only applies to a custom scale_fn; "
                f"mode={mode!r} scales by {own_mode!r}"
            )
        scale_mode = own_mode
    scale_by_cycle = (scale_mode or "cycle") == "cycle"
    period = step_size_up + step_size_down

    def schedule(step):
        position, cycles = cycle_position(step, period)
        up = position / step_size_up
        down = (period - position) / step_size_down
        fraction = jnp.where(position <= step_size_up, up, down)
        if scale_by_cycle:
            scale = scale_fn(cycles + 1)
        else:
            scale = scale_fn(cycles * period + position)
        return base_lr + (max_lr - base_lr) * fraction * scale

    return schedule


def _mode_scale(mode: str, gamma: float) -> tuple[Callable, str]:
    """The scale function and its scale_mode for a built-in mode."""
    if mode == "triangular":
        return (lambda cycle: jnp.ones_like(cycle)), "cycle"
    if mode == "triangular2":
        return (lambda cycle: jnp.exp2(1.0 - cycle)), "cycle"
    log_gamma = math.log(gamma)  # in double precision, once
    return (lambda step: jnp.exp(step * log_gamma)), "iterations"
