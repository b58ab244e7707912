"""The guide's CNN trained on the device and on the CPU from the same seed.

``lr_scheduling.train.train_and_evaluate`` on the digits, once under
``jax.default_device`` of each. Float rounding differs between backends and
grows chaotically over training, so the comparison is loose: the losses of
the first ``--compare-steps`` steps within ``--loss-rtol``, the test
accuracies within ``--accuracy-points``, and the rates the optimizer used
within ``--rate-rtol`` (the schedule is exact arithmetic on the step).
"""

import time
from typing import Any

import jax
import numpy as np
import pytest
from device_checks import relative_difference

from lr_scheduling.data import load_digits
from lr_scheduling.train import train_and_evaluate


def train_on(where: Any, epochs: int, seed: int) -> dict[str, Any]:
    train_ds, test_ds = load_digits()
    start = time.perf_counter()
    with jax.default_device(where):
        state, history, metrics = train_and_evaluate(
            train_ds, test_ds, num_epochs=epochs, seed=seed
        )
    seconds = time.perf_counter() - start
    placed = {d for leaf in jax.tree.leaves(state.params) for d in leaf.devices()}
    return {
        "placed": placed,
        "loss": np.asarray(history["loss"]),
        "learning_rate": np.asarray(history["learning_rate"]),
        "accuracy": float(metrics["accuracy"]),
        "seconds": seconds,
    }


@pytest.fixture(scope="module")
def runs(device, cpu, option):
    epochs, seed = option("epochs"), option("seed")
    trained = {
        "device": train_on(device, epochs, seed),
        "cpu": train_on(cpu, epochs, seed),
    }
    for role, run in trained.items():
        print(
            f"\n{role}: {len(run['loss'])} steps in {run['seconds']:.1f} s, "
            f"test accuracy {run['accuracy']:.2%}"
        )
    return trained


def test_each_run_trained_where_it_was_put(runs, device, cpu):
    assert runs["device"]["placed"] == {device}
    assert runs["cpu"]["placed"] == {cpu}


def test_loss_curves_agree_over_the_first_steps(runs, option):
    device, cpu = runs["device"]["loss"], runs["cpu"]["loss"]
    assert device.shape == cpu.shape
    count = min(option("compare-steps"), len(cpu))
    worst = relative_difference(device[:count], cpu[:count])
    assert worst <= option("loss-rtol"), (device[:count], cpu[:count])


def test_test_accuracies_agree(runs, option):
    gap = abs(runs["device"]["accuracy"] - runs["cpu"]["accuracy"]) * 100
    assert gap <= option("accuracy-points")
    assert runs["cpu"]["accuracy"] > 0.5  # it trained: chance is 0.1


def test_rates_used_agree(runs, option):
    device, cpu = runs["device"]["learning_rate"], runs["cpu"]["learning_rate"]
    assert relative_difference(device, cpu) <= option("rate-rtol")
    assert len(np.unique(cpu)) > 2  # a schedule, not a constant
