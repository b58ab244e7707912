"""The page's tasks: data with a validation split, a model, a budget, the policies.

Three tasks: scikit-learn's digits and MNIST-1D (image classification, SGD
with momentum), and a byte-level language model on Python's own
standard-library source (AdamW), where the literature says the schedule's
cooldown matters. :func:`default_tasks` is the page's configuration;
:func:`tiny_tasks` the same pipeline in seconds, for the tests.
"""

from __future__ import annotations

import dataclasses
import functools
import sysconfig
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from lr_scheduling.data import load_digits, load_mnist1d
from reports.results.models import CNN1D, ByteTransformer, GuideCNN
from reports.results.policies import CYCLES, SHAPES
from reports.results.runs import Classifier, LanguageModel, Objective

__all__ = ["TEXT_FILES", "Task", "default_tasks", "load_text", "tiny_tasks"]

Splits = dict[str, dict[str, Any]]
SEEDS = (0, 1, 2, 3, 4)
# A 1-2-5 grid over two decades around the guide's rates (0.01 to 0.1).
IMAGE_RATES = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5)
IMAGE_SHAPES = ("triangular", "triangular2", "one-cycle", "warmup-cosine", "wsd")
PEAKS = ("range test", "best fixed")
# The language model's shapes, each at both peaks; triangular takes its
# bounds from the range test only.
LM_SHAPES = ("warmup-cosine", "wsd-linear", "wsd-cosine", "wsd", "one-cycle")
# Standard-library modules of the running Python, read in this order.
TEXT_FILES = (
    "argparse.py",
    "dataclasses.py",
    "functools.py",
    "inspect.py",
    "pathlib.py",
    "typing.py",
    "enum.py",
    "textwrap.py",
)


