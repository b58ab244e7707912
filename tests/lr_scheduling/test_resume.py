"""Resuming exactly: a run saved with Orbax and restored continues bit for bit.

The guide's CNN trains on batches of the digits data with a scheduled
optimizer (``optax.inject_hyperparams``). One run goes straight through; the
other stops after K steps, saves its train state with orbax-checkpoint,
restores it into a new state (built from an abstract target of a fresh state,
with a new optimizer object), and continues. Because a schedule is a pure
function of the optimizer's step count, which the checkpoint holds, the
learning rates, momenta and losses of the two runs are equal bit for bit on
CPU.
"""

import digits_runs
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from digits_runs import digit_batches, new_state, train

from lr_scheduling.schedules import (
    create_triangular_schedule,
    one_cycle_momentum_schedule,
    one_cycle_schedule,
    wsd_schedule,
)

ocp = pytest.importorskip("orbax.checkpoint")
pytest.importorskip("sklearn")  # load_digits

TOTAL, STOP = 30, 12  # steps in all; the step after which the run is saved
BATCH = 32


def schedules(name: str) -> dict:
    """The scheduled hyperparameters of optimizer ``name``, as new objects."""
    if name == "triangular_sgd":
        return {"learning_rate": create_triangular_schedule(0.01, 0.1, 8)}
    if name == "one_cycle_sgd_momentum":
        return {
            "learning_rate": one_cycle_schedule(0.1, TOTAL, three_phase=True),
            "momentum": one_cycle_momentum_schedule(TOTAL, three_phase=True),
        }
    if name == "one_cycle_adam_b1":
        return {
            "learning_rate": one_cycle_schedule(0.01, TOTAL),
            "b1": one_cycle_momentum_schedule(TOTAL),
        }
    return {"learning_rate": wsd_schedule(0.005, TOTAL, warmup_steps=5, decay_steps=10)}


# name: (the optimizer, its fixed hyperparameters)
OPTIMIZERS = {
    "triangular_sgd": (optax.sgd, {"momentum": 0.9}),
    "one_cycle_sgd_momentum": (optax.sgd, {}),
    "one_cycle_adam_b1": (optax.adam, {}),
    "wsd_adamw": (optax.adamw, {}),
}


def make_tx(name: str) -> optax.GradientTransformation:
    optimizer, fixed = OPTIMIZERS[name]
    return optax.inject_hyperparams(optimizer)(**schedules(name), **fixed)


@pytest.fixture(scope="module")
def batches():
    return digit_batches(TOTAL, BATCH)


def save_and_restore(state, directory, name):
    """Saves state; restores it into a new state with a new optimizer."""
    return digits_runs.save_and_restore(ocp, state, directory, make_tx(name))


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_resumed_run_equals_an_uninterrupted_one_bit_for_bit(name, batches, tmp_path):
    names = ["loss", *schedules(name)]
    _, straight = train(new_state(make_tx(name)), batches, names)

    saved, before = train(new_state(make_tx(name)), batches[:STOP], names)
    restored = save_and_restore(saved, tmp_path / "checkpoint", name)
    assert int(restored.step) == STOP
    assert int(restored.opt_state.count) == STOP
    jax.tree.map(np.testing.assert_array_equal, restored.params, saved.params)
    jax.tree.map(np.testing.assert_array_equal, restored.opt_state, saved.opt_state)
    _, after = train(restored, batches[STOP:], names)

    for key in names:
        resumed = np.concatenate([before[key], after[key]])
        np.testing.assert_array_equal(resumed, straight[key], err_msg=key)
    # The values are the schedules' at steps 0..TOTAL-1: the resumed run went
    # on from step STOP; it did not start its schedules again.
    for key, schedule in schedules(name).items():
        expected = jax.jit(schedule)(jnp.arange(TOTAL, dtype=jnp.int32))
        np.testing.assert_allclose(straight[key], expected, rtol=1e-6)


def test_restoring_only_the_parameters_restarts_the_schedule(batches, tmp_path):
    # The control: without the optimizer state (its step count), the
    # schedules start again from step 0 and the runs part.
    name = "one_cycle_sgd_momentum"
    names = ["loss", "learning_rate", "momentum"]
    _, straight = train(new_state(make_tx(name)), batches, names)
    saved, _ = train(new_state(make_tx(name)), batches[:STOP], names)
    restored = save_and_restore(saved, tmp_path / "checkpoint", name)
    params_only = new_state(make_tx(name)).replace(params=restored.params)
    _, after = train(params_only, batches[STOP:], names)
    for key in ["learning_rate", "momentum"]:
        np.testing.assert_array_equal(after[key], straight[key][: TOTAL - STOP])
        assert not np.array_equal(after[key], straight[key][STOP:])
    assert not np.array_equal(after["loss"], straight["loss"][STOP:])
