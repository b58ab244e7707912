"""The learning-rate policies, as tables of the rate and momentum of every step.

Each schedule is the library's own (``lr_scheduling.schedules``) or Optax's,
evaluated once at every step, so that every policy of a task runs through
one compiled program.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np
import optax

from lr_scheduling.schedules import (
    cyclical_schedule,
    one_cycle_momentum_schedule,
    one_cycle_schedule,
    wsd_schedule,
)

__all__ = ["SHAPES", "Policy", "fixed_policy", "schedule_policy"]

MOMENTUM = 0.9  # SGD's momentum and Adam's b1, for every policy but one-cycle
CYCLES = 4  # triangular and triangular2: four whole cycles, ending at base_lr
WARMUP_FRACTION = 0.1  # warmup + cosine and WSD warm up over the first 10%
WSD_DECAY_FRACTION = 0.2  # WSD cools down over the last 20% (Hägele et al.)
BASE_LR_FACTOR = 4  # the cyclical schedules' base_lr is the peak / 4 (Smith)

# Every schedule shape, by its name on the page (also its label's slug).
SHAPES = (
    "triangular",
    "triangular2",
    "one-cycle",
    "warmup-cosine",
    "wsd",
    "wsd-linear",
    "wsd-cosine",
)


@dataclasses.dataclass(frozen=True, eq=False)
class Policy:
    """One policy of a task: a shape at a peak, as per-step tables.

    Attributes:
      shape: ``"fixed"`` or one of :data:`SHAPES` (``"wsd"`` cools down as
        ``1 - sqrt``).
      peak_source: where the peak came from: ``"sweep"`` (a fixed rate of the
        sweep), ``"range test"`` or ``"best fixed"`` (the validation-chosen
        fixed rate).
      peak: the highest rate of the table.
      learning_rates, momenta: float32 ``(T,)``, for update ``t``.
    """

    shape: str
    peak_source: str
    peak: float
    learning_rates: np.ndarray
    momenta: np.ndarray

    @property
    def key(self) -> str:
        """A unique name within a task, e.g. ``"wsd@best fixed"``, ``"fixed 0.05"``."""
        if self.shape == "fixed":
            return f"fixed {self.peak:g}"
        return f"{self.shape}@{self.peak_source}"


def _table(schedule: Callable[[jax.Array], jax.Array], num_steps: int) -> np.ndarray:
    # vmap: some schedules (Optax's piecewise ones) take one step at a time.
    return np.asarray(jax.vmap(schedule)(jnp.arange(num_steps)), dtype=np.float32)


def fixed_policy(rate: float, num_steps: int) -> Policy:
    """A fixed rate with momentum 0.9.

    Example:
      >>> policy = fixed_policy(0.05, 4)
      >>> policy.key, policy.learning_rates.tolist()  # doctest: +ELLIPSIS
      ('fixed 0.05', [0.05000000074505806, ...])
    """
    return Policy(
        "fixed",
        "sweep",
        rate,
        np.full(num_steps, rate, np.float32),
        np.full(num_steps, MOMENTUM, np.float32),
    )


def schedule_policy(
    shape: str, peak: float, peak_source: str, num_steps: int
) -> Policy:
    """A schedule shape peaking at ``peak``, over ``num_steps`` steps.

    * triangular, triangular2: :func:`~lr_scheduling.schedules.cyclical_schedule`
      from ``peak / 4`` to ``peak``, step size ``T / 8``: four whole cycles
      ending at the base rate (Smith 2017, section 3.2).
    * one-cycle: ``one_cycle_schedule(peak, T)`` (up over 30%, cosine, from
      ``peak / 25`` to ``peak / 25 / 1e4``), momentum cycled 0.95-0.85-0.95.
    * warmup-cosine: ``optax.warmup_cosine_decay_schedule``, warmup 10%,
      down to 0 at ``T``.
    * wsd, wsd-linear, wsd-cosine: :func:`~lr_scheduling.schedules.wsd_schedule`
      with warmup 10% and a cooldown over the last 20%, shaped ``1 - sqrt``,
      linear or cosine.

    Raises:
      ValueError: an unknown ``shape``.

    Example:
      >>> policy = schedule_policy("triangular", 0.1, "range test", 16)
      >>> [round(float(rate), 4) for rate in policy.learning_rates[:5]]
      [0.025, 0.0625, 0.1, 0.0625, 0.025]
    """
    momenta = np.full(num_steps, MOMENTUM, np.float32)
    schedule: Callable[[jax.Array], jax.Array]
    warmup = round(WARMUP_FRACTION * num_steps)
    decay = round(WSD_DECAY_FRACTION * num_steps)
    if shape in ("triangular", "triangular2"):
        step_size = num_steps // (2 * CYCLES)
        schedule = cyclical_schedule(peak / BASE_LR_FACTOR, peak, step_size, mode=shape)
    elif shape == "one-cycle":
        schedule = one_cycle_schedule(peak, num_steps)
        momenta = _table(one_cycle_momentum_schedule(num_steps), num_steps)
    elif shape == "warmup-cosine":
        schedule = optax.warmup_cosine_decay_schedule(0.0, peak, warmup, num_steps)
    elif shape in ("wsd", "wsd-linear", "wsd-cosine"):
        cooldown = {"wsd": "1-sqrt", "wsd-linear": "linear", "wsd-cosine": "cosine"}
        schedule = wsd_schedule(peak, num_steps, warmup, decay, cooldown[shape])
    else:
        raise ValueError(f"shape must be one of {SHAPES}, got {shape!r}")
    return Policy(shape, peak_source, peak, _table(schedule, num_steps), momenta)
