"""Learning-rate and momentum schedules as pure functions of the step.

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
    "ANNEAL_STRATEGIES",
    "DECAY_SHAPES",
    "MODES",
    "SCALE_MODES",
    "CyclicalMomentumSchedule",
    "CyclicalSchedule",
    "CyclicalWave",
    "OneCycleMomentumSchedule",
    "OneCyclePhases",
    "OneCycleSchedule",
    "TriangularSchedule",
    "WSDSchedule",
    "WarmRestartsSchedule",
    "check_rate_bounds",
    "check_step_count",
    "create_triangular_schedule",
    "cycle_position",
    "cyclical_momentum_schedule",
    "cyclical_schedule",
    "one_cycle_momentum_schedule",
    "one_cycle_schedule",
    "warm_restarts_schedule",
    "wsd_schedule",
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
    # log(gamma), checked and taken once when made, not on every call; derived
    # from gamma, so equality and hashing leave it out.
    _log_gamma_value: Any = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self):
        up = _step_size("step_size_up", self.step_size_up, zero_ok=False)
        if self.step_size_down is None:
            down = up
        else:
            down = _step_size("step_size_down", self.step_size_down, zero_ok=True)
        _choice("mode", self.mode, MODES)
        object.__setattr__(self, "_log_gamma_value", _log_gamma(self.gamma))
        scale_mode = self.scale_mode
        if scale_mode is not None:
            _choice("scale_mode", scale_mode, SCALE_MODES)
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
        return jnp.exp(at * self._log_gamma_value)


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


# --- one-cycle, warm restarts and warmup-stable-decay -------------------------

ANNEAL_STRATEGIES = ("cos", "linear")
DECAY_SHAPES = ("linear", "cosine", "1-sqrt")


@dataclasses.dataclass(frozen=True, eq=False)
class _Steps:
    """Steps clamped to ``[0, last]``, in a form whose arithmetic stays exact.

    ``values`` holds Python ints in a NumPy object array for Python and NumPy
    integer steps (``host``), a JAX integer array (``exact``; narrow types
    widened to int32), or a JAX float array (neither). ``top`` bounds
    ``values``: ``last``, or less for a JAX integer type that holds less;
    ``None`` for unbounded host steps. ``as_float`` is the float type of
    ``step / n`` in ``jax.numpy`` for NumPy steps, ``None`` for a Python int
    (the default float type, weakly typed).
    """

    values: Any
    top: int | None
    host: bool
    exact: bool
    as_float: Any = None

    def constant(self, number: int) -> Any:
        """``number``, within ``[0, top]``, to combine with ``values``.

        A Python int keeps a weakly typed step weak; a typed constant lets a
        non-weak step (``uint32``, say) take values beyond JAX's Python-int
        range.
        """
        if self.host or getattr(self.values, "weak_type", False):
            return number
        return jnp.asarray(number, self.values.dtype)

    def to_float(self, whole: Any) -> jax.Array:
        """Integers like ``values`` as floats of the step's float type."""
        if not self.host:
            # x / 1 gives the float type of jnp's step / n, weak if the step is.
            return whole / 1 if self.exact else whole
        floats = np.asarray(whole, dtype=object).astype(np.float64)
        if self.as_float is None:  # a Python int: weakly typed, like optax
            return jnp.asarray(float(floats))
        return jnp.asarray(floats.astype(self.as_float))

    def below(self, bound: float, *, inclusive: bool) -> Any:
        """Where ``values < bound`` (``<=`` if inclusive); exact for integers."""
        if not self.exact:  # as a float: JAX takes a Python int only within int32
            bound = float(bound)
            return self.values <= bound if inclusive else self.values < bound
        largest = math.floor(bound) if inclusive else math.ceil(bound) - 1
        if largest < 0:
            return False
        if self.top is not None and largest >= self.top:
            return True
        result = self.values <= self.constant(largest)
        return np.asarray(result, dtype=bool) if self.host else result

    def fractions(self, start: float, end: float) -> tuple[jax.Array, jax.Array]:
        """``(p, q)``: how far ``values`` are from ``start`` to ``end``, and the rest.

        ``p = (step - start) / (end - start)`` and ``q = (end - step) / (end -
        start)``, each from an integer difference taken before any float
        conversion, so that both are accurate where they are small. A phase
        of no length gives ``p = 1, q = 0``: its one step is its end. The
        values are meaningful only for steps within the phase.
        """
        zero = self.to_float(self.values) * 0  # the float type, shaped as values
        length = float(end - start)  # a Python int beyond int32 would not do
        if length <= 0:
            return zero + 1.0, zero
        if not self.exact:
            start, end = float(start), float(end)
            return (self.values - start) / length, (end - self.values) / length
        if length < 1:
            # At most one integer step, floor(end), lies within: its fractions
            # in float64, which float32 offsets from start could not resolve.
            last = math.floor(end)
            return zero + (last - start) / length, zero + (end - last) / length
        top = self.top if self.top is not None else max(math.floor(end), 0)
        low = min(max(math.floor(start), 0), top)  # <= every step of the phase
        high = min(max(math.floor(end), 0), top)  # >= every step of the phase
        since = self.to_float(self.values - self.constant(low)) + float(low - start)
        until = self.to_float(self.constant(high) - self.values) + float(end - high)
        return since / length, until / length


