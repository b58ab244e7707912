"""Every schedule of the registry: values, float types, gradients, negative steps,
transformations, and schedules as values (equality, hashing, pickling, jit).

The registry (``tests/schedule_registry.py``) lists every public schedule;
the first test fails when ``lr_scheduling.schedules`` has one it lacks.
"""

import functools
import math
import pickle

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from schedule_references import RTOL, assert_float_types_like_optax, values
from schedule_registry import FIRST_OF_EACH, HELPERS, HOLD, REGISTRY, Entry

import lr_scheduling
from lr_scheduling import schedules

ENTRIES = pytest.mark.parametrize("entry", REGISTRY, ids=str)
ONE_OF_EACH = pytest.mark.parametrize("entry", FIRST_OF_EACH, ids=str)


def test_registry_covers_every_public_schedule():
    public = set(schedules.__all__)
    factories = {name for name in public if name.endswith("_schedule")}
    registered = {entry.factory.__name__ for entry in REGISTRY}
    assert factories == registered, "add the missing schedules to the registry"
    classes = {type(entry.make()).__name__ for entry in REGISTRY}
    assert {name for name in public if name.endswith("Schedule")} == classes
    assert public - factories - classes == HELPERS
    package = {name for name in lr_scheduling.__all__ if name.endswith("_schedule")}
    assert package == factories  # lr_scheduling re-exports every factory


# --- values --------------------------------------------------------------------


@ENTRIES
def test_values_match_the_exact_reference(entry: Entry):
    if entry.reference is None:
        pytest.skip("no exact reference; the torch oracle checks it")
    schedule = entry.make()
    steps = range(-3, entry.length + 3)
    expected = [entry.reference(step) for step in steps]
    np.testing.assert_allclose(values(schedule, steps), expected, rtol=RTOL)
    jitted = jax.jit(schedule)(jnp.asarray(list(steps), dtype=jnp.int32))
    np.testing.assert_allclose(jitted, expected, rtol=RTOL)


@ENTRIES
def test_values_match_the_pytorch_scheduler(entry: Entry):
    if entry.oracle is None:
        pytest.skip("PyTorch has no such scheduler")
    pytest.importorskip("torch")
    expected = entry.oracle(entry.length)
    schedule = entry.make()
    steps = np.arange(len(expected))
    np.testing.assert_allclose(schedule(steps), expected, rtol=RTOL, atol=1e-9)


@ENTRIES
def test_values_stay_within_the_bounds_at_every_step(entry: Entry):
    low, high = entry.bounds
    steps = np.arange(-2 * entry.length, 3 * entry.length)
    rates = np.asarray(entry.make()(steps))
    tolerance = RTOL * high
    assert np.all((rates >= low - tolerance) & (rates <= high + tolerance))


# --- negative steps -------------------------------------------------------------

NEGATIVE = [-1, -2, -7, -13, -(10**6), -(2**31), -(2**63)]


@ENTRIES
def test_negative_steps_give_values_within_the_bounds(entry: Entry):
    # No schedule raises for a negative step: each stays within its bounds,
    # holding step 0's value or continuing its wave backwards (docstrings).
    schedule = entry.make()
    low, high = entry.bounds
    tolerance = RTOL * high
    as_python = values(schedule, NEGATIVE)
    as_int32 = jax.jit(schedule)(jnp.asarray(NEGATIVE[:-1], dtype=jnp.int32))
    as_float = schedule(jnp.asarray([-0.5, -3.5, -1e9], dtype=jnp.float32))
    for rates in (as_python, as_int32, as_float):
        rates = np.asarray(rates)
        assert np.all((rates >= low - tolerance) & (rates <= high + tolerance))
    if entry.negative == HOLD:
        np.testing.assert_allclose(as_python, float(schedule(0)), rtol=RTOL)
        np.testing.assert_allclose(as_float, float(schedule(0)), rtol=RTOL)
    elif entry.reference is not None:
        expected = [entry.reference(step) for step in NEGATIVE]
        np.testing.assert_allclose(as_python, expected, rtol=RTOL)


# --- gradients ------------------------------------------------------------------


def finite_difference(function, x: float, h: float = 1e-6) -> np.ndarray:
    return (np.asarray(function(x + h)) - np.asarray(function(x - h))) / (2 * h)


