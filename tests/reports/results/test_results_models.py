"""The results page's models compute what Flax's layers and the guide's CNN compute."""

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from lr_scheduling.model import CNN
from reports.results.models import (
    CNN1D,
    ByteTransformer,
    GuideCNN,
    PatchConv1D,
    PatchConv2D,
)


@pytest.mark.parametrize(
    ("kernel_size", "stride", "padding", "length"),
    [(5, 2, 1, 40), (3, 2, 1, 19), (3, 1, 0, 7), (4, 3, 2, 11)],
)
def test_patch_conv_is_flax_conv(kernel_size, stride, padding, length):
    x = jax.random.normal(jax.random.key(1), (3, length, 2))
    patch = PatchConv1D(5, kernel_size, stride=stride, padding=padding)
    conv = nn.Conv(5, (kernel_size,), strides=stride, padding=padding)
    key = jax.random.key(0)
    params, conv_params = patch.init(key, x), conv.init(key, x)
    # The same parameters and initializers: the same key gives the same numbers.
    jax.tree.map(np.testing.assert_array_equal, params, conv_params)
    params = jax.tree.map(lambda p: p + 0.1, params)  # a nonzero bias too
    np.testing.assert_allclose(
        patch.apply(params, x), conv.apply(params, x), rtol=1e-5, atol=1e-5
    )


@pytest.mark.parametrize("kernel_size", [(3, 3), (1, 1), (3, 5)])
def test_patch_conv_2d_is_flax_conv(kernel_size):
    x = jax.random.normal(jax.random.key(1), (2, 7, 6, 3))
    patch, conv = PatchConv2D(4, kernel_size), nn.Conv(4, kernel_size)
    params = patch.init(jax.random.key(0), x)
    jax.tree.map(np.testing.assert_array_equal, params, conv.init(jax.random.key(0), x))
    params = jax.tree.map(lambda p: p + 0.1, params)
    np.testing.assert_allclose(
        patch.apply(params, x), conv.apply(params, x), rtol=1e-5, atol=1e-5
    )


def test_patch_conv_2d_rejects_even_kernels():
    with pytest.raises(ValueError, match=r"kernel_size must be odd, got \(2, 3\)"):
        PatchConv2D(4, (2, 3)).init(jax.random.key(0), jnp.ones((1, 5, 5, 1)))


@pytest.mark.parametrize("size", [8, 28])
def test_guide_cnn_is_the_guides_cnn(size):
    x = jax.random.uniform(jax.random.key(2), (5, size, size, 1))
    params = GuideCNN().init(jax.random.key(0), x)
    jax.tree.map(
        np.testing.assert_array_equal, params, CNN().init(jax.random.key(0), x)
    )
    params = jax.tree.map(lambda p: p + 0.01, params)
    np.testing.assert_allclose(
        GuideCNN().apply(params, x), CNN().apply(params, x), rtol=1e-4, atol=1e-5
    )


def test_cnn1d_gives_ten_logits():
    model = CNN1D()
    params = model.init(jax.random.key(0), jnp.ones((1, 40, 1)))
    assert model.apply(params, jnp.ones((7, 40, 1))).shape == (7, 10)
    kernels = [params["params"][f"PatchConv1D_{i}"]["kernel"].shape for i in range(3)]
    assert kernels == [(5, 1, 25), (3, 25, 25), (3, 25, 25)]


def test_byte_transformer_is_causal():
    """A byte's logits do not depend on the bytes after it."""
    model = ByteTransformer(width=16, layers=2, heads=2, context=12)
    tokens = jax.random.randint(jax.random.key(0), (2, 12), 0, 256)
    params = model.init(jax.random.key(1), tokens)
    changed = tokens.at[:, 7:].set(0)
    before, after = model.apply(params, tokens), model.apply(params, changed)
    np.testing.assert_allclose(before[:, :7], after[:, :7], atol=1e-6)
    assert not np.allclose(before[:, 7:], after[:, 7:])
