"""Every policy's table is the library's (or Optax's) schedule, step by step."""

import numpy as np
import optax
import pytest

from lr_scheduling.schedules import (
    cyclical_schedule,
    one_cycle_momentum_schedule,
    one_cycle_schedule,
    wsd_schedule,
)
from reports.results.policies import SHAPES, fixed_policy, schedule_policy

STEPS, PEAK = 80, 0.08


def table(schedule):
    return np.asarray([float(schedule(step)) for step in range(STEPS)], np.float32)


EXPECTED = {
    "triangular": cyclical_schedule(PEAK / 4, PEAK, 10),
    "triangular2": cyclical_schedule(PEAK / 4, PEAK, 10, mode="triangular2"),
    "one-cycle": one_cycle_schedule(PEAK, STEPS),
    "warmup-cosine": optax.warmup_cosine_decay_schedule(0.0, PEAK, 8, STEPS),
    "wsd": wsd_schedule(PEAK, STEPS, 8, 16),
    "wsd-linear": wsd_schedule(PEAK, STEPS, 8, 16, "linear"),
    "wsd-cosine": wsd_schedule(PEAK, STEPS, 8, 16, "cosine"),
}


@pytest.mark.parametrize("shape", SHAPES)
def test_schedule_tables_are_the_real_schedules(shape):
    policy = schedule_policy(shape, PEAK, "range test", STEPS)
    # vmapped against eager: float32 cosines may differ in the last bit.
    np.testing.assert_allclose(policy.learning_rates, table(EXPECTED[shape]), rtol=1e-5)
    assert policy.key == f"{shape}@range test" and policy.peak == PEAK
    if shape == "one-cycle":
        expected = table(one_cycle_momentum_schedule(STEPS))
        np.testing.assert_allclose(policy.momenta, expected, rtol=1e-6)
    else:
        assert np.all(policy.momenta == np.float32(0.9))


def test_cyclical_tables_end_four_whole_cycles_at_the_base_rate():
    rates = schedule_policy("triangular", PEAK, "best fixed", STEPS).learning_rates
    np.testing.assert_allclose(rates[::20], PEAK / 4)
    assert rates.max() == np.float32(PEAK)


def test_fixed_and_unknown_shapes():
    policy = fixed_policy(0.1, 5)
    assert policy.key == "fixed 0.1" and np.all(
        policy.learning_rates == np.float32(0.1)
    )
    with pytest.raises(ValueError, match="shape must be one of .*got 'cosine'"):
        schedule_policy("cosine", 0.1, "range test", 8)
