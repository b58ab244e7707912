"""create_triangular_schedule: values, huge steps, steps of every type, checks."""

import math

import jax
import jax.numpy as jnp
import ml_dtypes
import numpy as np
import optax
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from schedule_references import (
    INTEGER_TYPES,
    RTOL,
    exact_triangular,
    kind,
    rate_of,
    seed_tutorial,
    sgd_updates,
    smith_triangular,
    values,
)

from lr_scheduling import create_triangular_schedule, cyclical_schedule

LR_MIN, LR_MAX = 0.003, 0.03


def test_hand_computed_even_period():
    schedule = create_triangular_schedule(0.001, 0.005, steps_per_cycle=4)
    expected = [0.001, 0.003, 0.005, 0.003, 0.001, 0.003, 0.005, 0.003, 0.001]
    np.testing.assert_allclose(values(schedule, range(9)), expected, rtol=RTOL)


def test_hand_computed_odd_period_returns_to_lr_min():
    # P = 9: five steps up by 0.0054, four steps down by 0.00675.
    schedule = create_triangular_schedule(LR_MIN, LR_MAX, steps_per_cycle=9)
    expected = [0.003, 0.0084, 0.0138, 0.0192, 0.0246, 0.03]
    expected += [0.02325, 0.0165, 0.00975, 0.003, 0.0084]
    np.testing.assert_allclose(values(schedule, range(11)), expected, rtol=RTOL)


