"""The teaching schedule the how-to draws equals the library's exact one.

``lr_scheduling.teaching.triangular_schedule`` is a few lines for readers to
copy; ``lr_scheduling.schedules.create_triangular_schedule`` is the checked,
exact library version. On every step that Optax's count produces (an int32
from 0 to 2**31 - 1) they must give the same float32 rate, bit for bit,
eagerly and under ``jax.jit``.
"""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lr_scheduling.schedules import create_triangular_schedule
from lr_scheduling.teaching import triangular_schedule

INT32_MAX = 2**31 - 1
# Bounds and cycle lengths: even, odd, one step, the how-to's, and a long one.
CASES = [
    (0.001, 0.01, 176),
    (0.01, 0.1, 22),
    (0.003, 0.03, 9),
    (0.001, 0.005, 4),
    (0.5, 0.5, 7),
    (0.0, 1.0, 1),
    (0.0, 1.0, 2),
    (1e-4, 3e-2, 99_991),
]
EDGES = np.array(
    [0, 1, 2, 2**24 - 1, 2**24, 2**24 + 1, 2**30, INT32_MAX - 1, INT32_MAX],
    dtype=np.int32,
)


@functools.cache
def schedules(case, jit):
    """Both schedules for ``case``, made (and jitted) once for every example."""
    ours, library = triangular_schedule(*case), create_triangular_schedule(*case)
    if jit:
        ours, library = jax.jit(ours), jax.jit(library)
    return ours, library


def both(case, steps, jit):
    ours, library = schedules(case, jit)
    return np.asarray(ours(steps)), np.asarray(library(steps))


@pytest.mark.parametrize("jit", [False, True], ids=["eager", "jit"])
@pytest.mark.parametrize("case", CASES, ids=str)
def test_equal_on_a_dense_range_and_the_edges(case, jit):
    dense = jnp.arange(200_000, dtype=jnp.int32)
    for steps in (dense, jnp.asarray(EDGES), INT32_MAX - dense[:50_000]):
        ours, library = both(case, steps, jit)
        assert ours.dtype == library.dtype == np.float32
        np.testing.assert_array_equal(ours, library)


@settings(max_examples=300, deadline=None)
@given(
    step=st.integers(0, INT32_MAX),
    case=st.sampled_from(CASES),
    jit=st.booleans(),
)
def test_equal_on_sampled_int32_steps(step, case, jit):
    ours, library = both(case, jnp.int32(step), jit)
    assert ours == library, (step, case)


def test_equal_on_the_step_optax_counts():
    """Inside ``optax.inject_hyperparams`` the schedule sees Optax's int32 count."""
    import optax

    case = (0.001, 0.01, 6)
    rates = {}
    for name, schedule in (
        ("ours", triangular_schedule(*case)),
        ("library", create_triangular_schedule(*case)),
    ):
        tx = optax.inject_hyperparams(optax.sgd)(learning_rate=schedule)
        state = tx.init(jnp.zeros(2))
        seen = []
        for _ in range(14):
            _, state = jax.jit(tx.update)(jnp.ones(2), state)
            seen.append(np.asarray(state.hyperparams["learning_rate"]))
        rates[name] = np.array(seen)
    np.testing.assert_array_equal(rates["ours"], rates["library"])
    # The rate of update k is the schedule's at k: it starts at lr_min.
    np.testing.assert_allclose(
        rates["ours"][:7], [0.001, 0.004, 0.007, 0.01, 0.007, 0.004, 0.001], rtol=1e-6
    )


def test_short_enough_to_copy():
    """The page promises a schedule of at most 40 non-blank lines."""
    import inspect

    source = inspect.getsource(triangular_schedule)
    lines = [line for line in source.splitlines() if line.strip()]
    assert len(lines) <= 40, len(lines)
    assert "lr_scheduling" not in source
