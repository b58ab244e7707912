"""cyclical_schedule against the real torch.optim.lr_scheduler.CyclicLR."""

import numpy as np
import pytest

from lr_scheduling import cyclical_schedule

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


CASES = {
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
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_modes_match_cycliclr(case):
    expected = torch_rates(60, base_lr=0.01, max_lr=0.1, **case)
    schedule = cyclical_schedule(0.01, 0.1, **case)
    got = np.asarray(schedule(np.arange(60)))
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("scale_mode", ["cycle", "iterations"])
def test_custom_scale_fn_matches_cycliclr(scale_mode):
    def torch_scale(x):
        return 1.0 / (1.0 + 0.1 * x)

    def jax_scale(x):  # the same function, written for arrays
        return 1.0 / (1.0 + 0.1 * x)

    case = {"step_size_up": 3, "step_size_down": 4, "scale_mode": scale_mode}
    expected = torch_rates(50, base_lr=0.02, max_lr=0.2, scale_fn=torch_scale, **case)
    schedule = cyclical_schedule(0.02, 0.2, scale_fn=jax_scale, **case)
    np.testing.assert_allclose(schedule(np.arange(50)), expected, rtol=1e-6)
