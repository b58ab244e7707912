"""Float types of the rates, and integer steps of every type.

A schedule's rate has the float type Optax's own schedules give for the same
step (optax.linear_schedule: the type of ``step / n`` in jax.numpy), weak type
included, with and without x64; and an integer step of any type, NumPy or JAX,
eager or jitted, gives a rate within its bounds.
"""

import warnings
from fractions import Fraction

import jax
import jax.numpy as jnp
import ml_dtypes
import numpy as np
import optax
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from test_schedules import exact_triangular

from lr_scheduling import create_triangular_schedule, cyclical_schedule

RTOL = 1e-6

SCHEDULES = {
    "triangular": lambda: create_triangular_schedule(0.01, 0.1, 8),
    "triangular2": lambda: cyclical_schedule(0.01, 0.1, 3, 5, mode="triangular2"),
    "exp_range": lambda: cyclical_schedule(0.01, 0.1, 4, mode="exp_range", gamma=0.99),
    "fractional": lambda: cyclical_schedule(0.01, 0.1, 2.5, 1.25),
    "sawtooth": lambda: cyclical_schedule(0.01, 0.1, 4, 0),
}

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


def kind(array) -> tuple[str, bool]:
    return str(array.dtype), bool(array.weak_type)


def assert_float_types_like_optax(make_schedule, jit: bool, x64: bool) -> None:
    """The schedule's value has the type optax's schedules give, for every step."""
    with jax.enable_x64(x64), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # int64 requested without x64
        schedule = make_schedule()
        linear = optax.linear_schedule(0.01, 0.1, 8)
        cosine = optax.cosine_decay_schedule(0.1, 8)
        call = jax.jit if jit else (lambda function: function)
        for label, make_step in STEPS.items():
            step = make_step()
            got, want = kind(call(schedule)(step)), kind(call(linear)(step))
            assert got == want, label
            if "float" in label:  # cosine_decay_schedule agrees for float steps
                assert got == kind(call(cosine)(step)), label


@pytest.mark.parametrize("x64", [False, True], ids=["x32", "x64"])
@pytest.mark.parametrize("jit", [False, True], ids=["eager", "jit"])
@pytest.mark.parametrize("name", SCHEDULES)
def test_rate_has_the_float_type_optax_gives(name, jit, x64):
    assert_float_types_like_optax(SCHEDULES[name], jit, x64)


@pytest.mark.parametrize("x64", [False, True], ids=["x32", "x64"])
def test_measured_float_types(x64):
    schedule = create_triangular_schedule(0.01, 0.1, 8)
    float64 = "float64" if x64 else "float32"
    with jax.enable_x64(x64):
        assert kind(schedule(jnp.int32(3))) == ("float32", False)
        assert kind(jax.jit(schedule)(jnp.int32(3))) == ("float32", False)
        assert kind(schedule(3)) == (float64, True)
        assert kind(jax.jit(schedule)(3)) == (float64, True)
        assert kind(schedule(np.int64(3))) == (float64, False)
        assert kind(schedule(2**70)) == (float64, True)  # linear_schedule overflows
        if x64:
            assert kind(schedule(jnp.asarray(3, jnp.int64))) == ("float64", False)


@pytest.mark.parametrize("dtype", [jnp.float16, jnp.bfloat16, np.float16])
def test_half_precision_steps_give_float32(dtype):
    # The one departure from optax (which keeps float16): a period beyond
    # 65504 steps would not fit, and 0 * inf would give NaN.
    schedule = create_triangular_schedule(0.01, 0.1, 100_000)
    steps = jnp.asarray([0, 3, -3, 60_000], dtype=dtype)
    rates = schedule(steps)
    assert rates.dtype == jnp.float32
    assert not np.any(np.isnan(rates))
    # 60000 is 60160 in bfloat16; 0.01 + 0.09 * (100000 - 60160) / 50000
    represented = [int(step) for step in np.asarray(steps, dtype=np.float64)]
    expected = [exact_triangular(s, 0.01, 0.1, 100_000) for s in represented]
    np.testing.assert_allclose(rates, expected, rtol=RTOL)


@pytest.mark.parametrize(
    "name", ["triangular", "triangular2", "exp_range", "fractional", "sawtooth"]
)
@pytest.mark.parametrize("injected", [True, False], ids=["inject_hyperparams", "sgd"])
def test_x64_keeps_a_float32_training_float32(name, injected):
    with jax.enable_x64(True):
        schedule = SCHEDULES[name]()
        sgd = optax.inject_hyperparams(optax.sgd) if injected else optax.sgd
        tx = sgd(learning_rate=schedule)
        params = jnp.zeros(3, jnp.float32)
        state = tx.init(params)
        update = jax.jit(tx.update)
        for _ in range(3):
            updates, state = update(jnp.ones(3, jnp.float32), state, params)
            params = optax.apply_updates(params, updates)
        assert updates.dtype == jnp.float32
        assert params.dtype == jnp.float32
        if injected:
            rate = state.hyperparams["learning_rate"]
            assert rate.dtype == jnp.float32
            # the rate of the last update taken, at count 2
            assert float(rate) == pytest.approx(float(schedule(2)), rel=RTOL)


