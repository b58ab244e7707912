"""Checks that the guide's code runs on whatever JAX backend is present.

Run it on a GPU/TPU machine (``python scripts/check_accelerator.py``): it prints
the backend, checks the schedules at huge steps under jit on that device, and
trains the guide's scheduled CNN briefly on the bundled digits, checking that
the logged rates equal the schedule. Exits non-zero on any mismatch.
"""

from __future__ import annotations

import sys
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

from lr_scheduling import create_triangular_schedule  # noqa: E402
from lr_scheduling.data import load_digits  # noqa: E402
from lr_scheduling.train import train_and_evaluate  # noqa: E402


def exact(step: int, low: float, high: float, period: int) -> float:
    rise, position = (period + 1) // 2, step % period
    if position <= rise:
        fraction = Fraction(position, rise)
    else:
        fraction = Fraction(period - position, period - rise)
    return float(Fraction(low) + (Fraction(high) - Fraction(low)) * fraction)


def main() -> int:
    device = jax.devices()[0]
    print(f"backend: {jax.default_backend()} ({device.device_kind})")
    schedule = create_triangular_schedule(0.003, 0.03, 997)
    steps = [0, 498, 2**24 + 1, 2**31 - 1]
    got = jax.jit(schedule)(jnp.asarray(steps, dtype=jnp.int32))
    want = [exact(s, 0.003, 0.03, 997) for s in steps]
    schedule_ok = np.allclose(np.asarray(got), want, rtol=1e-6)
    print("schedule exact under jit:", schedule_ok)
    train_ds, test_ds = load_digits()
    _, history, metrics = train_and_evaluate(train_ds, test_ds, num_epochs=3)
    expected = create_triangular_schedule(0.01, 0.1, 22)(
        np.arange(len(history["loss"]))
    )
    rates_ok = np.allclose(history["learning_rate"], expected, rtol=1e-6)
    accuracy = float(metrics["accuracy"])
    print(f"steps: {len(history['loss'])}, test accuracy: {accuracy:.3f}")
    print("logged rates == schedule:", rates_ok)
    return 0 if schedule_ok and rates_ok else 1


if __name__ == "__main__":
    sys.exit(main())
