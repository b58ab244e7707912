"""The learning-rate range test: known answers, a real model, one compilation."""

import contextlib
import functools
import math
import re
import sys

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from lr_scheduling._range_sweep import _sweep_step
from lr_scheduling.range_test import (
    BASE_LR_FACTOR,
    RangeTestResult,
    lr_range_test,
    plot_range_test,
    range_test_schedule,
)

A, DIM, NOISE = 4.0, 8, 0.1  # curvature, dimension and batch noise of the quadratic


def quadratic_loss(p, batch):
    """a/2 |p - batch|^2: plain SGD converges for lr < 2/a and diverges above."""
    return A / 2 * jnp.sum((p - batch) ** 2)


def quadratic_batches(num_steps, seed=0):
    """Noisy copies of a fixed target, one per step, float32 (num_steps, DIM)."""
    rng = np.random.default_rng(seed)
    target = rng.normal(size=DIM)
    return np.float32(target + NOISE * rng.normal(size=(num_steps, DIM)))


def sweep_ratio(min_lr, max_lr, num_steps):
    """The factor between neighbouring rates of a geometric sweep."""
    return (max_lr / min_lr) ** (1 / (num_steps - 1))


def test_quadratic_diverges_just_above_two_over_a():
    min_lr, max_lr, num_steps, smoothing, factor = 1e-4, 10.0, 100, 0.98, 4.0
    result = lr_range_test(
        quadratic_loss,
        jnp.zeros(DIM),
        quadratic_batches(num_steps),
        min_lr=min_lr,
        max_lr=max_lr,
        smoothing=smoothing,
        divergence_factor=factor,
    )
    stable = 2 / A
    lrs, step = result.learning_rates, result.diverged_at
    assert step is not None
    # Below 2/a every SGD step shrinks the error, so the loss cannot blow up.
    # k steps past 2/a the error is multiplied by lr * a - 1 >= 2 r^k - 1 >= r^k
    # per step (r, the sweep's ratio between neighbouring rates), so m steps
    # multiply the loss by at least r^(m (m + 1)). The smoothed loss gives its
    # newest loss a weight >= 1 - smoothing, so it passes factor * best once one
    # loss exceeds factor / (1 - smoothing) = 200 times best. The loss crosses
    # 2/a near the noise floor, a/2 * DIM * NOISE^2 = 0.16, and best, lagging,
    # is ~16x that (2.6), so a growth of 200 * 25 is ample: M = 9 steps, a
    # factor r^9 = 2.85. Measured: 0.977 = 2/a * r^5.8 (1.10 on some seeds).
    r = sweep_ratio(min_lr, max_lr, num_steps)
    growth = factor / (1 - smoothing) * 25
    most = next(
        m for m in range(1, num_steps) if m * (m + 1) * math.log(r) >= math.log(growth)
    )
    assert stable < lrs[step] <= stable * r**most  # 0.5 < lr <= 1.42
    assert np.isfinite(result.losses[: step + 1]).all()
    assert np.isnan(result.losses[step + 1 :]).all()
    # The smoothed loss lags: its minimum lies past 2/a, yet the bounds do not.
    lowest_smoothed = lrs[np.argmin(result.smoothed_losses[:step])]
    assert lowest_smoothed > stable
    base_lr, top_lr = result.clr_bounds()
    assert min_lr < base_lr < top_lr < stable
    assert base_lr == pytest.approx(top_lr / BASE_LR_FACTOR)
    assert type(base_lr) is float and type(top_lr) is float
    for rule in ("steepest", "valley", "minimum"):
        assert min_lr < result.suggest(rule) < stable


