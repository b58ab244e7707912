"""wsd_schedule: each cooldown shape, phase boundaries, accuracy, huge steps, checks."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from schedule_references import (
    RTOL,
    exact_wsd,
    values,
)

from lr_scheduling import (
    wsd_schedule,
)

# peak 2.0, end 0.2: value = 0.2 + 1.8 * f(p) over a 300-step cooldown from
# step 700 to 1000, after a 100-step warmup from 0.5.
HAND = {
    "linear": [(0, 1.0), (75, 0.75), (150, 0.5), (240, 0.2), (300, 0.0)],
    # (1 + cos(pi p)) / 2: cos(pi / 3) = 1/2, cos(pi / 2) = 0, cos(2 pi / 3) = -1/2
    "cosine": [(0, 1.0), (100, 0.75), (150, 0.5), (200, 0.25), (300, 0.0)],
    # 1 - sqrt(p): sqrt(0.04) = 0.2, sqrt(0.25) = 0.5, sqrt(0.81) = 0.9
    "1-sqrt": [(0, 1.0), (12, 0.8), (75, 0.5), (243, 0.1), (300, 0.0)],
}


@pytest.mark.parametrize("shape", HAND)
def test_wsd_each_shape_at_hand_computed_points(shape):
    schedule = wsd_schedule(2.0, 1000, 100, 300, shape, init_value=0.5, end_value=0.2)
    for into_decay, weight in HAND[shape]:
        expected = 0.2 + 1.8 * weight
        assert float(schedule(700 + into_decay)) == pytest.approx(expected, rel=RTOL)
    # The warmup: 0.5 + 1.5 * step / 100.
    np.testing.assert_allclose(
        values(schedule, [0, 10, 50, 99, 100]),
        [0.5, 0.65, 1.25, 1.985, 2.0],
        rtol=RTOL,
    )


@pytest.mark.parametrize("shape", ["linear", "cosine", "1-sqrt"])
def test_wsd_matches_the_plain_formulas_in_float64(shape):
    # The textbook forms, (1 + cos(pi p)) / 2 and 1 - sqrt(p), away from p = 1
    # where they cancel.
    plain = {
        "linear": lambda p: 1 - p,
        "cosine": lambda p: (1 + math.cos(math.pi * p)) / 2,
        "1-sqrt": lambda p: 1 - math.sqrt(p),
    }[shape]
    schedule = wsd_schedule(0.3, 500, 50, 200, shape, end_value=0.01)
    steps = np.arange(300, 480)
    expected = [0.01 + (0.3 - 0.01) * plain((s - 300) / 200) for s in steps]
    np.testing.assert_allclose(schedule(steps), expected, rtol=RTOL)


@pytest.mark.parametrize("shape", ["linear", "cosine", "1-sqrt"])
def test_wsd_boundaries_and_after_the_end(shape):
    schedule = wsd_schedule(0.1, 50, 10, 20, shape, init_value=0.01, end_value=0.001)
    at = {
        -5: 0.01,
        0: 0.01,
        9: 0.01 + 0.09 * 0.9,
        10: 0.1,
        29: 0.1,
        30: 0.1,  # the cooldown's first step, p = 0
        50: 0.001,
        51: 0.001,
        10**9: 0.001,
    }
    np.testing.assert_allclose(values(schedule, at), list(at.values()), rtol=RTOL)
    last = exact_wsd(49, 0.1, 50, 10, 20, shape, 0.01, 0.001)
    assert float(schedule(49)) == pytest.approx(last, rel=RTOL)
    assert 0.001 < last < 0.1


def test_wsd_without_warmup_or_cooldown():
    no_warmup = wsd_schedule(0.1, 10, 0, 4, "linear")
    np.testing.assert_allclose(
        values(no_warmup, range(12)),
        [0.1] * 7 + [0.075, 0.05, 0.025, 0.0, 0.0],
        rtol=RTOL,
        atol=1e-12,
    )
    # No cooldown: the rate drops to end_value at total_steps.
    no_decay = wsd_schedule(0.1, 10, 2, 0, end_value=0.02)
    np.testing.assert_allclose(
        values(no_decay, range(12)),
        [0.0, 0.05] + [0.1] * 8 + [0.02, 0.02],
        rtol=RTOL,
    )
    # Warmup straight into cooldown: no stable phase.
    no_stable = wsd_schedule(1.0, 4, 2, 2, "linear")
    np.testing.assert_allclose(
        values(no_stable, range(5)), [0.0, 0.5, 1.0, 0.5, 0.0], rtol=RTOL
    )
    only_step = wsd_schedule(1.0, 1, 0, 1, "cosine", end_value=0.5)
    np.testing.assert_allclose(values(only_step, range(3)), [1.0, 0.5, 0.5])


@pytest.mark.parametrize("shape", ["linear", "cosine", "1-sqrt"])
def test_wsd_is_accurate_where_the_cooldown_nears_zero(shape):
    # A 10**6-step cooldown to 0: the last steps' rates are 1e-12 (1-sqrt
    # 5e-7), far below float32's resolution of the peak.
    total, decay = 2 * 10**6, 10**6
    schedule = wsd_schedule(1.0, total, 0, decay, shape)
    steps = [total - 1, total - 2, total - 1000, total - decay // 2]
    expected = [exact_wsd(s, 1.0, total, 0, decay, shape) for s in steps]
    np.testing.assert_allclose(values(schedule, steps), expected, rtol=RTOL)
    jitted = jax.jit(schedule)(jnp.asarray(steps, dtype=jnp.int32))
    np.testing.assert_allclose(jitted, expected, rtol=RTOL)


def test_wsd_exact_at_huge_steps():
    total, warmup, decay = 10**12, 2**31 + 5, 10**11
    schedule = wsd_schedule(0.1, total, warmup, decay, "1-sqrt", 0.01, 0.001)
    cooldown = total - decay
    steps = [0, 2**31 - 1, warmup - 1, warmup, cooldown - 1, cooldown]
    steps += [cooldown + 1, total - 1, total, 2**64]
    for step in steps:
        expected = exact_wsd(step, 0.1, total, warmup, decay, "1-sqrt", 0.01, 0.001)
        assert float(schedule(step)) == pytest.approx(expected, rel=RTOL), step
    # int32 steps stay within the warmup, which is longer than int32.
    int32_steps = [1, 2**24 + 1, 2**31 - 1]
    expected = [0.01 + 0.09 * s / warmup for s in int32_steps]
    got = jax.jit(schedule)(jnp.asarray(int32_steps, dtype=jnp.int32))
    np.testing.assert_allclose(got, expected, rtol=RTOL)


def test_rates_as_arrays_broadcast_with_the_steps():
    schedule = wsd_schedule(jnp.array([0.1, 0.2]), 10, 2, 4, "linear")
    grid = schedule(jnp.arange(11)[:, None])
    assert grid.shape == (11, 2)
    np.testing.assert_allclose(
        grid[:, 1], [0, 0.1] + [0.2] * 5 + [0.15, 0.1, 0.05, 0], atol=1e-7
    )


nan, inf = float("nan"), float("inf")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"peak_value": -0.1}, "peak_value must be finite and >= 0, got -0.1"),
        ({"init_value": 0.5}, "init_value must be <= peak_value, got init_value=0.5"),
        ({"end_value": 0.5}, "end_value must be <= peak_value, got end_value=0.5"),
        ({"end_value": inf}, "end_value must be finite and >= 0, got inf"),
        ({"total_steps": 0}, "total_steps must be a positive integer, got 0"),
        ({"warmup_steps": -1}, "warmup_steps must be an integer >= 0, got -1"),
        ({"warmup_steps": 1.0}, "warmup_steps must be an integer >= 0, got 1.0"),
        ({"warmup_steps": None}, "warmup_steps must be an integer >= 0, got None"),
        ({"decay_steps": -5}, "decay_steps must be an integer >= 0, got -5"),
        ({"decay_steps": False}, "decay_steps must be an integer >= 0, got False"),
        (
            {"warmup_steps": 60, "decay_steps": 41},
            "warmup_steps \\+ decay_steps must be <= total_steps, got "
            "warmup_steps=60, decay_steps=41, total_steps=100",
        ),
        (
            {"decay_shape": "sqrt"},
            r"decay_shape must be one of \('linear', 'cosine', '1-sqrt'\), got 'sqrt'",
        ),
        ({"decay_shape": "cos"}, r"decay_shape must be one of .*got 'cos'"),
    ],
)
def test_wsd_rejects_bad_arguments(kwargs, message):
    arguments = {
        "peak_value": 0.1,
        "total_steps": 100,
        "warmup_steps": 10,
        "decay_steps": 20,
    } | kwargs
    with pytest.raises(ValueError, match=f"^{message}"):
        wsd_schedule(**arguments)


@pytest.mark.parametrize("dtype", [jnp.float16, jnp.bfloat16])
def test_wsd_half_precision_steps_give_float32(dtype):
    schedule = wsd_schedule(0.1, 100_000, 1000, 50_000)
    steps = jnp.asarray([0, 500, 30_000, 60_000], dtype=dtype)  # float16 < 65504
    rates = schedule(steps)
    assert rates.dtype == jnp.float32
    represented = [int(s) for s in np.asarray(steps, dtype=np.float64)]
    expected = [exact_wsd(s, 0.1, 100_000, 1000, 50_000, "1-sqrt") for s in represented]
    np.testing.assert_allclose(rates, expected, rtol=RTOL)
