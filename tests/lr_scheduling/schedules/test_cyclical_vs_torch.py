"""cyclical_schedule and cyclical_momentum_schedule against the real CyclicLR."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from schedule_references import (
    RTOL,
)
from torch_oracles import (
    CYCLIC_CASES,
    torch_cyclic_momenta,
    torch_rates,
)

from lr_scheduling import (
    cyclical_momentum_schedule,
    cyclical_schedule,
)


@pytest.mark.parametrize("case", CYCLIC_CASES.values(), ids=CYCLIC_CASES.keys())
def test_modes_match_cycliclr(case):
    expected = torch_rates(120, base_lr=0.01, max_lr=0.1, **case)
    schedule = cyclical_schedule(0.01, 0.1, **case)
    got = np.asarray(schedule(np.arange(120)))
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-9)
    # Under jit the steps are int32. A whole period divides them exactly; a
    # fractional one (1.5 + 2.25) divides them in float32, where the position
    # is off by up to step * 2**-24.
    up = case["step_size_up"]
    whole = float(up + case.get("step_size_down", up)).is_integer()
    jitted = jax.jit(schedule)(jnp.arange(120, dtype=jnp.int32))
    atol = 1e-9 if whole else 1e-7
    np.testing.assert_allclose(jitted, expected, rtol=1e-6, atol=atol)


@pytest.mark.parametrize(
    "case, rates",
    [
        ({"step_size_up": 4.0}, [0.01, 0.0325, 0.055, 0.0775, 0.1, 0.0775]),
        ({"step_size_up": 2.5}, [0.01, 0.046, 0.082, 0.082, 0.046, 0.01]),
        (
            {"step_size_up": 4, "step_size_down": 0},
            [0.01, 0.0325, 0.055, 0.0775, 0.01, 0.0325],
        ),
    ],
    ids=["up_4.0", "up_2.5", "down_0"],
)
def test_sizes_that_used_to_be_rejected(case, rates):
    # The values measured from torch 2.13's CyclicLR, base 0.01, max 0.1.
    np.testing.assert_allclose(torch_rates(6, base_lr=0.01, max_lr=0.1, **case), rates)
    schedule = cyclical_schedule(0.01, 0.1, **case)
    np.testing.assert_allclose(schedule(np.arange(6)), rates, rtol=1e-6)


@pytest.mark.parametrize(
    "case",
    [
        {"step_size_up": 4.0, "step_size_down": 2},
        {"step_size_up": 2.5, "step_size_down": 2.5},
    ],
    ids=["whole_float", "halves_make_a_whole_period"],
)
def test_whole_periods_keep_exact_integer_arithmetic(case):
    # A float32 step is not exact past 2**24; the integer division still is.
    schedule = cyclical_schedule(0.01, 0.1, **case)
    period = int(case["step_size_up"] + case["step_size_down"])
    for step in [2**31 - 1, 2**31 - 2, 2**24 + 1]:
        rate = float(jax.jit(schedule)(jnp.int32(step)))
        assert rate == pytest.approx(float(schedule(step % period)), rel=1e-6)


def test_zero_and_nan_sizes_fail_in_both():
    nan = float("nan")
    with pytest.raises(ZeroDivisionError):
        torch_rates(3, base_lr=0.01, max_lr=0.1, step_size_up=0, step_size_down=4)
    with pytest.raises(ValueError, match="step_size_up must be a finite number > 0"):
        cyclical_schedule(0.01, 0.1, step_size_up=0, step_size_down=4)
    with pytest.raises(ValueError, match="cannot convert float NaN"):
        torch_rates(3, base_lr=0.01, max_lr=0.1, step_size_up=4, step_size_down=nan)
    with pytest.raises(ValueError, match="step_size_down must be a finite number"):
        cyclical_schedule(0.01, 0.1, step_size_up=4, step_size_down=nan)


@pytest.mark.parametrize("scale_mode", ["cycle", "iterations"])
def test_custom_scale_fn_matches_cycliclr(scale_mode):
    def torch_scale(x):
        return 1.0 / (1.0 + 0.1 * x)

    def jax_scale(x):  # the same function, written for arrays
        return 1.0 / (1.0 + 0.1 * x)

    case = {"step_size_up": 3, "step_size_down": 4, "scale_mode": scale_mode}
    expected = torch_rates(50, base_lr=0.02, max_lr=0.2, scale_fn=torch_scale, **case)
    schedule = cyclical_schedule(0.02, 0.2, scale_fn=jax_scale, **case)
    np.testing.assert_allclose(schedule(np.arange(50)), expected, rtol=1e-6)


SIZES = st.one_of(
    st.integers(min_value=1, max_value=12),
    st.floats(min_value=0.05, max_value=12.0, allow_subnormal=False),
)


@settings(max_examples=40, deadline=None)
@given(
    up=SIZES,
    down=st.one_of(st.none(), st.just(0), st.just(0.0), SIZES),
    mode=st.sampled_from(["triangular", "triangular2", "exp_range"]),
    gamma=st.floats(min_value=0.9, max_value=1.05),
)
# Found by CI: a 0.0625-step fall magnifies the position's float32 rounding.
@example(up=4.172451030032146, down=0.0625, mode="triangular", gamma=1.0)
def test_random_sizes_match_cycliclr(up, down, mode, gamma):
    case = {"step_size_up": up, "step_size_down": down, "mode": mode, "gamma": gamma}
    schedule = cyclical_schedule(0.01, 0.1, **case)
    try:
        expected = torch_rates(80, base_lr=0.01, max_lr=0.1, **case)
    except OverflowError:  # 2.0 ** (cycle - 1) past 1024 cycles: a listed difference
        assert mode == "triangular2"
        rates = np.asarray(schedule(np.arange(80)))
        assert np.all((rates >= 0.01 * (1 - 1e-6)) & (rates <= 0.1 * (1 + 1e-6)))
        return
    # A fractional period leaves a float32 position, off by up to an ulp of
    # the period. Dividing by a phase's length scales that error by
    # period / length (16x for a 0.0625-step phase), then by the rate range
    # and by the scale, which exp_range grows to gamma**79 when gamma > 1.
    down_size = up if down is None else down
    period = float(up + down_size)
    shortest = min(size for size in (up, down_size) if size > 0)
    ulp_error = 2.0**-23 * period / shortest * (0.1 - 0.01)
    atol = 1e-9 if period.is_integer() else 1e-9 + ulp_error * max(1.0, gamma) ** 80
    np.testing.assert_allclose(schedule(np.arange(80)), expected, rtol=1e-6, atol=atol)


@pytest.mark.parametrize(
    "up, step",
    [(1.05, 21), (10.1, 101), (8.8, 132), (4.9, 147), (0.1, 3), (0.3, 3)],
)
def test_sawtooth_jumps_where_cycliclr_does(up, step):
    # At a sawtooth's jump the rounding of step / period decides the side:
    # 21 / 1.05 rounds to 20.0, a cycle's start, though the exact remainder
    # of 21 by the double 1.05 is just below 1.05; 132 / 8.8 rounds to just
    # below 15, the end of a cycle. Python and NumPy integer steps are divided
    # in float64, as CyclicLR divides them.
    expected = torch_rates(
        step + 1, base_lr=0.01, max_lr=0.1, step_size_up=up, step_size_down=0
    )[step]
    schedule = cyclical_schedule(0.01, 0.1, step_size_up=up, step_size_down=0)
    assert float(schedule(step)) == pytest.approx(expected, rel=1e-6)
    assert float(schedule(np.int64(step))) == pytest.approx(expected, rel=1e-6)
    assert float(schedule(np.arange(step + 1))[step]) == pytest.approx(
        expected, rel=1e-6
    )


def half(x):
    return 0.5 + 0 * x


@pytest.mark.parametrize(
    "case",
    [
        {"step_size_up": "4"},
        {"step_size_up": True},
        {"step_size_up": -2, "step_size_down": 5},
        {"step_size_up": float("inf")},
        {"step_size_up": 2, "base_lr": 0.5},
        {"step_size_up": 2, "mode": "exp_range", "gamma": -0.5},
        {"step_size_up": 4, "scale_fn": half, "scale_mode": "bogus"},
        {"step_size_up": 4, "scale_fn": half, "mode": "bogus"},
        {"step_size_up": 4, "mode": "exp_range", "scale_mode": "cycle"},
    ],
    ids=[
        "string_size",
        "bool_size",
        "negative_size",
        "inf_size",
        "base_above_max",
        "negative_gamma",
        "unknown_scale_mode",
        "unknown_mode_with_scale_fn",
        "scale_mode_with_mode",
    ],
)
def test_deliberate_differences_cycliclr_accepts_and_we_reject(case):
    # Each is listed in cyclical_schedule's docstring.
    arguments = {"base_lr": 0.01, "max_lr": 0.1} | case
    torch_rates(3, **arguments)  # CyclicLR runs (with odd or NaN rates)
    with pytest.raises(ValueError):
        cyclical_schedule(**arguments)


@pytest.mark.parametrize("kind", ["sgd", "adam"])
@pytest.mark.parametrize("case", CYCLIC_CASES.values(), ids=CYCLIC_CASES.keys())
def test_cyclical_momentum_matches_cycliclr(kind, case):
    # Every mode and step size of the rate's comparison, float sizes
    # included: momentum (SGD) or betas[0] (Adam, use_beta1) against the wave.
    expected = torch_cyclic_momenta(kind, 120, base_lr=0.01, max_lr=0.1, **case)
    momentum = cyclical_momentum_schedule(0.8, 0.9, **case)
    rate = cyclical_schedule(0.01, 0.1, **case)
    np.testing.assert_allclose(
        momentum(np.arange(120)), expected[:, 1], rtol=RTOL, atol=1e-9
    )
    np.testing.assert_allclose(
        rate(np.arange(120)), expected[:, 0], rtol=RTOL, atol=1e-9
    )
    # Under jit a fractional period divides int32 steps in float32 (see the
    # rate's comparison); the momentum's span is 0.1, as the rate's is.
    up = case["step_size_up"]
    whole = float(up + case.get("step_size_down", up)).is_integer()
    jitted = jax.jit(momentum)(jnp.arange(120, dtype=jnp.int32))
    atol = 1e-9 if whole else 1e-7
    np.testing.assert_allclose(jitted, expected[:, 1], rtol=RTOL, atol=atol)


@pytest.mark.parametrize("scale_mode", ["cycle", "iterations"])
def test_cyclical_momentum_with_a_scale_fn_matches_cycliclr(scale_mode):
    def scale(x):
        return 1.0 / (1.0 + 0.1 * x)

    case = {"step_size_up": 3, "step_size_down": 4, "scale_mode": scale_mode}
    expected = torch_cyclic_momenta(
        "sgd", 50, base_lr=0.02, max_lr=0.2, scale_fn=scale, **case
    )
    momentum = cyclical_momentum_schedule(0.8, 0.9, scale_fn=scale, **case)
    np.testing.assert_allclose(momentum(np.arange(50)), expected[:, 1], rtol=RTOL)
