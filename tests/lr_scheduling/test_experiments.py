"""The evidence page's experiments, on tiny configurations, and the MNIST-1D loader."""

import dataclasses
import datetime
import random
import struct

import docutils.core
import docutils.utils
import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from lr_scheduling import experiments
from lr_scheduling.data import DATA_ENV, MNIST_FILES, load_digits, load_mnist1d
from lr_scheduling.experiments import (
    CHANCE,
    CNN1D,
    GuideCNN,
    PatchConv1D,
    PatchConv2D,
    Task,
    TaskResult,
    build_policies,
    default_tasks,
    make_batches,
    run_task,
    summarize,
    train_curves,
    write_results,
)
from lr_scheduling.model import CNN
from lr_scheduling.schedules import (
    cyclical_schedule,
    one_cycle_momentum_schedule,
    one_cycle_schedule,
    wsd_schedule,
)

RATES = (0.01, 0.03, 0.1, 0.3, 1.0)


def tiny_data(num_train=24, num_test=10, length=40, seed=0):
    """Signals whose class is the sign of their mean: learnable in a few steps."""
    rng = np.random.default_rng(seed)

    def make(count):
        labels = rng.integers(0, 2, count).astype(np.int32)
        images = rng.normal(size=(count, length, 1)).astype(np.float32)
        images += np.where(labels == 1, 1.0, -1.0)[:, None, None].astype(np.float32)
        return {"image": images, "label": labels}

    return make(num_train), make(num_test)


def tiny_task(**changes):
    """Digits, 16 steps of 16, three seeds: the whole pipeline in seconds."""
    fields = {
        "name": "digits",
        "title": "Digits",
        "load": load_digits,
        "model": GuideCNN(),
        "description": "the digits",
        "num_steps": 16,
        "batch_size": 16,
        "eval_every": 8,
        "fixed_rates": RATES,
        "range_test_steps": 10,
        "range_test_lengths": (6,),
    }
    return Task(**(fields | changes))


@pytest.fixture(scope="module")
def tiny_result():
    return run_task(tiny_task())


# --- MNIST-1D ------------------------------------------------------------------


def test_load_mnist1d_is_the_packages_default_dataset_and_leaves_global_rngs():
    from mnist1d.data import get_dataset_args, make_dataset

    np.random.seed(123)
    random.seed(123)
    numpy_before, python_before = np.random.get_state(), random.getstate()
    train, test = load_mnist1d()
    numpy_after = np.random.get_state()
    assert random.getstate() == python_before
    assert numpy_after[0] == numpy_before[0]
    np.testing.assert_array_equal(numpy_after[1], numpy_before[1])

    reference = make_dataset(get_dataset_args())  # the authors' defaults, seed 42
    assert train["image"].shape == (4000, 40, 1) and test["image"].shape == (
        1000,
        40,
        1,
    )
    assert train["image"].dtype == np.float32 and train["label"].dtype == np.int32
    np.testing.assert_array_equal(
        train["image"][..., 0], reference["x"].astype(np.float32)
    )
    np.testing.assert_array_equal(
        test["image"][..., 0], reference["x_test"].astype(np.float32)
    )
    np.testing.assert_array_equal(train["label"], reference["y"])
    np.testing.assert_array_equal(test["label"], reference["y_test"])
    assert set(np.unique(test["label"])) == set(range(10))


def test_load_mnist1d_seed_changes_the_data():
    default_train, _ = load_mnist1d()
    other_train, _ = load_mnist1d(seed=1)
    assert not np.array_equal(default_train["image"], other_train["image"])


@pytest.mark.parametrize("seed", [-1, 2**32, 1.5, True, "42"])
def test_load_mnist1d_rejects_bad_seeds(seed):
    with pytest.raises(ValueError, match=rf"seed must be an integer .*got {seed!r}"):
        load_mnist1d(seed=seed)


