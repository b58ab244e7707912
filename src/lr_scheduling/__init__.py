"""Learning-rate schedules for JAX and Optax, the LR range test, and the
training code of the guide."""

from lr_scheduling.range_test import RangeTestResult, lr_range_test, plot_range_test
from lr_scheduling.schedules import (
    create_triangular_schedule,
    cycle_position,
    cyclical_momentum_schedule,
    cyclical_schedule,
)

__all__ = [
    "RangeTestResult",
    "create_triangular_schedule",
    "cycle_position",
    "cyclical_momentum_schedule",
    "cyclical_schedule",
    "lr_range_test",
    "plot_range_test",
]
