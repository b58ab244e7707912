"""Cyclical learning-rate schedules as pure functions of the step.

Every factory here validates its arguments when it is called and returns an
Optax schedule, ``step -> learning rate``, that works eagerly on Python ints,
on arrays of steps, and under ``jax.jit`` and ``jax.vmap``.

The position inside a cycle is found with integer arithmetic before anything is
converted to floating point. A float32 step loses integer precision above
2**24, so ``step / period`` computed in floats would drift; ``step % period``
computed in integers does not. The integer type is wide enough for both the
step and the period, so a narrow step (``int8``, ``uint16``) never wraps.

A rate has the float type that Optax's own schedules give for the same step,
the type of ``step / period`` in ``jax.numpy``: an integer step of up to 32 bits
gives float32, even under x64, and a 64-bit one float64; a float32 or float64
step keeps its type (float16 and bfloat16 give float32); a Python number gives
the default float type, weakly typed, so that it never widens a float32
computation. Rates and ``gamma`` given as arrays take part in type promotion as
they would in ``jax.numpy``.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

__all__ = [
    "MODES",
    "SCALE_MODES",
    "CyclicalMomentumSchedule",
    "CyclicalSchedule",
    "CyclicalWave",
    "TriangularSchedule",
    "check_rate_bounds",
    "check_step_count",
    "create_triangular_schedule",
    "cycle_position",
    "cyclical_momentum_schedule",
    "cyclical_schedule",
]

MODES = ("triangular", "triangular2", "exp_range")
SCALE_MODES = ("cycle", "iterations")


def check_rate_bounds(**bounds: jax.typing.ArrayLike) -> None:
    """Checks two named rates, lower first: finite reals >= 0, in order.

    A rate is a Python or NumPy number or a NumPy or JAX array, checked element
    by element. A traced rate (inside ``jax.jit``, ``jax.vmap`` or
    ``jax.grad``) has no value yet, so it is not checked.

    Example:
      >>> check_rate_bounds(lr_min=0.1, lr_max=0.01)
      Traceback (most recent call last):
      ...
      ValueError: lr_min must be <= lr_max, got lr_min=0.1, lr_max=0.01
      >>> import numpy as np
      >>> check_rate_bounds(lr_min=0.01, lr_max=np.array([0.1, np.nan]))
      Traceback (most recent call last):
      ...
      ValueError: lr_max must be finite and >= 0, got array([0.1, nan])
    """
    values = {}
    for name, value in bounds.items():
        if isinstance(value, jax.core.Tracer):
            continue  # no value until the traced function runs
        if isinstance(value, numbers.Real) and not isinstance(value, bool):
            values[name] = np.asarray(float(value))
        elif isinstance(value, np.ndarray | jax.Array) and (
            jnp.issubdtype(value.dtype, jnp.floating)
            or jnp.issubdtype(value.dtype, jnp.integer)
        ):
            values[name] = np.asarray(value)
        else:
            raise ValueError(f"{name} must be a real number, got {value!r}")
        if not np.all(np.isfinite(values[name]) & (values[name] >= 0)):
            raise ValueError(f"{name} must be finite and >= 0, got {value!r}")
    low_name, high_name = bounds
    if len(values) == 2 and np.any(values[low_name] > values[high_name]):
        raise ValueError(
            f"{low_name} must be <= {high_name}, "
            f"got {low_name}={bounds[low_name]!r}, {high_name}={bounds[high_name]!r}"
        )


def check_step_count(**counts: int) -> tuple[int, ...]:
    """Checks that every named count is an integer >= 1; returns them as ints.

    Integers are what ``operator.index`` takes: Python ints, NumPy integers and
    concrete JAX integer scalars, but not bools or floats. The length of a
    cycle must be known when the schedule is made, so a traced count (an
    argument of a jitted function, say) is an error: pass it as a static value.

    Example:
      >>> import numpy as np
      >>> from lr_scheduling.schedules import check_step_count
      >>> check_step_count(steps_per_cycle=np.int64(22))
      (22,)
      >>> check_step_count(steps_per_cycle=22.0)
      Traceback (most recent call last):
      ...
      ValueError: steps_per_cycle must be a positive integer, got 22.0
    """
    checked = []
    for name, value in counts.items():
        if isinstance(value, jax.core.Tracer):
            raise ValueError(
                f"{name} must be a static integer, got the traced value {value}"
            )
        try:  # operator.index(value), but bools are not counts
            count = None if isinstance(value, bool) else value.__index__()
        except (AttributeError, TypeError):
            count = None
        if count is None or count < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
        checked.append(count)
    return tuple(checked)


def cycle_position(
    step: jax.typing.ArrayLike, period: float
) -> tuple[jax.Array, jax.Array]:
    """Splits ``step`` into its position inside a cycle and the cycles done.

    An integer period divides an integer step exactly, whatever its type:
    Python ints at any size; NumPy integers on the host, as Python ints; JAX
    integers (traced ones too) in their own type, widened to int32 if
    narrower, when the period fits that type. A float step, a period with a
    fraction, or a period too large for a JAX step's type is divided in
    floating point (float32 at least), and the position is kept within
    ``[0, period]`` whatever the rounding.

    Args:
      step: a step number or an array of them, of any integer or float type.
      period: the number of steps in one cycle, > 0.

    Returns:
      ``(position, cycles)`` shaped like ``step``, with ``step == cycles *
      period + position`` and ``0 <= position < period``, in the float type
      of ``step / period`` in ``jax.numpy``, as Optax's schedules have it:
      float32 for an integer step, float64 for a 64-bit one (under x64), a
      float step's own type (float32 for float16 and bfloat16), the default
      float type, weakly typed, for a Python number. ``position`` is exact for
      any period below 2**24 (float32); ``cycles`` only while it is below
      2**24, which is all a scale function needs.

    Example:
      >>> import jax.numpy as jnp
      >>> position, cycles = cycle_position(2**31 - 1, 1000)
      >>> int(position), int(cycles)
      (647, 2147483)
      >>> position, cycles = cycle_position(jnp.int8(-3), 200)
      >>> int(position), int(cycles), position.dtype
      (197, -1, dtype('float32'))
    """
    if isinstance(step, int):  # Python ints never overflow
        whole, rest = divmod(step, period)
        return jnp.asarray(float(rest)), jnp.asarray(float(whole))
    if isinstance(step, np.integer | np.ndarray) and np.issubdtype(
        step.dtype, np.integer
    ):
        exact = np.asarray(step).astype(object)  # as Python ints, on the host
        # The float type of jnp's step / period: float64 for a 64-bit integer
        # (under x64), else float32.
        wide = step.dtype.itemsize == 8
        as_float = jax.dtypes.canonicalize_dtype(np.float64 if wide else np.float32)
        return (
            jnp.asarray(np.asarray(exact % period, dtype=as_float)),
            jnp.asarray(np.asarray(exact // period, dtype=as_float)),
        )
    steps = jnp.asarray(step)
    if jnp.issubdtype(steps.dtype, jnp.integer):
        if steps.dtype.itemsize < 4:  # int8, int16, uint8, uint16: all fit int32
            steps = steps.astype(jnp.int32)
        # The period must fit the step's type and JAX's Python-int range.
        python_int = jax.dtypes.canonicalize_dtype(int)  # int32, int64 under x64
        largest = min(jnp.iinfo(steps.dtype).max, jnp.iinfo(python_int).max)
        if isinstance(period, int) and period <= largest:
            cycles, position = jnp.divmod(steps, period)  # exact
            # x / 1 turns integers into the float type of jnp's step / period,
            # and keeps a weakly typed step (a Python int under jit) weak.
            return position / 1, cycles / 1
        steps = steps / 1
    if steps.dtype.itemsize < 4:  # float16, bfloat16: too short for a period
        steps = steps.astype(jnp.float32)
    period = float(period)  # JAX takes a Python int only within int32/int64
    cycles = jnp.floor(steps / period)
    position = jnp.clip(steps - cycles * period, 0, period)  # despite rounding
    return position, cycles


@dataclasses.dataclass(frozen=True)
class TriangularSchedule:
    """Smith's triangular schedule, a value: see :func:`create_triangular_schedule`.

    Frozen, so that schedules with equal arguments compare and hash equal and
    ``jax.jit`` compiles a step for them once. The arguments are checked when
    it is made.
    """

    lr_min: float
    lr_max: float
    steps_per_cycle: int

    def __post_init__(self):
        check_rate_bounds(lr_min=self.lr_min, lr_max=self.lr_max)
        (period,) = check_step_count(steps_per_cycle=self.steps_per_cycle)
        object.__setattr__(self, "steps_per_cycle", period)  # as a Python int

    def __call__(self, step):
        period = self.steps_per_cycle
        position, _ = cycle_position(step, period)  # exact step % P
        # ceil(P/2) steps up, floor(P/2) down; P = 1 never takes the falling
        # side. As floats: JAX takes a Python int only within int32.
        rise, fall = float((period + 1) // 2), float(max(period // 2, 1))
        up, down = position / rise, (float(period) - position) / fall
        height = jnp.where(position <= rise, up, down)
        return self.lr_min + (self.lr_max - self.lr_min) * height


def create_triangular_schedule(
    lr_min: float, lr_max: float, steps_per_cycle: int
) -> TriangularSchedule:
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
    more than it falls, so the wave never jumps. For an integer step of any
    type the rate is within ``[lr_min, lr_max]``.

    The rates may be Python or NumPy numbers or arrays, or traced values (to
    ``jax.vmap`` or differentiate over them); concrete ones are checked to be
    finite, ``>= 0`` and in order. ``steps_per_cycle`` must be a static integer
    (a Python, NumPy or concrete JAX one). A bad argument raises
    ``ValueError`` naming it.

    The rate has the float type Optax's own schedules give for the step (see
    :func:`~lr_scheduling.schedules.cycle_position`): float32 for an int32
    step such as Optax's step count, even under x64, so a float32 model stays
    float32; float64 for an int64 step; the default float type, weakly typed,
    for a Python int; a float step's own type, except float32 for float16 and
    bfloat16. Rates given as arrays take part in type promotion as in
    ``jax.numpy``.

    Args:
      lr_min: the rate at the start and end of every cycle.
      lr_max: the rate at the top of every cycle.
      steps_per_cycle: the period ``P`` in steps.

    Returns:
      A :class:`TriangularSchedule`, a schedule ``step -> learning rate``.
      Schedules are values: two made with equal Python or NumPy numbers
      compare and hash equal, so ``jax.jit`` reuses a step compiled for
      either, and they pickle.

    Example:
      >>> schedule = create_triangular_schedule(0.001, 0.005, steps_per_cycle=4)
      >>> [round(float(schedule(step)), 6) for step in range(6)]
      [0.001, 0.003, 0.005, 0.003, 0.001, 0.003]
      >>> import jax, jax.numpy as jnp
      >>> schedule(jnp.int16(5)).dtype
      dtype('float32')
      >>> schedule == create_triangular_schedule(0.001, 0.005, steps_per_cycle=4)
      True
      >>> by_max = lambda lr_max: create_triangular_schedule(0.01, lr_max, 8)(3)
      >>> [round(float(rate), 4) for rate in jax.vmap(by_max)(jnp.array([0.1, 0.2]))]
      [0.0775, 0.1525]
    """
    return TriangularSchedule(lr_min, lr_max, steps_per_cycle)


