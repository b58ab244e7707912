"""Step handling (_steps): integer steps of every type, float steps, exactly."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from schedule_references import (
    INTEGER_TYPES,
    RTOL,
    exact_one_cycle,
    exact_warm_restarts,
    exact_wsd,
    one_cycle_rates,
    rate_of,
)

from lr_scheduling import (
    create_triangular_schedule,
    cycle_position,
    one_cycle_schedule,
    warm_restarts_schedule,
    wsd_schedule,
)


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


def test_a_warmup_from_a_tiny_start_begins_at_that_start():
    # Found by the test above: the reference lost the start, 1.58e-27, to
    # cancellation against the peak (1e-27 - 1 + 1 is 0 in floats); the
    # schedule had it right.
    init = 1.5834626832252527e-27
    schedule = wsd_schedule(1.0, 1, 1, 0, "linear", init, 0.0)
    assert exact_wsd(0, 1.0, 1, 1, 0, "linear", init, 0.0) == init
    assert float(schedule(np.uint8(0))) == pytest.approx(init, rel=RTOL)
    assert float(schedule(1)) == 0.0


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


# --- cycle_position: one classifier for every kind of step -----------------------


@pytest.mark.parametrize(
    "step, period, position, cycles",
    [
        (2**31 - 1, 1000, 647, 2147483),  # a Python int
        (2**70 + 3, 10, (2**70 + 3) % 10, None),  # beyond any integer type
        (np.int64(10**15 + 7), 10, 7, None),  # NumPy, divided on the host
        (jnp.int8(-3), 200, 197, -1),  # widened: int8 cannot hold 200
        (jnp.uint16(65535), 4, 3, 16383),
        (jnp.float32(2.5), 4, 2.5, 0),
        (-1, 4, 3, -1),  # negative steps count cycles backwards
    ],
)
def test_cycle_position_of_every_kind_of_step(step, period, position, cycles):
    got_position, got_cycles = cycle_position(step, period)
    assert float(got_position) == position
    if cycles is not None:
        assert float(got_cycles) == cycles


def test_a_fractional_period_is_divided_as_cycliclr_divides_it():
    # 21 / 1.05 rounds to 20.0 in float64: step 21 starts cycle 20, although
    # the exact remainder of 21 by the double nearest 1.05 is just below 1.05.
    position, cycles = cycle_position(21, 1.05)
    assert (float(position), float(cycles)) == (0.0, 20.0)
    position, cycles = cycle_position(jnp.float32(21.0), 1.05)
    assert float(cycles) == 20.0 and float(position) == pytest.approx(0.0, abs=1e-5)
    # A whole period given as a float divides integers exactly.
    position, _ = cycle_position(jnp.int32(2**31 - 1), 1000.0)
    assert float(position) == 647


@pytest.mark.parametrize(
    "schedule, step, slope",
    [
        (lambda s: cycle_position(s, 4)[0], 4.0, 1.0),  # a cycle's start
        (create_triangular_schedule(0.0, 1.0, 4), 4.0, 0.5),  # the rise, 1 / 2
        (create_triangular_schedule(0.0, 1.0, 4), 2.0, 0.5),  # the peak: the rise
        (wsd_schedule(1.0, 20, 4, 6, "linear"), 0.0, 0.25),  # the warmup, 1 / 4
        (wsd_schedule(1.0, 20, 4, 6, "linear"), 20.0, -1 / 6),  # the cooldown's end
        (one_cycle_schedule(1.0, 10, 0.5, "linear", div_factor=2.0), 0.0, 0.125),
    ],
    ids=[
        "cycle_position",
        "cycle_start",
        "peak",
        "warmup",
        "cooldown_end",
        "one_cycle",
    ],
)
def test_a_float_step_on_a_bound_keeps_one_sides_gradient(schedule, step, slope):
    # jnp.clip (and jnp.maximum) give half the slope at a tie; the steps are
    # clamped with jnp.where, so a step on a bound keeps its side's slope.
    assert float(jax.grad(schedule)(step)) == pytest.approx(slope, rel=RTOL)
