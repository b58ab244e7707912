"""Shared references for the schedule tests: exact values, step kinds, float types.

The references are the formulas themselves, with positions as exact fractions
(``fractions.Fraction``) and the float64 arithmetic written without
cancellation, so that they stay accurate where a rate is tiny beside its span.
Test modules import these from here, never from each other.
"""

import functools
import math
import warnings
from fractions import Fraction

import jax
import jax.numpy as jnp
import numpy as np
import optax

RTOL = 1e-6  # float32 values against exact or float64 references


def values(schedule, steps) -> np.ndarray:
    """The schedule at each step, called one Python int at a time."""
    return np.array([float(schedule(int(step))) for step in steps])


def exact_triangular(step: int, lr_min: float, lr_max: float, period: int) -> float:
    """The specification, in exact rationals: up ceil(P/2) steps, down floor(P/2)."""
    rise = (period + 1) // 2
    position = step % period
    if position <= rise:
        fraction = Fraction(position, rise)
    else:
        fraction = Fraction(period - position, period - rise)
    low, high = Fraction(lr_min), Fraction(lr_max)
    return float(low + (high - low) * fraction)


def smith_triangular(step: int, lr_min: float, lr_max: float, stepsize: int) -> float:
    """Smith (2017), section 3.1, verbatim: cycle, x and max(0, 1 - x)."""
    cycle = math.floor(1 + Fraction(step, 2 * stepsize))
    x = abs(Fraction(step, stepsize) - 2 * cycle + 1)
    low, high = Fraction(lr_min), Fraction(lr_max)
    return float(low + (high - low) * max(0, 1 - x))


def seed_tutorial(step: int, lr_min: float, lr_max: float, period: int) -> float:
    """The seed tutorial's eager formula, correct for even periods."""
    top = (period + 1) // 2
    cycle_step = step % period
    if cycle_step < top:
        return lr_min + cycle_step / top * (lr_max - lr_min)
    return lr_max - ((cycle_step - top) / top) * (lr_max - lr_min)


def exact_cyclical(
    step: int, base: float, top: float, up: int, down: int, mode: str
) -> float:
    """CyclicLR's rate at step, in exact rationals but for the triangular2 scale.

    Negative steps continue the wave backwards with the first cycle's scale.
    """
    period = up + down
    position, cycles = step % period, step // period
    if position <= up:
        fraction = Fraction(position, up)
    else:
        fraction = Fraction(period - position, down)
    scale = 1.0 if mode == "triangular" else 2.0 ** -min(max(cycles, 0), 2000)
    return float(Fraction(base) + (Fraction(top) - Fraction(base)) * fraction * scale)


def start_weight(done: Fraction, shape: str) -> float:
    """How much of the start value is left at progress ``done`` in [0, 1].

    linear 1 - p, cosine (1 + cos(pi p)) / 2, 1-sqrt 1 - sqrt(p); the last
    two as sin(pi (1 - p) / 2)**2 and (1 - p) / (1 + sqrt(p)), equal but
    without cancellation near p = 1.
    """
    left = 1 - done
    if shape == "linear":
        return float(left)
    if shape in ("cos", "cosine"):
        return math.sin(math.pi / 2 * float(left)) ** 2
    return float(left) / (1 + math.sqrt(done))


def end_weight(done: Fraction, shape: str) -> float:
    """How much of the end value is in at progress ``done``: 1 - start_weight,
    as p, sin(pi p / 2)**2 and sqrt(p), without cancellation near p = 0."""
    if shape == "linear":
        return float(done)
    if shape in ("cos", "cosine"):
        return math.sin(math.pi / 2 * float(done)) ** 2
    return math.sqrt(done)


def between(begin: float, end: float, done: Fraction, shape: str) -> float:
    """The value at progress ``done`` from ``begin`` to ``end``, each weighted
    on its own: ``end + (begin - end) * w`` would lose a start far smaller
    than the end (1e-27 - 1 + 1 is 0 in floats). Exact for the linear shape."""
    if shape == "linear":
        return float(Fraction(begin) * (1 - done) + Fraction(end) * done)
    return begin * start_weight(done, shape) + end * end_weight(done, shape)


def exact_wsd(step, peak, total, warmup, decay, shape, init=0.0, end=0.0) -> float:
    step = max(step, 0)
    if step < warmup:
        return between(init, peak, Fraction(step, warmup), "linear")
    if step >= total:
        return end
    if step < total - decay:
        return peak
    return between(peak, end, Fraction(step - (total - decay), decay), shape)


def exact_warm_restarts(step: int, max_lr, first: int, mult: int, min_lr) -> float:
    """SGDR with the cycle found by counting cycles in exact integers."""
    step = max(step, 0)
    if mult == 1:
        start, length = step - step % first, first
    else:
        start, length = 0, first
        while start + length <= step:
            start, length = start + length, length * mult
    return between(max_lr, min_lr, Fraction(step - start, length), "cos")


