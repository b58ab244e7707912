"""one_cycle_schedule and one_cycle_momentum_schedule: phases, huge steps, checks.

The comparisons with PyTorch's OneCycleLR are in test_one_cycle_vs_torch.py.
"""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from schedule_references import (
    RTOL,
    exact_one_cycle,
    one_cycle_rates,
    values,
)

from lr_scheduling import (
    one_cycle_momentum_schedule,
    one_cycle_schedule,
)


def test_one_cycle_holds_its_final_value_at_any_step():
    rate = one_cycle_schedule(0.1, 100, three_phase=True)
    momentum = one_cycle_momentum_schedule(100, 0.85, 0.95)
    final_rate, final_momentum = float(rate(99)), float(momentum(99))
    assert final_rate == pytest.approx(0.1 / 25 / 1e4, rel=RTOL)
    assert final_momentum == pytest.approx(0.95, rel=RTOL)
    for step in [100, 2**31 - 1, 10**12, 2**70]:
        assert float(rate(step)) == final_rate
        assert float(momentum(step)) == final_momentum
    int32_max = jnp.int32(2**31 - 1)
    assert float(jax.jit(rate)(int32_max)) == final_rate
    assert float(jax.jit(rate)(jnp.uint32(2**32 - 1))) == final_rate
    assert float(rate(np.uint64(2**64 - 1))) == pytest.approx(final_rate, rel=RTOL)
    # Negative steps are step 0.
    assert float(rate(-(10**12))) == pytest.approx(0.1 / 25, rel=RTOL)
    assert float(jax.jit(rate)(jnp.int8(-5))) == pytest.approx(0.1 / 25, rel=RTOL)


@pytest.mark.parametrize("three", [False, True])
def test_one_cycle_exact_in_a_cycle_longer_than_int32(three):
    total, pct = 10**12, 0.3
    rate = one_cycle_schedule(0.1, total, pct, three_phase=three)
    rates = one_cycle_rates(0.1, three=three)
    boundary = int(float(pct * total) - 1)  # 299999999999
    steps = [
        0,
        1,
        2**31 - 1,
        boundary - 1,
        boundary,
        boundary + 1,
        2 * boundary,
        2 * boundary + 1,
        total - 2,
        total - 1,
    ]
    for step in steps:
        expected = exact_one_cycle(step, rates, total, pct, "cos", three)
        assert float(rate(step)) == pytest.approx(expected, rel=RTOL), step
    int32_steps = [0, 1, 2**24 + 1, 2**31 - 2, 2**31 - 1]
    expected = [
        exact_one_cycle(s, rates, total, pct, "cos", three) for s in int32_steps
    ]
    jitted = jax.jit(rate)(jnp.asarray(int32_steps, dtype=jnp.int32))
    np.testing.assert_allclose(jitted, expected, rtol=RTOL)
    with jax.enable_x64(True):
        big = jnp.asarray(steps, dtype=jnp.int64)
        expected = [exact_one_cycle(s, rates, total, pct, "cos", three) for s in steps]
        np.testing.assert_allclose(jax.jit(rate)(big), expected, rtol=1e-12)


@settings(max_examples=100, deadline=None)
@given(
    total=st.integers(1, 10**6),
    pct=st.floats(0.0, 1.0),
    three=st.booleans(),
    low=st.floats(0.0, 1.0),
    span=st.floats(0.0, 1.0),
    step=st.integers(-10, 2**31 - 1),
)
def test_one_cycle_momentum_within_bounds_and_mirrors_the_rate(
    total, pct, three, low, span, step
):
    assume(not three or pct <= 0.5)
    assume(float(pct * total) != 1.0)
    momentum = one_cycle_momentum_schedule(
        total, low, low + span, pct, three_phase=three
    )
    got = float(jax.jit(momentum)(jnp.int32(step)))
    tolerance = RTOL * max(low + span, 1e-30)
    assert low - tolerance <= got <= low + span + tolerance
    anchors = (
        (low + span, low, low + span, low + span)
        if three
        else (low + span, low, low + span)
    )
    expected = exact_one_cycle(step, anchors, total, pct, "cos", three)
    assert got == pytest.approx(expected, rel=RTOL, abs=1e-30)


@settings(max_examples=60, deadline=None)
@given(
    data=st.data(),
    eighths=st.integers(1, 10**5),
    pct=st.sampled_from([0.125, 0.25, 0.375, 0.5]),
)
def test_three_phases_are_symmetric_about_the_peak(data, eighths, pct):
    # Three phases, linear as in the paper's 1cycle: the fall to initial_lr mirrors the
    # rise about the peak at pct * T - 1, a whole step for these (dyadic)
    # fractions of a multiple of 8.
    total = 8 * eighths
    peak = int(pct * total) - 1
    assume(peak >= 1)
    step = data.draw(st.integers(0, peak))
    schedule = one_cycle_schedule(1.0, total, pct, "linear", three_phase=True)
    rising, falling = float(schedule(step)), float(schedule(2 * peak - step))
    assert falling == pytest.approx(rising, rel=RTOL)