def cyclical_schedule(
    base_lr: float | np.ndarray | jax.Array,
    max_lr: float | np.ndarray | jax.Array,
    step_size_up: float,
    step_size_down: float | None = None,
    mode: str = "triangular",
    gamma: float | np.ndarray | jax.Array = 1.0,
    scale_fn: Callable[[jax.Array], jax.Array] | None = None,
    scale_mode: str | None = None,
) -> CyclicalSchedule:
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
    :math:`\gamma^{step}` for ``"exp_range"``. Step 0 gives ``base_lr``, as
    ``CyclicLR`` does before its first ``scheduler.step()``. The step sizes
    may have fractions, as in ``CyclicLR``, and ``step_size_down`` may be 0 (a
    sawtooth); whole sizes keep the exact integer arithmetic of
    :func:`~lr_scheduling.schedules.cycle_position`.

    A custom ``scale_fn`` replaces the mode's scale. It is given the cycle
    number ``c`` (``scale_mode="cycle"``, the default) or the step
    (``"iterations"``) as a float array, must be written with ``jax.numpy``,
    and must return a number ``>= 0``, not NaN, for every input it can get:
    cycle numbers from 1 and steps from 0 up to the largest step you pass
    (below those for negative steps). A scale within ``[0, 1]``, as
    ``CyclicLR`` asks, keeps the rate within ``[base_lr, max_lr]``; an
    infinite scale gives an infinite rate, except at the start of a cycle,
    which is always ``base_lr``.

    The built-in modes never give NaN, at any step. ``"triangular"``,
    ``"triangular2"`` and ``"exp_range"`` with ``gamma <= 1`` stay within
    ``[base_lr, max_lr]`` for every step >= 0; ``"exp_range"`` with
    ``gamma > 1`` grows without bound, to ``inf`` once the rate passes the
    largest number of its float type.

    Arguments are checked when the schedule is made, and a bad one raises
    ``ValueError`` naming it. The rates and ``gamma`` may be arrays or traced
    values; concrete ones must be finite, with ``0 <= base_lr <= max_lr`` and
    ``gamma > 0``. The step sizes must be concrete, finite numbers (Python,
    NumPy or 0-d arrays), ``step_size_up > 0`` and ``step_size_down >= 0``.
    The rate's float type is that of :func:`create_triangular_schedule`.

    Differences from ``CyclicLR``, all deliberate:

    * Arguments. ``CyclicLR`` takes as a step size anything ``float()``
      takes: strings, bools, negative sizes, ``inf`` (NaN rates). Those raise
      here, as do ``base_lr > max_lr``, negative or non-finite rates,
      ``gamma <= 0`` or non-finite, an unknown ``mode`` beside a
      ``scale_fn``, an unknown ``scale_mode`` (``CyclicLR`` reads it as
      ``"iterations"``), and a ``scale_mode`` that contradicts a built-in
      mode's own (``CyclicLR`` ignores it; a matching one is accepted, and
      ``gamma`` is ignored except by ``"exp_range"``, as there).
      ``step_size_up=0`` and NaN sizes fail in both (``ZeroDivisionError``
      and ``ValueError`` there).
    * Arithmetic. ``CyclicLR`` computes ``step / total_size`` in Python
      floats (float64), which drift past 2**53 steps. Here whole step sizes
      divide integer steps exactly; a period with a fraction divides Python
      and NumPy integer steps in float64 as ``CyclicLR`` does, so a
      sawtooth's jumps fall on the same steps, but JAX steps in float32
      (float64 for 64-bit ones), where a step that float64 rounding puts on
      one side of a jump can fall on the other. Rates are float32 unless the
      step is 64-bit or float64 (about 1e-7 relative difference).
    * Overflow. Where ``gamma ** step`` or ``2.0 ** (c - 1)`` overflows a
      float64, ``CyclicLR`` raises ``OverflowError``; here ``"triangular2"``
      gives ``base_lr`` and ``"exp_range"`` ``inf`` (``base_lr`` at the start
      of each cycle).
    * Interface. ``scale_fn`` gets float arrays, not Python numbers; rates
      may be arrays (not lists, one per parameter group); momentum is not
      cycled (``cycle_momentum``, which
      :func:`cyclical_momentum_schedule` gives); the step is an argument, not
      ``last_epoch``, and negative steps extend the cycles backwards.
      :func:`cyclical_momentum_schedule` gives the momentum.

    Args:
      base_lr: the lowest rate, at the start of every cycle.
      max_lr: the highest rate reached (before scaling).
      step_size_up: steps from ``base_lr`` up to ``max_lr``, > 0.
      step_size_down: steps back down, >= 0; defaults to ``step_size_up``.
      mode: ``"triangular"``, ``"triangular2"`` or ``"exp_range"``.
      gamma: the per-step factor of ``"exp_range"``; must be > 0.
      scale_fn: a custom amplitude scale, overriding ``mode``.
      scale_mode: what ``scale_fn`` is given, ``"cycle"`` or ``"iterations"``.
        Only for a custom ``scale_fn``; a mode has its own.

    Returns:
      A :class:`CyclicalSchedule`, a schedule ``step -> learning rate``; equal
      arguments give equal, hashable schedules (custom ``scale_fn``: the same
      function object).

    Example:
      >>> schedule = cyclical_schedule(0.1, 0.5, step_size_up=2, mode="triangular2")
      >>> [round(float(schedule(step)), 6) for step in range(9)]
      [0.1, 0.3, 0.5, 0.3, 0.1, 0.2, 0.3, 0.2, 0.1]
      >>> sawtooth = cyclical_schedule(0.01, 0.1, step_size_up=4, step_size_down=0)
      >>> [round(float(sawtooth(step)), 4) for step in range(6)]
      [0.01, 0.0325, 0.055, 0.0775, 0.01, 0.0325]
      >>> fractional = cyclical_schedule(0.01, 0.1, step_size_up=2.5)
      >>> [round(float(fractional(step)), 4) for step in range(6)]
      [0.01, 0.046, 0.082, 0.082, 0.046, 0.01]
      >>> growing = cyclical_schedule(0.01, 0.1, 4, mode="exp_range", gamma=1.001)
      >>> [round(float(growing(step)), 4) for step in (100_000, 100_001)]
      [0.01, inf]
    """
    wave = CyclicalWave(step_size_up, step_size_down, mode, gamma, scale_fn, scale_mode)
    return CyclicalSchedule(base_lr, max_lr, wave)


def cyclical_momentum_schedule(
    base_momentum: float | np.ndarray | jax.Array,
    max_momentum: float | np.ndarray | jax.Array,
    step_size_up: float,
    step_size_down: float | None = None,
    mode: str = "triangular",
    gamma: float | np.ndarray | jax.Array = 1.0,
    scale_fn: Callable[[jax.Array], jax.Array] | None = None,
    scale_mode: str | None = None,
) -> CyclicalMomentumSchedule:
    r"""The momentum that PyTorch's ``CyclicLR`` cycles against the rate.

    With ``cycle_momentum=True`` (its default), ``CyclicLR`` moves the
    momentum the other way from the rate: at ``max_momentum`` where the rate
    is at ``base_lr``, down towards ``base_momentum`` where the rate peaks,
    by the same wave and scale:

    .. math::

      \mathrm{momentum}(step) = max\_momentum - (max\_momentum -
      base\_momentum) \cdot wave(step) \cdot scale

    with ``wave`` and ``scale`` those of :func:`cyclical_schedule` for the
    same step sizes, mode, ``gamma`` and scale function. Smith (2018, arXiv
    1803.09820, section 4.1) found that a momentum falling while the rate
    rises lets the rate go higher. Use it through
    ``optax.inject_hyperparams``, as SGD's ``momentum`` or Adam's ``b1``.
    CyclicLR's defaults are 0.8 and 0.9.

    The arguments are checked as in :func:`cyclical_schedule`; the momenta as
    rates are (finite, ``>= 0``, ``base_momentum <= max_momentum``). The
    value's float type is that of :func:`cyclical_schedule`.

    Args:
      base_momentum: the lowest momentum, at the rate's peak.
      max_momentum: the momentum at the start of every cycle.
      step_size_up, step_size_down, mode, gamma, scale_fn, scale_mode: as for
        :func:`cyclical_schedule`.

    Returns:
      A :class:`CyclicalMomentumSchedule`, ``step -> momentum``.

    Example:
      >>> momentum = cyclical_momentum_schedule(0.8, 0.9, step_size_up=2)
      >>> [round(float(momentum(step)), 4) for step in range(5)]
      [0.9, 0.85, 0.8, 0.85, 0.9]
      >>> import optax
      >>> tx = optax.inject_hyperparams(optax.sgd)(
      ...     learning_rate=cyclical_schedule(0.01, 0.1, step_size_up=2),
      ...     momentum=momentum,
      ... )
    """
    wave = CyclicalWave(step_size_up, step_size_down, mode, gamma, scale_fn, scale_mode)
    return CyclicalMomentumSchedule(base_momentum, max_momentum, wave)


@dataclasses.dataclass(frozen=True)
class CyclicalWave:
    """The shape of CyclicLR's cycles, shared by its rate and its momentum.

    Calling it gives ``(height, scale)`` for a step: ``height`` in ``[0, 1]``
    rises from 0 over ``step_size_up`` steps and falls back over
    ``step_size_down``; ``scale`` is the mode's or ``scale_fn``'s amplitude.
    The arguments are checked and normalised when it is made (see
    :func:`cyclical_schedule`): whole step sizes become ints,
    ``step_size_down=None`` becomes ``step_size_up``, and ``scale_mode`` is
    the mode's own for a built-in mode.
    """

    step_size_up: int | float
    step_size_down: int | float | None = None
    mode: str = "triangular"
    gamma: float | np.ndarray | jax.Array = 1.0
    scale_fn: Callable[[jax.Array], jax.Array] | None = None
    scale_mode: str | None = None

    def __post_init__(self):
        up = _step_size("step_size_up", self.step_size_up, zero_ok=False)
        if self.step_size_down is None:
            down = up
        else:
            down = _step_size("step_size_down", self.step_size_down, zero_ok=True)
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {self.mode!r}")
        _log_gamma(self.gamma)  # checks gamma
        scale_mode = self.scale_mode
        if scale_mode is not None and scale_mode not in SCALE_MODES:
            raise ValueError(
                f"scale_mode must be one of {SCALE_MODES}, got {scale_mode!r}"
            )
        if self.scale_fn is not None and not callable(self.scale_fn):
            raise TypeError(f"scale_fn must be callable, got {self.scale_fn!r}")
        if self.scale_fn is None:
            own_mode = "iterations" if self.mode == "exp_range" else "cycle"
            if scale_mode not in (None, own_mode):
                raise ValueError(
                    f"scale_mode={scale_mode!r} only applies to a custom scale_fn; "
                    f"mode={self.mode!r} scales by {own_mode!r}"
                )
            scale_mode = own_mode
        for name, value in [("step_size_up", up), ("step_size_down", down)]:
            object.__setattr__(self, name, value)
        object.__setattr__(self, "scale_mode", scale_mode or "cycle")

    def __call__(self, step) -> tuple[jax.Array, jax.Array]:
        up, down = self.step_size_up, self.step_size_down
        assert down is not None  # set by __post_init__
        period = up + down
        if isinstance(period, float) and period.is_integer():
            period = int(period)  # e.g. 2.5 + 2.5: integer steps divide exactly
        if isinstance(period, int):
            position, cycles = cycle_position(step, period)
        else:
            position, cycles = _fractional_cycle_position(step, period)
        # As floats: JAX takes a Python int only within int32 (int64 under
        # x64). With no falling side (down = 0) the falling slope is unused.
        rise, fall, length = float(up), float(down or 1), float(period)
        rising, falling = position / rise, (length - position) / fall
        height = jnp.where(position <= rise, rising, falling)
        if self.scale_mode == "cycle":
            at = cycles + 1
        else:
            at = cycles * length + position
        return height, self._scale(at)

    def _scale(self, at: jax.Array) -> jax.Array:
        if self.scale_fn is not None:
            return self.scale_fn(at)
        if self.mode == "triangular":
            return jnp.ones_like(at)
        if self.mode == "triangular2":
            return jnp.exp2(1.0 - at)
        return jnp.exp(at * _log_gamma(self.gamma))


def _scaled(low, high, wave: CyclicalWave, step) -> jax.Array:
    """``(high - low) * height * scale``; 0 where the height is 0.

    At the foot of a cycle the scale does not matter, even where it has
    overflowed to inf (0 * inf would be NaN).
    """
    height, scale = wave(step)
    span = (high - low) * height
    return jnp.where(span == 0, 0.0, span * scale)


@dataclasses.dataclass(frozen=True)
class CyclicalSchedule:
    """CyclicLR's rate, a value: see :func:`cyclical_schedule`."""

    base_lr: float | np.ndarray | jax.Array
    max_lr: float | np.ndarray | jax.Array
    wave: CyclicalWave

    def __post_init__(self):
        check_rate_bounds(base_lr=self.base_lr, max_lr=self.max_lr)

    def __call__(self, step):
        return self.base_lr + _scaled(self.base_lr, self.max_lr, self.wave, step)


