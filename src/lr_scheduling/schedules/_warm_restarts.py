"""SGDR, cosine annealing with warm restarts: ``CosineAnnealingWarmRestarts``."""

from __future__ import annotations

import dataclasses
import math

import jax
import jax.numpy as jnp
import numpy as np

from lr_scheduling.schedules._anneal import anneal
from lr_scheduling.schedules._checks import check_rate_bounds, check_step_count
from lr_scheduling.schedules._steps import HOST, INTEGER, Steps, classify
from lr_scheduling.schedules._value import Value


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


@dataclasses.dataclass(frozen=True, eq=False)
class WarmRestartsSchedule(Value):
    """SGDR's rate, a value: see :func:`warm_restarts_schedule`."""

    max_lr: jax.typing.ArrayLike
    first_cycle_steps: int
    cycle_mult: int = 1
    min_lr: jax.typing.ArrayLike = 0.0

    def __post_init__(self):
        check_rate_bounds(min_lr=self.min_lr, max_lr=self.max_lr)
        first, mult = check_step_count(
            first_cycle_steps=self.first_cycle_steps, cycle_mult=self.cycle_mult
        )
        object.__setattr__(self, "first_cycle_steps", first)
        object.__setattr__(self, "cycle_mult", mult)

    def __call__(self, step: jax.typing.ArrayLike) -> jax.Array:
        p, q = self.progress(step)
        return anneal(self.max_lr, self.min_lr, p, q, "cos")

    def progress(self, step: jax.typing.ArrayLike) -> tuple[jax.Array, jax.Array]:
        """``(p, q)``: the fractions of the current cycle done and left.

        ``p = T_cur / T_i`` in ``CosineAnnealingWarmRestarts``' terms, ``q =
        1 - p``, both from exact integer counts for integer steps; steps
        before 0 count as 0.
        """
        steps = classify(step).clamp(None)
        if self.cycle_mult == 1:
            position, _ = steps.cycle(self.first_cycle_steps)
            length = float(self.first_cycle_steps)
            return position / length, (length - position) / length
        if steps.kind == HOST:
            restart = np.frompyfunc(
                lambda s: _restart_cycle(s, self.first_cycle_steps, self.cycle_mult),
                1,
                2,
            )
            since, until = (steps.to_float(part) for part in restart(steps.values))
        elif steps.kind == INTEGER:
            since, until = self._integer_cycle(steps)
        else:
            since, until = self._float_cycle(steps.values)
        cycle = since + until  # T_i, as exact as the counts
        return since / cycle, until / cycle

    def _integer_cycle(self, steps: Steps) -> tuple[jax.Array, jax.Array]:
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


def warm_restarts_schedule(
    max_lr: jax.typing.ArrayLike,
    first_cycle_steps: int,
    cycle_mult: int = 1,
    min_lr: jax.typing.ArrayLike = 0.0,
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
    it rejects, count as step 0 here (``max_lr``: no step raises, every
    rate is within ``[min_lr, max_lr]``); ``min_lr > max_lr``, which it accepts,
    raises here; one ``max_lr`` (an array broadcasts, a traced one can be
    vmapped over), not one per parameter group.

    Arguments are checked when the schedule is made and a bad one raises
    ``ValueError`` naming it: the rates must be finite with ``0 <= min_lr <=
    max_lr``, and ``first_cycle_steps`` and ``cycle_mult`` static integers
    ``>= 1`` (``T_mult`` is an integer in PyTorch too). The rate has the
    float type of :func:`create_triangular_schedule`'s. Gradients with
    respect to the rates and a float step are finite at every step.

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