def test_one_cycle_drives_optax_sgd_momentum_and_adam_b1():
    rate = one_cycle_schedule(0.1, 20, three_phase=True)
    momentum = one_cycle_momentum_schedule(20, three_phase=True)
    for optimizer, name in [(optax.sgd, "momentum"), (optax.adam, "b1")]:
        tx = optax.inject_hyperparams(optimizer)(learning_rate=rate, **{name: momentum})
        params = jnp.zeros(2)
        state = tx.init(params)
        update = jax.jit(tx.update)
        seen = []
        for _ in range(25):
            _, state = update(jnp.ones(2), state, params)
            seen.append((state.hyperparams["learning_rate"], state.hyperparams[name]))
        # The state holds the values of the update just taken, at count - 1.
        seen = np.array(seen)
        np.testing.assert_allclose(seen[:, 0], values(rate, range(25)), rtol=RTOL)
        np.testing.assert_allclose(seen[:, 1], values(momentum, range(25)), rtol=RTOL)


nan, inf = float("nan"), float("inf")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"max_lr": -0.1}, "max_lr must be finite and >= 0, got -0.1"),
        ({"max_lr": nan}, "max_lr must be finite and >= 0, got nan"),
        ({"max_lr": "0.1"}, "max_lr must be a real number, got '0.1'"),
        (
            {"max_lr": np.array([0.1, inf])},
            r"max_lr must be finite and >= 0, got array",
        ),
        ({"total_steps": 0}, "total_steps must be a positive integer, got 0"),
        ({"total_steps": 10.0}, "total_steps must be a positive integer, got 10.0"),
        ({"total_steps": True}, "total_steps must be a positive integer, got True"),
        ({"pct_start": -0.1}, r"pct_start must be a number in \[0, 1\], got -0.1"),
        ({"pct_start": 1.5}, r"pct_start must be a number in \[0, 1\], got 1.5"),
        ({"pct_start": nan}, r"pct_start must be a number in \[0, 1\], got nan"),
        ({"pct_start": "0.3"}, r"pct_start must be a number in \[0, 1\], got '0.3'"),
        ({"pct_start": True}, r"pct_start must be a number in \[0, 1\], got True"),
        (
            {"pct_start": 0.6, "three_phase": True},
            r"pct_start must be a number in \[0, 0.5\], got 0.6",
        ),
        (
            {"anneal_strategy": "cosine"},
            r"anneal_strategy must be one of \('cos', 'linear'\), got 'cosine'",
        ),
        ({"anneal_strategy": None}, r"anneal_strategy must be one of .*got None"),
        ({"div_factor": 0.0}, "div_factor must be a finite number > 0, got 0.0"),
        ({"div_factor": -2}, "div_factor must be a finite number > 0, got -2"),
        ({"div_factor": inf}, "div_factor must be a finite number > 0, got inf"),
        ({"div_factor": "25"}, "div_factor must be a finite number > 0, got '25'"),
        (
            {"div_factor": np.array([25.0])},
            r"div_factor must be a finite number > 0, got array\(\[25.\]\)",
        ),
        (
            {"final_div_factor": nan},
            "final_div_factor must be a finite number > 0, got nan",
        ),
        (
            {"final_div_factor": False},
            "final_div_factor must be a finite number > 0, got False",
        ),
        ({"three_phase": 1}, "three_phase must be a bool, got 1"),
        ({"three_phase": "yes"}, "three_phase must be a bool, got 'yes'"),
    ],
)
def test_one_cycle_rejects_bad_arguments(kwargs, message):
    arguments = {"max_lr": 0.1, "total_steps": 100} | kwargs
    with pytest.raises(ValueError, match=f"^{message}"):
        one_cycle_schedule(**arguments)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            {"base_momentum": 0.99},
            "base_momentum must be <= max_momentum, got base_momentum=0.99",
        ),
        ({"base_momentum": -0.5}, "base_momentum must be finite and >= 0, got -0.5"),
        ({"max_momentum": nan}, "max_momentum must be finite and >= 0, got nan"),
        ({"total_steps": -1}, "total_steps must be a positive integer, got -1"),
        ({"pct_start": 2}, r"pct_start must be a number in \[0, 1\], got 2"),
        ({"anneal_strategy": "exp"}, r"anneal_strategy must be one of .*got 'exp'"),
        ({"three_phase": None}, "three_phase must be a bool, got None"),
    ],
)
def test_one_cycle_momentum_rejects_bad_arguments(kwargs, message):
    arguments = {"total_steps": 100} | kwargs
    with pytest.raises(ValueError, match=f"^{message}"):
        one_cycle_momentum_schedule(**arguments)