def _clamped_steps(step: jax.typing.ArrayLike, last: int | None) -> _Steps:
    """``step`` clamped to ``[0, last]`` (``[0, inf)`` for ``None``), exactly."""
    if isinstance(step, int) or (
        isinstance(step, np.integer | np.ndarray)
        and np.issubdtype(step.dtype, np.integer)
    ):
        exact = np.asarray(step).astype(object)  # Python ints: no overflow
        exact = np.where(exact < 0, 0, exact)
        if last is not None:
            exact = np.where(exact > last, last, exact)
        as_float = None
        if not isinstance(step, int):  # float64 for a 64-bit type, else float32
            wide = step.dtype.itemsize == 8
            as_float = jax.dtypes.canonicalize_dtype(np.float64 if wide else np.float32)
        return _Steps(exact, last, host=True, exact=True, as_float=as_float)
    steps = jnp.asarray(step)
    if jnp.issubdtype(steps.dtype, jnp.integer):
        if steps.dtype.itemsize < 4:  # int8, int16, uint8, uint16: all fit int32
            steps = steps.astype(jnp.int32)
        largest = int(jnp.iinfo(steps.dtype).max)
        top = largest if last is None else min(last, largest)
        unclamped = _Steps(steps, top, host=False, exact=True)
        low, high = unclamped.constant(0), unclamped.constant(top)
        return dataclasses.replace(unclamped, values=jnp.clip(steps, low, high))
    if steps.dtype.itemsize < 4:  # float16, bfloat16: too short for a step count
        steps = steps.astype(jnp.float32)
    steps = jnp.maximum(steps, 0.0)
    if last is not None:
        steps = jnp.minimum(steps, float(last))
    return _Steps(steps, last, host=False, exact=False)


def _shape(name: str, p: jax.Array, q: jax.Array) -> tuple[jax.Array, jax.Array]:
    """``(rise, fall)`` of a shape at ``p``, ``rise + fall = 1``, each accurate.

    ``rise`` goes from 0 at ``p = 0`` to 1 at ``p = 1`` (``q = 1 - p``):
    ``p`` for ``"linear"``; ``(1 - cos(pi p)) / 2 = sin(pi p / 2)**2`` for
    ``"cos"`` and ``"cosine"``, whose ``fall`` is ``sin(pi q / 2)**2``;
    ``sqrt(p)`` for ``"1-sqrt"``, whose ``fall`` ``1 - sqrt(p)`` is written
    ``q / (1 + sqrt(p))``. No difference of two numbers near 1 is taken.
    """
    if name == "linear":
        return p, q
    if name in ("cos", "cosine"):
        return jnp.sin(p * (math.pi / 2)) ** 2, jnp.sin(q * (math.pi / 2)) ** 2
    root = jnp.sqrt(p)
    return root, q / (1 + root)


def _anneal(begin: Any, end: Any, p: jax.Array, q: jax.Array, shape: str) -> Any:
    """From ``begin`` at ``p = 0`` to ``end`` at ``p = 1`` along ``shape``.

    ``begin + (end - begin) * rise`` in the first half, ``end + (begin - end)
    * fall`` in the second: each adds less than half the span to the nearer
    value, so the result is accurate to a few units in the last place even
    where it is tiny beside the span (``min_lr`` beside ``max_lr``).
    """
    rise, fall = _shape(shape, p, q)
    return jnp.where(p <= 0.5, begin + (end - begin) * rise, end + (begin - end) * fall)


def _count_from_zero(name: str, value: Any) -> int:
    """A static integer ``>= 0``, as :func:`check_step_count` checks one ``>= 1``.

    Its own copy of that check: the how-to shows ``check_step_count`` in full
    for readers to paste, so it cannot call a helper the page does not show.
    """
    if isinstance(value, jax.core.Tracer):
        raise ValueError(
            f"{name} must be a static integer, got the traced value {value}"
        )
    try:  # operator.index(value), but bools are not counts
        count = None if isinstance(value, bool) else value.__index__()
    except (AttributeError, TypeError):
        count = None
    if count is None or count < 0:
        raise ValueError(f"{name} must be an integer >= 0, got {value!r}")
    return count


