"""The results page's models: the guide's CNN, a 1-D CNN and a byte-level transformer.

The convolutions are written as patches times a matrix: on this project's
2-core CPU, XLA's convolution was three to five times slower for these
small shapes (measured when the page was first built).
"""

from __future__ import annotations

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["CNN1D", "ByteTransformer", "GuideCNN", "PatchConv1D", "PatchConv2D"]


class PatchConv1D(nn.Module):
    """A 1-D convolution written as patches times a matrix.

    It computes what ``flax.linen.Conv(features, (kernel_size,),
    strides=stride, padding=padding)`` computes, with the same parameters
    (``kernel`` ``(kernel_size, in_channels, features)``, ``bias``
    ``(features,)``) and initializers, so the same key gives the same
    numbers.

    Input ``(N, length, in_channels)``, output ``(N, out_length, features)``
    with ``out_length = (length + 2 * padding - kernel_size) // stride + 1``,
    float32.

    Example:
      >>> layer = PatchConv1D(features=4, kernel_size=3, stride=2, padding=1)
      >>> x = jnp.ones((2, 40, 1))
      >>> params = layer.init(jax.random.key(0), x)
      >>> layer.apply(params, x).shape
      (2, 20, 4)
    """

    features: int
    kernel_size: int
    stride: int = 1
    padding: int = 0

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        kernel = self.param(
            "kernel",
            nn.initializers.lecun_normal(),
            (self.kernel_size, x.shape[-1], self.features),
        )
        bias = self.param("bias", nn.initializers.zeros_init(), (self.features,))
        x = jnp.pad(x, ((0, 0), (self.padding, self.padding), (0, 0)))
        length = (x.shape[1] - self.kernel_size) // self.stride + 1
        index = self.stride * np.arange(length)[:, None] + np.arange(self.kernel_size)
        return jnp.einsum("nlkc,kcf->nlf", x[:, index], kernel) + bias


