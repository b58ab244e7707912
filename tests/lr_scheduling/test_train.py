"""The training code behind the how-to, on a few real digits."""

import jax
import numpy as np
import pytest
from flax import nnx

from lr_scheduling import baseline, create_triangular_schedule, model, train
from lr_scheduling.data import load_digits
from lr_scheduling.nnx_train import NNXCNN, create_optimizer
from lr_scheduling.nnx_train import train_step as nnx_train_step


@pytest.fixture(scope="module")
def digits():
    train_ds, test_ds = load_digits()
    return {k: v[:256] for k, v in train_ds.items()}, test_ds


def test_logged_rate_is_the_rate_applied(digits):
    train_ds, _ = digits
    schedule = create_triangular_schedule(0.01, 0.1, steps_per_cycle=6)
    state = train.create_train_state(jax.random.key(0), (8, 8, 1), schedule, 0.0)
    batch = {k: v[:32] for k, v in train_ds.items()}
    loss = jax.jit(
        jax.grad(
            lambda params: model.cross_entropy_loss(
                state.apply_fn({"params": params}, batch["image"]), batch["label"]
            )
        )
    )
    for step in range(8):
        before, grads = state.params, loss(state.params)
        state, metrics = train.train_step(state, batch, schedule)
        rate = float(schedule(step))
        assert float(metrics["learning_rate"]) == pytest.approx(rate)
        # Plain SGD (momentum 0): the parameters move by exactly -rate * grad.
        expected = jax.tree.map(lambda p, g, r=rate: p - r * g, before, grads)
        leaves = zip(
            jax.tree.leaves(state.params), jax.tree.leaves(expected), strict=True
        )
        for got, want in leaves:
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)
    assert int(state.step) == 8


def test_one_compilation_per_schedule(digits):
    train_ds, _ = digits
    schedule = create_triangular_schedule(0.01, 0.1, steps_per_cycle=4)
    state = train.create_train_state(jax.random.key(1), (8, 8, 1), schedule, 0.9)
    state, _ = train.train_epoch(state, train_ds, 64, 0, jax.random.key(0), schedule)
    warm = train.train_step._cache_size()
    for epoch in range(1, 3):
        state, _ = train.train_epoch(
            state, train_ds, 64, epoch, jax.random.key(epoch), schedule
        )
    assert train.train_step._cache_size() == warm  # the same schedule: no recompiling
    equal = create_triangular_schedule(0.01, 0.1, steps_per_cycle=4)  # a new object
    assert equal == schedule and hash(equal) == hash(schedule)
    state, _ = train.train_epoch(state, train_ds, 64, 3, jax.random.key(3), equal)
    assert train.train_step._cache_size() == warm  # equal schedules are one value
    other = create_triangular_schedule(0.01, 0.2, steps_per_cycle=4)
    train.train_epoch(state, train_ds, 64, 4, jax.random.key(4), other)
    assert train.train_step._cache_size() == warm + 1


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


def test_nnx_step_reports_the_scheduled_rate(digits):
    train_ds, _ = digits
    schedule = create_triangular_schedule(0.01, 0.1, steps_per_cycle=5)
    model = NNXCNN((8, 8, 1), rngs=nnx.Rngs(0))
    optimizer = create_optimizer(model, schedule, momentum=0.9)
    batch = {k: v[:32] for k, v in train_ds.items()}
    rates = [
        float(nnx_train_step(model, optimizer, batch)["learning_rate"])
        for _ in range(7)
    ]
    np.testing.assert_allclose(rates, schedule(np.arange(7)), rtol=1e-6)
