"""Gradient accumulation: k micro-batches make one update of a k-times larger batch.

``optax.MultiSteps`` averages the gradients of ``k`` micro-batches and calls the
inner optimizer once, so a scheduled optimizer inside it sees one step per
update. With equal micro-batches and a mean loss, the parameters equal those of
the same optimizer on batches ``k`` times larger, to float32 rounding; and the
rate each update used is the schedule's at the update's index.
"""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from lr_scheduling import current_learning_rates
from lr_scheduling.model import cnn, cross_entropy_loss

pytest.importorskip("sklearn")

K, MICRO, UPDATES = 4, 8, 12
SCHEDULE = optax.warmup_cosine_decay_schedule(0.0, 0.01, 3, UPDATES)


@pytest.fixture(scope="module")
def data():
    from lr_scheduling.data import load_digits

    train, _ = load_digits()
    order = np.random.default_rng(0).permutation(len(train["label"]))
    chosen = order[: K * MICRO * UPDATES]
    return train["image"][chosen], train["label"][chosen]


def loss_fn(params, x, y):
    return cross_entropy_loss(cnn.apply({"params": params}, x), y)


def run(tx, params, data, batch):
    """Trains on consecutive batches; the final params and the rates logged."""

    @jax.jit
    def step(params, opt_state, x, y):
        grads = jax.grad(loss_fn)(params, x, y)
        updates, opt_state = tx.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state

    opt_state = tx.init(params)
    rates = []
    images, labels = data
    for start in range(0, len(labels), batch):
        x, y = images[start : start + batch], labels[start : start + batch]
        params, opt_state = step(params, opt_state, x, y)
        if not isinstance(tx, optax.MultiSteps) or tx.has_updated(opt_state):
            rates.append(float(current_learning_rates(opt_state)["learning_rate"]))
    return params, np.array(rates)


@pytest.mark.parametrize(
    "optimizer",
    [optax.adamw, lambda learning_rate: optax.sgd(learning_rate, momentum=0.9)],
    ids=["adamw", "sgd_momentum"],
)
def test_accumulated_equals_large_batch(optimizer, data):
    params = cnn.init(jax.random.key(0), jnp.ones((1, 8, 8, 1)))["params"]
    inner = optax.inject_hyperparams(optimizer)(learning_rate=SCHEDULE)
    accumulated, micro_rates = run(
        optax.MultiSteps(inner, every_k_schedule=K), params, data, MICRO
    )
    large, large_rates = run(inner, params, data, K * MICRO)

    expected = np.array([float(SCHEDULE(step)) for step in range(UPDATES)])
    np.testing.assert_allclose(micro_rates, expected, rtol=1e-6)
    np.testing.assert_array_equal(micro_rates, large_rates)
    moved = jax.tree.map(lambda a, b: float(jnp.max(jnp.abs(a - b))), large, params)
    assert min(jax.tree.leaves(moved)) > 1e-3  # the comparison is not vacuous
    jax.tree.map(
        lambda a, b: np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5),
        accumulated,
        large,
    )


def test_a_counter_of_micro_batches_runs_the_schedule_k_times_too_fast(data):
    # The control: the count the schedule reads is the update count; a count
    # of micro-batches (Flax's TrainState.step under MultiSteps) is k times it.
    params = cnn.init(jax.random.key(0), jnp.ones((1, 8, 8, 1)))["params"]
    tx = optax.MultiSteps(
        optax.inject_hyperparams(optax.adamw)(learning_rate=SCHEDULE), K
    )
    opt_state = tx.init(params)
    grads = jax.tree.map(jnp.ones_like, params)
    for _ in range(K * 2):
        _, opt_state = tx.update(grads, opt_state, params)
    assert int(opt_state.inner_opt_state.count) == 2
    assert int(opt_state.gradient_step) == 2