@pytest.fixture(scope="module")
def digits_sweep():
    """A range test of the guide's CNN on digits: SGD with momentum 0.9."""
    from lr_scheduling.data import load_digits
    from lr_scheduling.model import CNN, cross_entropy_loss

    train_ds, _ = load_digits()
    num_steps, batch_size = 150, 64
    rng = np.random.default_rng(0)
    order = np.concatenate([rng.permutation(len(train_ds["label"])) for _ in range(7)])
    order = order[: num_steps * batch_size].reshape(num_steps, batch_size)
    batches = {key: value[order] for key, value in train_ds.items()}
    cnn = CNN()
    params = cnn.init(jax.random.key(0), jnp.ones((1, 8, 8, 1)))["params"]

    def loss_fn(params, batch):
        logits = cnn.apply({"params": params}, batch["image"])
        accuracy = jnp.mean(jnp.argmax(logits, -1) == batch["label"])
        return cross_entropy_loss(logits, batch["label"]), {"accuracy": accuracy}

    # Plain SGD barely trains this CNN in 150 steps before the rate is too high
    # (the smoothed loss stays near 1.9), and a network that the high rates
    # kill settles at a loss near ln 10 = 2.3 < 4 * 1.9: fastai's rule never
    # fires. Momentum trains it to a loss near 0.4 first, and smoothing 0.9
    # lags by 9 steps instead of 49, so the blow-up shows.
    return lr_range_test(
        loss_fn,
        params,
        batches,
        min_lr=1e-3,
        max_lr=10.0,
        optimizer=functools.partial(optax.sgd, momentum=0.9),
        smoothing=0.9,
        has_aux=True,
    )


def test_digits_cnn_learns_then_diverges_before_ten(digits_sweep):
    result = digits_sweep
    lrs, step = result.learning_rates, result.diverged_at
    accuracy = result.aux["accuracy"]
    assert accuracy.shape == (150,)
    assert step is not None and lrs[step] < 10.0
    # At tiny rates nothing happens: chance accuracy, loss ln 10.
    first = slice(0, 15)
    assert result.losses[first].mean() == pytest.approx(np.log(10), abs=0.1)
    assert accuracy[first].mean() < 0.25
    # At moderate rates the loss falls and the network learns.
    moderate = (lrs > 0.05) & (lrs < 0.5)
    assert result.losses[moderate].mean() < 0.5 * result.losses[first].mean()
    assert accuracy[moderate].mean() > 0.7  # chance: 0.1; measured 0.84
    assert np.isnan(accuracy[step + 1 :]).all()
    # Suggestions and bounds sit among the rates that train, below divergence.
    for rule in ("steepest", "valley", "minimum"):
        assert 0.01 < result.suggest(rule) < lrs[step]
    base_lr, max_lr = result.clr_bounds()
    assert 0.01 < base_lr < max_lr < lrs[step]


@contextlib.contextmanager
def counting_compiles():
    """The names of the functions XLA compiles inside the block."""
    names = []

    def listener(event, duration, **kwargs):
        if event == "/jax/core/compile/backend_compile_duration":
            names.append(kwargs.get("fun_name"))

    jax.monitoring.register_event_duration_secs_listener(listener)
    try:
        yield names
    finally:
        jax.monitoring.unregister_event_duration_listener(listener)


def test_one_compilation_and_none_for_equal_calls():
    def loss_fn(p, batch):  # new to the jit cache
        return quadratic_loss(p, batch)

    params, batches = jnp.zeros(DIM), quadratic_batches(40)
    kwargs = {"min_lr": 1e-3, "max_lr": 3.0}
    size = _sweep_step._cache_size()
    with counting_compiles() as compiled:
        first = lr_range_test(loss_fn, params, batches, **kwargs)
    # The start (the optimizer's state) and one step, whatever the 40 steps.
    assert sorted(compiled) == ["jit(_start)", "jit(_sweep_step)"]
    with counting_compiles() as compiled:
        again = lr_range_test(loss_fn, params, batches.copy(), **kwargs)
        lr_range_test(
            loss_fn, params, batches, smoothing=0.5, divergence_factor=9, **kwargs
        )
    assert compiled == []  # an equal schedule, traced smoothing and factor
    assert _sweep_step._cache_size() == size + 1
    np.testing.assert_array_equal(again.losses, first.losses)
    with counting_compiles() as compiled:
        lr_range_test(loss_fn, params, batches, min_lr=1e-3, max_lr=4.0)
    # A new schedule is a new program.
    assert sorted(compiled) == ["jit(_start)", "jit(_sweep_step)"]


