"""A worker process that measures on request: ``python -m benchmarks.worker``.

XLA reads ``XLA_FLAGS`` when its backend starts, so two settings can only be
compared in two processes. The parent (:mod:`benchmarks.throughput`) starts
one worker per setting and asks each in turn, so that both see the same
moments of the machine's load. Requests and replies are JSON lines: a request
``{"command": NAME, "args": {...}}`` on stdin, a reply ``{"result": ...}`` or
``{"error": TRACEBACK}`` on stdout. Anything else the worker's libraries print
goes to stderr.
"""

from __future__ import annotations

import collections
import glob
import json
import math
import os
import re
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from benchmarks import workloads
from benchmarks.timing import seconds_per_call
from lr_scheduling import train

COMMANDS: dict[str, Callable[..., Any]] = {}
_held: dict[str, Any] = {}  # what a setup command made, by name


def command(fn: Callable[..., Any]) -> Callable[..., Any]:
    COMMANDS[fn.__name__] = fn
    return fn


@command
def train_setup(
    name: str, batch_size: int, image_size: int = 28, dtype: str = "float32"
) -> dict[str, float]:
    """Holds the guide's state and one synthetic batch; compiles the step.

    ``dtype="bfloat16"`` casts the parameters and images (the same step,
    computing in bfloat16; the rate stays float32).
    """
    image_shape = (image_size, image_size, 1)
    state = workloads.initial_state(image_shape=image_shape)
    batch = workloads.synthetic_batches(1, batch_size, image_shape=image_shape)
    batch = {k: v[0] for k, v in batch.items()}
    if dtype != "float32":
        state = workloads.cast_params(state, dtype)
        batch["image"] = batch["image"].astype(dtype)
    start = time.perf_counter()
    flops = workloads.step_flops(state, batch)
    compile_seconds = time.perf_counter() - start
    state, _ = train.train_step(state, batch, workloads.SCHEDULE)  # warm up
    jax.block_until_ready(state)
    _held[name] = [state, batch]
    return {"flops": flops, "compile_seconds": compile_seconds}


@command
def train_time(name: str, steps: int) -> float:
    """Seconds per step over ``steps`` steps of the held state and batch."""
    held = _held[name]

    def step():
        held[0], metrics = train.train_step(held[0], held[1], workloads.SCHEDULE)
        return held[0], metrics

    return seconds_per_call(step, steps)


@command
def loss_curve(steps: int, batch_size: int) -> list[float]:
    """The loss at every step of a fresh run on seeded synthetic batches."""
    state = workloads.initial_state()
    batches = workloads.unstack(workloads.synthetic_batches(steps, batch_size, 1))
    _, metrics = workloads.python_loop_epoch(state, batches)
    return [float(m["loss"]) for m in jax.device_get(metrics)]


@command
def matmul_setup(size: int) -> None:
    """Holds a float32 ``size`` x ``size`` matmul, compiled and run once."""
    a = jax.random.normal(jax.random.key(0), (size, size), jnp.float32)
    b = jax.random.normal(jax.random.key(1), (size, size), jnp.float32)
    product = jax.jit(jnp.matmul)
    jax.block_until_ready(product(a, b))
    _held["matmul"] = (product, a, b)


@command
def matmul_time(calls: int) -> float:
    product, a, b = _held["matmul"]
    return seconds_per_call(lambda: product(a, b), calls)


@command
def scan_setup(steps: int, batch_size: int) -> None:
    """Holds one epoch of batches, as a list and stacked; compiles both ways."""
    stacked = workloads.synthetic_batches(steps, batch_size, seed=2)
    batches = workloads.unstack(stacked)
    state = workloads.initial_state()
    jax.block_until_ready(workloads.scan_epoch(state, stacked))
    jax.block_until_ready(workloads.python_loop_epoch(state, batches))
    _held["epoch"] = (state, stacked, batches)


@command
def scan_time() -> float:
    state, stacked, _ = _held["epoch"]
    return seconds_per_call(lambda: workloads.scan_epoch(state, stacked), 1)


@command
def loop_time() -> float:
    state, _, batches = _held["epoch"]
    return seconds_per_call(lambda: workloads.python_loop_epoch(state, batches), 1)


@command
def scan_matches_loop() -> float:
    """The largest difference between the two epochs' final parameters."""
    state, stacked, batches = _held["epoch"]
    by_scan, _ = workloads.scan_epoch(state, stacked)
    by_loop, _ = workloads.python_loop_epoch(state, batches)
    differences = jax.tree.map(
        lambda a, b: float(jnp.max(jnp.abs(a - b))), by_scan.params, by_loop.params
    )
    return max(jax.tree.leaves(differences))


_OP_NAME = re.compile(r'^\s*(?:ROOT )?%?([\w.\-]+) = .*?op_name="([^"]*)"', re.M)
_CONVOLUTION = re.compile(r"= (f32\[[\d,]*\])\S* convolution\(.*?dim_labels=([\w>-]+)")


_COMPUTATION = re.compile(r"^(?:ENTRY )?%?([\w.\-]+) \(.*\{$")
_INSTRUCTION = re.compile(r"^\s*(ROOT )?%?([\w.\-]+) = (\S+) ([\w\-]+)\((.*)$")
_CALLS = re.compile(r"calls=%?([\w.\-]+)")


def _source_of(hlo_text: str) -> dict[str, str]:
    """HLO instruction name -> the JAX operation it came from (its op_name)."""
    sources = {match[1]: match[2] for match in _OP_NAME.finditer(hlo_text)}
    for instruction in list(sources):  # wrapped single operations
        sources.setdefault(f"wrapped_{instruction}", sources[instruction])
    return sources


