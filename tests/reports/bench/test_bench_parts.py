"""The bench's parts: timing arithmetic, the joined wave, the measured keys."""

import jax
import numpy as np
import pytest

from lr_scheduling import create_triangular_schedule
from reports.bench import closed_form, range_test_speed, timing, workloads


def test_interleaved_alternates_the_order_of_the_sides():
    calls = []
    sides = {name: (lambda name=name: calls.append(name) or 1.0) for name in "ab"}
    times = timing.interleaved(sides, repetitions=4)
    assert calls == ["a", "b", "b", "a", "a", "b", "b", "a"]
    assert times == {"a": [1.0] * 4, "b": [1.0] * 4}


def test_median_ratio_is_the_median_of_per_repetition_ratios():
    # Ratios 2, 4, 1: median 2; the ratio of the medians would be 3 / 2.
    assert timing.median_ratio([2.0, 8.0, 3.0], [1.0, 2.0, 3.0]) == 2.0
    with pytest.raises(ValueError, match="equally many repetitions, got 2 and 1"):
        timing.median_ratio([1.0, 2.0], [1.0])


@pytest.mark.parametrize("cycles", [1, 3, 10])
def test_the_joined_wave_is_the_closed_form(cycles):
    steps = np.arange(cycles * closed_form.STEPS_PER_CYCLE)
    joined = np.asarray(closed_form.joined_triangle(cycles)(steps))
    closed = np.asarray(
        create_triangular_schedule(
            closed_form.LR_MIN, closed_form.LR_MAX, closed_form.STEPS_PER_CYCLE
        )(steps)
    )
    np.testing.assert_allclose(joined, closed, rtol=1e-6)
    assert closed.max() == np.float32(closed_form.LR_MAX)


def test_the_mnist_cnn_is_flaxs():
    params = workloads.initial_params("mnist_cnn")
    shapes = {
        name: tuple(leaf["kernel"].shape) for name, leaf in sorted(params.items())
    }
    assert shapes == {
        "Conv_0": (3, 3, 1, 32),
        "Conv_1": (3, 3, 32, 64),
        "Dense_0": (7 * 7 * 64, 256),
        "Dense_1": (256, 10),
    }


def test_the_plain_loop_is_sgd_with_momentum():
    batches = workloads.unstack(workloads.synthetic_batches(3, 32, (8, 8, 1)))
    (params, _), loss = workloads.train_loop("digits")(batches)
    # The same three updates by hand: optax.sgd's trace, momentum 0.9.
    expected = workloads.initial_params("digits")
    trace = jax.tree.map(np.zeros_like, expected)
    grad = jax.grad(workloads.LOSSES["digits"])
    for step, batch in enumerate(batches):
        rate = float(workloads.SCHEDULE(step))
        grads = grad(expected, batch)
        trace = jax.tree.map(lambda t, g: g + 0.9 * t, trace, grads)
        expected = jax.tree.map(lambda p, t, r=rate: p - r * t, expected, trace)
    for got, want in zip(
        jax.tree.leaves(params), jax.tree.leaves(expected), strict=True
    ):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)
    assert np.isfinite(float(loss))


def test_range_test_speed_reports_both_sides(monkeypatch):
    monkeypatch.setitem(range_test_speed.STEPS, "digits", 5)
    figures = range_test_speed.measure_model("digits", repetitions=1)
    ratio = figures["range_test_vs_training_digits"]
    per_step = figures["range_test_step_ms_digits"] / figures["training_step_ms_digits"]
    assert ratio == pytest.approx(per_step)  # one repetition: the same ratio
    assert figures["range_test_steps_digits"] == 5
    assert figures["range_test_batch_digits"] == "8x8, batches of 32"
