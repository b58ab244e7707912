"""Data-parallel training on 8 simulated CPU devices equals one device.

JAX fixes its device count when the backend starts, and pytest's process has
started it with one CPU device. The 8-device measurements therefore run once,
in a child process started with ``XLA_FLAGS=--xla_force_host_platform_device_count=8``:
this file run as a script (``measure``) prints them as JSON, and the tests
below assert on them. The same script, run as two processes of 4 CPU devices
joined by ``jax.distributed.initialize`` (``worker``), checks the multi-host
path: one global mesh, each process feeding its own devices. The rest runs
here, on one device.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import jax
import numpy as np
import pytest

from lr_scheduling import create_triangular_schedule, parallel, train
from lr_scheduling.data import load_digits

DEVICES = 8
STEPS = 5
BATCH = 64
PROCESSES = 2  # in the multi-process check, each with DEVICES // PROCESSES
EPOCH_ROWS = 512  # the rows of the epochs compared with train.train_epoch


def measure() -> dict:
    """Trains on one device and on all devices; returns what the tests check."""
    from jax.sharding import PartitionSpec as P

    train_ds, _ = load_digits()
    schedule = create_triangular_schedule(0.001, 0.01, steps_per_cycle=4)
    single = train.create_train_state(jax.random.key(0), (8, 8, 1), schedule)
    mesh = parallel.data_mesh()
    sharded = parallel.replicate(single, mesh)
    result: dict = {"device_count": jax.device_count(), "mesh_size": mesh.size}
    batches = [
        {k: v[step * BATCH : (step + 1) * BATCH] for k, v in train_ds.items()}
        for step in range(STEPS)
    ]
    placed = parallel.shard_batch(batches[0], mesh)["image"]
    result["batch_spec"] = str(placed.sharding.spec)
    result["batch_shards"] = [
        [shard.device.id, *shard.data.shape, shard.index[0].start]
        for shard in placed.addressable_shards
    ]
    result["shards_hold_their_rows"] = all(
        np.array_equal(shard.data, batches[0]["image"][shard.index])
        for shard in placed.addressable_shards
    )
    # The sharded steps run first, alone, so that the jit cache sizes recorded
    # around them count their compilations only.
    result["cache"] = [train.train_step._cache_size()]
    result["sharded"] = []
    for batch in batches:
        sharded, sharded_metrics = train.train_step(
            sharded, parallel.shard_batch(batch, mesh)
        )
        result["cache"].append(train.train_step._cache_size())
        result["sharded"].append(rate_and_loss(sharded_metrics))
    result["single"] = []
    for batch in batches:
        single, metrics = train.train_step(single, batch)
        result["single"].append(rate_and_loss(metrics))
    result["metrics_replicated"] = all(
        m.sharding.spec == P() and m.sharding.mesh.size == DEVICES
        for m in jax.tree.leaves(sharded_metrics)
    )
    result["param_diff"] = max(
        float(np.max(np.abs(a - np.asarray(b))))
        for a, b in zip(
            jax.tree.leaves(single.params), jax.tree.leaves(sharded.params), strict=True
        )
    )
    result["state"] = [replication(leaf) for leaf in jax.tree.leaves(sharded)]
    result["errors"] = [
        error_of(
            lambda: parallel.shard_batch({k: v[:60] for k, v in train_ds.items()}, mesh)
        ),
        error_of(
            lambda: parallel.train_epoch(
                single, train_ds, 60, 0, jax.random.key(0), mesh
            )
        ),
    ]
    result["epoch"] = epochs(train_ds, schedule, mesh)
    return result


def rate_and_loss(metrics: dict) -> list[float]:
    return [float(metrics["loss"]), float(metrics["learning_rate"])]


def replication(leaf: jax.Array) -> dict:
    """How one leaf of the state is laid out: full, equal copies on each device?"""
    shards = leaf.addressable_shards
    return {
        "spec": list(leaf.sharding.spec),  # jax <= 0.9.0 prints P() as PartitionSpec()
        "devices": sorted(shard.device.id for shard in shards),
        "full_copies": all(shard.data.shape == leaf.shape for shard in shards),
        "equal": all(np.array_equal(shard.data, shards[0].data) for shard in shards),
    }


def error_of(call) -> str:
    try:
        call()
    except ValueError as error:
        return str(error)
    return "no error"


def epochs(train_ds, schedule, mesh) -> dict:
    """One epoch of ``train.train_epoch`` and one of ``parallel.train_epoch``."""
    subset = {k: v[:EPOCH_ROWS] for k, v in train_ds.items()}
    histories = {}
    for name, epoch in [
        ("single", train.train_epoch),
        ("sharded", lambda *args: parallel.train_epoch(*args, mesh)),
    ]:
        state = train.create_train_state(jax.random.key(3), (8, 8, 1), schedule)
        _, history = epoch(state, subset, BATCH, 1, jax.random.key(4))
        histories[name] = {k: v.tolist() for k, v in history.items()}
    return histories


def worker(process_id: int, port: int) -> dict:
    """One of PROCESSES processes: a parallel epoch over the global mesh.

    Every process holds the whole dataset and passes the same global batches to
    ``parallel.train_epoch``; ``shard_batch`` puts on this process's devices
    only their rows. It also builds one batch from only this process's rows
    with ``jax.make_array_from_process_local_data``, as the how-to shows.
    """
    from jax.sharding import NamedSharding
    from jax.sharding import PartitionSpec as P

    jax.config.update("jax_num_cpu_devices", DEVICES // PROCESSES)
    jax.config.update("jax_cpu_collectives_implementation", "gloo")
    jax.distributed.initialize(
        f"localhost:{port}",
        num_processes=PROCESSES,
        process_id=process_id,
        initialization_timeout=120,
    )
    mesh = parallel.data_mesh()
    train_ds = {k: v[:EPOCH_ROWS] for k, v in load_digits()[0].items()}
    schedule = create_triangular_schedule(0.001, 0.01, steps_per_cycle=4)
    state = train.create_train_state(jax.random.key(3), (8, 8, 1), schedule)
    state, history = parallel.train_epoch(
        state, train_ds, BATCH, 1, jax.random.key(4), mesh
    )
    batch = {k: v[:BATCH] for k, v in train_ds.items()}
    mine = np.array_split(np.arange(BATCH), jax.process_count())[jax.process_index()]
    local = jax.make_array_from_process_local_data(
        NamedSharding(mesh, P("data")), {k: v[mine] for k, v in batch.items()}
    )
    shards = parallel.shard_batch(batch, mesh)["image"].addressable_shards
    return {
        "process": [jax.process_index(), jax.process_count()],
        "devices": [jax.device_count(), jax.local_device_count(), mesh.size],
        "history": {k: v.tolist() for k, v in history.items()},
        "state_replicated": all(
            leaf.sharding.spec == P() and leaf.sharding.mesh.size == DEVICES
            for leaf in jax.tree.leaves(state)
        ),
        "local_batch_shape": list(local["image"].shape),
        "local_equals_shard_batch": all(
            np.array_equal(a.data, b.data) and a.device == b.device
            for a, b in zip(local["image"].addressable_shards, shards, strict=True)
        ),
    }


@pytest.fixture(scope="module")
def eight():
    """``measure()`` in a fresh process with 8 simulated CPU devices."""
    env = dict(os.environ, JAX_PLATFORMS="cpu")
    flag = f"--xla_force_host_platform_device_count={DEVICES}"
    env["XLA_FLAGS"] = f"{env.get('XLA_FLAGS', '')} {flag}".strip()
    done = subprocess.run(
        [sys.executable, __file__],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])


def test_child_has_eight_devices_in_its_mesh(eight):
    assert eight["device_count"] == DEVICES
    assert eight["mesh_size"] == DEVICES


def test_losses_and_rates_equal_single_device(eight):
    single, sharded = np.array(eight["single"]), np.array(eight["sharded"])
    assert single.shape == sharded.shape == (STEPS, 2)
    np.testing.assert_allclose(sharded, single, rtol=0, atol=1e-5)
    schedule = create_triangular_schedule(0.001, 0.01, steps_per_cycle=4)
    rates = [float(schedule(step)) for step in range(STEPS)]
    np.testing.assert_allclose(sharded[:, 1], rates, rtol=1e-6)
    assert sharded[-1, 0] < sharded[0, 0]  # it does learn


def test_params_equal_single_device(eight):
    # AdamW divides by the root of the second moment, so gradients that
    # differ only in the order of float sums can move a weight by more than
    # SGD would; 1e-4 is a tenth of one update at the rate 1e-3.
    assert eight["param_diff"] < 1e-4


def test_batch_is_split_over_eight_devices(eight):
    assert eight["batch_spec"] == str(jax.sharding.PartitionSpec("data"))
    rows = BATCH // DEVICES
    shards = sorted(eight["batch_shards"])
    # device, shape of its shard, first row: device i holds rows 8i to 8i + 7
    assert shards == [[i, rows, 8, 8, 1, i * rows] for i in range(DEVICES)]
    assert eight["shards_hold_their_rows"]


def test_state_is_replicated_on_every_device(eight):
    state = eight["state"]
    assert len(state) == len(jax.tree.leaves(train_state_example()))
    for leaf in state:
        assert leaf == {
            "spec": [],
            "devices": list(range(DEVICES)),
            "full_copies": True,
            "equal": True,
        }
    assert eight["metrics_replicated"]


def train_state_example():
    schedule = create_triangular_schedule(0.001, 0.01, steps_per_cycle=4)
    state = train.create_train_state(jax.random.key(0), (8, 8, 1), schedule)
    return parallel.replicate(state, parallel.data_mesh())


def test_sharded_step_compiles_once(eight):
    # The jit cache size before the first sharded step and after each one.
    cache = eight["cache"]
    assert cache == [cache[0]] + [cache[0] + 1] * STEPS, cache


def test_indivisible_batch_names_batch_size_and_device_count(eight):
    message = "batch size 60 is not divisible by the device count 8"
    assert all(error.startswith(message) for error in eight["errors"]), eight["errors"]


def test_epoch_equals_single_device_epoch(eight):
    single, sharded = eight["epoch"]["single"], eight["epoch"]["sharded"]
    assert len(sharded["loss"]) == EPOCH_ROWS // BATCH
    for key in ("loss", "learning_rate", "accuracy"):
        np.testing.assert_allclose(sharded[key], single[key], rtol=0, atol=1e-5)


@pytest.mark.parametrize(
    ("batch_size", "device_count", "message"),
    [
        (60, 8, "batch size 60 is not divisible by the device count 8 (try 56 or 64)"),
        (4, 8, "batch size 4 is not divisible by the device count 8 (try 8)"),
        (66, 4, "batch size 66 is not divisible by the device count 4 (try 64 or 68)"),
        (0, 8, "batch_size must be a positive integer, got 0"),
        (64, 0, "device_count must be a positive integer, got 0"),
        (64.0, 8, "batch_size must be a positive integer, got 64.0"),
    ],
)
def test_check_batch_size_rejects(batch_size, device_count, message):
    with pytest.raises(ValueError) as raised:
        parallel.check_batch_size(batch_size, device_count)
    assert str(raised.value) == message


@pytest.mark.parametrize(("batch_size", "device_count"), [(64, 8), (64, 1), (8, 8)])
def test_check_batch_size_gives_rows_per_device(batch_size, device_count):
    assert (
        parallel.check_batch_size(batch_size, device_count)
        == batch_size // device_count
    )


def test_data_mesh_runs_over_the_devices_given():
    mesh = parallel.data_mesh()
    assert mesh.axis_names == ("data",)
    assert list(mesh.devices) == jax.devices()
    assert list(parallel.data_mesh(jax.devices()[:1]).devices) == jax.devices()[:1]
    with pytest.raises(
        ValueError, match=r"devices must name at least one device, got \[\]"
    ):
        parallel.data_mesh([])


def test_shard_batch_rejects_arrays_of_different_lengths():
    mesh = parallel.data_mesh()
    batch = {
        "image": np.zeros((4, 8, 8, 1), np.float32),
        "label": np.zeros(3, np.int32),
    }
    with pytest.raises(
        ValueError,
        match=r"share their first .* got \{'image': \(4,\), 'label': \(3,\)\}",
    ):
        parallel.shard_batch(batch, mesh)
    with pytest.raises(ValueError, match="share their first"):
        parallel.shard_batch({"x": np.float32(1.0)}, mesh)


def test_one_device_epoch_equals_train_epoch():
    """On a mesh of one device, ``parallel.train_epoch`` is ``train.train_epoch``."""
    train_ds = {k: v[:128] for k, v in load_digits()[0].items()}
    schedule = create_triangular_schedule(0.001, 0.01, steps_per_cycle=4)
    mesh = parallel.data_mesh(jax.devices()[:1])
    histories = []
    for run in (train.train_epoch, lambda *a: parallel.train_epoch(*a, mesh)):
        state = train.create_train_state(jax.random.key(5), (8, 8, 1), schedule)
        histories.append(run(state, train_ds, 32, 1, jax.random.key(6))[1])
    for key in ("loss", "learning_rate", "accuracy"):
        np.testing.assert_allclose(
            histories[1][key], histories[0][key], rtol=0, atol=1e-6
        )


def test_epoch_rejects_a_batch_larger_than_the_data():
    train_ds = {k: v[:16] for k, v in load_digits()[0].items()}
    schedule = create_triangular_schedule(0.001, 0.01, steps_per_cycle=4)
    state = train.create_train_state(jax.random.key(0), (8, 8, 1), schedule)
    with pytest.raises(
        ValueError, match="train_ds has 16 rows, fewer than batch_size 32"
    ):
        parallel.train_epoch(
            state, train_ds, 32, 0, jax.random.key(0), parallel.data_mesh()
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("localhost", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def processes():
    """``worker`` in PROCESSES fresh processes that form one JAX cluster."""
    env = dict(os.environ, JAX_PLATFORMS="cpu")
    port = free_port()
    running = [
        subprocess.Popen(
            [sys.executable, __file__, "worker", str(process_id), str(port)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for process_id in range(PROCESSES)
    ]
    results = []
    try:
        for process in running:
            stdout, stderr = process.communicate(timeout=600)
            assert process.returncode == 0, stderr[-3000:]
            results.append(json.loads(stdout.splitlines()[-1]))
    finally:
        for process in running:
            if process.poll() is None:
                process.kill()
    return results


def test_processes_share_one_global_mesh(processes):
    assert [p["process"] for p in processes] == [
        [i, PROCESSES] for i in range(PROCESSES)
    ]
    local = DEVICES // PROCESSES
    assert all(p["devices"] == [DEVICES, local, DEVICES] for p in processes)
    assert all(p["state_replicated"] for p in processes)


def test_multi_process_epoch_equals_single_device_epoch(processes):
    train_ds = {k: v[:EPOCH_ROWS] for k, v in load_digits()[0].items()}
    schedule = create_triangular_schedule(0.001, 0.01, steps_per_cycle=4)
    state = train.create_train_state(jax.random.key(3), (8, 8, 1), schedule)
    _, single = train.train_epoch(state, train_ds, BATCH, 1, jax.random.key(4))
    for process in processes:
        history = process["history"]
        assert len(history["loss"]) == EPOCH_ROWS // BATCH
        for key in ("loss", "learning_rate", "accuracy"):
            np.testing.assert_allclose(history[key], single[key], rtol=0, atol=1e-5)


def test_process_local_rows_make_the_same_global_batch(processes):
    for process in processes:
        assert process["local_batch_shape"] == [BATCH, 8, 8, 1]
        assert process["local_equals_shard_batch"]


if __name__ == "__main__":
    if sys.argv[1:2] == ["worker"]:
        print(json.dumps(worker(int(sys.argv[2]), int(sys.argv[3]))))
    else:
        print(json.dumps(measure()))
