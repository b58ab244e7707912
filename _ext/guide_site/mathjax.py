"""Serve MathJax from the site itself, so that formulas render with no network.

``sphinx.ext.mathjax`` loads MathJax 4 from a CDN by default, and MathJax 4 then
fetches its font from the CDN too. This extension copies the npm packages that
``package.json`` pins (``make html`` installs them with ``npm ci``) into the
HTML output, ``_static/mathjax/`` with the font under ``_static/mathjax/fonts/``,
and points ``mathjax_path`` and MathJax's font path there.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ExtensionError
from sphinx.ext.mathjax import MATHJAX_URL
from sphinx.util.fileutil import copy_asset

__version__ = "1.0.0"

#: Where in ``_static`` MathJax goes, and the script a page loads.
TARGET = "mathjax"
SCRIPT = f"{TARGET}/tex-mml-chtml.js"
#: The font package: ``[fonts]/mathjax-newcm-font/chtml/...`` in MathJax's loader.
FONT = "mathjax-newcm-font"
#: What a browser never loads: Node.js entry points, type declarations, docs.
NODE_ONLY = ("*.cjs", "*.mjs", "*.d.mts", "*.md", "package.json")


def _node_modules(app: Sphinx) -> Path:
    return Path(app.confdir, app.config.guide_site_node_modules)


def _excluded(path: str) -> bool:
    name = Path(path).name
    return any(fnmatch.fnmatch(name, pattern) for pattern in NODE_ONLY)


def _point_at_local_copy(app: Sphinx, config: Config) -> None:
    """Set the paths at config-inited, before Sphinx compares the configuration
    with the pickled environment's; later changes would read as a new config."""
    if config.mathjax_path == MATHJAX_URL:
        config.mathjax_path = SCRIPT
    mathjax = dict(config.mathjax4_config or {})
    loader = dict(mathjax.get("loader", {}))
    loader["paths"] = {"fonts": "[mathjax]/fonts", **loader.get("paths", {})}
    mathjax["loader"] = loader
    config.mathjax4_config = mathjax


def _check_installed(app: Sphinx) -> None:
    if app.builder.format != "html" or app.config.mathjax_path != SCRIPT:
        return
    script = _node_modules(app) / SCRIPT
    if not script.is_file():
        msg = (
            f"guide_site.mathjax: {script} is missing; run `make html`, or "
            "`npm ci` in the repository root, to install the MathJax that "
            "package.json pins"
        )
        raise ExtensionError(msg)


def _copy(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    if app.config.mathjax_path != SCRIPT:
        return
    modules = _node_modules(app)
    static = Path(app.outdir, "_static", TARGET)
    copy_asset(modules / "mathjax", static, excluded=_excluded)
    font = modules / "@mathjax" / FONT
    copy_asset(font / "chtml", static / "fonts" / FONT / "chtml")
    copy_asset(font / "chtml.js", static / "fonts" / FONT)


def setup(app: Sphinx) -> dict:
    app.setup_extension("sphinx.ext.mathjax")
    app.add_config_value("guide_site_node_modules", "node_modules", "html", str)
    app.connect("config-inited", _point_at_local_copy)
    app.connect("builder-inited", _check_installed)
    app.connect("build-finished", _copy)
    return {
        "version": __version__,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
