"""One task, end to end: the range test, the fixed-rate sweep, then the schedules.

The order makes every choice on validation data: the sweep's best rate is
the one with the best median validation metric at the end of training, and
only then are the schedules built, each at two peaks (the range test's and
that best rate). The test split is read only for the reported numbers.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np

from lr_scheduling.range_test import RangeTestResult
from reports.results.policies import Policy, fixed_policy, schedule_policy
from reports.results.runs import Curves, range_test, train_policy
from reports.results.stats import diverged, pick_best_fixed
from reports.results.tasks import Task

__all__ = ["TaskResult", "run_task"]


@dataclasses.dataclass(frozen=True, eq=False)
class TaskResult:
    """What :func:`run_task` measured for one task.

    Attributes:
      task: the task.
      range_test: the range test's curve; ``bounds`` its ``clr_bounds()``.
      best_rate: the fixed rate with the best median validation metric.
      policies: every policy trained, the sweep first.
      curves: ``Curves`` per policy, in the order of ``policies``.
      seconds: wall time of the task, data included.
    """

    task: Task
    range_test: RangeTestResult
    bounds: tuple[float, float]
    best_rate: float
    policies: list[Policy]
    curves: list[Curves]
    seconds: float

    @property
    def eval_steps(self) -> np.ndarray:
        """int ``(E,)``: the step after which each measurement was taken."""
        every = self.task.eval_every
        return np.arange(every, self.task.num_steps + 1, every)


def _train(task: Task, splits: dict, policy: Policy) -> Curves:
    return train_policy(
        task.objective,
        task.optimizer,
        splits,
        policy.learning_rates,
        policy.momenta,
        task.seeds,
        task.batch_size,
        task.eval_every,
    )


def run_task(task: Task, log=lambda message: None) -> TaskResult:
    """Loads the data, runs the range test, the sweep, and the schedules.

    The range test starts from the initial parameters of ``task.seeds[0]``
    on that seed's first batches; its ``clr_bounds()`` peak (the rate where
    the loss's running median is lowest, a rule fixed before any run) is the
    "range test" peak.
    """
    start = time.perf_counter()
    splits = task.load()
    test = range_test(
        task.objective,
        task.optimizer,
        splits["train"],
        num_steps=task.range_test_steps,
        batch_size=task.batch_size,
        seed=task.seeds[0],
        min_lr=task.range_test_min_lr,
        max_lr=task.range_test_max_lr,
    )
    bounds = test.clr_bounds()
    policies = [fixed_policy(rate, task.num_steps) for rate in task.fixed_rates]
    curves = []
    for policy in policies:
        curves.append(_train(task, splits, policy))
        log(f"{task.name}: {policy.key}")
    flags = [diverged(task.objective, c) for c in curves]
    best = pick_best_fixed(task.objective, [c.val[:, -1] for c in curves], flags)
    best_rate = task.fixed_rates[best]
    peaks = {"range test": bounds[1], "best fixed": best_rate}
    for shape, source in task.schedules:
        policy = schedule_policy(shape, peaks[source], source, task.num_steps)
        policies.append(policy)
        curves.append(_train(task, splits, policy))
        log(f"{task.name}: {policy.key}")
    seconds = time.perf_counter() - start
    return TaskResult(task, test, bounds, best_rate, policies, curves, seconds)