def _as_float(value: Any) -> float | None:
    """A concrete real number (Python, NumPy or 0-d array) as a float, else None."""
    if isinstance(value, np.ndarray | jax.Array) and not isinstance(
        value, jax.core.Tracer
    ):
        value = value.item() if value.ndim == 0 else None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None  # bools, strings, arrays, traced values
    return float(value)


def _fraction_of_steps(name: str, value: Any, top: float) -> float:
    """A concrete number in ``[0, top]``, as a float."""
    number = _as_float(value)
    if number is None or not 0 <= number <= top:
        raise ValueError(f"{name} must be a number in [0, {top:g}], got {value!r}")
    return number


def _positive_factor(name: str, value: Any) -> float:
    """A concrete finite number ``> 0``, as a float."""
    number = _as_float(value)
    if number is None or not 0 < number < math.inf:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return number


def _choice(name: str, value: Any, choices: tuple[str, ...]) -> str:
    """``value`` if it is one of ``choices``, else ``ValueError``."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {choices}, got {value!r}")
    return value


def _flag(name: str, value: Any) -> bool:
    """A Python or NumPy bool, as a Python bool."""
    if not isinstance(value, bool | np.bool_):
        raise ValueError(f"{name} must be a bool, got {value!r}")
    return bool(value)


@dataclasses.dataclass(frozen=True)
class OneCyclePhases:
    """The phases of PyTorch's ``OneCycleLR``, shared by its rate and momentum.

    Calling it with a step and the values at the phases' boundaries (one more
    than there are phases) anneals between them as ``OneCycleLR`` does. The
    arguments are checked and normalised when it is made (see
    :func:`one_cycle_schedule`): ``pct_start`` becomes a Python float and
    ``three_phase`` a Python bool.
    """

    total_steps: int
    pct_start: float = 0.3
    anneal_strategy: str = "cos"
    three_phase: bool = False

    def __post_init__(self):
        (total,) = check_step_count(total_steps=self.total_steps)
        three_phase = _flag("three_phase", self.three_phase)
        # Beyond 0.5 the second of three phases would end after the schedule.
        top = 0.5 if three_phase else 1.0
        pct_start = _fraction_of_steps("pct_start", self.pct_start, top)
        _choice("anneal_strategy", self.anneal_strategy, ANNEAL_STRATEGIES)
        object.__setattr__(self, "total_steps", total)
        object.__setattr__(self, "pct_start", pct_start)
        object.__setattr__(self, "three_phase", three_phase)

    @property
    def ends(self) -> tuple[float, ...]:
        """The step at which each phase ends, in float64 as ``OneCycleLR`` has them."""
        total, pct = self.total_steps, self.pct_start
        if self.three_phase:
            return (float(pct * total) - 1, float(2 * pct * total) - 2, total - 1)
        return (float(pct * total) - 1, total - 1)

    def __call__(self, step: jax.typing.ArrayLike, anchors: tuple[Any, ...]) -> Any:
        # OneCycleLR has no value past total_steps; hold the last one.
        steps = _clamped_steps(step, self.total_steps - 1)
        start, pieces = 0.0, []
        for index, end in enumerate(self.ends):
            p, q = steps.fractions(start, end)
            value = _anneal(
                anchors[index], anchors[index + 1], p, q, self.anneal_strategy
            )
            pieces.append((steps.below(end, inclusive=True), value))
            start = end
        # A step belongs to the first phase whose end it has not passed, and
        # to the last phase if it has passed them all.
        result = pieces[-1][1]
        for in_phase, value in reversed(pieces[:-1]):
            result = jnp.where(in_phase, value, result)
        return result


@dataclasses.dataclass(frozen=True)
class OneCycleSchedule:
    """``OneCycleLR``'s rate, a value: see :func:`one_cycle_schedule`."""

    max_lr: float | np.ndarray | jax.Array
    div_factor: float
    final_div_factor: float
    phases: OneCyclePhases

    def __post_init__(self):
        check_rate_bounds(zero=0.0, max_lr=self.max_lr)  # only max_lr can fail
        for name in ("div_factor", "final_div_factor"):
            factor = _positive_factor(name, getattr(self, name))
            object.__setattr__(self, name, factor)

    def __call__(self, step):
        initial = self.max_lr / self.div_factor
        final = initial / self.final_div_factor
        if self.phases.three_phase:
            return self.phases(step, (initial, self.max_lr, initial, final))
        return self.phases(step, (initial, self.max_lr, final))


@dataclasses.dataclass(frozen=True)
class OneCycleMomentumSchedule:
    """``OneCycleLR``'s momentum, a value: see :func:`one_cycle_momentum_schedule`."""

    base_momentum: float | np.ndarray | jax.Array
    max_momentum: float | np.ndarray | jax.Array
    phases: OneCyclePhases

    def __post_init__(self):
        check_rate_bounds(
            base_momentum=self.base_momentum, max_momentum=self.max_momentum
        )

    def __call__(self, step):
        low, high = self.base_momentum, self.max_momentum
        if self.phases.three_phase:
            return self.phases(step, (high, low, high, high))
        return self.phases(step, (high, low, high))