@dataclasses.dataclass(frozen=True)
class Task:
    """One section of the page: data, model, optimizer, budget and policies.

    Attributes:
      name: ``"digits"``, ``"mnist1d"`` or ``"lm"``: the figure's file name
        and the page's labels (``results-<name>``).
      title: the section's title.
      load: returns ``{"train", "val", "test"}`` data dicts.
      objective: a :class:`~reports.results.runs.Classifier` or
        :class:`~reports.results.runs.LanguageModel`.
      optimizer: ``"sgd"`` (momentum 0.9) or ``"adamw"``.
      num_steps: ``T``, a multiple of ``4 * eval_every`` (so that a quarter
        and a half of the budget are measured) and of ``2 * CYCLES``.
      batch_size, eval_every: examples per step, steps between measurements.
      seeds: one run per seed and policy.
      fixed_rates: the fixed-rate sweep; the best (on validation) is the
        reference and a peak.
      schedules: ``(shape, peak source)`` pairs, peak source ``"range test"``
        or ``"best fixed"``.
      range_test_steps, range_test_min_lr, range_test_max_lr: the range
        test's length and sweep.

    Raises:
      ValueError: naming the attribute, for counts out of range or unknown
        shapes.
    """

    name: str
    title: str
    load: Callable[[], Splits]
    objective: Objective
    optimizer: str
    num_steps: int
    batch_size: int
    eval_every: int
    seeds: tuple[int, ...]
    fixed_rates: tuple[float, ...]
    schedules: tuple[tuple[str, str], ...]
    range_test_steps: int = 200
    range_test_min_lr: float = 1e-4
    range_test_max_lr: float = 10.0

    def __post_init__(self) -> None:
        for name in ("num_steps", "batch_size", "eval_every", "range_test_steps"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 2:
                raise ValueError(f"{name} must be an integer >= 2, got {value!r}")
        if self.num_steps % (4 * self.eval_every) or self.num_steps % (2 * CYCLES):
            raise ValueError(
                f"num_steps must be a multiple of 4 * eval_every = "
                f"{4 * self.eval_every} and of {2 * CYCLES}, got {self.num_steps}"
            )
        if not self.seeds or not self.fixed_rates:
            raise ValueError(
                f"seeds and fixed_rates must be non-empty, got {self.seeds!r} "
                f"and {self.fixed_rates!r}"
            )
        for shape, source in self.schedules:
            if shape not in SHAPES or source not in PEAKS:
                raise ValueError(
                    f"schedules must pair a shape of {SHAPES} with a peak of "
                    f"{PEAKS}, got {(shape, source)!r}"
                )


def _split_validation(train: dict[str, np.ndarray], count: int) -> Splits:
    """The last ``count`` training examples become the validation split."""
    head = {key: value[:-count] for key, value in train.items()}
    tail = {key: value[-count:] for key, value in train.items()}
    return {"train": head, "val": tail}


def load_digits_splits() -> Splits:
    """Digits: 1,079 train, 359 validation (from the guide's 1,438), 359 test."""
    train, test = load_digits()
    return _split_validation(train, 359) | {"test": test}


def load_mnist1d_splits() -> Splits:
    """MNIST-1D: 3,000 train, 1,000 validation (from its 4,000), 1,000 test."""
    train, test = load_mnist1d()
    return _split_validation(train, 1000) | {"test": test}


def load_text(files: tuple[str, ...] = TEXT_FILES) -> Splits:
    """Python's standard-library ``files``, as bytes, split 80/10/10 in order.

    Read from the running interpreter's ``Lib`` directory (nothing is
    downloaded), joined in the given order; the first 80% of the bytes train,
    the next 10% validate, the last 10% test.

    Returns:
      ``{"train", "val", "test"}``, each ``{"tokens": uint8 (N,)}``.
    """
    lib = Path(sysconfig.get_paths()["stdlib"])
    text = b"".join((lib / name).read_bytes() for name in files)
    tokens = np.frombuffer(text, np.uint8)
    cut = [int(len(tokens) * share) for share in (0.8, 0.9)]
    parts = np.split(tokens, cut)
    return {
        name: {"tokens": part}
        for name, part in zip(("train", "val", "test"), parts, strict=True)
    }


def _image_schedules() -> tuple[tuple[str, str], ...]:
    return tuple((shape, peak) for peak in PEAKS for shape in IMAGE_SHAPES)


def _lm_schedules() -> tuple[tuple[str, str], ...]:
    pairs = tuple((shape, peak) for peak in PEAKS for shape in LM_SHAPES)
    return pairs + (("triangular", "range test"),)


def default_tasks() -> list[Task]:
    """The page's three tasks, sized for ``make results`` on 2 CPU cores.

    Example:
      >>> [task.name for task in default_tasks()]
      ['digits', 'mnist1d', 'lm']
    """
    lm = ByteTransformer(width=32, layers=2, heads=4, context=32)
    return [
        Task("digits", "Digits (scikit-learn, 8x8)", load_digits_splits,
             Classifier(GuideCNN()), "sgd", num_steps=480, batch_size=32,
             eval_every=40, seeds=SEEDS, fixed_rates=IMAGE_RATES,
             schedules=_image_schedules()),
        Task("mnist1d", "MNIST-1D", load_mnist1d_splits, Classifier(CNN1D()), "sgd",
             num_steps=1000, batch_size=100, eval_every=50, seeds=SEEDS,
             fixed_rates=IMAGE_RATES, schedules=_image_schedules()),
        Task("lm", "A byte-level language model", load_text,
             LanguageModel(lm, context=32, eval_windows=128), "adamw",
             num_steps=480, batch_size=8, eval_every=24, seeds=SEEDS,
             fixed_rates=(0.003, 0.01, 0.03),
             schedules=_lm_schedules(), range_test_min_lr=1e-5,
             range_test_max_lr=1.0),
    ]  # fmt: skip


def _subset(load: Callable[[], Splits], count: int) -> Splits:
    splits = load()
    return {
        name: {key: value[:count] for key, value in data.items()}
        for name, data in splits.items()
    }


def tiny_tasks() -> list[Task]:
    """The same three tasks in seconds: few steps, two seeds, small data.

    Example:
      >>> [(task.name, task.num_steps, task.seeds) for task in tiny_tasks()]
      [('digits', 16, (0, 1)), ('mnist1d', 16, (0, 1)), ('lm', 16, (0, 1))]
    """
    tasks = default_tasks()
    lm = ByteTransformer(width=16, layers=1, heads=2, context=8)
    changes: dict[str, dict[str, Any]] = {
        "digits": {"load": functools.partial(_subset, load_digits_splits, 200)},
        "mnist1d": {"load": functools.partial(_subset, load_mnist1d_splits, 200),
                    "batch_size": 20},
        "lm": {"load": functools.partial(_subset, load_text, 4000),
               "objective": LanguageModel(lm, context=8, eval_windows=16),
               "fixed_rates": (0.003, 0.03)},
    }  # fmt: skip
    common: dict[str, Any] = {
        "num_steps": 16,
        "eval_every": 4,
        "seeds": (0, 1),
        "range_test_steps": 8,
    }
    return [
        dataclasses.replace(
            task, **(common | {"fixed_rates": (0.05, 0.2)} | changes[task.name])
        )
        for task in tasks
    ]
