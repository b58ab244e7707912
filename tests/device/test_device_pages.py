"""The how-to pages on the device: their doctests, and their notebooks.

The doctests are Sphinx's doctest builder over every page under ``howtos/``
(a subprocess on the default backend); the expected outputs on the pages
were produced on a CPU and are rounded or thresholded, a loose comparison
with the CPU by construction. Each notebook runs in a Jupyter kernel on the
default device; with an accelerator it runs on the CPU too, and the numbers
its cells print must agree within ``--notebook-rtol``.
"""

import os
import subprocess
import sys

import pytest
from device_checks import (
    REPO,
    compare_printed,
    doctest_counts,
    execute_notebook,
    failed_groups,
    howto_pages,
    howto_warnings,
    is_notebook,
)

PAGES = howto_pages()


@pytest.fixture(autouse=True)
def _pages_wanted(request):
    if request.config.getoption("--skip-pages", default=False):
        pytest.skip("--skip-pages")


def test_howto_doctests_pass(tmp_path):
    command = [
        *(sys.executable, "-m", "sphinx", "-b", "doctest", "-q", "--no-color"),
        # Notebook cells are the notebook test's, so that they do not run twice.
        *("-D", "nb_execution_mode=off", "-d", str(tmp_path / "doctrees")),
        *(str(REPO), str(tmp_path / "doctest"), *map(str, PAGES)),
    ]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    report_file = tmp_path / "doctest" / "output.txt"
    report = report_file.read_text() if report_file.is_file() else ""
    counts = doctest_counts(report)
    ours, _ = howto_warnings(done.stderr)
    # A failing `.. plot::` is only a warning, hence the warnings too.
    assert done.returncode == 0, (done.stderr or done.stdout)[-3000:]
    assert counts["tests"] > 0, report
    assert counts["failures"] == counts["setup_failures"] == 0, failed_groups(report)
    assert ours == []


@pytest.mark.parametrize(
    "page", [p for p in PAGES if is_notebook(p)], ids=lambda p: p.name
)
def test_notebook_runs_and_prints_what_the_cpu_prints(page, accelerated, option):
    timeout = option("cell-timeout")
    printed = execute_notebook(page, dict(os.environ), timeout)  # raises on error
    assert printed, f"{page.name} has no code cells"
    if not accelerated:
        return  # the CPU against itself: running without error is the check
    on_cpu = execute_notebook(page, {**os.environ, "JAX_PLATFORMS": "cpu"}, timeout)
    problems = [
        f"cell {index}: {problem}"
        for index, (here, there) in enumerate(zip(printed, on_cpu, strict=True))
        if (problem := compare_printed(here, there, option("notebook-rtol")))
    ]
    assert problems == []
