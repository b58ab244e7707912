"""Teaching code: the schedule that the guide's pages show for readers to copy.

Everything in this module is drawn onto the guide's pages (``codediff :from:``)
and must stay paste-complete: it imports nothing that the page does not show
(only ``jax.numpy as jnp``), and it stays short. The library's version of the
same schedule, :func:`lr_scheduling.schedules.create_triangular_schedule`,
adds the argument checks and the exact values at huge steps and in every
dtype; a test proves that both give the same rates on every step that Optax
counts (int32, from 0 to 2**31 - 1).
"""

from __future__ import annotations

import jax.numpy as jnp

__all__ = ["triangular_schedule"]


def triangular_schedule(lr_min, lr_max, steps_per_cycle):
    """Smith's triangular cyclical learning rate, as an Optax schedule.

    Each cycle of ``steps_per_cycle`` steps climbs linearly from ``lr_min``
    to ``lr_max`` and falls back (Smith 2017, arXiv:1506.01186). An odd
    cycle climbs one step longer than it falls.

    >>> schedule = triangular_schedule(0.001, 0.01, steps_per_cycle=4)
    >>> [round(float(schedule(step)), 4) for step in range(5)]
    [0.001, 0.0055, 0.01, 0.0055, 0.001]
    """
    rise = (steps_per_cycle + 1) // 2  # steps up
    fall = max(steps_per_cycle // 2, 1)  # steps down

    def schedule(step):
        position = step % steps_per_cycle  # in integers: exact
        up = position / rise
        down = (steps_per_cycle - position) / fall
        height = jnp.where(position <= rise, up, down)
        return lr_min + (lr_max - lr_min) * height

    return schedule
