"""current_learning_rates on every composition: the rate each update used."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from lr_scheduling import current_learning_rates

PARAMS = {"backbone": jnp.ones(3), "head": jnp.ones(2)}
LABELS = {"backbone": "backbone", "head": "head"}


def schedule(step):
    """0.1, 0.09, 0.08, ... : the step is easy to read back from the rate."""
    return 0.1 - 0.01 * step


def run(tx, steps):
    """The rates current_learning_rates reads after each of ``steps`` updates."""
    state = tx.init(PARAMS)
    seen = []
    for _ in range(steps):
        _, state = tx.update(PARAMS, state, PARAMS)
        rates = current_learning_rates(state)
        seen.append({path: float(rate) for path, rate in rates.items()})
    return seen


def column(seen, path):
    return np.array([rates[path] for rates in seen])


def test_plain_schedule_gives_the_rate_of_each_update():
    seen = run(optax.inject_hyperparams(optax.adam)(learning_rate=schedule), 4)
    assert [list(rates) for rates in seen] == [["learning_rate"]] * 4
    np.testing.assert_allclose(column(seen, "learning_rate"), [0.1, 0.09, 0.08, 0.07])


def test_constant_rate():
    seen = run(optax.inject_hyperparams(optax.sgd)(learning_rate=0.3), 2)
    assert seen == [{"learning_rate": pytest.approx(0.3)}] * 2


def test_before_the_first_update_it_is_the_first_updates_rate():
    tx = optax.inject_hyperparams(optax.sgd)(learning_rate=schedule)
    rates = current_learning_rates(tx.init(PARAMS))
    assert float(rates["learning_rate"]) == pytest.approx(0.1)


@pytest.mark.filterwarnings("ignore:inject_stateful_hyperparams is deprecated")
def test_stateful_hyperparams():
    tx = optax.inject_stateful_hyperparams(optax.sgd)(
        learning_rate=optax.WrappedSchedule(schedule)
    )
    np.testing.assert_allclose(column(run(tx, 3), "learning_rate"), [0.1, 0.09, 0.08])


def test_chain_names_the_position():
    tx = optax.chain(
        optax.clip_by_global_norm(1.0),
        optax.inject_hyperparams(optax.adamw)(learning_rate=schedule),
    )
    seen = run(tx, 3)
    np.testing.assert_allclose(column(seen, "1/learning_rate"), [0.1, 0.09, 0.08])


def test_named_chain_names_the_link():
    tx = optax.named_chain(
        ("clip", optax.clip(1.0)),
        ("adam", optax.inject_hyperparams(optax.adam)(learning_rate=schedule)),
    )
    seen = run(tx, 2)
    assert list(seen[0]) == ["adam/learning_rate"]
    np.testing.assert_allclose(column(seen, "adam/learning_rate"), [0.1, 0.09])


def test_multisteps_changes_the_rate_once_per_real_update():
    inner = optax.inject_hyperparams(optax.adam)(learning_rate=schedule)
    seen = run(optax.MultiSteps(inner, every_k_schedule=3), 9)
    # Micro-steps 0-2 make update 0 (rate 0.1), 3-5 update 1, 6-8 update 2.
    expected = [0.1, 0.1, 0.1, 0.1, 0.1, 0.09, 0.09, 0.09, 0.08]
    np.testing.assert_allclose(column(seen, "learning_rate"), expected)


@pytest.mark.parametrize("compose", [optax.partition, optax.multi_transform])
def test_partition_names_each_group(compose):
    tx = compose(
        {
            "backbone": optax.inject_hyperparams(optax.adamw)(learning_rate=schedule),
            "head": optax.inject_hyperparams(optax.sgd)(learning_rate=0.5),
        },
        LABELS,
    )
    seen = run(tx, 3)
    assert sorted(seen[0]) == ["backbone/learning_rate", "head/learning_rate"]
    np.testing.assert_allclose(
        column(seen, "backbone/learning_rate"), [0.1, 0.09, 0.08]
    )
    np.testing.assert_allclose(column(seen, "head/learning_rate"), [0.5] * 3)


def test_multisteps_over_partition_with_a_chain_inside():
    tx = optax.MultiSteps(
        optax.partition(
            {
                "backbone": optax.chain(
                    optax.clip(1.0),
                    optax.inject_hyperparams(optax.sgd)(learning_rate=schedule),
                ),
                "head": optax.set_to_zero(),
            },
            LABELS,
        ),
        every_k_schedule=2,
    )
    seen = run(tx, 4)
    assert list(seen[0]) == ["backbone/1/learning_rate"]
    np.testing.assert_allclose(
        column(seen, "backbone/1/learning_rate"), [0.1, 0.1, 0.1, 0.09]
    )


def test_works_under_jit_and_keeps_the_dtype():
    tx = optax.inject_hyperparams(optax.sgd, hyperparam_dtype=jnp.float16)(
        learning_rate=schedule
    )
    rates = jax.jit(current_learning_rates)(tx.init(PARAMS))
    assert rates["learning_rate"].dtype == jnp.float16
    assert rates["learning_rate"].shape == ()


def test_flax_nnx_optimizer_state():
    nnx = pytest.importorskip("flax.nnx")
    model = nnx.Linear(2, 1, rngs=nnx.Rngs(0))
    tx = optax.MultiSteps(
        optax.inject_hyperparams(optax.adam)(learning_rate=schedule), every_k_schedule=2
    )
    optimizer = nnx.Optimizer(model, tx, wrt=nnx.Param)
    grads = nnx.grad(lambda m: jnp.sum(m(jnp.ones((1, 2))) ** 2))(model)
    seen = []
    for _ in range(4):
        optimizer.update(model, grads)
        rate = current_learning_rates(optimizer.opt_state)["learning_rate"]
        assert isinstance(rate, jax.Array)
        seen.append(float(rate))
    np.testing.assert_allclose(seen, [0.1, 0.1, 0.1, 0.09])


@pytest.mark.parametrize(
    "tx",
    [
        optax.adam(schedule),  # the schedule is inside; its state holds a count
        optax.chain(optax.clip(1.0), optax.sgd(0.1)),
        optax.MultiSteps(optax.adam(0.1), every_k_schedule=2),
        optax.inject_hyperparams(optax.sgd, static_args=("learning_rate",))(0.1),
    ],
    ids=["adam", "chain", "multisteps", "static"],
)
def test_no_injected_rate_says_to_inject_it(tx):
    with pytest.raises(ValueError, match=r"optax\.inject_hyperparams"):
        current_learning_rates(tx.init(PARAMS))


def test_tree_get_fails_where_this_works():
    # The reason for the helper: a schedule's own state shares the key.
    tx = optax.inject_hyperparams(optax.sgd)(learning_rate=schedule)
    state = tx.init(PARAMS)
    with pytest.raises(KeyError, match="multiple values"):
        optax.tree_utils.tree_get(state, "learning_rate")
    assert float(current_learning_rates(state)["learning_rate"]) == pytest.approx(0.1)
