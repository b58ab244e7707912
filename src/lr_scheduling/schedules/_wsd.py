"""Warmup-stable-decay (WSD): a linear warmup, a constant rate, a short cooldown."""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp

from lr_scheduling.schedules import _checks
from lr_scheduling.schedules._anneal import anneal
from lr_scheduling.schedules._checks import check_rate_bounds, check_step_count
from lr_scheduling.schedules._steps import classify
from lr_scheduling.schedules._value import Value

DECAY_SHAPES = ("linear", "cosine", "1-sqrt")


@dataclasses.dataclass(frozen=True, eq=False)
class WSDSchedule(Value):
    """The warmup-stable-decay rate, a value: see :func:`wsd_schedule`."""

    peak_value: jax.typing.ArrayLike
    total_steps: int
    warmup_steps: int
    decay_steps: int
    decay_shape: str = "1-sqrt"
    init_value: jax.typing.ArrayLike = 0.0
    end_value: jax.typing.ArrayLike = 0.0

    def __post_init__(self):
        check_rate_bounds(init_value=self.init_value, peak_value=self.peak_value)
        check_rate_bounds(end_value=self.end_value, peak_value=self.peak_value)
        (total,) = check_step_count(total_steps=self.total_steps)
        warmup = _checks.count_from_zero("warmup_steps", self.warmup_steps)
        decay = _checks.count_from_zero("decay_steps", self.decay_steps)
        if warmup + decay > total:
            raise ValueError(
                "warmup_steps + decay_steps must be <= total_steps, got "
                f"warmup_steps={warmup}, decay_steps={decay}, total_steps={total}"
            )
        _checks.choice("decay_shape", self.decay_shape, DECAY_SHAPES)
        object.__setattr__(self, "total_steps", total)
        object.__setattr__(self, "warmup_steps", warmup)
        object.__setattr__(self, "decay_steps", decay)

    def __call__(self, step: jax.typing.ArrayLike) -> jax.Array:
        total, warmup = self.total_steps, self.warmup_steps
        stable_end = total - self.decay_steps
        steps = classify(step).clamp(total)  # end_value from total_steps on
        p, q = steps.fractions(0, warmup)
        rising = anneal(self.init_value, self.peak_value, p, q, "linear")
        p, q = steps.fractions(stable_end, total)
        falling = anneal(self.peak_value, self.end_value, p, q, self.decay_shape)
        # With decay_steps = 0 the decay is one step long: end_value at total.
        value = jnp.where(
            steps.below(stable_end, inclusive=False), self.peak_value, falling
        )
        return jnp.where(steps.below(warmup, inclusive=False), rising, value)


def wsd_schedule(
    peak_value: jax.typing.ArrayLike,
    total_steps: int,
    warmup_steps: int,
    decay_steps: int,
    decay_shape: str = "1-sqrt",
    init_value: jax.typing.ArrayLike = 0.0,
    end_value: jax.typing.ArrayLike = 0.0,
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
    ``T`` on; negative steps have the value of step 0 (they never raise, and
    every rate is within the bounds below). Unlike a cosine
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

    Gradients with respect to the three values and a float step are finite
    at every step: the cooldown's ``sqrt`` is taken of a safe operand
    outside the cooldown (JAX's ``jnp.where`` would otherwise pass its NaN
    on, jax#1052). At the first step of a ``"1-sqrt"`` cooldown, where the
    slope from the right is infinite, the step's gradient is 0, the stable
    phase's.

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
