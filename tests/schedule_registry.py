"""Every public schedule of ``lr_scheduling.schedules``, with what its tests need.

One :class:`Entry` per case: the factory, example arguments, the bounds its
values keep at every step, the float arguments that may be traced (and so
differentiated), how negative steps behave, the exact reference where there
is one, and the PyTorch scheduler that is its oracle where one exists. The
tests in ``tests/lr_scheduling/schedules/test_every_schedule.py`` run over
all of it, and fail when a public schedule of ``lr_scheduling.schedules`` is
missing here: add an entry (and its names below) with every new schedule.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import numpy as np
from schedule_references import (
    exact_cyclical,
    exact_one_cycle,
    exact_triangular,
    exact_warm_restarts,
    exact_wsd,
    one_cycle_rates,
)

from lr_scheduling import schedules

# Public names that are not schedules: constants, shared parts, helpers.
HELPERS = {
    "ANNEAL_STRATEGIES",
    "DECAY_SHAPES",
    "MODES",
    "SCALE_MODES",
    "CyclicalWave",
    "OneCyclePhases",
    "check_rate_bounds",
    "check_step_count",
    "cycle_position",
}

PERIODIC = "periodic"  # negative steps continue the wave backwards
HOLD = "hold"  # negative steps have the value of step 0


@dataclasses.dataclass(frozen=True)
class Entry:
    """One schedule case. ``oracle(n)`` gives PyTorch's values at steps 0..n-1."""

    name: str
    factory: Callable[..., Any]
    arguments: dict[str, Any]
    bounds: tuple[float, float]
    rates: tuple[str, ...]  # float arguments that may be traced
    negative: str  # PERIODIC or HOLD
    length: int  # steps that cover every phase (or two cycles)
    reference: Callable[[int], float] | None = None
    oracle: Callable[[int], np.ndarray] | None = None
    # The same schedule spelled otherwise (NumPy numbers, defaults given),
    # and changes that make a different one.
    spelled_otherwise: dict[str, Any] = dataclasses.field(default_factory=dict)
    variations: tuple[dict[str, Any], ...] = ()

    def make(self, **changes: Any) -> Any:
        return self.factory(**(self.arguments | changes))

    def __str__(self) -> str:
        return self.name


def _cyclic(n: int, **kwargs: Any) -> np.ndarray:
    from torch_oracles import torch_rates

    return np.asarray(torch_rates(n, **kwargs))


def _cyclic_momentum(n: int, **kwargs: Any) -> np.ndarray:
    from torch_oracles import torch_cyclic_momenta

    return torch_cyclic_momenta("sgd", n, base_lr=0.01, max_lr=0.1, **kwargs)[:, 1]


def _one_cycle(n: int, column: int, **kwargs: Any) -> np.ndarray:
    from torch_oracles import torch_one_cycle

    return torch_one_cycle("sgd", n, **kwargs)[:, column]


def _restarts(n: int, **kwargs: Any) -> np.ndarray:
    from torch_oracles import torch_warm_restarts

    return torch_warm_restarts(n, **kwargs)


def _cyclical_entry(name: str, arguments: dict, length: int, **fields: Any) -> Entry:
    """A ``cyclical_schedule`` case; its arguments, named as CyclicLR's, give
    the PyTorch oracle too."""
    fields.setdefault("rates", ("base_lr", "max_lr"))
    return Entry(
        name,
        schedules.cyclical_schedule,
        arguments,
        (arguments["base_lr"], arguments["max_lr"]),
        negative=PERIODIC,
        length=length,
        oracle=lambda n: _cyclic(n, **arguments),
        **fields,
    )


def _warm_restarts_entry(
    name: str, first: int, mult: int, length: int, **fields: Any
) -> Entry:
    """A ``warm_restarts_schedule`` case from 0.1 to 0.001; ``mult`` 1 is the
    default, left out of its arguments."""
    arguments = {"max_lr": 0.1, "first_cycle_steps": first, "min_lr": 0.001}
    if mult != 1:
        arguments["cycle_mult"] = mult
    return Entry(
        name,
        schedules.warm_restarts_schedule,
        arguments,
        (0.001, 0.1),
        ("max_lr", "min_lr"),
        HOLD,
        length,
        reference=lambda s: exact_warm_restarts(s, 0.1, first, mult, 0.001),
        oracle=lambda n: _restarts(n, T_0=first, T_mult=mult, eta_min=0.001),
        **fields,
    )


