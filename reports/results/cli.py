"""The command line: ``python -m reports.results [--out-dir DIR] [--tiny] ...``."""

from __future__ import annotations

import argparse
import os
import pickle
import resource
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from reports import fingerprint, machine
from reports.results.experiment import TaskResult, run_task
from reports.results.page import write_page
from reports.results.tasks import Task, default_tasks, tiny_tasks

__all__ = ["INPUTS", "main"]

# The files whose change makes the page stale (make results-check): this
# generator, the report tools it uses, the library code it runs, and the pins.
INPUTS = (
    "reports/results/*.py",
    "reports/results/*.jinja",
    "reports/rst.py",
    "reports/machine.py",
    "src/lr_scheduling/schedules/*.py",
    "src/lr_scheduling/range_test.py",
    "src/lr_scheduling/_range*.py",
    "src/lr_scheduling/data.py",
    "requirements.txt",
)
ROOT = Path(__file__).resolve().parents[2]


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _run_or_load(
    task: Task, keep: str | None, log: Callable[[str], None]
) -> tuple[TaskResult, float, float]:
    """A task's result, wall and CPU seconds: from ``keep`` if saved there."""
    saved = Path(keep, f"{task.name}.pkl") if keep else None
    if saved is not None and saved.exists():
        with saved.open("rb") as file:
            return pickle.load(file)
    start, cpu = time.perf_counter(), _cpu_seconds()
    found = (run_task(task, log), time.perf_counter() - start, _cpu_seconds() - cpu)
    if saved is not None:
        saved.parent.mkdir(parents=True, exist_ok=True)
        with saved.open("wb") as file:
            pickle.dump(found, file)
    return found


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the tasks and writes the page, figures and JSON; returns 0.

    ``--tiny`` runs :func:`~reports.results.tasks.tiny_tasks` (seconds, for
    the tests); ``--tasks`` keeps only the named tasks.
    """
    parser = argparse.ArgumentParser(
        prog="python -m reports.results", description="Writes docs/results.rst."
    )
    parser.add_argument("--out-dir", default="docs", help="where results.rst goes")
    parser.add_argument("--tasks", nargs="+", help="only these tasks (by name)")
    parser.add_argument("--tiny", action="store_true", help="a seconds-long check")
    parser.add_argument(
        "--keep",
        metavar="DIR",
        help="save each task's runs in DIR; a task saved there is not run again",
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    described = machine.describe()
    tasks = tiny_tasks() if args.tiny else default_tasks()
    if args.tasks:
        unknown = set(args.tasks) - {task.name for task in tasks}
        if unknown:
            parser.error(
                f"unknown task(s) {sorted(unknown)}; have {[t.name for t in tasks]}"
            )
        tasks = [task for task in tasks if task.name in args.tasks]

    def log(message: str) -> None:
        print(f"{time.perf_counter() - start:6.1f} s  {message}", file=sys.stderr)

    results, wall, cpu_used = [], 0.0, 0.0
    for task in tasks:
        result, task_wall, task_cpu = _run_or_load(task, args.keep, log)
        results.append(result)
        wall, cpu_used = wall + task_wall, cpu_used + task_cpu
    described["load_average_at_end"] = os.getloadavg()[0]
    hashes = fingerprint.file_hashes(ROOT, INPUTS)
    paths = write_page(
        results,
        Path(args.out_dir),
        machine=described,
        fingerprint_comment=fingerprint.comment(ROOT, INPUTS),
        fingerprint=fingerprint.fingerprint(hashes),
        wall_seconds=wall,
        cpu_seconds=cpu_used,
    )
    log(f"wrote {', '.join(map(str, paths))}")
    return 0
