"""The learning-rate range test of Smith (2017), arXiv:1506.01186, section 3.3.

Train for a few hundred steps while the learning rate grows from ``min_lr`` to
``max_lr``, and read off the rates at which the loss falls, flattens and blows
up. :func:`lr_range_test` runs the sweep as a loop of one jitted step (one
compilation, the sweep's state on the device); :class:`RangeTestResult` holds the
curve and turns it into a suggested rate (:meth:`RangeTestResult.suggest`) or
bounds for a cyclical schedule (:meth:`RangeTestResult.clr_bounds`);
:func:`plot_range_test` draws it.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
from numpy.lib.stride_tricks import sliding_window_view

from lr_scheduling._range_sweep import (
    PROGRESS_SECONDS,
    batch_count,
    check_nonnegative,
    sweep,
)
from lr_scheduling.schedules import check_step_count

__all__ = [
    "BASE_LR_FACTOR",
    "MODES",
    "PROGRESS_SECONDS",
    "RULES",
    "RangeTestResult",
    "RangeTestSchedule",
    "lr_range_test",
    "plot_range_test",
    "range_test_schedule",
]

MODES = ("exponential", "linear")
RULES = ("steepest", "valley", "minimum")
BASE_LR_FACTOR = 4.0  # Smith: base_lr is 1/3 or 1/4 of max_lr; 1/4, the wider band


@dataclasses.dataclass(frozen=True)
class RangeTestSchedule:
    """The sweep's rate at each step: a value, so equal sweeps compile once.

    Made by :func:`range_test_schedule`, which checks the arguments.
    """

    min_lr: float
    max_lr: float
    num_steps: int
    mode: str = "exponential"

    def __call__(self, step: jax.typing.ArrayLike) -> jax.Array:
        last = self.num_steps - 1
        t = jnp.clip(step, 0, last) / last  # steps past the sweep keep max_lr
        if jnp.issubdtype(jnp.result_type(step), jnp.integer):
            # At whole steps: NumPy's rates, computed in float64 and rounded
            # once, so a sweep over any range float32 holds stays finite.
            table = np.geomspace if self.mode == "exponential" else np.linspace
            rates = table(self.min_lr, self.max_lr, self.num_steps)
            return jnp.asarray(rates, t.dtype)[jnp.clip(step, 0, last)]
        if self.mode == "linear":
            return (1 - t) * self.min_lr + t * self.max_lr  # exact at both ends
        # In log space: (max_lr / min_lr) ** t overflows for wide sweeps.
        log_min = math.log(self.min_lr)
        rate = jnp.exp(log_min + t * (math.log(self.max_lr) - log_min))
        return jnp.where(t >= 1, self.max_lr, jnp.where(t <= 0, self.min_lr, rate))


def range_test_schedule(
    min_lr: float, max_lr: float, num_steps: int, mode: str = "exponential"
) -> RangeTestSchedule:
    """The range test's rates: ``num_steps`` from ``min_lr`` to ``max_lr``.

    ``"exponential"`` spaces them geometrically (as ``np.geomspace``; Smith
    and fastai's ``LRFinder`` sweep so), ``"linear"`` evenly (as
    ``np.linspace``, Smith's CLR paper); both give exactly ``min_lr`` at step 0
    and ``max_lr`` at step ``num_steps - 1``, and ``max_lr`` after it. A rate
    has the float type of ``step / (num_steps - 1)`` in ``jax.numpy``
    (float32 for an int32 step). At integer steps the rates are NumPy's,
    rounded once to that type; at float steps the geometric sweep is computed
    in log space. So any range the float type holds gives finite rates:
    ``range_test_schedule(1e-30, 1e10, 50)`` spans 40 decades.

    Raises:
      ValueError: naming the argument, for ``min_lr <= 0``, ``max_lr <=
        min_lr``, a rate that is not a finite number or that JAX's default
        float type cannot hold (below its smallest normal number or above its
        largest: 1.2e-38 and 3.4e38 for float32), ``num_steps < 2`` or not an
        integer, or an unknown ``mode``.

    Example:
      >>> schedule = range_test_schedule(1e-3, 1.0, num_steps=4)
      >>> [round(float(schedule(step)), 6) for step in range(4)]
      [0.001, 0.01, 0.1, 1.0]
      >>> schedule == range_test_schedule(1e-3, 1.0, num_steps=4)
      True
      >>> wide = range_test_schedule(1e-30, 1e10, num_steps=5)
      >>> [f"{float(rate):.3g}" for rate in wide(jnp.arange(5))]
      ['1e-30', '1e-20', '1e-10', '1', '1e+10']
    """
    for name, value in (("min_lr", min_lr), ("max_lr", max_lr)):
        try:  # Python, NumPy and concrete 0-d JAX numbers
            number = math.nan if isinstance(value, bool | str) else float(value)
        except (TypeError, ValueError):
            number = math.nan
        if not math.isfinite(number):
            raise ValueError(f"{name} must be a finite number, got {value!r}")
    if not float(min_lr) > 0:
        raise ValueError(f"min_lr must be > 0, got {min_lr!r}")
    if not float(max_lr) > float(min_lr):
        raise ValueError(
            f"max_lr must be > min_lr, got min_lr={min_lr!r}, max_lr={max_lr!r}"
        )
    _check_representable(float(min_lr), float(max_lr))
    (num_steps,) = check_step_count(num_steps=num_steps)
    if num_steps < 2:
        raise ValueError(f"num_steps must be >= 2, got {num_steps!r}")
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    return RangeTestSchedule(float(min_lr), float(max_lr), num_steps, mode)


def _check_representable(min_lr: float, max_lr: float) -> None:
    """Rates outside JAX's default float type's normal range are refused."""
    info = np.finfo(jnp.result_type(float))
    for name, value in (("min_lr", min_lr), ("max_lr", max_lr)):
        if not float(info.tiny) <= value <= float(info.max):
            raise ValueError(
                f"{name}={value!r} cannot be represented in {info.dtype}, JAX's "
                f"default float type (normal numbers from {info.tiny:.3g} to "
                f"{info.max:.3g}); enable jax_enable_x64 for float64 rates"
            )


@dataclasses.dataclass(frozen=True, eq=False)
class RangeTestResult:
    """The curve of a range test, one entry per step (host NumPy arrays).

    Attributes:
      learning_rates: ``(num_steps,)``, the rate of each step's update.
      losses: ``(num_steps,)``, the loss of each step's batch at the
        parameters before that step's update; NaN after ``diverged_at``.
      smoothed_losses: ``(num_steps,)``, fastai's bias-corrected exponential
        moving average of ``losses``; NaN after ``diverged_at``.
      diverged_at: the first step whose loss is not finite or whose smoothed
        loss exceeds ``divergence_factor`` times the lowest so far; ``None``
        if none did.
      aux: ``loss_fn``'s aux pytree with a leading axis of ``num_steps``, or
        ``None`` without ``has_aux``. Floating leaves are NaN after
        ``diverged_at``; others (integers, bools) are kept, computed at the
        frozen parameters.
    """

    learning_rates: np.ndarray
    losses: np.ndarray
    smoothed_losses: np.ndarray
    diverged_at: int | None
    aux: Any = None

    def suggest(self, rule: str = "steepest") -> float:
        """A learning rate read off the smoothed curve, by fastai's rules.

        The rules of fastai's ``Learner.lr_find`` (``fastai.callback.schedule``:
        ``steep``, ``valley``, ``minimum``), on the smoothed losses. As
        ``lr_find`` does, the first tenth of the steps is skipped (the average
        is still warming up there); fastai also drops its last 5 steps, the
        blow-up its sweep stops on, where this drops everything from
        ``diverged_at`` on.

        * ``"steepest"``: the rate at the start of the steepest fall, the most
          negative ``diff(loss) / diff(log(lr))`` between neighbouring steps.
        * ``"valley"``: the longest strictly falling run of losses (a
          subsequence, fastai's dynamic programme); with ``end`` its last step,
          ``start = end - length`` and ``s = (end - start) / 3``, the rate at
          step ``start + floor(s) + floor(s / 2)`` (at least 0): fastai's
          index arithmetic, about half way along the valley's steps (fastai's
          docs, crediting ESRI, say "roughly 2/3 through").
        * ``"minimum"``: the rate at the lowest loss, divided by 10.

        Returns:
          The rate, a Python float.

        Raises:
          ValueError: an unknown ``rule``, or fewer than two stable steps.

        Example:
          >>> lrs = np.geomspace(1e-3, 1.0, 10)
          >>> losses = np.array([9, 9, 8.9, 8.5, 7, 4, 2.5, 2.4, 2.3, 6.0])
          >>> result = RangeTestResult(lrs, losses, losses, diverged_at=None)
          >>> [round(result.suggest(rule), 4) for rule in RULES]
          [0.0215, 0.01, 0.0464]
        """
        if rule not in RULES:
            raise ValueError(f"rule must be one of {RULES}, got {rule!r}")
        lrs, losses = self._stable()
        if rule == "steepest":
            slopes = np.diff(losses) / np.diff(np.log(lrs))
            return float(lrs[np.argmin(slopes)])
        if rule == "minimum":
            return float(lrs[np.argmin(losses)] / 10)
        return float(lrs[_valley(losses)])

    def clr_bounds(self) -> tuple[float, float]:
        """``(base_lr, max_lr)`` for a cyclical schedule, after Smith (2017).

        Smith (section 3.3) takes ``max_lr`` where the accuracy "slows,
        becomes ragged, or starts to fall", that is where the loss stops
        falling, and, by his rule of thumb, ``base_lr`` at 1/3 or 1/4 of it.
        Here:

        * ``max_lr`` is the rate at the lowest point of the loss's running
          median (centred, over ``2 * max(1, num_steps // 20) + 1`` steps,
          windows padded with the end values), over the steps before
          ``diverged_at``, or at the lowest smoothed loss if that comes
          first. The exponential average lags the losses by up to
          ``smoothing / (1 - smoothing)`` steps (49 for 0.98), so its minimum
          can fall past the rate at which training blows up; a centred
          median has no lag, and ignores the odd noisy batch. The rate is
          where the smoothed loss still falls, and before any divergence.
        * ``base_lr = max_lr / BASE_LR_FACTOR`` (4, the wider of Smith's two
          bands).

        Returns:
          ``(base_lr, max_lr)``, Python floats, ``base_lr < max_lr``.

        Raises:
          ValueError: fewer than two steps before ``diverged_at``.

        Example:
          >>> lrs = np.geomspace(1e-3, 1.0, 10)
          >>> losses = np.array([9, 9, 8.9, 8, 5, 3, 2.5, 2.4, 3, 6.0])
          >>> smoothed = np.array([9, 9, 9, 8.8, 8, 7, 6, 5, 4.5, 4.6])
          >>> result = RangeTestResult(lrs, losses, smoothed, diverged_at=None)
          >>> [round(rate, 4) for rate in result.clr_bounds()]
          [0.025, 0.1]
        """
        stop = self._stop()
        half = max(1, len(self.losses) // 20)
        padded = np.pad(self.losses[:stop], half, mode="edge")
        trend = np.median(sliding_window_view(padded, 2 * half + 1), axis=1)
        lowest = min(np.argmin(trend), np.argmin(self.smoothed_losses[:stop]))
        max_lr = float(self.learning_rates[lowest])
        return max_lr / BASE_LR_FACTOR, max_lr

    def _stop(self) -> int:
        """The number of steps before divergence, at least 2."""
        stop = len(self.losses) if self.diverged_at is None else self.diverged_at
        if stop >= 2:
            return stop
        lr = self.learning_rates[stop]
        problem = f"the sweep diverged at step {stop} (lr={lr}): too few stable steps"
        if (self.losses[: stop + 1] < 0).any():
            raise ValueError(
                f"{problem}, and a loss is negative: the divergence rule assumes "
                "losses >= 0; run lr_range_test with divergence_factor="
                "float('inf') or shift the loss to be >= 0"
            )
        raise ValueError(f"{problem} to read a rate from; lower min_lr")

    def _stable(self) -> tuple[np.ndarray, np.ndarray]:
        """Rates and smoothed losses before divergence, less fastai's first tenth."""
        stop, skip = self._stop(), len(self.losses) // 10
        start = skip if stop - skip >= 2 else 0
        return self.learning_rates[start:stop], self.smoothed_losses[start:stop]


def _valley(losses: np.ndarray) -> int:
    """fastai's ``valley`` index: about half way along the longest fall."""
    longest = np.ones(len(losses), dtype=int)  # longest falling run ending here
    for i in range(1, len(losses)):
        longest[i] = 1 + longest[:i][losses[:i] > losses[i]].max(initial=0)
    end = int(np.argmax(longest))  # the first of the longest, as fastai's loop
    start = end - int(longest[end])  # fastai's: one before the run can start
    third = (end - start) / 3
    return max(start + int(third) + int(third / 2), 0)


def lr_range_test(
    loss_fn: Callable[..., Any],
    params: Any,
    batches: Any,
    *,
    min_lr: float,
    max_lr: float,
    num_steps: int | None = None,
    mode: str = "exponential",
    optimizer: Callable[[optax.Schedule], optax.GradientTransformation] = optax.sgd,
    smoothing: float = 0.98,
    divergence_factor: float = 4.0,
    has_aux: bool = False,
    progress: bool = True,
) -> RangeTestResult:
    """Smith's learning-rate range test (arXiv:1506.01186, section 3.3).

    Trains from ``params`` for ``num_steps`` steps, one batch each, with
    ``optimizer(schedule)`` while the rate rises from ``min_lr`` to ``max_lr``
    (see :func:`range_test_schedule`), and records each step's loss. The loss
    is smoothed as fastai's ``LRFinder`` does (its ``AvgSmoothLoss``), with
    ``beta = smoothing`` and ``i`` the 0-based step::

        average = beta * average + (1 - beta) * loss     # average starts at 0
        smoothed = average / (1 - beta ** (i + 1))       # bias correction

    Step ``i`` diverges, as in fastai, when its loss is not finite or
    ``smoothed > divergence_factor * min(smoothed[: i + 1])``; the rule
    assumes losses >= 0, such as a cross-entropy or a squared error: a curve
    with a negative loss before divergence is refused (ValueError) unless
    ``divergence_factor`` is ``inf``, which counts only non-finite losses and
    reads any curve. fastai stops at divergence; here the sweep runs on, but
    from the diverging step on the parameters and optimizer state are frozen
    (that step's update is not applied) and every later loss, smoothed loss
    and floating aux entry is NaN, so one compiled step serves the whole
    sweep.

    The sweep is a Python loop of one jitted step, with the batches and the
    sweep's state on the device, and one transfer of the curve at the end: a
    step costs about what a plain jitted training step costs (``make bench``
    measures the ratio). A sweep whose steps take longer than
    ``PROGRESS_SECONDS`` (5 s; its compilation not counted) prints a line
    every 5 s to stderr: steps done, the current rate and loss, unless
    ``progress=False``.

    A call compiles again only for a new ``loss_fn``, ``optimizer``, ``has_aux``,
    schedule (``min_lr``, ``max_lr``, ``num_steps``, ``mode``) or new array
    shapes and types; ``smoothing`` and ``divergence_factor`` are traced.
    Functions are compared by identity, so define ``loss_fn`` and
    ``optimizer`` once (a new lambda or ``functools.partial`` per call
    compiles per call). ``params`` is neither donated nor changed.

    Args:
      loss_fn: ``loss_fn(params, batch)``, a scalar float loss, or ``(loss,
        aux)`` with ``has_aux=True``; written in ``jax.numpy``.
      params: the starting parameters, any pytree of arrays.
      batches: a pytree whose leaves share a leading axis, one batch per step;
        NumPy or JAX arrays.
      min_lr: the first rate, > 0.
      max_lr: the last rate, > ``min_lr``.
      num_steps: steps to run, >= 2; the first ``num_steps`` batches are used.
        Defaults to all of them. More than there are batches is an error.
      mode: ``"exponential"`` (geometric, Smith's and fastai's default
        sweep) or ``"linear"``.
      optimizer: called once with the schedule, returns an
        ``optax.GradientTransformation``; e.g. ``optax.sgd``, ``optax.adam``,
        or ``functools.partial(optax.sgd, momentum=0.9)``.
      smoothing: the average's ``beta``, in ``[0, 1)``; 0 smooths nothing.
        fastai's 0.98 lags by up to ``beta / (1 - beta)`` = 49 steps.
      divergence_factor: > 1; fastai's 4. ``inf`` counts only non-finite
        losses (use it for losses that can be negative).
      has_aux: whether ``loss_fn`` returns ``(loss, aux)``.
      progress: whether a long sweep prints its progress (see above).

    Returns:
      A :class:`RangeTestResult` of NumPy arrays, ``(num_steps,)`` each, in
      the loss's float type (the rates in float32 for the default int32
      step).

    Raises:
      ValueError: naming the argument and its value, for ``min_lr <= 0``,
        ``max_lr <= min_lr``, fewer than 2 steps or batches, more steps than
        batches, batch leaves whose leading axes differ, ``smoothing`` outside
        ``[0, 1)``, ``divergence_factor <= 1`` or an unknown ``mode``; and,
        after the sweep, a negative loss before divergence with a finite
        ``divergence_factor`` (the message names the step and the loss).

    Example:
      SGD on ``2 * |p - batch|**2`` (curvature ``a = 4``) converges for rates
      below ``2 / a = 0.5`` and blows up above:

      >>> import jax.numpy as jnp
      >>> rng = np.random.default_rng(0)
      >>> batches = np.float32(1 + 0.1 * rng.normal(size=(100, 3)))
      >>> def loss_fn(p, batch):
      ...     return 2.0 * jnp.sum((p - batch) ** 2)
      >>> result = lr_range_test(
      ...     loss_fn, jnp.zeros(3), batches, min_lr=1e-3, max_lr=10.0
      ... )
      >>> step = result.diverged_at
      >>> step, round(float(result.learning_rates[step]), 3)
      (73, 0.89)
      >>> [round(rate, 3) for rate in result.clr_bounds()]
      [0.018, 0.072]
      >>> round(result.suggest("valley"), 4)
      0.0453
      >>> result.losses[step + 1], result.losses.shape
      (np.float32(nan), (100,))
    """
    length = batch_count(batches)
    num_steps = length if num_steps is None else num_steps
    schedule = range_test_schedule(min_lr, max_lr, num_steps, mode)
    if schedule.num_steps > length:
        raise ValueError(
            f"num_steps must be <= the {length} batches, got {schedule.num_steps}"
        )
    if not 0 <= smoothing < 1:
        raise ValueError(f"smoothing must be in [0, 1), got {smoothing!r}")
    if not divergence_factor > 1:
        raise ValueError(f"divergence_factor must be > 1, got {divergence_factor!r}")
    curve = sweep(
        params,
        batches,
        float(smoothing),
        float(divergence_factor),
        progress,
        loss_fn=loss_fn,
        optimizer=optimizer,
        schedule=schedule,
        has_aux=has_aux,
    )
    rates, losses, smoothed, aux, diverged = curve
    diverged_at = int(np.argmax(diverged)) if diverged.any() else None
    check_nonnegative(losses, diverged_at, divergence_factor)
    return RangeTestResult(
        learning_rates=rates,
        losses=losses,
        smoothed_losses=smoothed,
        diverged_at=diverged_at,
        aux=aux if has_aux else None,
    )


def plot_range_test(
    result: RangeTestResult, ax: Any = None, rule: str = "steepest"
) -> Any:
    """Draws a range test: loss against learning rate, on a log rate axis.

    The raw losses faint, the smoothed ones solid, the suggestion of ``rule``
    (see :meth:`RangeTestResult.suggest`) a dotted line, the
    :meth:`~RangeTestResult.clr_bounds` a shaded band and the divergence a
    dashed red line. The loss axis spans the curve before divergence, so the
    blow-up does not flatten it. Needs matplotlib, imported here (it is not a
    dependency of the package).

    Args:
      result: what :func:`lr_range_test` returned.
      ax: the ``matplotlib.axes.Axes`` to draw on; a new figure's by default.
      rule: the suggestion rule to mark.

    Returns:
      The ``Axes``.

    Raises:
      ValueError: an unknown ``rule``, or fewer than two steps before the
        divergence.
    """
    try:
        import matplotlib.pyplot as plt
    except ModuleNotFoundError as error:
        raise ModuleNotFoundError(
            "plot_range_test needs matplotlib, part of the package's 'guide' "
            "extra: pip install matplotlib"
        ) from error

    if ax is None:
        _, ax = plt.subplots()
    lrs, stop = result.learning_rates, result._stop()
    suggestion, (base_lr, max_lr) = result.suggest(rule), result.clr_bounds()
    ax.plot(lrs, result.losses, alpha=0.3, label="loss")
    ax.plot(lrs, result.smoothed_losses, color="C0", label="smoothed loss")
    ax.axvline(suggestion, color="C1", ls=":", label=f"{rule}: {suggestion:.3g}")
    ax.axvspan(
        base_lr, max_lr, color="C2", alpha=0.2, label=f"CLR {base_lr:.3g}-{max_lr:.3g}"
    )
    if result.diverged_at is not None:
        diverged = lrs[result.diverged_at]
        ax.axvline(diverged, color="red", ls="--", label=f"diverged: {diverged:.3g}")
    low = np.min(result.losses[:stop])
    high = np.max(result.smoothed_losses[:stop])
    margin = 0.05 * (high - low) or 1.0  # a flat curve still gets a band
    ax.set_ylim(low - margin, high + margin)
    ax.set_xscale("log")
    ax.set_xlabel("learning rate")
    ax.set_ylabel("loss")
    ax.legend()
    return ax
