"""The model, loss, metrics and evaluation step that every training variant shares.

:mod:`lr_scheduling.train` (scheduled rate), :mod:`lr_scheduling.baseline`
(fixed rate) and :mod:`lr_scheduling.nnx_train` (Flax NNX) all build on these.
"""

from __future__ import annotations

import flax.linen as nn
import jax
import jax.numpy as jnp
import optax

__all__ = ["CNN", "cnn", "compute_metrics", "cross_entropy_loss", "eval_step"]


class CNN(nn.Module):
    """A small convolutional network for 8x8 digits or 28x28 MNIST."""

    @nn.compact
    def __call__(self, x):
        x = nn.Conv(features=32, kernel_size=(3, 3))(x)
        x = nn.relu(x)
        x = nn.avg_pool(x, window_shape=(2, 2), strides=(2, 2))
        x = x.reshape((x.shape[0], -1))
        x = nn.Dense(features=128)(x)
        x = nn.relu(x)
        return nn.Dense(features=10)(x)


cnn = CNN()  # one module object, shared by every run


def cross_entropy_loss(logits, labels):
    """Mean cross-entropy: float ``logits`` (N, 10), int ``labels`` (N,)."""
    losses = optax.softmax_cross_entropy_with_integer_labels(logits, labels)
    return losses.mean()


def compute_metrics(logits, labels):
    """``{"loss", "accuracy"}``, float32 scalars; accuracy is in [0, 1]."""
    loss = cross_entropy_loss(logits, labels)
    accuracy = jnp.mean(jnp.argmax(logits, -1) == labels)
    return {"loss": loss, "accuracy": accuracy}


@jax.jit
def eval_step(state, batch):
    """The metrics of the model on a whole ``{"image", "label"}`` batch."""
    logits = state.apply_fn({"params": state.params}, batch["image"])
    return compute_metrics(logits, batch["label"])