# --- Models ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kernel_size", "stride", "padding", "length"),
    [(5, 2, 1, 40), (3, 2, 1, 19), (3, 1, 0, 7), (4, 3, 2, 11)],
)
def test_patch_conv_is_flax_conv(kernel_size, stride, padding, length):
    x = jax.random.normal(jax.random.key(1), (3, length, 2))
    patch = PatchConv1D(5, kernel_size, stride=stride, padding=padding)
    conv = nn.Conv(5, (kernel_size,), strides=stride, padding=padding)
    key = jax.random.key(0)
    params, conv_params = patch.init(key, x), conv.init(key, x)
    # The same parameters and initializers: the same key gives the same numbers.
    jax.tree.map(np.testing.assert_array_equal, params, conv_params)
    params = jax.tree.map(lambda p: p + 0.1, params)  # a nonzero bias too
    np.testing.assert_allclose(
        patch.apply(params, x), conv.apply(params, x), rtol=1e-5, atol=1e-5
    )


@pytest.mark.parametrize("kernel_size", [(3, 3), (1, 1), (3, 5)])
def test_patch_conv_2d_is_flax_conv(kernel_size):
    x = jax.random.normal(jax.random.key(1), (2, 7, 6, 3))
    patch, conv = PatchConv2D(4, kernel_size), nn.Conv(4, kernel_size)
    params = patch.init(jax.random.key(0), x)
    jax.tree.map(np.testing.assert_array_equal, params, conv.init(jax.random.key(0), x))
    params = jax.tree.map(lambda p: p + 0.1, params)
    np.testing.assert_allclose(
        patch.apply(params, x), conv.apply(params, x), rtol=1e-5, atol=1e-5
    )


def test_patch_conv_2d_rejects_even_kernels():
    with pytest.raises(ValueError, match=r"kernel_size must be odd, got \(2, 3\)"):
        PatchConv2D(4, (2, 3)).init(jax.random.key(0), jnp.ones((1, 5, 5, 1)))


@pytest.mark.parametrize("size", [8, 28])
def test_guide_cnn_is_the_guides_cnn(size):
    x = jax.random.uniform(jax.random.key(2), (5, size, size, 1))
    params = GuideCNN().init(jax.random.key(0), x)
    jax.tree.map(
        np.testing.assert_array_equal, params, CNN().init(jax.random.key(0), x)
    )
    params = jax.tree.map(lambda p: p + 0.01, params)
    np.testing.assert_allclose(
        GuideCNN().apply(params, x), CNN().apply(params, x), rtol=1e-4, atol=1e-5
    )


def test_cnn1d_gives_ten_logits():
    model = CNN1D()
    params = model.init(jax.random.key(0), jnp.ones((1, 40, 1)))
    assert model.apply(params, jnp.ones((7, 40, 1))).shape == (7, 10)
    kernels = [params["params"][f"PatchConv1D_{i}"]["kernel"].shape for i in range(3)]
    assert kernels == [(5, 1, 25), (3, 25, 25), (3, 25, 25)]


# --- Batches and policies ------------------------------------------------------------


def test_make_batches_draws_epochs_without_replacement():
    batches = make_batches(10, batch_size=3, num_steps=7, seed=4)
    assert batches.shape == (7, 3) and batches.dtype == np.int32
    for epoch in (batches[0:3], batches[3:6]):  # 3 batches per epoch, 1 left out
        values = epoch.ravel()
        assert len(set(values)) == 9 and set(values) <= set(range(10))
    np.testing.assert_array_equal(batches, make_batches(10, 3, 7, seed=4))
    assert not np.array_equal(batches, make_batches(10, 3, 7, seed=5))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((0, 1, 1), "num_examples must be >= 1, got 0"),
        ((5, 0, 1), "batch_size must be >= 1, got 0"),
        ((5, 1, 0), "num_steps must be >= 1, got 0"),
        ((5, 6, 1), "batch_size must be <= num_examples=5, got 6"),
    ],
)
def test_make_batches_rejects_bad_counts(args, message):
    with pytest.raises(ValueError, match=message):
        make_batches(*args, seed=0)


