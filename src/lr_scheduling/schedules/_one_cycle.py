"""The 1cycle policy: PyTorch's ``OneCycleLR``, its rate and its momentum."""

from __future__ import annotations

import dataclasses
from typing import Any

import jax
import jax.numpy as jnp

from lr_scheduling.schedules import _checks
from lr_scheduling.schedules._anneal import anneal
from lr_scheduling.schedules._checks import check_rate_bounds, check_step_count
from lr_scheduling.schedules._steps import classify
from lr_scheduling.schedules._value import Value

ANNEAL_STRATEGIES = ("cos", "linear")


@dataclasses.dataclass(frozen=True, eq=False)
class OneCyclePhases(Value):
    """The phases of PyTorch's ``OneCycleLR``, shared by its rate and momentum.

    Calling it with a step and the values at the phases' boundaries (one more
    than there are phases) anneals between them as ``OneCycleLR`` does. The
    arguments are checked and normalised when it is made (see
    :func:`one_cycle_schedule`): ``pct_start`` becomes a Python float and
    ``three_phase`` a Python bool.
    """

    total_steps: int
    pct_start: float = 0.3
    anneal_strategy: str = "cos"
    three_phase: bool = False

    def __post_init__(self):
        (total,) = check_step_count(total_steps=self.total_steps)
        three_phase = _checks.flag("three_phase", self.three_phase)
        # Beyond 0.5 the second of three phases would end after the schedule.
        top = 0.5 if three_phase else 1.0
        pct_start = _checks.fraction_of_steps("pct_start", self.pct_start, top)
        _checks.choice("anneal_strategy", self.anneal_strategy, ANNEAL_STRATEGIES)
        object.__setattr__(self, "total_steps", total)
        object.__setattr__(self, "pct_start", pct_start)
        object.__setattr__(self, "three_phase", three_phase)

    @property
    def ends(self) -> tuple[float, ...]:
        """The step at which each phase ends, in float64 as ``OneCycleLR`` has them."""
        total, pct = self.total_steps, self.pct_start
        if self.three_phase:
            return (float(pct * total) - 1, float(2 * pct * total) - 2, total - 1)
        return (float(pct * total) - 1, total - 1)

    def __call__(self, step: jax.typing.ArrayLike, anchors: tuple[Any, ...]) -> Any:
        # OneCycleLR has no value past total_steps; hold the last one.
        steps = classify(step).clamp(self.total_steps - 1)
        start, pieces = 0.0, []
        for index, end in enumerate(self.ends):
            p, q = steps.fractions(start, end)
            value = anneal(
                anchors[index], anchors[index + 1], p, q, self.anneal_strategy
            )
            pieces.append((steps.below(end, inclusive=True), value))
            start = end
        # A step belongs to the first phase whose end it has not passed, and
        # to the last phase if it has passed them all.
        result = pieces[-1][1]
        for in_phase, value in reversed(pieces[:-1]):
            result = jnp.where(in_phase, value, result)
        return result


@dataclasses.dataclass(frozen=True, eq=False)
class OneCycleSchedule(Value):
    """``OneCycleLR``'s rate, a value: see :func:`one_cycle_schedule`."""

    max_lr: jax.typing.ArrayLike
    div_factor: float
    final_div_factor: float
    phases: OneCyclePhases

    def __post_init__(self):
        check_rate_bounds(zero=0.0, max_lr=self.max_lr)  # only max_lr can fail
        for name in ("div_factor", "final_div_factor"):
            factor = _checks.positive_factor(name, getattr(self, name))
            object.__setattr__(self, name, factor)

    def __call__(self, step):
        initial = self.max_lr / self.div_factor
        final = initial / self.final_div_factor
        if self.phases.three_phase:
            return self.phases(step, (initial, self.max_lr, initial, final))
        return self.phases(step, (initial, self.max_lr, final))


@dataclasses.dataclass(frozen=True, eq=False)
class OneCycleMomentumSchedule(Value):
    """``OneCycleLR``'s momentum, a value: see :func:`one_cycle_momentum_schedule`."""

    base_momentum: jax.typing.ArrayLike
    max_momentum: jax.typing.ArrayLike
    phases: OneCyclePhases

    def __post_init__(self):
        check_rate_bounds(
            base_momentum=self.base_momentum, max_momentum=self.max_momentum
        )

    def __call__(self, step):
        low, high = self.base_momentum, self.max_momentum
        if self.phases.three_phase:
            return self.phases(step, (high, low, high, high))
        return self.phases(step, (high, low, high))


