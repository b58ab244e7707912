"""Values, properties, transformations and validation of lr_scheduling.schedules."""

import math
from fractions import Fraction

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lr_scheduling import create_triangular_schedule, cyclical_schedule

LR_MIN, LR_MAX = 0.003, 0.03
RTOL = 1e-6  # float32 output, compared with exact rationals


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


def values(schedule, steps) -> np.ndarray:
    return np.array([float(schedule(int(s))) for s in steps])


# --- values ---------------------------------------------------------------


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


def test_equal_bounds_are_constant():
    schedule = cyclical_schedule(0.01, 0.01, step_size_up=3)
    np.testing.assert_allclose(values(schedule, range(8)), [0.01] * 8, rtol=RTOL)


# --- properties -----------------------------------------------------------

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


@settings(max_examples=40, deadline=None)
@given(
    up=st.integers(min_value=1, max_value=500),
    down=st.integers(min_value=1, max_value=500),
    step=st.integers(min_value=0, max_value=10**6),
)
def test_cyclical_matches_triangular_with_same_halves(up, down, step):
    # create_triangular_schedule(P) is cyclical_schedule(ceil(P/2), floor(P/2)).
    period = up + down
    if up != (period + 1) // 2:
        up, down = (period + 1) // 2, period // 2
    cyclical = cyclical_schedule(LR_MIN, LR_MAX, up, down)
    triangular = create_triangular_schedule(LR_MIN, LR_MAX, period)
    assert float(cyclical(step)) == pytest.approx(float(triangular(step)), rel=RTOL)


# --- JAX transformations and Optax ------------------------------------------


@pytest.mark.parametrize(
    "schedule",
    [
        create_triangular_schedule(LR_MIN, LR_MAX, 9),
        cyclical_schedule(LR_MIN, LR_MAX, 3, 5, mode="triangular2"),
        cyclical_schedule(LR_MIN, LR_MAX, 4, mode="exp_range", gamma=0.99),
    ],
    ids=["triangular", "triangular2", "exp_range"],
)
def test_eager_jit_vmap_and_arrays_agree(schedule):
    steps = np.arange(40)
    eager = values(schedule, steps)
    np.testing.assert_allclose(jax.jit(schedule)(jnp.asarray(steps)), eager, rtol=RTOL)
    np.testing.assert_allclose(jax.vmap(schedule)(jnp.asarray(steps)), eager, rtol=RTOL)
    np.testing.assert_allclose(schedule(steps), eager, rtol=RTOL)  # numpy array
    grid = schedule(jnp.asarray(steps).reshape(5, 8))  # broadcasting keeps shape
    assert grid.shape == (5, 8)
    np.testing.assert_allclose(grid.ravel(), eager, rtol=RTOL)
    jitted_scalar = jax.jit(schedule)(jnp.int32(7))
    assert jitted_scalar.shape == () and jitted_scalar.dtype == jnp.float32
    assert float(jitted_scalar) == pytest.approx(eager[7], rel=RTOL)


def test_float_steps_work_too():
    schedule = create_triangular_schedule(LR_MIN, LR_MAX, 10)
    np.testing.assert_allclose(
        schedule(jnp.arange(12.0)), values(schedule, range(12)), rtol=RTOL
    )


def sgd_updates(tx, num_steps: int) -> list[float]:
    """Steps of tx on the loss sum(w): each update is -lr * 1."""
    params = jnp.zeros(())
    state = tx.init(params)
    update = jax.jit(tx.update)
    seen = []
    for _ in range(num_steps):
        updates, state = update(jnp.ones(()), state, params)
        seen.append(-float(updates))
    return seen, state


def test_schedule_drives_optax_sgd():
    schedule = create_triangular_schedule(LR_MIN, LR_MAX, 6)
    seen, _ = sgd_updates(optax.sgd(learning_rate=schedule), 14)
    np.testing.assert_allclose(seen, values(schedule, range(14)), rtol=RTOL)


def test_schedule_inside_inject_hyperparams():
    schedule = cyclical_schedule(LR_MIN, LR_MAX, 2, 3, mode="triangular2")
    tx = optax.inject_hyperparams(optax.sgd)(learning_rate=schedule)
    seen, state = sgd_updates(tx, 12)
    np.testing.assert_allclose(seen, values(schedule, range(12)), rtol=RTOL)
    # The state holds the rate for the step about to be taken.
    current = float(state.hyperparams["learning_rate"])
    assert current == pytest.approx(float(schedule(11)), rel=RTOL)


# --- huge steps -----------------------------------------------------------

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


# --- validation -----------------------------------------------------------

nan, inf = float("nan"), float("inf")


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
    arguments = {"lr_min": 0.001, "lr_max": 0.01, "steps_per_cycle": 10} | kwargs
    with pytest.raises(ValueError, match=f"^{message}"):
        create_triangular_schedule(**arguments)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"step_size_up": 0}, "step_size_up must be a positive integer, got 0"),
        ({"step_size_up": 2.5}, "step_size_up must be a positive integer, got 2.5"),
        ({"step_size_down": 0}, "step_size_down must be a positive integer, got 0"),
        ({"step_size_down": -1}, "step_size_down must be a positive integer, got -1"),
        ({"base_lr": -1.0}, "base_lr must be finite and >= 0, got -1.0"),
        ({"max_lr": nan}, "max_lr must be finite and >= 0, got nan"),
        ({"base_lr": 1.0, "max_lr": 0.5}, "base_lr must be <= max_lr, got base_lr=1.0"),
        ({"mode": "cosine"}, r"mode must be one of \('triangular', .*got 'cosine'"),
        ({"gamma": 0.0}, "gamma must be a finite number > 0, got 0.0"),
        ({"gamma": -0.5}, "gamma must be a finite number > 0, got -0.5"),
        ({"gamma": nan}, "gamma must be a finite number > 0, got nan"),
        ({"scale_mode": "epoch"}, r"scale_mode must be one of \('cycle', .*'epoch'"),
        (
            {"mode": "exp_range", "scale_mode": "cycle"},
            "scale_mode='cycle' only applies to a custom scale_fn",
        ),
    ],
)
def test_cyclical_rejects_bad_arguments(kwargs, message):
    arguments = {"base_lr": 0.001, "max_lr": 0.01, "step_size_up": 4} | kwargs
    with pytest.raises(ValueError, match=f"^{message}"):
        cyclical_schedule(**arguments)


def test_scale_fn_must_be_callable():
    with pytest.raises(TypeError, match="scale_fn must be callable, got 3"):
        cyclical_schedule(0.001, 0.01, 4, scale_fn=3)


def test_errors_come_at_creation_not_at_trace_time():
    # A valid schedule traces without raising; invalid input never gets that far.
    schedule = cyclical_schedule(0.001, 0.01, 4, mode="exp_range", gamma=0.5)
    assert jax.jit(schedule).lower(jnp.int32(0)) is not None
    with pytest.raises(ValueError):
        cyclical_schedule(0.001, 0.01, 4, mode="exp_range", gamma=0.0)