def test_build_policies_tabulates_the_real_schedules():
    base_lr, max_lr, steps = 0.02, 0.08, 80
    policies = {
        p.name: p for p in build_policies(steps, (0.01, 0.1), (base_lr, max_lr), 30)
    }
    every = jnp.arange(steps)

    def table(schedule):
        return np.asarray([float(schedule(int(step))) for step in every], np.float32)

    expected = {
        "triangular": table(cyclical_schedule(base_lr, max_lr, 10)),
        "triangular2": table(
            cyclical_schedule(base_lr, max_lr, 10, mode="triangular2")
        ),
        "one-cycle": table(one_cycle_schedule(max_lr, steps)),
        "warmup + cosine": table(
            optax.warmup_cosine_decay_schedule(0.0, max_lr, 8, steps)
        ),
        "WSD": table(wsd_schedule(max_lr, steps, 8, 16)),
    }
    for name, rates in expected.items():
        # vmapped against eager: float32 cosines may differ in the last bit.
        np.testing.assert_allclose(policies[name].learning_rates, rates, rtol=1e-5)
        assert policies[name].tuning_steps == 30 + steps
    np.testing.assert_allclose(
        policies["one-cycle"].momenta,
        table(one_cycle_momentum_schedule(steps)),
        rtol=1e-6,
    )
    assert np.all(policies["triangular"].momenta == np.float32(0.9))
    # Four whole cycles: the triangular rate is back at base_lr after each.
    np.testing.assert_allclose(policies["triangular"].learning_rates[::20], base_lr)
    assert policies["fixed 0.1"].fixed and np.all(
        policies["fixed 0.1"].learning_rates == np.float32(0.1)
    )
    assert policies["fixed 0.1"].tuning_steps == 2 * steps


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"num_steps": 20}, "num_steps must be a multiple of eval_every=8, got 20"),
        ({"num_steps": 12, "eval_every": 4}, "num_steps must be a multiple of 8"),
        ({"batch_size": 0}, "batch_size must be a positive integer, got 0"),
        ({"range_test_steps": 1}, "range_test_steps must be >= 2, got 1"),
        ({"range_test_lengths": (1,)}, r"range_test_lengths must be integers >= 2"),
        ({"seeds": ()}, r"seeds must name at least one seed, got \(\)"),
        ({"fixed_rates": (0.1, -1.0)}, r"fixed_rates must be finite rates > 0"),
        ({"target": 1.5}, "target must be in \\(0, 1\\], got 1.5"),
    ],
)
def test_task_rejects_bad_settings(changes, message):
    with pytest.raises(ValueError, match=message):
        tiny_task(**changes)


# --- Training ----------------------------------------------------------------------


def reference_run(model, params, train, test, batches, rates, momenta, eval_every):
    """SGD with momentum written out (Optax's trace: v = g + m v; p -= lr v)."""
    loss = experiments._Loss(model)
    velocity = jax.tree.map(jnp.zeros_like, params)
    accuracy = []
    for step, index in enumerate(batches):
        batch = {key: train[key][index] for key in ("image", "label")}
        grads = jax.grad(loss)(params, batch)
        rate, momentum = rates[step], momenta[step]
        velocity = jax.tree.map(lambda v, g, m=momentum: g + m * v, velocity, grads)
        params = jax.tree.map(lambda p, v, r=rate: p - r * v, params, velocity)
        if (step + 1) % eval_every == 0:
            logits = model.apply({"params": params}, test["image"])
            accuracy.append(np.mean(np.argmax(logits, -1) == test["label"]))
    return params, np.asarray(accuracy)


def test_a_run_is_sgd_with_the_tables_rates_and_momenta():
    model = CNN1D(channels=3)
    train, test = tiny_data()
    params = experiments._init_params(model, train["image"], 0)
    batches = make_batches(24, 6, 8, seed=0)
    rates = np.linspace(0.05, 0.2, 8).astype(np.float32)
    momenta = np.linspace(0.95, 0.85, 8).astype(np.float32)
    final, accuracy = experiments._train_run(
        params,
        train,
        jax.tree.map(jnp.asarray, experiments._eval_chunks(test)),
        batches,
        rates,
        momenta,
        loss=experiments._Loss(model),
        eval_every=4,
    )
    expected, expected_accuracy = reference_run(
        model, params, train, test, batches, rates, momenta, 4
    )
    jax.tree.map(
        lambda a, b: np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6),
        final,
        expected,
    )
    np.testing.assert_allclose(accuracy, expected_accuracy, atol=1e-6)