class PatchConv2D(nn.Module):
    """A 2-D convolution (stride 1, ``"SAME"`` padding) as patches times a matrix.

    It computes what ``flax.linen.Conv(features, kernel_size)`` computes with
    its defaults, with the same parameters (``kernel`` ``(kh, kw,
    in_channels, features)``, ``bias``) and initializers.

    Input ``(N, H, W, in_channels)``, output ``(N, H, W, features)``.

    Raises:
      ValueError: an even kernel size (``"SAME"`` would pad unevenly).

    Example:
      >>> layer = PatchConv2D(features=4, kernel_size=(3, 3))
      >>> x = jnp.ones((2, 8, 8, 1))
      >>> layer.apply(layer.init(jax.random.key(0), x), x).shape
      (2, 8, 8, 4)
    """

    features: int
    kernel_size: tuple[int, int] = (3, 3)

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        height, width = self.kernel_size
        if height % 2 == 0 or width % 2 == 0:
            raise ValueError(f"kernel_size must be odd, got {self.kernel_size!r}")
        kernel = self.param(
            "kernel",
            nn.initializers.lecun_normal(),
            (height, width, x.shape[-1], self.features),
        )
        bias = self.param("bias", nn.initializers.zeros_init(), (self.features,))
        rows, cols = x.shape[1:3]
        padded = jnp.pad(x, ((0, 0), (height // 2,) * 2, (width // 2,) * 2, (0, 0)))
        patches = jnp.stack(
            [
                padded[:, i : i + rows, j : j + cols]
                for i in range(height)
                for j in range(width)
            ],
            axis=3,
        )  # (N, H, W, kh * kw, C), in the kernel's row-major order
        flat = kernel.reshape(height * width, *kernel.shape[2:])
        return jnp.einsum("nhwkc,kcf->nhwf", patches, flat) + bias


class GuideCNN(nn.Module):
    """The guide's CNN (:class:`lr_scheduling.model.CNN`), convolving by patches.

    The same layers, parameter names, shapes and initializers as ``CNN``, so
    the same key initializes both alike and both compute the same function
    (to float rounding).

    Example:
      >>> from lr_scheduling.model import CNN
      >>> x = jnp.ones((2, 8, 8, 1))
      >>> params = GuideCNN().init(jax.random.key(0), x)
      >>> same = jax.tree.map(jnp.array_equal, params, CNN().init(jax.random.key(0), x))
      >>> all(jax.tree.leaves(same))
      True
      >>> gap = jnp.abs(GuideCNN().apply(params, x) - CNN().apply(params, x))
      >>> float(gap.max()) < 1e-6
      True
    """

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        x = nn.relu(PatchConv2D(features=32, kernel_size=(3, 3), name="Conv_0")(x))
        x = nn.avg_pool(x, window_shape=(2, 2), strides=(2, 2))
        x = x.reshape((x.shape[0], -1))
        x = nn.relu(nn.Dense(features=128)(x))
        return nn.Dense(features=10)(x)


class CNN1D(nn.Module):
    """A small 1-D CNN for MNIST-1D, shaped as the authors' CNN.

    Three convolutions of ``channels`` channels (kernels 5, 3, 3; stride 2,
    padding 1; ReLU), flattened into a linear layer of 10 logits, as the CNN
    of the MNIST-1D repository (Greydanus and Kobak, arXiv:2011.14439):
    5,210 parameters for a length-40 input and 25 channels.

    Input float32 ``(N, 40, 1)``; output logits ``(N, 10)``.

    Example:
      >>> model = CNN1D()
      >>> params = model.init(jax.random.key(0), jnp.ones((1, 40, 1)))["params"]
      >>> sum(leaf.size for leaf in jax.tree.leaves(params))
      5210
    """

    channels: int = 25

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        for size in (5, 3, 3):
            x = PatchConv1D(self.channels, size, stride=2, padding=1)(x)
            x = nn.relu(x)
        return nn.Dense(10)(x.reshape((x.shape[0], -1)))


class _Block(nn.Module):
    """Pre-norm causal self-attention and a 4x MLP, each added back (GPT-2's block)."""

    width: int
    heads: int

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        length, head = x.shape[1], self.width // self.heads
        qkv = nn.Dense(3 * self.width, name="qkv")(nn.LayerNorm()(x))
        q, k, v = jnp.split(qkv.reshape(*x.shape[:2], 3 * self.heads, head), 3, -2)
        scores = jnp.einsum("nqhd,nkhd->nhqk", q, k) / np.sqrt(head)
        causal = np.tril(np.ones((length, length), bool))
        weights = jax.nn.softmax(jnp.where(causal, scores, -1e9), axis=-1)
        mixed = jnp.einsum("nhqk,nkhd->nqhd", weights, v).reshape(x.shape)
        x = x + nn.Dense(self.width, name="out")(mixed)
        hidden = nn.gelu(nn.Dense(4 * self.width)(nn.LayerNorm()(x)))
        return x + nn.Dense(self.width)(hidden)


class ByteTransformer(nn.Module):
    """A small decoder-only transformer over bytes (GPT-2's layout, tiny).

    Token and learned position embeddings, ``layers`` pre-norm blocks of
    causal self-attention (``heads`` heads) and a 4x GELU MLP, a final layer
    norm, and a dense layer to 256 logits (one per byte value).

    Input int32 ``(N, L)`` bytes with ``L <= context``; output float32
    logits ``(N, L, 256)``: position ``i`` predicts byte ``i + 1``.

    Example:
      >>> model = ByteTransformer(width=32, layers=1, heads=2, context=16)
      >>> tokens = jnp.zeros((2, 16), jnp.int32)
      >>> params = model.init(jax.random.key(0), tokens)
      >>> model.apply(params, tokens).shape
      (2, 16, 256)
    """

    width: int = 64
    layers: int = 2
    heads: int = 4
    context: int = 64

    @nn.compact
    def __call__(self, tokens: jax.Array) -> jax.Array:
        x = nn.Embed(256, self.width)(tokens)
        position = self.param(
            "position", nn.initializers.normal(0.02), (self.context, self.width)
        )
        x = x + position[: tokens.shape[1]]
        for _ in range(self.layers):
            x = _Block(self.width, self.heads)(x)
        return nn.Dense(256)(nn.LayerNorm()(x))