def exact_one_cycle(step: int, values, total: int, pct: float, shape: str, three):
    """OneCycleLR's phases (float64 ends, as it has them), exact positions."""
    ends = [float(pct * total) - 1, total - 1]
    if three:
        ends = [float(pct * total) - 1, float(2 * pct * total) - 2, total - 1]
    step = min(max(step, 0), total - 1)
    start = 0.0
    for index, end in enumerate(ends):
        if step <= end or index == len(ends) - 1:
            if end == start:
                return values[index + 1]
            done = (step - Fraction(start)) / (Fraction(end) - Fraction(start))
            return between(values[index], values[index + 1], done, shape)
        start = end
    raise AssertionError("unreachable")


def one_cycle_rates(max_lr, div_factor=25.0, final_div_factor=1e4, three=False):
    initial = max_lr / div_factor
    final = initial / final_div_factor
    return (initial, max_lr, initial, final) if three else (initial, max_lr, final)


# --- step kinds and float types ---------------------------------------------


# Steps as Optax, Flax and users pass them; each made inside the x64 setting.
STEPS = {
    "python int": lambda: 3,
    "python float": lambda: 3.0,
    "weak jnp int": lambda: jnp.asarray(3),
    "np.int8": lambda: np.int8(3),
    "np.int16": lambda: np.int16(3),
    "np.int32": lambda: np.int32(3),
    "np.int64": lambda: np.int64(3),
    "np.uint8": lambda: np.uint8(3),
    "np.uint32": lambda: np.uint32(3),
    "np.uint64": lambda: np.uint64(3),
    "np.float32": lambda: np.float32(3),
    "np.float64": lambda: np.float64(3),
    "np int64 array": lambda: np.arange(3),
    "np int16 array": lambda: np.arange(3, dtype=np.int16),
    "jnp.int8": lambda: jnp.int8(3),
    "jnp.int16": lambda: jnp.int16(3),
    "jnp.int32": lambda: jnp.int32(3),
    "jnp.uint8": lambda: jnp.uint8(3),
    "jnp.uint16": lambda: jnp.uint16(3),
    "jnp.uint32": lambda: jnp.uint32(3),
    "jnp.float32": lambda: jnp.float32(3),
    "jnp int32 array": lambda: jnp.arange(3, dtype=jnp.int32),
    "jnp.int64": lambda: jnp.asarray(3, dtype=jnp.int64),  # int32 without x64
    "jnp.uint64": lambda: jnp.asarray(3, dtype=jnp.uint64),
    "jnp.float64": lambda: jnp.asarray(3, dtype=jnp.float64),
}


def sgd_updates(tx, num_steps: int) -> tuple[list[float], optax.OptState]:
    """Steps of tx on the loss sum(w): each update is -lr * 1."""
    params = jnp.zeros(())
    state = tx.init(params)
    update = jax.jit(tx.update)
    seen = []
    for _ in range(num_steps):
        updates, state = update(jnp.ones(()), state, params)
        seen.append(-float(updates))
    return seen, state


def kind(array) -> tuple[str, bool]:
    return str(array.dtype), bool(array.weak_type)


def jitted_type(function):
    """What ``jax.jit(function)`` returns, as its type alone (dtype and weak
    type): traced, not compiled, as jit's output is typed by tracing."""
    return lambda step: jax.eval_shape(jax.jit(function), step)


@functools.cache
def optax_float_types(jit: bool, x64: bool) -> dict[str, tuple[str, bool]]:
    """The type of optax's schedules' value at each kind of step (``STEPS``).

    optax's linear schedule for every kind; for float steps its cosine decay
    agrees. Computed once per (jit, x64): every schedule is held to them.
    """
    with jax.enable_x64(x64), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # int64 requested without x64
        linear = optax.linear_schedule(0.01, 0.1, 8)
        cosine = optax.cosine_decay_schedule(0.1, 8)
        call = jitted_type if jit else (lambda function: function)
        types = {}
        for label, make_step in STEPS.items():
            types[label] = kind(call(linear)(make_step()))
            if "float" in label:
                assert kind(call(cosine)(make_step())) == types[label], label
        return types


def assert_float_types_like_optax(make_schedule, jit: bool, x64: bool) -> None:
    """The schedule's value has the type optax's schedules give, for every step."""
    want = optax_float_types(jit, x64)
    with jax.enable_x64(x64), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # int64 requested without x64
        schedule = make_schedule()
        call = jitted_type(schedule) if jit else schedule
        for label, make_step in STEPS.items():
            assert kind(call(make_step())) == want[label], label


INTEGER_TYPES = [
    np.int8,
    np.int16,
    np.int32,
    np.int64,
    np.uint8,
    np.uint16,
    np.uint32,
    np.uint64,
]


def rate_of(schedule, step: int, dtype, how: str) -> float:
    if how == "numpy":
        return float(schedule(dtype(step)))
    if how == "numpy array":
        return float(schedule(np.array([step], dtype=dtype))[0])
    if how == "jax":
        return float(schedule(jnp.asarray(step, dtype=dtype)))
    return float(jax.jit(schedule)(jnp.asarray(step, dtype=dtype)))
