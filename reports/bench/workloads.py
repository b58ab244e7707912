"""What the bench runs: the guide's model, its step, and an MNIST-sized CNN.

Speed does not depend on what the pixels show, so the speed figures use
seeded random images and labels. The bench builds its training step from the
package's public names (:mod:`lr_scheduling.model`'s ``cnn`` and
``cross_entropy_loss``) and Optax, the guide's simple path: a schedule passed
to an Optax optimizer. So the figures do not depend on how
:mod:`lr_scheduling.train` wires its step.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import optax

from lr_scheduling import create_triangular_schedule
from lr_scheduling.model import cnn, cross_entropy_loss

Batch = dict[str, jax.Array]

# The guide's schedule: from 0.01 to 0.1 and back, two cycles per epoch.
SCHEDULE = create_triangular_schedule(lr_min=0.01, lr_max=0.1, steps_per_cycle=22)
# The same step with a fixed rate: the middle of the triangle's range.
CONSTANT = optax.constant_schedule(0.05)
MOMENTUM = 0.9


class MnistCNN(nn.Module):
    """Flax's MNIST example CNN: conv 32, conv 64 (3x3, each ReLU and 2x2
    average pooling), dense 256, dense 10."""

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        for features in (32, 64):
            x = nn.Conv(features=features, kernel_size=(3, 3))(x)
            x = nn.avg_pool(nn.relu(x), window_shape=(2, 2), strides=(2, 2))
        x = nn.relu(nn.Dense(features=256)(x.reshape((x.shape[0], -1))))
        return nn.Dense(features=10)(x)


mnist_cnn = MnistCNN()
# name: (model, image shape, batch size). The guide's CNN on its digits at
# its batch size, and at MNIST's shape and batch; Flax's MNIST CNN on MNIST.
MODELS: dict[str, tuple[nn.Module, tuple[int, ...], int]] = {
    "digits": (cnn, (8, 8, 1), 32),
    "guide_cnn_28x28": (cnn, (28, 28, 1), 128),
    "mnist_cnn": (mnist_cnn, (28, 28, 1), 128),
}


def loss_function(model: nn.Module) -> Callable[[Any, Batch], jax.Array]:
    """``loss(params, batch)``: mean cross-entropy of ``model`` on the batch."""

    def loss(params: Any, batch: Batch) -> jax.Array:
        logits = model.apply({"params": params}, batch["image"])
        return cross_entropy_loss(logits, batch["label"])

    return loss


# One function object per model, so that jax.jit compiles each step once.
LOSSES = {name: loss_function(model) for name, (model, _, _) in MODELS.items()}


def synthetic_batches(
    steps: int, batch_size: int, image_shape: tuple[int, ...], seed: int = 0
) -> Batch:
    """``steps`` batches stacked on the device: images float32
    ``(steps, batch_size, *image_shape)`` in [0, 1), labels int32
    ``(steps, batch_size)`` in [0, 10)."""
    rng = np.random.default_rng(seed)
    images = rng.random((steps, batch_size, *image_shape), dtype=np.float32)
    labels = rng.integers(0, 10, (steps, batch_size), dtype=np.int32)
    return jax.device_put({"image": images, "label": labels})


def unstack(stacked: Batch) -> list[Batch]:
    """Stacked batches as a list, sliced once, before any timing."""
    return [
        {key: value[i] for key, value in stacked.items()}
        for i in range(len(stacked["label"]))
    ]


def initial_params(name: str, seed: int = 0) -> Any:
    """The parameters of ``MODELS[name]``, initialised from ``seed``."""
    model, image_shape, _ = MODELS[name]
    return model.init(jax.random.key(seed), jnp.ones((1, *image_shape)))["params"]


@functools.cache
def optimizer(schedule: optax.Schedule) -> optax.GradientTransformation:
    """SGD with momentum 0.9 at ``schedule``'s rate; one object per schedule."""
    return optax.sgd(schedule, momentum=MOMENTUM)


@functools.partial(jax.jit, static_argnames=("loss", "schedule"))
def train_step(
    params: Any, opt_state: Any, batch: Batch, *, loss: Callable, schedule: Any
) -> tuple[Any, Any, jax.Array]:
    """A plain jitted training step: the gradient, one optimizer update."""
    value, grads = jax.value_and_grad(loss)(params, batch)
    updates, opt_state = optimizer(schedule).update(grads, opt_state, params)
    return optax.apply_updates(params, updates), opt_state, value


def train_loop(name: str, schedule: Any = SCHEDULE) -> Callable[[list[Batch]], Any]:
    """A training loop of ``MODELS[name]``: one jitted step per batch, from
    the same initial parameters each call; returns the last step's outputs."""
    params = initial_params(name)
    opt_state = optimizer(schedule).init(params)
    loss = LOSSES[name]

    def run(batches: list[Batch]) -> Any:
        state = (params, opt_state)
        for batch in batches:
            *state, value = train_step(*state, batch, loss=loss, schedule=schedule)
        return state, value

    return run
