"""Learning-rate and momentum schedules as pure functions of the step.

Every factory here validates its arguments when it is called and returns an
Optax schedule, ``step -> learning rate``, that works eagerly on Python ints,
on arrays of steps, and under ``jax.jit`` and ``jax.vmap``.

The position inside a cycle is found with integer arithmetic before anything is
converted to floating point. A float32 step loses integer precision above
2**24, so ``step / period`` computed in floats would drift; ``step % period``
computed in integers does not. The integer type is wide enough for both the
step and the period, so a narrow step (``int8``, ``uint16``) never wraps.

A rate has the float type that Optax's own schedules give for the same step,
the type of ``step / period`` in ``jax.numpy``: an integer step of up to 32 bits
gives float32, even under x64, and a 64-bit one float64; a float32 or float64
step keeps its type (float16 and bfloat16 give float32); a Python number gives
the default float type, weakly typed, so that it never widens a float32
computation. Rates and ``gamma`` given as arrays take part in type promotion as
they would in ``jax.numpy``.

One private module holds each family, and ``lr_scheduling.schedules`` (this
package) re-exports every public name; import them from here or from
``lr_scheduling``:

* ``_triangular``: :func:`create_triangular_schedule` (Smith 2017);
* ``_cyclical``: :func:`cyclical_schedule` and
  :func:`cyclical_momentum_schedule` (PyTorch's ``CyclicLR``);
* ``_one_cycle``: :func:`one_cycle_schedule` and
  :func:`one_cycle_momentum_schedule` (``OneCycleLR``);
* ``_warm_restarts``: :func:`warm_restarts_schedule` (SGDR,
  ``CosineAnnealingWarmRestarts``);
* ``_wsd``: :func:`wsd_schedule` (warmup-stable-decay);

and four are shared: ``_steps`` reads every step (:func:`cycle_position`),
``_checks`` checks every argument (:func:`check_rate_bounds`,
:func:`check_step_count`), ``_value`` makes schedules values (equality and
hashing), and ``_anneal`` holds the shapes one-cycle, SGDR and WSD anneal
along.

A new schedule goes in a module of its own, with its names added to
``__all__`` below and to the test registry (``tests/schedule_registry.py``),
whose tests fail for a public schedule it lacks.
"""

from lr_scheduling.schedules._checks import check_rate_bounds, check_step_count
from lr_scheduling.schedules._cyclical import (
    MODES,
    SCALE_MODES,
    CyclicalMomentumSchedule,
    CyclicalSchedule,
    CyclicalWave,
    cyclical_momentum_schedule,
    cyclical_schedule,
)
from lr_scheduling.schedules._one_cycle import (
    ANNEAL_STRATEGIES,
    OneCycleMomentumSchedule,
    OneCyclePhases,
    OneCycleSchedule,
    one_cycle_momentum_schedule,
    one_cycle_schedule,
)
from lr_scheduling.schedules._steps import cycle_position
from lr_scheduling.schedules._triangular import (
    TriangularSchedule,
    create_triangular_schedule,
)
from lr_scheduling.schedules._warm_restarts import (
    WarmRestartsSchedule,
    warm_restarts_schedule,
)
from lr_scheduling.schedules._wsd import DECAY_SHAPES, WSDSchedule, wsd_schedule

__all__ = [
    "ANNEAL_STRATEGIES",
    "DECAY_SHAPES",
    "MODES",
    "SCALE_MODES",
    "CyclicalMomentumSchedule",
    "CyclicalSchedule",
    "CyclicalWave",
    "OneCycleMomentumSchedule",
    "OneCyclePhases",
    "OneCycleSchedule",
    "TriangularSchedule",
    "WSDSchedule",
    "WarmRestartsSchedule",
    "check_rate_bounds",
    "check_step_count",
    "create_triangular_schedule",
    "cycle_position",
    "cyclical_momentum_schedule",
    "cyclical_schedule",
    "one_cycle_momentum_schedule",
    "one_cycle_schedule",
    "warm_restarts_schedule",
    "wsd_schedule",
]
