"""Learning-rate and momentum schedules for JAX and Optax, the LR range test,
and the training code of the guide."""

from lr_scheduling.range_test import RangeTestResult, lr_range_test, plot_range_test
from lr_scheduling.rates import current_learning_rates
from lr_scheduling.schedules import (
    create_triangular_schedule,
    cycle_position,
    cyclical_momentum_schedule,
    cyclical_schedule,
    one_cycle_momentum_schedule,
    one_cycle_schedule,
    warm_restarts_schedule,
    wsd_schedule,
)

__all__ = [
    "RangeTestResult",
    "create_triangular_schedule",
    "current_learning_rates",
    "cycle_position",
    "cyclical_momentum_schedule",
    "cyclical_schedule",
    "lr_range_test",
    "one_cycle_momentum_schedule",
    "one_cycle_schedule",
    "plot_range_test",
    "warm_restarts_schedule",
    "wsd_schedule",
]