def test_smoothing_and_divergence_follow_fastai():
    # The loss is the batch itself, so the raw losses are known exactly.
    raw = np.array([1.0, 0.8, 0.7, 0.75, 0.6, 0.9, 1.6, 2.4, 3.0, 0.5], np.float32)
    smoothing, factor = 0.5, 2.0
    result = lr_range_test(
        lambda p, batch: batch + 0 * p,
        jnp.float32(0),
        raw,
        min_lr=0.1,
        max_lr=1.0,
        smoothing=smoothing,
        divergence_factor=factor,
    )
    average, best, expected, diverged_at = 0.0, math.inf, [], None
    for i, loss in enumerate(raw.tolist()):  # fastai's AvgSmoothLoss, by hand
        average = smoothing * average + (1 - smoothing) * loss
        expected.append(average / (1 - smoothing ** (i + 1)))
        best = min(best, expected[-1])
        if diverged_at is None and expected[-1] > factor * best:
            diverged_at = i
    assert diverged_at == 7  # 1.34 > 2 * 0.66: a margin well beyond rounding
    assert result.diverged_at == diverged_at
    np.testing.assert_allclose(result.losses[:8], raw[:8])
    np.testing.assert_allclose(result.smoothed_losses[:8], expected[:8], rtol=1e-6)
    assert (
        np.isnan(result.losses[8:]).all() and np.isnan(result.smoothed_losses[8:]).all()
    )


def test_a_non_finite_loss_is_divergence():
    batches = quadratic_batches(20)
    batches[6, 2] = np.nan
    result = lr_range_test(
        quadratic_loss, jnp.zeros(DIM), batches, min_lr=1e-3, max_lr=0.01
    )
    assert result.diverged_at == 6
    assert np.isfinite(result.smoothed_losses[:6]).all()
    assert np.isnan(result.losses[6:]).all()


def test_sgd_steps_at_the_scheduled_rate_then_freezes():
    def loss_fn(p, batch):  # the parameters each step starts from, as float and bits
        bits = jax.lax.bitcast_convert_type(p, jnp.int32)
        return quadratic_loss(p, batch), {"params": p, "bits": bits}

    batches = quadratic_batches(60)
    result = lr_range_test(
        loss_fn, jnp.zeros(DIM), batches, min_lr=1e-2, max_lr=10.0, has_aux=True
    )
    step, lrs = result.diverged_at, result.learning_rates
    seen, bits = result.aux["params"], result.aux["bits"]
    assert step is not None and lrs[step] > 2 / A
    # Before divergence: p <- p - lr_i * a * (p - batch_i), at step i's rate.
    expected = seen[:step] - lrs[:step, None] * A * (seen[:step] - batches[:step])
    np.testing.assert_allclose(seen[1 : step + 1], expected, rtol=1e-5, atol=1e-6)
    # From divergence on: the update is skipped, the parameters stay put.
    assert (bits[step:] == bits[step]).all()
    assert not (bits[step - 1] == bits[step]).all()
    assert np.isnan(seen[step + 1 :]).all()  # floats are masked, integers kept


def test_caller_params_are_untouched():
    params = {"w": jnp.arange(DIM, dtype=jnp.float32), "b": jnp.ones(())}
    before = jax.tree.map(np.array, params)
    leaves = jax.tree.leaves(params)

    def loss_fn(params, batch):
        return quadratic_loss(params["w"] + params["b"], batch)

    result = lr_range_test(
        loss_fn, params, quadratic_batches(30), min_lr=1e-3, max_lr=9.0
    )
    assert result.diverged_at is not None  # the sweep did move (and wreck) its copy
    for leaf, new, old in zip(
        leaves, jax.tree.leaves(params), jax.tree.leaves(before), strict=True
    ):
        assert new is leaf and not leaf.is_deleted()
        np.testing.assert_array_equal(new, old)


@pytest.mark.parametrize(
    ("mode", "reference"), [("exponential", np.geomspace), ("linear", np.linspace)]
)
def test_learning_rates_exact_at_both_ends(mode, reference):
    min_lr, max_lr, num_steps = 3e-4, 7.0, 37
    result = lr_range_test(
        lambda p, batch: jnp.sum(p * batch) ** 2,
        jnp.zeros(2),
        np.zeros((num_steps, 2), np.float32),
        min_lr=min_lr,
        max_lr=max_lr,
        mode=mode,
    )
    lrs = result.learning_rates
    assert lrs.shape == (num_steps,) and lrs.dtype == np.float32
    assert lrs[0] == np.float32(min_lr) and lrs[-1] == np.float32(max_lr)
    np.testing.assert_allclose(lrs, reference(min_lr, max_lr, num_steps), rtol=2e-6)
    schedule = range_test_schedule(min_lr, max_lr, num_steps, mode)
    same = range_test_schedule(np.float64(min_lr), max_lr, np.int64(num_steps), mode)
    assert schedule == same and hash(schedule) == hash(same)
    assert float(schedule(num_steps + 5)) == np.float32(max_lr)  # holds past the end