def one_cycle_schedule(
    max_lr: float | np.ndarray | jax.Array,
    total_steps: int,
    pct_start: float = 0.3,
    anneal_strategy: str = "cos",
    div_factor: float = 25.0,
    final_div_factor: float = 1e4,
    three_phase: bool = False,
) -> OneCycleSchedule:
    r"""The 1cycle rate of PyTorch's ``OneCycleLR`` (Smith & Topin 2018).

    The 1cycle policy of Smith & Topin, "Super-Convergence: Very Fast
    Training of Neural Networks Using Large Learning Rates" (arXiv
    1708.07120), with the phases of ``torch.optim.lr_scheduler.OneCycleLR``
    (PyTorch 2.13): from ``initial_lr = max_lr / div_factor`` up to
    ``max_lr``, then down to ``min_lr = initial_lr / final_div_factor``. With
    ``T = total_steps``, the phases end at the steps

    * two phases (the default, fastai's): ``e_1 = pct_start * T - 1``
      (``initial_lr -> max_lr``), ``e_2 = T - 1`` (``max_lr -> min_lr``);
    * ``three_phase=True`` (the paper's): ``e_1 = pct_start * T - 1``
      (``initial_lr -> max_lr``), ``e_2 = 2 * pct_start * T - 2`` (``max_lr
      -> initial_lr``), ``e_3 = T - 1`` (``initial_lr -> min_lr``),

    computed in float64 as ``OneCycleLR`` does, so that a boundary such as
    ``0.3 * 100 - 1 = 29.000000000000004`` falls where it does there. A step
    belongs to the first phase whose end it has not passed (the last phase if
    it has passed them all), and with ``p = (step - e_{i-1}) / (e_i -
    e_{i-1})`` (``e_0 = 0``) it anneals from the phase's start value ``a`` to
    its end value ``b``:

    .. math::

      \text{cos:}\quad b + \frac{a - b}{2} (1 + \cos \pi p) \qquad
      \text{linear:}\quad a + (b - a)\, p

    Phase boundaries are found with integer comparisons and ``p`` from
    integer differences, so an integer step of any type is placed exactly;
    the values are accurate to a few float32 units in the last place, also
    near ``min_lr`` (the cosine is evaluated as ``sin**2`` of the smaller of
    ``p`` and ``1 - p``).

    Differences from ``OneCycleLR``, all deliberate:

    * Steps past the end. ``OneCycleLR`` computes one more value at step
      ``total_steps`` by extending the last phase (below ``min_lr``; negative
      for ``"linear"``) and raises past it. Here every step from ``total_steps
      - 1`` on has the value of step ``total_steps - 1``, ``min_lr``, and
      negative steps that of step 0, ``initial_lr``.
    * Arguments. ``pct_start`` may be any real number (``OneCycleLR`` takes
      only a Python float) but must be within ``[0, 1]``, and within ``[0,
      0.5]`` for ``three_phase``, where ``OneCycleLR`` accepts more and never
      reaches its third phase. ``max_lr`` must be finite and ``>= 0``, the
      factors finite and ``> 0``.
    * A first phase of no length (``pct_start * total_steps == 1``) raises
      ``ZeroDivisionError`` at step 0 in ``OneCycleLR``; here step 0 is its end,
      ``max_lr``.
    * Interface. One ``max_lr`` (an array broadcasts against the step; a
      traced one lets ``jax.vmap`` or ``jax.grad`` run over it), not one per
      parameter group, and no ``epochs``/``steps_per_epoch``: pass their
      product as ``total_steps``. The momentum is
      :func:`one_cycle_momentum_schedule`.

    Arguments are checked when the schedule is made and a bad one raises
    ``ValueError`` naming it; ``total_steps`` must be a static integer. The
    rate has the float type of :func:`create_triangular_schedule`'s (that of
    ``step / n`` in ``jax.numpy``, as Optax's schedules): float32 for an int32
    step, also under x64.

    Args:
      max_lr: the peak rate, reached at the end of the first phase.
      total_steps: the number of steps in the cycle, ``>= 1``.
      pct_start: the fraction of the steps spent rising, in ``[0, 1]``.
      anneal_strategy: ``"cos"`` or ``"linear"``.
      div_factor: ``initial_lr = max_lr / div_factor``.
      final_div_factor: ``min_lr = initial_lr / final_div_factor``.
      three_phase: fall back to ``initial_lr`` as fast as the rise, then
        anneal to ``min_lr``.

    Returns:
      A :class:`OneCycleSchedule`, a schedule ``step -> learning rate``, with
      values in ``[min_lr, max_lr]`` and the shape of ``step`` broadcast with
      ``max_lr``. Schedules are values: equal arguments give equal, hashable,
      picklable schedules.

    Example:
      >>> schedule = one_cycle_schedule(0.1, total_steps=10, pct_start=0.3)
      >>> [round(float(schedule(step)), 5) for step in range(10)]
      [0.004, 0.052, 0.1, 0.09505, 0.08117, 0.06113, 0.03887, 0.01883, 0.00495, 0.0]
      >>> print(schedule(9), schedule(10**12))  # min_lr = 0.1 / 25 / 1e4, held
      4e-07 4e-07
      >>> linear = one_cycle_schedule(
      ...     1.0, 5, 0.4, "linear", div_factor=2.0, three_phase=True
      ... )
      >>> [round(float(linear(step)), 4) for step in range(6)]
      [0.5, 1.0, 0.5, 0.25, 0.0, 0.0]
    """
    phases = OneCyclePhases(total_steps, pct_start, anneal_strategy, three_phase)
    return OneCycleSchedule(max_lr, div_factor, final_div_factor, phases)


