"""Build the guide once, as ``make html`` and ``make doctest`` do, and keep the logs.

The builds go to a temporary directory, not ``_build``: html twice (the second
one incremental) and then doctest, all three sharing one doctree directory.
The doctest build is given ``index.rst`` only, which has no tests: what is
checked is how it loads the environment that html pickled, not the doctests
themselves (``make doctest`` runs those).
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Build:
    html: Path  # the HTML output directory
    first_log: str  # stdout and stderr of the first html build
    second_log: str  # of the html build that follows it
    doctest_log: str  # of the doctest build after both

    def pages(self) -> list[Path]:
        """The built pages, not the theme's template fragments in ``_static``."""
        pages = self.html.rglob("*.html")
        return sorted(
            p for p in pages if p.relative_to(self.html).parts[0] != "_static"
        )


def _sphinx(*args: str | Path) -> str:
    env = {k: v for k, v in os.environ.items() if k != "LR_SCHEDULING_INTERSPHINX"}
    # --no-color: CI may set FORCE_COLOR, and the tests read the plain log.
    command = [sys.executable, "-m", "sphinx", "--no-color", *map(str, args)]
    done = subprocess.run(
        command, cwd=REPO, env=env, capture_output=True, text=True, timeout=600
    )
    log = done.stdout + done.stderr
    assert done.returncode == 0, log
    return log


@pytest.fixture(scope="session")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    if not (REPO / "node_modules" / "mathjax").is_dir():
        pytest.fail("node_modules/mathjax is missing: run `make pytest` (npm ci)")
    root = tmp_path_factory.mktemp("site")
    doctrees, html = root / "doctrees", root / "html"
    first = _sphinx("-b", "html", "-d", doctrees, ".", html)
    second = _sphinx("-b", "html", "-d", doctrees, ".", html)
    doctest = _sphinx(
        "-b", "doctest", "-d", doctrees, ".", root / "doctest", REPO / "index.rst"
    )
    return Build(html, first, second, doctest)
