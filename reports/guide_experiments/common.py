"""The model, data and training loop shared by the warmup and batch-size runs.

A ReLU MLP (64-128-128-128-10, He-initialised) on scikit-learn's 8x8 digits
(:func:`lr_scheduling.data.load_digits`, the guide's split). Each call of
:func:`train_runs` trains many runs at once with ``jax.vmap``: every run has
its own seed (initial weights and batch order) and its own optimizer settings,
given as arrays, so one compilation covers a whole sweep.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np
import optax

from lr_scheduling.data import load_digits

SIZES = (64, 128, 128, 128, 10)
Params = list[tuple[jax.Array, jax.Array]]
# (settings of one run, its update count) -> an Optax optimizer for that run.
MakeOptimizer = Callable[[dict[str, jax.Array]], optax.GradientTransformation]


@dataclass(frozen=True)
class Digits:
    """Flattened digits: images (N, 64) float32 in [0, 1], labels (N,) int32."""

    train_x: jax.Array
    train_y: jax.Array
    test_x: jax.Array
    test_y: jax.Array


def digits() -> Digits:
    train, test = load_digits()
    flat = lambda images: jnp.asarray(images.reshape(len(images), -1))  # noqa: E731
    return Digits(
        flat(train["image"]),
        jnp.asarray(train["label"]),
        flat(test["image"]),
        jnp.asarray(test["label"]),
    )


def init_mlp(key: jax.Array, sizes: tuple[int, ...] = SIZES) -> Params:
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
        key, sub = jax.random.split(key)
        weight = jax.random.normal(sub, (fan_in, fan_out)) * jnp.sqrt(2.0 / fan_in)
        params.append((weight, jnp.zeros(fan_out)))
    return params


def apply_mlp(params: Params, x: jax.Array) -> jax.Array:
    for weight, bias in params[:-1]:
        x = jax.nn.relu(x @ weight + bias)
    weight, bias = params[-1]
    return x @ weight + bias


def loss_fn(params: Params, x: jax.Array, y: jax.Array) -> jax.Array:
    logits = apply_mlp(params, x)
    return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()


def batch_indices(key: jax.Array, num_examples: int, batch: int, epochs: int):
    """(epochs * steps_per_epoch, batch): a fresh permutation every epoch,
    the last partial batch of each epoch dropped."""
    steps = num_examples // batch
    keys = jax.random.split(key, epochs)
    perms = jax.vmap(lambda k: jax.random.permutation(k, num_examples))(keys)
    return perms[:, : steps * batch].reshape(epochs * steps, batch)


def train_one(
    data: Digits,
    make_optimizer: MakeOptimizer,
    settings: dict[str, jax.Array],
    batch: int,
    epochs: int,
) -> dict[str, jax.Array]:
    """One run: per-step training loss, final test accuracy, final train loss."""
    init_key, order_key = jax.random.split(jax.random.key(settings["seed"]))
    params = init_mlp(init_key)
    tx = make_optimizer(settings)
    opt_state = tx.init(params)
    order = batch_indices(order_key, data.train_x.shape[0], batch, epochs)

    def step(carry, idx):
        params, opt_state = carry
        loss, grads = jax.value_and_grad(loss_fn)(
            params, data.train_x[idx], data.train_y[idx]
        )
        updates, opt_state = tx.update(grads, opt_state, params)
        return (optax.apply_updates(params, updates), opt_state), loss

    (params, _), losses = jax.lax.scan(step, (params, opt_state), order)
    predictions = apply_mlp(params, data.test_x).argmax(-1)
    return {
        "loss": losses,
        "test_accuracy": (predictions == data.test_y).mean(),
        "train_loss": loss_fn(params, data.train_x, data.train_y),
    }


def train_runs(
    data: Digits,
    make_optimizer: MakeOptimizer,
    settings: dict[str, np.ndarray],
    batch: int,
    epochs: int,
) -> dict[str, np.ndarray]:
    """Every run of ``settings`` (arrays of equal length, one entry per run)."""

    def one(run_settings):
        return train_one(data, make_optimizer, run_settings, batch, epochs)

    arrays = {name: jnp.asarray(value) for name, value in settings.items()}
    results = jax.jit(jax.vmap(one))(arrays)
    return {name: np.asarray(value) for name, value in results.items()}


def warmup_cosine(
    count: jax.Array, peak: jax.Array, warmup: jax.Array, total: int
) -> jax.Array:
    """``optax.warmup_cosine_decay_schedule(0.0, peak, warmup, total)`` with a
    traced ``peak`` and ``warmup`` (Optax's needs them concrete), so that one
    vmapped run per setting compiles once. Linear from 0 to ``peak`` over
    ``warmup`` updates (Goyal et al. 2017), then a cosine to 0 at ``total``."""
    count = count.astype(jnp.float32)
    warmup = warmup.astype(jnp.float32)
    rising = peak * count / jnp.maximum(warmup, 1.0)
    progress = jnp.clip((count - warmup) / jnp.maximum(total - warmup, 1.0), 0, 1)
    falling = peak * 0.5 * (1.0 + jnp.cos(jnp.pi * progress))
    return jnp.where(count < warmup, rising, falling)


def rounded(values: np.ndarray, digits: int = 4) -> list:
    """Floats to ``digits`` significant digits, for a stable, small JSON."""
    return [float(f"{value:.{digits}g}") for value in np.ravel(values)]
