"""``guide_site``: the small pieces of Sphinx glue this guide's site needs.

Kept out of ``conf.py``, which holds paths and settings only:

* MathJax served from the site itself (:mod:`guide_site.mathjax`);
* each track of a how-to (a doctest group) as a downloadable script
  (:mod:`guide_site.tracks`);
* a line at the foot of every how-to naming the JAX, Optax and Flax versions
  and the backend that produced its outputs (:mod:`guide_site.provenance`);
* results that figures need, kept between builds and keyed on the code that
  computes them (:mod:`guide_site.results_cache`), and notebook outputs keyed
  on the package code they import (:mod:`guide_site.notebook_keys`);
* a notebook page's executed ``.ipynb`` offered for download, by the theme's
  download button (sphinx-book-theme does so only when launch buttons are
  configured);
* ``testoutput`` blocks classed ``output``, so that copy buttons skip them;
* quiet builds: no MyST configuration dumps, and notebooks run by a kernel
  that does not warn about its local transport (:mod:`guide_site.kernel`);
* a configuration that is the same for every builder, so that ``make doctest``
  after ``make html`` (or html again) does not report "The configuration has
  changed". The themes and extensions set or append some values only when the
  HTML builder starts, after Sphinx has compared the configuration with the
  pickled environment's; here they are stated at ``config-inited`` instead,
  and the duplicates they append later are dropped.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config

from guide_site import notebook_keys, results_cache

__version__ = "1.0.0"


class DropMystConfigDumps(logging.Filter):
    """Drops the two configuration dumps (about 1,600 characters each) that
    myst-parser and myst-nb log at INFO level on every build, and myst-nb's
    jupyter-cache path, noise in every build log."""

    DUMPS = frozenset({"MdParserConfig", "NbParserConfig"})

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        if any(type(arg).__name__ in self.DUMPS for arg in args):
            return False
        return not str(record.msg).startswith("Using jupyter-cache at:")


def theme_and_extension_paths() -> tuple[list[str], list[str]]:
    """The template and static folders the themes and extensions add late."""
    import pydata_sphinx_theme
    import sphinx_book_theme
    import sphinx_copybutton
    import sphinx_design.extension

    # Resolved, as the themes resolve theirs: through a symlinked virtualenv
    # the same folder would otherwise count twice ("configuration changed").
    pydata = (
        Path(pydata_sphinx_theme.__file__).resolve().parent
        / "theme"
        / "pydata_sphinx_theme"
    )
    templates = [
        str(Path(sphinx_book_theme.get_html_theme_path()).resolve() / "components"),
        str(pydata / "components"),
    ]
    static = [
        str(Path(sphinx_copybutton.__file__).resolve().parent / "_static"),
        str(Path(sphinx_design.extension.STATIC_DIR).resolve()),
    ]
    return templates, static


def state_late_values(app: Sphinx, config: Config) -> None:
    """Set now what the themes and extensions would set after the comparison."""
    templates, static = theme_and_extension_paths()
    config.templates_path = [*config.templates_path, *templates]
    config.html_static_path = [*config.html_static_path, *static]
    # After Sphinx turns "name.css" entries into ("name.css", {}): the priority
    # the HTML builder would write into these very dicts later (setdefault, 800).
    for _, attrs in [*config.html_css_files, *config.html_js_files]:
        attrs.setdefault("priority", 800)


def drop_duplicate_paths(app: Sphinx, *_: Any) -> None:
    """Keep the first of each path that the themes and extensions append again."""
    for name in ("templates_path", "html_static_path"):
        paths = app.config[name]
        first: dict[str, str] = {}
        for path in paths:
            first.setdefault(os.path.realpath(Path(app.confdir, path)), path)
        paths[:] = first.values()


def mark_test_output(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Class the blocks of ``testoutput`` "output": they show what code prints."""
    for node in doctree.findall(nodes.literal_block):
        if node.get("testnodetype") == "testoutput":
            node["classes"].append("output")


def offer_notebook(
    app: Sphinx,
    pagename: str,
    templatename: str,
    context: dict[str, Any],
    doctree: nodes.document | None,
) -> None:
    """Serve the notebook that myst-nb executed for this page, beside its source.

    myst-nb writes every notebook page it executes to ``jupyter_execute/``
    next to the output directory; sphinx-book-theme adds a ".ipynb" download
    button for ``context["ipynb_source"]``, a path under ``_sources``.
    """
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if doctree is None or not executed.is_file():
        return
    served = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    served.parent.mkdir(parents=True, exist_ok=True)
    notebook_keys.without_key_cells(executed, served)
    context["ipynb_source"] = f"{pagename}.ipynb"


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("guide_site.mathjax")
    app.setup_extension("guide_site.tracks")
    app.setup_extension("guide_site.provenance")
    app.setup_extension("guide_site.notebook_keys")
    app.setup_extension("guide_site.kernel")
    app.connect("builder-inited", results_cache.set_cache_dir)
    app.connect("doctree-resolved", mark_test_output)
    # Before sphinx-book-theme's header buttons (501) read the context.
    app.connect("html-page-context", offer_notebook, priority=400)
    for name in ("sphinx.myst_parser.sphinx_ext.main", "sphinx.myst_nb.sphinx_ext"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, DropMystConfigDumps) for f in logger.filters):
            logger.addFilter(DropMystConfigDumps())
    app.connect("config-inited", state_late_values, priority=900)
    app.connect("builder-inited", drop_duplicate_paths, priority=900)
    return {
        "version": __version__,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
