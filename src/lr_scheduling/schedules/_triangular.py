"""Smith's triangular cyclical schedule (arXiv:1506.01186)."""

from __future__ import annotations

import dataclasses
from typing import Any

import jax
import jax.numpy as jnp

from lr_scheduling.schedules._checks import check_rate_bounds, check_step_count
from lr_scheduling.schedules._steps import classify
from lr_scheduling.schedules._value import Value


@dataclasses.dataclass(frozen=True, eq=False)
class TriangularSchedule(Value):
    """Smith's triangular schedule, a value: see :func:`create_triangular_schedule`.

    Frozen, so that schedules with equal arguments compare and hash equal and
    ``jax.jit`` compiles a step for them once. The arguments are checked when
    it is made.
    """

    lr_min: jax.typing.ArrayLike
    lr_max: jax.typing.ArrayLike
    steps_per_cycle: int

    def __post_init__(self):
        check_rate_bounds(lr_min=self.lr_min, lr_max=self.lr_max)
        (period,) = check_step_count(steps_per_cycle=self.steps_per_cycle)
        object.__setattr__(self, "steps_per_cycle", period)  # as a Python int

    def __call__(self, step: jax.typing.ArrayLike) -> Any:
        period = self.steps_per_cycle
        position, _ = classify(step).cycle(period)  # exact step % P
        # ceil(P/2) steps up, floor(P/2) down; P = 1 never takes the falling
        # side. As floats: JAX takes a Python int only within int32.
        rise, fall = float((period + 1) // 2), float(max(period // 2, 1))
        up, down = position / rise, (float(period) - position) / fall
        height = jnp.where(position <= rise, up, down)
        low: Any = self.lr_min  # a number, an array or a traced value
        return low + (self.lr_max - low) * height


def create_triangular_schedule(
    lr_min: jax.typing.ArrayLike, lr_max: jax.typing.ArrayLike, steps_per_cycle: int
) -> TriangularSchedule:
    r"""The triangular cyclical schedule of Smith (2017), arXiv:1506.01186.

    With ``P = steps_per_cycle``, ``rise = ceil(P / 2)`` and ``p = step mod P``
    (Smith's section 3.1, with an odd period rising one step more than it
    falls):

    .. math::

      \mathrm{lr}(step) = lr_{min} + (lr_{max} - lr_{min}) \cdot
      \begin{cases}
        p / rise & p \le rise \\
        (P - p) / (P - rise) & \text{otherwise}
      \end{cases}

    The rate starts at ``lr_min``, reaches ``lr_max`` at step ``ceil(P / 2)``
    and is back at ``lr_min`` at step ``P``. An odd ``P`` rises for one step
    more than it falls, so the wave never jumps. Negative steps continue the
    wave backwards (``p`` is the floored ``step mod P``), so for every step,
    of any integer or float type, the rate is within ``[lr_min, lr_max]``;
    no step raises.

    The rates may be Python or NumPy numbers or arrays, or traced values (to
    ``jax.vmap`` or differentiate over them); concrete ones are checked to be
    finite, ``>= 0`` and in order. ``steps_per_cycle`` must be a static integer
    (a Python, NumPy or concrete JAX one). A bad argument raises
    ``ValueError`` naming it. Gradients with respect to the rates and a float
    step are finite at every step; at a corner of the wave (a cycle's start,
    its peak) the step's gradient is the rising slope, ``(lr_max - lr_min) /
    rise``.

    The rate has the float type Optax's own schedules give for the step (see
    :func:`~lr_scheduling.schedules.cycle_position`): float32 for an int32
    step such as Optax's step count, even under x64, so a float32 model stays
    float32; float64 for an int64 step; the default float type, weakly typed,
    for a Python int; a float step's own type, except float32 for float16 and
    bfloat16. Rates given as arrays take part in type promotion as in
    ``jax.numpy``, and broadcast with the step's shape.

    Args:
      lr_min: the rate at the start and end of every cycle.
      lr_max: the rate at the top of every cycle.
      steps_per_cycle: the period ``P`` in steps.

    Returns:
      A :class:`TriangularSchedule`, a schedule ``step -> learning rate``.
      Schedules are values: two made with equal Python or NumPy numbers
      compare and hash equal, so ``jax.jit`` reuses a step compiled for
      either, and they pickle. With array rates they compare (``==`` gives a
      bool) but do not hash: ``hash`` raises ``TypeError``.

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
