"""Argument checks, in one style: a bad argument raises ``ValueError``.

Every message names the argument and repeats the value given, as
``"{name} must be ..., got {value!r}"``. Each check runs when a schedule is
made, never when it is called, so a jitted step never meets a bad argument.

Rates may be traced (to ``jax.vmap`` or differentiate over them): a traced rate
has no value yet and is not checked. Counts and step sizes decide the shape of
the computation, so a traced one is an error that asks for a static value.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np


def _real_array(value: Any) -> np.ndarray | None:
    """A concrete real number or array (not a bool) as a NumPy array, else None."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return np.asarray(float(value))
    if isinstance(value, np.ndarray | jax.Array) and (
        jnp.issubdtype(value.dtype, jnp.floating)
        or jnp.issubdtype(value.dtype, jnp.integer)
    ):
        return np.asarray(value)
    return None


def check_rate_bounds(**bounds: jax.typing.ArrayLike) -> None:
    """Checks two named rates, lower first: finite reals >= 0, in order.

    A rate is a Python or NumPy number or a NumPy or JAX array, checked element
    by element. A traced rate (inside ``jax.jit``, ``jax.vmap`` or
    ``jax.grad``) has no value yet, so it is not checked.

    Raises:
      ValueError: naming the rate and its value, if one is not a real number,
        not finite, negative, or the lower one is above the higher one.

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
        array = _real_array(value)
        if array is None:
            raise ValueError(f"{name} must be a real number, got {value!r}")
        if not np.all(np.isfinite(array) & (array >= 0)):
            raise ValueError(f"{name} must be finite and >= 0, got {value!r}")
        values[name] = array
    low_name, high_name = bounds
    if len(values) == 2 and np.any(values[low_name] > values[high_name]):
        raise ValueError(
            f"{low_name} must be <= {high_name}, "
            f"got {low_name}={bounds[low_name]!r}, {high_name}={bounds[high_name]!r}"
        )


def static_integer(name: str, value: Any, minimum: int) -> int:
    """``value`` as a Python int if it is a static integer ``>= minimum``.

    Integers are what ``operator.index`` takes (Python ints, NumPy integers,
    concrete JAX integer scalars), but not bools.
    """
    if isinstance(value, jax.core.Tracer):
        raise ValueError(
            f"{name} must be a static integer, got the traced value {value}"
        )
    # operator.index(value), but bools are not counts. NumPy before 2.3 takes
    # np.True_ as an index (with a DeprecationWarning), hence the dtype check.
    is_bool = isinstance(value, bool) or getattr(value, "dtype", None) == np.bool_
    try:
        count = None if is_bool else value.__index__()
    except (AttributeError, TypeError):
        count = None
    if count is None or count < minimum:
        wanted = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise ValueError(f"{name} must be {wanted}, got {value!r}")
    return count


def check_step_count(**counts: int) -> tuple[int, ...]:
    """Checks that every named count is an integer >= 1; returns them as ints.

    Integers are what ``operator.index`` takes: Python ints, NumPy integers and
    concrete JAX integer scalars, but not bools or floats. The length of a
    cycle must be known when the schedule is made, so a traced count (an
    argument of a jitted function, say) is an error: pass it as a static value.

    Raises:
      ValueError: naming the count and its value.

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
    return tuple(static_integer(name, value, 1) for name, value in counts.items())


def count_from_zero(name: str, value: Any) -> int:
    """A static integer ``>= 0``, as :func:`check_step_count` checks one ``>= 1``."""
    return static_integer(name, value, 0)


def as_float(value: Any) -> float | None:
    """A concrete real number (Python, NumPy or 0-d array) as a float, else None."""
    if isinstance(value, np.ndarray | jax.Array) and not isinstance(
        value, jax.core.Tracer
    ):
        value = value.item() if value.ndim == 0 else None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None  # bools, strings, arrays, traced values
    return float(value)


def step_size(name: str, value: Any, *, zero_ok: bool) -> int | float:
    """A concrete, finite step size (``> 0``, or ``>= 0``): an int if it is whole."""
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


def log_gamma(gamma: jax.typing.ArrayLike) -> jax.typing.ArrayLike:
    """log(gamma), checked: in double precision for a number, else in jnp."""
    if isinstance(gamma, jax.core.Tracer):
        return jnp.log(gamma)
    value = _real_array(gamma)
    if value is None:
        raise ValueError(f"gamma must be a real number > 0, got {gamma!r}")
    if not np.all(np.isfinite(value) & (value > 0)):
        raise ValueError(f"gamma must be a finite number > 0, got {gamma!r}")
    if isinstance(gamma, numbers.Real):
        return math.log(gamma)
    return jnp.log(gamma)


def fraction_of_steps(name: str, value: Any, top: float) -> float:
    """A concrete number in ``[0, top]``, as a float."""
    number = as_float(value)
    if number is None or not 0 <= number <= top:
        raise ValueError(f"{name} must be a number in [0, {top:g}], got {value!r}")
    return number


def positive_factor(name: str, value: Any) -> float:
    """A concrete finite number ``> 0``, as a float."""
    number = as_float(value)
    if number is None or not 0 < number < math.inf:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return number


def choice(name: str, value: Any, choices: tuple[str, ...]) -> str:
    """``value`` if it is one of ``choices``."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {choices}, got {value!r}")
    return value


def flag(name: str, value: Any) -> bool:
    """A Python or NumPy bool, as a Python bool."""
    if not isinstance(value, bool | np.bool_):
        raise ValueError(f"{name} must be a bool, got {value!r}")
    return bool(value)


def function(name: str, value: Any) -> Any:
    """``value`` if it is callable."""
    if not callable(value):
        raise ValueError(f"{name} must be callable, got {value!r}")
    return value
