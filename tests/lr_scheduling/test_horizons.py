"""New horizons on resume (howtos/resuming.rst), on the guide's CNN and digits.

Each recipe restores an orbax checkpoint into the state of an optimizer with a
new schedule, and each is exact on CPU:

* extend: a finished run restored under ``join_schedules([old, more])`` equals,
  bit for bit, the run planned with the joined schedule from the start;
* branch: a WSD cooldown restored from a stable-phase checkpoint follows its
  own schedule, while the main run stays bit for bit what it was without the
  checkpoint and the branch;
* restart: zeroing the counts of ``inject_hyperparams`` starts the new
  schedule from step 0 and keeps Adam's moments and bias-correction count.
"""

import digits_runs
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from digits_runs import digit_batches, new_state

from lr_scheduling import wsd_schedule

ocp = pytest.importorskip("orbax.checkpoint")
pytest.importorskip("sklearn")

BATCH, STEPS = 32, 40


@pytest.fixture(scope="module")
def batches():
    return digit_batches(STEPS, BATCH)


def make_tx(schedule):
    return optax.inject_hyperparams(optax.adam)(learning_rate=schedule)


def train(state, batches):
    """Steps over batches; (state, losses, learning rates)."""
    state, seen = digits_runs.train(state, batches, ["loss", "learning_rate"])
    return state, seen["loss"], seen["learning_rate"]


def save_and_restore(state, path, tx):
    return digits_runs.save_and_restore(ocp, state, path, tx)


def schedule_values(schedule, steps):
    return np.array(jax.jit(schedule)(jnp.asarray(steps, jnp.int32)))


def test_extending_a_finished_run_equals_planning_it(batches, tmp_path):
    old = optax.warmup_cosine_decay_schedule(0.0, 0.01, 4, 20)
    more = optax.warmup_cosine_decay_schedule(0.0, 0.003, 3, 20)
    joined = optax.join_schedules([old, more], boundaries=[20])

    finished, losses, rates = train(new_state(make_tx(old)), batches[:20])
    restored = save_and_restore(finished, tmp_path / "ckpt", make_tx(joined))
    assert int(restored.opt_state.count) == 20
    extended, more_losses, more_rates = train(restored, batches[20:])
    planned, planned_losses, planned_rates = train(new_state(make_tx(joined)), batches)

    np.testing.assert_array_equal(np.append(rates, more_rates), planned_rates)
    np.testing.assert_array_equal(np.append(losses, more_losses), planned_losses)
    jax.tree.map(np.testing.assert_array_equal, extended.params, planned.params)
    # The extension follows the new piece from its own step 0: no jump.
    np.testing.assert_allclose(
        more_rates, schedule_values(more, range(20)), rtol=1e-6, atol=1e-9
    )
    assert more_rates[0] == 0.0 and rates[-1] < 1e-4


def test_wsd_branch_leaves_the_main_run_unchanged(batches, tmp_path):
    main_schedule = wsd_schedule(0.01, total_steps=60, warmup_steps=4, decay_steps=12)
    branch_schedule = wsd_schedule(0.01, total_steps=28, warmup_steps=4, decay_steps=12)
    main_tx = make_tx(main_schedule)

    _, straight_losses, straight_rates = train(new_state(main_tx), batches[:28])
    state, losses, rates = train(new_state(main_tx), batches[:16])
    branch = save_and_restore(state, tmp_path / "ckpt", make_tx(branch_schedule))
    _, main_losses, main_rates = train(state, batches[16:28])
    _, branch_losses, branch_rates = train(branch, batches[16:28])

    np.testing.assert_array_equal(np.append(losses, main_losses), straight_losses)
    np.testing.assert_array_equal(np.append(rates, main_rates), straight_rates)
    # The branch shares the first 16 steps' schedule and state, then cools down.
    np.testing.assert_array_equal(
        schedule_values(branch_schedule, range(16)),
        schedule_values(main_schedule, range(16)),
    )
    jax.tree.map(np.testing.assert_array_equal, branch.params, state.params)
    np.testing.assert_allclose(
        branch_rates, schedule_values(branch_schedule, range(16, 28)), rtol=1e-6
    )
    assert branch_rates[0] == main_rates[0] == 0.01
    assert branch_rates[-1] < 0.001 and main_rates[-1] == 0.01
    assert not np.array_equal(branch_losses, main_losses)


def restart_schedule(opt_state):
    """The page's recipe: the schedule's counts to 0, Adam's state kept."""
    return opt_state._replace(
        count=jnp.zeros_like(opt_state.count),
        hyperparams_states=jax.tree.map(jnp.zeros_like, opt_state.hyperparams_states),
    )


def test_restarting_the_schedule_keeps_adams_moments(batches, tmp_path):
    old = optax.warmup_cosine_decay_schedule(0.0, 0.01, 4, 20)
    new = optax.warmup_cosine_decay_schedule(0.0, 0.005, 5, 20)
    finished, _, _ = train(new_state(make_tx(old)), batches[:20])
    restored = save_and_restore(finished, tmp_path / "ckpt", make_tx(new))
    restarted = restored.replace(opt_state=restart_schedule(restored.opt_state))

    assert int(restarted.opt_state.count) == 0
    assert int(restarted.opt_state.hyperparams_states["learning_rate"].count) == 0
    adam, saved = restarted.opt_state.inner_state[0], finished.opt_state.inner_state[0]
    assert int(adam.count) == int(saved.count) == 20
    jax.tree.map(np.testing.assert_array_equal, adam.mu, saved.mu)
    jax.tree.map(np.testing.assert_array_equal, adam.nu, saved.nu)

    after, _, rates = train(restarted, batches[20:])
    np.testing.assert_allclose(
        rates, schedule_values(new, range(20)), rtol=1e-6, atol=1e-9
    )
    assert int(after.opt_state.inner_state[0].count) == 40

    # The control: a fresh optimizer state restarts the schedule but loses the
    # moments, and the runs part.
    fresh = new_state(make_tx(new)).replace(params=restored.params)
    _, fresh_losses, fresh_rates = train(fresh, batches[20:])
    _, kept_losses, _ = train(restarted, batches[20:])
    np.testing.assert_array_equal(fresh_rates, rates)
    assert not np.array_equal(fresh_losses, kept_losses)
