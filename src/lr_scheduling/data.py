"""Datasets for the guide, all local: no download ever happens here.

* :func:`load_digits` (the default) uses the 8x8 handwritten digits that ship
  inside scikit-learn.
* :func:`load_mnist` reads the four standard MNIST IDX files from a directory,
  given as an argument or by the ``LR_SCHEDULING_DATA`` environment variable.

Both return ``(train_ds, test_ds)``: dicts with ``"image"`` (float32, NHWC,
scaled to [0, 1]) and ``"label"`` (int32) NumPy arrays.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np

Dataset = dict[str, np.ndarray]
DATA_ENV = "LR_SCHEDULING_DATA"
MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
IDX_UBYTE = 0x08  # the IDX type code of unsigned bytes, the only one MNIST uses


class DataFileError(ValueError):
    """A data file exists but is not what it should be; names the file."""


def load_digits(test_fraction: float = 0.2, seed: int = 0) -> tuple[Dataset, Dataset]:
    """scikit-learn's 1,797 8x8 digits, shuffled with ``seed`` and split.

    Example:
      >>> train_ds, test_ds = load_digits()
      >>> train_ds["image"].shape, test_ds["label"].shape
      ((1438, 8, 8, 1), (359,))
    """
    try:
        from sklearn.datasets import load_digits as sklearn_digits
    except ModuleNotFoundError as error:
        raise ModuleNotFoundError(
            "load_digits needs scikit-learn, part of the package's 'guide' extra: "
            "pip install scikit-learn, or install the package's wheel with "
            "[guide] (the guide's API page, 'Installing the package')"
        ) from error

    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction!r}")
    digits = sklearn_digits()
    images = (digits.images / 16.0).astype(np.float32)[..., None]
    labels = digits.target.astype(np.int32)
    order = np.random.default_rng(seed).permutation(len(labels))
    num_test = round(len(labels) * test_fraction)
    test, train = order[:num_test], order[num_test:]
    return (
        {"image": images[train], "label": labels[train]},
        {"image": images[test], "label": labels[test]},
    )


def read_idx(path: str | os.PathLike, ndim: int) -> np.ndarray:
    """Reads one IDX file of unsigned bytes (optionally gzipped).

    Raises:
      DataFileError: naming ``path``, for a wrong magic number, an unexpected
        number of dimensions, or a file shorter or longer than its header says.
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as stream:
            raw = stream.read()
    except (OSError, EOFError) as error:  # also a truncated or corrupt gzip stream
        raise DataFileError(f"{path}: cannot be read: {error}") from error
    if len(raw) < 4:
        raise DataFileError(f"{path}: truncated: {len(raw)} bytes, no IDX header")
    magic = int.from_bytes(raw[:4], "big")
    expected = (IDX_UBYTE << 8) | ndim
    if magic != expected:
        raise DataFileError(
            f"{path}: wrong magic number 0x{magic:08x}; an IDX file of unsigned "
            f"bytes with {ndim} dimension(s) starts with 0x{expected:08x}"
        )
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataFileError(f"{path}: truncated inside the header ({len(raw)} bytes)")
    shape = tuple(
        int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)
    )
    size = int(np.prod(shape))
    if len(raw) - header != size:
        problem = "truncated" if len(raw) - header < size else "too long"
        raise DataFileError(
            f"{path}: {problem}: the header promises {size} bytes of data "
            f"for shape {shape}, the file has {len(raw) - header}"
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def _find(directory: Path, name: str) -> Path:
    for candidate in (directory / name, directory / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        f"{directory / name}: not found (nor {name}.gz); the MNIST directory must "
        f"hold {', '.join(MNIST_FILES.values())}"
    )


def load_mnist(directory: str | os.PathLike | None = None) -> tuple[Dataset, Dataset]:
    """MNIST from the four standard IDX files (``.gz`` or not) in ``directory``.

    Args:
      directory: where the files are; defaults to ``$LR_SCHEDULING_DATA``.

    Raises:
      FileNotFoundError: the directory or one of the files is missing.
      DataFileError: a file is damaged, or images and labels disagree.
    """
    if directory is None:
        directory = os.environ.get(DATA_ENV)
        if not directory:
            raise FileNotFoundError(
                f"no MNIST directory given and ${DATA_ENV} is not set"
            )
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"{directory}: MNIST directory does not exist")
    arrays = {
        key: read_idx(_find(directory, name), ndim=3 if "images" in key else 1)
        for key, name in MNIST_FILES.items()
    }
    train, test = (
        _as_dataset(directory, arrays[f"{split}_images"], arrays[f"{split}_labels"])
        for split in ("train", "test")
    )
    return train, test


