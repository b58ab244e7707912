"""The one way tests in ``tests/_ext`` make a Sphinx project: ``sphinx_project``.

``sphinx_project(files, builder="html", conf="", **app_options)`` writes
``files`` (a page's rST as a string, or a dict of relative path -> text) into
a fresh folder under ``tmp_path`` with a ``conf.py`` (``extensions =
["codediff"]`` unless ``conf`` sets its own), builds it with Sphinx's test
application and returns the app. Repeated calls in one test get folders of
their own unless ``srcdir`` names one (to rebuild the same project).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

DEFAULT_EXTENSIONS = 'extensions = ["codediff"]\n'
MYST = (
    'extensions = ["myst_nb", "codediff"]\nnb_execution_mode = "off"\n'
    'exclude_patterns = ["_build"]\n'
)


def write_project(path: Path, files: str | dict[str, str], conf: str = "") -> Path:
    """Writes a project's files and ``conf.py`` into ``path``; returns it."""
    path.mkdir(parents=True, exist_ok=True)
    pages = {"index.rst": files} if isinstance(files, str) else files
    if "conf.py" not in pages:
        setting = "" if "extensions" in conf else DEFAULT_EXTENSIONS
        (path / "conf.py").write_text(setting + conf)
    for name, text in pages.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text)
    return path


@pytest.fixture
def sphinx_project(make_app: Callable[..., Any], tmp_path: Path) -> Callable[..., Any]:
    counter = itertools.count()
    made: list[Any] = []

    def build(
        files: str | dict[str, str] | None = None,
        builder: str = "html",
        conf: str = "",
        srcdir: Path | None = None,
        build: bool = True,
        myst: bool = False,
        **options: Any,
    ) -> Any:
        if srcdir is None:
            srcdir = tmp_path / f"project{next(counter)}"
        if files is not None:
            write_project(srcdir, files, MYST + conf if myst else conf)
        if made:  # unregister the last app's nodes, or this one warns of them
            made[-1].cleanup()
        app = make_app(builder, srcdir=srcdir, **options)
        made.append(app)
        if build:
            app.build()
        return app

    return build
