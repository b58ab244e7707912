"""PyTorch's ``CyclicLR``: the rate and the momentum it cycles against it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

from lr_scheduling.schedules import _checks
from lr_scheduling.schedules._checks import check_rate_bounds
from lr_scheduling.schedules._steps import classify
from lr_scheduling.schedules._value import Value

MODES = ("triangular", "triangular2", "exp_range")
SCALE_MODES = ("cycle", "iterations")
# What a scale is given at the first step: cycle 1, or step 0. Negative steps
# get this too, so a scale never sees a cycle before the first.
_FIRST = {"cycle": 1.0, "iterations": 0.0}


@dataclasses.dataclass(frozen=True, eq=False)
class CyclicalWave(Value):
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
    gamma: jax.typing.ArrayLike = 1.0
    scale_fn: Callable[[jax.Array], jax.Array] | None = None
    scale_mode: str | None = None
    # log(gamma), checked and taken once when made, not on every call; derived
    # from gamma, so equality and hashing leave it out.
    _log_gamma_value: Any = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self):
        up = _checks.step_size("step_size_up", self.step_size_up, zero_ok=False)
        if self.step_size_down is None:
            down = up
        else:
            down = _checks.step_size(
                "step_size_down", self.step_size_down, zero_ok=True
            )
        _checks.choice("mode", self.mode, MODES)
        object.__setattr__(self, "_log_gamma_value", _checks.log_gamma(self.gamma))
        scale_mode = self.scale_mode
        if scale_mode is not None:
            _checks.choice("scale_mode", scale_mode, SCALE_MODES)
        if self.scale_fn is not None:
            _checks.function("scale_fn", self.scale_fn)
        else:
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

    def __call__(self, step: jax.typing.ArrayLike) -> tuple[jax.Array, jax.Array]:
        height, at = self.locate(step)
        return height, self.scale(at)

    def locate(self, step: jax.typing.ArrayLike) -> tuple[jax.Array, jax.Array]:
        """``(height, at)``: the wave's height, and what the scale is given.

        ``at`` is the 1-based cycle number (``scale_mode="cycle"``) or the
        step (``"iterations"``), held at the first cycle's (1, or 0) for
        negative steps, whose wave continues backwards.
        """
        up, down = self.step_size_up, self.step_size_down
        assert down is not None  # set by __post_init__
        position, cycles = classify(step).cycle(up + down)
        # As floats: JAX takes a Python int only within int32 (int64 under
        # x64). With no falling side (down = 0) the falling slope is unused.
        rise, fall, length = float(up), float(down or 1), float(up + down)
        rising, falling = position / rise, (length - position) / fall
        height = jnp.where(position <= rise, rising, falling)
        if self.scale_mode == "cycle":
            at = cycles + 1
        else:
            at = cycles * length + position
        first = _FIRST[self.scale_mode or "cycle"]
        return height, jnp.where(at < first, first, at)

    def scale(self, at: jax.Array) -> jax.Array:
        """The amplitude's scale at ``at`` (see :meth:`locate`)."""
        if self.scale_fn is not None:
            return self.scale_fn(at)
        if self.mode == "triangular":
            return jnp.ones_like(at)
        if self.mode == "triangular2":
            return jnp.exp2(1.0 - at)
        return jnp.exp(at * self._log_gamma_value)


def _scaled(low: Any, high: Any, wave: CyclicalWave, step: Any) -> Any:
    """``(high - low) * height * scale``, with finite values and gradients.

    Where the scale does not matter (the foot of a cycle, height 0) or has
    overflowed to inf, it is evaluated at the first cycle's safe point
    instead, so that neither the value (``0 * inf``) nor a gradient (through
    the side of ``jnp.where`` not taken) is NaN. An overflowed scale gives
    ``inf`` (``0`` for equal bounds), whatever the arguments: gradient 0.
    """
    height, at = wave.locate(step)
    overflow = jnp.isinf(wave.scale(at))
    rest = (height == 0) | overflow
    scale = wave.scale(jnp.where(rest, _FIRST[wave.scale_mode or "cycle"], at))
    span = high - low
    amplitude = span * height * scale
    beyond = jnp.where(span > 0, jnp.inf, 0.0)
    return jnp.where(overflow & (height > 0), beyond, amplitude)