def one_cycle_schedule(
    max_lr: jax.typing.ArrayLike,
    total_steps: int,
    pct_start: float = 0.3,
    anneal_strategy: str = "cos",
    div_factor: float = 25.0,
    final_div_factor: float = 1e4,
    three_phase: bool = False,
) -> OneCycleSchedule:
    r"""The 1cycle rate of PyTorch's ``OneCycleLR`` (Smith & Topin 2018).

    The 1cycle policy of Smith & Topin, "Super-Convergence: Very Fast
    Training of Neural Networks Using Large Learning Rates" (arXiv
    1708.07120), with the phases of ``torch.optim.lr_scheduler.OneCycleLR``
    (PyTorch 2.13): from ``initial_lr = max_lr / div_factor`` up to
    ``max_lr``, then down to ``min_lr = initial_lr / final_div_factor``. With
    ``T = total_steps``, the phases end at the steps

    * two phases (the default, fastai's): ``e_1 = pct_start * T - 1``
      (``initial_lr -> max_lr``), ``e_2 = T - 1`` (``max_lr -> min_lr``);
    * ``three_phase=True``: ``e_1 = pct_start * T - 1`` (``initial_lr ->
      max_lr``), ``e_2 = 2 * pct_start * T - 2`` (``max_lr -> initial_lr``),
      ``e_3 = T - 1`` (``initial_lr -> min_lr``). These are the phases of the
      paper's 1cycle, whose steps are linear: pass
      ``anneal_strategy="linear"`` for it. The default, ``"cos"``, is
      ``OneCycleLR``'s, for three phases too,

    computed in float64 as ``OneCycleLR`` does, so that a boundary such as
    ``0.3 * 100 - 1 = 29.000000000000004`` falls where it does there. A step
    belongs to the first phase whose end it has not passed (the last phase if
    it has passed them all), and with ``p = (step - e_{i-1}) / (e_i -
    e_{i-1})`` (``e_0 = 0``) it anneals from the phase's start value ``a`` to
    its end value ``b``:

    .. math::

      \text{cos:}\quad b + \frac{a - b}{2} (1 + \cos \pi p) \qquad
      \text{linear:}\quad a + (b - a)\, p

    Phase boundaries are found with integer comparisons and ``p`` from
    integer differences, so an integer step of any type is placed exactly;
    the values are accurate to a few float32 units in the last place, also
    near ``min_lr`` (the cosine is evaluated as ``sin**2`` of the smaller of
    ``p`` and ``1 - p``).

    Differences from ``OneCycleLR``, all deliberate:

    * Steps past the end. ``OneCycleLR`` computes one more value at step
      ``total_steps`` by extending the last phase (below ``min_lr``; negative
      for ``"linear"``) and raises past it. Here every step from ``total_steps
      - 1`` on has the value of step ``total_steps - 1``, ``min_lr``, and
      negative steps (which never raise) that of step 0, ``initial_lr``, so
      every step's rate is within ``[min_lr, max_lr]``.
    * Arguments. ``pct_start`` may be any real number (``OneCycleLR`` takes
      only a Python float) but must be within ``[0, 1]``, and within ``[0,
      0.5]`` for ``three_phase``, where ``OneCycleLR`` accepts more and never
      reaches its third phase. ``max_lr`` must be finite and ``>= 0``, the
      factors finite and ``> 0``.
    * A first phase of no length (``pct_start * total_steps == 1``) raises
      ``ZeroDivisionError`` at step 0 in ``OneCycleLR``; here step 0 is its end,
      ``max_lr``.
    * Interface. One ``max_lr`` (an array broadcasts against the step; a
      traced one lets ``jax.vmap`` or ``jax.grad`` run over it), not one per
      parameter group, and no ``epochs``/``steps_per_epoch``: pass their
      product as ``total_steps``. The momentum is
      :func:`one_cycle_momentum_schedule`.

    Arguments are checked when the schedule is made and a bad one raises
    ``ValueError`` naming it; ``total_steps`` must be a static integer. The
    rate has the float type of :func:`create_triangular_schedule`'s (that of
    ``step / n`` in ``jax.numpy``, as Optax's schedules): float32 for an int32
    step, also under x64. Gradients with respect to ``max_lr`` and a float
    step are finite at every step; at a phase boundary the step's is that of
    the phase the step belongs to.

    Args:
      max_lr: the peak rate, reached at the end of the first phase.
      total_steps: the number of steps in the cycle, ``>= 1``.
      pct_start: the fraction of the steps spent rising, in ``[0, 1]``.
      anneal_strategy: ``"cos"`` or ``"linear"``.
      div_factor: ``initial_lr = max_lr / div_factor``.
      final_div_factor: ``min_lr = initial_lr / final_div_factor``.
      three_phase: fall back to ``initial_lr`` as fast as the rise, then
        anneal to ``min_lr``.

    Returns:
      A :class:`OneCycleSchedule`, a schedule ``step -> learning rate``, with
      values in ``[min_lr, max_lr]`` and the shape of ``step`` broadcast with
      ``max_lr``. Schedules are values: equal arguments give equal, hashable,
      picklable schedules.

    Example:
      >>> schedule = one_cycle_schedule(0.1, total_steps=10, pct_start=0.3)
      >>> [round(float(schedule(step)), 5) for step in range(10)]
      [0.004, 0.052, 0.1, 0.09505, 0.08117, 0.06113, 0.03887, 0.01883, 0.00495, 0.0]
      >>> print(schedule(9), schedule(10**12))  # min_lr = 0.1 / 25 / 1e4, held
      4e-07 4e-07
      >>> linear = one_cycle_schedule(
      ...     1.0, 5, 0.4, "linear", div_factor=2.0, three_phase=True
      ... )
      >>> [round(float(linear(step)), 4) for step in range(6)]
      [0.5, 1.0, 0.5, 0.25, 0.0, 0.0]
    """
    phases = OneCyclePhases(total_steps, pct_start, anneal_strategy, three_phase)
    return OneCycleSchedule(max_lr, div_factor, final_div_factor, phases)


