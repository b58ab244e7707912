"""The digits split and the MNIST IDX reader, on files the tests write."""

import gzip
import struct
import sys

import numpy as np
import pytest

from lr_scheduling.data import (
    DATA_ENV,
    MNIST_FILES,
    DataFileError,
    load_digits,
    load_mnist,
    read_idx,
)


def idx_bytes(array: np.ndarray) -> bytes:
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim)
    header += b"".join(struct.pack(">I", size) for size in array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_mnist(directory, num_train=6, num_test=4, gz=False, size=28):
    rng = np.random.default_rng(0)
    arrays = {
        "train_images": rng.integers(0, 256, (num_train, size, size)),
        "train_labels": rng.integers(0, 10, num_train),
        "test_images": rng.integers(0, 256, (num_test, size, size)),
        "test_labels": rng.integers(0, 10, num_test),
    }
    for key, name in MNIST_FILES.items():
        data = idx_bytes(arrays[key])
        if gz:
            (directory / f"{name}.gz").write_bytes(gzip.compress(data))
        else:
            (directory / name).write_bytes(data)
    return arrays


def test_digits_split_is_seeded_and_disjoint():
    train, test = load_digits()
    again_train, _ = load_digits()
    assert train["image"].shape == (1438, 8, 8, 1) and test["image"].shape == (
        359,
        8,
        8,
        1,
    )
    assert train["image"].dtype == np.float32 and train["label"].dtype == np.int32
    assert 0.0 <= train["image"].min() and train["image"].max() <= 1.0
    np.testing.assert_array_equal(train["label"], again_train["label"])
    assert not np.array_equal(load_digits(seed=1)[0]["label"], train["label"])
    rows = {row.tobytes() for row in train["image"]}
    overlap = sum(row.tobytes() in rows for row in test["image"])
    assert overlap < 5  # a few digits in the set are exact duplicates of others
    assert set(np.unique(test["label"])) == set(range(10))


@pytest.mark.parametrize("gz", [False, True])
def test_load_mnist_reads_idx_files(tmp_path, gz):
    arrays = write_mnist(tmp_path, gz=gz)
    train, test = load_mnist(tmp_path)
    assert train["image"].shape == (6, 28, 28, 1) and test["label"].shape == (4,)
    np.testing.assert_allclose(train["image"][..., 0] * 255, arrays["train_images"])
    np.testing.assert_array_equal(test["label"], arrays["test_labels"])
    assert train["image"].dtype == np.float32 and train["label"].dtype == np.int32


def test_load_mnist_uses_the_environment_variable(tmp_path, monkeypatch):
    write_mnist(tmp_path)
    monkeypatch.setenv(DATA_ENV, str(tmp_path))
    train, _ = load_mnist()
    assert len(train["label"]) == 6
    monkeypatch.delenv(DATA_ENV)
    with pytest.raises(FileNotFoundError, match=f"{DATA_ENV} is not set"):
        load_mnist()


def test_missing_directory_and_file_are_named(tmp_path):
    with pytest.raises(
        FileNotFoundError, match="nowhere: MNIST directory does not exist"
    ):
        load_mnist(tmp_path / "nowhere")
    write_mnist(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(FileNotFoundError, match=r"t10k-labels-idx1-ubyte: not found"):
        load_mnist(tmp_path)


def test_truncated_file_is_named(tmp_path):
    write_mnist(tmp_path)
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(DataFileError, match=rf"{path}: truncated: .* 4704 bytes"):
        load_mnist(tmp_path)
    path.write_bytes(path.read_bytes()[:10])
    with pytest.raises(DataFileError, match=rf"{path}: truncated inside the header"):
        read_idx(path, ndim=3)


def test_truncated_gzip_is_named(tmp_path):
    write_mnist(tmp_path, gz=True)
    path = tmp_path / "train-labels-idx1-ubyte.gz"
    path.write_bytes(path.read_bytes()[:12])
    with pytest.raises(DataFileError, match=rf"{path}: cannot be read"):
        load_mnist(tmp_path)


def test_wrong_magic_number_is_named(tmp_path):
    write_mnist(tmp_path)
    labels = tmp_path / "train-labels-idx1-ubyte"
    images = tmp_path / "train-images-idx3-ubyte"
    labels.write_bytes(images.read_bytes())  # images where labels belong
    with pytest.raises(
        DataFileError, match=rf"{labels}: wrong magic number 0x00000803"
    ):
        load_mnist(tmp_path)
    images.write_bytes(b"PK\x03\x04" + images.read_bytes()[4:])  # a zip, not IDX
    with pytest.raises(
        DataFileError, match=rf"{images}: wrong magic number 0x504b0304"
    ):
        read_idx(images, ndim=3)


def test_mismatched_counts_are_reported(tmp_path):
    write_mnist(tmp_path)
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(idx_bytes(np.zeros(5)))
    with pytest.raises(DataFileError, match="6 images but 5 labels"):
        load_mnist(tmp_path)


def test_digits_without_scikit_learn_names_the_extra(monkeypatch):
    # None in sys.modules makes the import fail, as in an install without the extra.
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ModuleNotFoundError, match="guide' extra") as raised:
        load_digits()
    # The package is not on PyPI: the hint names what pip can find.
    assert "pip install scikit-learn" in str(raised.value)
    assert "Installing the package" in str(raised.value)
