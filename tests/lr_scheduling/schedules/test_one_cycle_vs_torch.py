"""one_cycle_schedule and its momentum against the real OneCycleLR."""

import itertools
import math
import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from schedule_references import (
    RTOL,
)
from torch_oracles import (
    make_optimizer,
    run_scheduler,
    torch,
    torch_one_cycle,
)

from lr_scheduling import (
    one_cycle_momentum_schedule,
    one_cycle_schedule,
)


def ours_one_cycle(total_steps: int, max_lr: float = 0.1, **kwargs):
    """Our rate and momentum schedules for OneCycleLR's keyword arguments."""
    momentum_keys = {"pct_start", "anneal_strategy", "three_phase"}
    momentum_keys |= {"base_momentum", "max_momentum"}
    rate = one_cycle_schedule(
        max_lr,
        total_steps,
        **{k: v for k, v in kwargs.items() if "momentum" not in k},
    )
    momentum = one_cycle_momentum_schedule(
        total_steps, **{k: v for k, v in kwargs.items() if k in momentum_keys}
    )
    return rate, momentum


def assert_schedule_matches(schedule, steps: int, expected) -> None:
    """NumPy int64 steps (exact on the host) and int32 steps under jit."""
    np.testing.assert_allclose(schedule(np.arange(steps)), expected, rtol=RTOL)
    jitted = jax.jit(schedule)(jnp.arange(steps, dtype=jnp.int32))
    np.testing.assert_allclose(jitted, expected, rtol=RTOL)


ONE_CYCLE_CASES = {
    "defaults": (100, {}),
    "linear": (100, {"anneal_strategy": "linear"}),
    "three_phase": (100, {"three_phase": True}),
    "three_phase_linear": (
        120,
        {"three_phase": True, "anneal_strategy": "linear", "pct_start": 0.25},
    ),
    "three_phase_half": (50, {"three_phase": True, "pct_start": 0.5}),
    # 0.3 * 37 - 1 = 10.1: the boundary between two integer steps.
    "odd_total": (37, {"pct_start": 0.3}),
    # 0.3 * 10 - 1 = 2.0000000000000004 in float64: step 2 is still rising.
    "float_boundary": (10, {}),
    "no_rise": (20, {"pct_start": 0.0}),
    "all_rise": (20, {"pct_start": 1.0}),
    "short_rise": (30, {"pct_start": 0.02}),  # 0.6 - 1 < 0: starts falling
    "one_step": (1, {}),
    "two_steps": (2, {"pct_start": 0.25}),
    "factors_and_momenta": (
        64,
        {
            "div_factor": 10.0,
            "final_div_factor": 100.0,
            "base_momentum": 0.8,
            "max_momentum": 0.99,
            "pct_start": 0.4,
        },
    ),
    "long": (1000, {"pct_start": 0.35, "three_phase": True}),
}


@pytest.mark.parametrize("kind", ["sgd", "adam"])
@pytest.mark.parametrize(
    "total_steps, kwargs", ONE_CYCLE_CASES.values(), ids=ONE_CYCLE_CASES.keys()
)
def test_one_cycle_matches_onecyclelr(kind, total_steps, kwargs):
    expected = torch_one_cycle(kind, total_steps, max_lr=0.1, **kwargs)
    rate, momentum = ours_one_cycle(total_steps, **kwargs)
    assert_schedule_matches(rate, total_steps, expected[:, 0])
    assert_schedule_matches(momentum, total_steps, expected[:, 1])


