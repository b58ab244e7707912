"""How often the guide's training compiles, counted from JAX's own events.

JAX reports every XLA compilation to its monitoring listeners as
``/jax/core/compile/backend_compile_duration`` with the function's name
(``jit(train_step)``). ``make bench`` reports the same counts with the same
counter (``reports/bench/compile_counts.py``); here they are asserted, on a
few digits.
"""

import pickle

import jax
import numpy as np
import pytest

from lr_scheduling import baseline, create_triangular_schedule, train
from lr_scheduling.data import load_digits
from reports.bench import workloads
from reports.bench.compile_counts import counting_compiles


@pytest.fixture(scope="module")
def digits():
    train_ds, test_ds = load_digits()
    return (
        {k: v[:320] for k, v in train_ds.items()},
        {k: v[:64] for k, v in test_ds.items()},
    )


def test_the_counter_counts_compilations():
    fn = jax.jit(lambda x: x * 2 + 1)
    with counting_compiles() as counts:
        fn(np.zeros(3, np.float32))
        fn(np.ones(3, np.float32))  # same shape: compiled already
        fn(np.zeros(4, np.float32))  # new shape: compiles again
    assert counts["jit(<lambda>)"] == 2


@pytest.mark.parametrize("module", [train, baseline], ids=["train", "baseline"])
def test_one_compile_per_run(digits, module):
    """Each run builds a new optimizer, a static part of the ``TrainState``."""
    train_ds, test_ds = digits
    jax.clear_caches()  # as in a fresh process, whatever ran before
    with counting_compiles() as first:
        _, history, _ = module.train_and_evaluate(train_ds, test_ds, num_epochs=2)
    with counting_compiles() as repeat:
        _, again, _ = module.train_and_evaluate(train_ds, test_ds, num_epochs=2)
    assert len(history["loss"]) == 2 * 320 // 32  # two epochs of 10 steps
    for counts in (first, repeat):
        assert counts["jit(train_step)"] == 1, dict(counts)  # once for 20 steps
        assert counts["jit(eval_step)"] == 1, dict(counts)
    np.testing.assert_array_equal(history["loss"], again["loss"])


def test_equal_schedules_share_one_compiled_step(digits):
    """A schedule is a value: equal ones, even unpickled, are one static
    argument of ``jax.jit``, so a step jitted on it compiles once for them."""
    train_ds, _ = digits
    batch = {k: v[:32] for k, v in train_ds.items()}
    schedule = create_triangular_schedule(0.02, 0.2, steps_per_cycle=6)
    equal = create_triangular_schedule(0.02, 0.2, steps_per_cycle=6)
    unpickled = pickle.loads(pickle.dumps(schedule))
    assert schedule is not equal and schedule is not unpickled
    assert schedule == equal == unpickled
    assert hash(schedule) == hash(equal) == hash(unpickled)
    assert float(unpickled(5)) == float(schedule(5))
    loss = workloads.LOSSES["digits"]
    params = workloads.initial_params("digits")

    def steps(schedules):
        state = (params, workloads.optimizer(schedules[0]).init(params))
        for learning_rate_fn in schedules:
            *state, _ = workloads.train_step(
                *state, batch, loss=loss, schedule=learning_rate_fn
            )

    jax.clear_caches()
    with counting_compiles() as counts:
        steps([schedule, equal, unpickled, schedule])
    assert counts["jit(train_step)"] == 1  # four calls, three schedule objects
    with counting_compiles() as counts:
        other = create_triangular_schedule(0.02, 0.2, steps_per_cycle=7)
        assert other != schedule
        steps([other, other])
    assert counts["jit(train_step)"] == 1  # a different schedule: one compile


def test_a_shared_optimizer_shares_one_compiled_step(digits):
    """The page's "under the hood" note: one optimizer object, one compile."""
    train_ds, _ = digits
    batch = {k: v[:32] for k, v in train_ds.items()}
    schedule = create_triangular_schedule(0.002, 0.02, steps_per_cycle=6)
    jax.clear_caches()
    with counting_compiles() as counts:
        state = train.create_train_state(jax.random.key(0), (8, 8, 1), schedule)
        for seed in range(3):  # three runs, one optimizer
            params = train.cnn.init(jax.random.key(seed), batch["image"][:1])
            run = train.train_state.TrainState.create(
                apply_fn=state.apply_fn, params=params["params"], tx=state.tx
            )
            for _ in range(2):
                run, _ = train.train_step(run, batch)
    assert counts["jit(train_step)"] == 1, dict(counts)
    with counting_compiles() as counts:
        other = train.create_train_state(jax.random.key(0), (8, 8, 1), schedule)
        other, _ = train.train_step(other, batch)
        other, _ = train.train_step(other, batch)
    assert counts["jit(train_step)"] == 1  # a new optimizer: one compile