def test_evaluation_in_padded_chunks_counts_every_example_once(monkeypatch):
    model = CNN1D(channels=3)
    train, test = tiny_data(num_test=23)
    policy = build_policies(8, (0.1,), (0.01, 0.1), 2)[0]
    whole = train_curves(model, train, test, [policy], (0,), 6, 4)
    monkeypatch.setattr(experiments, "EVAL_CHUNK", 5)  # 5 chunks, the last padded
    chunks = experiments._eval_chunks(test)
    assert chunks["image"].shape[:2] == (5, 5) and chunks["weight"].sum() == 23
    chunked = train_curves(model, train, test, [policy], (0,), 6, 4)
    np.testing.assert_allclose(chunked, whole, atol=1e-6)
    np.testing.assert_allclose(whole * 23, np.round(whole * 23), atol=1e-4)


def test_train_curves_are_seeded_and_each_run_is_independent():
    model = CNN1D(channels=3)
    train, test = tiny_data()
    policies = build_policies(8, (0.0, 0.1), (0.05, 0.2), 2)
    curves = train_curves(model, train, test, policies, (0, 1, 2), 6, 4)
    assert curves.shape == (len(policies), 3, 2) and curves.dtype == np.float32
    np.testing.assert_array_equal(
        curves, train_curves(model, train, test, policies, (0, 1, 2), 6, 4)
    )
    # Common random numbers: a policy's runs do not depend on the others.
    alone = train_curves(model, train, test, policies[3:4], (2,), 6, 4)
    np.testing.assert_array_equal(alone[0, 0], curves[3, 2])
    # A zero rate never moves: the accuracy stays that of the initial model.
    for seed in range(3):
        params = experiments._init_params(model, train["image"], seed)
        logits = model.apply({"params": params}, test["image"])
        initial = np.mean(np.argmax(logits, -1) == test["label"])
        np.testing.assert_allclose(curves[0, seed], initial, atol=1e-6)
    # Seeds differ in their initial parameters.
    first, second = (experiments._init_params(model, train["image"], s) for s in (0, 1))
    assert not np.array_equal(first["Dense_0"]["kernel"], second["Dense_0"]["kernel"])


# --- Summaries and the page ------------------------------------------------------------


def made_result(accuracy, rates=RATES, target=None, num_steps=16):
    """A TaskResult with chosen accuracies, to check what the page makes of them."""
    task = tiny_task(fixed_rates=rates, target=target, num_steps=num_steps)
    policies = build_policies(num_steps, rates, (0.025, 0.1), 10)
    return TaskResult(
        task,
        None,
        (0.025, 0.1),
        policies,
        np.asarray(accuracy, np.float32),
        1.0,
        np.zeros((1, 3)),
    )


def test_summarize_picks_best_and_median_and_counts_steps_to_target():
    accuracy = np.full((10, 3, 2), 0.5, np.float32)
    accuracy[:5, :, 1] = np.array([0.6, 0.9, 0.95, 0.7, 0.1])[:, None]  # fixed sweep
    accuracy[2] = [[0.9, 0.94], [0.9, 0.96], [0.9, 0.95]]  # fixed 0.1: the best
    accuracy[5] = [[0.95, 0.95], [0.96, 0.96], [0.94, 0.94]]  # triangular: at step 8
    accuracy[6] = [[0.1, 0.1], [0.95, 0.95], [0.95, 0.95]]  # triangular2: 1 failed
    target, rows = summarize(made_result(accuracy))
    assert target == pytest.approx(0.95)
    names = [row.name for row in rows]
    assert names == [
        "fixed, best of sweep",
        "fixed, median of sweep",
        "triangular",
        "triangular2",
        "one-cycle",
        "warmup + cosine",
        "WSD",
    ]
    best, median, triangular, triangular2 = rows[:4]
    assert best.settings == "rate 0.1" and best.mean == pytest.approx(0.95)
    assert best.std == pytest.approx(0.01, abs=1e-6)  # ddof=1
    assert best.steps_to_target == 16 and best.tuning_steps == 5 * 16
    assert median.settings == "rate 0.3" and median.mean == pytest.approx(0.7)
    assert median.steps_to_target is None and median.tuning_steps == 16
    assert triangular.steps_to_target == 8 and triangular.tuning_steps == 10 + 16
    assert (triangular2.failed, triangular2.runs) == (1, 3)
    assert triangular2.steps_to_target is None  # the mean is 0.667


