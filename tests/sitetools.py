"""Helpers for the tests that read the built site: its pages, doctrees and
builds (the clean environment its code runs in is ``reader_env``'s)."""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import pickle
import re
import runpy
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from docutils import nodes
from sphinx.project import Project

REPO = Path(__file__).resolve().parents[1]
BUILD = REPO / "_build"
HTML = BUILD / "html"
DOCTREES = BUILD / "doctrees"
SNAPSHOT = BUILD / "snapshot"
# make html-strict's log (Makefile).
STRICT_LOG = BUILD / "html-strict.log"
ANSI_CODE = re.compile(r"\x1b\[[0-9;]*m")


def site_pages(predicate: Callable[[str], bool] = lambda docname: True) -> list[str]:
    """The site's page names (``howtos/lr_schedule``), as Sphinx finds them."""
    conf = runpy.run_path(str(REPO / "conf.py"))
    project = Project(REPO, [".rst", ".md", ".ipynb"])
    found = project.discover(conf["exclude_patterns"], conf["include_patterns"])
    return sorted(name for name in found if predicate(name))


@contextlib.contextmanager
def site_lock() -> Iterator[None]:
    """Held while the site in ``_build`` is built or copied.

    Under pytest-xdist the site's tests run on two workers: ``tests/site``
    rebuilds ``_build/html`` in place while the browser tests read a copy
    (``site_snapshot``); the lock keeps a copy from catching a build half way.
    """
    BUILD.mkdir(exist_ok=True)
    with open(BUILD / ".site.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def run_make(target: str) -> tuple[int, str]:
    """``make <target>`` in the repository, colours off: (exit status, output)."""
    done = subprocess.run(
        ["make", "-s", target, "SPHINXOPTS=--no-color"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    return done.returncode, done.stdout + done.stderr


def make_html() -> str:
    """``make html``: incremental, so cheap after ``make test``'s strict build.
    Returns the build's log. The caller holds ``site_lock``."""
    returncode, log = run_make("html")
    if returncode != 0:
        raise subprocess.CalledProcessError(returncode, "make html", log)
    return log


@functools.cache
def build_site() -> str:
    """``make html``, once a session (``_build/html``); the build's log."""
    with site_lock():
        return make_html()


def strict_build_log(
    log_path: Path = STRICT_LOG, pickled: Path = DOCTREES / "environment.pickle"
) -> str | None:
    """``make html-strict``'s log (``_build/html-strict.log``), if the
    environment it pickled is the current one: no build has pickled another
    since it ended (Sphinx pickles only when a page changed). Colours (CI may
    set FORCE_COLOR) are taken out. None where it is missing, failed or stale,
    or where that build may have had intersphinx on (the tests' builds do not).
    """
    if "LR_SCHEDULING_INTERSPHINX" in os.environ:
        return None
    if not (log_path.exists() and pickled.exists()):
        return None
    if pickled.stat().st_mtime_ns > log_path.stat().st_mtime_ns:
        return None
    log = ANSI_CODE.sub("", log_path.read_text(encoding="utf-8"))
    return log if "build succeeded" in log else None


@dataclass(frozen=True)
class Doctest:
    """``make doctest`` as it ran: its exit status and its output."""

    returncode: int
    log: str


@functools.cache
def run_doctest() -> Doctest:
    """``make doctest``, once a session, on the environment that the site's html
    build pickled. It also fills the JAX compilation cache (``_build/jax_cache``)
    that the copy test's scripts then load. A failure is returned, not raised:
    ``tests/site/test_doctest.py`` reports it."""
    with site_lock():  # it writes the doctrees that the site's builds share
        return Doctest(*run_make("doctest"))


@functools.cache
def site_snapshot() -> tuple[Path, Path]:
    """The built site and its doctrees, copied once a session into
    ``_build/snapshot``: what the browser tests serve and read."""
    with site_lock():
        make_html()
        for source in (HTML, DOCTREES):
            copy = SNAPSHOT / source.name
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(source, copy, symlinks=True)
    return SNAPSHOT / HTML.name, SNAPSHOT / DOCTREES.name


def track_scripts() -> dict[str, Path]:
    """Every track script the built site offers, by its path under ``_downloads``."""
    root = HTML / "_downloads"
    return {
        path.relative_to(root).as_posix(): path
        for path in sorted((root / "scripts").rglob("*.py"))
    }


def load_doctree(docname: str, doctrees: Path = DOCTREES) -> nodes.document:
    with (doctrees / f"{docname}.doctree").open("rb") as stream:
        return pickle.load(stream)
