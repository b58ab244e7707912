"""Notebook outputs keyed on the package code they ran, not only their cells.

myst-nb caches executed notebooks with jupyter-cache, which keys a notebook on
the source of its code cells. A notebook that imports ``lr_scheduling`` would
keep showing the old package's outputs after an edit to the package, even
with ``sphinx-build -E``. So at ``source-read`` a MyST notebook that imports
the package gets one more code cell, tagged ``remove-cell`` (executed, never
shown), holding the key of the package modules it imports
(:func:`guide_site.results_cache.code_fingerprint`): an edit to those modules
changes the cell, so jupyter-cache runs the notebook again, and
``env-get-outdated`` reads the page again in an incremental build. The
``.ipynb`` the site offers leaves the cell out (:func:`without_key_cells`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from guide_site.results_cache import PACKAGE, code_fingerprint

MARKER = "# guide_site: outputs keyed on the code of"


def imported(text: str, package: str = PACKAGE) -> set[str]:
    """The package modules (and names that may be modules) a source imports."""
    name = rf"{re.escape(package)}(?:\.\w+)*"
    imports = re.compile(
        rf"^\s*(?:from\s+({name})\s+import\s+\(?([\w\s,]+)|import\s+({name}))",
        re.MULTILINE,
    )
    found = set()
    for module, names, plain in imports.findall(text):
        if plain:
            found.add(plain)
            continue
        found.add(module)
        found.update(
            f"{module}.{name.strip()}" for name in names.split(",") if name.strip()
        )
    return found


def notebook_key(text: str, package: str = PACKAGE) -> str | None:
    """The key of the package code a notebook's source imports, if any."""
    modules = imported(text, package)
    return code_fingerprint(modules, package) if modules else None


def is_myst_notebook(app: Sphinx, docname: str, text: str) -> bool:
    path = Path(app.env.doc2path(docname))
    return path.suffix == ".md" and "```{code-cell}" in text


def add_key_cell(app: Sphinx, docname: str, source: list[str]) -> None:
    """At ``source-read``: a hidden cell with the key joins a MyST notebook."""
    if not is_myst_notebook(app, docname, source[0]):
        return
    package = app.config.guide_site_cache_package
    key = notebook_key(source[0], package)
    keys = app.env.__dict__.setdefault("guide_site_notebook_keys", {})
    keys[docname] = key
    if key is None:
        return
    cell = "```{code-cell} ipython3\n:tags: [remove-cell]\n\n"
    cell += f"{MARKER} {package}: {key}\n```\n"
    source[0] = source[0].rstrip("\n") + "\n\n" + cell


def outdated(
    app: Sphinx,
    env: BuildEnvironment,
    added: set[str],
    changed: set[str],
    removed: set[str],
) -> list[str]:
    """Notebooks whose imported package code changed since they were read."""
    keys: dict[str, str | None] = getattr(env, "guide_site_notebook_keys", {})
    stale = []
    for docname, key in keys.items():
        if docname in changed or docname in removed or key is None:
            continue
        path = Path(env.doc2path(docname))
        text = path.read_text(encoding="utf-8") if path.is_file() else None
        if (
            text is not None
            and notebook_key(text, app.config.guide_site_cache_package) != key
        ):
            stale.append(docname)
    return stale


def purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    getattr(env, "guide_site_notebook_keys", {}).pop(docname, None)


def merge(
    app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment
) -> None:
    theirs = getattr(other, "guide_site_notebook_keys", {})
    ours = env.__dict__.setdefault("guide_site_notebook_keys", {})
    ours.update({name: theirs[name] for name in docnames if name in theirs})


def without_key_cells(executed: Path, served: Path) -> None:
    """Copy an executed notebook, less the key cell a reader has no use for."""
    notebook = json.loads(executed.read_text(encoding="utf-8"))
    notebook["cells"] = [
        cell
        for cell in notebook["cells"]
        if not "".join(cell.get("source", "")).startswith(MARKER)
    ]
    served.write_text(
        json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def setup(app: Sphinx) -> dict[str, Any]:
    # The package whose code the site's cached outputs are keyed on.
    app.add_config_value("guide_site_cache_package", PACKAGE, "env", str)
    app.connect("source-read", add_key_cell)
    app.connect("env-get-outdated", outdated)
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
