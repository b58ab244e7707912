"""MNIST-1D's loader: the package's default data set, generated locally."""

import random

import numpy as np
import pytest

from lr_scheduling.data import load_mnist1d


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