def test_num_steps_takes_the_first_batches():
    batches = quadratic_batches(50)
    kwargs = {"min_lr": 1e-3, "max_lr": 0.3}
    part = lr_range_test(
        quadratic_loss, jnp.zeros(DIM), batches, num_steps=20, **kwargs
    )
    cut = lr_range_test(quadratic_loss, jnp.zeros(DIM), batches[:20], **kwargs)
    assert part.losses.shape == (20,)
    np.testing.assert_array_equal(part.losses, cut.losses)
    np.testing.assert_array_equal(part.learning_rates, cut.learning_rates)


BATCHES = np.zeros((10, 2), np.float32)
BAD_ARGUMENTS = {
    "min_lr_zero": ({"min_lr": 0.0}, "min_lr must be > 0, got 0.0"),
    "min_lr_negative": ({"min_lr": -1e-3}, "min_lr must be > 0, got -0.001"),
    "min_lr_nan": ({"min_lr": math.nan}, "min_lr must be a finite number, got nan"),
    "min_lr_string": ({"min_lr": "0.1"}, "min_lr must be a finite number, got '0.1'"),
    "max_lr_inf": ({"max_lr": math.inf}, "max_lr must be a finite number, got inf"),
    "equal_rates": (
        {"min_lr": 0.5, "max_lr": 0.5},
        "max_lr must be > min_lr, got min_lr=0.5, max_lr=0.5",
    ),
    "rates_reversed": (
        {"min_lr": 1.0, "max_lr": 0.1},
        "max_lr must be > min_lr, got min_lr=1.0, max_lr=0.1",
    ),
    "one_step": ({"num_steps": 1}, "num_steps must be >= 2, got 1"),
    "float_steps": (
        {"num_steps": 5.0},
        "num_steps must be a positive integer, got 5.0",
    ),
    "too_many_steps": (
        {"num_steps": 11},
        "num_steps must be <= the 10 batches, got 11",
    ),
    "one_batch": (
        {"batches": BATCHES[:1]},
        "batches must hold >= 2 batches (steps), got 1",
    ),
    "ragged_batches": (
        {"batches": {"x": BATCHES, "y": np.zeros(9)}},
        "batches must be arrays sharing a leading axis (one batch per step), "
        "got leading axes [(9,), (10,)]",
    ),
    "scalar_batch": (
        {"batches": {"x": BATCHES, "y": np.float32(1)}},
        "got leading axes [(), (10,)]",
    ),
    "no_batches": ({"batches": {}}, "got leading axes []"),
    "smoothing_one": ({"smoothing": 1.0}, "smoothing must be in [0, 1), got 1.0"),
    "smoothing_negative": (
        {"smoothing": -0.1},
        "smoothing must be in [0, 1), got -0.1",
    ),
    "factor_one": (
        {"divergence_factor": 1.0},
        "divergence_factor must be > 1, got 1.0",
    ),
    "factor_nan": (
        {"divergence_factor": math.nan},
        "divergence_factor must be > 1, got nan",
    ),
    "mode": (
        {"mode": "cosine"},
        "mode must be one of ('exponential', 'linear'), got 'cosine'",
    ),
}


@pytest.mark.parametrize(
    ("changes", "message"), BAD_ARGUMENTS.values(), ids=BAD_ARGUMENTS
)
def test_bad_arguments_raise_naming_them(changes, message):
    arguments = {"batches": BATCHES, "min_lr": 1e-3, "max_lr": 1.0, **changes}
    with pytest.raises(ValueError, match=re.escape(message)):
        lr_range_test(
            lambda p, batch: jnp.sum((p - batch) ** 2), jnp.zeros(2), **arguments
        )


def curve(losses, diverged_at=None, smoothed=None):
    """A result with rates 10^-4, 10^-3, ... and the given losses."""
    losses = np.asarray(losses, np.float64)
    lrs = np.logspace(-4, len(losses) - 5, len(losses))
    return RangeTestResult(
        lrs, losses, losses if smoothed is None else np.asarray(smoothed), diverged_at
    )


