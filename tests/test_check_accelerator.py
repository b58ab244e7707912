"""scripts/check_accelerator.py: runs on the CPU backend, and catches mismatches.

The quick runs train one epoch on each "device" (both the CPU here) and leave
out the how-to pages, whose full run (a few minutes) is checked by hand on an
accelerator (README: Checking on a GPU or TPU).
"""

from __future__ import annotations

import dataclasses
import doctest
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "check_accelerator.py"
QUICK = ["--skip-doctest", "--skip-notebooks", "--epochs", "1", "--timing-steps", "5"]


def load_script():
    spec = importlib.util.spec_from_file_location("check_accelerator", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


check_accelerator = load_script()
TrainingRun = check_accelerator.TrainingRun


def run_script(*arguments: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "JAX_PLATFORMS": "cpu"}  # the CPU even on a GPU machine
    return subprocess.run(
        [sys.executable, str(SCRIPT), *arguments],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def test_quick_run_on_cpu_passes():
    done = run_script(*QUICK)
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    assert "backend: cpu, device kind: cpu" in out
    assert "no accelerator: the default device is the CPU" in out
    step_times = re.findall(r"median step time (\d+\.\d+) ms", out)
    accuracies = re.findall(
        r"test accuracy (\d+\.\d+)% after 1 epochs \(44 steps\)", out
    )
    assert len(step_times) == 2 and all(float(t) > 0 for t in step_times), out
    # The same seed on the same device: the same training, to the bit.
    assert len(accuracies) == 2 and accuracies[0] == accuracies[1], out
    assert 80 < float(accuracies[0]) <= 100, out
    assert re.search(r"OK  loss curve, first 20 steps: max relative difference 0 ", out)
    assert "[doctest]" not in out and "[notebooks]" not in out
    assert re.search(r"^  OK  triangular, jit on cpu", out, re.MULTILINE), out
    assert "FAIL" not in out
    assert out.splitlines()[-1] == "OK: all 8 checks passed on cpu (cpu)"


def test_summary_line_and_exit_status(capsys):
    device = check_accelerator.jax.devices()[0]
    where = f"{device.platform} ({device.device_kind})"
    good = check_accelerator.Check("a", True, "fine")
    bad = check_accelerator.Check("loss curve", False, "off by 3%")
    assert check_accelerator.summarize([good, good], device) == 0
    assert capsys.readouterr().out == f"OK: all 2 checks passed on {where}\n"
    assert check_accelerator.summarize([good, bad], device) == 1
    last = capsys.readouterr().out.splitlines()[-1]
    assert last == f"MISMATCH: 1 of 2 checks failed on {where}: loss curve"


def test_missing_package_is_named_with_exit_status_2():
    # -S: no site-packages, so neither jax nor lr_scheduling can be imported.
    done = subprocess.run(
        [sys.executable, "-I", "-S", str(SCRIPT)], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert "error: cannot import jax" in done.stderr
    assert "make html" in done.stderr and "Traceback" not in done.stderr


def test_without_a_cpu_backend_exits_2():
    # Only CUDA: no CPU to compare with here, nor (with no GPU) a default backend.
    env = {**os.environ, "JAX_PLATFORMS": "cuda"}
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--skip-doctest", "--skip-notebooks"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "error: JAX cannot start its default backend and its cpu one" in done.stderr
    assert "JAX_PLATFORMS='cuda'" in done.stderr


def test_bad_epochs_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        check_accelerator.parse_arguments(["--epochs", "0"])
    assert exit_.value.code == 2
    assert "argument --epochs: must be at least 1, got 0" in capsys.readouterr().err


def test_reference_seed_defaults_to_seed():
    options = check_accelerator.parse_arguments(["--seed", "3"])
    assert (options.seed, options.reference_seed) == (3, 3)
    options = check_accelerator.parse_arguments(["--reference-seed", "1"])
    assert (options.seed, options.reference_seed) == (0, 1)


def make_run(**changes) -> TrainingRun:
    """A run of 30 steps with made-up but plausible values."""
    run = TrainingRun(
        "cpu:0 (cpu)",
        np.linspace(2.3, 0.3, 30, dtype=np.float32),
        RATES.astype(np.float32),
        0.95,
        1.0,
    )
    return dataclasses.replace(run, **changes)


RATES = np.array(
    [check_accelerator.exact_triangular(s, 0.01, 0.1, 10) for s in range(30)]
)
NAMES = [
    "loss curve, first 20 steps",
    "test accuracy",
    "rates used == schedule, device run",
    "rates used == schedule, CPU run",
]


def failing(device: TrainingRun, cpu: TrainingRun | None = None) -> list[str]:
    checks = check_accelerator.compare_runs(device, cpu or make_run(), RATES)
    assert [check.name for check in checks] == NAMES
    return [check.name for check in checks if not check.ok]


def shifted_losses(step: int, factor: float) -> np.ndarray:
    losses = make_run().losses.copy()
    losses[step] *= factor
    return losses


def test_equal_runs_pass():
    assert failing(make_run()) == []


def test_loss_within_rtol_passes_and_beyond_fails():
    assert failing(make_run(losses=shifted_losses(19, 1.009))) == []
    assert failing(make_run(losses=shifted_losses(19, 1.011))) == [NAMES[0]]
    assert failing(make_run(losses=shifted_losses(3, 0.98))) == [NAMES[0]]


def test_losses_after_the_compared_steps_may_differ():
    assert failing(make_run(losses=shifted_losses(20, 2.0))) == []


def test_nan_loss_fails():
    assert failing(make_run(losses=shifted_losses(0, np.nan))) == [NAMES[0]]


def test_different_step_counts_fail():
    shorter = make_run(losses=make_run().losses[:25])
    assert failing(shorter) == [NAMES[0]]


def test_accuracy_within_points_passes_and_beyond_fails():
    assert failing(make_run(accuracy=0.935)) == []  # 1.5 points
    assert failing(make_run(accuracy=0.925)) == [NAMES[1]]  # 2.5 points
    assert failing(make_run(), make_run(accuracy=0.975)) == [NAMES[1]]


def test_a_wrong_rate_fails_for_that_run():
    rates = RATES.astype(np.float32).copy()
    rates[7] *= 1.0001
    assert failing(make_run(rates=rates)) == [NAMES[2]]
    assert failing(make_run(), make_run(rates=rates)) == [NAMES[3]]
    assert failing(make_run(rates=rates[:-1])) == [NAMES[2]]


def test_tolerance_is_configurable():
    run = make_run(losses=shifted_losses(19, 1.05), accuracy=0.90)
    loose = check_accelerator.Tolerance(loss_rtol=0.06, accuracy_points=5.5)
    checks = check_accelerator.compare_runs(run, make_run(), RATES, loose)
    assert all(check.ok for check in checks)


@pytest.mark.parametrize(
    ("device", "cpu", "agree"),
    [
        ("diverged at step 151 lr 1.57", "diverged at step 150 lr 1.49", True),
        ("diverged at step 151 lr 1.97", "diverged at step 150 lr 1.49", False),
        (
            "bounds: base_lr=0.03, max_lr=0.12",
            "bounds: base_lr=0.03, max_lr=0.12",
            True,
        ),
        ("[0.1  0.22]\n", "[0.1 0.2]\n", True),  # NumPy's padding
        ("[0.1 0.2]", "[0.1 0.2 0.3]", False),
        ("valley: 0.01", "minimum: 0.01", False),
        ("loss nan", "loss nan", True),
        ("loss nan", "loss 2.3", False),
        ("loss -inf", "loss inf", False),
        ("1e-4", "0.0001", True),
        ("<Figure at 0x7f3a2b9c>", "<Figure at 0x7e01d4f0>", True),
    ],
)
def test_compare_printed(device, cpu, agree):
    problem = check_accelerator.compare_printed(device, cpu, rtol=0.25)
    assert (problem is None) == agree, problem


def test_howto_pages_are_every_page_under_howtos():
    found = check_accelerator.howto_pages()
    on_disk = sorted(
        path
        for path in (REPO / "howtos").rglob("*")
        if path.suffix in {".rst", ".md", ".ipynb"} and "figures" not in path.parts
    )
    assert found == on_disk
    assert REPO / "howtos" / "lr_schedule.rst" in found


def test_sphinx_warnings_in_howto_pages_are_told_apart():
    plot = (
        f"{REPO}/howtos/atlas.rst:42: WARNING: Exception occurred in plotting atlas-1"
    )
    log = "\n".join(
        [
            plot,
            "Traceback (most recent call last):",
            "ImportError: cannot import name 'x' from 'lr_scheduling'",
            f"{REPO}/index.rst:104: WARNING: toctree contains reference to nonexisting document",
            "howtos/other.md:3: ERROR: Unknown directive type",
            "WARNING: ******************",  # a failing doctest: counted from output.txt
            f"{REPO}/docs/api.rst:docstring of lr_scheduling.x:1: WARNING: duplicate",
        ]
    )
    ours, others = check_accelerator.sphinx_warnings(log)
    assert ours == [plot, "howtos/other.md:3: ERROR: Unknown directive type"]
    assert others == 2


def test_is_notebook(tmp_path):
    notebook = tmp_path / "nb.md"
    notebook.write_text(
        "---\njupytext:\n  text_representation:\n    format_name: myst\n"
        "kernelspec:\n  name: python3\n---\n\n# Title\n"
    )
    plain = tmp_path / "plain.md"
    plain.write_text("# Title\n\nText.\n")
    assert check_accelerator.is_notebook(notebook)
    assert not check_accelerator.is_notebook(plain)
    assert not check_accelerator.is_notebook(REPO / "howtos" / "lr_schedule.rst")


def test_script_docstring_examples():
    result = doctest.testmod(check_accelerator, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 8
    assert result.failed == 0
