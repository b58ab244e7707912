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

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from flax.training import train_state

from lr_scheduling.model import cnn, cross_entropy_loss
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
    from lr_scheduling.data import load_digits

    train, _ = load_digits()
    order = np.random.default_rng(0).permutation(len(train["label"]))
    return [
        {key: value[order[i * BATCH : (i + 1) * BATCH]] for key, value in train.items()}
        for i in range(TOTAL)
    ]


def new_state(tx, seed: int = 0) -> train_state.TrainState:
    params = cnn.init(jax.random.PRNGKey(seed), jnp.ones((1, 8, 8, 1)))["params"]
    return train_state.TrainState.create(apply_fn=cnn.apply, params=params, tx=tx)


@jax.jit
def train_step(state, batch):
    def loss_fn(params):
        logits = state.apply_fn({"params": params}, batch["image"])
        return cross_entropy_loss(logits, batch["label"])

    loss, grads = jax.value_and_grad(loss_fn)(state.params)
    state = state.apply_gradients(grads=grads)
    # After the update, the hyperparameters are those it used: the schedules'
    # values at the step count before it.
    return state, {"loss": loss, **state.opt_state.hyperparams}


def train(state, batches, names):
    """Steps over batches; (state, {name: per-step values as an array})."""
    seen = []
    for batch in batches:
        state, metrics = train_step(state, batch)
        seen.append(metrics)
    seen = jax.device_get(seen)
    return state, {name: np.array([m[name] for m in seen]) for name in names}


def save_and_restore(state, directory, name):
    """Saves state; restores it into a new state with a new optimizer."""
    checkpointer = ocp.StandardCheckpointer()
    checkpointer.save(directory, state)
    checkpointer.wait_until_finished()
    # The abstract target: shapes and dtypes of a fresh state (another seed,
    # another optimizer object), so nothing of the saved run carries over.
    target = jax.tree.map(ocp.utils.to_shape_dtype_struct, new_state(make_tx(name), 1))
    restored = checkpointer.restore(directory, target)
    checkpointer.close()
    return restored


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
