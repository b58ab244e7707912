"""One-cycle, warm restarts and CyclicLR's momentum against the real PyTorch schedulers.

Each reference value is what torch 2.13's scheduler puts into the optimizer's
parameter group before an optimizer step: ``lr``, and ``momentum`` (SGD) or
``betas[0]`` (Adam). The schedules here give float32 for NumPy int64 steps
without x64 and for int32 steps under jit; torch computes in float64, so the
values agree to float32 rounding, rtol 1e-6.
"""

import itertools
import math
import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from test_schedules_vs_torch import CASES

from lr_scheduling.schedules import (
    cyclical_momentum_schedule,
    cyclical_schedule,
    one_cycle_momentum_schedule,
    one_cycle_schedule,
    warm_restarts_schedule,
)

torch = pytest.importorskip("torch")

RTOL = 1e-6


def make_optimizer(kind: str, lr: float = 0.1):
    """A one-parameter SGD with momentum, or Adam (whose betas[0] is cycled)."""
    parameter = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    if kind == "sgd":
        return torch.optim.SGD([parameter], lr=lr, momentum=0.9)
    return torch.optim.Adam([parameter], lr=lr)


def group_values(optimizer, kind: str) -> list[tuple[float, float]]:
    """(rate, momentum) of each parameter group."""
    values = []
    for group in optimizer.param_groups:
        momentum = group["momentum"] if kind == "sgd" else group["betas"][0]
        values.append((group["lr"], momentum))
    return values


def run_scheduler(optimizer, scheduler, kind: str, num_steps: int) -> np.ndarray:
    """(num_steps, groups, 2): rate and momentum before each optimizer step.

    The scheduler is not stepped after the last optimizer step, where
    OneCycleLR would compute the value of step total_steps.
    """
    seen = []
    for step in range(num_steps):
        seen.append(group_values(optimizer, kind))
        optimizer.step()
        if step + 1 < num_steps:
            scheduler.step()
    return np.array(seen)


def torch_one_cycle(kind: str, total_steps: int, **kwargs) -> np.ndarray:
    optimizer = make_optimizer(kind)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, total_steps=total_steps, **kwargs
    )
    return run_scheduler(optimizer, scheduler, kind, total_steps)[:, 0]


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


# --- OneCycleLR --------------------------------------------------------------

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


# Deliberate differences, each listed in one_cycle_schedule's docstring.


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


# --- CosineAnnealingWarmRestarts --------------------------------------------


def torch_warm_restarts(num_steps: int, **kwargs) -> np.ndarray:
    """The stepwise scheduler: T_cur counted up by one each step, exactly."""
    optimizer = make_optimizer("sgd")
    scheduler = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(
        optimizer, **kwargs
    )
    return run_scheduler(optimizer, scheduler, "sgd", num_steps)[:, 0, 0]


@pytest.mark.parametrize("eta_min", [0.0, 0.001])
@pytest.mark.parametrize("t_mult", [1, 2, 3])
@pytest.mark.parametrize("t_0", [1, 2, 5, 10, 17])
def test_warm_restarts_match_cosineannealingwarmrestarts(t_0, t_mult, eta_min):
    expected = torch_warm_restarts(600, T_0=t_0, T_mult=t_mult, eta_min=eta_min)
    schedule = warm_restarts_schedule(0.1, t_0, t_mult, eta_min)
    assert_schedule_matches(schedule, 600, expected)
    # Python ints one by one (exact host arithmetic, weakly typed float32).
    some = range(0, 600, 13)
    np.testing.assert_allclose(
        [float(schedule(step)) for step in some], expected[::13], rtol=RTOL
    )


@pytest.mark.parametrize("t_mult", [1, 2, 3])
def test_fractional_epochs_match_step_with_an_epoch(t_mult):
    # scheduler.step(epoch) takes float epochs (epoch + i / iters); a float
    # step here is the same closed form. float64 steps (x64) keep the
    # comparison at double precision.
    epochs = [0.25, 1.5, 2.75, 6.1, 13.3, 37.9, 100.01, 250.5]
    optimizer = make_optimizer("sgd")
    scheduler = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(
        optimizer, T_0=3, T_mult=t_mult, eta_min=0.001
    )
    expected = []
    for epoch in epochs:
        scheduler.step(epoch)
        expected.append(optimizer.param_groups[0]["lr"])
    with jax.enable_x64(True):
        schedule = warm_restarts_schedule(0.1, 3, t_mult, 0.001)
        got = schedule(np.array(epochs))
        assert got.dtype == jnp.float64
        np.testing.assert_allclose(got, expected, rtol=1e-9)
    got32 = schedule(jnp.asarray(epochs, dtype=jnp.float32))
    represented = np.asarray(np.float32(epochs), dtype=np.float64)
    with jax.enable_x64(True):
        at_float32_epochs = schedule(represented)
    np.testing.assert_allclose(got32, at_float32_epochs, rtol=1e-5)


def test_step_with_an_epoch_misplaces_some_restarts_and_we_do_not():
    # step(epoch) finds the restart from a float logarithm: log(27, 3) is
    # 3.0000000000000004 or 2.9999999999999996 depending on the epoch, and at
    # epoch 121 (T_0 = 1, T_mult = 3: restarts at 1, 4, 13, 40, 121) it comes
    # out 4.999..., a cycle too early.
    optimizer = make_optimizer("sgd")
    scheduler = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(
        optimizer, T_0=1, T_mult=3, eta_min=0.001
    )
    scheduler.step(121)
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.001)
    stepwise = torch_warm_restarts(122, T_0=1, T_mult=3, eta_min=0.001)
    assert stepwise[121] == pytest.approx(0.1)
    schedule = warm_restarts_schedule(0.1, 1, 3, 0.001)
    assert float(schedule(121)) == pytest.approx(0.1, rel=RTOL)
    assert float(jax.jit(schedule)(jnp.int32(121))) == pytest.approx(0.1, rel=RTOL)


# --- CyclicLR's cycle_momentum ----------------------------------------------


def torch_cyclic_momenta(kind: str, num_steps: int, **kwargs) -> np.ndarray:
    optimizer = make_optimizer(kind, lr=kwargs["base_lr"])
    scheduler = torch.optim.lr_scheduler.CyclicLR(
        optimizer, cycle_momentum=True, base_momentum=0.8, max_momentum=0.9, **kwargs
    )
    return run_scheduler(optimizer, scheduler, kind, num_steps)[:, 0]


@pytest.mark.parametrize("kind", ["sgd", "adam"])
@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
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
