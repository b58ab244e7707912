"""Argument checks (_checks): counts must be static, NumPy and JAX integers are counts."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from schedule_references import (
    RTOL,
    values,
)

from lr_scheduling import (
    create_triangular_schedule,
    cyclical_schedule,
    one_cycle_schedule,
    warm_restarts_schedule,
    wsd_schedule,
)


def test_traced_step_counts_are_a_clear_error():
    with pytest.raises(ValueError, match="^steps_per_cycle must be a static integer"):
        jax.jit(lambda p: create_triangular_schedule(0.01, 0.1, p)(3))(8)
    with pytest.raises(ValueError, match="^step_size_up must be a static number"):
        jax.jit(lambda p: cyclical_schedule(0.01, 0.1, p)(3))(4)
    with pytest.raises(ValueError, match="^step_size_down must be a static number"):
        jax.jit(lambda p: cyclical_schedule(0.01, 0.1, 4, p)(3))(4.0)


def test_errors_come_at_creation_and_counts_must_be_static():
    with pytest.raises(ValueError, match="^total_steps must be a static integer"):
        jax.jit(lambda total: one_cycle_schedule(0.1, total)(3))(10)
    with pytest.raises(ValueError, match="^first_cycle_steps must be a static integer"):
        jax.jit(lambda first: warm_restarts_schedule(0.1, first)(3))(10)
    with pytest.raises(ValueError, match="^warmup_steps must be a static integer"):
        jax.jit(lambda warmup: wsd_schedule(0.1, 100, warmup, 10)(3))(10)
    # A valid schedule's step compiles and runs, with the eager value.
    schedule = one_cycle_schedule(0.1, 100)
    compiled = jax.jit(schedule).lower(jnp.int32(0)).compile()
    assert float(compiled(jnp.int32(0))) == pytest.approx(0.1 / 25, rel=RTOL)
    assert float(compiled(jnp.int32(29))) == pytest.approx(
        float(schedule(29)), rel=RTOL
    )


def test_numpy_and_jax_integers_are_accepted_as_counts():
    expected = values(wsd_schedule(0.1, 100, 10, 20), range(0, 101, 7))
    got = wsd_schedule(0.1, np.int64(100), jnp.int32(10), np.uint8(20))
    assert got.total_steps == 100 and type(got.warmup_steps) is int
    np.testing.assert_allclose(values(got, range(0, 101, 7)), expected, rtol=RTOL)
    schedule = one_cycle_schedule(0.1, np.int32(50), pct_start=np.float32(0.25))
    assert (
        schedule.phases.pct_start == 0.25 and type(schedule.phases.pct_start) is float
    )
    assert warm_restarts_schedule(0.1, np.int16(3), np.int64(2)).cycle_mult == 2


@pytest.mark.parametrize("flag", [True, np.True_, jnp.array(True)])
def test_bools_are_not_counts_on_every_numpy(flag):
    # NumPy before 2.3 takes np.True_ as an index (with a warning only).
    with pytest.raises(ValueError, match="^steps_per_cycle must be a positive integer"):
        create_triangular_schedule(0.01, 0.1, flag)
