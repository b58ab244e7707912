"""The device checks: the guide's code on whatever ``jax.devices()`` offers,
compared with exact values and with the CPU. ``make device-check`` runs them.

On a GPU or TPU machine the default device is the accelerator; without one it
is the CPU, every test still runs and compares the CPU with itself, and the
report header says so. Tolerances and sizes are pytest options (``pytest
tests/device --help``, group "device checks"), e.g. a quick run::

    pytest tests/device --epochs 1 --skip-pages

The slow modules (training, the how-to pages) run only when ``tests/device``
is named on the command line, so a plain ``pytest`` (``make test``) leaves
them out; the fast ones (schedules, the helpers) run in every test run.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import jax
import pytest

HERE = Path(__file__).parent
SLOW_MODULES = {"test_device_training.py", "test_device_pages.py"}

# name: (default, type, help). Read with the `option` fixture, which falls back
# to the default where these options were not registered (a plain `pytest`).
OPTIONS: dict[str, tuple[Any, type, str]] = {
    "epochs": (10, int, "epochs of each training run"),
    "seed": (0, int, "seed of both training runs"),
    "compare-steps": (20, int, "steps whose losses are compared"),
    "loss-rtol": (1e-2, float, "relative tolerance of those losses"),
    "accuracy-points": (2.0, float, "test accuracies' tolerance, in points"),
    "rate-rtol": (1e-6, float, "relative tolerance of the rates used"),
    "schedule-rtol": (1e-6, float, "schedules on the device vs exact values"),
    "notebook-rtol": (0.25, float, "numbers printed by notebooks, device vs CPU"),
    "cell-timeout": (600, int, "seconds a notebook cell may take"),
}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("device checks", "tests/device (make device-check)")
    for name, (default, kind, text) in OPTIONS.items():
        group.addoption(f"--{name}", type=kind, default=default, help=text)
    group.addoption(
        "--matmul-precision",
        choices=["default", "high", "highest", "bfloat16", "tensorfloat32", "float32"],
        default=None,
        help="jax_default_matmul_precision for every check (TPUs default to "
        "bfloat16 passes for float32 matmuls and convolutions)",
    )
    group.addoption(
        "--skip-pages", action="store_true", help="leave out doctests and notebooks"
    )


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """The slow modules only when tests/device is named on the command line."""
    if collection_path.name not in SLOW_MODULES:
        return None
    named = any(
        HERE == path or HERE in path.parents
        for path in (Path(arg.split("::")[0]).resolve() for arg in config.args)
    )
    return None if named else True


def pytest_configure(config: pytest.Config) -> None:
    precision = config.getoption("--matmul-precision", default=None)
    if precision:
        # The environment variable reaches the doctest and notebook processes.
        os.environ["JAX_DEFAULT_MATMUL_PRECISION"] = precision
        jax.config.update("jax_default_matmul_precision", precision)


def pytest_report_header(config: pytest.Config) -> list[str]:
    device = jax.devices()[0]
    lines = [
        f"device checks: jax {jax.__version__}, default backend "
        f"{jax.default_backend()} ({device.device_kind}), devices: "
        + ", ".join(f"{d.platform}:{d.id}" for d in jax.devices())
    ]
    if device.platform == "cpu":
        lines.append(
            "device checks: no accelerator, so every check runs on the CPU and "
            "compares the CPU with itself"
        )
    return lines


@pytest.fixture(scope="session")
def option(request: pytest.FixtureRequest) -> Any:
    """``option("loss-rtol")``: the option's value, or its default."""

    def get(name: str) -> Any:
        default = OPTIONS[name][0]
        return request.config.getoption(f"--{name}", default=default)

    return get


@pytest.fixture(scope="session")
def device() -> Any:
    """The default device: the accelerator, else the CPU."""
    return jax.devices()[0]


@pytest.fixture(scope="session")
def cpu() -> Any:
    """The CPU device; the checks need the CPU backend beside the accelerator."""
    try:
        return jax.devices("cpu")[0]
    except RuntimeError as error:
        platforms = os.environ.get("JAX_PLATFORMS", "")
        pytest.fail(
            f"JAX has no CPU backend (JAX_PLATFORMS={platforms!r}), which the "
            f"comparisons need: {error}"
        )


@pytest.fixture(scope="session")
def accelerated(device: Any) -> bool:
    return device.platform != "cpu"