@ENTRIES
def test_gradients_with_respect_to_every_rate_at_every_phase(entry: Entry):
    # d rate / d argument at every step of every phase (and before and after),
    # against central finite differences in float64. A NaN on the side of
    # jnp.where not taken (jax#1052) would show up here. Compiled, as eager
    # dispatch (tested below) would compile each operation on its own.
    with jax.enable_x64(True):
        steps = jnp.arange(-3, entry.length + 3)
        for name in entry.rates:
            value = entry.arguments[name]

            @jax.jit
            def rate(x, step, name=name):
                return entry.make(**{name: x})(step)

            grads = jax.jit(jax.vmap(jax.grad(rate), in_axes=(None, 0)))(value, steps)
            assert np.all(np.isfinite(grads)), name
            expected = finite_difference(lambda x, name=name: rate(x, steps), value)
            np.testing.assert_allclose(grads, expected, rtol=1e-5, atol=1e-8)


@ENTRIES
def test_gradients_with_respect_to_a_float_step(entry: Entry):
    with jax.enable_x64(True):
        schedule = jax.jit(entry.make())
        slope = jax.jit(jax.vmap(jax.grad(schedule)))
        # Between integer steps (no corner of the wave there) ...
        steps = jnp.arange(-3, entry.length + 3) + 0.3
        expected = (schedule(steps + 1e-6) - schedule(steps - 1e-6)) / 2e-6
        np.testing.assert_allclose(slope(steps), expected, rtol=1e-4, atol=1e-7)
        # ... and finite on the corners and phase boundaries themselves.
        corners = jnp.arange(-3.0, entry.length + 3.0)
        assert np.all(np.isfinite(slope(corners)))


def test_wsd_gradient_from_the_report():
    # It was NaN: the 1-sqrt cooldown's sqrt of a negative position.
    peak = jax.grad(lambda peak: schedules.wsd_schedule(peak, 20, 4, 6)(10))(1.0)
    assert float(peak) == 1.0
    end = jax.grad(lambda end: schedules.wsd_schedule(1.0, 20, 4, 6, end_value=end)(3))
    assert float(end(0.0)) == 0.0
    # In the cooldown: 1 - sqrt(p) of the way from end to peak, p = 2 / 6.
    peak_in_cooldown = jax.grad(lambda p: schedules.wsd_schedule(p, 20, 4, 6)(16))
    assert float(peak_in_cooldown(1.0)) == pytest.approx(1 - math.sqrt(2 / 6))
    # The float step at a phase start: the side it starts (warmup: 1 / 4).
    step = jax.grad(schedules.wsd_schedule(1.0, 20, 4, 6, "linear"))
    assert float(step(0.0)) == pytest.approx(0.25)


# --- float types and transformations ---------------------------------------------


@pytest.mark.parametrize("x64", [False, True], ids=["x32", "x64"])
@pytest.mark.parametrize("jit", [False, True], ids=["eager", "jit"])
@ENTRIES
def test_value_has_the_float_type_optax_gives(entry: Entry, jit, x64):
    assert_float_types_like_optax(entry.make, jit, x64)


@ONE_OF_EACH
def test_x64_keeps_a_float32_training_float32(entry: Entry):
    with jax.enable_x64(True):
        schedule = entry.make()
        tx = optax.inject_hyperparams(optax.sgd)(learning_rate=schedule)
        params = jnp.zeros(3, jnp.float32)
        state = tx.init(params)
        update = jax.jit(tx.update)
        for _ in range(3):
            updates, state = update(jnp.ones(3, jnp.float32), state, params)
            params = optax.apply_updates(params, updates)
        assert updates.dtype == jnp.float32 and params.dtype == jnp.float32
        rate = state.hyperparams["learning_rate"]
        assert rate.dtype == jnp.float32
        assert float(rate) == pytest.approx(float(schedule(2)), rel=RTOL)


