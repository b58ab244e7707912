"""Training speed: the rate and its share of the machine's matmul peak, XLA's
YNNPACK fusions on and off, batch sizes, bfloat16, and a ``lax.scan`` epoch.

Two workers (:mod:`benchmarks.worker`) run the guide's step (its CNN, SGD with
momentum, the triangular schedule) on synthetic batches: one with JAX's
defaults (``XLA_FLAGS`` as the caller's environment has it, less the
candidate flag), which is what the guide ships, and one with
:data:`CANDIDATE_FLAGS` added. They are asked in turns; every figure is a
median over repetitions, every ratio the median of per-repetition ratios.
"""

from __future__ import annotations

import functools
import math
from typing import Any

from benchmarks.timing import interleaved, median, median_ratio
from benchmarks.workers import Worker, with_flags

# The flag a probe proposed (it doubled 28x28 training there): it empties
# the list of XLA:CPU's experimental YNNPACK fusions, on by default in this JAX.
CANDIDATE_FLAGS = ["--xla_cpu_experimental_ynn_fusion_type="]
BATCH_SIZE = 128
MATMUL_SIZE = 2048
LOSS_STEPS = 40
SCAN_STEPS = 16
# (name, batch size, image size): MNIST's shape at 128 and 32, and the
# guide's own digits (8x8) at its batch size, 32.
COMPARED = [("batch128", 128, 28), ("batch32", 32, 28), ("digits", 32, 8)]
SWEEP_SIZES = (16, 32, 64, 256)  # and 128, from the main comparison


def measure(environment_flags: str, repetitions: int = 15) -> dict[str, Any]:
    """All training-speed figures of one run (see the module docstring)."""
    defaults_flags = with_flags(environment_flags, [], CANDIDATE_FLAGS)
    candidate_flags = with_flags(environment_flags, CANDIDATE_FLAGS, [])
    with Worker(defaults_flags) as defaults, Worker(candidate_flags) as candidate:
        workers = {"defaults": defaults, "ynn_off": candidate}
        setups = {}
        for side, worker in workers.items():
            for name, batch_size, image_size in COMPARED:
                setups[side, name] = worker(
                    "train_setup",
                    name=name,
                    batch_size=batch_size,
                    image_size=image_size,
                )
            worker("matmul_setup", size=MATMUL_SIZE)
        results: dict[str, Any] = {
            "train_step_flops": setups["defaults", "batch128"]["flops"],
            "train_compile_seconds": setups["defaults", "batch128"]["compile_seconds"],
            "candidate_flags": " ".join(CANDIDATE_FLAGS),
        }
        results.update(_flags_compared(workers, repetitions))
        results.update(_peak(workers, results, repetitions))
        results.update(_same_losses(workers))
        results.update(_profiles(workers))
        results.update(_batch_sizes(defaults, results, repetitions))
        results.update(_bfloat16(defaults, repetitions))
        results.update(_scan(defaults, repetitions))
    results.update(flop_shares(BATCH_SIZE, results["train_step_flops"]))
    for side in workers:
        profile = results[f"profile_{side}"]
        results[f"cores_busy_percent_{side}"] = (
            100
            * profile["busy_ms_per_step"]
            / (profile["cores"] * profile["wall_ms_per_step"])
        )
    # The guide ships JAX's defaults (see the page): shipped over defaults is
    # the same program on both sides.
    results["train_throughput_vs_defaults"] = 1.0
    return results


def flop_shares(batch_size: int, step_flops: float) -> dict[str, Any]:
    """Which layers the step's FLOPs are in, from the guide's CNN's shapes.

    Two FLOPs per multiply-add. The first dense layer (6272 -> 128) has
    three matmuls per step: forward, weight gradient and input gradient; the
    convolution (3x3, 1 -> 32 channels, 28x28) two, as the images need no
    gradient. ``activation_megabytes``: the convolution's float32 output.
    """
    dense = 3 * 2 * batch_size * (14 * 14 * 32) * 128
    conv = 2 * 2 * batch_size * 28 * 28 * 32 * 9
    return {
        "flops_share_dense": dense / step_flops,
        "flops_share_conv": conv / step_flops,
        "activation_megabytes": batch_size * 28 * 28 * 32 * 4 / 1e6,
    }


