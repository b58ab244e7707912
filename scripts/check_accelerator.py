"""Runs the guide's code on whatever ``jax.devices()`` offers and compares it
with the CPU.

On a GPU or TPU machine, with the package installed (``make html`` installs it
editable into ``.venv``)::

    .venv/bin/python scripts/check_accelerator.py          # everything
    .venv/bin/python scripts/check_accelerator.py --epochs 1 \
        --skip-doctest --skip-notebooks  # quick

Four parts, each skippable:

schedules
    The triangular schedule at huge steps (up to ``2**31 - 1``), jitted on the
    device, against exact rational values; the ``cyclical_schedule`` modes on
    the device against the same jitted code on the CPU.
training
    The guide's scheduled CNN (``lr_scheduling.train.train_and_evaluate`` on
    ``lr_scheduling.data.load_digits()``), trained once on the default device
    and once on the CPU (``jax.default_device``) from the same seed. The loss
    curves must agree over the first steps (relative ``--loss-rtol``), the
    test accuracies within ``--accuracy-points``, and the rates the optimizer
    used must be the schedule's. Prints each device's median step time.
doctest
    Sphinx's doctest builder over every page under ``howtos/`` (found as
    Sphinx finds pages, so new pages are included); a failing doctest or any
    warning located in a how-to page fails (a failing ``.. plot::`` is only a
    warning). The expected outputs on the pages were produced on a CPU and are
    rounded or thresholded: a loose comparison with the CPU.
notebooks
    Every MyST-NB notebook under ``howtos/``, its cells executed with nbclient
    on the device; any error fails. With an accelerator the notebook runs on
    the CPU too, and the numbers it prints must agree within
    ``--notebook-rtol``.

On a machine without an accelerator the default device is the CPU: every part
still runs, comparing the CPU with itself, and the script says so. Exit
status: 0 when every check passes, 1 on a mismatch, 2 when it cannot run
(package not installed, CPU backend disabled, bad arguments).
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
HOWTOS = "howtos"
INSTALL_HINT = (
    "this script needs the lr_scheduling package, with its guide extra, "
    f"installed in this Python ({sys.executable}), and it is not. Run `make "
    f"html` in {REPO} (it installs the package editable into .venv, with the "
    "site's requirements) and use .venv/bin/python, or "
    '`pip install -e ".[guide]"`.'
)

try:  # installed packages only: no sys.path edits
    import jax
    import numpy as np

    import lr_scheduling
except ModuleNotFoundError as missing:
    if __name__ != "__main__":
        raise
    print(f"error: cannot import {missing.name}: {INSTALL_HINT}", file=sys.stderr)
    sys.exit(2)

# What the how-to pages' parts need besides the package: requirements.txt.
PAGE_MODULES = {"doctest": ["sphinx", "myst_nb"], "notebooks": ["myst_nb", "nbclient"]}


@dataclasses.dataclass(frozen=True)
class Check:
    """The outcome of one comparison: a name, pass or fail, and the figures."""

    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"  {'OK ' if self.ok else 'FAIL'} {self.name}: {self.detail}"


@dataclasses.dataclass(frozen=True)
class Tolerance:
    """How closely the device's training must follow the CPU's.

    ``loss_rtol`` bounds the relative difference of the per-step training
    losses over the first ``compare_steps`` steps (later, float rounding
    differences grow chaotically); ``accuracy_points`` bounds the difference
    of the test accuracies in percentage points; ``rate_rtol`` bounds the
    relative error of each logged rate against the exact schedule.
    """

    loss_rtol: float = 1e-2
    compare_steps: int = 20
    accuracy_points: float = 2.0
    rate_rtol: float = 1e-6


@dataclasses.dataclass(frozen=True)
class TrainingRun:
    """One training of the guide's CNN, reduced to what is compared.

    ``losses`` and ``rates``: float arrays of shape ``(steps,)``, the training
    loss of each step and the learning rate ``train_step`` used;
    ``accuracy``: test accuracy in [0, 1]; ``step_ms``: median wall time of
    one jitted ``train_step`` in milliseconds.
    """

    label: str
    losses: np.ndarray
    rates: np.ndarray
    accuracy: float
    step_ms: float


def exact_triangular(step: int, low: float, high: float, period: int) -> float:
    """The triangular rate at ``step``, computed in exact rationals.

    Smith (2017), arXiv:1506.01186, with the package's convention: the rate
    rises for ``ceil(period / 2)`` steps and falls for the rest.

    >>> exact_triangular(3, 0.0, 1.0, 6), exact_triangular(2**31 - 1, 0.0, 1.0, 4)
    (1.0, 0.5)
    >>> exact_triangular(3, 0.01, 0.1, 22)  # 0.01 + 0.09 * 3 / 11
    0.034545454545454546
    """
    rise, position = (period + 1) // 2, step % period
    if position <= rise:
        fraction = Fraction(position, rise)
    else:
        fraction = Fraction(period - position, period - rise)
    return float(Fraction(low) + (Fraction(high) - Fraction(low)) * fraction)


def compare_runs(
    device: TrainingRun,
    cpu: TrainingRun,
    expected_rates: np.ndarray,
    tolerance: Tolerance = Tolerance(),
) -> list[Check]:
    """Compares a training on the device with the same training on the CPU.

    ``expected_rates`` is the schedule's exact rate for each step. Returns
    the checks: the loss curves over the first ``tolerance.compare_steps``
    steps, the test accuracies, and each run's rates against the schedule.

    >>> run = TrainingRun("cpu", np.array([2.3, 2.1]), np.array([0.01, 0.02]), 0.9, 1.0)
    >>> off = dataclasses.replace(run, losses=np.array([2.3, 2.2]))
    >>> [c.ok for c in compare_runs(off, run, np.array([0.01, 0.02]))]
    [False, True, True, True]
    """
    checks = [
        _compare_losses(device.losses, cpu.losses, tolerance),
        _compare_accuracy(device.accuracy, cpu.accuracy, tolerance.accuracy_points),
    ]
    for role, run in (("device", device), ("CPU", cpu)):
        checks.append(_compare_rates(role, run, expected_rates, tolerance.rate_rtol))
    return checks


def _relative_difference(got: np.ndarray, want: np.ndarray) -> float:
    """max |got - want| / |want|; infinite where either is not finite."""
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    if not (np.isfinite(got).all() and np.isfinite(want).all()):
        return math.inf
    scale = np.maximum(np.abs(want), np.finfo(np.float64).tiny)
    return float(np.max(np.abs(got - want) / scale, initial=0.0))


def _compare_losses(device: np.ndarray, cpu: np.ndarray, tolerance: Tolerance) -> Check:
    name = f"loss curve, first {tolerance.compare_steps} steps"
    if len(device) != len(cpu):
        return Check(
            name, False, f"{len(device)} steps on the device, {len(cpu)} on CPU"
        )
    count = min(tolerance.compare_steps, len(cpu))
    worst = _relative_difference(device[:count], cpu[:count])
    detail = (
        f"max relative difference {worst:.2g} (rtol {tolerance.loss_rtol:g}); "
        f"step {count - 1}: device {device[count - 1]:.5f}, CPU {cpu[count - 1]:.5f}"
    )
    return Check(name, worst <= tolerance.loss_rtol, detail)


def _compare_accuracy(device: float, cpu: float, points: float) -> Check:
    gap = abs(device - cpu) * 100
    ok = bool(np.isfinite(gap)) and gap <= points
    detail = (
        f"device {device:.2%}, CPU {cpu:.2%}, "
        f"{gap:.2f} points apart (at most {points:g})"
    )
    return Check("test accuracy", ok, detail)


def _compare_rates(
    role: str, run: TrainingRun, expected: np.ndarray, rtol: float
) -> Check:
    name = f"rates used == schedule, {role} run"
    if len(run.rates) != len(expected):
        return Check(name, False, f"{len(run.rates)} rates for {len(expected)} steps")
    worst = _relative_difference(run.rates, expected)
    detail = f"{len(expected)} steps, max relative error {worst:.2g} (rtol {rtol:g})"
    return Check(name, worst <= rtol, detail)


NUMBER = re.compile(
    r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|(?<![\w.])[-+]?(?:nan|inf)\b"
)


ADDRESS = re.compile(r"\b0x[0-9a-fA-F]+\b")


def compare_printed(device: str, cpu: str, rtol: float) -> str | None:
    """Compares two printouts: the text exactly, the numbers in it loosely.

    Whitespace runs count as one space (NumPy pads arrays to the widest
    number), and memory addresses in reprs (``0x7f...``) are ignored.
    Returns ``None`` when they agree, else what differs.

    >>> compare_printed("lr 0.0312, step 151", "lr 0.0305, step 150", rtol=0.05)
    >>> compare_printed("lr 0.04", "lr 0.03", rtol=0.05)
    'lr 0.04 != lr 0.03: 0.04 vs 0.03'
    """
    device, cpu = (ADDRESS.sub("0x?", text) for text in (device, cpu))
    words = [" ".join(NUMBER.sub("#", text).split()) for text in (device, cpu)]
    short = [" ".join(text.split())[:200] for text in (device, cpu)]
    if words[0] != words[1]:
        return f"{short[0]} != {short[1]}"
    for got, want in zip(NUMBER.findall(device), NUMBER.findall(cpu), strict=True):
        if not _close(float(got), float(want), rtol):
            return f"{short[0]} != {short[1]}: {got} vs {want}"
    return None


def _close(got: float, want: float, rtol: float) -> bool:
    if not (math.isfinite(got) and math.isfinite(want)):
        return got == want or (math.isnan(got) and math.isnan(want))
    return abs(got - want) <= rtol * abs(want)


# --- the device -------------------------------------------------------------


def describe(device: Any) -> str:
    """``cuda:0 (NVIDIA H200)``: platform, id and kind of a JAX device."""
    return f"{device.platform}:{device.id} ({device.device_kind})"


def devices() -> tuple[Any, Any]:
    """The default device and the CPU device; SystemExit(2) if JAX cannot
    start its default backend or has no CPU one (JAX_PLATFORMS without cpu)."""
    try:
        return jax.devices()[0], jax.devices("cpu")[0]
    except Exception as error:  # JAX raises RuntimeError, or a bare assert
        platforms = os.environ.get("JAX_PLATFORMS", "")
        print(
            f"error: JAX cannot start its default backend and its cpu one "
            f"(JAX_PLATFORMS={platforms!r}), which the comparison needs. "
            f"{type(error).__name__}: {error}",
            file=sys.stderr,
        )
        raise SystemExit(2) from None


# --- schedules --------------------------------------------------------------


def check_schedules(device: Any, cpu: Any) -> list[Check]:
    """The schedules at huge steps, jitted on ``device``, against exact values
    (triangular) and against the CPU (``cyclical_schedule``'s modes)."""
    from lr_scheduling import create_triangular_schedule, cyclical_schedule

    steps = np.array([0, 498, 996, 2**24 + 1, 2**31 - 1], dtype=np.int32)
    on_device = jax.device_put(steps, device)
    triangular = create_triangular_schedule(0.003, 0.03, 997)
    got = np.asarray(jax.jit(triangular)(on_device))
    want = [exact_triangular(int(s), 0.003, 0.03, 997) for s in steps]
    worst = _relative_difference(got, np.array(want))
    checks = [
        Check(
            f"triangular, jit on {device.platform}, steps up to 2**31 - 1",
            worst <= 1e-6,
            f"max relative error {worst:.2g} against exact rationals (rtol 1e-6)",
        )
    ]
    for mode, gamma in [
        ("triangular", 1.0),
        ("triangular2", 1.0),
        ("exp_range", 0.9999),
    ]:
        schedule = cyclical_schedule(0.001, 0.1, 2000, 3000, mode=mode, gamma=gamma)
        here = np.asarray(jax.jit(schedule)(on_device))
        there = np.asarray(jax.jit(schedule)(jax.device_put(steps, cpu)))
        worst = _relative_difference(here, there)
        checks.append(
            Check(
                f"cyclical_schedule mode={mode}, {device.platform} vs CPU",
                worst <= 1e-5,
                f"max relative difference {worst:.2g} (rtol 1e-5)",
            )
        )
    return checks


# --- training ---------------------------------------------------------------


def train(device: Any, epochs: int, seed: int, timing_steps: int) -> TrainingRun:
    """The guide's scheduled CNN trained on ``device``, and its step time."""
    from lr_scheduling.data import load_digits
    from lr_scheduling.train import train_and_evaluate

    train_ds, test_ds = load_digits()
    with jax.default_device(device):
        step_ms = median_step_ms(train_ds, timing_steps)
        state, history, metrics = train_and_evaluate(
            train_ds, test_ds, num_epochs=epochs, seed=seed
        )
    placed = {d for leaf in jax.tree.leaves(state.params) for d in leaf.devices()}
    if placed != {device}:  # would make every comparison meaningless
        raise RuntimeError(f"trained on {placed}, not on {device}")
    return TrainingRun(
        describe(device),
        np.asarray(history["loss"]),
        np.asarray(history["learning_rate"]),
        float(metrics["accuracy"]),
        step_ms,
    )


def median_step_ms(train_ds: dict, steps: int, batch_size: int = 32) -> float:
    """Median wall time (ms) of the guide's jitted ``train_step`` on the default
    device, one batch of ``batch_size`` already there, after one compiling call.

    The schedule equals ``train_and_evaluate``'s, so the compiled step is the
    one the training uses.
    """
    from lr_scheduling import create_triangular_schedule
    from lr_scheduling.train import create_train_state, train_step

    period = len(train_ds["image"]) // batch_size // 2
    schedule = create_triangular_schedule(0.01, 0.1, steps_per_cycle=period)
    image_shape = train_ds["image"].shape[1:]
    state = create_train_state(jax.random.key(0), image_shape, schedule, momentum=0.9)
    batch = jax.device_put({k: v[:batch_size] for k, v in train_ds.items()})
    times = []
    for _ in range(steps + 1):
        start = time.perf_counter()
        state, metrics = train_step(state, batch, schedule)
        jax.block_until_ready((state, metrics))
        times.append(time.perf_counter() - start)
    return float(np.median(times[1:])) * 1000


def check_training(
    device: Any, cpu: Any, options: argparse.Namespace
) -> tuple[list[TrainingRun], list[Check]]:
    runs = [
        train(device, options.epochs, options.seed, options.timing_steps),
        train(cpu, options.epochs, options.reference_seed, options.timing_steps),
    ]
    steps = len(runs[1].losses)
    period = steps // options.epochs // 2
    expected = np.array([exact_triangular(s, 0.01, 0.1, period) for s in range(steps)])
    tolerance = Tolerance(
        options.loss_rtol, options.compare_steps, options.accuracy_points
    )
    return runs, compare_runs(runs[0], runs[1], expected, tolerance)


# --- the how-to pages -------------------------------------------------------


def howto_pages() -> list[Path]:
    """Every page under ``howtos/``, found as Sphinx finds the site's pages
    (conf.py's include and exclude patterns), so new pages are included."""
    import runpy

    from sphinx.project import Project

    conf = runpy.run_path(str(REPO / "conf.py"))
    project = Project(str(REPO), [".rst", ".md", ".ipynb"])
    found = project.discover(conf["exclude_patterns"], conf["include_patterns"])
    return sorted(
        REPO / project.doc2path(name, absolute=False)
        for name in found
        if name.startswith(f"{HOWTOS}/")
    )


def is_notebook(page: Path) -> bool:
    """Whether myst-nb reads ``page`` as a notebook (``.ipynb``, MyST-NB ``.md``)."""
    from myst_nb.core.read import is_myst_markdown_notebook

    if page.suffix == ".ipynb":
        return True
    return page.suffix == ".md" and is_myst_markdown_notebook(page.read_text())


def run_doctest(pages: Sequence[Path], workdir: Path) -> Check:
    """Sphinx's doctest builder on ``pages``, in a subprocess on the default
    backend. Fails on a failing doctest and on any warning located in a how-to
    page (a failing ``.. plot::`` is only a warning); warnings elsewhere in
    the site are counted but do not fail. Notebook cells are left to the
    notebook part (``nb_execution_mode=off``), so that they do not run twice."""
    command = [
        *(sys.executable, "-m", "sphinx", "-b", "doctest", "-q", "--no-color"),
        *("-D", "nb_execution_mode=off", "-d", str(workdir / "doctrees")),
        *(str(REPO), str(workdir / "doctest"), *map(str, pages)),
    ]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    report = workdir / "doctest" / "output.txt"
    summary = report.read_text() if report.is_file() else ""
    tests = _count(r"^\s*(\d+) tests?$", summary)
    failures = _count(r"^\s*(\d+) failures? in tests$", summary)
    setup = _count(r"^\s*(\d+) failures? in setup code$", summary)
    ours, others = sphinx_warnings(done.stderr)
    ok = done.returncode == 0 and tests > 0 and failures == setup == 0 and not ours
    detail = (
        f"{len(pages)} pages, {tests} tests, {failures} failures, "
        f"{len(ours)} warnings in how-to pages ({others} elsewhere, not counted), "
        f"exit {done.returncode}, {seconds:.0f} s"
    )
    if not ok:
        failing = [f"  {page}: {groups}" for page, groups in failed_groups(summary)]
        # The first failure is usually the cause of the rest.
        first = _head(done.stderr or done.stdout, 3000)
        detail = "\n".join([detail, *failing, *ours, first])
    return Check("sphinx doctest of howtos/", ok, detail)


WARNING_LINE = re.compile(r"^(?P<where>\S.*?): (?:WARNING|ERROR|CRITICAL): ")


def sphinx_warnings(log: str) -> tuple[list[str], int]:
    """The first lines of the warnings that Sphinx located in a how-to page,
    and how many it located elsewhere.

    >>> sphinx_warnings(
    ...     f"{REPO}/howtos/a.rst:42: WARNING: Exception occurred in plotting\\n"
    ...     "Traceback (most recent call last):\\n"
    ...     f"{REPO}/index.rst:9: WARNING: toctree contains reference\\n"
    ...     "WARNING: ****\\n"
    ... )[1]
    1
    """
    ours, others = [], 0
    howtos = (f"{REPO / HOWTOS}{os.sep}", f"{HOWTOS}/")
    for line in log.splitlines():
        if found := WARNING_LINE.match(line):
            if found["where"].startswith(howtos):
                ours.append(line)
            else:
                others += 1
    return ours, others


def failed_groups(report: str) -> list[tuple[str, str]]:
    """Per page, the doctest groups that failed, from the doctest builder's
    ``output.txt``: ``[("howtos/x", "atlas 5 of 5, join 2 of 2")]``.

    >>> failed_groups(
    ...     "Document: howtos/a\\n1 items passed all tests:\\n"
    ...     "Document: howtos/b\\n1 items had failures:\\n   2 of   3 in atlas\\n"
    ... )
    [('howtos/b', 'atlas 2 of 3')]
    """
    found: dict[str, list[str]] = {}
    page = ""
    for line in report.splitlines():
        if line.startswith("Document: "):
            page = line.removeprefix("Document: ").strip()
        elif failed := re.match(r"^\s+(\d+) of\s+(\d+) in (.+)$", line):
            bad, total, group = failed.groups()
            found.setdefault(page, []).append(f"{group} {bad} of {total}")
    return [(page, ", ".join(groups)) for page, groups in found.items()]


def _count(pattern: str, text: str) -> int:
    found = re.search(pattern, text, re.MULTILINE)
    return int(found.group(1)) if found else 0


def _head(text: str, size: int) -> str:
    text = text.strip()
    return text if len(text) <= size else text[:size] + "..."


def _tail(text: str, size: int) -> str:
    text = text.strip()
    return text if len(text) <= size else "..." + text[-size:]


def execute_notebook(page: Path, env: dict[str, str], timeout: int) -> list[str]:
    """Runs every code cell of ``page`` in a fresh Python kernel, in the page's
    folder with environment ``env``; returns each code cell's printed text
    (stdout and the text of its results). Raises nbclient's
    ``CellExecutionError`` on a failing cell (one tagged ``raises-exception``
    may fail)."""
    import nbformat
    from myst_nb.core.read import read_myst_markdown_notebook
    from nbclient import NotebookClient

    text = page.read_text()
    if page.suffix == ".ipynb":
        notebook = nbformat.reads(text, as_version=4)
    else:
        notebook = read_myst_markdown_notebook(text, path=page)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",  # this interpreter: jupyter_client maps "python"
        resources={"metadata": {"path": str(page.parent)}},
    )
    client.execute(env=env)
    return [_printed(cell) for cell in notebook.cells if cell.cell_type == "code"]


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _printed(cell: Any) -> str:
    parts = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream" and output.name == "stdout":
            parts.append(output.text)
        elif output.output_type == "execute_result":
            parts.append(output.data.get("text/plain", "") + "\n")
    return "".join(parts)


