"""The built site and its build logs, from the build the browser tests also read.

The site is built once a session into ``_build`` (``sitetools.build_site``:
``make html``, incremental after ``make test``'s strict build), and shared
with the browser tests. On top of it, two builds whose logs the tests read:
html with a fresh environment (``-E``: ``make html-strict``'s, which ``make
pytest`` runs first, where no build has changed the environment since; else
built here, with the caches of notebooks and figures warm) and html again
(incremental); and the log of ``make doctest`` (``sitetools.run_doctest``,
once a session), which runs on the environment that an html build pickled.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from sitetools import (
    DOCTREES,
    HTML,
    REPO,
    make_html,
    run_doctest,
    site_lock,
    strict_build_log,
)


@dataclass(frozen=True)
class Build:
    html: Path  # the HTML output directory
    first_log: str  # stdout and stderr of the html build with a fresh environment
    second_log: str  # of the html build that follows it
    doctest_log: str  # of make doctest, after an html build

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
def build() -> Build:
    if not (REPO / "node_modules" / "mathjax").is_dir():
        pytest.fail("node_modules/mathjax is missing: run `make pytest` (npm ci)")
    with site_lock():  # the browser tests copy the site between builds only
        make_html()  # the wheel, MathJax and a current _build/html
        first = strict_build_log() or _sphinx(
            "-E", "-b", "html", "-d", DOCTREES, ".", HTML
        )
        second = _sphinx("-b", "html", "-d", DOCTREES, ".", HTML)
    return Build(HTML, first, second, run_doctest().log)
