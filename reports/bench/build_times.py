"""How long the site takes to build: doctest and html, clean and again.

Every build goes to its own temporary directory (output, doctrees, and the
figures' results cache next to them), so ``_build/html`` is never touched.
The environment is the one the Makefile gives ``make html`` and ``make
doctest``: a persistent JAX compilation cache, here a temporary one, empty at
first:

* ``doctest_seconds``: a clean doctest build with an empty JAX cache, as on a
  fresh clone;
* ``doctest_warm_seconds``: a clean doctest build again (new output and
  doctrees), the JAX cache now holding the first build's compilations;
* ``html_seconds``: a clean html build with an empty JAX cache;
* ``html_noop_seconds``: the same html build again, nothing changed;
* ``html_warm_caches_seconds``: the html build once more from no output and
  no doctrees, with every cache that the first build left beside them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from reports.bench import ROOT


def cache_environment(cache_dir: Path) -> dict[str, str]:
    """The Makefile's environment for html and doctest builds, with the JAX
    compilation cache in ``cache_dir``."""
    environment = dict(os.environ)
    environment.update(
        JAX_COMPILATION_CACHE_DIR=str(cache_dir),
        # Cache every compilation: the guide's are small and fast, and the
        # defaults (1 s, any size) would keep none of them.
        JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS="0",
        JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES="0",
    )
    return environment


def sphinx_build(builder: str, base: Path, environment: dict[str, str]) -> float:
    """Seconds of ``sphinx-build -b builder`` into ``base``; fails loudly."""
    command = [
        sys.executable,
        "-m",
        "sphinx",
        "-q",
        "-b",
        builder,
        "-d",
        str(base / "doctrees"),
        ".",
        str(base / builder),
    ]
    start = time.perf_counter()
    completed = subprocess.run(
        command, cwd=ROOT, env=environment, capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    if completed.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} failed ({completed.returncode}):\n"
            + (completed.stdout + completed.stderr)[-3000:]
        )
    return seconds


def measure() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-build-") as temporary:
        tmp = Path(temporary)
        doctest_env = cache_environment(tmp / "jax-cache-doctest")
        cold = sphinx_build("doctest", tmp / "doctest-cold", doctest_env)
        warm = sphinx_build("doctest", tmp / "doctest-warm", doctest_env)
        html_env = cache_environment(tmp / "jax-cache-html")
        html = sphinx_build("html", tmp / "html", html_env)
        noop = sphinx_build("html", tmp / "html", html_env)
        # Output and doctrees removed, the caches beside them kept: the JAX
        # cache, executed notebooks (.jupyter_cache), figures and their
        # results (plot_directive, cache), as `make html` finds them in
        # _build after `rm -rf _build/html _build/doctrees`.
        for output in ("html", "doctrees"):
            shutil.rmtree(tmp / "html" / output)
        cached = sphinx_build("html", tmp / "html", html_env)
    return {
        "doctest_seconds": cold,
        "doctest_warm_seconds": warm,
        "doctest_warm_over_cold": warm / cold,
        "html_seconds": html,
        "html_noop_seconds": noop,
        "html_warm_caches_seconds": cached,
    }