def _kind_of(hlo_text: str) -> dict[str, str]:
    """HLO instruction name -> what it computes: its operation and result
    shape, a fusion's those of its root ("convolution f32[1,3,3,32]")."""
    roots, found, computation = {}, {}, None
    for line in hlo_text.splitlines():
        header = _COMPUTATION.match(line)
        if header:
            computation = header[1]
            continue
        match = _INSTRUCTION.match(line)
        if match is None:
            continue
        is_root, name, shape, opcode, rest = match.groups()
        shape = shape.split("{")[0]  # without the layout
        calls = _CALLS.search(rest)
        found[name] = (opcode, shape, calls[1] if calls else None)
        if is_root and computation is not None:
            roots[computation] = (opcode, shape)
    kinds = {}
    for name, (opcode, shape, called) in found.items():
        if called in roots:
            opcode = roots[called][0]
        kinds[name] = f"{opcode} {shape}"
    return kinds


def convolutions(hlo_text: str) -> list[str]:
    """Each convolution of an optimized HLO program: its shape and layout
    (``dim_labels``, XLA's order of the batch, spatial and feature axes)."""
    return [f"{shape} {labels}" for shape, labels in _CONVOLUTION.findall(hlo_text)]


def _trace(run: Callable[[], Any]) -> tuple[Any, float]:
    """Runs ``run()`` under JAX's profiler; its trace and wall seconds."""
    with tempfile.TemporaryDirectory() as trace_dir:
        jax.profiler.start_trace(trace_dir)
        start = time.perf_counter()
        jax.block_until_ready(run())
        wall = time.perf_counter() - start
        jax.profiler.stop_trace()
        (path,) = glob.glob(f"{trace_dir}/**/*.xplane.pb", recursive=True)
        return jax.profiler.ProfileData.from_file(path), wall


def _op_times(data: Any) -> tuple[collections.Counter[str], float]:
    """Nanoseconds per XLA operation summed over threads, and the time some
    operation was running, summed over threads."""
    nanoseconds: collections.Counter[str] = collections.Counter()
    busy_ns = 0.0
    for plane in data.planes:
        for line in plane.lines:
            if line.name == "python":
                continue  # the host's Python, not XLA's operations
            spans = []
            for event in line.events:
                if not event.name.startswith(("ThunkExecutor", "SlinkyThreadPool")):
                    nanoseconds[event.name] += event.duration_ns
                    spans.append((event.start_ns, event.end_ns))
            busy_ns += _covered(spans)
    return nanoseconds, busy_ns


def _top(nanoseconds, hlo_text: str, per: int, top: int) -> list[dict[str, Any]]:
    total = sum(nanoseconds.values())
    sources, kinds = _source_of(hlo_text), _kind_of(hlo_text)
    return [
        {
            "op": op,
            "source": sources.get(op, ""),
            "kind": kinds.get(op, ""),
            "ms_per_step": ns / per / 1e6,
            "share": ns / total,
        }
        for op, ns in nanoseconds.most_common(top)
    ]


@command
def profile(name: str, steps: int, top: int = 8) -> dict[str, Any]:
    """The operations that take most of the held step's time, per step.

    From a JAX profiler trace: each XLA operation's time summed over threads
    (milliseconds per step) with the JAX operation it came from; the time
    some operation was running, summed over threads (``busy_ms_per_step``),
    against the wall time of the profiled steps (``wall_ms_per_step``); and
    the step's convolutions.
    """
    held = _held[name]
    hlo = train.train_step.lower(*held, workloads.SCHEDULE).compile().as_text() or ""

    def run():
        state = held[0]
        for _ in range(steps):
            state, _ = train.train_step(state, held[1], workloads.SCHEDULE)
        return state

    data, wall = _trace(run)
    nanoseconds, busy_ns = _op_times(data)
    return {
        "top_ops": _top(nanoseconds, hlo, steps, top),
        "busy_ms_per_step": busy_ns / steps / 1e6,
        "wall_ms_per_step": wall / steps * 1e3,
        "cores": len(os.sched_getaffinity(0)),
        "convolutions": convolutions(hlo),
    }


@command
def scan_profile(top: int = 3) -> dict[str, Any]:
    """Like :func:`profile`, for one held ``lax.scan`` epoch."""
    state, stacked, _ = _held["epoch"]
    hlo = workloads.scan_epoch.lower(state, stacked).compile().as_text() or ""
    data, _ = _trace(lambda: workloads.scan_epoch(state, stacked))
    nanoseconds, _ = _op_times(data)
    steps = len(stacked["label"])
    return {
        "top_ops": _top(nanoseconds, hlo, steps, top),
        "convolutions": convolutions(hlo),
    }


def _covered(spans: list[tuple[float, float]]) -> float:
    """The length of the union of ``(start, end)`` spans (nested ones once)."""
    covered, reach = 0.0, -math.inf
    for start, end in sorted(spans):
        if end > reach:
            covered += end - max(start, reach)
            reach = end
    return covered


def main() -> None:
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stray prints: stderr
    for line in sys.stdin:
        request = json.loads(line)
        try:
            result = COMMANDS[request["command"]](**request.get("args", {}))
            reply = {"result": result}
        except Exception:  # the parent reports it and stops
            reply = {"error": traceback.format_exc()}
        replies.write(json.dumps(reply, default=_plain) + "\n")
        replies.flush()


def _plain(value: Any) -> Any:
    """NumPy and JAX scalars as Python numbers, for JSON."""
    return np.asarray(value).item()


if __name__ == "__main__":
    main()