def test_suggestion_rules_by_hand():
    # Equal log spacing: the steepest fall is 6 -> 1.5 (from step 5). The
    # longest falling run, 5 4 3 2 1.5, ends at step 6, so fastai's start is
    # 6 - 5 = 1, s = 5/3, and the valley is step 1 + 1 + 0 = 2.
    result = curve([5, 4, 4.5, 3, 2, 6, 1.5, 7])
    lrs = result.learning_rates
    assert result.suggest() == result.suggest("steepest") == lrs[5]
    assert result.suggest("valley") == lrs[2]
    assert result.suggest("minimum") == pytest.approx(lrs[6] / 10)
    with pytest.raises(
        ValueError,
        match=re.escape(
            "rule must be one of ('steepest', 'valley', 'minimum'), got 'steep'"
        ),
    ):
        result.suggest("steep")


def test_suggestions_skip_the_first_tenth_and_the_divergence():
    # Steps 0-1 (the first tenth) and 15 on (the divergence) are never read.
    losses = [9, 2, 1.9, 1.8, 1.7, 1.2, 1.1, 1.0, 1.0, 0.9]
    losses += [0.85, 0.8, 0.8, 0.75, 0.7, 0.1, 0.0, 5, 5, 5]
    result = curve(losses, diverged_at=15)
    lrs = result.learning_rates
    assert result.suggest("steepest") == lrs[4]  # not the fall from step 0 or 14
    assert result.suggest("minimum") == pytest.approx(lrs[14] / 10)
    with pytest.raises(ValueError, match="diverged at step 1 "):
        curve(losses, diverged_at=1).suggest()
    with pytest.raises(ValueError, match="diverged at step 0 "):
        curve(losses, diverged_at=0).clr_bounds()


def test_clr_bounds_by_hand():
    # The raw losses bottom out at step 6 (running median over 3: 2.5); the
    # lagging smoothed losses only at step 8: the bounds take step 6.
    raw = [9, 9, 8.9, 8, 5, 3, 2.5, 2.4, 3, 6]
    lagging = curve(raw, smoothed=[9, 9, 9, 8.8, 8, 7, 6, 5, 4.5, 4.6])
    lrs = lagging.learning_rates
    assert lagging.clr_bounds() == (lrs[6] / BASE_LR_FACTOR, lrs[6])
    # A smoothed minimum before the raw one caps max_lr: the smoothed loss
    # must still be falling there.
    early = curve(raw, smoothed=[9, 8, 7, 6, 5.5, 6, 7, 8, 9, 9])
    assert early.clr_bounds()[1] == lrs[4]
    # Never at or past divergence, however low the losses there.
    blown = curve([*raw[:7], 0.1, np.nan, np.nan], diverged_at=7)
    assert blown.clr_bounds()[1] < lrs[7]


def test_plot_marks_curve_suggestion_bounds_and_divergence():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    result = lr_range_test(
        quadratic_loss, jnp.zeros(DIM), quadratic_batches(60), min_lr=1e-3, max_lr=10.0
    )
    figure, given = plt.subplots()
    try:
        ax = plot_range_test(result, ax=given, rule="valley")
        assert ax is given and isinstance(ax, matplotlib.axes.Axes)
        assert ax.get_xscale() == "log"
        raw, smoothed, suggestion, divergence = ax.get_lines()
        np.testing.assert_array_equal(raw.get_xdata(), result.learning_rates)
        np.testing.assert_array_equal(raw.get_ydata(), result.losses)
        np.testing.assert_array_equal(smoothed.get_ydata(), result.smoothed_losses)
        assert raw.get_alpha() < 1 and smoothed.get_alpha() in (None, 1)
        assert suggestion.get_xdata()[0] == result.suggest("valley")
        assert divergence.get_xdata()[0] == result.learning_rates[result.diverged_at]
        (band,) = ax.patches
        left, right = band.get_x(), band.get_x() + band.get_width()
        assert (left, right) == pytest.approx(result.clr_bounds())
    finally:
        plt.close(figure)
    ax = plot_range_test(result)
    assert ax.get_xscale() == "log"
    plt.close(ax.figure)


def test_plot_without_matplotlib_names_it(monkeypatch):
    # None in sys.modules makes the import fail, as in an install without it.
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    lrs = np.geomspace(1e-3, 1.0, 10)
    losses = np.linspace(2.0, 1.0, 10)
    result = RangeTestResult(lrs, losses, losses, diverged_at=None)
    with pytest.raises(ModuleNotFoundError, match="pip install matplotlib"):
        plot_range_test(result)


