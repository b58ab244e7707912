"""The evidence page: learning-rate policies compared on real data, over seeds.

``python -m lr_scheduling.experiments`` (also ``make results``) trains every
policy of :func:`build_policies` with several seeds on each task of
:func:`default_tasks` and writes ``docs/results.rst`` with one figure per task
(``docs/results_<task>.png``). The page is plain reStructuredText, committed,
and regenerated only by running the command again.

Every run of a task is the same program: SGD with momentum
(``optax.inject_hyperparams(optax.sgd)``), one compiled ``lax.scan`` over the
steps, fed the learning rate and momentum of each step from a table that the
policy's schedule fills in advance, with the test accuracy measured every
``eval_every`` steps. A seed fixes the initial parameters and the order of
the batches, and it fixes them alike for every policy, so that policies are
compared on the same draws (common random numbers).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import functools
import hashlib
import math
import os
import platform
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import optax

from lr_scheduling.data import DATA_ENV, Dataset, load_digits, load_mnist, load_mnist1d
from lr_scheduling.model import cross_entropy_loss
from lr_scheduling.range_test import RangeTestResult, lr_range_test, plot_range_test
from lr_scheduling.schedules import (
    cyclical_schedule,
    one_cycle_momentum_schedule,
    one_cycle_schedule,
    wsd_schedule,
)

__all__ = [
    "CNN1D",
    "GuideCNN",
    "CHANCE",
    "FIXED_RATES",
    "MOMENTUM",
    "RANGE_TEST_LENGTHS",
    "RANGE_TEST_STEPS",
    "SEEDS",
    "PatchConv1D",
    "PatchConv2D",
    "Policy",
    "Row",
    "Task",
    "TaskResult",
    "build_policies",
    "default_tasks",
    "main",
    "make_batches",
    "run_task",
    "summarize",
    "train_curves",
    "write_results",
]

MOMENTUM = 0.9  # SGD's momentum for every policy but one-cycle, which cycles it
SEEDS = (0, 1, 2)
# A 1-2-5 grid over two decades around the guide's rates (0.01 to 0.1): fine
# enough to give the fixed rate a fair chance, wide enough to hold bad guesses.
FIXED_RATES = (0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5)
# About 5 epochs on digits and MNIST-1D ("several epochs", Smith 2017, 3.3).
RANGE_TEST_STEPS = 200
# The page also shows how max_lr moves with the test's length and seed.
RANGE_TEST_LENGTHS = (100, 200, 400)
CHANCE = 0.2  # a final accuracy below this (twice chance, 10 classes) failed
CYCLES = 4  # triangular and triangular2: four whole cycles, ending at base_lr
WARMUP_FRACTION = 0.1  # warmup + cosine and WSD warm up over the first 10%
WSD_DECAY_FRACTION = 0.2  # WSD decays over the last 20%
EVAL_CHUNK = 1000  # test examples per evaluation batch, to bound memory
PAGE = "results.rst"


class PatchConv1D(nn.Module):
    """A 1-D convolution written as patches times a matrix.

    It computes what ``flax.linen.Conv(features, (kernel_size,),
    strides=stride, padding=padding)`` computes, with the same parameters
    (``kernel`` ``(kernel_size, in_channels, features)``, ``bias``
    ``(features,)``) and initializers, so the same key gives the same
    numbers. Written as a gather and an ``einsum`` because XLA's CPU
    convolution was five times slower for these small 1-D shapes (a 2,000-step
    MNIST-1D run: 11 s against 2 s, measured on this project's 2-core CPU).

    Input ``(N, length, in_channels)``, output ``(N, out_length, features)``
    with ``out_length = (length + 2 * padding - kernel_size) // stride + 1``,
    float32.

    Example:
      >>> layer = PatchConv1D(features=4, kernel_size=3, stride=2, padding=1)
      >>> x = jnp.ones((2, 40, 1))
      >>> params = layer.init(jax.random.key(0), x)
      >>> layer.apply(params, x).shape
      (2, 20, 4)
    """

    features: int
    kernel_size: int
    stride: int = 1
    padding: int = 0

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        kernel = self.param(
            "kernel",
            nn.initializers.lecun_normal(),
            (self.kernel_size, x.shape[-1], self.features),
        )
        bias = self.param("bias", nn.initializers.zeros_init(), (self.features,))
        x = jnp.pad(x, ((0, 0), (self.padding, self.padding), (0, 0)))
        length = (x.shape[1] - self.kernel_size) // self.stride + 1
        index = self.stride * np.arange(length)[:, None] + np.arange(self.kernel_size)
        return jnp.einsum("nlkc,kcf->nlf", x[:, index], kernel) + bias


class PatchConv2D(nn.Module):
    """A 2-D convolution (stride 1, ``"SAME"`` padding) as patches times a matrix.

    It computes what ``flax.linen.Conv(features, kernel_size)`` computes with
    its defaults (stride 1, ``"SAME"`` padding), with the same parameters
    (``kernel`` ``(kh, kw, in_channels, features)``, ``bias``) and
    initializers. Written so for speed, as :class:`PatchConv1D`: a 400-step
    run of the guide's CNN on 28x28 MNIST took 4.6 s instead of 13 s.

    Input ``(N, H, W, in_channels)``, output ``(N, H, W, features)``.

    Raises:
      ValueError: an even kernel size (``"SAME"`` would pad unevenly).

    Example:
      >>> layer = PatchConv2D(features=4, kernel_size=(3, 3))
      >>> x = jnp.ones((2, 8, 8, 1))
      >>> layer.apply(layer.init(jax.random.key(0), x), x).shape
      (2, 8, 8, 4)
    """

    features: int
    kernel_size: tuple[int, int] = (3, 3)

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        height, width = self.kernel_size
        if height % 2 == 0 or width % 2 == 0:
            raise ValueError(f"kernel_size must be odd, got {self.kernel_size!r}")
        kernel = self.param(
            "kernel",
            nn.initializers.lecun_normal(),
            (height, width, x.shape[-1], self.features),
        )
        bias = self.param("bias", nn.initializers.zeros_init(), (self.features,))
        rows, cols = x.shape[1:3]
        padded = jnp.pad(x, ((0, 0), (height // 2,) * 2, (width // 2,) * 2, (0, 0)))
        patches = jnp.stack(
            [
                padded[:, i : i + rows, j : j + cols]
                for i in range(height)
                for j in range(width)
            ],
            axis=3,
        )  # (N, H, W, kh * kw, C), in the kernel's row-major order
        flat = kernel.reshape(height * width, *kernel.shape[2:])
        return jnp.einsum("nhwkc,kcf->nhwf", patches, flat) + bias


class GuideCNN(nn.Module):
    """The guide's CNN (:class:`lr_scheduling.model.CNN`), convolving by patches.

    The same layers, parameter names, shapes and initializers as ``CNN``, so
    the same key initializes both alike and both compute the same function
    (to float rounding); only the convolution is :class:`PatchConv2D`, three
    times faster on this project's CPU.

    Example:
      >>> from lr_scheduling.model import CNN
      >>> x = jnp.ones((2, 8, 8, 1))
      >>> params = GuideCNN().init(jax.random.key(0), x)
      >>> same = jax.tree.map(jnp.array_equal, params, CNN().init(jax.random.key(0), x))
      >>> all(jax.tree.leaves(same))
      True
      >>> gap = jnp.abs(GuideCNN().apply(params, x) - CNN().apply(params, x))
      >>> float(gap.max()) < 1e-6
      True
    """

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        x = nn.relu(PatchConv2D(features=32, kernel_size=(3, 3), name="Conv_0")(x))
        x = nn.avg_pool(x, window_shape=(2, 2), strides=(2, 2))
        x = x.reshape((x.shape[0], -1))
        x = nn.relu(nn.Dense(features=128)(x))
        return nn.Dense(features=10)(x)


class CNN1D(nn.Module):
    """A small 1-D CNN for MNIST-1D, shaped as the authors' CNN.

    Three convolutions of ``channels`` channels (kernels 5, 3, 3; stride 2,
    padding 1; ReLU), flattened into a linear layer of 10 logits, as the CNN
    of the MNIST-1D repository (Greydanus and Kobak, arXiv:2011.14439):
    5,210 parameters for a length-40 input and 25 channels.

    Input float32 ``(N, 40, 1)``; output logits ``(N, 10)``.

    Example:
      >>> model = CNN1D()
      >>> params = model.init(jax.random.key(0), jnp.ones((1, 40, 1)))["params"]
      >>> sum(leaf.size for leaf in jax.tree.leaves(params))
      5210
    """

    channels: int = 25

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        for size in (5, 3, 3):
            x = PatchConv1D(self.channels, size, stride=2, padding=1)(x)
            x = nn.relu(x)
        return nn.Dense(10)(x.reshape((x.shape[0], -1)))


@dataclasses.dataclass(frozen=True)
class Task:
    """A data set, a model and a training budget: one section of the page.

    Attributes:
      name: a short identifier, also the figure's file name
        (``results_<name>.png``).
      title: the section's title.
      load: returns ``(train_ds, test_ds)``, dicts of ``"image"`` (float32,
        ``(N, ...)``) and ``"label"`` (int32, ``(N,)``).
      model: a Flax linen module from images to 10 logits.
      description: a sentence on the data and the model, for the page.
      num_steps: the steps of every run, ``T``; a multiple of ``eval_every``
        and of ``2 * CYCLES`` (the triangular policies' whole cycles).
      batch_size: examples per step.
      eval_every: steps between two measurements of the test accuracy.
      seeds: one run per seed and policy; >= 1 seeds.
      fixed_rates: the fixed-rate sweep, >= 1 rates, > 0.
      range_test_steps: the range test's steps (its batches are the first
        ones of ``seeds[0]``), >= 2.
      range_test_min_lr, range_test_max_lr: the range test's sweep.
      target: the accuracy of the "steps to target" column, in ``(0, 1]``;
        ``None`` takes Smith's yardstick, the best fixed rate's final mean
        accuracy (rounded down to 0.1%).
      reference: what others report for this data, for the page.
      range_test_lengths: extra range tests of these lengths, one per seed,
        to show on the page how much ``max_lr`` moves (not used for
        training); integers >= 2, or ``()`` for none.

    Raises:
      ValueError: naming the attribute, for a step count that is not a
        positive multiple of ``eval_every`` and of ``2 * CYCLES``, or a
        count, rate or target out of range.
    """

    name: str
    title: str
    load: Callable[[], tuple[Dataset, Dataset]]
    model: nn.Module
    description: str
    num_steps: int
    batch_size: int
    eval_every: int
    seeds: tuple[int, ...] = SEEDS
    fixed_rates: tuple[float, ...] = FIXED_RATES
    range_test_steps: int = RANGE_TEST_STEPS
    range_test_min_lr: float = 1e-4
    range_test_max_lr: float = 10.0
    target: float | None = None
    reference: str = ""
    range_test_lengths: tuple[int, ...] = RANGE_TEST_LENGTHS

    def __post_init__(self):
        for name in ("num_steps", "batch_size", "eval_every", "range_test_steps"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if self.num_steps % self.eval_every:
            raise ValueError(
                f"num_steps must be a multiple of eval_every={self.eval_every}, "
                f"got {self.num_steps}"
            )
        if self.num_steps % (2 * CYCLES):
            raise ValueError(
                f"num_steps must be a multiple of {2 * CYCLES} ({CYCLES} whole "
                f"triangular cycles), got {self.num_steps}"
            )
        if self.range_test_steps < 2:
            raise ValueError(
                f"range_test_steps must be >= 2, got {self.range_test_steps}"
            )
        if not all(
            isinstance(n, int) and not isinstance(n, bool) and n >= 2
            for n in self.range_test_lengths
        ):
            raise ValueError(
                "range_test_lengths must be integers >= 2, "
                f"got {self.range_test_lengths!r}"
            )
        if not self.seeds:
            raise ValueError(f"seeds must name at least one seed, got {self.seeds!r}")
        if not self.fixed_rates or not all(
            math.isfinite(rate) and rate > 0 for rate in self.fixed_rates
        ):
            raise ValueError(
                f"fixed_rates must be finite rates > 0, got {self.fixed_rates!r}"
            )
        if self.target is not None and not 0 < self.target <= 1:
            raise ValueError(f"target must be in (0, 1], got {self.target!r}")


@dataclasses.dataclass(frozen=True, eq=False)
class Policy:
    """A learning-rate policy, as the rate and momentum of every step.

    Attributes:
      name: as the table shows it, e.g. ``"triangular"``.
      settings: its parameters, in words, for the table.
      learning_rates: float32 ``(T,)``; entry ``t`` is the rate of update ``t``.
      momenta: float32 ``(T,)``, SGD's momentum of each update.
      tuning_steps: training steps spent, for one seed, to choose this
        policy's settings and then train it: runs x steps, a range test
        included.
      fixed: whether this is one rate of the fixed-rate sweep.
    """

    name: str
    settings: str
    learning_rates: np.ndarray
    momenta: np.ndarray
    tuning_steps: int
    fixed: bool = False


def default_tasks(environ: Mapping[str, str] | None = None) -> list[Task]:
    """The page's tasks: digits, MNIST-1D and, if ``$LR_SCHEDULING_DATA`` is set, MNIST.

    * digits: scikit-learn's 8x8 digits (1,438 train, 359 test), the guide's
      CNN (:class:`lr_scheduling.model.CNN`), batch 32, 440 steps (10
      epochs, as the guide trains), accuracy every 20 steps.
    * MNIST-1D: generated by :func:`lr_scheduling.data.load_mnist1d`
      (4,000 train, 1,000 test), :class:`CNN1D`, batch 100, 2,000 steps
      (50 epochs), accuracy every 50 steps.
    * MNIST (optional): the guide's CNN, batch 32, 400 steps (a fifth of an
      epoch), accuracy every 100 steps, five fixed rates (0.01 to 0.2) and no
      extra range tests, to stay near the time budget: about 3 more minutes
      (measured on random data of MNIST's shape). Only where
      ``environ[DATA_ENV]`` names a directory of the IDX files.

    The guide's CNN runs as :class:`GuideCNN`, the same function and
    parameters with the convolution computed by patches.

    Args:
      environ: the environment to read ``LR_SCHEDULING_DATA`` from;
        ``os.environ`` by default.

    Example:
      >>> [task.name for task in default_tasks(environ={})]
      ['digits', 'mnist1d']
    """
    directory = (os.environ if environ is None else environ).get(DATA_ENV)
    tasks = [
        Task(
            name="digits",
            title="Digits (scikit-learn, 8x8)",
            load=load_digits,
            model=GuideCNN(),
            description=(
                "scikit-learn's 1,797 handwritten 8x8 digits, split 1,438 / 359 "
                "(``load_digits()``), with the guide's CNN (one 3x3 convolution "
                "of 32 channels, average pooling, a dense layer of 128; run as "
                "``GuideCNN``, the same function and parameters with the "
                "convolution computed by patches, three times faster here)"
            ),
            num_steps=440,
            batch_size=32,
            eval_every=20,
        ),
        Task(
            name="mnist1d",
            title="MNIST-1D",
            load=load_mnist1d,
            model=CNN1D(),
            description=(
                "MNIST-1D generated locally by the ``mnist1d`` package's "
                "``make_dataset`` with its default arguments (seed 42; 4,000 "
                "train and 1,000 test signals of length 40; "
                "``load_mnist1d()``), with a 1-D CNN shaped as the authors' "
                "(three stride-2 convolutions of 25 channels, then a linear "
                "layer; 5,210 parameters)"
            ),
            num_steps=2000,
            batch_size=100,
            eval_every=50,
            reference=(
                "The MNIST-1D authors (Greydanus and Kobak, arXiv:2011.14439) "
                "report about 94% for their CNN and about 68% for an MLP, "
                "trained with their train.py's defaults (Adam at 1e-2, batch "
                "100, 8,000 steps); the runs here take a quarter of those "
                "steps, with SGD."
            ),
        ),
    ]
    if directory:
        tasks.append(
            Task(
                name="mnist",
                title="MNIST",
                load=functools.partial(load_mnist, directory),
                model=GuideCNN(),
                description=(
                    f"MNIST read from ``${DATA_ENV}`` (60,000 train, 10,000 "
                    "test), with the guide's CNN (``GuideCNN``)"
                ),
                num_steps=400,
                batch_size=32,
                eval_every=100,
                fixed_rates=(0.01, 0.02, 0.05, 0.1, 0.2),
                range_test_lengths=(),
            )
        )
    return tasks


def make_batches(
    num_examples: int, batch_size: int, num_steps: int, seed: int
) -> np.ndarray:
    """The example indices of every step: epochs of seeded permutations.

    Each epoch is a fresh permutation of ``range(num_examples)`` from
    ``numpy.random.default_rng(seed)``, cut into ``num_examples //
    batch_size`` batches (the rest of the epoch is dropped, as the guide's
    ``train_epoch`` does); epochs follow each other until ``num_steps``
    batches are drawn.

    Returns:
      int32 ``(num_steps, batch_size)``.

    Raises:
      ValueError: naming the argument, for counts < 1 or a batch larger than
        the data.

    Example:
      >>> batches = make_batches(6, batch_size=2, num_steps=4, seed=0)
      >>> batches.shape, sorted(batches[:3].ravel().tolist())
      ((4, 2), [0, 1, 2, 3, 4, 5])
    """
    for name, value in (
        ("num_examples", num_examples),
        ("batch_size", batch_size),
        ("num_steps", num_steps),
    ):
        if value < 1:
            raise ValueError(f"{name} must be >= 1, got {value!r}")
    if batch_size > num_examples:
        raise ValueError(
            f"batch_size must be <= num_examples={num_examples}, got {batch_size}"
        )
    rng = np.random.default_rng(seed)
    per_epoch = num_examples // batch_size
    epochs = -(-num_steps // per_epoch)
    order = [
        rng.permutation(num_examples)[: per_epoch * batch_size] for _ in range(epochs)
    ]
    flat = np.concatenate(order)[: num_steps * batch_size]
    return flat.reshape(num_steps, batch_size).astype(np.int32)


def build_policies(
    num_steps: int,
    fixed_rates: Sequence[float],
    bounds: tuple[float, float],
    range_test_steps: int,
) -> list[Policy]:
    """Every policy of the page, as tables of ``num_steps`` rates and momenta.

    ``bounds = (base_lr, max_lr)`` comes from the range test
    (:meth:`~lr_scheduling.range_test.RangeTestResult.clr_bounds`) and sets
    every scheduled policy, so that they all cost one range test and one run:

    * fixed ``r`` for each of ``fixed_rates`` (momentum 0.9); the sweep costs
      ``len(fixed_rates)`` runs.
    * triangular and triangular2: :func:`~lr_scheduling.schedules.cyclical_schedule`
      from ``base_lr`` to ``max_lr`` with ``step_size = T / 8``: four whole
      cycles, so training ends at ``base_lr`` (Smith 2017, section 3.2);
      momentum 0.9, as in Smith's experiments.
    * one-cycle: ``one_cycle_schedule(max_lr, T)`` with its defaults (up over
      30%, cosine, from ``max_lr / 25`` to ``max_lr / 25 / 1e4``) and the
      momentum cycled from 0.95 to 0.85 and back
      (``one_cycle_momentum_schedule``), as Smith (2018) and PyTorch's
      ``OneCycleLR`` do.
    * warmup + cosine: ``optax.warmup_cosine_decay_schedule`` from 0 to
      ``max_lr`` over 10% of the steps, then down to 0 at ``T``.
    * WSD: ``wsd_schedule(max_lr, T, warmup_steps=T / 10, decay_steps=T / 5)``
      (warm up, hold ``max_lr``, decay as ``1 - sqrt``).

    Example:
      >>> policies = build_policies(16, (0.01, 0.1), (0.025, 0.1), 10)
      >>> [policy.name for policy in policies]  # doctest: +NORMALIZE_WHITESPACE
      ['fixed 0.01', 'fixed 0.1', 'triangular', 'triangular2', 'one-cycle',
       'warmup + cosine', 'WSD']
      >>> [round(float(rate), 4) for rate in policies[2].learning_rates[:5]]
      [0.025, 0.0625, 0.1, 0.0625, 0.025]
      >>> policies[0].tuning_steps, policies[2].tuning_steps
      (32, 26)
    """
    base_lr, max_lr = bounds
    steps = jnp.arange(num_steps)
    momentum = np.full(num_steps, MOMENTUM, np.float32)
    run_after_test = range_test_steps + num_steps
    policies = [
        Policy(
            f"fixed {rate:g}",
            f"rate {rate:g}",
            np.full(num_steps, rate, np.float32),
            momentum,
            tuning_steps=len(fixed_rates) * num_steps,
            fixed=True,
        )
        for rate in fixed_rates
    ]
    step_size = num_steps // (2 * CYCLES)
    for mode in ("triangular", "triangular2"):
        schedule = cyclical_schedule(base_lr, max_lr, step_size, mode=mode)
        policies.append(
            Policy(
                mode,
                f"{base_lr:.3g} to {max_lr:.3g}, step size {step_size}",
                _table(schedule, steps),
                momentum,
                run_after_test,
            )
        )
    warmup = round(WARMUP_FRACTION * num_steps)
    decay = round(WSD_DECAY_FRACTION * num_steps)
    policies += [
        Policy(
            "one-cycle",
            f"peak {max_lr:.3g} at 30%, momentum 0.95-0.85-0.95",
            _table(one_cycle_schedule(max_lr, num_steps), steps),
            _table(one_cycle_momentum_schedule(num_steps), steps),
            run_after_test,
        ),
        Policy(
            "warmup + cosine",
            f"peak {max_lr:.3g}, warmup {warmup}",
            _table(
                optax.warmup_cosine_decay_schedule(0.0, max_lr, warmup, num_steps),
                steps,
            ),
            momentum,
            run_after_test,
        ),
        Policy(
            "WSD",
            f"peak {max_lr:.3g}, warmup {warmup}, 1-sqrt decay {decay}",
            _table(wsd_schedule(max_lr, num_steps, warmup, decay), steps),
            momentum,
            run_after_test,
        ),
    ]
    return policies


def _table(schedule: Callable[[jax.Array], jax.Array], steps: jax.Array) -> np.ndarray:
    # vmap: some schedules (Optax's piecewise ones) take one step at a time.
    return np.asarray(jax.vmap(schedule)(steps), dtype=np.float32)


@dataclasses.dataclass(frozen=True)
class _Loss:
    """The mean cross-entropy of a model on a batch: a value, so jit and the
    range test compile once per model (equal modules compare equal)."""

    model: nn.Module

    def __call__(self, params: Any, batch: Dataset) -> jax.Array:
        logits = self.model.apply({"params": params}, batch["image"])
        return cross_entropy_loss(logits, batch["label"])


# One object, so that the range test's jit cache sees the same optimizer.
_SGD_MOMENTUM = functools.partial(optax.sgd, momentum=MOMENTUM)


def _eval_chunks(test_ds: Dataset) -> dict[str, np.ndarray]:
    """The test set as equal chunks, padded, with a weight of 0 on the padding."""
    count = len(test_ds["label"])
    chunk = min(EVAL_CHUNK, count)
    padded = -(-count // chunk) * chunk
    weight = np.ones(count, np.float32)  # the padding below gets weight 0

    def split(array: np.ndarray) -> np.ndarray:
        pad = [(0, padded - count)] + [(0, 0)] * (array.ndim - 1)
        array = np.pad(array, pad)
        return array.reshape(padded // chunk, chunk, *array.shape[1:])

    return {
        "image": split(test_ds["image"]),
        "label": split(test_ds["label"]),
        "weight": split(weight),
    }


@functools.partial(jax.jit, static_argnames=("loss", "eval_every"))
def _train_run(
    params: Any,
    train: Dataset,
    test: dict[str, jax.Array],
    batches: jax.Array,
    learning_rates: jax.Array,
    momenta: jax.Array,
    *,
    loss: _Loss,
    eval_every: int,
) -> tuple[Any, jax.Array]:
    """One run: final parameters and the test accuracy every ``eval_every`` steps."""
    tx = optax.inject_hyperparams(optax.sgd)(learning_rate=0.0, momentum=MOMENTUM)
    grad_fn = jax.grad(loss)

    def step(carry, inputs):
        params, opt_state = carry
        index, learning_rate, momentum = inputs
        batch = {"image": train["image"][index], "label": train["label"][index]}
        grads = grad_fn(params, batch)
        hyperparams = {"learning_rate": learning_rate, "momentum": momentum}
        opt_state = opt_state._replace(hyperparams=hyperparams)
        updates, opt_state = tx.update(grads, opt_state, params)
        return (optax.apply_updates(params, updates), opt_state), None

    def correct(params, chunk):
        logits = loss.model.apply({"params": params}, chunk["image"])
        hits = jnp.argmax(jnp.asarray(logits), -1) == chunk["label"]
        return jnp.sum(hits * chunk["weight"])

    def train_then_evaluate(carry, inputs):
        carry, _ = jax.lax.scan(step, carry, inputs)
        hits = jax.lax.map(functools.partial(correct, carry[0]), test)
        return carry, jnp.sum(hits) / jnp.sum(test["weight"])

    chunks = jax.tree.map(
        lambda a: a.reshape(-1, eval_every, *a.shape[1:]),
        (batches, learning_rates, momenta),
    )
    carry = (params, tx.init(params))
    (params, _), accuracy = jax.lax.scan(train_then_evaluate, carry, chunks)
    return params, accuracy


def _init_params(model: nn.Module, example: np.ndarray, seed: int) -> Any:
    return model.init(jax.random.key(seed), jnp.asarray(example[:1]))["params"]


def train_curves(
    model: nn.Module,
    train_ds: Dataset,
    test_ds: Dataset,
    policies: Sequence[Policy],
    seeds: Sequence[int],
    batch_size: int,
    eval_every: int,
) -> np.ndarray:
    """Trains every policy with every seed; the test accuracy along the way.

    Seed ``s`` sets the initial parameters (``model.init`` with
    ``jax.random.key(s)``) and the batches (:func:`make_batches` with seed
    ``s``), the same for every policy. Each run is one jitted ``lax.scan``,
    compiled once for all the runs of a task (the rates are data, not
    constants). Runs go one after another: vmapped over seeds they were
    slower on this project's 2-core CPU (1.6x for MNIST-1D).

    Args:
      model: a linen module from ``train_ds["image"]`` batches to 10 logits.
      train_ds, test_ds: ``{"image", "label"}`` dicts.
      policies: what :func:`build_policies` returns; all tables of one
        length ``T``, a multiple of ``eval_every``.
      seeds: integers.
      batch_size: examples per step.
      eval_every: steps between two measurements.

    Returns:
      float32 ``(len(policies), len(seeds), T // eval_every)``: the share of
      ``test_ds`` classified right after ``eval_every``, ``2 * eval_every``,
      ..., ``T`` steps.

    Example:
      >>> rng = np.random.default_rng(0)
      >>> data = {"image": rng.normal(size=(8, 40, 1)).astype(np.float32),
      ...         "label": np.arange(8, dtype=np.int32) % 10}
      >>> policies = build_policies(8, (0.0,), (0.0, 0.0), 2)[:1]
      >>> accuracy = train_curves(CNN1D(), data, data, policies, (0,), 4, 4)
      >>> accuracy.shape, bool(accuracy[0, 0, 0] == accuracy[0, 0, 1])
      ((1, 1, 2), True)
    """
    train = {key: jnp.asarray(train_ds[key]) for key in ("image", "label")}
    test = jax.tree.map(jnp.asarray, _eval_chunks(test_ds))
    num_steps = len(policies[0].learning_rates)
    loss = _Loss(model)
    runs = []
    for seed in seeds:
        params = _init_params(model, train_ds["image"], seed)
        batches = make_batches(len(train_ds["label"]), batch_size, num_steps, seed)
        for policy in policies:
            _, accuracy = _train_run(
                params,
                train,
                test,
                batches,
                policy.learning_rates,
                policy.momenta,
                loss=loss,
                eval_every=eval_every,
            )
            runs.append(accuracy)
    curves = np.asarray(jax.device_get(runs), dtype=np.float32)
    return curves.reshape(len(seeds), len(policies), -1).transpose(1, 0, 2)


@dataclasses.dataclass(frozen=True, eq=False)
class TaskResult:
    """What :func:`run_task` measured for one task.

    Attributes:
      task: the task.
      range_test: the range test's curve.
      bounds: ``(base_lr, max_lr)`` read from it.
      policies: the policies trained.
      accuracy: float32 ``(len(policies), len(task.seeds), T // eval_every)``.
      seconds: wall time of the task, data included.
      max_lrs: float64 ``(len(task.range_test_lengths), len(task.seeds))``,
        the ``max_lr`` of a range test of each length from each seed (NaN
        where it diverged too early to read one).
    """

    task: Task
    range_test: RangeTestResult
    bounds: tuple[float, float]
    policies: list[Policy]
    accuracy: np.ndarray
    seconds: float
    max_lrs: np.ndarray

    @property
    def eval_steps(self) -> np.ndarray:
        """int ``(T // eval_every,)``: the step after which each accuracy was taken."""
        every = self.task.eval_every
        return np.arange(every, self.task.num_steps + 1, every)


def run_task(task: Task) -> TaskResult:
    """Loads the data, runs the range test, builds the policies and trains them.

    The range test (:func:`~lr_scheduling.range_test.lr_range_test`) starts
    from the initial parameters of ``task.seeds[0]`` and uses that seed's
    first ``task.range_test_steps`` batches, with SGD and momentum 0.9 as in
    training, the rate rising exponentially from ``task.range_test_min_lr``
    to ``task.range_test_max_lr``. Its
    :meth:`~lr_scheduling.range_test.RangeTestResult.clr_bounds` set every
    scheduled policy (:func:`build_policies`).

    The same test is also run for each of ``task.range_test_lengths`` and
    each seed, only to report how far ``max_lr`` moves.

    Returns:
      A :class:`TaskResult`.
    """
    start = time.perf_counter()
    train_ds, test_ds = task.load()
    result = _range_test(task, train_ds, task.range_test_steps, task.seeds[0])
    bounds = result.clr_bounds()
    max_lrs = np.full((len(task.range_test_lengths), len(task.seeds)), np.nan)
    for i, length in enumerate(task.range_test_lengths):
        for j, seed in enumerate(task.seeds):
            try:
                max_lrs[i, j] = _range_test(task, train_ds, length, seed).clr_bounds()[
                    1
                ]
            except ValueError:  # diverged within its first two steps
                pass
    policies = build_policies(
        task.num_steps, task.fixed_rates, bounds, task.range_test_steps
    )
    accuracy = train_curves(
        task.model,
        train_ds,
        test_ds,
        policies,
        task.seeds,
        task.batch_size,
        task.eval_every,
    )
    return TaskResult(
        task, result, bounds, policies, accuracy, time.perf_counter() - start, max_lrs
    )


def _range_test(
    task: Task, train_ds: Dataset, num_steps: int, seed: int
) -> RangeTestResult:
    """The task's range test from ``seed``'s initial parameters and batches."""
    batches = make_batches(len(train_ds["label"]), task.batch_size, num_steps, seed)
    return lr_range_test(
        _Loss(task.model),
        _init_params(task.model, train_ds["image"], seed),
        {key: train_ds[key][batches] for key in ("image", "label")},
        min_lr=task.range_test_min_lr,
        max_lr=task.range_test_max_lr,
        optimizer=_SGD_MOMENTUM,
    )


@dataclasses.dataclass(frozen=True)
class Row:
    """One line of a task's table.

    Attributes:
      name: the policy, e.g. ``"fixed, best of sweep"``.
      settings: its parameters in words.
      mean, std: the final test accuracy over seeds, in [0, 1]; ``std`` is
        the sample standard deviation (``ddof=1``; 0 for one seed).
      steps_to_target: the first measured step at which the accuracy
        averaged over seeds is >= the target; ``None`` if it never is.
      tuning_steps: runs x steps for one seed, a range test included.
      index: the policy's index in :attr:`TaskResult.policies`.
      runs: the number of seeds.
      failed: how many of them ended below ``CHANCE`` (diverged, or stuck).
    """

    name: str
    settings: str
    mean: float
    std: float
    steps_to_target: int | None
    tuning_steps: int
    index: int
    runs: int
    failed: int


def summarize(result: TaskResult) -> tuple[float, list[Row]]:
    """A task's target accuracy and table: the sweep's best and median, the schedules.

    The fixed-rate sweep gives two rows: the rate with the best final mean
    accuracy (ties: the lowest rate), which costs the whole sweep, and the
    rate whose final mean is the sweep's median (the lower middle for an
    even count), what one untuned guess typically gets, which costs one run.
    The target is ``result.task.target``, or else Smith's yardstick: the best
    fixed rate's final mean accuracy, rounded down to 0.1%.

    Returns:
      ``(target, rows)``, ``target`` in (0, 1].

    Example:
      >>> import types
      >>> policies = build_policies(16, (0.01, 0.1, 1.0), (0.025, 0.1), 10)
      >>> accuracy = np.zeros((len(policies), 2, 2), np.float32)
      >>> accuracy[:, :, 1] = 0.5
      >>> accuracy[1] = [[0.7, 0.9], [0.8, 0.7]]  # fixed 0.1: the best
      >>> accuracy[3] = [[0.9, 0.95], [0.9, 0.8]]  # triangular: earlier
      >>> task = types.SimpleNamespace(target=None, fixed_rates=(0.01, 0.1, 1.0))
      >>> result = types.SimpleNamespace(
      ...     task=task, policies=policies, accuracy=accuracy,
      ...     eval_steps=np.array([8, 16]))
      >>> target, rows = summarize(result)
      >>> round(target, 3)
      0.8
      >>> [(row.name, row.steps_to_target) for row in rows[:2]]
      [('fixed, best of sweep', 16), ('fixed, median of sweep', None)]
      >>> rows[2].name, rows[2].steps_to_target
      ('triangular', 8)
      >>> round(rows[0].mean, 3), round(rows[0].std, 3)
      (0.8, 0.141)
    """
    accuracy = np.asarray(result.accuracy, np.float64)
    finals = accuracy[:, :, -1]
    fixed = [i for i, policy in enumerate(result.policies) if policy.fixed]
    fixed_means = finals[fixed].mean(axis=1)
    best = fixed[int(np.argmax(fixed_means))]
    median = fixed[int(np.argsort(fixed_means, kind="stable")[(len(fixed) - 1) // 2])]
    target = result.task.target
    if target is None:
        # + 1e-6 (in accuracy): float32 accuracies, whose 0.8 is 0.79999998.
        target = math.floor(float(finals[best].mean()) * 1000 + 1e-3) / 1000
    one_run = len(result.policies[best].learning_rates)

    def row(index: int, name: str, tuning_steps: int) -> Row:
        policy = result.policies[index]
        curve = accuracy[index].mean(axis=0)
        reached = np.flatnonzero(curve >= target - 1e-6)  # float32, as above
        return Row(
            name=name,
            settings=policy.settings,
            mean=float(finals[index].mean()),
            std=float(finals[index].std(ddof=1)) if finals.shape[1] > 1 else 0.0,
            steps_to_target=int(result.eval_steps[reached[0]])
            if reached.size
            else None,
            tuning_steps=tuning_steps,
            index=index,
            runs=finals.shape[1],
            failed=int(np.sum(finals[index] < CHANCE)),
        )

    rows = [
        row(best, "fixed, best of sweep", result.policies[best].tuning_steps),
        row(median, "fixed, median of sweep", one_run),
    ]
    rows += [
        row(i, policy.name, policy.tuning_steps)
        for i, policy in enumerate(result.policies)
        if not policy.fixed
    ]
    return target, rows


def _percent(value: float) -> str:
    return f"{100 * value:.1f}"


SAME = "no clear difference from"
FAILED = "failed"


def _verdict(best: Row, row: Row) -> str:
    """The page's rough rule: a difference of two standard errors or more.

    Not a significance test (three seeds are too few for one); it keeps the
    page from calling a difference that the seeds' spread swamps. A policy
    with a failed run gets no verdict on its mean: ``FAILED``.
    """
    if row.failed:
        return FAILED
    difference = row.mean - best.mean
    error = math.sqrt((best.std**2 + row.std**2) / max(row.runs, 1))
    if difference > 2 * error:
        return "better than"
    if difference < -2 * error:
        return "worse than"
    return SAME


def _findings(result: TaskResult, target: float, rows: list[Row]) -> list[str]:
    """Sentences stating what the table says, computed from its numbers."""
    best, median, schedules = rows[0], rows[1], rows[2:]
    task = result.task
    lines = [
        f"The best fixed rate, {best.settings.removeprefix('rate ')}, ends at "
        f"{_percent(best.mean)}% ± {_percent(best.std)}; the sweep's median rate, "
        f"{median.settings.removeprefix('rate ')}, at {_percent(median.mean)}% "
        f"± {_percent(median.std)}.",
    ]
    sentences = {
        "better than": "Final accuracy clearly above the best fixed rate's: {}.",
        SAME: "No clear difference in final accuracy from the best fixed rate: {}.",
        "worse than": "Final accuracy clearly below the best fixed rate's: {}.",
        FAILED: (
            f"Runs that ended below {_percent(CHANCE)}% (diverged or stuck near "
            "chance), so no verdict on the mean: {}."
        ),
    }
    for verdict, sentence in sentences.items():
        names = [
            f"{row.name} ({_percent(row.mean)}%)"
            if verdict != FAILED
            else f"{row.name} ({row.failed} of {row.runs})"
            for row in schedules
            if _verdict(best, row) == verdict
        ]
        if names:
            lines.append(sentence.format(", ".join(names)))
    top = max(rows, key=lambda row: row.mean)
    lines.append(f"The highest final mean is {top.name}'s, {_percent(top.mean)}%.")
    failed = [
        f"{row.name} ({row.failed} of {row.runs})" for row in rows[:2] if row.failed
    ]
    if failed:
        lines.append(
            f"Runs that ended below {_percent(CHANCE)}% (diverged or stuck near "
            f"chance): {', '.join(failed)}."
        )
    target_text = f"{_percent(target)}%"
    times = {
        row.name: row.steps_to_target
        for row in schedules
        if row.steps_to_target is not None
    }
    bar = best.steps_to_target
    if bar is not None:
        lines.append(
            f"The best fixed rate first reaches {target_text} (seed mean) at step "
            f"{bar:,} of {task.num_steps:,}."
        )
        earlier = [
            f"{name} at step {steps:,} ({steps / bar:.2f}x)"
            for name, steps in times.items()
            if steps < bar
        ]
        lines.append(
            f"Earlier than that: {', '.join(earlier)}."
            if earlier
            else "No schedule reaches it earlier."
        )
    else:
        lines.append(
            f"The best fixed rate never reaches {target_text} (seed mean) within "
            f"{task.num_steps:,} steps."
        )
        if times:
            reached = [f"{name} at step {steps:,}" for name, steps in times.items()]
            lines.append(f"Reaching it: {', '.join(reached)}.")
    missed = [row.name for row in schedules if row.steps_to_target is None]
    if missed:
        lines.append(
            f"Never reaching it within {task.num_steps:,} steps: {', '.join(missed)}."
        )
    sweep = best.tuning_steps
    scheduled = schedules[0].tuning_steps
    lines.append(
        f"Tuning cost: the sweep took {sweep:,} steps to find its best rate; each "
        f"schedule took {scheduled:,} (a {task.range_test_steps}-step range test "
        f"and one run), {scheduled / sweep:.2f}x the sweep."
    )
    return lines


SMITH_ROWS = (
    ("fixed", "70,000", "81.4"),
    ("triangular2", "25,000", "81.4"),
)


def _machine() -> str:
    """The CPU's model name, its cores, and the library versions."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    cores = cores or os.cpu_count()
    import flax

    flags = os.environ.get("XLA_FLAGS", "").strip()
    return (
        f"{model}, {cores} cores; Python {platform.python_version()}, "
        f"JAX {jax.__version__} ({jax.default_backend().upper()}), "
        f"Optax {optax.__version__}, Flax {flax.__version__}, NumPy {np.__version__}; "
        + (f"``XLA_FLAGS={flags}``" if flags else "``XLA_FLAGS`` unset")
    )


def _fingerprint(results: Sequence[TaskResult]) -> str:
    """The first 16 hex digits of the SHA-256 of every accuracy and bound."""
    digest = hashlib.sha256()
    for result in results:
        digest.update(np.ascontiguousarray(result.accuracy, np.float32).tobytes())
        digest.update(np.asarray(result.bounds, np.float64).tobytes())
    return digest.hexdigest()[:16]


def _cell(text: str) -> str:
    return text if text else "\\-"


def _list_table(
    header: Sequence[str], body: Sequence[Sequence[str]], widths: str
) -> list[str]:
    lines = [".. list-table::", "   :header-rows: 1", f"   :widths: {widths}", ""]
    for cells in [header, *body]:
        for i, cell in enumerate(cells):
            lines.append(f"   {'*' if i == 0 else ' '} - {_cell(cell)}")
    return lines + [""]


def _heading(text: str, underline: str) -> list[str]:
    return [text, underline * len(text), ""]


def _task_section(result: TaskResult, target: float, rows: list[Row]) -> list[str]:
    task = result.task
    test = result.range_test
    base_lr, max_lr = result.bounds
    diverged = (
        f"the loss diverged at rate {float(test.learning_rates[test.diverged_at]):.3g}"
        if test.diverged_at is not None
        else "the loss did not diverge"
    )
    lines = _heading(task.title, "-")
    lines += [
        f"{task.description[0].upper()}{task.description[1:]}. {task.num_steps:,} "
        f"steps of batch {task.batch_size}, test accuracy every {task.eval_every} "
        f"steps, seeds {', '.join(map(str, task.seeds))}, fixed rates "
        f"{', '.join(f'{rate:g}' for rate in task.fixed_rates)}; "
        f"{result.seconds:.0f} s for this section.",
        "",
        f"Range test: {task.range_test_steps} steps from {task.range_test_min_lr:g} "
        f"to {task.range_test_max_lr:g} (exponential), {diverged}; "
        f"``clr_bounds()`` gives base_lr {base_lr:.3g}, max_lr {max_lr:.3g}.",
        "",
    ]
    lines += _sensitivity(result)
    if task.reference:
        lines += [task.reference, ""]
    body = [
        [
            row.name,
            row.settings,
            f"{_percent(row.mean)} ± {_percent(row.std)}"
            + (f" ({row.failed} of {row.runs} failed)" if row.failed else ""),
            f"{row.steps_to_target:,}"
            if row.steps_to_target is not None
            else "not reached",
            f"{row.tuning_steps:,}",
        ]
        for row in rows
    ]
    header = [
        "Policy",
        "Settings",
        "Final test accuracy (%), mean ± std",
        f"Steps to {_percent(target)}%",
        "Tuning cost (steps)",
    ]
    lines += _list_table(header, body, "18 30 18 14 14")
    lines += [f"- {sentence}" for sentence in _findings(result, target, rows)]
    lines += [
        "",
        f".. figure:: results_{task.name}.png",
        f"   :alt: {task.title}: test accuracy against step for each policy, "
        "the learning rates, and the range test",
        "",
        "   Top: test accuracy against step, the mean over seeds with a band of "
        "± one standard deviation; the dotted line is the target. The axis "
        "is cut 10 points under the target or 2 under the lowest final mean, "
        "whichever is lower. Bottom left: "
        "each policy's learning rate. Bottom right: the range test, with the "
        "band between ``clr_bounds()``.",
        "",
    ]
    return lines


def _smith_section(
    summaries: Sequence[tuple[TaskResult, float, list[Row]]],
) -> list[str]:
    lines = _heading("Next to the paper's CIFAR-10 figures", "-")
    lines += [
        "Smith (2017, arXiv:1506.01186, Table 1) trained a CIFAR-10 network "
        "with a fixed rate for 70,000 iterations to 81.4%, and with triangular2 "
        "reached the same 81.4% in 25,000 iterations: 0.36x the steps. The same "
        "yardstick here is the steps each policy takes to reach the best fixed "
        "rate's final accuracy:",
        "",
    ]
    body = [
        ["CIFAR-10 (Smith 2017)", policy, steps, f"{accuracy}"]
        for policy, steps, accuracy in SMITH_ROWS
    ]
    for result, target, rows in summaries:
        by_name = {row.name: row for row in rows}
        for name in ("fixed, best of sweep", "triangular", "triangular2", "one-cycle"):
            row = by_name[name]
            steps = (
                f"{row.steps_to_target:,}"
                if row.steps_to_target is not None
                else f"not within {result.task.num_steps:,}"
            )
            body.append([result.task.title, name, steps, _percent(target)])
    lines += _list_table(
        [
            "Data",
            "Policy",
            "Steps to the fixed rate's final accuracy",
            "That accuracy (%)",
        ],
        body,
        "30 24 28 18",
    )
    for result, _, rows in summaries:
        best, triangular2 = rows[0], next(r for r in rows if r.name == "triangular2")
        if triangular2.steps_to_target is None or best.steps_to_target is None:
            outcome = (
                f"did not reach it within {result.task.num_steps:,} steps"
                if triangular2.steps_to_target is None
                else f"reached it at step {triangular2.steps_to_target:,}"
            )
        else:
            ratio = triangular2.steps_to_target / best.steps_to_target
            outcome = f"took {ratio:.2f}x the best fixed rate's steps (Smith: 0.36x)"
        lines.append(f"- {result.task.title}: triangular2 {outcome}.")
    lines += [
        "",
        "The scale differs: Smith's runs were tens of thousands of iterations "
        "of a CIFAR-10 network; these are hundreds to thousands of steps of "
        "small models on a CPU.",
        "",
    ]
    return lines


def _summary(result: TaskResult, rows: list[Row]) -> str:
    """One sentence per task for the top of the page, from the table's numbers."""
    best, schedules = rows[0], rows[2:]
    groups = {
        verdict: [row.name for row in schedules if _verdict(best, row) == verdict]
        for verdict in ("better than", SAME, "worse than", FAILED)
    }
    words = {
        "better than": "ahead of it",
        SAME: "no clear difference",
        "worse than": "behind it",
        FAILED: "with failed runs",
    }
    parts = [f"{words[v]}: {', '.join(names)}" for v, names in groups.items() if names]
    failed = sum(row.failed for row in schedules)
    runs = sum(row.runs for row in schedules)
    steps = [row.steps_to_target for row in rows if row.steps_to_target is not None]
    first = "nothing reaches it"
    if steps:
        names = [row.name for row in rows if row.steps_to_target == min(steps)]
        first = f"{' and '.join(names)}, at step {min(steps):,}"
    return (
        f"**{result.task.title}**: against the best fixed rate "
        f"({best.settings.removeprefix('rate ')}, {_percent(best.mean)}%, found by "
        f"a sweep of {best.tuning_steps:,} steps), " + "; ".join(parts) + ". "
        f"{failed} of the schedules' {runs} runs failed. First to the target: "
        f"{first}. The schedules "
        f"cost {schedules[0].tuning_steps:,} steps each, range test included."
    )


def _sensitivity(result: TaskResult) -> list[str]:
    """The max_lr of range tests of other lengths and seeds, as a short table."""
    task = result.task
    if not task.range_test_lengths:
        return []
    body = [
        [f"{length:,}"]
        + ["diverged" if np.isnan(rate) else f"{rate:.3g}" for rate in rates]
        for length, rates in zip(task.range_test_lengths, result.max_lrs, strict=True)
    ]
    header = ["Range test steps"] + [f"max_lr, seed {seed}" for seed in task.seeds]
    widths = " ".join(["25"] + [str(75 // len(task.seeds))] * len(task.seeds))
    return [
        "How far max_lr moves with the range test's length and seed (the same "
        "sweep of rates; base_lr is a quarter of it):",
        "",
        *_list_table(header, body, widths),
    ]


def _setup_section(results: Sequence[TaskResult]) -> list[str]:
    fixed = ", ".join(f"{rate:g}" for rate in results[0].task.fixed_rates)
    lines = _heading("How the runs are set up", "-")
    lines += [
        "- Every run: SGD with momentum through "
        "``optax.inject_hyperparams(optax.sgd)``, cross-entropy, no weight decay, "
        "no augmentation; the rate and momentum of each step come from the "
        "policy's schedule. Momentum is 0.9, except that one-cycle cycles it "
        "from 0.95 to 0.85 and back.",
        "- Seeds: seed *s* sets the initial parameters and the order of the "
        "batches (a fresh permutation each epoch), the same for every policy, so "
        "policies differ only in their rates. Mean ± standard deviation are over "
        "seeds (sample standard deviation).",
        f"- Fixed rates: a sweep of {fixed} (MNIST: five of them; a 1-2-5 "
        "grid, finer than the "
        "half-decades first tried, which missed MNIST-1D's best rate, so that "
        "the fixed rate gets a fair chance). Its best rate (highest final "
        "mean) and its median rate each get a row; the median is what one "
        "untuned guess from that range typically gets.",
        "- Range test (``lr_scheduling.range_test.lr_range_test``): "
        f"{results[0].task.range_test_steps} steps (about five epochs: Smith "
        "asks for several), the rate rising exponentially from "
        f"{results[0].task.range_test_min_lr:g} to "
        f"{results[0].task.range_test_max_lr:g}, from seed 0's initial "
        "parameters on seed 0's first batches, with the same SGD and momentum "
        "0.9. Its ``clr_bounds()`` give ``(base_lr, max_lr)``: max_lr where the "
        "loss's running median is lowest, base_lr = max_lr / 4. A first "
        "version of this page used 100 steps (fastai's default length); its "
        "bounds (seed 0's 100-step entries in each section's table) were 1.5 "
        "to 2 times as high; on MNIST-1D, triangular, warmup + cosine and WSD "
        "peaking there ended all three runs at chance, triangular2 one of "
        "three, and one-cycle averaged 51% (checked on 2026-11-29). The "
        "digits and MNIST-1D sections show how far max_lr moves with the "
        "test's length and seed.",
        "- Triangular and triangular2 (``cyclical_schedule``): from base_lr to "
        f"max_lr, step size T/{2 * CYCLES}: {CYCLES} whole cycles, ending at "
        "base_lr. One-cycle (``one_cycle_schedule``, defaults: peak at 30%, "
        "cosine, from max_lr/25 to max_lr/25/1e4), warmup + cosine "
        f"(``optax.warmup_cosine_decay_schedule``, warmup {WARMUP_FRACTION:.0%}, "
        "down to 0) and WSD (``wsd_schedule``, warmup "
        f"{WARMUP_FRACTION:.0%}, 1-sqrt decay over the last "
        f"{WSD_DECAY_FRACTION:.0%}) all peak at max_lr. So every schedule costs "
        "one range test and one run.",
        "- Steps to target: the first measured step at which the test accuracy, "
        "averaged over seeds, reaches the target; the target is the best fixed "
        "rate's final mean accuracy rounded down to 0.1%, the yardstick of "
        "Smith's Table 1.",
        "- Tuning cost: training steps, for one seed, spent to choose a "
        "policy's settings and train it (runs x steps): the whole sweep for "
        "the best fixed rate, one run for the median rate (a guess), the range "
        "test plus one run for each schedule.",
        "- Better or worse: a policy's final mean is called better (worse) than "
        "the best fixed rate's only when it differs by at least two standard "
        "errors of the difference, 2 sqrt((s1² + s2²) / n) for n seeds; "
        "otherwise there is no clear difference. A rough rule, not a test: "
        "three seeds are too few for one.",
        f"- Failed: a run whose final test accuracy is below {_percent(CHANCE)}% "
        "(twice chance): it diverged or never left chance. Failed runs count in "
        "the mean and standard deviation.",
        "",
    ]
    return lines


def _page(
    results: Sequence[TaskResult],
    skipped: Sequence[str],
    wall_seconds: float,
    today: datetime.date,
) -> str:
    summaries = [(result, *summarize(result)) for result in results]
    title = "Results: schedules against fixed rates"
    lines = [
        ".. Generated by ``python -m lr_scheduling.experiments`` (``make results``).",
        "   Do not edit by hand: change src/lr_scheduling/experiments.py and run it.",
        "",
        "=" * len(title),
        title,
        "=" * len(title),
        "",
        "Every number and figure on this page was produced by "
        "``python -m lr_scheduling.experiments`` (also ``make results``), run "
        f"on {today.isoformat()} on {_machine()}. It took {wall_seconds:.0f} s "
        f"of wall time. Fingerprint of all the accuracies: "
        f"``{_fingerprint(results)}``.",
        "",
        "The runs are seeded and XLA's CPU arithmetic is the same from run to "
        "run: running the command again on the same machine, software and "
        "``XLA_FLAGS`` gives the same numbers, figures and fingerprint, bit "
        "for bit (two runs checked when this page was built). Another CPU, "
        "library version or XLA flag changes the rounding, and training "
        "amplifies it. Checked on 2026-11-29: the same command with XLA's "
        "YNNPACK fusions off (``XLA_FLAGS=--xla_cpu_experimental_ynn_fusion_type=``, "
        "the flag measured on the benchmarks page) gave the same range-test "
        "bounds. On digits "
        "every final mean moved by a point or less, but that was enough to "
        "change the best fixed rate (0.2 instead of 0.05) and to put WSD "
        "behind it. On MNIST-1D the schedules that run at the edge of "
        "stability (triangular, triangular2, warmup + cosine, WSD) moved by 5 "
        "to 20 points and other runs diverged, while the fixed rates and "
        "one-cycle moved by under a point. With three seeds, read the close "
        "calls and the unstable rows as fragile.",
        "",
    ]
    lines += _heading("What the numbers say", "-")
    for result, _, rows in summaries:
        lines.append(f"- {_summary(result, rows)}")
    lines += [""]
    lines += _setup_section(results)
    for result, target, rows in summaries:
        lines += _task_section(result, target, rows)
    for name in skipped:
        lines += _heading(name, "-")
        lines += [
            f"Not run: ``${DATA_ENV}`` is not set. Point it at a directory holding "
            "the four MNIST IDX files and run the command again to add this "
            "section.",
            "",
        ]
    lines += _smith_section(summaries)
    return "\n".join(lines).rstrip() + "\n"


def _plot(result: TaskResult, target: float, rows: list[Row], path: Path) -> None:
    """Writes the task's figure: accuracy against step, the rates, the range test."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, 7), layout="constrained")
    grid = figure.add_gridspec(2, 2, height_ratios=(3, 2))
    accuracy_ax = figure.add_subplot(grid[0, :])
    rates_ax = figure.add_subplot(grid[1, 0])
    steps = result.eval_steps
    every_step = np.arange(result.task.num_steps)
    for color, row in enumerate(rows):
        runs = result.accuracy[row.index].astype(np.float64)
        mean = runs.mean(axis=0)
        std = runs.std(axis=0, ddof=1) if len(runs) > 1 else np.zeros_like(mean)
        style = "--" if row.name.startswith("fixed") else "-"
        label = (
            f"{row.name} ({row.settings})" if row.name.startswith("fixed") else row.name
        )
        accuracy_ax.plot(steps, mean, style, color=f"C{color}", label=label)
        accuracy_ax.fill_between(
            steps, mean - std, mean + std, color=f"C{color}", alpha=0.1
        )
        rates_ax.plot(
            every_step,
            result.policies[row.index].learning_rates,
            style,
            color=f"C{color}",
        )
    accuracy_ax.axhline(
        target, color="black", ls=":", lw=1, label=f"target {_percent(target)}%"
    )
    low = min(target - 0.1, min(row.mean for row in rows) - 0.02)
    accuracy_ax.set_ylim(max(0.0, low), min(1.0, max(row.mean for row in rows) + 0.02))
    accuracy_ax.set_xlim(0, result.task.num_steps)
    accuracy_ax.set_xlabel("step")
    accuracy_ax.set_ylabel("test accuracy")
    accuracy_ax.set_title(f"{result.task.title}: {len(result.task.seeds)} seeds")
    accuracy_ax.legend(fontsize="small", loc="lower right", ncols=2)
    accuracy_ax.grid(alpha=0.3)
    rates_ax.set_yscale("log")
    rates_ax.set_xlabel("step")
    rates_ax.set_ylabel("learning rate")
    rates_ax.grid(alpha=0.3)
    range_ax = figure.add_subplot(grid[1, 1])
    plot_range_test(result.range_test, ax=range_ax)
    range_ax.legend(fontsize="x-small")
    range_ax.set_title("range test", fontsize="medium")
    figure.savefig(path, dpi=100, metadata={"Software": None})


def write_results(
    results: Sequence[TaskResult],
    out_dir: str | os.PathLike,
    *,
    skipped: Sequence[str] = (),
    wall_seconds: float = 0.0,
    today: datetime.date | None = None,
) -> list[Path]:
    """Writes ``results.rst`` and one ``results_<task>.png`` per task into ``out_dir``.

    Args:
      results: what :func:`run_task` returned, one per task, in page order.
      out_dir: the directory, created if missing.
      skipped: titles of tasks left out (a section says how to add them).
      wall_seconds: the command's wall time, stated on the page.
      today: the date stated on the page; today's by default.

    Returns:
      The paths written, the page first.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    today = today or datetime.datetime.now(datetime.UTC).date()
    paths = [out / PAGE]
    for result in results:
        target, rows = summarize(result)
        path = out / f"results_{result.task.name}.png"
        _plot(result, target, rows, path)
        paths.append(path)
    paths[0].write_text(_page(results, skipped, wall_seconds, today), encoding="utf-8")
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m lr_scheduling.experiments [--out-dir DIR] [--tasks NAME ...]``.

    Runs the tasks of :func:`default_tasks` (or those named) and writes the
    page and figures into ``DIR`` (``docs`` by default), reporting progress
    on stderr. Returns the exit status, 0.
    """
    parser = argparse.ArgumentParser(
        prog="python -m lr_scheduling.experiments", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--out-dir", default="docs", help="where results.rst goes")
    parser.add_argument("--tasks", nargs="+", help="only these tasks (by name)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    tasks = default_tasks()
    if args.tasks:
        unknown = set(args.tasks) - {task.name for task in tasks}
        if unknown:
            parser.error(
                f"unknown task(s) {sorted(unknown)}; have {[t.name for t in tasks]}"
            )
        tasks = [task for task in tasks if task.name in args.tasks]
    skipped = [] if any(t.name == "mnist" for t in default_tasks()) else ["MNIST"]
    results = []
    for task in tasks:
        print(f"{task.name}: training ...", file=sys.stderr, flush=True)
        results.append(run_task(task))
        print(f"{task.name}: {results[-1].seconds:.1f} s", file=sys.stderr, flush=True)
    paths = write_results(
        results, args.out_dir, skipped=skipped, wall_seconds=time.perf_counter() - start
    )
    print(
        f"wrote {', '.join(map(str, paths))} in {time.perf_counter() - start:.0f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