def check_notebook(page: Path, accelerated: bool, options: argparse.Namespace) -> Check:
    """Executes a notebook page on the default device, and with an accelerator
    on the CPU too, comparing what each cell printed."""
    from nbclient.exceptions import CellExecutionError

    name = f"notebook {page.relative_to(REPO)}"
    env = dict(os.environ)
    start = time.perf_counter()
    try:
        device = execute_notebook(page, env, options.cell_timeout)
        if not accelerated:
            seconds = time.perf_counter() - start
            detail = f"{len(device)} code cells ran on the CPU, {seconds:.0f} s"
            return Check(name, True, detail)
        cpu = execute_notebook(
            page, {**env, "JAX_PLATFORMS": "cpu"}, options.cell_timeout
        )
    except CellExecutionError as error:
        message = ANSI.sub("", str(error))  # IPython colours its tracebacks
        return Check(name, False, "a cell failed:\n" + _tail(message, 3000))
    seconds = time.perf_counter() - start
    problems = [
        f"cell {index}: {problem}"
        for index, (here, there) in enumerate(zip(device, cpu, strict=True))
        if (problem := compare_printed(here, there, options.notebook_rtol))
    ]
    detail = (
        f"{len(device)} code cells on the device and on CPU, printed numbers "
        f"within rtol {options.notebook_rtol:g}, {seconds:.0f} s"
    )
    return Check(name, not problems, "\n".join([detail, *problems]))


