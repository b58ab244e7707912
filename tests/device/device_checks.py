"""What the device checks compare with, and how (helpers, not tests).

Exact references: :func:`exact_triangular` computes the triangular rate in
exact rationals. (The schedules' own tests keep their exact references in
their modules; this is the one the device checks need, until the test
helpers share one module.) Comparisons: :func:`relative_difference` for
arrays, :func:`compare_printed` for what a notebook cell printed. Pages:
:func:`howto_pages`, :func:`is_notebook`, :func:`execute_notebook` and the
readers of a Sphinx doctest build's log and report.
"""

from __future__ import annotations

import math
import re
import runpy
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[2]
HOWTOS = "howtos"


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


def relative_difference(got: Any, want: Any) -> float:
    """max |got - want| / |want|; infinite where either is not finite or the
    shapes differ.

    >>> relative_difference([1.0, 2.0], [1.0, 2.5]), relative_difference([1.0], [1, 2])
    (0.2, inf)
    """
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    if got.shape != want.shape:
        return math.inf
    if not (np.isfinite(got).all() and np.isfinite(want).all()):
        return math.inf
    scale = np.maximum(np.abs(want), np.finfo(np.float64).tiny)
    return float(np.max(np.abs(got - want) / scale, initial=0.0))


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


def howto_pages() -> list[Path]:
    """Every page under ``howtos/``, found as Sphinx finds the site's pages
    (conf.py's include and exclude patterns), so new pages are included."""
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


def execute_notebook(page: Path, env: dict[str, str], timeout: int) -> list[str]:
    """Runs every code cell of ``page`` in a fresh Python kernel, in the page's
    folder with environment ``env``; returns each code cell's printed text
    (stdout and the text of its results). Raises nbclient's
    ``CellExecutionError`` on a failing cell."""
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


def _printed(cell: Any) -> str:
    parts = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream" and output.name == "stdout":
            parts.append(output.text)
        elif output.output_type == "execute_result":
            parts.append(output.data.get("text/plain", "") + "\n")
    return "".join(parts)


WARNING_LINE = re.compile(r"^(?P<where>\S.*?): (?:WARNING|ERROR|CRITICAL): ")


def howto_warnings(log: str) -> tuple[list[str], int]:
    """The warning lines that Sphinx located in a how-to page, and how many
    it located elsewhere.

    >>> howto_warnings(
    ...     f"{REPO}/howtos/a.rst:42: WARNING: Exception occurred in plotting\\n"
    ...     f"{REPO}/index.rst:9: WARNING: toctree contains reference\\n"
    ...     "WARNING: ****\\n"
    ... )[1]
    1
    """
    ours, others = [], 0
    howtos = (f"{REPO / HOWTOS}/", f"{HOWTOS}/")
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


def doctest_counts(report: str) -> dict[str, int]:
    """The totals of a doctest builder's ``output.txt``: tests, failures in
    tests and failures in setup code (0 where a line is absent).

    >>> doctest_counts("Doctest summary\\n===\\n   12 tests\\n    1 failure in tests\\n")
    {'tests': 12, 'failures': 1, 'setup_failures': 0}
    """
    patterns = {
        "tests": r"^\s*(\d+) tests?$",
        "failures": r"^\s*(\d+) failures? in tests$",
        "setup_failures": r"^\s*(\d+) failures? in setup code$",
    }
    counts = {}
    for name, pattern in patterns.items():
        found = re.search(pattern, report, re.MULTILINE)
        counts[name] = int(found.group(1)) if found else 0
    return counts