def one_cycle_momentum_schedule(
    total_steps: int,
    base_momentum: float | np.ndarray | jax.Array = 0.85,
    max_momentum: float | np.ndarray | jax.Array = 0.95,
    pct_start: float = 0.3,
    anneal_strategy: str = "cos",
    three_phase: bool = False,
) -> OneCycleMomentumSchedule:
    r"""The momentum that PyTorch's ``OneCycleLR`` cycles against the rate.

    With ``cycle_momentum=True`` (its default), ``OneCycleLR`` moves the
    momentum (SGD's ``momentum``, or Adam's ``beta1``) the other way from the
    rate, through the same phases (see :func:`one_cycle_schedule`): from
    ``max_momentum`` down to ``base_momentum`` while the rate rises, back up
    to ``max_momentum`` while it falls, and (``three_phase``) constant at
    ``max_momentum`` in the third phase. Smith (2018, arXiv 1803.09820,
    section 4.1) and Smith & Topin (arXiv 1708.07120) cycle momentum so.
    Use it through ``optax.inject_hyperparams``, as SGD's ``momentum`` or
    Adam's ``b1``, with a :func:`one_cycle_schedule` of the same
    ``total_steps``, ``pct_start``, ``anneal_strategy`` and ``three_phase``.

    Steps past the end, negative steps and the arguments are treated as in
    :func:`one_cycle_schedule`; the momenta as rates are (finite, ``>= 0``,
    ``base_momentum <= max_momentum``; ``OneCycleLR`` checks none of this).
    The value's float type is that of :func:`one_cycle_schedule`.

    Args:
      total_steps: the number of steps in the cycle, ``>= 1``.
      base_momentum: the momentum at the rate's peak.
      max_momentum: the momentum at the start and the end.
      pct_start, anneal_strategy, three_phase: as for
        :func:`one_cycle_schedule`.

    Returns:
      A :class:`OneCycleMomentumSchedule`, ``step -> momentum``, with values
      in ``[base_momentum, max_momentum]``.

    Example:
      >>> momentum = one_cycle_momentum_schedule(10, 0.85, 0.95)
      >>> [round(float(momentum(step)), 4) for step in range(10)]
      [0.95, 0.9, 0.85, 0.855, 0.8688, 0.8889, 0.9111, 0.9312, 0.945, 0.95]
      >>> import optax
      >>> tx = optax.inject_hyperparams(optax.adam)(
      ...     learning_rate=one_cycle_schedule(0.01, 10), b1=momentum
      ... )
    """
    phases = OneCyclePhases(total_steps, pct_start, anneal_strategy, three_phase)
    return OneCycleMomentumSchedule(base_momentum, max_momentum, phases)


def _restart_cycle(step: int, first: int, mult: int) -> tuple[int, int]:
    """``(steps since the last restart, steps to the next)`` at ``step >= 0``.

    The cycles last ``first * mult**n`` steps and the ``n``-th starts at
    ``first * (mult**n - 1) / (mult - 1)``, so the restart index is the
    largest ``n`` with ``mult**n <= step * (mult - 1) // first + 1``: the
    float logarithm estimates it, and integer comparisons correct it, so it
    is exact for any Python int.
    """
    bound = step * (mult - 1) // first + 1
    n = int(math.log(bound, mult))
    while n > 0 and mult**n > bound:
        n -= 1
    while mult ** (n + 1) <= bound:
        n += 1
    start = first * (mult**n - 1) // (mult - 1)
    return step - start, start + first * mult**n - step


