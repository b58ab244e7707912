"""warm_restarts_schedule against the real CosineAnnealingWarmRestarts."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from schedule_references import (
    RTOL,
)
from torch_oracles import (
    make_optimizer,
    torch,
    torch_warm_restarts,
)

from lr_scheduling import (
    warm_restarts_schedule,
)


def assert_schedule_matches(schedule, steps: int, expected) -> None:
    """NumPy int64 steps (exact on the host) and int32 steps under jit."""
    np.testing.assert_allclose(schedule(np.arange(steps)), expected, rtol=RTOL)
    jitted = jax.jit(schedule)(jnp.arange(steps, dtype=jnp.int32))
    np.testing.assert_allclose(jitted, expected, rtol=RTOL)


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