@dataclasses.dataclass(frozen=True, eq=False)
class CyclicalSchedule(Value):
    """CyclicLR's rate, a value: see :func:`cyclical_schedule`."""

    base_lr: jax.typing.ArrayLike
    max_lr: jax.typing.ArrayLike
    wave: CyclicalWave

    def __post_init__(self):
        check_rate_bounds(base_lr=self.base_lr, max_lr=self.max_lr)

    def __call__(self, step: jax.typing.ArrayLike) -> Any:
        return self.base_lr + _scaled(self.base_lr, self.max_lr, self.wave, step)


@dataclasses.dataclass(frozen=True, eq=False)
class CyclicalMomentumSchedule(Value):
    """CyclicLR's momentum, a value: see :func:`cyclical_momentum_schedule`."""

    base_momentum: jax.typing.ArrayLike
    max_momentum: jax.typing.ArrayLike
    wave: CyclicalWave

    def __post_init__(self):
        check_rate_bounds(
            base_momentum=self.base_momentum, max_momentum=self.max_momentum
        )

    def __call__(self, step: jax.typing.ArrayLike) -> Any:
        low, high = self.base_momentum, self.max_momentum
        return high - _scaled(low, high, self.wave, step)


def cyclical_schedule(
    base_lr: jax.typing.ArrayLike,
    max_lr: jax.typing.ArrayLike,
    step_size_up: float,
    step_size_down: float | None = None,
    mode: str = "triangular",
    gamma: jax.typing.ArrayLike = 1.0,
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
    cycle numbers from 1 and steps from 0 up to the largest step you pass. A
    scale within ``[0, 1]``, as ``CyclicLR`` asks, keeps the rate within
    ``[base_lr, max_lr]``; an infinite scale gives an infinite rate, except
    at the start of a cycle, which is always ``base_lr``.

    Negative steps never raise: the wave continues backwards (``p`` is the
    floored ``step mod T``) with the first cycle's scale (``c = 1``, and
    ``step = 0`` for ``"exp_range"`` and ``"iterations"``), so a scale never
    grows before step 0. The built-in modes never give NaN, at any step.
    ``"triangular"``, ``"triangular2"`` and ``"exp_range"`` with ``gamma <=
    1`` stay within ``[base_lr, max_lr]`` for every step, negative ones
    included; ``"exp_range"`` with ``gamma > 1`` grows without bound, to
    ``inf`` once the rate passes the largest number of its float type.

    Gradients with respect to the rates, ``gamma`` and a float step are
    finite wherever the rate is: the scale is evaluated at a safe point
    where it does not matter (the foot of a cycle) or has overflowed (the
    rate is ``inf`` there, with gradient 0).

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
      ``last_epoch``, and negative steps extend the cycles backwards with
      the first cycle's scale.

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
    base_momentum: jax.typing.ArrayLike,
    max_momentum: jax.typing.ArrayLike,
    step_size_up: float,
    step_size_down: float | None = None,
    mode: str = "triangular",
    gamma: jax.typing.ArrayLike = 1.0,
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
    same step sizes, mode, ``gamma`` and scale function. Smith, "A disciplined
    approach to neural network hyper-parameters: Part 1 -- learning rate,
    batch size, momentum, and weight decay" (2018, arXiv:1803.09820), cycles
    the momentum so, falling while the rate rises. Use it through
    ``optax.inject_hyperparams``, as SGD's ``momentum`` or Adam's ``b1``.
    CyclicLR's defaults are 0.8 and 0.9.

    The arguments are checked as in :func:`cyclical_schedule`; the momenta as
    rates are (finite, ``>= 0``, ``base_momentum <= max_momentum``), and a
    bad one raises ``ValueError`` naming it. Negative steps and gradients are
    as there: the momentum stays within ``[base_momentum, max_momentum]`` at
    every step for ``"triangular"``, ``"triangular2"`` and ``"exp_range"``
    with ``gamma <= 1``. The value's float type is that of
    :func:`cyclical_schedule`.

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
      >>> halving = cyclical_momentum_schedule(0.8, 0.9, 2, mode="triangular2")
      >>> [round(float(halving(step)), 4) for step in (-13, -2, 6)]
      [0.85, 0.8, 0.85]
      >>> import optax
      >>> tx = optax.inject_hyperparams(optax.sgd)(
      ...     learning_rate=cyclical_schedule(0.01, 0.1, step_size_up=2),
      ...     momentum=momentum,
      ... )
    """
    wave = CyclicalWave(step_size_up, step_size_down, mode, gamma, scale_fn, scale_mode)
    return CyclicalMomentumSchedule(base_momentum, max_momentum, wave)
