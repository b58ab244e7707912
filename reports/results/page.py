"""Writes ``docs/results.rst`` (from a Jinja template), figures, ``results.json``.

The prose lives in ``results.rst.jinja``; this module computes what the
template says: the rows of each table, the verdicts, and the numbers each
sentence quotes.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jinja2
import numpy as np

from reports import rst
from reports.results.experiment import TaskResult
from reports.results.plots import plot_task
from reports.results.stats import (
    BETTER,
    DIVERGED,
    FRACTIONS,
    SAME,
    WORSE,
    Row,
    diverged,
    row,
    verdict,
)

__all__ = ["PAGE", "summarize", "write_page"]

PAGE = "results.rst"
TEMPLATE = Path(__file__).with_name("results.rst.jinja")
# A metric as a table header names it (the runs record "accuracy" and "bpc").
_METRIC_NAMES = {"accuracy": "accuracy", "bpc": "bits per byte"}


def number(value: float, metric: str) -> str:
    """A metric as the page prints it: accuracy in %, bits per byte to 3 places."""
    if not math.isfinite(value):
        return "n/a"
    return f"{100 * value:.1f}" if metric == "accuracy" else f"{value:.3f}"


def _interval(found: Row, metric: str) -> str:
    if found.diverged_count == len(found.seeds):
        return "all diverged"
    return (
        f"{number(found.median, metric)} "
        f"({number(found.low, metric)} to {number(found.high, metric)})"
    )


def _failed_seeds(found: Row) -> str:
    seeds = [str(s) for s, bad in zip(found.seeds, found.failed, strict=True) if bad]
    return f"{len(seeds)} (seed {', '.join(seeds)})" if seeds else "0"


def summarize(result: TaskResult) -> dict[str, Any]:
    """Everything the template says about one task, as plain values."""
    task = result.task
    metric = task.objective.metric
    higher = task.objective.higher_is_better
    rows = [
        row(policy.key, task.seeds, curves, diverged(task.objective, curves))
        for policy, curves in zip(result.policies, result.curves, strict=True)
    ]
    keys = [policy.key for policy in result.policies]
    reference = rows[keys.index(f"fixed {result.best_rate:g}")]
    sweep_steps = len(task.fixed_rates) * task.num_steps
    cost = {
        "sweep": task.num_steps,
        "range test": task.range_test_steps + task.num_steps,
        "best fixed": sweep_steps + task.num_steps,
    }
    table = []
    for policy, found in zip(result.policies, rows, strict=True):
        name = policy.shape if policy.shape != "fixed" else f"fixed {policy.peak:g}"
        best = policy.shape == "fixed" and policy.peak == result.best_rate
        if best:
            name += " (best on validation)"
        table.append(
            [
                name,
                f"{policy.peak:.3g} ({policy.peak_source})",
                _interval(found, metric),
                _failed_seeds(found),
                " · ".join(number(v, metric) for v in found.at_fractions),
                number(found.val_median, metric),
                f"{sweep_steps if best else cost[policy.peak_source]:,}",
            ]
        )
    header = [
        "Policy",
        "Peak rate (from)",
        f"Final test {_METRIC_NAMES[metric]}: median (range)",
        "Diverged",
        "Test median at 1/4 · 1/2 · all steps",
        "Validation median",
        "Tuning cost (steps)",
    ]
    shapes: dict[str, list[dict[str, Any]]] = {}
    for policy, found in zip(result.policies, rows, strict=True):
        if policy.shape == "fixed":
            continue
        shapes.setdefault(policy.shape, []).append(
            {
                "peak_source": policy.peak_source,
                "peak": f"{policy.peak:.3g}",
                "interval": _interval(found, metric),
                "verdict": verdict(reference, found, higher),
                "failed": _failed_seeds(found),
                "seeds": len(found.seeds),
            }
        )
    fixed = [
        (p, r) for p, r in zip(result.policies, rows, strict=True) if p.shape == "fixed"
    ]
    test = result.range_test
    return {
        "name": task.name,
        "title": task.title,
        "metric": metric,
        "unit": "%" if metric == "accuracy" else " bits per byte",
        "seeds": len(task.seeds),
        "seed_list": ", ".join(map(str, task.seeds)),
        "num_steps": f"{task.num_steps:,}",
        "batch_size": task.batch_size,
        "eval_every": task.eval_every,
        "fixed_rates": ", ".join(f"{rate:g}" for rate in task.fixed_rates),
        "best_rate": f"{result.best_rate:g}",
        "reference": _interval(reference, metric),
        "fixed_rows": [
            {
                "rate": f"{p.peak:g}",
                "interval": _interval(r, metric),
                "failed": _failed_seeds(r),
            }
            for p, r in fixed
        ],
        "bounds": [f"{b:.3g}" for b in result.bounds],
        "range_test_steps": task.range_test_steps,
        "range_test_min_lr": f"{task.range_test_min_lr:g}",
        "range_test_max_lr": f"{task.range_test_max_lr:g}",
        "range_test_diverged": None
        if test.diverged_at is None
        else f"{float(test.learning_rates[test.diverged_at]):.3g}",
        "sweep_steps": f"{sweep_steps:,}",
        "seconds": f"{result.seconds:.0f}",
        "table": rst.list_table(header, table, widths=[16, 16, 20, 10, 20, 10, 10]),
        "shapes": shapes,
        "groups": _groups(shapes),
        "cooldown": _cooldown(result, rows) if metric == "bpc" else None,
        "fractions": " · ".join(f"{share:g}" for share in FRACTIONS),
    }


def _groups(shapes: dict[str, list[dict[str, Any]]]) -> dict[str, list[str]]:
    """Verdict -> ["wsd (range test)", ...], for the summary sentences."""
    groups: dict[str, list[str]] = {v: [] for v in (BETTER, WORSE, SAME, DIVERGED)}
    for shape, entries in shapes.items():
        for entry in entries:
            groups.setdefault(entry["verdict"], []).append(
                f"{shape} ({entry['peak_source']} peak)"
            )
    return groups


def _cooldown(result: TaskResult, rows: list[Row]) -> dict[str, Any]:
    """The WSD cooldown: each shape's drop over the last 20% against the constant's."""
    task = result.task
    keys = [p.key for p in result.policies]
    constant = keys.index(f"fixed {result.best_rate:g}")
    steps = result.eval_steps
    # The last measurement at or before the cooldown's first step.
    start = int(np.searchsorted(steps, round(0.8 * task.num_steps), "right")) - 1
    before = int(steps[start])

    def drop(index: int) -> str:
        val = result.curves[index].val.astype(np.float64)
        ok = ~diverged(task.objective, result.curves[index])
        change = val[ok, start] - val[ok, -1]
        if not ok.any():
            return "n/a"
        return f"{np.median(change):.3f} ({change.min():.3f} to {change.max():.3f})"

    peaks: list[dict[str, Any]] = []
    for source in ("best fixed", "range test"):
        if f"wsd@{source}" not in keys:
            continue
        cosine = rows[keys.index(f"warmup-cosine@{source}")]
        shapes = []
        for shape in ("wsd-linear", "wsd-cosine", "wsd"):
            index = keys.index(f"{shape}@{source}")
            shapes.append(
                {
                    "shape": shape,
                    "drop": drop(index),
                    "final": _interval(rows[index], "bpc"),
                    "against_constant": verdict(rows[constant], rows[index], False),
                    "against_cosine": verdict(cosine, rows[index], False),
                }
            )
        peak = result.best_rate if source == "best fixed" else result.bounds[1]
        peaks.append({"source": source, "peak": f"{peak:.3g}", "shapes": shapes})
    shown = [
        p["source"]
        for p in peaks
        if all(e["against_constant"] == "better" for e in p["shapes"])
    ]
    return {
        "from_step": f"{before:,}",
        "constant_drop": drop(constant),
        "constant_final": _interval(rows[constant], "bpc"),
        "peaks": peaks,
        "shown": shown,
    }


def _json_runs(result: TaskResult) -> list[dict[str, Any]]:
    metric = result.task.objective.metric
    policies = []
    for policy, curves in zip(result.policies, result.curves, strict=True):
        failed = diverged(result.task.objective, curves)
        runs = [
            {
                "seed": seed,
                f"val_{metric}": float(curves.val[i, -1]),
                f"test_{metric}": float(curves.test[i, -1]),
                "diverged": bool(failed[i]),
                f"val_{metric}_curve": curves.val[i].tolist(),
                f"test_{metric}_curve": curves.test[i].tolist(),
                "train_loss_curve": curves.loss[i].tolist(),
            }
            for i, seed in enumerate(result.task.seeds)
        ]
        policies.append(
            {
                "name": policy.key,
                "shape": policy.shape,
                "peak_source": policy.peak_source,
                "peak": policy.peak,
                "runs": runs,
            }
        )
    return policies


def _clean(value: Any) -> Any:
    """NaN and infinities as None, so that the file is strict JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def write_page(
    results: Sequence[TaskResult],
    out_dir: Path,
    *,
    machine: dict[str, Any],
    fingerprint_comment: str,
    fingerprint: str,
    wall_seconds: float,
    cpu_seconds: float,
    command: str = "python -m reports.results",
) -> list[Path]:
    """Writes ``results.rst``, one ``results_<task>.png`` each, ``results.json``.

    Returns:
      The paths written, the page first.
    """
    from reports.machine import one_line

    out_dir.mkdir(parents=True, exist_ok=True)
    figures = []
    for result in results:
        figures.append(out_dir / f"results_{result.task.name}.png")
        plot_task(result, figures[-1])
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE.parent),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    text = environment.get_template(TEMPLATE.name).render(
        command=command,
        fingerprint_comment=fingerprint_comment,
        machine=one_line(machine),
        date=machine["date"],
        load_start=f"{machine['load_average_at_start']:.1f}",
        load_end=f"{machine.get('load_average_at_end', float('nan')):.1f}",
        wall_seconds=f"{wall_seconds:.0f}",
        cpu_seconds=f"{cpu_seconds:.0f}",
        tasks=[summarize(result) for result in results],
        heading=rst.heading,
    )
    page = out_dir / PAGE
    page.write_text(text, encoding="utf-8")
    record = {
        "tasks": [
            {
                "name": r.task.name,
                "metric": r.task.objective.metric,
                "higher_is_better": r.task.objective.higher_is_better,
                "best_fixed_rate": r.best_rate,
                "range_test_bounds": list(r.bounds),
                "eval_steps": r.eval_steps.tolist(),
                "seconds": r.seconds,
                "policies": _json_runs(r),
            }
            for r in results
        ],
        "fingerprint": fingerprint,
        "versions": machine["versions"],
        "machine": {k: v for k, v in machine.items() if k != "versions"},
        "wall_seconds": wall_seconds,
        "cpu_seconds": cpu_seconds,
    }
    data = out_dir / "results.json"
    data.write_text(json.dumps(_clean(record), indent=1) + "\n", encoding="utf-8")
    return [page, *figures, data]
