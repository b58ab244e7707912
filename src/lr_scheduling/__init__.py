"""Learning-rate schedules for JAX and Optax, and the training code of the guide."""

from lr_scheduling.schedules import (
    create_triangular_schedule,
    cycle_position,
    cyclical_schedule,
)

__all__ = ["create_triangular_schedule", "cycle_position", "cyclical_schedule"]