@pytest.mark.parametrize("period", [2, 4, 10, 100, 2**20])
def test_even_period_matches_seed_and_paper(period):
    schedule = create_triangular_schedule(LR_MIN, LR_MAX, period)
    steps = sorted({0, 1, period // 2 - 1, period // 2, period // 2 + 1, period - 1})
    steps += [period, period + 1, 3 * period + period // 2]
    got = values(schedule, steps)
    seed = [seed_tutorial(s, LR_MIN, LR_MAX, period) for s in steps]
    paper = [smith_triangular(s, LR_MIN, LR_MAX, period // 2) for s in steps]
    np.testing.assert_allclose(got, seed, rtol=RTOL)
    np.testing.assert_allclose(got, paper, rtol=RTOL)


@pytest.mark.parametrize("period", [1, 2, 3, 5, 9, 10, 11])
def test_boundaries(period):
    schedule = create_triangular_schedule(LR_MIN, LR_MAX, period)
    rise = (period + 1) // 2
    steps = [0, rise - 1, rise, rise + 1, period, period + rise]
    expected = [exact_triangular(s, LR_MIN, LR_MAX, period) for s in steps]
    np.testing.assert_allclose(values(schedule, steps), expected, rtol=RTOL)
    assert float(schedule(0)) == pytest.approx(LR_MIN, rel=RTOL)
    assert float(schedule(period)) == pytest.approx(LR_MIN, rel=RTOL)
    if period > 1:
        assert float(schedule(rise)) == pytest.approx(LR_MAX, rel=RTOL)


def test_period_one_is_constant():
    schedule = create_triangular_schedule(LR_MIN, LR_MAX, 1)
    np.testing.assert_allclose(values(schedule, range(5)), [LR_MIN] * 5, rtol=RTOL)


rates = st.floats(min_value=0.0, max_value=10.0, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(
    low=rates,
    span=rates,
    period=st.integers(min_value=1, max_value=5000),
    step=st.integers(min_value=0, max_value=2**31 - 2),
)
def test_triangular_properties(low, span, period, step):
    high = low + span
    schedule = create_triangular_schedule(low, high, period)
    rise = (period + 1) // 2
    fall = max(period - rise, 1)
    here, after = float(schedule(step)), float(schedule(step + 1))
    tolerance = 1e-6 * max(high, 1e-30)
    assert low - tolerance <= here <= high + tolerance
    assert float(schedule(step % period + period)) == pytest.approx(here, abs=tolerance)
    assert abs(after - here) <= span / min(rise, fall) + tolerance
    assert here == pytest.approx(
        exact_triangular(step, low, high, period), rel=RTOL, abs=1e-12
    )
    if period % 2 == 0:  # an even triangle is symmetric about its peak
        mirrored = float(schedule(period - step % period))
        assert mirrored == pytest.approx(here, abs=tolerance)


def test_float_steps_work_too():
    schedule = create_triangular_schedule(LR_MIN, LR_MAX, 10)
    np.testing.assert_allclose(
        schedule(jnp.arange(12.0)), values(schedule, range(12)), rtol=RTOL
    )


def test_schedule_drives_optax_sgd():
    schedule = create_triangular_schedule(LR_MIN, LR_MAX, 6)
    seen, _ = sgd_updates(optax.sgd(learning_rate=schedule), 14)
    np.testing.assert_allclose(seen, values(schedule, range(14)), rtol=RTOL)


HUGE = [2**24 - 1, 2**24, 2**24 + 1, 2**24 + 3, 2**31 - 2, 2**31 - 1]


@pytest.mark.parametrize("period", [7, 10, 1000, 12345])
def test_exact_at_huge_steps(period):
    schedule = create_triangular_schedule(LR_MIN, LR_MAX, period)
    expected = [exact_triangular(s, LR_MIN, LR_MAX, period) for s in HUGE]
    steps = jnp.asarray(HUGE, dtype=jnp.int32)
    np.testing.assert_allclose(jax.jit(schedule)(steps), expected, rtol=RTOL)
    np.testing.assert_allclose(values(schedule, HUGE), expected, rtol=RTOL)


def test_exact_where_optax_count_saturates():
    # optax's step counter stops at int32 max; the schedule must still be exact.
    schedule = create_triangular_schedule(LR_MIN, LR_MAX, 1000)
    count = optax.safe_increment(jnp.asarray(2**31 - 1, dtype=jnp.int32))
    assert int(count) == 2**31 - 1
    got = float(jax.jit(schedule)(count))
    assert got == pytest.approx(exact_triangular(2**31 - 1, LR_MIN, LR_MAX, 1000))


def test_python_int_beyond_int32_without_x64():
    schedule = create_triangular_schedule(LR_MIN, LR_MAX, 997)
    for step in [10**12, 10**12 + 498, 2**63 + 5]:
        expected = exact_triangular(step, LR_MIN, LR_MAX, 997)
        assert float(schedule(step)) == pytest.approx(expected, rel=RTOL)
    big = np.array([10**12, 10**12 + 1], dtype=np.int64)
    expected = [exact_triangular(int(s), LR_MIN, LR_MAX, 997) for s in big]
    np.testing.assert_allclose(schedule(big), expected, rtol=RTOL)


def test_exact_at_10_to_12_with_x64():
    steps = [10**12, 10**12 + 1, 10**12 + 500, 10**12 + 996]
    with jax.enable_x64(True):
        schedule = create_triangular_schedule(LR_MIN, LR_MAX, 997)
        got = jax.jit(schedule)(jnp.asarray(steps, dtype=jnp.int64))
        assert got.dtype == jnp.float64
        expected = [exact_triangular(s, LR_MIN, LR_MAX, 997) for s in steps]
        np.testing.assert_allclose(got, expected, rtol=RTOL)
        cyclic = cyclical_schedule(LR_MIN, LR_MAX, 400, 597, mode="triangular2")
        assert float(jax.jit(cyclic)(jnp.int64(10**12 + 5))) == pytest.approx(LR_MIN)


nan, inf = float("nan"), float("inf")


def assert_triangular_rejects(kwargs: dict, message: str) -> None:
    """Valid arguments with ``kwargs`` replaced raise ``message`` at creation."""
    arguments = {"lr_min": 0.001, "lr_max": 0.01, "steps_per_cycle": 10} | kwargs
    with pytest.raises(ValueError, match=f"^{message}"):
        create_triangular_schedule(**arguments)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"steps_per_cycle": 0}, "steps_per_cycle must be a positive integer, got 0"),
        ({"steps_per_cycle": -3}, "steps_per_cycle must be a positive integer, got -3"),
        (
            {"steps_per_cycle": 4.0},
            "steps_per_cycle must be a positive integer, got 4.0",
        ),
        (
            {"steps_per_cycle": "4"},
            "steps_per_cycle must be a positive integer, got '4'",
        ),
        (
            {"steps_per_cycle": True},
            "steps_per_cycle must be a positive integer, got True",
        ),
        ({"lr_min": -0.1}, "lr_min must be finite and >= 0, got -0.1"),
        ({"lr_min": nan}, "lr_min must be finite and >= 0, got nan"),
        ({"lr_max": inf}, "lr_max must be finite and >= 0, got inf"),
        ({"lr_max": "0.1"}, "lr_max must be a real number, got '0.1'"),
        ({"lr_min": 0.5, "lr_max": 0.1}, "lr_min must be <= lr_max, got lr_min=0.5"),
    ],
)
def test_triangular_rejects_bad_arguments(kwargs, message):
    assert_triangular_rejects(kwargs, message)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            {"lr_max": jnp.float32(nan)},
            r"lr_max must be finite and >= 0, got Array\(nan, dtype=float32\)",
        ),
        (
            {"lr_min": np.array(-0.1)},
            r"lr_min must be finite and >= 0, got array\(-0.1\)",
        ),
        (
            {"lr_max": jnp.array([0.1, inf])},
            r"lr_max must be finite and >= 0, got Array\(\[0.1, inf\]",
        ),
        (
            {"lr_min": jnp.array([0.001, 0.5]), "lr_max": np.array([0.01, 0.2])},
            r"lr_min must be <= lr_max, got lr_min=Array\(\[0.001, 0.5",
        ),
        ({"lr_max": np.float64(-1.0)}, "lr_max must be finite and >= 0, got"),
        ({"lr_max": jnp.array(True)}, r"lr_max must be a real number, got Array\(True"),
        ({"lr_max": np.array(0.1 + 0j)}, "lr_max must be a real number, got array"),
        ({"lr_max": [0.1]}, r"lr_max must be a real number, got \[0.1\]"),
        (
            {"steps_per_cycle": jnp.float32(4.0)},
            r"steps_per_cycle must be a positive integer, got Array\(4., dtype=float32\)",
        ),
        (
            {"steps_per_cycle": np.array(4.0)},
            r"steps_per_cycle must be a positive integer, got array\(4.\)",
        ),
        (
            {"steps_per_cycle": np.array([4])},
            r"steps_per_cycle must be a positive integer, got array\(\[4\]\)",
        ),
        (
            {"steps_per_cycle": jnp.int32(0)},
            r"steps_per_cycle must be a positive integer, got Array\(0, dtype=int32",
        ),
        (
            {"steps_per_cycle": np.int8(-3)},
            r"steps_per_cycle must be a positive integer, got np.int8\(-3\)",
        ),
        (
            {"steps_per_cycle": np.True_},
            "steps_per_cycle must be a positive integer, got np.True_",
        ),
    ],
)
def test_concrete_arrays_and_numpy_scalars_are_checked(kwargs, message):
    assert_triangular_rejects(kwargs, message)


