"""The page's figures: per-seed thin lines, the median thick, and the rates.

Diverged runs are drawn per seed (dotted) and left out of the median.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from reports.results.experiment import TaskResult
from reports.results.stats import diverged

__all__ = ["plot_task"]

_LABELS = {"accuracy": "test accuracy", "bpc": "validation bits per byte"}


def _curves(ax: Axes, result: TaskResult, indices: list[int], metric: str) -> None:
    steps = result.eval_steps
    values = []
    for color, index in enumerate(indices):
        policy, curves = result.policies[index], result.curves[index]
        runs = curves.test if metric == "accuracy" else curves.val
        failed = diverged(result.task.objective, curves)
        for run, bad in zip(runs, failed, strict=True):
            ax.plot(
                steps, run, ":" if bad else "-", color=f"C{color}", lw=0.6, alpha=0.5
            )
        good = runs[~failed]
        label = policy.key.replace("@best fixed", "").replace("@range test", "")
        if len(good):
            ax.plot(
                steps, np.median(good, axis=0), color=f"C{color}", lw=2, label=label
            )
            values.append(good)
    if values:
        stacked = np.concatenate(values)
        finite = stacked[np.isfinite(stacked)]
        if metric == "accuracy":
            ax.set_ylim(max(0.0, np.percentile(finite, 10) - 0.05), 1.0)
        else:
            low = np.min(finite)  # the lower part, where the cooldowns end
            ax.set_ylim(low - 0.03, low + 0.6)
    ax.set_xlabel("step")
    ax.set_ylabel(_LABELS[metric])
    ax.grid(alpha=0.3)
    ax.legend(fontsize="x-small", ncols=2)


def _rates(ax: Axes, result: TaskResult, indices: list[int]) -> None:
    peaks = [result.policies[i].peak for i in indices]
    for color, index in enumerate(indices):
        ax.plot(result.policies[index].learning_rates, color=f"C{color}", lw=1.2)
    ax.set_xlabel("step")
    ax.grid(alpha=0.3)
    # A peak far above the others (the range test's, on the language model)
    # would flatten every other curve: clip the linear axis, and say so.
    others = sorted(peaks)[:-1] or peaks
    if max(peaks) > 3 * max(others):
        ax.set_ylim(0, 1.5 * max(others))
        ax.set_ylabel("learning rate (clipped)")
    else:
        ax.set_ylim(0, 1.1 * max(peaks))
        ax.set_ylabel("learning rate")


def plot_task(result: TaskResult, path: Path) -> None:
    """Writes the task's figure: metric against step per seed, and the rates.

    One column per peak (the range test's, the best fixed rate's), each
    with the best fixed rate for reference.
    """
    task = result.task
    metric = task.objective.metric
    keys = [policy.key for policy in result.policies]
    reference = keys.index(f"fixed {result.best_rate:g}")
    figure = Figure(figsize=(10, 7), layout="constrained")
    axes = figure.subplots(2, 2, height_ratios=(3, 2), squeeze=False)
    for column, source in enumerate(("range test", "best fixed")):
        chosen = [reference] + [
            i for i, p in enumerate(result.policies) if p.peak_source == source
        ]
        peak = result.bounds[1] if source == "range test" else result.best_rate
        _curves(axes[0, column], result, chosen, metric)
        axes[0, column].set_title(f"peak {peak:.3g} ({source})", fontsize="medium")
        _rates(axes[1, column], result, chosen)
    figure.suptitle(
        f"{task.title}: {len(task.seeds)} seeds (thin: one seed, dotted: diverged; "
        "thick: median)",
        fontsize="medium",
    )
    figure.savefig(path, dpi=90, metadata={"Software": None})
