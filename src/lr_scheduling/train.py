"""The guide's training code with a triangular learning-rate schedule.

The how-to page draws its code from this module (``codediff :from:``), so the
page and the package cannot differ: the CNN of :mod:`lr_scheduling.model`,
trained by SGD whose learning rate comes from a schedule of the step.
:mod:`lr_scheduling.baseline` is the same code with a fixed learning rate, the
"default" side of the page's comparisons.
"""

from __future__ import annotations

import functools
import logging

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax.training import train_state

from lr_scheduling.data import Dataset
from lr_scheduling.model import cnn, compute_metrics, cross_entropy_loss, eval_step
from lr_scheduling.schedules import create_triangular_schedule

__all__ = [
    "create_optimizer",
    "create_train_state",
    "train_and_evaluate",
    "train_epoch",
    "train_step",
]


@functools.partial(jax.jit, static_argnames="learning_rate_fn")
def train_step(state, batch, learning_rate_fn):
    """Train for a single step."""

    def loss_fn(params):
        logits = state.apply_fn({"params": params}, batch["image"])
        loss = cross_entropy_loss(logits, batch["label"])
        return loss, logits

    grad_fn = jax.value_and_grad(loss_fn, has_aux=True)
    (_, logits), grads = grad_fn(state.params)
    lr = learning_rate_fn(state.step)
    hyperparams = {**state.opt_state.hyperparams, "learning_rate": lr}
    state = state.replace(opt_state=state.opt_state._replace(hyperparams=hyperparams))
    state = state.apply_gradients(grads=grads)
    metrics = compute_metrics(logits, batch["label"])
    metrics["learning_rate"] = lr
    return state, metrics


def train_epoch(state, train_ds, batch_size, epoch, rng, learning_rate_fn):
    """Train for a single epoch; returns the metrics of every step."""
    train_ds_size = len(train_ds["image"])
    steps_per_epoch = train_ds_size // batch_size
    perms = jax.random.permutation(rng, train_ds_size)
    perms = perms[: steps_per_epoch * batch_size]
    perms = perms.reshape((steps_per_epoch, batch_size))
    batch_metrics = []
    for perm in perms:
        batch = {k: v[perm, ...] for k, v in train_ds.items()}
        state, metrics = train_step(state, batch, learning_rate_fn)
        batch_metrics.append(metrics)

    batch_metrics = jax.device_get(batch_metrics)
    history = {k: np.array([m[k] for m in batch_metrics]) for k in batch_metrics[0]}
    logging.info(
        "train epoch: %d, loss: %.4f, accuracy: %.2f",
        epoch,
        history["loss"].mean(),
        history["accuracy"].mean() * 100,
    )
    return state, history


@functools.cache
def create_optimizer(learning_rate_fn, momentum):
    """SGD with the rate as a hyperparameter, which `train_step` sets per step.

    Cached: `jax.jit` compiles a step again for a state with a new optimizer,
    even an equal one. Schedules are values, so equal ones share this.
    """
    sgd = optax.inject_hyperparams(optax.sgd)
    return sgd(learning_rate=learning_rate_fn(0), momentum=momentum)


def create_train_state(rng, image_shape, learning_rate_fn, momentum):
    """Creates the initial `TrainState`; its optimizer takes the rate per step."""
    params = cnn.init(rng, jnp.ones([1, *image_shape]))["params"]
    tx = create_optimizer(learning_rate_fn, momentum)
    return train_state.TrainState.create(apply_fn=cnn.apply, params=params, tx=tx)


def train_and_evaluate(
    train_ds: Dataset,
    test_ds: Dataset,
    num_epochs: int = 10,
    batch_size: int = 32,
    seed: int = 0,
) -> tuple[train_state.TrainState, dict, dict]:
    """Trains from scratch; returns the state, per-step history, test metrics."""
    steps_per_epoch = len(train_ds["image"]) // batch_size
    # Two cycles per epoch. An equal schedule compiles nothing new.
    learning_rate_fn = create_triangular_schedule(
        lr_min=0.01, lr_max=0.1, steps_per_cycle=steps_per_epoch // 2
    )
    rng, init_rng = jax.random.split(jax.random.key(seed))
    image_shape = train_ds["image"].shape[1:]
    state = create_train_state(init_rng, image_shape, learning_rate_fn, momentum=0.9)
    histories = []
    for epoch in range(1, num_epochs + 1):
        rng, epoch_rng = jax.random.split(rng)
        state, history = train_epoch(
            state, train_ds, batch_size, epoch, epoch_rng, learning_rate_fn
        )
        histories.append(history)
    history = {k: np.concatenate([h[k] for h in histories]) for k in histories[0]}
    test_metrics = jax.device_get(eval_step(state, test_ds))
    return state, history, test_metrics
