"""warm_restarts_schedule: restarts at huge steps, exactly, and checks."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from schedule_references import (
    RTOL,
    exact_warm_restarts,
    values,
)

from lr_scheduling import (
    warm_restarts_schedule,
)


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


nan, inf = float("nan"), float("inf")


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