# --- losses below zero (fastai#962) --------------------------------------------


def shifted_loss(shift):
    """The quadratic loss moved down by ``shift``: the same curve, other values."""

    def loss_fn(p, batch):
        return quadratic_loss(p, batch) - shift

    return loss_fn


SHIFTS = {shift: shifted_loss(shift) for shift in (0.0, 10.0, 1e3)}
# A sweep on the quadratic that reads any finite loss, negative ones included.
ANY_FINITE_LOSS = {"min_lr": 1e-3, "max_lr": 0.3, "divergence_factor": float("inf")}


@pytest.mark.parametrize("shift", [10.0, 1e3])
def test_an_infinite_factor_reads_negative_losses_as_the_same_curve(shift):
    # The issue's case (shift 10, a = 4: lr < 0.5 converges) and a deeper one.
    batches = quadratic_batches(60)
    base = lr_range_test(SHIFTS[0.0], jnp.zeros(DIM), batches, **ANY_FINITE_LOSS)
    moved = lr_range_test(SHIFTS[shift], jnp.zeros(DIM), batches, **ANY_FINITE_LOSS)
    assert base.diverged_at is None and moved.diverged_at is None
    assert (moved.losses < 0).all()  # below zero from the first step
    np.testing.assert_allclose(moved.losses, base.losses - shift, atol=shift * 1e-6)
    # Every reading depends on differences and orders only: the same rates.
    for rule in ("steepest", "valley", "minimum"):
        assert moved.suggest(rule) == base.suggest(rule)
    assert moved.clr_bounds() == base.clr_bounds()


def test_an_infinite_factor_still_stops_at_a_non_finite_loss():
    batches = quadratic_batches(30)
    batches[12] = np.inf
    result = lr_range_test(SHIFTS[10.0], jnp.zeros(DIM), batches, **ANY_FINITE_LOSS)
    assert result.diverged_at == 12
    assert (result.losses[:12] < 0).all() and np.isnan(result.losses[13:]).all()


def test_zero_losses_are_not_divergence_with_an_infinite_factor():
    result = lr_range_test(
        lambda p, batch: 0.0 * jnp.sum(p * batch),
        jnp.zeros(2),
        np.ones((20, 2), np.float32),
        min_lr=1e-3,
        max_lr=1.0,
        divergence_factor=float("inf"),
    )
    assert result.diverged_at is None  # inf * 0 is NaN: no false alarm


@pytest.mark.parametrize(
    ("shift", "first_negative"),
    [(10.0, 0), (0.5, None)],  # negative from the start, or once the loss falls
)
def test_a_finite_factor_refuses_negative_losses_naming_them(shift, first_negative):
    batches = quadratic_batches(60)
    losses = lr_range_test(
        SHIFTS[0.0], jnp.zeros(DIM), batches, **ANY_FINITE_LOSS
    ).losses
    expected = first_negative
    if expected is None:  # where the unshifted curve first falls below 0.5
        expected = int(np.flatnonzero(losses < shift)[0])
        assert expected > 5  # the loss starts positive, then crosses zero
    with pytest.raises(ValueError, match=rf"negative at step {expected} \(") as error:
        lr_range_test(
            shifted_loss(shift), jnp.zeros(DIM), batches, min_lr=1e-3, max_lr=0.3
        )
    assert "divergence_factor=float('inf')" in str(error.value)
    assert "lower min_lr" not in str(error.value)


def test_reading_a_negative_curve_never_advises_lowering_min_lr():
    lrs = np.geomspace(1e-3, 1.0, 10)
    negative = np.linspace(-1.0, -9.0, 10)
    result = RangeTestResult(lrs, negative, negative, diverged_at=1)
    for read in (result.suggest, result.clr_bounds):
        with pytest.raises(ValueError, match="a loss is negative") as error:
            read()
        assert "lower min_lr" not in str(error.value)
    positive = RangeTestResult(lrs, -negative, -negative, diverged_at=1)
    with pytest.raises(ValueError, match="lower min_lr"):
        positive.suggest()


# --- sweeps wider than float32's ratios ----------------------------------------