def _flags_compared(workers, repetitions) -> dict[str, Any]:
    """Each compared workload, defaults and candidate in turns.

    Short repetitions (about 0.1 s), many of them: a burst of load then falls
    on both sides of a pair.
    """
    results: dict[str, Any] = {}
    for name, batch_size, _ in COMPARED:
        steps = max(3, 384 // batch_size)
        times = interleaved(
            {
                side: functools.partial(worker, "train_time", name=name, steps=steps)
                for side, worker in workers.items()
            },
            2 * repetitions,
        )
        results[f"ynn_off_vs_defaults_{name}"] = median_ratio(
            times["defaults"], times["ynn_off"]
        )
        if name == "batch128":
            seconds = median(times["defaults"])
            results.update(
                train_step_ms=seconds * 1e3,
                train_images_per_second=batch_size / seconds,
                ynn_off_step_ms=median(times["ynn_off"]) * 1e3,
            )
    return results


def _peak(workers, results, repetitions) -> dict[str, Any]:
    """The float32 matmul rate, the best repetition of either worker.

    A peak is what the machine can do at best, so the fastest repetition
    counts; the training rate it is compared with is a median.
    """
    times = interleaved(
        {
            side: functools.partial(worker, "matmul_time", calls=4)
            for side, worker in workers.items()
        },
        max(3, repetitions // 2),
    )
    peak = max(2 * MATMUL_SIZE**3 / t for ts in times.values() for t in ts)
    step_rate = results["train_step_flops"] / (results["train_step_ms"] / 1e3)
    return {
        "matmul_size": MATMUL_SIZE,
        "matmul_peak_gflops_per_second": peak / 1e9,
        "train_gflops_per_second": step_rate / 1e9,
        "train_percent_of_peak": 100 * step_rate / peak,
    }


def _same_losses(workers) -> dict[str, Any]:
    """Both settings train alike: the losses of the same seeded run, compared."""
    curves = {
        side: worker("loss_curve", steps=LOSS_STEPS, batch_size=BATCH_SIZE)
        for side, worker in workers.items()
    }
    differences = [
        abs(a - b) / max(abs(b), 1e-12)
        for a, b in zip(curves["ynn_off"], curves["defaults"], strict=True)
    ]
    return {
        "loss_curve_steps": LOSS_STEPS,
        "loss_curve_max_relative_difference": max(differences),
        "loss_curve_all_finite": all(
            math.isfinite(loss) for curve in curves.values() for loss in curve
        ),
    }


def _profiles(workers) -> dict[str, Any]:
    return {
        f"profile_{side}": worker("profile", name="batch128", steps=8)
        for side, worker in workers.items()
    }


def _batch_sizes(worker, results, repetitions) -> dict[str, Any]:
    """Images per second with JAX's defaults at other batch sizes (28x28).

    Each size runs about as many images per repetition as the others.
    """
    for size in SWEEP_SIZES:
        worker("train_setup", name=f"sweep{size}", batch_size=size)
    times = interleaved(
        {
            str(size): functools.partial(
                worker, "train_time", name=f"sweep{size}", steps=max(2, 768 // size)
            )
            for size in SWEEP_SIZES
        },
        max(3, repetitions // 3),
    )
    rates = {str(size): size / median(times[str(size)]) for size in SWEEP_SIZES}
    rates[str(BATCH_SIZE)] = results["train_images_per_second"]
    return {
        "images_per_second_by_batch_size": {
            size: rates[size] for size in sorted(rates, key=int)
        }
    }


def _bfloat16(worker, repetitions) -> dict[str, Any]:
    worker("train_setup", name="bfloat16", batch_size=BATCH_SIZE, dtype="bfloat16")
    times = interleaved(
        {
            dtype: functools.partial(worker, "train_time", name=name, steps=3)
            for dtype, name in [("float32", "batch128"), ("bfloat16", "bfloat16")]
        },
        repetitions,
    )
    return {"bfloat16_vs_float32": median_ratio(times["float32"], times["bfloat16"])}


def _scan(worker, repetitions) -> dict[str, Any]:
    worker("scan_setup", steps=SCAN_STEPS, batch_size=BATCH_SIZE)
    times = interleaved(
        {
            "loop": functools.partial(worker, "loop_time"),
            "scan": functools.partial(worker, "scan_time"),
        },
        max(3, repetitions // 3),
    )
    return {
        "scan_epoch_steps": SCAN_STEPS,
        "scan_epoch_seconds": median(times["scan"]),
        "loop_epoch_seconds": median(times["loop"]),
        "scan_epoch_speedup": median_ratio(times["loop"], times["scan"]),
        "scan_vs_loop_max_parameter_difference": worker("scan_matches_loop"),
        "scan_profile": worker("scan_profile"),
    }
