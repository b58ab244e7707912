"""reports.guide_experiments on tiny sweeps: real training, checked values."""

from __future__ import annotations

import json

import jax.numpy as jnp
import numpy as np
import optax
import pytest

from reports.guide_experiments import __main__ as main
from reports.guide_experiments import batch_size, warmup
from reports.guide_experiments.common import digits, warmup_cosine


@pytest.fixture(scope="module")
def data():
    return digits()


@pytest.mark.parametrize("steps", [0, 1, 7, 30])
def test_warmup_cosine_is_optaxs(steps):
    """The traced schedule of the sweeps is Optax's warmup + cosine."""
    counts = jnp.arange(100)
    ours = warmup_cosine(counts, jnp.float32(0.1), jnp.int32(steps), 100)
    theirs = optax.warmup_cosine_decay_schedule(0.0, 0.1, steps, 100)
    expected = np.array([float(theirs(k)) for k in range(100)])
    np.testing.assert_allclose(ours, expected, rtol=1e-5, atol=1e-8)


TINY_WARMUP = warmup.WarmupSweep(
    peaks=(0.01, 0.1), warmups=(0, 30), b2s=(0.999,), seeds=(0, 1), epochs=2
)


@pytest.fixture(scope="module")
def warmup_result(data):
    return warmup.run(data, TINY_WARMUP)


def test_warmup_sweep_runs_every_setting(warmup_result):
    runs = warmup_result["runs"]
    assert len(runs) == 2 * 2 * 2
    assert warmup_result["setup"]["updates"] == 2 * (1438 // 64)
    settings = {(r["peak"], r["warmup"], r["seed"]) for r in runs}
    assert len(settings) == len(runs)
    for r in runs:
        assert 0.0 <= r["test_accuracy"] <= 1.0
        assert len(r["loss"]) == warmup_result["setup"]["updates"] // 2
    # Two epochs at a gentle peak already learn the digits; a cold start at 0.1
    # jolts the loss far above its start (about 2.3), a 30-update warmup not.
    gentle = warmup.select(runs, peak=0.01, warmup=30)
    assert all(r["test_accuracy"] > 0.8 for r in gentle)
    cold = warmup.select(runs, peak=0.1, warmup=0)
    warm = warmup.select(runs, peak=0.1, warmup=30)
    assert min(r["max_loss_first_50"] for r in cold) > 10
    assert max(r["max_loss_first_50"] for r in warm) < 5


def test_warmup_sweep_is_deterministic(data, warmup_result):
    again = warmup.run(data, TINY_WARMUP)
    assert json.dumps(again) == json.dumps(warmup_result)


def test_warmup_table(warmup_result):
    rows = warmup.table(warmup_result)
    assert rows[0][:2] == ["peak", "warmup (updates)"]
    assert len(rows) == 1 + 2 * 2
    first = warmup.select(warmup_result["runs"], peak=0.01, warmup=0)
    percents = [f"{100 * r['test_accuracy']:.1f}" for r in first]
    assert rows[1][:3] == ["0.01", "0", " ".join(percents)]


def test_batch_size_sweep_scales_the_rate(data):
    sweep = batch_size.BatchSweep(batches=(32, 128), seeds=(0,), epochs=1)
    result = batch_size.run(data, sweep)
    runs = result["runs"]
    assert len(runs) == 2 * 2 * 3  # optimizers x batches x rules
    peaks = {(r["optimizer"], r["batch"], r["rule"]): r["peak"] for r in runs}
    assert peaks[("sgd", 32, "linear")] == peaks[("sgd", 32, "none")] == 0.02
    assert peaks[("sgd", 128, "linear")] == pytest.approx(0.08)
    assert peaks[("adam", 128, "sqrt")] == pytest.approx(0.002)
    assert {r["updates"] for r in runs if r["batch"] == 128} == {1438 // 128}
    # At the base batch every rule is the same run.
    at_base = [
        r["train_loss"] for r in runs if (r["optimizer"], r["batch"]) == ("sgd", 32)
    ]
    assert len(set(at_base)) == 1
    rows = batch_size.table(result, "train_loss")
    assert rows[0] == ["optimizer", "batch", "updates", "none", "sqrt", "linear"]
    sgd_32 = [r for r in runs if r["batch"] == 32 and r["optimizer"] == "sgd"]
    assert rows[1][3] == f"{sgd_32[0]['train_loss']:.2g}"
    accuracy = batch_size.table(result, "test_accuracy")
    assert accuracy[1][3] == f"{100 * sgd_32[0]['test_accuracy']:.1f}"
    assert [row[:3] for row in rows[1:]] == [
        ["SGD", "32", "44"],
        ["SGD", "128", "11"],
        ["Adam", "32", "44"],
        ["Adam", "128", "11"],
    ]


def test_replot_writes_the_pages_files(tmp_path, warmup_result):
    (tmp_path / "warmup.json").write_text(json.dumps(warmup_result))
    main.main(["--out", str(tmp_path), "--only", "warmup", "--replot"])
    for name in ("warmup.csv", "warmup.png", "warmup_curves.png"):
        assert (tmp_path / name).stat().st_size > 0
    header = (tmp_path / "warmup.csv").read_text().splitlines()[0]
    assert header.startswith("peak,warmup (updates)")