def _as_dataset(directory: Path, images: np.ndarray, labels: np.ndarray) -> Dataset:
    if len(images) != len(labels):
        raise DataFileError(
            f"{directory}: {len(images)} images but {len(labels)} labels"
        )
    return {
        "image": (images.astype(np.float32) / 255.0)[..., None],
        "label": labels.astype(np.int32),
    }


def load_mnist1d(seed: int = 42) -> tuple[Dataset, Dataset]:
    """MNIST-1D, generated here by the ``mnist1d`` package; nothing is downloaded.

    MNIST-1D (Greydanus and Kobak, "Scaling Down Deep Learning with MNIST-1D",
    ICML 2024, arXiv:2011.14439) turns ten 1-D digit templates into 5,000
    noisy signals of length 40 (padding, scaling, translation, correlated and
    i.i.d. noise, shear). This calls the package's own generator,
    ``mnist1d.data.make_dataset``, with its default arguments
    (``get_dataset_args()``: 4,000 train and 1,000 test signals, seed 42),
    only the seed replaced. Its ``get_dataset`` is never used: that one
    downloads a pickle unless told otherwise. The generator seeds NumPy's and
    Python's global random states; they are restored afterwards, so calling
    this changes no one else's random numbers. It takes about 4 s on a CPU.

    Args:
      seed: the generator's seed, an integer in ``[0, 2**32)``; 42, the
        default, gives the dataset the authors publish.

    Returns:
      ``(train_ds, test_ds)``: ``"image"`` float32 ``(N, 40, 1)`` (a length-40
      signal with one channel, standardised over the whole set as the
      generator does), ``"label"`` int32 ``(N,)`` in 0..9; N is 4,000 and
      1,000.

    Raises:
      ModuleNotFoundError: ``mnist1d`` is not installed (requirements.txt
        pins it).
      ValueError: ``seed`` is not an integer in ``[0, 2**32)``.

    Example:
      >>> train_ds, test_ds = load_mnist1d()
      >>> train_ds["image"].shape, test_ds["label"].shape, test_ds["label"].dtype
      ((4000, 40, 1), (1000,), dtype('int32'))
    """
    import random

    try:
        from mnist1d.data import (  # type: ignore[import-untyped]
            get_dataset_args,
            make_dataset,
        )
    except ModuleNotFoundError as error:
        raise ModuleNotFoundError(
            "load_mnist1d needs the mnist1d package: pip install mnist1d==0.0.2.post1"
        ) from error

    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise ValueError(f"seed must be an integer in [0, 2**32), got {seed!r}")
    if not 0 <= seed < 2**32:
        raise ValueError(f"seed must be an integer in [0, 2**32), got {seed!r}")
    args = get_dataset_args()
    args.seed = int(seed)
    numpy_state, python_state = np.random.get_state(), random.getstate()
    try:
        generated = make_dataset(args)
    finally:  # make_dataset seeds the global generators (mnist1d.utils.set_seed)
        np.random.set_state(numpy_state)
        random.setstate(python_state)
    train, test = (
        {
            "image": generated[x].astype(np.float32)[..., None],
            "label": generated[y].astype(np.int32),
        }
        for x, y in (("x", "y"), ("x_test", "y_test"))
    )
    return train, test
