"""The tasks: validation splits, the local text, and the checks on settings."""

import dataclasses

import numpy as np
import pytest

from reports.results.tasks import (
    default_tasks,
    load_digits_splits,
    load_text,
    tiny_tasks,
)


def test_digits_validation_is_carved_from_training_and_test_is_untouched():
    splits = load_digits_splits()
    sizes = {name: len(data["label"]) for name, data in splits.items()}
    assert sizes == {"train": 1079, "val": 359, "test": 359}
    seen = {name: {d.tobytes() for d in data["image"]} for name, data in splits.items()}
    # No example is in two splits (digits has a few exact duplicates: allow them).
    assert (
        len(seen["train"] & seen["val"]) <= 3 and len(seen["val"] & seen["test"]) <= 3
    )


def test_the_text_is_pythons_own_library_split_in_order():
    splits = load_text()
    total = sum(len(s["tokens"]) for s in splits.values())
    assert total > 400_000 and splits["train"]["tokens"].dtype == np.uint8
    assert len(splits["val"]["tokens"]) == pytest.approx(total / 10, abs=1)
    assert b'"""Command-line parsing library' in bytes(splits["train"]["tokens"][:300])
    np.testing.assert_array_equal(
        load_text()["test"]["tokens"], splits["test"]["tokens"]
    )


def test_default_tasks_have_five_seeds_and_both_peaks():
    tasks = {task.name: task for task in default_tasks()}
    assert list(tasks) == ["digits", "mnist1d", "lm"]
    assert all(len(task.seeds) >= 5 for task in tasks.values())
    for name in ("digits", "mnist1d"):
        peaks = {source for _, source in tasks[name].schedules}
        assert peaks == {"range test", "best fixed"}
    shapes = {shape for shape, _ in tasks["lm"].schedules}
    assert {
        "warmup-cosine",
        "wsd",
        "wsd-linear",
        "wsd-cosine",
        "one-cycle",
        "triangular",
    } == shapes
    assert tasks["lm"].optimizer == "adamw" and tasks["digits"].optimizer == "sgd"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"num_steps": 20}, "num_steps must be a multiple of 4 \\* eval_every = 16"),
        ({"batch_size": 1}, "batch_size must be an integer >= 2, got 1"),
        ({"seeds": ()}, "seeds and fixed_rates must be non-empty"),
        ({"schedules": (("cosine", "range test"),)}, "schedules must pair a shape"),
        ({"schedules": (("wsd", "guess"),)}, "schedules must pair a shape"),
    ],
)
def test_task_rejects_bad_settings(changes, message):
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(tiny_tasks()[0], **changes)