# --- integer steps of every type --------------------------------------------


def exact_cyclical(
    step: int, base: float, top: float, up: int, down: int, mode: str
) -> float:
    """CyclicLR's rate at step, in exact rationals but for the triangular2 scale."""
    period = up + down
    position, cycles = step % period, step // period
    if position <= up:
        fraction = Fraction(position, up)
    else:
        fraction = Fraction(period - position, down)
    scale = 1.0 if mode == "triangular" else 2.0 ** -min(cycles, 2000)
    return float(Fraction(base) + (Fraction(top) - Fraction(base)) * fraction * scale)


def test_int16_step_from_the_report():
    schedule = create_triangular_schedule(0.01, 0.1, 40000)
    expected = 0.0100225  # 0.01 + 0.09 * 5 / 20000
    assert float(schedule(jnp.int16(5))) == pytest.approx(expected, rel=RTOL)
    assert float(jax.jit(schedule)(jnp.int16(5))) == pytest.approx(expected, rel=RTOL)
    assert float(schedule(np.int16(5))) == pytest.approx(expected, rel=RTOL)
    assert float(schedule(jnp.int16(-5))) == pytest.approx(expected, rel=RTOL)
    top = float(schedule(jnp.int16(20000)))  # the peak, beyond int8 and uint8
    assert top == pytest.approx(0.1, rel=RTOL)


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
PERIODS = st.one_of(
    st.integers(min_value=1, max_value=300),
    st.integers(min_value=1, max_value=2**33),
    st.integers(min_value=2**31 - 3, max_value=2**32 + 3),
    st.integers(min_value=2**62, max_value=2**64 + 5),
)


def rate_of(schedule, step: int, dtype, how: str) -> float:
    if how == "numpy":
        return float(schedule(dtype(step)))
    if how == "numpy array":
        return float(schedule(np.array([step], dtype=dtype))[0])
    if how == "jax":
        return float(schedule(jnp.asarray(step, dtype=dtype)))
    return float(jax.jit(schedule)(jnp.asarray(step, dtype=dtype)))


@settings(max_examples=400, deadline=None)
@given(
    data=st.data(),
    dtype=st.sampled_from(INTEGER_TYPES),
    how=st.sampled_from(["numpy", "numpy array", "jax", "jit"]),
    x64=st.booleans(),
    period=PERIODS,
    low=st.floats(min_value=0.0, max_value=1.0),
    span=st.floats(min_value=0.0, max_value=1.0),
)
def test_integer_steps_of_every_type_stay_within_bounds(
    data, dtype, how, x64, period, low, span
):
    info = np.iinfo(dtype)
    assume(how.startswith("numpy") or x64 or info.bits < 64)  # JAX needs x64
    step = data.draw(st.integers(min_value=int(info.min), max_value=int(info.max)))
    high = low + span
    with jax.enable_x64(x64):
        schedule = create_triangular_schedule(low, high, period)
        rate = rate_of(schedule, step, dtype, how)
    tolerance = 1e-6 * max(high, 1e-30)
    assert low - tolerance <= rate <= high + tolerance
    assert rate == pytest.approx(
        exact_triangular(step, low, high, period), abs=tolerance
    )


@settings(max_examples=200, deadline=None)
@given(
    data=st.data(),
    dtype=st.sampled_from(INTEGER_TYPES),
    how=st.sampled_from(["numpy", "jax", "jit"]),
    x64=st.booleans(),
    up=st.one_of(st.integers(min_value=1, max_value=300), st.integers(1, 2**40)),
    down=st.one_of(st.integers(min_value=0, max_value=300), st.integers(0, 2**40)),
    mode=st.sampled_from(["triangular", "triangular2"]),
)
def test_cyclical_integer_steps_of_every_type_stay_within_bounds(
    data, dtype, how, x64, up, down, mode
):
    info = np.iinfo(dtype)
    assume(how == "numpy" or x64 or info.bits < 64)
    step = data.draw(st.integers(min_value=int(info.min), max_value=int(info.max)))
    with jax.enable_x64(x64):
        schedule = cyclical_schedule(0.01, 0.1, up, down, mode=mode)
        rate = rate_of(schedule, step, dtype, how)
    if mode == "triangular" or step >= 0:  # triangular2 grows backwards in time
        assert 0.01 * (1 - RTOL) <= rate <= 0.1 * (1 + RTOL)
        if up + down < 2**24:  # positions are exact in float32 below 2**24
            expected = exact_cyclical(step, 0.01, 0.1, up, down, mode)
            assert rate == pytest.approx(expected, rel=RTOL, abs=1e-8)


def test_bfloat16_is_a_numpy_type_too():
    # ml_dtypes' bfloat16 arrays come through NumPy; they are float steps.
    schedule = create_triangular_schedule(0.01, 0.1, 8)
    rates = schedule(np.arange(4).astype(ml_dtypes.bfloat16))
    np.testing.assert_allclose(rates, [0.01, 0.0325, 0.055, 0.0775], rtol=RTOL)
