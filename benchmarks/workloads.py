"""What the benchmarks run: the guide's training step on synthetic batches.

Speed does not depend on what the pixels show, so the training-speed figures
use seeded random 28x28x1 images (MNIST's shape) and random labels; the model,
step and optimizer are the guide's (:mod:`lr_scheduling.train`).
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax.training import train_state

from lr_scheduling import create_triangular_schedule, train

IMAGE_SHAPE = (28, 28, 1)
# The guide's schedule: from 0.01 to 0.1 and back, two cycles per epoch.
SCHEDULE = create_triangular_schedule(lr_min=0.01, lr_max=0.1, steps_per_cycle=22)
# The same step with a fixed rate: the middle of the triangle's range, the
# baseline's rate. One object, so that jax.jit compiles the step for it once.
CONSTANT = optax.constant_schedule(0.05)


def synthetic_batches(
    steps: int, batch_size: int, seed: int = 0, image_shape=IMAGE_SHAPE
) -> dict[str, jax.Array]:
    """``steps`` batches stacked: images float32 (steps, B, 28, 28, 1) in [0, 1),
    labels int32 (steps, B) in [0, 10)."""
    rng = np.random.default_rng(seed)
    images = rng.random((steps, batch_size, *image_shape), dtype=np.float32)
    labels = rng.integers(0, 10, (steps, batch_size), dtype=np.int32)
    return {"image": jnp.asarray(images), "label": jnp.asarray(labels)}


def initial_state(
    schedule=SCHEDULE, image_shape=IMAGE_SHAPE, seed: int = 0
) -> train_state.TrainState:
    """The guide's initial state: its CNN, SGD with momentum 0.9."""
    return train.create_train_state(
        jax.random.key(seed), image_shape, schedule, momentum=0.9
    )


def cast_params(state: train_state.TrainState, dtype) -> train_state.TrainState:
    """The state with its parameters (and a fresh optimizer state) in ``dtype``."""
    params = jax.tree.map(lambda p: p.astype(dtype), state.params)
    return train_state.TrainState.create(
        apply_fn=state.apply_fn, params=params, tx=state.tx
    )


def step_flops(state, batch, schedule=SCHEDULE) -> float:
    """Floating-point operations of one training step, as XLA counts them.

    ``cost_analysis`` of the compiled step: a convolution or dot counts two
    per multiply-add, elementwise operations one per element.
    """
    compiled = train.train_step.lower(state, batch, schedule).compile()
    analysis = compiled.cost_analysis()
    if isinstance(analysis, list):  # older JAX: one dict per program
        analysis = analysis[0]
    if not analysis or "flops" not in analysis:
        raise RuntimeError("XLA gave no cost analysis for the training step")
    return float(analysis["flops"])


def python_loop_epoch(state, batches, schedule=SCHEDULE):
    """The guide's loop: one jitted step per batch, dispatched from Python."""
    metrics = []
    for batch in batches:
        state, step_metrics = train.train_step(state, batch, schedule)
        metrics.append(step_metrics)
    return state, metrics


@functools.partial(jax.jit, static_argnames="schedule")
def scan_epoch(state, stacked_batches, schedule=SCHEDULE):
    """The same steps fused into one program by ``lax.scan``."""

    def body(state, batch):
        return train.train_step(state, batch, schedule)

    return jax.lax.scan(body, state, stacked_batches)


def unstack(stacked: dict[str, jax.Array]) -> list[dict[str, jax.Array]]:
    """Stacked batches as a list of batches, sliced once, before any timing."""
    count = len(stacked["label"])
    return [{k: v[i] for k, v in stacked.items()} for i in range(count)]
