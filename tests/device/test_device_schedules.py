"""Schedules jitted on the device at huge steps, against exact values and the CPU."""

import jax
import numpy as np
import pytest
from device_checks import exact_triangular, relative_difference

from lr_scheduling import create_triangular_schedule, cyclical_schedule

# Up to the largest int32 step, past float32's exact integers (2**24).
STEPS = np.array([0, 498, 996, 2**24 + 1, 2**31 - 2, 2**31 - 1], dtype=np.int32)


def test_triangular_at_huge_steps_matches_exact_rationals(device, option):
    schedule = create_triangular_schedule(0.003, 0.03, 997)
    got = np.asarray(jax.jit(schedule)(jax.device_put(STEPS, device)))
    want = [exact_triangular(int(step), 0.003, 0.03, 997) for step in STEPS]
    assert relative_difference(got, want) <= option("schedule-rtol"), got


@pytest.mark.parametrize(
    ("mode", "gamma"),
    [("triangular", 1.0), ("triangular2", 1.0), ("exp_range", 0.9999)],
)
def test_cyclical_modes_on_the_device_match_the_cpu(device, cpu, option, mode, gamma):
    schedule = cyclical_schedule(0.001, 0.1, 2000, 3000, mode=mode, gamma=gamma)
    here = jax.jit(schedule)(jax.device_put(STEPS, device))
    there = jax.jit(schedule)(jax.device_put(STEPS, cpu))
    assert here.devices() == {device}
    # exp_range's gamma ** step rounds differently on each backend: 10x looser.
    rtol = option("schedule-rtol") * 10
    assert relative_difference(here, there) <= rtol, (here, there)
