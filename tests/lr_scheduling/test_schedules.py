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
        ({"step_size_up": 0}, "step_size_up must be a finite number > 0, got 0"),
        ({"step_size_up": 0.0}, "step_size_up must be a finite number > 0, got 0.0"),
        ({"step_size_up": -2.5}, r"step_size_up must be a finite number > 0, got -2.5"),
        ({"step_size_up": inf}, "step_size_up must be a finite number > 0, got inf"),
        ({"step_size_up": nan}, "step_size_up must be a finite number > 0, got nan"),
        ({"step_size_up": "4"}, "step_size_up must be a finite number > 0, got '4'"),
        ({"step_size_up": True}, "step_size_up must be a finite number > 0, got True"),
        (
            {"step_size_up": np.array([4])},
            r"step_size_up must be a finite number > 0, got array\(\[4\]\)",
        ),
        (
            {"step_size_up": jnp.array(True)},
            r"step_size_up must be a finite number > 0, got Array\(True",
        ),
        (
            {"step_size_down": -1},
            "step_size_down must be a finite number >= 0, got -1",
        ),
        (
            {"step_size_down": -0.5},
            "step_size_down must be a finite number >= 0, got -0.5",
        ),
        (
            {"step_size_down": np.float32(nan)},
            r"step_size_down must be a finite number >= 0, got np.float32\(nan\)",
        ),
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
    "gamma, message",
    [
        (jnp.float32(0.0), r"gamma must be a finite number > 0, got Array\(0"),
        (np.array([0.9, -0.1]), r"gamma must be a finite number > 0, got array"),
        (jnp.array(nan), r"gamma must be a finite number > 0, got Array\(nan"),
        ("0.9", "gamma must be a real number > 0, got '0.9'"),
        (True, "gamma must be a real number > 0, got True"),
    ],
)
def test_concrete_gamma_is_checked(gamma, message):
    with pytest.raises(ValueError, match=f"^{message}"):
        cyclical_schedule(0.001, 0.01, 4, mode="exp_range", gamma=gamma)


def test_traced_step_counts_are_a_clear_error():
    with pytest.raises(ValueError, match="^steps_per_cycle must be a static integer"):
        jax.jit(lambda p: create_triangular_schedule(0.01, 0.1, p)(3))(8)
    with pytest.raises(ValueError, match="^step_size_up must be a static number"):
        jax.jit(lambda p: cyclical_schedule(0.01, 0.1, p)(3))(4)
    with pytest.raises(ValueError, match="^step_size_down must be a static number"):
        jax.jit(lambda p: cyclical_schedule(0.01, 0.1, 4, p)(3))(4.0)


# --- hyperparameters as arrays and traced values ----------------------------


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


def test_traced_rates_under_jit_and_grad():
    def rate(low, high, gamma, step):
        return cyclical_schedule(low, high, 3, 5, mode="exp_range", gamma=gamma)(step)

    eager = cyclical_schedule(0.01, 0.1, 3, 5, mode="exp_range", gamma=0.9)
    assert float(jax.jit(rate)(0.01, 0.1, 0.9, 2)) == pytest.approx(
        float(eager(2)), rel=RTOL
    )
    # d rate / d max_lr at step 2 = fraction * scale = (2 / 3) * 0.9**2
    grad = jax.grad(rate, argnums=1)(0.01, 0.1, 0.9, 2)
    assert float(grad) == pytest.approx(2 / 3 * 0.81, rel=RTOL)
    triangular = jax.grad(lambda top: create_triangular_schedule(0.0, top, 8)(3))
    assert float(triangular(0.1)) == pytest.approx(0.75, rel=RTOL)


# --- no NaN at any step (exp_range overflow and its kin) ------------------

MODE_CASES = st.sampled_from(["triangular", "triangular2", "exp_range"])
GAMMAS = st.one_of(
    st.floats(min_value=1e-3, max_value=0.999999),
    st.floats(min_value=1.000001, max_value=1e3),
    st.just(1.0),
)
HUGE_STEPS = st.one_of(
    st.integers(min_value=0, max_value=2**31 - 1),
    st.integers(min_value=2**31, max_value=2**63 - 1),
    st.integers(min_value=0, max_value=200),
)


