"""Helpers for the tests that read the built site: its pages and doctrees, and a
clean environment to run its code in."""

from __future__ import annotations

import hashlib
import pickle
import runpy
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from docutils import nodes
from sphinx.project import Project

REPO = Path(__file__).resolve().parents[1]
BUILD = REPO / "_build"
HTML = BUILD / "html"
DOCTREES = BUILD / "doctrees"


def site_pages(predicate: Callable[[str], bool] = lambda docname: True) -> list[str]:
    """The site's page names (``howtos/lr_schedule``), as Sphinx finds them."""
    conf = runpy.run_path(str(REPO / "conf.py"))
    project = Project(REPO, [".rst", ".md", ".ipynb"])
    found = project.discover(conf["exclude_patterns"], conf["include_patterns"])
    return sorted(name for name in found if predicate(name))


def build_site() -> None:
    """``make html``: incremental, so cheap after ``make test``'s strict build."""
    subprocess.run(["make", "-s", "html"], cwd=REPO, check=True, capture_output=True)


def load_doctree(docname: str) -> nodes.document:
    with (DOCTREES / f"{docname}.doctree").open("rb") as stream:
        return pickle.load(stream)


def runtime_requirements() -> list[str]:
    """The package's runtime libraries (its dependencies and the guide extra)."""
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    return [*project["dependencies"], *project["optional-dependencies"]["guide"]]


def reader_environment(where: Path) -> Path:
    """A virtual environment with only the runtime libraries, at the site's pins.

    Reused while requirements.txt and the dependency list stay the same.
    """
    requirements = runtime_requirements()
    key = hashlib.sha256(
        ((REPO / "requirements.txt").read_text() + repr(requirements)).encode()
    ).hexdigest()
    python = where / "bin" / "python"
    stamp = where / "installed.sha256"
    if python.exists() and stamp.exists() and stamp.read_text() == key:
        return python
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(where)], check=True)
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-c",
            str(REPO / "requirements.txt"),
            *requirements,
        ],
        check=True,
        capture_output=True,
    )
    stamp.write_text(key)
    return python
