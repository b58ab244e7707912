"""Data-parallel training: the same ``train_step`` on a mesh of devices.

The batch is split along its first axis over the ``"data"`` axis of a 1-D
:class:`jax.sharding.Mesh`, and the whole ``TrainState`` (parameters, optimizer
state, step) is replicated on every device. Nothing in
:func:`lr_scheduling.train.train_step` changes: ``jax.jit`` reads the
shardings of its arguments and compiles one SPMD program for all the devices,
with the all-reduce of the gradients inserted by the compiler (JAX,
`Introduction to parallel programming
<https://docs.jax.dev/en/latest/sharded-computation.html>`_, "automatic
parallelism via jit"). No ``pmap``: the arrays are global ``jax.Array`` values
with a :class:`~jax.sharding.NamedSharding`.

The loss is the mean over the global batch, so with equal shards the gradient
is the mean of the per-device gradients, and a step on ``n`` devices computes
what one device computes on the whole batch, up to the order of float sums.

Everything here works on one device too (a mesh of one). On a CPU, simulate
more devices with ``jax.config.update("jax_num_cpu_devices", 8)`` right after
``import jax``, before any JAX computation.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TypeVar

import jax
import numpy as np
from flax.training import train_state
from jax.sharding import Mesh, NamedSharding
from jax.sharding import PartitionSpec as P

from lr_scheduling.data import Dataset
from lr_scheduling.schedules import check_step_count
from lr_scheduling.train import train_step

__all__ = [
    "DATA_AXIS",
    "check_batch_size",
    "data_mesh",
    "replicate",
    "shard_batch",
    "train_epoch",
]

DATA_AXIS = "data"  # the mesh axis that the batch is split over

Tree = TypeVar("Tree")


def data_mesh(devices: Sequence[jax.Device] | None = None) -> Mesh:
    """A 1-D mesh whose single axis, ``"data"``, runs over ``devices``.

    Args:
      devices: the devices to train on, in order; by default all of them,
        ``jax.devices()`` (on several hosts, the devices of every process).

    Returns:
      A :class:`jax.sharding.Mesh` of shape ``{"data": len(devices)}``.

    Raises:
      ValueError: if ``devices`` is empty.

    Example:
      >>> import jax
      >>> mesh = data_mesh()
      >>> mesh.axis_names, mesh.size == jax.device_count()
      (('data',), True)
      >>> data_mesh(jax.devices()[:1]).devices.shape
      (1,)
    """
    devices = jax.devices() if devices is None else list(devices)
    if not devices:
        raise ValueError(f"devices must name at least one device, got {devices!r}")
    return Mesh(np.asarray(devices), (DATA_AXIS,))


def check_batch_size(batch_size: int, device_count: int) -> int:
    """Checks that ``batch_size`` rows split evenly over ``device_count`` devices.

    Every device gets ``batch_size // device_count`` rows; equal shards are
    what make the mean loss over the batch, and so its gradient, the same as on
    one device.

    Args:
      batch_size: the rows in one global batch, an integer >= 1.
      device_count: the devices the batch is split over, an integer >= 1.

    Returns:
      The rows per device, ``batch_size // device_count``.

    Raises:
      ValueError: if either is not a positive integer, or if ``device_count``
        does not divide ``batch_size``; the message names both values.

    Example:
      >>> check_batch_size(64, device_count=8)
      8
      >>> check_batch_size(60, device_count=8)
      Traceback (most recent call last):
      ...
      ValueError: batch size 60 is not divisible by the device count 8 (try 56 or 64)
    """
    batch_size, device_count = check_step_count(
        batch_size=batch_size, device_count=device_count
    )
    if batch_size % device_count:
        below = batch_size // device_count * device_count
        above = below + device_count
        suggestion = f"{below} or {above}" if below else f"{above}"
        raise ValueError(
            f"batch size {batch_size} is not divisible by the device count "
            f"{device_count} (try {suggestion})"
        )
    return batch_size // device_count


def replicate(tree: Tree, mesh: Mesh) -> Tree:
    """Puts a full copy of every array of ``tree`` on every device of ``mesh``.

    ``jax.device_put`` with ``NamedSharding(mesh, PartitionSpec())``. Shapes,
    dtypes and values are unchanged; Python scalars become arrays. An array
    that is already replicated on ``mesh`` is returned as it is, without a copy.

    Args:
      tree: a pytree of arrays, such as a ``TrainState``.
      mesh: the mesh to replicate over, from :func:`data_mesh`.

    Returns:
      The same pytree, each leaf a ``jax.Array`` with that sharding.

    Example:
      >>> import numpy as np
      >>> params = replicate({"w": np.ones((3, 2), np.float32)}, data_mesh())
      >>> tuple(params["w"].sharding.spec), params["w"].is_fully_replicated
      ((), True)
    """
    return jax.device_put(tree, NamedSharding(mesh, P()))


def shard_batch(batch: Dataset, mesh: Mesh) -> dict[str, jax.Array]:
    """Splits every array of ``batch`` along its first axis over ``mesh``.

    The result has the sharding ``NamedSharding(mesh, PartitionSpec("data"))``:
    of ``n`` devices, device ``i`` holds rows ``i * b // n`` to
    ``(i + 1) * b // n`` of the ``b`` rows. Each array is built with
    ``jax.make_array_from_callback``, which copies to each device of this
    process only its own rows. On one host that is ``jax.device_put`` with the
    sharding. On several hosts every process passes the same global batch and
    sends nothing to the others; a process that loads only its own rows uses
    ``jax.make_array_from_process_local_data`` instead (the how-to "Scaling
    out").

    Args:
      batch: a dict of arrays that share their first dimension, ``b`` (such as
        ``{"image": float32 (b, 8, 8, 1), "label": int32 (b,)}``).
      mesh: the mesh to split over, from :func:`data_mesh`.

    Returns:
      A dict with the same keys, each value a global ``jax.Array`` of the same
      shape and dtype, sharded over the ``"data"`` axis.

    Raises:
      ValueError: if the arrays have no first axis or first axes of different
        lengths, or if ``b`` is not divisible by the mesh's device count
        (:func:`check_batch_size`).

    Example:
      >>> import numpy as np
      >>> mesh = data_mesh()
      >>> rows = 4 * mesh.size
      >>> batch = shard_batch({"x": np.zeros((rows, 3), np.float32)}, mesh)
      >>> batch["x"].shape == (rows, 3), tuple(batch["x"].sharding.spec)
      (True, ('data',))
      >>> {shard.data.shape for shard in batch["x"].addressable_shards}
      {(4, 3)}
    """
    sizes = {key: np.shape(value)[:1] for key, value in batch.items()}
    lengths = set(sizes.values())
    if len(lengths) != 1 or () in lengths:
        raise ValueError(
            f"batch arrays must share their first (batch) dimension, got {sizes}"
        )
    (rows,) = lengths.pop()
    check_batch_size(rows, mesh.size)
    sharding = NamedSharding(mesh, P(DATA_AXIS))
    return {
        key: jax.make_array_from_callback(np.shape(value), sharding, value.__getitem__)
        for key, value in batch.items()
    }


def train_epoch(
    state: train_state.TrainState,
    train_ds: Dataset,
    batch_size: int,
    epoch: int,
    rng: jax.Array,
    mesh: Mesh,
) -> tuple[train_state.TrainState, dict[str, np.ndarray]]:
    """:func:`lr_scheduling.train.train_epoch`, each batch split over ``mesh``.

    The same shuffle (``jax.random.permutation(rng, ...)``), the same batches
    and the same jitted :func:`~lr_scheduling.train.train_step`: the state is
    replicated, each batch sharded, and the losses and rates equal those of
    the single-device epoch up to float rounding. ``train_step`` compiles once
    for a mesh, an optimizer and a batch shape, not once per step.

    Args:
      state: the ``TrainState``; replicated over ``mesh`` if it is not yet.
      train_ds: ``{"image": float32 (N, H, W, C), "label": int32 (N,)}``.
      batch_size: global rows per step, divisible by ``mesh.size``; the last
        ``N % batch_size`` shuffled rows are left out, as in ``train_epoch``.
      epoch: the epoch's number, for the log line only.
      rng: the ``jax.random`` key of this epoch's shuffle.
      mesh: a mesh from :func:`data_mesh`.

    Returns:
      The new replicated state, and the history: ``{"loss", "accuracy",
      "learning_rate"}``, float32 NumPy arrays of one value per step.

    Raises:
      ValueError: if ``batch_size`` is not divisible by the device count
        (:func:`check_batch_size`) or ``train_ds`` has fewer rows than it.

    Example:
      >>> import jax
      >>> from lr_scheduling import create_triangular_schedule
      >>> from lr_scheduling.data import load_digits
      >>> from lr_scheduling.train import create_train_state
      >>> train_ds = {k: v[:128] for k, v in load_digits()[0].items()}
      >>> schedule = create_triangular_schedule(0.001, 0.01, steps_per_cycle=4)
      >>> state = create_train_state(jax.random.key(0), (8, 8, 1), schedule)
      >>> mesh = data_mesh()
      >>> state, history = train_epoch(state, train_ds, 32, 1, jax.random.key(1), mesh)
      >>> [round(float(rate), 4) for rate in history["learning_rate"]]
      [0.001, 0.0055, 0.01, 0.0055]
      >>> tuple(state.params["Dense_0"]["kernel"].sharding.spec)
      ()
    """
    check_batch_size(batch_size, mesh.size)
    train_ds_size = len(train_ds["image"])
    steps_per_epoch = train_ds_size // batch_size
    if steps_per_epoch == 0:
        raise ValueError(
            f"train_ds has {train_ds_size} rows, fewer than batch_size {batch_size}"
        )
    # The permutation of train.train_epoch, so that the batches are the same.
    order = jax.random.permutation(rng, train_ds_size)
    perms = np.asarray(order[: steps_per_epoch * batch_size])
    perms = perms.reshape((steps_per_epoch, batch_size))
    state = replicate(state, mesh)
    batch_metrics = []
    for perm in perms:
        batch = shard_batch({k: v[perm, ...] for k, v in train_ds.items()}, mesh)
        state, metrics = train_step(state, batch)
        batch_metrics.append(metrics)

    # The metrics are replicated: every process can read them.
    batch_metrics = jax.device_get(batch_metrics)
    history = {k: np.array([m[k] for m in batch_metrics]) for k in batch_metrics[0]}
    logging.info(
        "train epoch: %d, loss: %.4f, accuracy: %.2f, devices: %d",
        epoch,
        history["loss"].mean(),
        history["accuracy"].mean() * 100,
        mesh.size,
    )
    return state, history
