"""The training engine: every seed of one policy in one compiled, vmapped scan.

A run is SGD with momentum (image tasks) or AdamW (the language model),
fed the learning rate and momentum (Adam's ``b1``) of each step from tables
that the policy's schedule fills in advance, so that one compiled program
serves every policy of a task. The seeds of a policy run together under
``jax.vmap``: seed ``s`` fixes the initial parameters and the order of the
batches, alike for every policy (common random numbers). Every
``eval_every`` steps the run measures its metric on the validation and the
test split.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from typing import Any

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import optax

from lr_scheduling.range_test import RangeTestResult, lr_range_test

__all__ = [
    "Classifier",
    "Curves",
    "LanguageModel",
    "Objective",
    "make_batches",
    "range_test",
    "train_policy",
]

EVAL_CHUNK = 500  # examples (or windows) per evaluation batch, to bound memory
CLIP_NORM = 1.0  # the language model's gradient clipping, as nanoGPT's


@dataclasses.dataclass(frozen=True)
class Classifier:
    """Images to 10 classes: cross-entropy loss, accuracy (higher is better).

    A value (equal modules compare equal), so a jitted run compiles once per
    model. Data: ``{"image": float32 (N, ...), "label": int32 (N,)}``.
    """

    model: nn.Module
    metric: str = "accuracy"
    higher_is_better: bool = True

    def examples(self, data: dict[str, Any]) -> int:
        return len(data["label"])

    def batch(self, data: dict[str, Any], index: jax.Array) -> dict[str, jax.Array]:
        return {"image": data["image"][index], "label": data["label"][index]}

    def loss(self, params: Any, batch: dict[str, jax.Array]) -> jax.Array:
        logits = self.model.apply({"params": params}, batch["image"])
        return optax.softmax_cross_entropy_with_integer_labels(
            logits, batch["label"]
        ).mean()

    def eval_items(self, data: dict[str, Any]) -> dict[str, np.ndarray]:
        return {"image": data["image"], "label": data["label"]}

    def score(self, params: Any, items: dict[str, jax.Array]) -> jax.Array:
        """Correct answers per item (1 or 0)."""
        logits = self.model.apply({"params": params}, items["image"])
        hits = jnp.argmax(jnp.asarray(logits), -1) == items["label"]
        return hits.astype(jnp.float32)

    def init(self, data: dict[str, Any], seed: int) -> Any:
        example = jnp.asarray(data["image"][:1])
        return self.model.init(jax.random.key(seed), example)["params"]


@dataclasses.dataclass(frozen=True)
class LanguageModel:
    """Next-byte prediction: cross-entropy in nats, bits per byte (lower is better).

    Data: ``{"tokens": uint8 (N,)}``, one text. A training example is a
    window of ``context + 1`` bytes starting at a drawn offset; evaluation
    uses the split's consecutive windows (at most ``eval_windows``).
    """

    model: nn.Module
    context: int
    eval_windows: int = 256
    metric: str = "bpc"
    higher_is_better: bool = False

    def examples(self, data: dict[str, Any]) -> int:
        return len(data["tokens"]) - self.context - 1

    def _windows(self, tokens: Any, starts: jax.Array) -> jax.Array:
        offsets = jnp.arange(self.context + 1)
        return jnp.asarray(tokens)[starts[..., None] + offsets].astype(jnp.int32)

    def batch(self, data: dict[str, Any], index: jax.Array) -> dict[str, jax.Array]:
        return {"window": self._windows(data["tokens"], index)}

    def loss(self, params: Any, batch: dict[str, jax.Array]) -> jax.Array:
        window = batch["window"]
        logits = self.model.apply({"params": params}, window[:, :-1])
        return optax.softmax_cross_entropy_with_integer_labels(
            logits, window[:, 1:]
        ).mean()

    def eval_items(self, data: dict[str, Any]) -> dict[str, np.ndarray]:
        count = min(self.eval_windows, (len(data["tokens"]) - 1) // self.context)
        starts = np.arange(count) * self.context
        return {
            "window": np.asarray(self._windows(data["tokens"], jnp.asarray(starts)))
        }

    def score(self, params: Any, items: dict[str, jax.Array]) -> jax.Array:
        """Bits per byte of each window (mean over its ``context`` predictions)."""
        window = items["window"]
        logits = self.model.apply({"params": params}, window[:, :-1])
        nats = optax.softmax_cross_entropy_with_integer_labels(logits, window[:, 1:])
        return nats.mean(-1) / jnp.log(2.0)

    def init(self, data: dict[str, Any], seed: int) -> Any:
        example = jnp.zeros((1, self.context), jnp.int32)
        return self.model.init(jax.random.key(seed), example)["params"]


Objective = Classifier | LanguageModel


def make_batches(
    num_examples: int, batch_size: int, num_steps: int, seed: int
) -> np.ndarray:
    """The example indices of every step: epochs of seeded permutations.

    Each epoch is a fresh permutation of ``range(num_examples)`` from
    ``numpy.random.default_rng(seed)``, cut into ``num_examples //
    batch_size`` batches (the rest of the epoch is dropped); epochs follow
    each other until ``num_steps`` batches are drawn. For the language model
    an "example" is a window's start offset.

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