@dataclasses.dataclass(frozen=True)
class CyclicalMomentumSchedule:
    """CyclicLR's momentum, a value: see :func:`cyclical_momentum_schedule`."""

    base_momentum: float | np.ndarray | jax.Array
    max_momentum: float | np.ndarray | jax.Array
    wave: CyclicalWave

    def __post_init__(self):
        check_rate_bounds(
            base_momentum=self.base_momentum, max_momentum=self.max_momentum
        )

    def __call__(self, step):
        low, high = self.base_momentum, self.max_momentum
        return high - _scaled(low, high, self.wave, step)


def _fractional_cycle_position(
    step: jax.typing.ArrayLike, period: float
) -> tuple[jax.Array, jax.Array]:
    """``cycle_position`` for a period with a fraction, divided as CyclicLR does.

    CyclicLR finds the cycle as ``floor(step / period)`` from the rounded
    float64 quotient, so a step that its rounding puts at the start of a cycle
    is there (the exact remainder of 21 by the double nearest 1.05 is just
    below 1.05, but 21 / 1.05 rounds to 20.0). Python and NumPy integer steps
    are divided so, on the host in float64. Other steps are divided in their
    float type (float32 at least), where a quotient within a few units in the
    last place of a whole number counts as whole, as float64 would round it.
    The results have the float types of :func:`~lr_scheduling.schedules.cycle_position`.
    """
    if isinstance(step, int) or (
        isinstance(step, np.integer | np.ndarray)
        and np.issubdtype(step.dtype, np.integer)
    ):
        on_host = np.asarray(step, dtype=np.float64)
        whole = np.floor(on_host / period)
        rest = np.clip(on_host - whole * period, 0, period)
        if isinstance(step, int):
            return jnp.asarray(float(rest)), jnp.asarray(float(whole))
        wide = step.dtype.itemsize == 8
        as_float = jax.dtypes.canonicalize_dtype(np.float64 if wide else np.float32)
        return jnp.asarray(rest, as_float), jnp.asarray(whole, as_float)
    steps = jnp.asarray(step)
    if jnp.issubdtype(steps.dtype, jnp.integer):
        steps = steps / 1  # float32, float64 if 64-bit; weakly typed if weak
    if steps.dtype.itemsize < 4:  # float16, bfloat16
        steps = steps.astype(jnp.float32)
    quotient = steps / period
    nearest = jnp.round(quotient)
    rounding = 4 * jnp.finfo(quotient.dtype).eps * jnp.abs(nearest)
    cycles = jnp.where(
        jnp.abs(quotient - nearest) <= rounding, nearest, jnp.floor(quotient)
    )
    position = jnp.clip(steps - cycles * period, 0, period)
    return position, cycles