# --- the command ------------------------------------------------------------


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    skip = parser.add_argument_group("parts")
    for part in ("schedules", "training", "doctest", "notebooks"):
        skip.add_argument(f"--skip-{part}", action="store_true", help=f"skip {part}")
    train_group = parser.add_argument_group("training")
    train_group.add_argument("--epochs", type=_positive, default=10)
    train_group.add_argument("--seed", type=int, default=0)
    train_group.add_argument(
        "--reference-seed",
        type=int,
        default=None,
        help="seed of the CPU training (default: --seed); a different one "
        "is a deliberate mismatch, to see the comparison fail",
    )
    train_group.add_argument("--compare-steps", type=_positive, default=20)
    train_group.add_argument("--loss-rtol", type=float, default=1e-2)
    train_group.add_argument("--accuracy-points", type=float, default=2.0)
    train_group.add_argument(
        "--matmul-precision",
        choices=["default", "high", "highest", "bfloat16", "tensorfloat32", "float32"],
        default=None,
        help="jax_default_matmul_precision for every part (TPUs default to "
        "bfloat16 passes for float32 matmuls and convolutions)",
    )
    train_group.add_argument(
        "--timing-steps", type=_positive, default=50, help="steps timed per device"
    )
    pages = parser.add_argument_group("pages")
    pages.add_argument("--notebook-rtol", type=float, default=0.25)
    pages.add_argument("--cell-timeout", type=_positive, default=600, help="seconds")
    pages.add_argument(
        "--build-dir",
        type=Path,
        default=None,
        help="where the doctest build goes (default: a temporary folder)",
    )
    options = parser.parse_args(argv)
    if options.reference_seed is None:
        options.reference_seed = options.seed
    return options


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def run_part(title: str, checks: Callable[[], list[Check]], found: list[Check]) -> None:
    print(f"[{title}]", flush=True)
    for check in checks():
        print(check.line(), flush=True)
        found.append(check)


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_arguments(argv)
    missing = missing_modules(options)
    if missing:
        print(f"error: {missing}", file=sys.stderr)
        return 2
    if options.matmul_precision:
        # The environment variable reaches the doctest and notebook processes.
        os.environ["JAX_DEFAULT_MATMUL_PRECISION"] = options.matmul_precision
        jax.config.update("jax_default_matmul_precision", options.matmul_precision)
    device, cpu = devices()
    accelerated = device.platform != "cpu"
    describe_setup(device, accelerated)
    checks: list[Check] = []
    if not options.skip_schedules:
        run_part("schedules", lambda: check_schedules(device, cpu), checks)
    if not options.skip_training:
        run_part("training", lambda: training_checks(device, cpu, options), checks)
    if not (options.skip_doctest and options.skip_notebooks):
        pages = howto_pages()
        print(f"how-to pages: {', '.join(p.name for p in pages)}")
    if not options.skip_doctest:
        run_part("doctest", lambda: [doctest_check(pages, options)], checks)
    if not options.skip_notebooks:
        notebooks = [page for page in pages if is_notebook(page)]
        run_part(
            "notebooks",
            lambda: [check_notebook(p, accelerated, options) for p in notebooks],
            checks,
        )
    return summarize(checks, device)