def test_summarize_takes_a_stated_target_and_ties_go_to_the_lowest_rate():
    accuracy = np.full((10, 3, 2), 0.5, np.float32)
    accuracy[1] = accuracy[3] = 0.9  # fixed 0.03 and 0.3 tie
    target, rows = summarize(made_result(accuracy, target=0.6))
    assert target == 0.6 and rows[0].settings == "rate 0.03"
    assert [row.steps_to_target for row in rows[2:]] == [None] * 5


def test_verdicts_follow_two_standard_errors():
    best = experiments.Row("best", "", 0.9, 0.01, None, 1, 0, runs=3, failed=0)
    close = dataclasses.replace(best, name="close", mean=0.9 + 0.015)
    far = dataclasses.replace(best, name="far", mean=0.9 + 0.02)
    below = dataclasses.replace(best, name="below", mean=0.88, std=0.0)
    # 2 * sqrt((0.01**2 + 0.01**2) / 3) = 0.0163
    assert experiments._verdict(best, close) == experiments.SAME
    assert experiments._verdict(best, far) == "better than"
    assert experiments._verdict(best, below) == "worse than"
    # A failed run: no verdict on the mean, however far it is.
    failed = dataclasses.replace(best, name="failed", mean=0.99, std=0.0, failed=1)
    assert experiments._verdict(best, failed) == experiments.FAILED


def test_run_task_end_to_end_on_digits(tiny_result):
    result = tiny_result
    assert [p.name for p in result.policies][-5:] == [
        "triangular",
        "triangular2",
        "one-cycle",
        "warmup + cosine",
        "WSD",
    ]
    assert result.accuracy.shape == (10, 3, 2)
    assert np.all((0 <= result.accuracy) & (result.accuracy <= 1))
    np.testing.assert_array_equal(result.eval_steps, [8, 16])
    assert result.bounds == result.range_test.clr_bounds()
    assert len(result.range_test.losses) == 10 and result.max_lrs.shape == (1, 3)
    base_lr, max_lr = result.bounds
    triangular = result.policies[5].learning_rates
    assert triangular.max() <= max_lr * (1 + 1e-6) and triangular[0] == np.float32(
        base_lr
    )
    # The same seeds give the same numbers: rerun the best fixed rate alone.
    train, test = load_digits()
    again = train_curves(
        GuideCNN(), train, test, result.policies[2:3], (0, 1, 2), 16, 8
    )
    np.testing.assert_array_equal(again[0], result.accuracy[2])


def parse_rst(text):
    """Parses the page with docutils, failing on any warning or error."""
    return docutils.core.publish_doctree(
        text,
        settings_overrides={
            "halt_level": docutils.utils.Reporter.WARNING_LEVEL,
            "report_level": 2,
        },
    )


