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