@dataclasses.dataclass(frozen=True)
class WarmRestartsSchedule:
    """SGDR's rate, a value: see :func:`warm_restarts_schedule`."""

    max_lr: float | np.ndarray | jax.Array
    first_cycle_steps: int
    cycle_mult: int = 1
    min_lr: float | np.ndarray | jax.Array = 0.0

    def __post_init__(self):
        check_rate_bounds(min_lr=self.min_lr, max_lr=self.max_lr)
        first, mult = check_step_count(
            first_cycle_steps=self.first_cycle_steps, cycle_mult=self.cycle_mult
        )
        object.__setattr__(self, "first_cycle_steps", first)
        object.__setattr__(self, "cycle_mult", mult)

    def __call__(self, step):
        p, q = self.progress(step)
        return _anneal(self.max_lr, self.min_lr, p, q, "cos")

    def progress(self, step: jax.typing.ArrayLike) -> tuple[jax.Array, jax.Array]:
        """``(p, q)``: the fractions of the current cycle done and left.

        ``p = T_cur / T_i`` in ``CosineAnnealingWarmRestarts``' terms, ``q =
        1 - p``, both from exact integer counts for integer steps; steps
        before 0 count as 0.
        """
        if self.cycle_mult == 1:
            position, _ = cycle_position(_not_negative(step), self.first_cycle_steps)
            length = float(self.first_cycle_steps)
            return position / length, (length - position) / length
        steps = _clamped_steps(step, None)
        if steps.host:
            restart = np.frompyfunc(
                lambda s: _restart_cycle(s, self.first_cycle_steps, self.cycle_mult),
                1,
                2,
            )
            since, until = (steps.to_float(part) for part in restart(steps.values))
        elif steps.exact:
            since, until = self._integer_cycle(steps)
        else:
            since, until = self._float_cycle(steps.values)
        cycle = since + until  # T_i, as exact as the counts
        return since / cycle, until / cycle

    def _integer_cycle(self, steps: _Steps) -> tuple[jax.Array, jax.Array]:
        """``progress``'s counts for a JAX integer step, in its integer type.

        The restart index is the number of cycle starts at or before the
        step, found by comparing the step with each start that its type can
        hold (at most 64), so it is exact.
        """
        first, mult, top = self.first_cycle_steps, self.cycle_mult, steps.top
        assert top is not None  # a JAX integer type's largest value
        values, start = steps.values, steps.constant(0)
        end = steps.constant(min(first, top))
        n, next_start = 0, first
        while next_start <= top:
            n += 1
            reached = values >= steps.constant(next_start)
            start = jnp.where(reached, steps.constant(next_start), start)
            next_start = first * (mult ** (n + 1) - 1) // (mult - 1)
            end = jnp.where(reached, steps.constant(min(next_start, top)), end)
        # The last cycle the type reaches ends beyond it, next_start - top
        # steps after its largest value.
        last_start = first * (mult**n - 1) // (mult - 1)
        beyond = jnp.where(
            values >= steps.constant(last_start), float(next_start - top), 0.0
        )
        return steps.to_float(values - start), steps.to_float(end - values) + beyond

    def _float_cycle(self, values: jax.Array) -> tuple[jax.Array, jax.Array]:
        """``progress``'s counts for a float step, in its float type."""
        first, mult = float(self.first_cycle_steps), float(self.cycle_mult)

        def start(n):
            return first * (mult**n - 1) / (mult - 1)

        estimate = jnp.log(values * (mult - 1) / first + 1) / math.log(mult)
        n = jnp.floor(estimate)
        n = jnp.where(start(n) > values, n - 1, n)  # correct the logarithm
        n = jnp.where(start(n + 1) <= values, n + 1, n)
        since = values - start(n)
        return since, first * mult**n - since


def _not_negative(step: jax.typing.ArrayLike) -> Any:
    """``max(step, 0)``, keeping the kind and type of ``step``."""
    if isinstance(step, int | float):
        return max(step, 0)
    if isinstance(step, np.generic | np.ndarray):
        return np.maximum(step, 0)
    return jnp.maximum(step, 0)