def test_write_results_writes_a_page_docutils_accepts(tiny_result, tmp_path):
    today = datetime.date(2030, 1, 2)
    paths = write_results(
        [tiny_result], tmp_path, skipped=["MNIST"], wall_seconds=12.3, today=today
    )
    assert paths == [tmp_path / "results.rst", tmp_path / "results_digits.png"]
    assert paths[1].read_bytes().startswith(b"\x89PNG")
    page = paths[0].read_text(encoding="utf-8")
    doctree = parse_rst(page)
    assert "2030-01-02" in page and "12 s of wall time" in page
    assert "python -m lr_scheduling.experiments" in page
    assert f"JAX {jax.__version__}" in page
    assert f"``{experiments._fingerprint([tiny_result])}``" in page
    assert "Not run: ``$LR_SCHEDULING_DATA`` is not set" in page
    assert "81.4" in page and "25,000" in page and "70,000" in page
    # The table holds summarize()'s numbers, row by row.
    target, rows = summarize(tiny_result)
    tables = [node for node in doctree.findall() if node.tagname == "table"]
    assert len(tables) == 3  # range-test spread, results, Smith
    body = [
        [entry.astext() for entry in row.findall() if entry.tagname == "entry"]
        for row in tables[1].findall()
        if row.tagname == "row"
    ]
    assert body[0][3] == f"Steps to {100 * target:.1f}%"
    for row, cells in zip(rows, body[1:], strict=True):
        assert cells[0] == row.name
        assert cells[2].startswith(f"{100 * row.mean:.1f} ± {100 * row.std:.1f}")
        assert cells[4] == f"{row.tuning_steps:,}"
    figures = [node for node in doctree.findall() if node.tagname == "figure"]
    assert [f.children[0]["uri"] for f in figures] == ["results_digits.png"]
    # Regenerating from the same results gives the same page.
    write_results(
        [tiny_result], tmp_path, skipped=["MNIST"], wall_seconds=12.3, today=today
    )
    assert paths[0].read_text(encoding="utf-8") == page


def test_failed_runs_are_named_on_the_page(tiny_result, tmp_path):
    accuracy = np.full_like(tiny_result.accuracy, 0.5)
    accuracy[6, 1, -1] = 0.05  # triangular2, seed 1: diverged
    broken = dataclasses.replace(tiny_result, accuracy=accuracy)
    page = write_results([broken], tmp_path, today=datetime.date(2030, 1, 2))[
        0
    ].read_text()
    parse_rst(page)
    assert "(1 of 3 failed)" in page
    assert (
        f"below {100 * CHANCE:.1f}% (diverged or stuck near chance), so no verdict "
        "on the mean: triangular2 (1 of 3)."
    ) in page
    assert "with failed runs: triangular2. 1 of the schedules' 15 runs failed" in page
    # The other schedules equal the best fixed rate, seed by seed.
    assert "no clear difference: triangular, one-cycle, warmup + cosine, WSD;" in page
    assert experiments._fingerprint([broken]) != experiments._fingerprint([tiny_result])


# --- The default configuration ---------------------------------------------------------------


def write_idx(path, array):
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim)
    header += b"".join(struct.pack(">I", size) for size in array.shape)
    path.write_bytes(header + array.astype(np.uint8).tobytes())


def test_default_tasks_add_mnist_only_when_the_data_is_there(tmp_path):
    assert [task.name for task in default_tasks(environ={})] == ["digits", "mnist1d"]
    rng = np.random.default_rng(0)
    for key, name in MNIST_FILES.items():
        shape = (5, 28, 28) if "images" in key else (5,)
        write_idx(tmp_path / name, rng.integers(0, 10, shape))
    tasks = default_tasks(environ={DATA_ENV: str(tmp_path)})
    assert [task.name for task in tasks] == ["digits", "mnist1d", "mnist"]
    train, test = tasks[2].load()
    assert train["image"].shape == (5, 28, 28, 1) and test["label"].shape == (5,)
    for task in tasks:  # every default fits the 5-minute budget's shape rules
        assert len(task.seeds) >= 3 and len(task.fixed_rates) >= 5
        assert task.num_steps % task.eval_every == 0


def test_main_rejects_unknown_tasks(capsys):
    with pytest.raises(SystemExit) as exit_info:
        experiments.main(["--tasks", "cifar10"])
    assert exit_info.value.code == 2
    assert "unknown task(s) ['cifar10']" in capsys.readouterr().err
