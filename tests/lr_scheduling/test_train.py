"""The training code behind the how-to, on a few real digits."""

import jax
import numpy as np
import optax
import pytest
from flax import nnx

from lr_scheduling import baseline, create_triangular_schedule, model, train
from lr_scheduling.data import load_digits
from lr_scheduling.nnx_train import NNXCNN, create_optimizer
from lr_scheduling.nnx_train import train_step as nnx_train_step
from lr_scheduling.teaching import triangular_schedule


@pytest.fixture(scope="module")
def digits():
    train_ds, test_ds = load_digits()
    return {k: v[:256] for k, v in train_ds.items()}, test_ds


def test_logged_rate_is_the_rate_applied(digits):
    """The rate train_step logs is the one the update used, step by step."""
    train_ds, _ = digits
    schedule = triangular_schedule(0.001, 0.01, steps_per_cycle=6)
    state = train.create_train_state(jax.random.key(0), (8, 8, 1), schedule)
    batch = {k: v[:32] for k, v in train_ds.items()}
    grad = jax.jit(
        jax.grad(
            lambda params: model.cross_entropy_loss(
                state.apply_fn({"params": params}, batch["image"]), batch["label"]
            )
        )
    )
    # The same AdamW at a fixed rate, replayed by hand with each step's rate.
    replay = optax.inject_hyperparams(optax.adamw)(learning_rate=0.0)
    replay_state = replay.init(state.params)
    for step in range(8):
        before, grads = state.params, grad(state.params)
        state, metrics = train.train_step(state, batch)
        rate = float(schedule(step))
        assert float(metrics["learning_rate"]) == pytest.approx(rate, rel=1e-6)
        replay_state.hyperparams["learning_rate"] = np.float32(rate)
        updates, replay_state = replay.update(grads, replay_state, before)
        expected = optax.apply_updates(before, updates)
        leaves = zip(
            jax.tree.leaves(state.params), jax.tree.leaves(expected), strict=True
        )
        for got, want in leaves:
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)
    assert int(state.step) == 8


def test_no_recompiling_within_a_run_or_with_a_shared_optimizer(digits):
    train_ds, _ = digits
    schedule = triangular_schedule(0.001, 0.01, steps_per_cycle=4)
    state = train.create_train_state(jax.random.key(1), (8, 8, 1), schedule)
    state, _ = train.train_epoch(state, train_ds, 64, 0, jax.random.key(0))
    warm = train.train_step._cache_size()
    for epoch in range(1, 3):
        state, _ = train.train_epoch(state, train_ds, 64, epoch, jax.random.key(epoch))
    assert train.train_step._cache_size() == warm  # same run: no recompiling
    # A new state with the same optimizer object shares the compiled step ...
    again = state.replace(step=0, params=state.params)
    train.train_epoch(again, train_ds, 64, 3, jax.random.key(3))
    assert train.train_step._cache_size() == warm
    # ... a new optimizer (a new run) compiles again: tests/test_compile_counts.py
    fresh = train.create_train_state(jax.random.key(1), (8, 8, 1), schedule)
    train.train_epoch(fresh, train_ds, 64, 4, jax.random.key(4))
    assert train.train_step._cache_size() > warm


@pytest.mark.parametrize("module", [baseline, train])
def test_train_and_evaluate_is_deterministic(digits, module):
    train_ds, test_ds = digits
    _, history, metrics = module.train_and_evaluate(train_ds, test_ds, num_epochs=2)
    _, again, metrics_again = module.train_and_evaluate(train_ds, test_ds, num_epochs=2)
    assert len(history["loss"]) == 2 * (256 // 32)
    np.testing.assert_array_equal(history["loss"], again["loss"])
    assert float(metrics["accuracy"]) == float(metrics_again["accuracy"])
    assert history["loss"][-4:].mean() < history["loss"][:4].mean()
    assert ("learning_rate" in history) == (module is train)


def test_scheduled_run_logs_a_four_epoch_cycle(digits):
    """train_and_evaluate's cycle is 4 epochs: a half cycle of 2 (Smith)."""
    train_ds, test_ds = digits
    _, history, _ = train.train_and_evaluate(train_ds, test_ds, num_epochs=8)
    steps_per_epoch = 256 // 32
    expected = create_triangular_schedule(0.001, 0.01, 4 * steps_per_epoch)
    rates = history["learning_rate"]
    assert rates.dtype == np.float32 and rates.shape == (8 * steps_per_epoch,)
    # Within float32 rounding: XLA may fuse the rate into the step differently.
    np.testing.assert_allclose(rates, expected(np.arange(len(rates))), rtol=1e-6)
    assert float(rates[2 * steps_per_epoch]) == pytest.approx(0.01)


def test_baseline_trains_at_a_fixed_rate(digits):
    train_ds, _ = digits
    state = baseline.create_train_state(jax.random.key(0), (8, 8, 1), 0.01)
    assert not hasattr(state.opt_state, "hyperparams")
    state, history = baseline.train_epoch(state, train_ds, 32, 1, jax.random.key(1))
    assert set(history) == {"loss", "accuracy"}
    assert int(state.step) == 8


def test_nnx_step_reports_the_scheduled_rate(digits):
    train_ds, _ = digits
    schedule = triangular_schedule(0.001, 0.01, steps_per_cycle=5)
    network = NNXCNN((8, 8, 1), rngs=nnx.Rngs(0))
    optimizer = create_optimizer(network, schedule)
    batch = {k: v[:32] for k, v in train_ds.items()}
    rates = [
        float(nnx_train_step(network, optimizer, batch)["learning_rate"])
        for _ in range(7)
    ]
    np.testing.assert_allclose(rates, schedule(np.arange(7)), rtol=1e-6)
