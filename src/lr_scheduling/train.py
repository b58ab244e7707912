"""The guide's training code with a triangular learning-rate schedule.

:mod:`lr_scheduling.baseline` is the same code with a fixed rate; the how-to
"Writing your own jit-safe schedule" shows the two side by side. The schedule
enters in three places: ``optax.inject_hyperparams`` in the optimizer, the
rate read back in ``train_step``, and the cycle length, set from the steps
per epoch, in ``train_and_evaluate``.
"""

from __future__ import annotations

import logging

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax.training import train_state

from lr_scheduling.data import Dataset
from lr_scheduling.model import cnn, compute_metrics, cross_entropy_loss, eval_step
from lr_scheduling.teaching import triangular_schedule

__all__ = [
    "create_train_state",
    "train_and_evaluate",
    "train_epoch",
    "train_step",
]


@jax.jit
def train_step(state, batch):
    """Train for a single step."""

    def loss_fn(params):
        logits = state.apply_fn({"params": params}, batch["image"])
        loss = cross_entropy_loss(logits, batch["label"])
        return loss, logits

    grad_fn = jax.value_and_grad(loss_fn, has_aux=True)
    (_, logits), grads = grad_fn(state.params)
    state = state.apply_gradients(grads=grads)
    metrics = compute_metrics(logits, batch["label"])
    # The rate of this update, kept by optax.inject_hyperparams.
    metrics["learning_rate"] = state.opt_state.hyperparams["learning_rate"]
    return state, metrics


def train_epoch(state, train_ds, batch_size, epoch, rng):
    """Train for a single epoch; returns the metrics of every step."""
    train_ds_size = len(train_ds["image"])
    steps_per_epoch = train_ds_size // batch_size
    perms = jax.random.permutation(rng, train_ds_size)
    perms = perms[: steps_per_epoch * batch_size]
    perms = perms.reshape((steps_per_epoch, batch_size))
    batch_metrics = []
    for perm in perms:
        batch = {k: v[perm, ...] for k, v in train_ds.items()}
        state, metrics = train_step(state, batch)
        batch_metrics.append(metrics)

    batch_metrics = jax.device_get(batch_metrics)
    history = jax.tree.map(lambda *x: np.stack(x), *batch_metrics)
    logging.info("epoch %d, loss %.4f", epoch, history["loss"].mean())
    return state, history


def create_train_state(rng, image_shape, learning_rate):
    """Creates the initial `TrainState`."""
    params = cnn.init(rng, jnp.ones([1, *image_shape]))["params"]
    tx = optax.inject_hyperparams(optax.adamw)(learning_rate)
    return train_state.TrainState.create(
        apply_fn=cnn.apply,
        params=params,
        tx=tx,
    )


def train_and_evaluate(
    train_ds: Dataset,
    test_ds: Dataset,
    num_epochs: int = 8,
    batch_size: int = 32,
    seed: int = 0,
) -> tuple[train_state.TrainState, dict, dict]:
    """Trains from scratch; returns state, history and test metrics."""
    steps_per_epoch = len(train_ds["image"]) // batch_size
    # A half cycle of 2 epochs (Smith: 2 to 10), 4 epochs per cycle.
    learning_rate = triangular_schedule(
        0.001, 0.01, steps_per_cycle=4 * steps_per_epoch
    )
    rng, init_rng = jax.random.split(jax.random.key(seed))
    image_shape = train_ds["image"].shape[1:]
    state = create_train_state(init_rng, image_shape, learning_rate)
    histories = []
    for epoch in range(1, num_epochs + 1):
        rng, epoch_rng = jax.random.split(rng)
        state, history = train_epoch(state, train_ds, batch_size, epoch, epoch_rng)
        histories.append(history)
    history = jax.tree.map(lambda *x: np.concatenate(x), *histories)
    test_metrics = jax.device_get(eval_step(state, test_ds))
    return state, history, test_metrics