@pytest.mark.parametrize(
    ("min_lr", "max_lr", "num_steps"),
    [(1e-30, 1e10, 50), (1e-37, 1e38, 200), (1e-20, 1e20, 7), (1e-6, 1e30, 1000)],
)
@pytest.mark.parametrize(
    ("mode", "reference"), [("exponential", np.geomspace), ("linear", np.linspace)]
)
def test_wide_sweeps_give_numpys_rates(min_lr, max_lr, num_steps, mode, reference):
    schedule = range_test_schedule(min_lr, max_lr, num_steps, mode)
    expected = np.float32(reference(min_lr, max_lr, num_steps))
    for steps in (np.arange(num_steps), jnp.arange(num_steps, dtype=jnp.int16)):
        rates = np.asarray(jax.jit(schedule)(steps))
        assert rates.dtype == np.float32 and np.isfinite(rates).all()
        np.testing.assert_array_equal(rates, expected)  # NumPy's, rounded once
    # At float steps, log space: finite, within float32 rounding of the exponent.
    middle = np.arange(num_steps - 1) + 0.5
    got = np.asarray(schedule(jnp.asarray(middle, jnp.float32)), np.float64)
    t = middle / (num_steps - 1)
    if mode == "exponential":
        want = np.exp(np.log(min_lr) + t * (np.log(max_lr) - np.log(min_lr)))
        rtol = 2e-7 * abs(np.log(max_lr / min_lr)) + 1e-6
    else:
        want, rtol = (1 - t) * min_lr + t * max_lr, 1e-6
    np.testing.assert_allclose(got, want, rtol=rtol)


def test_the_issues_wide_sweep_reads_finite_bounds():
    # The loss is the rate itself: its lowest point is the first rate.
    result = lr_range_test(
        lambda p, batch: jnp.sum(p * batch) ** 2 + 1.0,
        jnp.zeros(2),
        np.zeros((50, 2), np.float32),
        min_lr=1e-30,
        max_lr=1e10,
    )
    expected = np.float32(np.geomspace(1e-30, 1e10, 50))
    np.testing.assert_array_equal(result.learning_rates, expected)
    base_lr, max_lr = result.clr_bounds()
    assert math.isfinite(base_lr) and math.isfinite(max_lr)
    assert max_lr in expected and base_lr == max_lr / BASE_LR_FACTOR
    assert math.isfinite(result.suggest("valley"))


@pytest.mark.parametrize(
    ("min_lr", "max_lr", "name"),
    [(1e-40, 1.0, "min_lr=1e-40"), (1e-3, 1e39, "max_lr=1e+39")],
)
def test_rates_float32_cannot_hold_are_refused(min_lr, max_lr, name):
    with pytest.raises(
        ValueError, match=rf"{re.escape(name)} cannot be represented in float32"
    ):
        range_test_schedule(min_lr, max_lr, 10)


# --- progress -----------------------------------------------------------------


def test_a_long_sweep_prints_steps_rate_and_loss(monkeypatch, capsys):
    monkeypatch.setattr("lr_scheduling._range_sweep.PROGRESS_SECONDS", 0.0)
    batches = quadratic_batches(12)
    result = lr_range_test(
        quadratic_loss, jnp.zeros(DIM), batches, min_lr=1e-3, max_lr=0.1
    )
    lines = capsys.readouterr().err.splitlines()
    # Every step but the first, which compiles: the clock starts after it.
    assert len(lines) == 11
    for step, line in enumerate(lines, start=1):
        found = re.fullmatch(
            r"lr_range_test: step (\d+)/12, lr (\S+), loss (\S+), \d+ s", line
        )
        assert found, line
        assert int(found[1]) == step + 1
        assert float(found[2]) == pytest.approx(result.learning_rates[step], rel=1e-2)
        assert float(found[3]) == pytest.approx(result.losses[step], rel=1e-3)


def test_progress_false_and_short_sweeps_print_nothing(monkeypatch, capsys):
    batches = quadratic_batches(12)
    kwargs = {"min_lr": 1e-3, "max_lr": 0.1}
    lr_range_test(quadratic_loss, jnp.zeros(DIM), batches, **kwargs)  # < 5 s
    monkeypatch.setattr("lr_scheduling._range_sweep.PROGRESS_SECONDS", 0.0)
    lr_range_test(quadratic_loss, jnp.zeros(DIM), batches, progress=False, **kwargs)
    assert capsys.readouterr().err == ""
