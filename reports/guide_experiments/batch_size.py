"""The rate and the batch size: SGD and Adam, the rate scaled three ways.

From a base batch of 32 with a base rate, each batch size B trains for the
same number of epochs (so B / 32 times fewer updates) with the rate scaled by
B / 32 (linear, Goyal et al. 2017), by sqrt(B / 32) (square root, Malladi et
al. 2022 for Adam), or not at all. Every run warms up linearly over its first
10% of updates (Goyal et al.'s gradual warmup), then decays with a cosine to 0.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import jax
import numpy as np
import optax

from reports.guide_experiments.common import Digits, rounded, train_runs, warmup_cosine

NAMES = {"sgd": "SGD", "adam": "Adam"}
RULES = {"none": lambda ratio: 1.0, "sqrt": math.sqrt, "linear": lambda ratio: ratio}


@dataclass(frozen=True)
class BatchSweep:
    batches: tuple[int, ...] = (32, 64, 128, 256, 512)
    base_batch: int = 32
    # The base rates: SGD with momentum 0.9, and Adam (Optax's defaults otherwise).
    base_rates: tuple[tuple[str, float], ...] = (("sgd", 0.02), ("adam", 0.001))
    seeds: tuple[int, ...] = (0, 1, 2)
    epochs: int = 10
    warmup_fraction: float = 0.1


def optimizer_for(name: str, total: int, warmup: int):
    def make(settings: dict[str, jax.Array]) -> optax.GradientTransformation:
        def schedule(count):
            return warmup_cosine(count, settings["peak"], settings["warmup"], total)

        if name == "sgd":
            return optax.sgd(schedule, momentum=0.9)
        return optax.adam(schedule)

    del warmup
    return make


def run(data: Digits, sweep: BatchSweep) -> dict:
    runs = []
    num_train = data.train_x.shape[0]
    for (name, base_rate), batch in itertools.product(sweep.base_rates, sweep.batches):
        total = sweep.epochs * (num_train // batch)
        warmup = max(1, round(sweep.warmup_fraction * total))
        grid = list(itertools.product(RULES, sweep.seeds))
        ratio = batch / sweep.base_batch
        peaks = np.array([base_rate * RULES[rule](ratio) for rule, _ in grid])
        settings = {
            "peak": peaks.astype(np.float32),
            "warmup": np.full(len(grid), warmup, np.int32),
            "seed": np.array([seed for _, seed in grid], np.int32),
        }
        out = train_runs(
            data, optimizer_for(name, total, warmup), settings, batch, sweep.epochs
        )
        for index, (rule, seed) in enumerate(grid):
            runs.append(
                {
                    "optimizer": name,
                    "batch": batch,
                    "rule": rule,
                    "seed": seed,
                    "peak": rounded(peaks[index])[0],
                    "updates": total,
                    "test_accuracy": rounded(out["test_accuracy"][index])[0],
                    "train_loss": rounded(out["train_loss"][index])[0],
                }
            )
    return {
        "setup": {
            "model": "MLP 64-128-128-128-10, ReLU",
            "data": "scikit-learn digits, 1438 train / 359 test",
            "base_batch": sweep.base_batch,
            "base_rates": dict(sweep.base_rates),
            "epochs": sweep.epochs,
            "schedule": f"linear warmup over {sweep.warmup_fraction:.0%} of updates, "
            "then cosine to 0",
        },
        "runs": runs,
    }


def plot(result: dict, path) -> None:
    """Final training loss against batch size: a panel per optimizer, a colour
    per rule, one line per seed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = result["runs"]
    names = list(result["setup"]["base_rates"])
    colours = {"none": "tab:gray", "sqrt": "tab:green", "linear": "tab:purple"}
    fig, axes = plt.subplots(2, len(names), figsize=(9, 6), sharex=True)
    for col, name in enumerate(names):
        for row, metric in enumerate(("train_loss", "test_accuracy")):
            axis = axes[row, col]
            for rule, colour in colours.items():
                seeds = sorted({r["seed"] for r in runs})
                for number, seed in enumerate(seeds):
                    chosen = sorted(
                        (r["batch"], r[metric])
                        for r in runs
                        if (r["optimizer"], r["rule"], r["seed"]) == (name, rule, seed)
                    )
                    batches, values = zip(*chosen, strict=True)
                    label = f"{rule} (one line per seed)" if number == 0 else None
                    axis.plot(
                        batches, values, "o-", color=colour, alpha=0.6, label=label
                    )
            axis.set_xscale("log", base=2)
            ticks = sorted({r["batch"] for r in runs})
            axis.set_xticks(ticks, [str(b) for b in ticks])
            axis.grid(alpha=0.3)
            if metric == "train_loss":
                axis.set_yscale("log")
                base = result["setup"]["base_rates"][name]
                axis.set_title(f"{NAMES[name]}, base rate {base} at batch 32")
                axis.set_ylabel("final training loss")
            else:
                axis.set_ylabel("test accuracy")
                axis.set_xlabel("batch size (same epochs)")
    axes[0, 0].legend(title="rate scaling", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def table(result: dict, metric: str) -> list[list[str]]:
    """Rows for one of the page's tables: per optimizer and batch size, each
    rule's ``metric`` (``"train_loss"`` or ``"test_accuracy"``, in %), one
    value per seed."""
    runs = result["runs"]
    rows = [["optimizer", "batch", "updates", *RULES]]
    for name in result["setup"]["base_rates"]:
        for batch in sorted({r["batch"] for r in runs}):
            row = [NAMES[name], str(batch)]
            for rule in RULES:
                chosen = sorted(
                    (
                        r
                        for r in runs
                        if (r["optimizer"], r["batch"], r["rule"])
                        == (name, batch, rule)
                    ),
                    key=lambda r: r["seed"],
                )
                if len(row) == 2:
                    row.append(str(chosen[0]["updates"]))
                row.append(" ".join(cell(r[metric], metric) for r in chosen))
            rows.append(row)
    return rows


def cell(value: float, metric: str) -> str:
    return f"{100 * value:.1f}" if metric == "test_accuracy" else f"{value:.2g}"