@pytest.mark.parametrize(
    "lr_max",
    [jnp.float32(0.1), np.array(0.1), np.float32(0.1), np.float64(0.1), 0.1],
    ids=["jnp.float32", "np.array", "np.float32", "np.float64", "float"],
)
@pytest.mark.parametrize(
    "count",
    [jnp.int32(8), np.int64(8), np.array(8), jnp.uint8(8), 8],
    ids=["jnp.int32", "np.int64", "np.array", "jnp.uint8", "int"],
)
def test_numpy_and_jax_scalars_are_accepted(lr_max, count):
    expected = values(create_triangular_schedule(0.01, 0.1, 8), range(12))
    triangular = create_triangular_schedule(jnp.float32(0.01), lr_max, count)
    np.testing.assert_allclose(values(triangular, range(12)), expected, rtol=RTOL)
    cyclical = cyclical_schedule(0.01, lr_max, count // 2, mode="exp_range", gamma=1.0)
    np.testing.assert_allclose(values(cyclical, range(12)), expected, rtol=RTOL)


def test_vmap_over_the_rates_like_optax():
    tops = jnp.array([0.1, 0.2])
    # The brief's reference: optax.linear_schedule vmaps over its end value.
    linear = jax.vmap(lambda top: optax.linear_schedule(0.01, top, 8)(3))(tops)
    np.testing.assert_allclose(linear, [0.04375, 0.08125], rtol=RTOL)
    triangular = jax.vmap(lambda top: create_triangular_schedule(0.01, top, 8)(3))
    # step 3 of 8 is 3/4 of the way up: 0.01 + 0.75 * (top - 0.01)
    np.testing.assert_allclose(triangular(tops), [0.0775, 0.1525], rtol=RTOL)
    bottoms = jnp.array([0.0, 0.05])
    cyclical = jax.vmap(
        lambda low: cyclical_schedule(low, 0.1, 4, mode="triangular2")(10)
    )
    # step 10 is in cycle 2, 2/4 of the way up: low + 0.5 * 0.5 * (0.1 - low)
    np.testing.assert_allclose(cyclical(bottoms), [0.025, 0.0625], rtol=RTOL)
    gammas = jnp.array([0.5, 1.0])
    exp_range = jax.vmap(
        lambda g: cyclical_schedule(0.0, 0.1, 4, mode="exp_range", gamma=g)(2)
    )
    np.testing.assert_allclose(exp_range(gammas), [0.0125, 0.05], rtol=RTOL)


def test_rates_as_arrays_broadcast_with_the_steps():
    schedule = create_triangular_schedule(0.0, jnp.array([0.1, 0.2, 0.4]), 4)
    grid = schedule(jnp.arange(5)[:, None])
    assert grid.shape == (5, 3)
    np.testing.assert_allclose(grid[:, 2], [0.0, 0.2, 0.4, 0.2, 0.0], rtol=RTOL)


def test_triangular_never_nan_at_extreme_steps():
    schedule = create_triangular_schedule(0.01, 0.1, 7)
    steps = [0, 2**31 - 1, 2**63 - 1, 2**64 + 3, -(2**63)]
    rates = [float(schedule(step)) for step in steps]
    assert not any(math.isnan(rate) for rate in rates)
    assert all(0.01 * (1 - RTOL) <= rate <= 0.1 * (1 + RTOL) for rate in rates)
    floats = schedule(jnp.array([1e30, -1e30, 3.4e38, 2.5], dtype=jnp.float32))
    assert not np.any(np.isnan(floats))
    assert np.all((floats >= 0.01 * (1 - RTOL)) & (floats <= 0.1 * (1 + RTOL)))


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


def test_int16_step_from_the_report():
    schedule = create_triangular_schedule(0.01, 0.1, 40000)
    expected = 0.0100225  # 0.01 + 0.09 * 5 / 20000
    assert float(schedule(jnp.int16(5))) == pytest.approx(expected, rel=RTOL)
    assert float(jax.jit(schedule)(jnp.int16(5))) == pytest.approx(expected, rel=RTOL)
    assert float(schedule(np.int16(5))) == pytest.approx(expected, rel=RTOL)
    assert float(schedule(jnp.int16(-5))) == pytest.approx(expected, rel=RTOL)
    top = float(schedule(jnp.int16(20000)))  # the peak, beyond int8 and uint8
    assert top == pytest.approx(0.1, rel=RTOL)


PERIODS = st.one_of(
    st.integers(min_value=1, max_value=300),
    st.integers(min_value=1, max_value=2**33),
    st.integers(min_value=2**31 - 3, max_value=2**32 + 3),
    st.integers(min_value=2**62, max_value=2**64 + 5),
)


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


def test_bfloat16_is_a_numpy_type_too():
    # ml_dtypes' bfloat16 arrays come through NumPy; they are float steps.
    schedule = create_triangular_schedule(0.01, 0.1, 8)
    rates = schedule(np.arange(4).astype(ml_dtypes.bfloat16))
    np.testing.assert_allclose(rates, [0.01, 0.0325, 0.055, 0.0775], rtol=RTOL)