def _step_size(name: str, value: Any, *, zero_ok: bool) -> int | float:
    """A concrete step size of ``cyclical_schedule``, an int if it is whole."""
    if isinstance(value, jax.core.Tracer):
        raise ValueError(
            f"{name} must be a static number, got the traced value {value}"
        )
    number = value
    if isinstance(value, np.ndarray | jax.Array) and value.ndim == 0:
        number = value.item()  # a concrete 0-d array as a Python number
    bound = ">= 0" if zero_ok else "> 0"
    if isinstance(number, bool) or not isinstance(number, numbers.Real):
        raise ValueError(f"{name} must be a finite number {bound}, got {value!r}")
    if isinstance(number, numbers.Integral):
        size: int | float = int(number)
    elif float(number).is_integer():
        size = int(float(number))  # whole: exact integer arithmetic
    else:
        size = float(number)
    if not (isinstance(size, int) or math.isfinite(size)) or not (
        size >= 0 if zero_ok else size > 0
    ):
        raise ValueError(f"{name} must be a finite number {bound}, got {value!r}")
    return size


def _log_gamma(gamma: jax.typing.ArrayLike) -> jax.typing.ArrayLike:
    """log(gamma), checked: in double precision for a number, else in jnp."""
    if isinstance(gamma, jax.core.Tracer):
        return jnp.log(gamma)
    if isinstance(gamma, numbers.Real) and not isinstance(gamma, bool):
        value = np.asarray(float(gamma))
    elif isinstance(gamma, np.ndarray | jax.Array) and (
        jnp.issubdtype(gamma.dtype, jnp.floating)
        or jnp.issubdtype(gamma.dtype, jnp.integer)
    ):
        value = np.asarray(gamma)
    else:
        raise ValueError(f"gamma must be a real number > 0, got {gamma!r}")
    if not np.all(np.isfinite(value) & (value > 0)):
        raise ValueError(f"gamma must be a finite number > 0, got {gamma!r}")
    if isinstance(gamma, numbers.Real):
        return math.log(gamma)
    return jnp.log(gamma)