def test_one_cycle_boundaries_of_many_small_cycles():
    # Every total of 3..60 steps, two and three phases, with pct_start and
    # the strategy taken in turn from a grid: the float64 boundaries (0.3 *
    # 10 - 1 = 2.0000000000000004, 0.15 * 20 - 1 = 2.0) fall where OneCycleLR
    # puts them. (OneCycleLR steps at about 2 ms a step, so not every pair.)
    pcts = [0.05, 0.1, 0.15, 0.3, 0.45, 0.5, 0.35]
    for total, three in itertools.product(range(3, 61), [False, True]):
        pct = pcts[(total + three) % len(pcts)]
        strategy = ["cos", "linear"][(total // 2 + three) % 2]
        if math.isclose(pct * total, 1.0):
            continue  # a first phase of no length: ZeroDivisionError in torch
        kwargs = {"pct_start": pct, "anneal_strategy": strategy, "three_phase": three}
        expected = torch_one_cycle("sgd", total, max_lr=0.1, **kwargs)
        rate, momentum = ours_one_cycle(total, **kwargs)
        # One shape of steps for all: JAX compiles its eager operations per shape.
        steps = np.arange(60)
        np.testing.assert_allclose(rate(steps)[:total], expected[:, 0], rtol=RTOL)
        np.testing.assert_allclose(momentum(steps)[:total], expected[:, 1], rtol=RTOL)


def test_phase_ends_are_onecyclelrs_to_the_bit():
    for total, pct, three in itertools.product(
        [1, 7, 10, 37, 100, 999, 10**9], [0.0, 0.1, 0.3, 0.35, 0.5, 0.7, 1.0], [0, 1]
    ):
        if three and pct > 0.5 or math.isclose(pct * total, 1.0):
            continue  # (a first phase of no length fails at step 0 in torch)
        scheduler = torch.optim.lr_scheduler.OneCycleLR(
            make_optimizer("sgd"),
            max_lr=0.1,
            total_steps=total,
            pct_start=pct,
            three_phase=bool(three),
        )
        ends = tuple(phase["end_step"] for phase in scheduler._schedule_phases)
        schedule = one_cycle_schedule(0.1, total, pct, three_phase=bool(three))
        assert schedule.phases.ends == ends  # float64 equality, exactly


def test_one_cycle_rates_per_parameter_group():
    # OneCycleLR takes one max_lr per parameter group; an array of them
    # broadcasts against the steps here.
    groups = [
        {"params": [torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))]}
        for _ in range(3)
    ]
    optimizer = torch.optim.SGD(groups, lr=0.1, momentum=0.9)
    tops = [0.1, 0.5, 2.0]
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=tops, total_steps=50, three_phase=True
    )
    expected = run_scheduler(optimizer, scheduler, "sgd", 50)[:, :, 0]
    schedule = one_cycle_schedule(np.array(tops), 50, three_phase=True)
    got = schedule(np.arange(50)[:, None])
    assert got.shape == (50, 3)
    np.testing.assert_allclose(got, expected, rtol=RTOL)


def test_one_cycle_at_huge_totals_against_onecyclelr_get_lr():
    # torch cannot step 2**40 times, but its get_lr gives any step's value:
    # int32 steps up to their largest, in a cycle far longer than int32.
    total = 2**40
    optimizer = make_optimizer("sgd")
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=0.1, total_steps=total, three_phase=True, pct_start=0.001
    )
    steps = [0, 1, 2**24 + 1, 2**31 - 2, 2**31 - 1]
    expected = []
    for step in steps:
        scheduler.last_epoch = step
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # get_lr outside step()
            (rate,) = scheduler.get_lr()
        expected.append((rate, optimizer.param_groups[0]["momentum"]))
    expected = np.array(expected)
    rate, momentum = ours_one_cycle(total, three_phase=True, pct_start=0.001)
    int32_steps = jnp.asarray(steps, dtype=jnp.int32)
    np.testing.assert_allclose(jax.jit(rate)(int32_steps), expected[:, 0], rtol=RTOL)
    np.testing.assert_allclose(
        jax.jit(momentum)(int32_steps), expected[:, 1], rtol=RTOL
    )
    for step, (want, _) in zip(steps, expected, strict=True):
        assert float(rate(step)) == pytest.approx(want, rel=RTOL)


@pytest.mark.parametrize("strategy", ["cos", "linear"])
def test_onecyclelr_extrapolates_at_total_steps_and_raises_after(strategy):
    optimizer = make_optimizer("sgd")
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=0.1, total_steps=10, anneal_strategy=strategy
    )
    for _ in range(10):
        optimizer.step()
        scheduler.step()
    at_total = optimizer.param_groups[0]["lr"]
    final = 0.1 / 25 / 1e4
    # Past min_lr: on the cosine's far side, or (linear) below zero.
    assert at_total > final if strategy == "cos" else at_total < 0
    optimizer.step()
    with pytest.raises(ValueError, match="Tried to step 11 times"):
        scheduler.step()
    schedule = one_cycle_schedule(0.1, 10, anneal_strategy=strategy)
    held = schedule(np.array([9, 10, 11, 10**6]))
    np.testing.assert_allclose(held, [final] * 4, rtol=RTOL)


def test_first_phase_of_no_length_fails_in_onecyclelr_and_is_its_end_here():
    # pct_start * total_steps == 1: the first phase ends at step 0.
    with pytest.raises(ZeroDivisionError):
        torch_one_cycle("sgd", 10, max_lr=0.1, pct_start=0.1)
    schedule = one_cycle_schedule(0.1, 10, pct_start=0.1, anneal_strategy="linear")
    # Step 0 is max_lr; then a linear fall over 9 steps to min_lr.
    final = 0.1 / 25 / 1e4
    expected = [0.1 + (final - 0.1) * step / 9 for step in range(10)]
    np.testing.assert_allclose(schedule(np.arange(10)), expected, rtol=RTOL)


def test_three_phases_beyond_half_never_end_in_onecyclelr_and_raise_here():
    expected = torch_one_cycle("sgd", 100, max_lr=0.1, pct_start=0.6, three_phase=True)
    # The second phase would end at step 118: the rate never reaches min_lr.
    assert expected[-1, 0] > 0.01
    with pytest.raises(ValueError, match=r"^pct_start must be a number in \[0, 0.5\]"):
        one_cycle_schedule(0.1, 100, pct_start=0.6, three_phase=True)
