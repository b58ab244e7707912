"""One-cycle, warm restarts and WSD: formulas, huge steps, transformations, validation.

The comparisons with PyTorch are in test_schedule_family_vs_torch.py; here the
references are the formulas themselves, with positions as exact fractions and
the float64 arithmetic written without cancellation, so that they stay
accurate where a rate is tiny beside its span.
"""

import math
from fractions import Fraction

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from test_schedules_dtypes import (
    INTEGER_TYPES,
    assert_float_types_like_optax,
    rate_of,
)

from lr_scheduling.schedules import (
    one_cycle_momentum_schedule,
    one_cycle_schedule,
    warm_restarts_schedule,
    wsd_schedule,
)

RTOL = 1e-6  # float32 values against float64 references


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


def between(begin: float, end: float, done: Fraction, shape: str) -> float:
    return end + (begin - end) * start_weight(done, shape)


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


def values(schedule, steps) -> np.ndarray:
    return np.array([float(schedule(int(step))) for step in steps])


# --- WSD: formulas at hand-computed points -----------------------------------

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


# --- huge steps ----------------------------------------------------------------


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


@pytest.mark.parametrize("mult", [1, 2, 3])
def test_warm_restarts_exact_at_huge_steps(mult):
    first = 7
    schedule = warm_restarts_schedule(0.1, first, mult, 0.001)
    # Each cycle's start, the step before it, and the largest int32.
    restarts = [
        first * (mult**n - 1) // (mult - 1) if mult > 1 else first * n
        for n in (5, 12, 19)
    ]
    steps = [s + d for s in restarts for d in (-1, 0, 1)] + [2**31 - 2, 2**31 - 1]
    steps = [s for s in steps if s < 2**31]
    expected = [exact_warm_restarts(s, 0.1, first, mult, 0.001) for s in steps]
    jitted = jax.jit(schedule)(jnp.asarray(steps, dtype=jnp.int32))
    np.testing.assert_allclose(jitted, expected, rtol=RTOL)
    np.testing.assert_allclose(values(schedule, steps), expected, rtol=RTOL)
    for step in [10**12, 10**12 + 1, 2**63 - 1, 2**100]:
        expected = exact_warm_restarts(step, 0.1, first, mult, 0.001)
        assert float(schedule(step)) == pytest.approx(expected, rel=RTOL), step
    with jax.enable_x64(True):
        big = [10**12, 10**15 + 3, 2**62]
        expected = [exact_warm_restarts(s, 0.1, first, mult, 0.001) for s in big]
        got = jax.jit(schedule)(jnp.asarray(big, dtype=jnp.int64))
        assert got.dtype == jnp.float64
        np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_warm_restarts_restart_exactly_at_every_cycle_start():
    # Where the float logarithm is a hair off (T_0 = 1, T_mult = 3 at 121,
    # T_0 = 3, T_mult = 10 at 333), the integer comparisons still restart.
    for first, mult in [(1, 3), (2, 3), (3, 10), (1, 2), (5, 7)]:
        schedule = warm_restarts_schedule(1.0, first, mult, 0.0)
        starts = [first * (mult**n - 1) // (mult - 1) for n in range(1, 40)]
        int32_starts = [s for s in starts if s < 2**31]
        np.testing.assert_array_equal(values(schedule, starts), 1.0)
        np.testing.assert_array_equal(
            jax.jit(schedule)(jnp.asarray(int32_starts, dtype=jnp.int32)), 1.0
        )
        before = [s - 1 for s in int32_starts]  # the last step of each cycle
        expected = [exact_warm_restarts(s, 1.0, first, mult, 0.0) for s in before]
        np.testing.assert_allclose(values(schedule, before), expected, rtol=RTOL)


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


# --- integer steps of every type, and bounds ---------------------------------


def family(name: str, data):
    """A schedule of the family with drawn arguments, and its exact reference."""
    if name == "one_cycle":
        total = data.draw(st.integers(1, 10**7))
        three = data.draw(st.booleans())
        pct = data.draw(st.floats(0.0, 0.5 if three else 1.0))
        shape = data.draw(st.sampled_from(["cos", "linear"]))
        assume(float(pct * total) != 1.0)  # a phase of no length: see the docs
        top = data.draw(st.floats(0.0, 10.0))
        schedule = one_cycle_schedule(top, total, pct, shape, three_phase=three)
        rates = one_cycle_rates(top, three=three)
        bounds = (min(rates), top)

        def reference(step):
            return exact_one_cycle(step, rates, total, pct, shape, three)

    elif name == "warm_restarts":
        first = data.draw(st.integers(1, 10**6))
        mult = data.draw(st.integers(1, 5))
        low = data.draw(st.floats(0.0, 1.0))
        top = low + data.draw(st.floats(0.0, 1.0))
        schedule = warm_restarts_schedule(top, first, mult, low)
        bounds = (low, top)

        def reference(step):
            return exact_warm_restarts(step, top, first, mult, low)

    else:
        total = data.draw(st.integers(1, 2**40))
        warmup = data.draw(st.integers(0, total))
        decay = data.draw(st.integers(0, total - warmup))
        shape = data.draw(st.sampled_from(["linear", "cosine", "1-sqrt"]))
        peak = data.draw(st.floats(0.0, 10.0))
        init = data.draw(st.floats(0.0, peak))
        end = data.draw(st.floats(0.0, peak))
        schedule = wsd_schedule(peak, total, warmup, decay, shape, init, end)
        bounds = (min(init, end), peak)

        def reference(step):
            return exact_wsd(step, peak, total, warmup, decay, shape, init, end)

    return schedule, bounds, reference


@settings(max_examples=300, deadline=None)
@given(
    data=st.data(),
    name=st.sampled_from(["one_cycle", "warm_restarts", "wsd"]),
    dtype=st.sampled_from(INTEGER_TYPES),
    how=st.sampled_from(["numpy", "numpy array", "jax", "jit"]),
    x64=st.booleans(),
)
def test_integer_steps_of_every_type_are_exact_and_within_bounds(
    data, name, dtype, how, x64
):
    info = np.iinfo(dtype)
    assume(how.startswith("numpy") or x64 or info.bits < 64)  # JAX needs x64
    step = data.draw(
        st.one_of(
            st.integers(int(info.min), int(info.max)),
            st.integers(max(int(info.min), -10), min(int(info.max), 10**6)),
        )
    )
    with jax.enable_x64(x64):
        schedule, (low, high), reference = family(name, data)
        rate = rate_of(schedule, step, dtype, how)
    tolerance = RTOL * max(high, 1e-30)
    assert low - tolerance <= rate <= high + tolerance
    assert rate == pytest.approx(reference(step), rel=RTOL, abs=1e-30)


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
    # The paper's policy (three_phase): the fall to initial_lr mirrors the
    # rise about the peak at pct * T - 1, a whole step for these (dyadic)
    # fractions of a multiple of 8.
    total = 8 * eighths
    peak = int(pct * total) - 1
    assume(peak >= 1)
    step = data.draw(st.integers(0, peak))
    schedule = one_cycle_schedule(1.0, total, pct, "linear", three_phase=True)
    rising, falling = float(schedule(step)), float(schedule(2 * peak - step))
    assert falling == pytest.approx(rising, rel=RTOL)


# --- the float type ------------------------------------------------------------

SCHEDULES = {
    "one_cycle": lambda: one_cycle_schedule(0.1, 100),
    "one_cycle_three_linear": lambda: one_cycle_schedule(
        0.1, 100, 0.25, "linear", three_phase=True
    ),
    "one_cycle_momentum": lambda: one_cycle_momentum_schedule(100),
    "warm_restarts": lambda: warm_restarts_schedule(0.1, 10),
    "warm_restarts_mult": lambda: warm_restarts_schedule(0.1, 3, 2, 0.001),
    "wsd": lambda: wsd_schedule(0.1, 100, 10, 20),
}


@pytest.mark.parametrize("x64", [False, True], ids=["x32", "x64"])
@pytest.mark.parametrize("jit", [False, True], ids=["eager", "jit"])
@pytest.mark.parametrize("name", SCHEDULES)
def test_value_has_the_float_type_optax_gives(name, jit, x64):
    assert_float_types_like_optax(SCHEDULES[name], jit, x64)


@pytest.mark.parametrize("name", SCHEDULES)
def test_x64_keeps_a_float32_training_float32(name):
    with jax.enable_x64(True):
        schedule = SCHEDULES[name]()
        tx = optax.inject_hyperparams(optax.sgd)(learning_rate=schedule)
        params = jnp.zeros(3, jnp.float32)
        state = tx.init(params)
        updates, state = jax.jit(tx.update)(jnp.ones(3, jnp.float32), state, params)
        assert updates.dtype == jnp.float32
        assert state.hyperparams["learning_rate"].dtype == jnp.float32


@pytest.mark.parametrize("dtype", [jnp.float16, jnp.bfloat16])
def test_half_precision_steps_give_float32(dtype):
    schedule = wsd_schedule(0.1, 100_000, 1000, 50_000)
    steps = jnp.asarray([0, 500, 30_000, 60_000], dtype=dtype)  # float16 < 65504
    rates = schedule(steps)
    assert rates.dtype == jnp.float32
    represented = [int(s) for s in np.asarray(steps, dtype=np.float64)]
    expected = [exact_wsd(s, 0.1, 100_000, 1000, 50_000, "1-sqrt") for s in represented]
    np.testing.assert_allclose(rates, expected, rtol=RTOL)


# --- JAX transformations and Optax ---------------------------------------------


@pytest.mark.parametrize("name", SCHEDULES)
def test_eager_jit_vmap_and_arrays_agree(name):
    schedule = SCHEDULES[name]()
    steps = np.arange(120)
    eager = values(schedule, steps)
    np.testing.assert_allclose(jax.jit(schedule)(jnp.asarray(steps)), eager, rtol=RTOL)
    np.testing.assert_allclose(jax.vmap(schedule)(jnp.asarray(steps)), eager, rtol=RTOL)
    np.testing.assert_allclose(schedule(steps), eager, rtol=RTOL)
    grid = schedule(jnp.asarray(steps).reshape(10, 12))
    assert grid.shape == (10, 12)
    np.testing.assert_allclose(grid.ravel(), eager, rtol=RTOL)
    float_steps = schedule(jnp.asarray(steps, dtype=jnp.float32))
    np.testing.assert_allclose(float_steps, eager, rtol=RTOL)


def test_float_steps_in_schedules_longer_than_int32():
    # Boundaries beyond int32 are compared with float steps as floats (JAX
    # takes a Python int only within int32). 2.5e11 is exact in float32.
    cases = [
        (one_cycle_schedule(0.1, 10**12, three_phase=True), 250_000_000_000),
        (wsd_schedule(0.1, 10**12, 10**6, 10**11), 950_000_000_000),
        (warm_restarts_schedule(0.1, 10**11, 3), 150_000_000_000),
    ]
    for schedule, step in cases:
        exact = float(schedule(step))
        assert float(schedule(jnp.float32(step))) == pytest.approx(exact, rel=RTOL)
        assert float(jax.jit(schedule)(float(step))) == pytest.approx(exact, rel=RTOL)


def test_vmap_and_grad_over_the_rates():
    tops = jnp.array([0.1, 0.2, 0.4])
    # The rate is linear in max_lr: step 10 of 100 is at 0.1 * tops (two phases).
    one_cycle = jax.vmap(lambda top: one_cycle_schedule(top, 100)(10))(tops)
    expected = float(one_cycle_schedule(1.0, 100)(10))
    np.testing.assert_allclose(one_cycle, np.asarray(tops) * expected, rtol=RTOL)
    grad = jax.grad(lambda top: one_cycle_schedule(top, 100)(10))(0.3)
    assert float(grad) == pytest.approx(expected, rel=RTOL)
    # Warm restarts: halfway through the first cycle, (max + min) / 2.
    lows = jnp.array([0.0, 0.01])
    restarts = jax.vmap(lambda top, low: warm_restarts_schedule(top, 10, 2, low)(5))
    np.testing.assert_allclose(restarts(tops[:2], lows), [0.05, 0.105], rtol=RTOL)
    # WSD: the warmup's third step of ten, 0.3 * peak.
    wsd = jax.vmap(lambda peak: wsd_schedule(peak, 100, 10, 20)(3))(tops)
    np.testing.assert_allclose(wsd, 0.3 * np.asarray(tops), rtol=RTOL)
    bases = jnp.array([0.8, 0.85])
    momenta = jax.vmap(lambda base: one_cycle_momentum_schedule(100, base, 0.95)(29))
    np.testing.assert_allclose(momenta(bases), [0.8, 0.85], rtol=RTOL)


def test_rates_as_arrays_broadcast_with_the_steps():
    schedule = wsd_schedule(jnp.array([0.1, 0.2]), 10, 2, 4, "linear")
    grid = schedule(jnp.arange(11)[:, None])
    assert grid.shape == (11, 2)
    np.testing.assert_allclose(
        grid[:, 1], [0, 0.1] + [0.2] * 5 + [0.15, 0.1, 0.05, 0], atol=1e-7
    )


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


def test_errors_come_at_creation_and_counts_must_be_static():
    with pytest.raises(ValueError, match="^total_steps must be a static integer"):
        jax.jit(lambda total: one_cycle_schedule(0.1, total)(3))(10)
    with pytest.raises(ValueError, match="^first_cycle_steps must be a static integer"):
        jax.jit(lambda first: warm_restarts_schedule(0.1, first)(3))(10)
    with pytest.raises(ValueError, match="^warmup_steps must be a static integer"):
        jax.jit(lambda warmup: wsd_schedule(0.1, 100, warmup, 10)(3))(10)
    schedule = one_cycle_schedule(0.1, 100)
    assert jax.jit(schedule).lower(jnp.int32(0)) is not None


# --- validation ------------------------------------------------------------------

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


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"max_lr": -1.0}, "max_lr must be finite and >= 0, got -1.0"),
        ({"min_lr": 0.5}, "min_lr must be <= max_lr, got min_lr=0.5, max_lr=0.1"),
        ({"min_lr": nan}, "min_lr must be finite and >= 0, got nan"),
        (
            {"first_cycle_steps": 0},
            "first_cycle_steps must be a positive integer, got 0",
        ),
        (
            {"first_cycle_steps": 2.5},
            "first_cycle_steps must be a positive integer, got 2.5",
        ),
        ({"cycle_mult": 0}, "cycle_mult must be a positive integer, got 0"),
        ({"cycle_mult": 1.5}, "cycle_mult must be a positive integer, got 1.5"),
        ({"cycle_mult": 2.0}, "cycle_mult must be a positive integer, got 2.0"),
        (
            {"cycle_mult": np.True_},
            "cycle_mult must be a positive integer, got np.True_",
        ),
    ],
)
def test_warm_restarts_reject_bad_arguments(kwargs, message):
    arguments = {"max_lr": 0.1, "first_cycle_steps": 10} | kwargs
    with pytest.raises(ValueError, match=f"^{message}"):
        warm_restarts_schedule(**arguments)


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


def test_numpy_and_jax_integers_are_accepted_as_counts():
    expected = values(wsd_schedule(0.1, 100, 10, 20), range(0, 101, 7))
    got = wsd_schedule(0.1, np.int64(100), jnp.int32(10), np.uint8(20))
    assert got.total_steps == 100 and type(got.warmup_steps) is int
    np.testing.assert_allclose(values(got, range(0, 101, 7)), expected, rtol=RTOL)
    schedule = one_cycle_schedule(0.1, np.int32(50), pct_start=np.float32(0.25))
    assert (
        schedule.phases.pct_start == 0.25 and type(schedule.phases.pct_start) is float
    )
    assert warm_restarts_schedule(0.1, np.int16(3), np.int64(2)).cycle_mult == 2
