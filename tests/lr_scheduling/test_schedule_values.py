"""Schedules are values: equality, hashing, pickling and jit's static arguments.

Every schedule of lr_scheduling.schedules is a frozen dataclass made by a
validating factory. Two made from equal arguments (Python or NumPy numbers,
normalised when they are made) compare and hash equal, so ``jax.jit`` with the
schedule as a static argument compiles once for both; a schedule survives a
pickle round trip with its values.
"""

import functools
import pickle

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from lr_scheduling.schedules import (
    create_triangular_schedule,
    cyclical_momentum_schedule,
    cyclical_schedule,
    one_cycle_momentum_schedule,
    one_cycle_schedule,
    warm_restarts_schedule,
    wsd_schedule,
)

# name: (factory, keyword arguments, the same given as NumPy numbers or
# spelled differently, and variations that must make a different schedule).
CASES = {
    "triangular": (
        create_triangular_schedule,
        {"lr_min": 0.001, "lr_max": 0.01, "steps_per_cycle": 10},
        {"lr_min": np.float64(0.001), "lr_max": 0.01, "steps_per_cycle": np.int64(10)},
        [{"lr_min": 0.002}, {"lr_max": 0.02}, {"steps_per_cycle": 11}],
    ),
    "cyclical": (
        cyclical_schedule,
        {"base_lr": 0.001, "max_lr": 0.01, "step_size_up": 4, "mode": "exp_range"},
        {
            "base_lr": 0.001,
            "max_lr": 0.01,
            "step_size_up": 4.0,  # a whole float is normalised to the int
            "step_size_down": 4,
            "mode": "exp_range",
            "scale_mode": "iterations",  # exp_range's own
        },
        [
            {"step_size_up": 5},
            {"step_size_down": 2},
            {"mode": "triangular2"},
            {"gamma": 0.99},
            {"max_lr": 0.02},
        ],
    ),
    "cyclical_momentum": (
        cyclical_momentum_schedule,
        {"base_momentum": 0.8, "max_momentum": 0.9, "step_size_up": 2.5},
        {"base_momentum": 0.8, "max_momentum": np.float64(0.9), "step_size_up": 2.5},
        [{"base_momentum": 0.85}, {"step_size_up": 3}, {"mode": "triangular2"}],
    ),
    "one_cycle": (
        one_cycle_schedule,
        {"max_lr": 0.1, "total_steps": 100, "three_phase": True},
        {
            "max_lr": 0.1,
            "total_steps": np.int32(100),
            "pct_start": np.float64(0.3),
            "div_factor": 25,
            "three_phase": np.True_,
        },
        [
            {"max_lr": 0.2},
            {"total_steps": 101},
            {"pct_start": 0.25},
            {"anneal_strategy": "linear"},
            {"div_factor": 10.0},
            {"final_div_factor": 1e3},
            {"three_phase": False},
        ],
    ),
    "one_cycle_momentum": (
        one_cycle_momentum_schedule,
        {"total_steps": 100},
        {"total_steps": 100, "base_momentum": 0.85, "pct_start": 0.3},
        [
            {"total_steps": 99},
            {"base_momentum": 0.8},
            {"max_momentum": 0.99},
            {"pct_start": 0.4},
            {"anneal_strategy": "linear"},
            {"three_phase": True},
        ],
    ),
    "warm_restarts": (
        warm_restarts_schedule,
        {"max_lr": 0.1, "first_cycle_steps": 10, "cycle_mult": 2},
        {
            "max_lr": np.float64(0.1),
            "first_cycle_steps": np.int64(10),
            "cycle_mult": np.int8(2),
            "min_lr": 0,
        },
        [
            {"max_lr": 0.05},
            {"first_cycle_steps": 11},
            {"cycle_mult": 3},
            {"min_lr": 0.001},
        ],
    ),
    "wsd": (
        wsd_schedule,
        {"peak_value": 0.1, "total_steps": 100, "warmup_steps": 10, "decay_steps": 20},
        {
            "peak_value": 0.1,
            "total_steps": np.int64(100),
            "warmup_steps": np.uint16(10),
            "decay_steps": 20,
            "decay_shape": "1-sqrt",
            "init_value": 0,
        },
        [
            {"peak_value": 0.2},
            {"total_steps": 120},
            {"warmup_steps": 0},
            {"decay_steps": 30},
            {"decay_shape": "cosine"},
            {"init_value": 0.01},
            {"end_value": 0.01},
        ],
    ),
}

STEPS = np.arange(-5, 250)


def make(name: str, **changes):
    factory, arguments, _, _ = CASES[name]
    return factory(**(arguments | changes))


@pytest.mark.parametrize("name", CASES)
def test_equal_arguments_give_equal_hashable_schedules(name):
    factory, arguments, spelled_otherwise, _ = CASES[name]
    first, second = factory(**arguments), factory(**arguments)
    assert first is not second
    assert first == second and hash(first) == hash(second)
    other = factory(**spelled_otherwise)
    assert other == first and hash(other) == hash(first)
    np.testing.assert_array_equal(other(STEPS), first(STEPS))
    assert len({first, second, other}) == 1


@pytest.mark.parametrize("name", CASES)
def test_different_arguments_give_different_schedules(name):
    _, _, _, variations = CASES[name]
    base = make(name)
    made = [base] + [make(name, **change) for change in variations]
    for change, schedule in zip(variations, made[1:], strict=True):
        assert schedule != base, change
    assert len(set(made)) == len(made)  # all different from each other too
    # ... and each differs in value somewhere.
    for change, schedule in zip(variations, made[1:], strict=True):
        assert not np.array_equal(schedule(STEPS), base(STEPS)), change


def test_schedules_of_different_kinds_differ():
    rate = one_cycle_schedule(0.95, 100, div_factor=0.95 / 0.85)
    momentum = one_cycle_momentum_schedule(100)
    assert rate.phases == momentum.phases
    assert rate != momentum
    assert cyclical_schedule(0.8, 0.9, 2) != cyclical_momentum_schedule(0.8, 0.9, 2)


@pytest.mark.parametrize("name", CASES)
def test_pickle_round_trip_gives_an_equal_schedule_with_equal_values(name):
    schedule = make(name)
    restored = pickle.loads(pickle.dumps(schedule))
    assert restored == schedule and hash(restored) == hash(schedule)
    assert type(restored) is type(schedule)
    np.testing.assert_array_equal(restored(STEPS), schedule(STEPS))
    int32_steps = jnp.asarray(STEPS, dtype=jnp.int32)
    np.testing.assert_array_equal(
        jax.jit(restored)(int32_steps), jax.jit(schedule)(int32_steps)
    )


@pytest.mark.parametrize("name", CASES)
def test_jit_with_the_schedule_static_compiles_once_for_equal_schedules(name):
    traces = []

    @functools.partial(jax.jit, static_argnums=0)
    def rate_at(schedule, step):
        traces.append(schedule)  # runs only when jit traces
        return schedule(step)

    factory, arguments, spelled_otherwise, variations = CASES[name]
    first = rate_at(factory(**arguments), jnp.int32(7))
    second = rate_at(factory(**arguments), jnp.int32(7))
    third = rate_at(factory(**spelled_otherwise), jnp.int32(7))
    assert len(traces) == 1
    assert first == second == third
    rate_at(make(name, **variations[0]), jnp.int32(7))
    assert len(traces) == 2