def missing_modules(options: argparse.Namespace) -> str | None:
    """What the chosen parts need and this Python lacks, as an error message."""
    import importlib.util

    wanted = [
        module
        for part, modules in PAGE_MODULES.items()
        if not getattr(options, f"skip_{part}")
        for module in modules
    ]
    absent = sorted({m for m in wanted if importlib.util.find_spec(m) is None})
    if not absent:
        return None
    return (
        f"{', '.join(absent)} missing: the how-to pages need the site's "
        "requirements (`make html`, or `pip install -r requirements.txt`); "
        "or leave them out with --skip-doctest --skip-notebooks"
    )


def describe_setup(device: Any, accelerated: bool) -> None:
    package = Path(lr_scheduling.__file__).parent
    print(f"lr_scheduling: {package}")
    if package != REPO / "src" / "lr_scheduling":
        print(f"note: this is not the checkout's src/ ({REPO / 'src'})")
    print(f"jax {jax.__version__}, devices: {', '.join(map(describe, jax.devices()))}")
    print(f"backend: {jax.default_backend()}, device kind: {device.device_kind}")
    precision = getattr(jax.config, "jax_default_matmul_precision", None) or "default"
    print(f"float32 matmul/conv precision: {precision}")
    if not accelerated:
        print(
            "no accelerator: the default device is the CPU, so every part runs "
            "on the CPU and compares the CPU with itself"
        )


