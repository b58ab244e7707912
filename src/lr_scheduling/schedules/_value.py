"""Schedules are values: equality and hashing by their arguments.

A schedule is a frozen dataclass, so that two made with equal arguments
compare and hash equal and ``jax.jit`` compiles a step for them once when the
schedule is a static argument (the guide's ``train_step`` takes it so). The
dataclass's own ``__eq__`` compares its fields as a tuple, which for array
arguments asks for the truth value of an array and fails; :class:`Value`
compares arrays by type, shape and elements instead, and refuses to hash them
with a message that says why.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import jax
import numpy as np

ARRAY_TYPES = (np.ndarray, jax.Array)


def _equal(first: Any, second: Any) -> bool:
    """Whether two field values are equal, as a bool, arrays included."""
    if first is second:
        return True
    if isinstance(first, ARRAY_TYPES) or isinstance(second, ARRAY_TYPES):
        if not (isinstance(first, ARRAY_TYPES) and isinstance(second, ARRAY_TYPES)):
            return False
        if isinstance(first, jax.core.Tracer) or isinstance(second, jax.core.Tracer):
            return False  # no value yet: only the same tracer is equal
        return (
            first.dtype == second.dtype
            and first.shape == second.shape
            and bool(np.array_equal(np.asarray(first), np.asarray(second)))
        )
    return bool(first == second)


@dataclasses.dataclass(frozen=True, eq=False)
class Value:
    """A frozen dataclass that compares arrays by value and hashes only scalars.

    Subclasses are declared ``@dataclasses.dataclass(frozen=True, eq=False)``
    so that these methods stay; fields declared with ``compare=False`` take
    no part.
    """

    def _compared(self) -> list[tuple[str, Any]]:
        return [
            (field.name, getattr(self, field.name))
            for field in dataclasses.fields(self)
            if field.compare
        ]

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Value)
        return all(
            _equal(mine, theirs)
            for (_, mine), (_, theirs) in zip(
                self._compared(), other._compared(), strict=True
            )
        )

    def __hash__(self) -> int:
        for name, value in self._compared():
            if isinstance(value, ARRAY_TYPES):
                raise TypeError(
                    f"a {type(self).__name__} with an array {name} is not "
                    f"hashable (got {name}={value!r}): an array can be compared "
                    "but has no hash. jax.jit takes a schedule as a static "
                    "argument (the guide's train_step does) only if it hashes: "
                    "give its rates as Python or NumPy scalars there, or pass "
                    "the array rates as ordinary (traced) arguments"
                )
        return hash((type(self), *(value for _, value in self._compared())))