@ENTRIES
def test_eager_jit_vmap_and_arrays_agree(entry: Entry):
    # Eager on Python ints and on a NumPy array; the JAX arrays (a vector, a
    # grid, float steps, and vmap's batching) jitted, as eager dispatch would
    # compile each operation for each shape (eager JAX integer and float
    # arrays: test_steps.py and the negative-step test above).
    schedule = entry.make()
    steps = np.arange(2 * (entry.length // 2 + 1))  # an even count, for the grid
    eager = values(schedule, steps)
    np.testing.assert_allclose(schedule(steps), eager, rtol=RTOL)
    jitted = jax.jit(schedule)
    np.testing.assert_allclose(jitted(jnp.asarray(steps)), eager, rtol=RTOL)
    vmapped = jax.jit(jax.vmap(schedule))(jnp.asarray(steps))
    np.testing.assert_allclose(vmapped, eager, rtol=RTOL)
    grid = jitted(jnp.asarray(steps).reshape(2, -1))
    assert grid.shape == (2, len(steps) // 2)
    np.testing.assert_allclose(grid.ravel(), eager, rtol=RTOL)
    float_steps = jitted(jnp.asarray(steps, dtype=jnp.float32))
    np.testing.assert_allclose(float_steps, eager, rtol=RTOL)


@ENTRIES
def test_vmap_over_every_rate(entry: Entry):
    # A rate vmapped over gives, lane by lane, the schedule made with each.
    for name in entry.rates:
        value = entry.arguments[name]
        lanes = jnp.asarray([value, value * 0.99])
        got = jax.vmap(lambda x, name=name: entry.make(**{name: x})(7))(lanes)
        expected = [float(entry.make(**{name: float(x)})(7)) for x in lanes]
        np.testing.assert_allclose(got, expected, rtol=RTOL)


# --- schedules are values ------------------------------------------------------

STEPS = np.arange(-5, 250)
VALUED = [entry for entry in REGISTRY if entry.variations]
VALUES = pytest.mark.parametrize("entry", VALUED, ids=str)


@VALUES
def test_equal_arguments_give_equal_hashable_schedules(entry: Entry):
    first, second = entry.make(), entry.make()
    assert first is not second
    assert first == second and hash(first) == hash(second)
    other = entry.factory(**entry.spelled_otherwise)
    assert other == first and hash(other) == hash(first)
    np.testing.assert_array_equal(other(STEPS), first(STEPS))
    assert len({first, second, other}) == 1


@VALUES
def test_different_arguments_give_different_schedules(entry: Entry):
    base = entry.make()
    made = [base] + [entry.make(**change) for change in entry.variations]
    for change, schedule in zip(entry.variations, made[1:], strict=True):
        assert schedule != base, change
        assert not np.array_equal(schedule(STEPS), base(STEPS)), change
    assert len(set(made)) == len(made)  # all different from each other too


def test_schedules_of_different_kinds_differ():
    rate = schedules.one_cycle_schedule(0.95, 100, div_factor=0.95 / 0.85)
    momentum = schedules.one_cycle_momentum_schedule(100)
    assert rate.phases == momentum.phases
    assert rate != momentum
    cyclical = schedules.cyclical_schedule(0.8, 0.9, 2)
    assert cyclical != schedules.cyclical_momentum_schedule(0.8, 0.9, 2)


@VALUES
def test_pickle_round_trip_gives_an_equal_schedule_with_equal_values(entry: Entry):
    schedule = entry.make()
    restored = pickle.loads(pickle.dumps(schedule))
    assert restored == schedule and hash(restored) == hash(schedule)
    assert type(restored) is type(schedule)
    np.testing.assert_array_equal(restored(STEPS), schedule(STEPS))
    int32_steps = jnp.asarray(STEPS, dtype=jnp.int32)
    np.testing.assert_array_equal(
        jax.jit(restored)(int32_steps), jax.jit(schedule)(int32_steps)
    )


@VALUES
def test_jit_with_the_schedule_static_compiles_once_for_equal_schedules(entry):
    traces = []

    @functools.partial(jax.jit, static_argnums=0)
    def rate_at(schedule, step):
        traces.append(schedule)  # runs only when jit traces
        return schedule(step)

    first = rate_at(entry.make(), jnp.int32(7))
    second = rate_at(entry.make(), jnp.int32(7))
    third = rate_at(entry.factory(**entry.spelled_otherwise), jnp.int32(7))
    assert len(traces) == 1
    assert first == second == third
    rate_at(entry.make(**entry.variations[0]), jnp.int32(7))
    assert len(traces) == 2


@ENTRIES
def test_array_rates_compare_as_bools_and_refuse_to_hash(entry: Entry):
    for name in entry.rates:
        value = entry.arguments[name]
        for array in (np.array([value, value]), jnp.array([value, value])):
            first = entry.make(**{name: array})
            same = entry.make(**{name: array.copy()})
            other = entry.make(**{name: array * 0.99})
            assert (first == same) is True and (first != same) is False
            assert (first == other) is False and (first != other) is True
            assert (first == entry.make()) is False  # array against a number
            with pytest.raises(TypeError, match=f"array {name} is not hashable"):
                hash(first)
            with pytest.raises(TypeError, match="static argument"):
                hash(first)


def test_array_rates_from_the_report_compare():
    def make(top):
        return schedules.create_triangular_schedule(0.01, top, 8)

    assert make(np.array([0.1, 0.2])) == make(np.array([0.1, 0.2]))
    assert make(np.array([0.1, 0.2])) != make(np.array([0.1, 0.3]))
    assert make(np.array([0.1, 0.2])) != make(np.array([0.1, 0.2, 0.3]))
    assert make(np.array([0.1, 0.2])) != make(np.array([0.1, 0.2], np.float32))
