"""The guide's training code with Flax NNX: a model object and ``nnx.Optimizer``.

The NNX section of the how-to "Writing your own jit-safe schedule" draws its
code from this module: AdamW with a schedule, the rate of each update read
back from the optimizer state.
"""

from __future__ import annotations

import optax
from flax import nnx

from lr_scheduling.model import compute_metrics, cross_entropy_loss

__all__ = ["NNXCNN", "create_optimizer", "train_step"]


class NNXCNN(nnx.Module):
    """The CNN of :mod:`lr_scheduling.model`, written as an NNX module."""

    def __init__(self, image_shape, *, rngs: nnx.Rngs):
        height, width, channels = image_shape
        self.conv = nnx.Conv(channels, 32, kernel_size=(3, 3), rngs=rngs)
        features = (height // 2) * (width // 2) * 32
        self.hidden = nnx.Linear(features, 128, rngs=rngs)
        self.out = nnx.Linear(128, 10, rngs=rngs)

    def __call__(self, x):
        x = nnx.relu(self.conv(x))
        x = nnx.avg_pool(x, window_shape=(2, 2), strides=(2, 2))
        x = x.reshape((x.shape[0], -1))
        return self.out(nnx.relu(self.hidden(x)))


def create_optimizer(model, learning_rate):
    # inject_hyperparams keeps the rate of each update in the state.
    tx = optax.inject_hyperparams(optax.adamw)(learning_rate)
    return nnx.Optimizer(model, tx, wrt=nnx.Param)


@nnx.jit
def train_step(model, optimizer, batch):
    def loss_fn(model):
        logits = model(batch["image"])
        return cross_entropy_loss(logits, batch["label"]), logits

    grad_fn = nnx.value_and_grad(loss_fn, has_aux=True)
    (_, logits), grads = grad_fn(model)
    optimizer.update(model, grads)
    metrics = compute_metrics(logits, batch["label"])
    hyperparams = optimizer.opt_state.hyperparams
    metrics["learning_rate"] = hyperparams["learning_rate"][...]
    return metrics