def _exp_range(step: int, base: float, top: float, up: int, gamma: float) -> float:
    position = step % (2 * up)
    height = Fraction(min(position, 2 * up - position), up)
    return float(base + (top - base) * height * gamma ** max(step, 0))


REGISTRY = [
    Entry(
        "triangular",
        schedules.create_triangular_schedule,
        {"lr_min": 0.001, "lr_max": 0.01, "steps_per_cycle": 10},
        (0.001, 0.01),
        ("lr_min", "lr_max"),
        PERIODIC,
        20,
        reference=lambda s: exact_triangular(s, 0.001, 0.01, 10),
        oracle=lambda n: _cyclic(n, base_lr=0.001, max_lr=0.01, step_size_up=5),
        spelled_otherwise={
            "lr_min": np.float64(0.001),
            "lr_max": 0.01,
            "steps_per_cycle": np.int64(10),
        },
        variations=({"lr_min": 0.002}, {"lr_max": 0.02}, {"steps_per_cycle": 11}),
    ),
    _cyclical_entry(
        "cyclical_exp_range",
        {
            "base_lr": 0.001,
            "max_lr": 0.01,
            "step_size_up": 4,
            "mode": "exp_range",
            "gamma": 0.99,
        },
        24,
        rates=("base_lr", "max_lr", "gamma"),
        reference=lambda s: _exp_range(s, 0.001, 0.01, 4, 0.99),
        spelled_otherwise={
            "base_lr": 0.001,
            "max_lr": 0.01,
            "step_size_up": 4.0,  # a whole float is normalised to the int
            "step_size_down": 4,
            "mode": "exp_range",
            "gamma": 0.99,
            "scale_mode": "iterations",  # exp_range's own
        },
        variations=(
            {"step_size_up": 5},
            {"step_size_down": 2},
            {"mode": "triangular2"},
            {"gamma": 0.98},
            {"max_lr": 0.02},
        ),
    ),
    _cyclical_entry(
        "cyclical_triangular2",
        {
            "base_lr": 0.01,
            "max_lr": 0.1,
            "step_size_up": 3,
            "step_size_down": 5,
            "mode": "triangular2",
        },
        32,
        reference=lambda s: exact_cyclical(s, 0.01, 0.1, 3, 5, "triangular2"),
    ),
    _cyclical_entry(
        "cyclical_fractional",
        {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 2.5, "step_size_down": 1.25},
        16,
    ),
    _cyclical_entry(
        "cyclical_sawtooth",
        {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4, "step_size_down": 0},
        12,
        reference=lambda s: exact_cyclical(s, 0.01, 0.1, 4, 0, "triangular"),
    ),
    Entry(
        "cyclical_momentum",
        schedules.cyclical_momentum_schedule,
        {"base_momentum": 0.8, "max_momentum": 0.9, "step_size_up": 2.5},
        (0.8, 0.9),
        ("base_momentum", "max_momentum"),
        PERIODIC,
        15,
        oracle=lambda n: _cyclic_momentum(n, step_size_up=2.5),
        spelled_otherwise={
            "base_momentum": 0.8,
            "max_momentum": np.float64(0.9),
            "step_size_up": 2.5,
        },
        variations=(
            {"base_momentum": 0.85},
            {"step_size_up": 3},
            {"mode": "triangular2"},
        ),
    ),
    Entry(
        "cyclical_momentum_triangular2",
        schedules.cyclical_momentum_schedule,
        {
            "base_momentum": 0.8,
            "max_momentum": 0.9,
            "step_size_up": 2,
            "mode": "triangular2",
        },
        (0.8, 0.9),
        ("base_momentum", "max_momentum"),
        PERIODIC,
        16,
        # The momentum is the rate's wave from max_momentum down.
        reference=lambda s: exact_cyclical(s, 0.9, 0.8, 2, 2, "triangular2"),
        oracle=lambda n: _cyclic_momentum(n, step_size_up=2, mode="triangular2"),
    ),
    Entry(
        "one_cycle_three_phase",
        schedules.one_cycle_schedule,
        {"max_lr": 0.1, "total_steps": 100, "three_phase": True},
        (min(one_cycle_rates(0.1, three=True)), 0.1),
        ("max_lr",),
        HOLD,
        100,
        reference=lambda s: exact_one_cycle(
            s, one_cycle_rates(0.1, three=True), 100, 0.3, "cos", True
        ),
        oracle=lambda n: _one_cycle(100, 0, max_lr=0.1, three_phase=True)[:n],
        spelled_otherwise={
            "max_lr": 0.1,
            "total_steps": np.int32(100),
            "pct_start": np.float64(0.3),
            "div_factor": 25,
            "three_phase": np.True_,
        },
        variations=(
            {"max_lr": 0.2},
            {"total_steps": 101},
            {"pct_start": 0.25},
            {"anneal_strategy": "linear"},
            {"div_factor": 10.0},
            {"final_div_factor": 1e3},
            {"three_phase": False},
        ),
    ),
    Entry(
        "one_cycle_linear",
        schedules.one_cycle_schedule,
        {
            "max_lr": 0.1,
            "total_steps": 40,
            "pct_start": 0.25,
            "anneal_strategy": "linear",
        },
        (min(one_cycle_rates(0.1)), 0.1),
        ("max_lr",),
        HOLD,
        40,
        reference=lambda s: exact_one_cycle(
            s, one_cycle_rates(0.1), 40, 0.25, "linear", False
        ),
        oracle=lambda n: _one_cycle(
            40, 0, max_lr=0.1, pct_start=0.25, anneal_strategy="linear"
        )[:n],
    ),
    Entry(
        "one_cycle_momentum",
        schedules.one_cycle_momentum_schedule,
        {"total_steps": 100, "base_momentum": 0.85, "max_momentum": 0.95},
        (0.85, 0.95),
        ("base_momentum", "max_momentum"),
        HOLD,
        100,
        reference=lambda s: exact_one_cycle(
            s, (0.95, 0.85, 0.95), 100, 0.3, "cos", False
        ),
        oracle=lambda n: _one_cycle(100, 1, max_lr=0.1)[:n],
        spelled_otherwise={
            "total_steps": 100,
            "base_momentum": 0.85,
            "max_momentum": 0.95,
            "pct_start": 0.3,
        },
        variations=(
            {"total_steps": 99},
            {"base_momentum": 0.8},
            {"max_momentum": 0.99},
            {"pct_start": 0.4},
            {"anneal_strategy": "linear"},
            {"three_phase": True},
        ),
    ),
    _warm_restarts_entry(
        "warm_restarts",
        first=10,
        mult=2,
        length=70,
        spelled_otherwise={
            "max_lr": np.float64(0.1),
            "first_cycle_steps": np.int64(10),
            "cycle_mult": np.int8(2),
            "min_lr": np.float64(0.001),
        },
        variations=(
            {"max_lr": 0.05},
            {"first_cycle_steps": 11},
            {"cycle_mult": 3},
            {"min_lr": 0.002},
        ),
    ),
    _warm_restarts_entry("warm_restarts_constant_cycles", first=7, mult=1, length=21),
    *(
        Entry(
            f"wsd_{shape}",
            schedules.wsd_schedule,
            {
                "peak_value": 0.1,
                "total_steps": 100,
                "warmup_steps": 10,
                "decay_steps": 20,
                "decay_shape": shape,
                "init_value": 0.01,
                "end_value": 0.001,
            },
            (0.001, 0.1),
            ("peak_value", "init_value", "end_value"),
            HOLD,
            104,
            reference=lambda s, shape=shape: exact_wsd(
                s, 0.1, 100, 10, 20, shape, 0.01, 0.001
            ),
            spelled_otherwise={
                "peak_value": 0.1,
                "total_steps": np.int64(100),
                "warmup_steps": np.uint16(10),
                "decay_steps": 20,
                "decay_shape": shape,
                "init_value": np.float64(0.01),
                "end_value": 0.001,
            },
            variations=(
                {"peak_value": 0.2},
                {"total_steps": 120},
                {"warmup_steps": 0},
                {"decay_steps": 30},
                {"decay_shape": "cosine" if shape != "cosine" else "linear"},
                {"init_value": 0.02},
                {"end_value": 0.002},
            ),
        )
        for shape in ("1-sqrt", "linear", "cosine")
    ),
]

BY_NAME = {entry.name: entry for entry in REGISTRY}
# One entry per factory, for the costlier checks.
FIRST_OF_EACH = list({entry.factory: entry for entry in reversed(REGISTRY)}.values())