def one_cycle_momentum_schedule(
    total_steps: int,
    base_momentum: jax.typing.ArrayLike = 0.85,
    max_momentum: jax.typing.ArrayLike = 0.95,
    pct_start: float = 0.3,
    anneal_strategy: str = "cos",
    three_phase: bool = False,
) -> OneCycleMomentumSchedule:
    r"""The momentum that PyTorch's ``OneCycleLR`` cycles against the rate.

    With ``cycle_momentum=True`` (its default), ``OneCycleLR`` moves the
    momentum (SGD's ``momentum``, or Adam's ``beta1``) the other way from the
    rate, through the same phases (see :func:`one_cycle_schedule`): from
    ``max_momentum`` down to ``base_momentum`` while the rate rises, back up
    to ``max_momentum`` while it falls, and (``three_phase``) constant at
    ``max_momentum`` in the third phase. Smith, "A disciplined approach to
    neural network hyper-parameters: Part 1" (2018, arXiv:1803.09820), and
    Smith & Topin (arXiv:1708.07120) cycle the momentum so.
    Use it through ``optax.inject_hyperparams``, as SGD's ``momentum`` or
    Adam's ``b1``, with a :func:`one_cycle_schedule` of the same
    ``total_steps``, ``pct_start``, ``anneal_strategy`` and ``three_phase``.

    Steps past the end, negative steps (the value of step 0,
    ``max_momentum``), gradients and the arguments are treated as in
    :func:`one_cycle_schedule`; the momenta as rates are (finite, ``>= 0``,
    ``base_momentum <= max_momentum``; ``OneCycleLR`` checks none of this),
    and a bad argument raises ``ValueError`` naming it.
    The value's float type is that of :func:`one_cycle_schedule`.

    Args:
      total_steps: the number of steps in the cycle, ``>= 1``.
      base_momentum: the momentum at the rate's peak.
      max_momentum: the momentum at the start and the end.
      pct_start, anneal_strategy, three_phase: as for
        :func:`one_cycle_schedule`.

    Returns:
      A :class:`OneCycleMomentumSchedule`, ``step -> momentum``, with values
      in ``[base_momentum, max_momentum]``.

    Example:
      >>> momentum = one_cycle_momentum_schedule(10, 0.85, 0.95)
      >>> [round(float(momentum(step)), 4) for step in range(10)]
      [0.95, 0.9, 0.85, 0.855, 0.8688, 0.8889, 0.9111, 0.9312, 0.945, 0.95]
      >>> import optax
      >>> tx = optax.inject_hyperparams(optax.adam)(
      ...     learning_rate=one_cycle_schedule(0.01, 10), b1=momentum
      ... )
    """
    phases = OneCyclePhases(total_steps, pct_start, anneal_strategy, three_phase)
    return OneCycleMomentumSchedule(base_momentum, max_momentum, phases)
