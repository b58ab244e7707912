"""The guide's CNN trained on digits batches, for the checkpoint tests.

``test_resume`` (exact resumption) and ``test_horizons`` (new horizons on
resume) train the same model on the same batches and save and restore its
train state with orbax-checkpoint; this module is that shared part.
"""

import jax
import jax.numpy as jnp
import numpy as np
from flax.training import train_state

from lr_scheduling.model import cnn, cross_entropy_loss


def digit_batches(count: int, size: int = 32) -> list[dict]:
    """``count`` batches of ``size`` training digits, in a seeded order."""
    from lr_scheduling.data import load_digits

    train, _ = load_digits()
    order = np.random.default_rng(0).permutation(len(train["label"]))
    return [
        {key: value[order[i * size : (i + 1) * size]] for key, value in train.items()}
        for i in range(count)
    ]


def new_state(tx, seed: int = 0) -> train_state.TrainState:
    params = cnn.init(jax.random.PRNGKey(seed), jnp.ones((1, 8, 8, 1)))["params"]
    return train_state.TrainState.create(apply_fn=cnn.apply, params=params, tx=tx)


@jax.jit
def train_step(state, batch):
    """One update; the loss and the hyperparameters that the update used."""

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


def save_and_restore(ocp, state, directory, tx):
    """Saves ``state``; restores it for optimizer ``tx``.

    The abstract target holds the shapes and dtypes of a fresh state (another
    seed, another optimizer object), so nothing of the saved run carries over.
    """
    with ocp.StandardCheckpointer() as checkpointer:
        checkpointer.save(directory, state)
    target = jax.tree.map(ocp.utils.to_shape_dtype_struct, new_state(tx, seed=1))
    with ocp.StandardCheckpointer() as checkpointer:
        return checkpointer.restore(directory, target)
