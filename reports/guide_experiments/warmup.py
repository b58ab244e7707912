"""Warmup: AdamW from a cold start against linear warmups of several lengths.

Every run is AdamW (Optax defaults but the rate: b1 0.9, weight decay 1e-4)
with a linear warmup from 0 to the peak, then a cosine to 0 at the last
update; a warmup of 0 is a cold start at the peak. Peaks, warmup lengths,
two values of b2 (Ma & Yarats 2021's rule of thumb, 2 / (1 - b2) updates,
gives 2000 for 0.999 and 200 for 0.99) and seeds are crossed.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import jax
import numpy as np
import optax

from reports.guide_experiments.common import Digits, rounded, train_runs, warmup_cosine


@dataclass(frozen=True)
class WarmupSweep:
    peaks: tuple[float, ...] = (0.01, 0.05, 0.1)
    warmups: tuple[int, ...] = (0, 10, 30, 100, 300)
    b2s: tuple[float, ...] = (0.999, 0.99)
    seeds: tuple[int, ...] = (0, 1, 2, 3, 4)
    batch: int = 64
    epochs: int = 18  # 22 updates an epoch: 396 updates
    loss_every: int = 2  # the loss curve is kept at every other update


def adamw_with_warmup(total: int):
    def make(settings: dict[str, jax.Array]) -> optax.GradientTransformation:
        def schedule(count):
            return warmup_cosine(count, settings["peak"], settings["warmup"], total)

        return optax.adamw(schedule, b2=settings["b2"], weight_decay=1e-4)

    return make


def run(data: Digits, sweep: WarmupSweep) -> dict:
    grid = list(itertools.product(sweep.b2s, sweep.peaks, sweep.warmups, sweep.seeds))
    b2, peak, warmup, seed = (np.array(column) for column in zip(*grid, strict=True))
    total = sweep.epochs * (data.train_x.shape[0] // sweep.batch)
    settings = {
        "b2": b2.astype(np.float32),
        "peak": peak.astype(np.float32),
        "warmup": warmup.astype(np.int32),
        "seed": seed.astype(np.int32),
    }
    out = train_runs(
        data, adamw_with_warmup(total), settings, sweep.batch, sweep.epochs
    )
    runs = []
    for index, (b2_, peak_, warmup_, seed_) in enumerate(grid):
        loss = out["loss"][index]
        runs.append(
            {
                "b2": b2_,
                "peak": peak_,
                "warmup": warmup_,
                "seed": seed_,
                "test_accuracy": rounded(out["test_accuracy"][index])[0],
                "train_loss": rounded(out["train_loss"][index])[0],
                "max_loss_first_50": rounded(loss[:50].max())[0],
                "loss": rounded(loss[:: sweep.loss_every]),
            }
        )
    return {
        "setup": {
            "model": "MLP 64-128-128-128-10, ReLU",
            "data": "scikit-learn digits, 1438 train / 359 test",
            "optimizer": "optax.adamw, weight_decay=1e-4, b1=0.9",
            "schedule": "linear warmup from 0, then cosine to 0",
            "batch": sweep.batch,
            "updates": total,
            "loss_every": sweep.loss_every,
        },
        "runs": runs,
    }


def plot(result: dict, path) -> None:
    """Test accuracy against warmup length, one line per seed, a panel per b2
    and peak."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = result["runs"]
    b2s = sorted({r["b2"] for r in runs}, reverse=True)
    peaks = sorted({r["peak"] for r in runs})
    warmups = sorted({r["warmup"] for r in runs})
    seeds = sorted({r["seed"] for r in runs})
    fig, axes = plt.subplots(
        len(b2s),
        len(peaks),
        figsize=(9, 5.5),
        sharex=True,
        sharey=True,
        squeeze=False,
    )
    positions = np.arange(len(warmups))
    for row, b2 in enumerate(b2s):
        for col, peak in enumerate(peaks):
            axis = axes[row, col]
            for seed in seeds:
                accuracy = [
                    next(
                        r["test_accuracy"]
                        for r in runs
                        if (r["b2"], r["peak"], r["warmup"], r["seed"])
                        == (b2, peak, w, seed)
                    )
                    for w in warmups
                ]
                axis.plot(positions, accuracy, "o-", alpha=0.7, label=f"seed {seed}")
            axis.set_title(f"peak {peak}, b2 {b2} (rule: {2 / (1 - b2):.0f})")
            axis.set_xticks(positions, [str(w) for w in warmups])
            axis.set_ylim(0, 1.02)
            axis.grid(alpha=0.3)
            if row == len(b2s) - 1:
                axis.set_xlabel("warmup (updates)")
            if col == 0:
                axis.set_ylabel("test accuracy")
    axes[0, 0].legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_curves(
    result: dict, path, peak: float, b2: float, warmups: tuple[int, int] = (0, 30)
) -> None:
    """The training loss of every seed over the first updates, cold and warm."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    every = result["setup"]["loss_every"]
    fig, axis = plt.subplots(figsize=(7, 3.6))
    styles = {warmups[0]: ("tab:red", "cold start"), warmups[1]: ("tab:blue", None)}
    for warmup in warmups:
        colour, name = styles[warmup]
        name = name or f"warmup {warmup} updates"
        chosen = [
            r
            for r in result["runs"]
            if (r["peak"], r["b2"], r["warmup"]) == (peak, b2, warmup)
        ]
        for number, r in enumerate(chosen):
            steps = np.arange(len(r["loss"])) * every
            label = f"{name} (one line per seed)" if number == 0 else None
            axis.plot(steps, r["loss"], color=colour, alpha=0.6, lw=1, label=label)
    axis.set_yscale("log")
    axis.set_xlim(0, every * (len(chosen[0]["loss"]) - 1))
    axis.set_xlabel("update")
    axis.set_ylabel("training loss (batch)")
    axis.set_title(f"AdamW, peak {peak}, b2 {b2}")
    axis.legend()
    axis.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def table(result: dict) -> list[list[str]]:
    """Rows for the page's table: per peak and warmup, each seed's test
    accuracy (%) for each b2, and the largest loss of the first 50 updates."""
    runs = result["runs"]
    b2s = sorted({r["b2"] for r in runs}, reverse=True)
    header = ["peak", "warmup (updates)"]
    header += [f"test accuracy % per seed, b2 {b2}" for b2 in b2s]
    header += [f"largest loss, first 50 updates, b2 {b2s[0]}"]
    rows = [header]
    for peak in sorted({r["peak"] for r in runs}):
        for warmup in sorted({r["warmup"] for r in runs}):
            row = [f"{peak:g}", str(warmup)]
            for b2 in b2s:
                chosen = select(runs, b2=b2, peak=peak, warmup=warmup)
                row.append(" ".join(f"{100 * r['test_accuracy']:.1f}" for r in chosen))
            chosen = select(runs, b2=b2s[0], peak=peak, warmup=warmup)
            spikes = [r["max_loss_first_50"] for r in chosen]
            row.append(f"{min(spikes):.3g} to {max(spikes):.3g}")
            rows.append(row)
    return rows


def select(runs: list[dict], **fields) -> list[dict]:
    """The runs whose fields equal ``fields``, in seed order."""
    chosen = [r for r in runs if all(r[k] == v for k, v in fields.items())]
    return sorted(chosen, key=lambda r: r["seed"])