def warm_restarts_schedule(
    max_lr: float | np.ndarray | jax.Array,
    first_cycle_steps: int,
    cycle_mult: int = 1,
    min_lr: float | np.ndarray | jax.Array = 0.0,
) -> WarmRestartsSchedule:
    r"""Cosine annealing with warm restarts: PyTorch's ``CosineAnnealingWarmRestarts``.

    SGDR, Loshchilov & Hutter, "SGDR: Stochastic Gradient Descent with Warm
    Restarts" (ICLR 2017, arXiv 1608.03983, eq. 5), as
    ``torch.optim.lr_scheduler.CosineAnnealingWarmRestarts`` (PyTorch 2.13)
    has it, with ``T_0 = first_cycle_steps``, ``T_mult = cycle_mult``,
    ``eta_min = min_lr`` and the optimizer's rate ``max_lr``: the ``n``-th
    cycle (from 0) lasts ``T_i = T_0 T_mult^n`` steps and starts at step
    ``T_0 (T_mult^n - 1) / (T_mult - 1)`` (``n T_0`` for ``T_mult = 1``),
    and with ``T_cur`` the steps since it started

    .. math::

      \mathrm{lr}(step) = min\_lr + \frac{max\_lr - min\_lr}{2}
      \left(1 + \cos\left(\pi \frac{T_{cur}}{T_i}\right)\right)

    so each cycle starts at ``max_lr`` and falls towards ``min_lr``, which
    it never reaches: the next step restarts at ``max_lr``.

    The schedule is computed in closed form, not step by step. The restart
    index ``n = floor(log(step (T_mult - 1) / T_0 + 1) / log(T_mult))`` is
    exact for every integer step: for Python and NumPy integers a float
    estimate is corrected with exact integer comparisons, for JAX integers
    the step is compared with every cycle start its type can hold, and for
    ``T_mult = 1`` the position is the exact ``step mod T_0``. Float steps
    (fractional epochs, as ``scheduler.step(epoch)`` takes) use the float
    logarithm, corrected by float comparisons. The rate is accurate to a few
    float32 units in the last place, also near ``min_lr``.

    Differences from ``CosineAnnealingWarmRestarts``, all deliberate: its
    ``scheduler.step(epoch)`` computes the restart index from the float
    logarithm alone, which at some restarts (step 121 for ``T_0 = 1``,
    ``T_mult = 3``) comes out one too small and gives ``min_lr`` where the
    stepwise scheduler and this one give ``max_lr``; negative steps, which
    it rejects, count as step 0 here; ``min_lr > max_lr``, which it accepts,
    raises here; one ``max_lr`` (an array broadcasts, a traced one can be
    vmapped over), not one per parameter group.

    Arguments are checked when the schedule is made and a bad one raises
    ``ValueError`` naming it: the rates must be finite with ``0 <= min_lr <=
    max_lr``, and ``first_cycle_steps`` and ``cycle_mult`` static integers
    ``>= 1`` (``T_mult`` is an integer in PyTorch too). The rate has the
    float type of :func:`create_triangular_schedule`'s.

    Args:
      max_lr: the rate at the start of every cycle.
      first_cycle_steps: ``T_0``, the length of the first cycle in steps.
      cycle_mult: ``T_mult``, the factor by which each cycle is longer than
        the one before.
      min_lr: ``eta_min``, the rate the cosine falls towards.

    Returns:
      A :class:`WarmRestartsSchedule`, ``step -> learning rate``, with values
      in ``[min_lr, max_lr]``; equal arguments give equal, hashable,
      picklable schedules.

    Example:
      >>> schedule = warm_restarts_schedule(1.0, first_cycle_steps=2, cycle_mult=2)
      >>> [round(float(schedule(step)), 4) for step in range(8)]
      [1.0, 0.5, 1.0, 0.8536, 0.5, 0.1464, 1.0, 0.9619]
      >>> float(schedule(2**31 - 2)), round(float(schedule(10**12)), 6)  # a restart
      (1.0, 0.078689)
    """
    return WarmRestartsSchedule(max_lr, first_cycle_steps, cycle_mult, min_lr)


@dataclasses.dataclass(frozen=True)
class WSDSchedule:
    """The warmup-stable-decay rate, a value: see :func:`wsd_schedule`."""

    peak_value: float | np.ndarray | jax.Array
    total_steps: int
    warmup_steps: int
    decay_steps: int
    decay_shape: str = "1-sqrt"
    init_value: float | np.ndarray | jax.Array = 0.0
    end_value: float | np.ndarray | jax.Array = 0.0

    def __post_init__(self):
        check_rate_bounds(init_value=self.init_value, peak_value=self.peak_value)
        check_rate_bounds(end_value=self.end_value, peak_value=self.peak_value)
        (total,) = check_step_count(total_steps=self.total_steps)
        warmup = _count_from_zero("warmup_steps", self.warmup_steps)
        decay = _count_from_zero("decay_steps", self.decay_steps)
        if warmup + decay > total:
            raise ValueError(
                "warmup_steps + decay_steps must be <= total_steps, got "
                f"warmup_steps={warmup}, decay_steps={decay}, total_steps={total}"
            )
        _choice("decay_shape", self.decay_shape, DECAY_SHAPES)
        object.__setattr__(self, "total_steps", total)
        object.__setattr__(self, "warmup_steps", warmup)
        object.__setattr__(self, "decay_steps", decay)

    def __call__(self, step):
        total, warmup = self.total_steps, self.warmup_steps
        stable_end = total - self.decay_steps
        steps = _clamped_steps(step, total)  # end_value from total_steps on
        p, q = steps.fractions(0, warmup)
        rising = _anneal(self.init_value, self.peak_value, p, q, "linear")
        p, q = steps.fractions(stable_end, total)
        falling = _anneal(self.peak_value, self.end_value, p, q, self.decay_shape)
        # With decay_steps = 0 the decay is one step long: end_value at total.
        value = jnp.where(
            steps.below(stable_end, inclusive=False), self.peak_value, falling
        )
        return jnp.where(steps.below(warmup, inclusive=False), rising, value)