def call_as(kind: str, schedule, step: int) -> float:
    """The rate at step, passed as a Python int, np.int64, or int32/int64 under jit."""
    if kind == "python":
        return float(schedule(step))
    if kind == "numpy":
        return float(schedule(np.int64(step)))
    if kind == "jit" and step < 2**31:
        return float(jax.jit(schedule)(jnp.int32(step)))
    with jax.enable_x64(True):
        return float(jax.jit(schedule)(jnp.asarray(step, dtype=jnp.int64)))


def test_exp_range_at_the_overflow_from_the_report():
    schedule = cyclical_schedule(
        0.01, 0.1, step_size_up=4, mode="exp_range", gamma=1.001
    )
    # step 100000 starts a cycle: 0.01 exactly, where 0 * inf used to give NaN
    assert float(schedule(100_000)) == pytest.approx(0.01, rel=RTOL)
    assert float(jax.jit(schedule)(jnp.int32(100_000))) == pytest.approx(0.01, rel=RTOL)
    # past it the true rate, 0.0225 * 1.001**100001 ~ 6e41, overflows float32
    assert float(schedule(100_001)) == inf
    with jax.enable_x64(True):  # ... but not float64, where it matches CyclicLR
        wide = float(schedule(jnp.asarray(100_001, dtype=jnp.int64)))
    assert wide == pytest.approx(0.01 + 0.0225 * 1.001**100_001, rel=1e-9)


@settings(max_examples=150, deadline=None)
@given(
    mode=MODE_CASES,
    gamma=GAMMAS,
    up=st.integers(min_value=1, max_value=50),
    down=st.integers(min_value=0, max_value=50),
    step=HUGE_STEPS,
    kind=st.sampled_from(["python", "numpy", "jit", "x64"]),
)
def test_no_nan_at_any_step(mode, gamma, up, down, step, kind):
    schedule = cyclical_schedule(0.01, 0.1, up, down, mode=mode, gamma=gamma)
    rate = call_as(kind, schedule, step)
    assert not math.isnan(rate)
    assert rate >= 0.01 * (1 - RTOL)
    if mode != "exp_range" or gamma <= 1:
        assert rate <= 0.1 * (1 + RTOL)
    if step % (up + down) == 0:  # the foot of a cycle, whatever the scale
        assert rate == pytest.approx(0.01, rel=RTOL)


@settings(max_examples=60, deadline=None)
@given(
    mode=MODE_CASES,
    gamma=GAMMAS,
    up=st.integers(min_value=1, max_value=50),
    step=st.integers(min_value=-(2**63), max_value=-1),
    kind=st.sampled_from(["python", "numpy", "x64"]),
)
def test_no_nan_at_negative_steps(mode, gamma, up, step, kind):
    schedule = cyclical_schedule(0.01, 0.1, up, mode=mode, gamma=gamma)
    if kind == "python":
        rate = float(schedule(step))
    elif kind == "numpy":
        rate = float(schedule(np.int64(step)))
    else:
        with jax.enable_x64(True):
            rate = float(jax.jit(schedule)(jnp.asarray(step, dtype=jnp.int64)))
    assert not math.isnan(rate) and rate >= 0.01 * (1 - RTOL)


def test_triangular_never_nan_at_extreme_steps():
    schedule = create_triangular_schedule(0.01, 0.1, 7)
    steps = [0, 2**31 - 1, 2**63 - 1, 2**64 + 3, -(2**63)]
    rates = [float(schedule(step)) for step in steps]
    assert not any(math.isnan(rate) for rate in rates)
    assert all(0.01 * (1 - RTOL) <= rate <= 0.1 * (1 + RTOL) for rate in rates)
    floats = schedule(jnp.array([1e30, -1e30, 3.4e38, 2.5], dtype=jnp.float32))
    assert not np.any(np.isnan(floats))
    assert np.all((floats >= 0.01 * (1 - RTOL)) & (floats <= 0.1 * (1 + RTOL)))