def _chunks(items: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Items as equal chunks, padded, with a weight of 0 on the padding."""
    count = len(next(iter(items.values())))
    chunk = min(EVAL_CHUNK, count)
    padded = -(-count // chunk) * chunk

    def split(array: np.ndarray) -> np.ndarray:
        array = np.pad(array, [(0, padded - count)] + [(0, 0)] * (array.ndim - 1))
        return array.reshape(padded // chunk, chunk, *array.shape[1:])

    weight = np.ones(count, np.float32)
    return {key: split(value) for key, value in items.items()} | {
        "weight": split(weight)
    }


def optimizer(name: str) -> optax.GradientTransformation:
    """The task's optimizer with injectable ``learning_rate`` and momentum.

    ``"sgd"``: SGD with (heavy-ball) momentum; ``"adamw"``: AdamW with
    ``b2 = 0.99`` and weight decay 0.1 (decoupled, scaled by the rate).
    """
    if name == "sgd":
        return optax.inject_hyperparams(optax.sgd)(learning_rate=0.0, momentum=0.9)
    if name == "adamw":
        return optax.inject_hyperparams(optax.adamw)(
            learning_rate=0.0, b1=0.9, b2=0.99, weight_decay=0.1
        )
    raise ValueError(f"optimizer must be 'sgd' or 'adamw', got {name!r}")


_MOMENTUM_NAME = {"sgd": "momentum", "adamw": "b1"}


def _one_run(
    params: Any,
    batches: jax.Array,
    learning_rates: jax.Array,
    momenta: jax.Array,
    train: Any,
    evals: tuple[Any, Any],
    objective: Objective,
    optimizer_name: str,
    eval_every: int,
) -> tuple[jax.Array, jax.Array, jax.Array]:
    """One seed: (train loss, validation metric, test metric) per evaluation."""
    tx = optimizer(optimizer_name)
    grad_fn = jax.value_and_grad(objective.loss)
    clip = optimizer_name == "adamw"

    def step(carry, inputs):
        params, opt_state = carry
        index, learning_rate, momentum = inputs
        loss, grads = grad_fn(params, objective.batch(train, index))
        if clip:
            grads, _ = optax.clip_by_global_norm(CLIP_NORM).update(grads, None)
        opt_state.hyperparams["learning_rate"] = learning_rate
        opt_state.hyperparams[_MOMENTUM_NAME[optimizer_name]] = momentum
        updates, opt_state = tx.update(grads, opt_state, params)
        return (optax.apply_updates(params, updates), opt_state), loss

    def metric(params, chunks):
        def chunk_sum(chunk):
            return jnp.sum(objective.score(params, chunk) * chunk["weight"])

        return jnp.sum(jax.lax.map(chunk_sum, chunks)) / jnp.sum(chunks["weight"])

    def train_then_evaluate(carry, inputs):
        carry, losses = jax.lax.scan(step, carry, inputs)
        return carry, (
            losses.mean(),
            metric(carry[0], evals[0]),
            metric(carry[0], evals[1]),
        )

    chunks = jax.tree.map(
        lambda a: a.reshape(-1, eval_every, *a.shape[1:]),
        (batches, learning_rates, momenta),
    )
    _, curves = jax.lax.scan(train_then_evaluate, (params, tx.init(params)), chunks)
    return curves


@functools.partial(
    jax.jit, static_argnames=("objective", "optimizer_name", "eval_every")
)
def _seeds_run(params, batches, learning_rates, momenta, train, evals, **static):
    def run(*args: Any) -> tuple[jax.Array, jax.Array, jax.Array]:
        return _one_run(*args, **static)

    return jax.vmap(run, in_axes=(0, 0, None, None, None, None))(
        params, batches, learning_rates, momenta, train, evals
    )


@dataclasses.dataclass(frozen=True, eq=False)
class Curves:
    """What the runs of one policy measured, one row per seed.

    Attributes:
      loss: float32 ``(seeds, E)``, the mean training loss of each stretch
        of ``eval_every`` steps (``E = T // eval_every``).
      val, test: float32 ``(seeds, E)``, the metric on the validation and
        test splits after ``eval_every``, ``2 * eval_every``, ..., ``T`` steps.
    """

    loss: np.ndarray
    val: np.ndarray
    test: np.ndarray


def train_policy(
    objective: Objective,
    optimizer_name: str,
    splits: dict[str, dict[str, Any]],
    learning_rates: np.ndarray,
    momenta: np.ndarray,
    seeds: Sequence[int],
    batch_size: int,
    eval_every: int,
) -> Curves:
    """Trains one policy with every seed at once (``jax.vmap`` over seeds).

    Seed ``s`` sets the initial parameters (``objective.init``, from
    ``jax.random.key(s)``) and the batches (:func:`make_batches` with seed
    ``s``), alike for every policy. The tables are data, not constants, so
    every policy of a task reuses one compiled program.

    Args:
      objective: a :class:`Classifier` or :class:`LanguageModel`.
      optimizer_name: ``"sgd"`` or ``"adamw"`` (:func:`optimizer`).
      splits: ``{"train", "val", "test"}`` data dicts.
      learning_rates, momenta: float32 ``(T,)``, the rate and momentum (Adam's
        ``b1``) of each update; ``T`` a multiple of ``eval_every``.
      seeds: integers, one run each.
      batch_size: examples per step.
      eval_every: steps between two measurements.

    Returns:
      :class:`Curves`.
    """
    num_steps = len(learning_rates)
    if num_steps % eval_every:
        raise ValueError(
            f"the tables' length {num_steps} must be a multiple of "
            f"eval_every={eval_every}"
        )
    train = jax.tree.map(jnp.asarray, splits["train"])
    evals = tuple(
        jax.tree.map(jnp.asarray, _chunks(objective.eval_items(splits[name])))
        for name in ("val", "test")
    )
    params = [objective.init(splits["train"], seed) for seed in seeds]
    count = objective.examples(splits["train"])
    batches = [make_batches(count, batch_size, num_steps, seed) for seed in seeds]
    loss, val, test = _seeds_run(
        jax.tree.map(lambda *leaves: jnp.stack(leaves), *params),
        jnp.asarray(np.stack(batches)),
        jnp.asarray(learning_rates, jnp.float32),
        jnp.asarray(momenta, jnp.float32),
        train,
        evals,
        objective=objective,
        optimizer_name=optimizer_name,
        eval_every=eval_every,
    )
    return Curves(*(np.asarray(a, np.float32) for a in (loss, val, test)))


def range_test(
    objective: Objective,
    optimizer_name: str,
    train: dict[str, Any],
    *,
    num_steps: int,
    batch_size: int,
    seed: int,
    min_lr: float,
    max_lr: float,
) -> RangeTestResult:
    """Smith's range test from ``seed``'s initial parameters and first batches.

    The task's own optimizer (momentum 0.9, or AdamW's defaults above), the
    rate rising exponentially from ``min_lr`` to ``max_lr`` over
    ``num_steps`` steps (:func:`lr_scheduling.range_test.lr_range_test`).
    """
    indices = make_batches(objective.examples(train), batch_size, num_steps, seed)
    data = jax.tree.map(jnp.asarray, train)
    batches = jax.vmap(lambda index: objective.batch(data, index))(jnp.asarray(indices))
    return lr_range_test(
        objective.loss,
        objective.init(train, seed),
        batches,
        min_lr=min_lr,
        max_lr=max_lr,
        optimizer=_RANGE_OPTIMIZERS[optimizer_name],
        progress=False,
    )


# One object per optimizer, so that the range test's jit cache sees the same one.
_RANGE_OPTIMIZERS = {
    "sgd": functools.partial(optax.sgd, momentum=0.9),
    "adamw": functools.partial(optax.adamw, b1=0.9, b2=0.99, weight_decay=0.1),
}