def wsd_schedule(
    peak_value: float | np.ndarray | jax.Array,
    total_steps: int,
    warmup_steps: int,
    decay_steps: int,
    decay_shape: str = "1-sqrt",
    init_value: float | np.ndarray | jax.Array = 0.0,
    end_value: float | np.ndarray | jax.Array = 0.0,
) -> WSDSchedule:
    r"""Warmup-stable-decay: a linear warmup, a constant rate, a short cooldown.

    The warmup-stable-decay (WSD) schedule of Hu et al., "MiniCPM: Unveiling
    the Potential of Small Language Models with Scalable Training
    Strategies" (2024, arXiv 2404.06395, section 4), with the ``"1-sqrt"``
    cooldown of Hägele et al., "Scaling Laws and Compute-Optimal Training
    Beyond Fixed Training Durations" (2024, arXiv 2405.18392, section 3).
    With ``W = warmup_steps``, ``T = total_steps`` and ``D = decay_steps``:

    .. math::

      \mathrm{lr}(step) =
      \begin{cases}
        init + (peak - init)\, step / W & step < W \\
        peak & W \le step < T - D \\
        end + (peak - end)\, f\big((step - T + D) / D\big) & T - D \le step < T \\
        end & step \ge T
      \end{cases}

    where the cooldown's shape ``f`` falls from 1 at ``p = 0`` to 0 at ``p =
    1``: ``"linear"`` ``1 - p``, ``"cosine"`` ``(1 + cos(pi p)) / 2``,
    ``"1-sqrt"`` ``1 - sqrt(p)``. The rate is ``init_value`` at step 0,
    ``peak_value`` from step ``W`` to ``T - D``, and ``end_value`` from step
    ``T`` on; negative steps have the value of step 0. Unlike a cosine
    schedule, the stable phase does not depend on ``T``: a run can be
    continued from a checkpoint taken before the cooldown.

    Positions are found with integer arithmetic for integer steps of any
    type, so the schedule is exact at any step; each shape is evaluated
    without cancellation (``1 - sqrt(p)`` as ``(1 - p) / (1 + sqrt(p))``),
    so the rate is accurate to a few float32 units in the last place.

    Arguments are checked when the schedule is made and a bad one raises
    ``ValueError`` naming it: the values must be finite, ``>= 0``, with
    ``init_value <= peak_value`` and ``end_value <= peak_value``;
    ``total_steps >= 1``, ``warmup_steps >= 0`` and ``decay_steps >= 0``
    static integers with ``warmup_steps + decay_steps <= total_steps``;
    ``decay_shape`` one of ``DECAY_SHAPES``. The rate has the float type of
    :func:`create_triangular_schedule`'s.

    Args:
      peak_value: the rate of the stable phase.
      total_steps: ``T``, the step at which the cooldown ends.
      warmup_steps: ``W``, the steps of the linear warmup (0 for none).
      decay_steps: ``D``, the steps of the cooldown (0 for none: the rate
        drops to ``end_value`` at ``T``).
      decay_shape: ``"linear"``, ``"cosine"`` or ``"1-sqrt"``.
      init_value: the rate at step 0.
      end_value: the rate at and after step ``T``.

    Returns:
      A :class:`WSDSchedule`, ``step -> learning rate``, with values in
      ``[min(init_value, end_value), peak_value]``; equal arguments give
      equal, hashable, picklable schedules.

    Example:
      >>> schedule = wsd_schedule(1.0, total_steps=10, warmup_steps=2, decay_steps=4)
      >>> [round(float(schedule(step)), 4) for step in range(12)]
      [0.0, 0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.2929, 0.134, 0.0, 0.0]
      >>> linear = wsd_schedule(0.1, 10, 0, 4, "linear", end_value=0.02)
      >>> [round(float(linear(step)), 4) for step in range(5, 12)]
      [0.1, 0.1, 0.08, 0.06, 0.04, 0.02, 0.02]
    """
    return WSDSchedule(
        peak_value,
        total_steps,
        warmup_steps,
        decay_steps,
        decay_shape,
        init_value,
        end_value,
    )
