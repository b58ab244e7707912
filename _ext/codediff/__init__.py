"""``codediff``: code versions side by side, each one run by ``sphinx.ext.doctest``.

Layout of the package: ``parsing`` (text to panes, no docutils), ``source``
(``:from:``: code drawn from Python files without importing them),
``definitions`` (which definition of a name Python binds; docstrings left
out), ``testnodes`` (doctest flags, group names and ``:skip_test:``, which
panes run), ``directive`` (panes to docutils nodes), ``nodes`` (the two node
classes and their HTML, one element per line), ``builder`` (the ``doctest``
builder, replaced so that failures are reported at their true file lines),
``locate`` (file and notebook lines), and ``static/codediff.css``, which only
HTML builders get.

Configuration values (conf.py):

- ``codediff_autodiff`` (default ``True``): emphasize the lines that differ
  between panes when no pane has a ``#!`` marker;
- ``codediff_autodiff_min_similarity`` (default
  :data:`codediff.parsing.AUTODIFF_MIN_SIMILARITY`): a pane less similar than
  this to its neighbour gets only its most-changed lines emphasized;
- ``codediff_autodiff_max_share`` (default
  :data:`codediff.parsing.AUTODIFF_MAX_SHARE`): the largest share of such a
  pane's lines that is emphasized (0: none);
- ``codediff_flax_compat`` (default ``False``): test directives written for
  Flax's two-title directive as Flax did (right pane only, group
  ``default``, no automatic emphasis).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util.fileutil import copy_asset_file

from codediff.builder import CodeDiffDocTestBuilder
from codediff.directive import CodeDiff
from codediff.nodes import (
    codediff_literal,
    codediff_test,
    depart_codediff_literal_html,
    skip_node,
    visit_codediff_literal_html,
)
from codediff.parsing import AUTODIFF_MAX_SHARE, AUTODIFF_MIN_SIMILARITY

__version__ = "1.0.0"
STATIC = Path(__file__).parent / "static"
SKIP = (skip_node, None)


def _add_css(app: Sphinx) -> None:
    """Links ``codediff.css``, for HTML builders only.

    The file is copied by :func:`_copy_css` rather than through
    ``html_static_path``: a path added once the builder starts would make the
    saved configuration differ from ``conf.py``'s, so that every later build
    reported "The configuration has changed".
    """
    if app.builder.format == "html":
        app.add_css_file("codediff.css")


def _copy_css(app: Sphinx, exception: Exception | None) -> None:
    if exception is None and app.builder.format == "html":
        # force: a stylesheet changed since the last build replaces its old copy
        # (without it Sphinx keeps the old one and warns).
        target = Path(app.outdir, "_static")
        copy_asset_file(STATIC / "codediff.css", target, force=True)


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("sphinx.ext.doctest")
    # The same builder, reporting failures at their true lines (see builder).
    app.add_builder(CodeDiffDocTestBuilder, override=True)
    app.add_config_value("codediff_autodiff", True, "env", types=frozenset({bool}))
    app.add_config_value(
        "codediff_autodiff_min_similarity",
        AUTODIFF_MIN_SIMILARITY,
        "env",
        types=frozenset({float, int}),
    )
    app.add_config_value(
        "codediff_autodiff_max_share",
        AUTODIFF_MAX_SHARE,
        "env",
        types=frozenset({float, int}),
    )
    app.add_config_value("codediff_flax_compat", False, "env", types=frozenset({bool}))
    app.add_directive("codediff", CodeDiff)
    app.add_node(
        codediff_test,
        html=SKIP,
        latex=SKIP,
        text=SKIP,
        man=SKIP,
        texinfo=SKIP,
    )
    app.add_node(
        codediff_literal,
        html=(visit_codediff_literal_html, depart_codediff_literal_html),
    )
    app.connect("builder-inited", _add_css)
    app.connect("build-finished", _copy_css)
    return {
        "version": __version__,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