def summarize(checks: list[Check], device: Any) -> int:
    """Prints the final line; the exit status: 0 all passed, 1 a mismatch."""
    failed = [check.name for check in checks if not check.ok]
    where = f"{jax.default_backend()} ({device.device_kind})"
    if failed:
        count = f"{len(failed)} of {len(checks)} checks"
        print(f"MISMATCH: {count} failed on {where}: {'; '.join(failed)}")
        return 1
    print(f"OK: all {len(checks)} checks passed on {where}")
    return 0


def training_checks(device: Any, cpu: Any, options: argparse.Namespace) -> list[Check]:
    runs, checks = check_training(device, cpu, options)
    for role, run in zip(("device", "CPU"), runs, strict=True):
        print(
            f"  {role} {run.label}: median step time {run.step_ms:.3f} ms, "
            f"test accuracy {run.accuracy:.2%} after {options.epochs} epochs "
            f"({len(run.losses)} steps)"
        )
    return checks


def doctest_check(pages: Sequence[Path], options: argparse.Namespace) -> Check:
    if options.build_dir is not None:
        options.build_dir.mkdir(parents=True, exist_ok=True)
        return run_doctest(pages, options.build_dir)
    with tempfile.TemporaryDirectory(prefix="check-accelerator-") as workdir:
        return run_doctest(pages, Path(workdir))


if __name__ == "__main__":
    sys.exit(main())
