"""How every schedule reads its step: one classifier, exact arithmetic.

:func:`classify` sorts a step into one of three kinds, once, and every family
does its arithmetic through the :class:`Steps` it returns:

* ``"host"``: a Python int, or a NumPy integer scalar or array. The values
  are kept as Python ints in a NumPy object array, so that no step of any
  size overflows or rounds.
* ``"integer"``: a JAX integer array, traced or not, in its own type (widened
  to int32 if narrower, so that ``int8`` or ``uint16`` never wraps).
* ``"float"``: any other step (Python floats, float arrays of any library),
  as a JAX float array of at least 32 bits.

Integer steps are divided, compared and subtracted as integers before
anything is converted to floating point: a float32 step loses integer
precision above 2**24, so ``step / period`` computed in floats would drift,
while ``step % period`` computed in integers does not.

The floats that come out have the type of ``step / n`` in ``jax.numpy``, the
type Optax's own schedules give (see the package's docstring). Float steps
are clamped with ``jnp.where``, not ``jnp.clip``, so that a step exactly at a
bound keeps the gradient of the side it is on (``jnp.clip`` halves it there).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

HOST, INTEGER, FLOAT = "host", "integer", "float"


def _host_float_type(step: Any) -> Any:
    """The float type of jnp's ``step / n`` for a NumPy integer step.

    float64 for a 64-bit integer (float32 without x64), else float32; None
    for a Python int (the default float type, weakly typed).
    """
    if isinstance(step, int):
        return None
    wide = step.dtype.itemsize == 8
    return jax.dtypes.canonicalize_dtype(np.float64 if wide else np.float32)


def classify(step: jax.typing.ArrayLike) -> Steps:
    """The :class:`Steps` of ``step``: its kind, values and bounds."""
    if isinstance(step, int) or (
        isinstance(step, np.integer | np.ndarray)
        and np.issubdtype(step.dtype, np.integer)
    ):
        values = np.asarray(step).astype(object)  # Python ints: no overflow
        return Steps(values, HOST, None, None, _host_float_type(step))
    steps = jnp.asarray(step)
    if jnp.issubdtype(steps.dtype, jnp.integer):
        if steps.dtype.itemsize < 4:  # int8, int16, uint8, uint16: all fit int32
            steps = steps.astype(jnp.int32)
        info = jnp.iinfo(steps.dtype)
        return Steps(steps, INTEGER, int(info.min), int(info.max))
    if steps.dtype.itemsize < 4:  # float16, bfloat16: too short for a step count
        steps = steps.astype(jnp.float32)
    return Steps(steps, FLOAT, None, None)


@dataclasses.dataclass(frozen=True, eq=False)
class Steps:
    """Steps of one kind (see the module's docstring), within ``[bottom, top]``.

    ``bottom`` and ``top`` bound ``values`` where they are known: a JAX
    integer type's range, or the bounds of :meth:`clamp`; ``None`` where
    unbounded. ``as_float`` is the float type of a NumPy step (``None``: a
    Python int, weakly typed).
    """

    values: Any
    kind: str
    bottom: int | None
    top: int | None
    as_float: Any = None

    @property
    def exact(self) -> bool:
        """Whether the values are integers (host or JAX)."""
        return self.kind != FLOAT

    def constant(self, number: int) -> Any:
        """``number``, within ``[bottom, top]``, to combine with ``values``.

        A Python int keeps a weakly typed step weak; a typed constant lets a
        non-weak step (``uint32``, say) take values beyond JAX's Python-int
        range.
        """
        if self.kind == HOST or getattr(self.values, "weak_type", False):
            return number
        return jnp.asarray(number, self.values.dtype)

    def to_float(self, whole: Any) -> jax.Array:
        """Numbers like ``values`` as floats of the step's float type."""
        if self.kind == INTEGER:
            # x / 1 gives the float type of jnp's step / n, weak if the step is.
            return whole / 1
        if self.kind == FLOAT:
            return whole
        floats = np.asarray(whole, dtype=object).astype(np.float64)
        if self.as_float is None:  # a Python int: weakly typed, like optax
            return jnp.asarray(float(floats))
        return jnp.asarray(floats.astype(self.as_float))

    def clamp(self, last: int | None) -> Steps:
        """The steps clamped to ``[0, last]`` (``[0, inf)`` for ``None``)."""
        values = self.values
        if self.kind == HOST:
            values = np.where(values < 0, 0, values)
            if last is not None:
                values = np.where(values > last, last, values)
            return dataclasses.replace(self, values=values, bottom=0, top=last)
        if self.kind == INTEGER:
            assert self.top is not None
            top = self.top if last is None else min(last, self.top)
            low, high = self.constant(0), self.constant(top)
            return dataclasses.replace(
                self, values=jnp.clip(values, low, high), bottom=0, top=top
            )
        values = jnp.where(values < 0, 0.0, values)
        if last is not None:
            values = jnp.where(values > float(last), float(last), values)
        return dataclasses.replace(self, values=values, bottom=0, top=last)

    def cycle(self, period: int | float) -> tuple[jax.Array, jax.Array]:
        """``(position, cycles)`` with ``step == cycles * period + position``.

        ``0 <= position <= period`` (``< period`` for integer steps), both
        floats. A whole period divides integer steps exactly; a period with a
        fraction divides them as PyTorch's ``CyclicLR`` does (see
        :meth:`_fractional_cycle`).
        """
        if isinstance(period, float) and period.is_integer():
            period = int(period)  # e.g. 2.5 + 2.5: integer steps divide exactly
        if not isinstance(period, int):
            return self._fractional_cycle(period)
        if self.kind == HOST:
            values = self.values  # Python ints: // and % are exact at any size
            return self.to_float(values % period), self.to_float(values // period)
        steps = self.values
        if self.kind == INTEGER:
            # The period must fit the step's type and JAX's Python-int range.
            python_int = jax.dtypes.canonicalize_dtype(int)  # int32, int64 (x64)
            largest = min(jnp.iinfo(steps.dtype).max, jnp.iinfo(python_int).max)
            if period <= largest:
                cycles, position = jnp.divmod(steps, period)  # exact
                return position / 1, cycles / 1
            steps = steps / 1
        cycles = jnp.floor(steps / float(period))
        return _within(steps - cycles * float(period), float(period)), cycles

    def _fractional_cycle(self, period: float) -> tuple[jax.Array, jax.Array]:
        """:meth:`cycle` for a period with a fraction, divided as CyclicLR does.

        CyclicLR finds the cycle as ``floor(step / period)`` from the rounded
        float64 quotient, so a step that its rounding puts at the start of a
        cycle is there (the exact remainder of 21 by the double nearest 1.05
        is just below 1.05, but 21 / 1.05 rounds to 20.0). Host steps are
        divided so, in float64. Other steps are divided in their float type,
        where a quotient within a few units in the last place of a whole
        number counts as whole, as float64 would round it.
        """
        if self.kind == HOST:
            on_host = np.asarray(self.values, dtype=np.float64)
            whole = np.floor(on_host / period)
            rest = np.clip(on_host - whole * period, 0, period)
            if self.as_float is None:
                return jnp.asarray(float(rest)), jnp.asarray(float(whole))
            return jnp.asarray(rest, self.as_float), jnp.asarray(whole, self.as_float)
        steps = self.to_float(self.values)
        quotient = steps / period
        nearest = jnp.round(quotient)
        rounding = 4 * jnp.finfo(quotient.dtype).eps * jnp.abs(nearest)
        cycles = jnp.where(
            jnp.abs(quotient - nearest) <= rounding, nearest, jnp.floor(quotient)
        )
        return _within(steps - cycles * period, period), cycles

    def below(self, bound: float, *, inclusive: bool) -> Any:
        """Where ``values < bound`` (``<=`` if inclusive); exact for integers."""
        if not self.exact:  # as a float: JAX takes a Python int only within int32
            bound = float(bound)
            return self.values <= bound if inclusive else self.values < bound
        largest = math.floor(bound) if inclusive else math.ceil(bound) - 1
        if self.bottom is not None and largest < self.bottom:
            return False
        if self.top is not None and largest >= self.top:
            return True
        result = self.values <= self.constant(largest)
        return np.asarray(result, dtype=bool) if self.kind == HOST else result

    def fractions(self, start: float, end: float) -> tuple[jax.Array, jax.Array]:
        """``(p, q)``: how far the steps are from ``start`` to ``end``, and the rest.

        ``p = (step - start) / (end - start)`` and ``q = (end - step) / (end -
        start)``, each from an integer difference taken before any float
        conversion, so that both are accurate where they are small. A phase
        of no length gives ``p = 1, q = 0``: its one step is its end. The
        values are meaningful only for steps within the phase, of clamped
        steps (``bottom == 0``).
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


def _within(position: jax.Array, period: float) -> jax.Array:
    """``position`` kept within ``[0, period]`` despite rounding, gradient intact."""
    position = jnp.where(position < 0, 0.0, position)
    return jnp.where(position > period, period, position)


def cycle_position(
    step: jax.typing.ArrayLike, period: float
) -> tuple[jax.Array, jax.Array]:
    """Splits ``step`` into its position inside a cycle and the cycles done.

    An integer period divides an integer step exactly, whatever its type:
    Python ints at any size; NumPy integers on the host, as Python ints; JAX
    integers (traced ones too) in their own type, widened to int32 if
    narrower, when the period fits that type. A float step, or a period too
    large for a JAX step's type, is divided in floating point (float32 at
    least), and the position is kept within ``[0, period]`` whatever the
    rounding. A period with a fraction is divided as PyTorch's ``CyclicLR``
    divides it: in float64 for Python and NumPy integers, and a quotient
    within rounding of a whole number counts as whole.

    Args:
      step: a step number or an array of them, of any integer or float type.
        Negative steps count cycles backwards (``cycles < 0``).
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
    return classify(step).cycle(period)
