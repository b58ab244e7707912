"""cyclical_schedule and cyclical_momentum_schedule: modes, overflow, steps, checks.

The comparisons with PyTorch's CyclicLR are in test_cyclical_vs_torch.py.
"""

import math

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from schedule_references import (
    INTEGER_TYPES,
    RTOL,
    exact_cyclical,
    rate_of,
    sgd_updates,
    values,
)

from lr_scheduling import (
    create_triangular_schedule,
    cyclical_momentum_schedule,
    cyclical_schedule,
)

LR_MIN, LR_MAX = 0.003, 0.03


def test_equal_bounds_are_constant():
    schedule = cyclical_schedule(0.01, 0.01, step_size_up=3)
    np.testing.assert_allclose(values(schedule, range(8)), [0.01] * 8, rtol=RTOL)


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


def test_schedule_inside_inject_hyperparams():
    schedule = cyclical_schedule(LR_MIN, LR_MAX, 2, 3, mode="triangular2")
    tx = optax.inject_hyperparams(optax.sgd)(learning_rate=schedule)
    seen, state = sgd_updates(tx, 12)
    np.testing.assert_allclose(seen, values(schedule, range(12)), rtol=RTOL)
    # The state holds the rate for the step about to be taken.
    current = float(state.hyperparams["learning_rate"])
    assert current == pytest.approx(float(schedule(11)), rel=RTOL)


nan, inf = float("nan"), float("inf")


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
    with pytest.raises(ValueError, match="^scale_fn must be callable, got 3"):
        cyclical_schedule(0.001, 0.01, 4, scale_fn=3)


def test_errors_come_at_creation_not_at_trace_time():
    # A valid schedule traces without raising; invalid input never gets that far.
    schedule = cyclical_schedule(0.001, 0.01, 4, mode="exp_range", gamma=0.5)
    compiled = jax.jit(schedule).lower(jnp.int32(0)).compile()
    # Step 2 of a 4-step rise in the first cycle: halfway, scaled by 0.5**2.
    expected = 0.001 + (0.01 - 0.001) * 0.5 * 0.25
    assert float(compiled(jnp.int32(2))) == pytest.approx(expected, rel=RTOL)
    assert float(compiled(jnp.int32(0))) == pytest.approx(0.001, rel=RTOL)
    with pytest.raises(ValueError):
        cyclical_schedule(0.001, 0.01, 4, mode="exp_range", gamma=0.0)


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
def test_negative_steps_stay_within_bounds(mode, gamma, up, step, kind):
    # The wave continues backwards with the first cycle's scale: within
    # [base_lr, max_lr] for every mode and gamma, the rate and the momentum.
    schedule = cyclical_schedule(0.01, 0.1, up, mode=mode, gamma=gamma)
    if kind == "python":
        rate = float(schedule(step))
    elif kind == "numpy":
        rate = float(schedule(np.int64(step)))
    else:
        with jax.enable_x64(True):
            rate = float(jax.jit(schedule)(jnp.asarray(step, dtype=jnp.int64)))
    assert 0.01 * (1 - RTOL) <= rate <= 0.1 * (1 + RTOL)
    expected = exact_cyclical(step, 0.01, 0.1, up, up, "triangular")
    assert rate == pytest.approx(expected, rel=RTOL, abs=1e-8)
    momentum = cyclical_momentum_schedule(0.8, 0.9, up, mode=mode, gamma=gamma)
    assert 0.8 * (1 - RTOL) <= float(momentum(step)) <= 0.9 * (1 + RTOL)


def test_triangular2_momentum_at_a_negative_step_from_the_report():
    # It gave 0.09999996: the scale 1 / 2**(cycle - 1) grew for cycles < 1.
    momentum = cyclical_momentum_schedule(0.8, 0.9, step_size_up=2, mode="triangular2")
    # -13 is 3 steps into a 4-step cycle: half way down, first cycle's scale.
    assert float(momentum(-13)) == pytest.approx(0.85, rel=RTOL)
    assert float(jax.jit(momentum)(jnp.int32(-13))) == pytest.approx(0.85, rel=RTOL)
    assert float(momentum(jnp.float32(-13.0))) == pytest.approx(0.85, rel=RTOL)


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
    assert 0.01 * (1 - RTOL) <= rate <= 0.1 * (1 + RTOL)  # negative steps too
    if up + down < 2**24:  # positions are exact in float32 below 2**24
        expected = exact_cyclical(step, 0.01, 0.1, up, down, mode)
        assert rate == pytest.approx(expected, rel=RTOL, abs=1e-8)
