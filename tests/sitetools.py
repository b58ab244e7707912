"""Helpers for the tests that read the built site: its pages, doctrees, server."""

from __future__ import annotations

import functools
import hashlib
import http.server
import pickle
import runpy
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serves ``directory`` on 127.0.0.1 at a free port; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


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
