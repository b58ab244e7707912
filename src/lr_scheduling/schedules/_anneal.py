"""Annealing from one value to another along a shape: linear, cosine, 1-sqrt.

Shared by one-cycle, warm restarts and WSD. Each shape is evaluated without
cancellation, and its operands are safe for every step, also those outside
the phase whose value ``jnp.where`` discards: a NaN there (``sqrt`` of a
negative number) would reach the gradient through the untaken side, as in
the JAX FAQ's ``jnp.where`` example (jax#1052).
"""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp


def _safe_sqrt(p: jax.Array) -> jax.Array:
    """``sqrt(p)`` for ``p > 0``, else 0, with a finite gradient everywhere.

    ``sqrt`` has an infinite slope at 0 and none below, so it is taken of a
    safe operand where ``p <= 0`` (the double-``where`` of the JAX FAQ). At
    ``p = 0`` the gradient is 0: the slope of the side before the phase.
    """
    positive = p > 0
    return jnp.where(positive, jnp.sqrt(jnp.where(positive, p, 1.0)), 0.0)


def shape(name: str, p: jax.Array, q: jax.Array) -> tuple[jax.Array, jax.Array]:
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
    root = _safe_sqrt(p)
    return root, q / (1 + root)


def anneal(begin: Any, end: Any, p: jax.Array, q: jax.Array, name: str) -> Any:
    """From ``begin`` at ``p = 0`` to ``end`` at ``p = 1`` along the shape ``name``.

    ``begin + (end - begin) * rise`` in the first half, ``end + (begin - end)
    * fall`` in the second: each adds less than half the span to the nearer
    value, so the result is accurate to a few units in the last place even
    where it is tiny beside the span (``min_lr`` beside ``max_lr``).
    """
    rise, fall = shape(name, p, q)
    return jnp.where(p <= 0.5, begin + (end - begin) * rise, end + (begin - end) * fall)
