"""The training engine: SGD and AdamW runs as written out by hand, seeds under vmap."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from reports.results import runs
from reports.results.models import CNN1D, ByteTransformer
from reports.results.runs import (
    Classifier,
    LanguageModel,
    make_batches,
    train_policy,
)


def tiny_data(count=24, length=40, seed=0):
    """Signals whose class is the sign of their mean: learnable in a few steps."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, count).astype(np.int32)
    images = rng.normal(size=(count, length, 1)).astype(np.float32)
    images += np.where(labels == 1, 1.0, -1.0)[:, None, None].astype(np.float32)
    return {"image": images, "label": labels}


def splits():
    return {
        "train": tiny_data(),
        "val": tiny_data(10, seed=1),
        "test": tiny_data(13, seed=2),
    }


def test_make_batches_draws_epochs_without_replacement():
    batches = make_batches(10, batch_size=3, num_steps=7, seed=4)
    assert batches.shape == (7, 3) and batches.dtype == np.int32
    for epoch in (batches[0:3], batches[3:6]):  # 3 batches per epoch, 1 left out
        values = epoch.ravel()
        assert len(set(values)) == 9 and set(values) <= set(range(10))
    np.testing.assert_array_equal(batches, make_batches(10, 3, 7, seed=4))
    assert not np.array_equal(batches, make_batches(10, 3, 7, seed=5))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((0, 1, 1), "num_examples must be >= 1, got 0"),
        ((5, 0, 1), "batch_size must be >= 1, got 0"),
        ((5, 1, 0), "num_steps must be >= 1, got 0"),
        ((5, 6, 1), "batch_size must be <= num_examples=5, got 6"),
    ],
)
def test_make_batches_rejects_bad_counts(args, message):
    with pytest.raises(ValueError, match=message):
        make_batches(*args, seed=0)


def reference_sgd(objective, data, seed, rates, momenta, eval_every):
    """SGD with momentum written out (Optax's trace: v = g + m v; p -= lr v)."""
    params = objective.init(data["train"], seed)
    batches = make_batches(24, 6, len(rates), seed)
    velocity = jax.tree.map(jnp.zeros_like, params)
    val, test = [], []
    for step, index in enumerate(batches):
        grads = jax.grad(objective.loss)(params, objective.batch(data["train"], index))
        rate, momentum = rates[step], momenta[step]
        velocity = jax.tree.map(lambda v, g, m=momentum: g + m * v, velocity, grads)
        params = jax.tree.map(lambda p, v, r=rate: p - r * v, params, velocity)
        if (step + 1) % eval_every == 0:
            for split, out in (("val", val), ("test", test)):
                out.append(float(objective.score(params, data[split]).mean()))
    return np.asarray(val), np.asarray(test)


def test_a_run_is_sgd_with_the_tables_rates_and_momenta_for_every_seed():
    objective, data = Classifier(CNN1D(channels=3)), splits()
    rates = np.linspace(0.05, 0.2, 8).astype(np.float32)
    momenta = np.linspace(0.95, 0.85, 8).astype(np.float32)
    curves = train_policy(objective, "sgd", data, rates, momenta, (0, 3), 6, 4)
    assert curves.val.shape == curves.test.shape == curves.loss.shape == (2, 2)
    for row, seed in enumerate((0, 3)):
        val, test = reference_sgd(objective, data, seed, rates, momenta, 4)
        np.testing.assert_allclose(curves.val[row], val, atol=1e-6)
        np.testing.assert_allclose(curves.test[row], test, atol=1e-6)
    # Each seed is its own run: alone, seed 3 gives the same numbers.
    alone = train_policy(objective, "sgd", data, rates, momenta, (3,), 6, 4)
    np.testing.assert_allclose(alone.test[0], curves.test[1], atol=1e-6)


def test_evaluation_in_padded_chunks_counts_every_example_once(monkeypatch):
    objective, data = Classifier(CNN1D(channels=3)), splits()
    rates, momenta = np.full(8, 0.1, np.float32), np.full(8, 0.9, np.float32)
    whole = train_policy(objective, "sgd", data, rates, momenta, (0,), 6, 4)
    monkeypatch.setattr(runs, "EVAL_CHUNK", 5)  # 3 chunks, the last padded
    chunks = runs._chunks(objective.eval_items(data["test"]))
    assert chunks["image"].shape[:2] == (3, 5) and chunks["weight"].sum() == 13
    chunked = train_policy(objective, "sgd", data, rates, momenta, (0,), 6, 4)
    np.testing.assert_allclose(chunked.test, whole.test, atol=1e-6)
    np.testing.assert_allclose(whole.test * 13, np.round(whole.test * 13), atol=1e-4)


def test_the_language_model_learns_a_repeating_text_with_adamw():
    text = np.frombuffer(b"abcdefgh" * 64, np.uint8)
    data = {name: {"tokens": text} for name in ("train", "val", "test")}
    objective = LanguageModel(ByteTransformer(16, 1, 2, 8), context=8, eval_windows=8)
    rates, momenta = np.full(40, 0.01, np.float32), np.full(40, 0.9, np.float32)
    curves = train_policy(objective, "adamw", data, rates, momenta, (0, 1), 4, 20)
    first = objective.score(
        objective.init(data["train"], 0),
        jax.tree.map(jnp.asarray, objective.eval_items(data["val"])),
    )
    # Untrained: about log2(256) = 8 bits; trained on a period-8 text: far less.
    assert 7 < float(first.mean()) < 9
    assert np.all(curves.val[:, -1] < 2.0) and np.all(
        curves.val[:, -1] < curves.val[:, 0]
    )
    np.testing.assert_array_equal(curves.val, curves.test)  # the same text


def test_optimizer_names_are_checked():
    with pytest.raises(
        ValueError, match="optimizer must be 'sgd' or 'adamw', got 'adam'"
    ):
        runs.optimizer("adam")
    state = runs.optimizer("adamw").init({"w": jnp.ones(2)})
    assert set(state.hyperparams) >= {"learning_rate", "b1", "weight_decay"}
    assert isinstance(runs.optimizer("sgd"), optax.GradientTransformation)
