"""The real PyTorch schedulers as oracles: what each puts into the optimizer.

Importing this module skips the importing test module where torch is not
installed. Each function returns the values torch 2.13's scheduler sets in the
optimizer's parameter group before each optimizer step: ``lr``, and
``momentum`` (SGD) or ``betas[0]`` (Adam).
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")


def torch_rates(num_steps: int, **kwargs) -> list[float]:
    """CyclicLR's learning rate before each of num_steps optimizer steps."""
    parameter = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    optimizer = torch.optim.SGD([parameter], lr=kwargs["base_lr"])
    scheduler = torch.optim.lr_scheduler.CyclicLR(
        optimizer, cycle_momentum=False, **kwargs
    )
    rates = []
    for _ in range(num_steps):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return rates


CYCLIC_CASES = {
    "triangular": {"step_size_up": 4},
    "triangular_asymmetric": {"step_size_up": 3, "step_size_down": 7},
    "triangular2": {"step_size_up": 5, "mode": "triangular2"},
    "triangular2_asymmetric": {
        "step_size_up": 2,
        "step_size_down": 5,
        "mode": "triangular2",
    },
    "exp_range": {"step_size_up": 4, "mode": "exp_range", "gamma": 0.97},
    "exp_range_asymmetric": {
        "step_size_up": 6,
        "step_size_down": 2,
        "mode": "exp_range",
        "gamma": 0.995,
    },
    # Step sizes CyclicLR takes as floats, and a zero step_size_down.
    "float_whole": {"step_size_up": 4.0},
    "float_half": {"step_size_up": 2.5},
    "float_both": {"step_size_up": 1.5, "step_size_down": 2.5},
    "float_fractional_period": {"step_size_up": 1.5, "step_size_down": 2.25},
    "float_below_one": {"step_size_up": 0.4, "step_size_down": 0.35},
    "float_tiny_up": {"step_size_up": 0.001, "step_size_down": 3},
    "float_numpy": {"step_size_up": np.float32(2.5), "step_size_down": np.int64(3)},
    "sawtooth": {"step_size_up": 4, "step_size_down": 0},
    "sawtooth_float": {"step_size_up": 3.5, "step_size_down": 0.0},
    "sawtooth_one": {"step_size_up": 1, "step_size_down": 0},
    "triangular2_float": {
        "step_size_up": 2.5,
        "step_size_down": 1.75,
        "mode": "triangular2",
    },
    "triangular2_sawtooth": {
        "step_size_up": 3,
        "step_size_down": 0,
        "mode": "triangular2",
    },
    "exp_range_float": {
        "step_size_up": 3.5,
        "step_size_down": 2.0,
        "mode": "exp_range",
        "gamma": 0.98,
    },
    "exp_range_sawtooth": {
        "step_size_up": 5,
        "step_size_down": 0,
        "mode": "exp_range",
        "gamma": 0.97,
    },
    "exp_range_growing": {"step_size_up": 4, "mode": "exp_range", "gamma": 1.01},
}


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


def torch_warm_restarts(num_steps: int, **kwargs) -> np.ndarray:
    """The stepwise scheduler: T_cur counted up by one each step, exactly."""
    optimizer = make_optimizer("sgd")
    scheduler = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(
        optimizer, **kwargs
    )
    return run_scheduler(optimizer, scheduler, "sgd", num_steps)[:, 0, 0]


def torch_cyclic_momenta(kind: str, num_steps: int, **kwargs) -> np.ndarray:
    optimizer = make_optimizer(kind, lr=kwargs["base_lr"])
    scheduler = torch.optim.lr_scheduler.CyclicLR(
        optimizer, cycle_momentum=True, base_momentum=0.8, max_momentum=0.9, **kwargs
    )
    return run_scheduler(optimizer, scheduler, kind, num_steps)[:, 0]
