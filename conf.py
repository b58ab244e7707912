"""Sphinx configuration. The source directory is the repository root."""

import logging
import os
import sys
from pathlib import Path

import pydata_sphinx_theme
import sphinx_book_theme
import sphinx_copybutton
import sphinx_design.extension
from docutils import nodes

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "_ext"))
sys.path.insert(0, str(ROOT / "src"))

project = "Learning-rate scheduling in JAX"
author = "The lr_scheduling authors"
copyright = "2026, " + author

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "sphinx.ext.mathjax",
    "local_mathjax",  # MathJax from _static, installed by npm from package.json
    "sphinx.ext.napoleon",
    "matplotlib.sphinxext.plot_directive",
    "myst_nb",
    "sphinx_copybutton",
    "sphinx_design",
    "codediff",
]

# Only these are pages; README.md, src/, tests/, .venv/ and _build/ are not.
include_patterns = ["index.rst", "howtos/**", "docs/**"]
exclude_patterns = [
    "_build",
    ".venv",
    "node_modules",
    "**/.ipynb_checkpoints",
    "howtos/figures",
]

# Cross-links to Python, NumPy, JAX, Optax and Flax need their inventories from
# the network, so they are opt-in: LR_SCHEDULING_INTERSPHINX=1 make html.
if os.environ.get("LR_SCHEDULING_INTERSPHINX") == "1":
    extensions.append("sphinx.ext.intersphinx")
    intersphinx_mapping = {
        "python": ("https://docs.python.org/3", None),
        "numpy": ("https://numpy.org/doc/stable", None),
        "jax": ("https://docs.jax.dev/en/latest", None),
        "optax": ("https://optax.readthedocs.io/en/latest", None),
        "flax": ("https://flax.readthedocs.io/en/latest", None),
    }

html_theme = "sphinx_book_theme"
html_title = project
html_favicon = "_static/favicon.svg"
html_static_path = ["_static"]
html_css_files = ["site.css", "layout.css"]
# Codediff layout, measured in the browser: widens or stacks panes whose lines
# do not fit (layout.css: small theme fixes).
html_js_files = [("layout.js", {"defer": "defer"})]
# pydata-sphinx-theme reads the colour mode from this context value; unset, its
# JS gets "" and logs "Got invalid theme mode" on every page.
html_context = {"default_mode": "auto"}
html_theme_options = {
    "show_toc_level": 2,
    # pydata-sphinx-theme 0.20 puts a search field in a top navbar unless this is
    # set, overriding sphinx-book-theme's empty default. That navbar adds a second
    # search box and hidden sidebar toggles that pydata's JS binds instead of the
    # visible ones (querySelector takes the first), so on phones the menu and
    # contents buttons did nothing (pydata-sphinx-theme#2451,
    # sphinx-book-theme#988/#999).
    "navbar_persistent": [],
}

# The values the themes and extensions would otherwise set or append only once
# the HTML builder starts, after Sphinx has compared the configuration with the
# pickled environment's: left to them, every build after the first (html again,
# or doctest, which loads no theme) reported "The configuration has changed".
# Stated here (with _set_user_asset_priority and _drop_duplicate_paths below),
# the configuration is the same for every builder.
html_permalinks_icon = "#"  # pydata-sphinx-theme's default
html_sourcelink_suffix = ""  # sphinx-book-theme's default
html_theme_options.update(icon_links=[], logo={})  # pydata-sphinx-theme's
templates_path = [
    str(Path(sphinx_book_theme.get_html_theme_path()) / "components"),
    str(
        Path(pydata_sphinx_theme.__file__).parent
        / "theme"
        / "pydata_sphinx_theme"
        / "components"
    ),
]
html_static_path += [
    str(Path(sphinx_copybutton.__file__).parent.joinpath("_static").absolute()),
    str(sphinx_design.extension.STATIC_DIR),
]

# Notebook pages are executed by their own doctests, not by myst-nb.
nb_execution_mode = "off"

# Display formulas wider than a phone scroll sideways in their own box
# (local_mathjax adds the paths to the local copy to this).
mathjax4_config = {"output": {"displayOverflow": "scroll"}}

autodoc_member_order = "bysource"
add_module_names = False  # the API page says which module each part is in
autodoc_typehints = "description"
napoleon_google_docstring = True

plot_include_source = False
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 110)]
# Transparent figures: in dark mode _static/site.css inverts their lightness, so
# the black text and axes turn white on the dark page while lines keep their hue.
plot_rcparams = {"figure.figsize": (7.0, 3.0), "savefig.transparent": True}

doctest_test_doctest_blocks = "default"
# Copy buttons copy the code and nothing else. In a doctest block (">>> ") only
# the prompt lines are copied, without their prompts. A line "... " followed by
# nothing but a comment (or nothing) is not a continuation prompt: at column 0
# of plain Python it is an Ellipsis statement, "...  # as before", and taking it
# for a prompt would make copybutton copy that one line of the block.
copybutton_prompt_text = r">>> |\.\.\. (?!\s?#|\s*$)"
copybutton_prompt_is_regexp = True
# No copy button on output: testoutput blocks (classed "output" by
# _mark_test_output below, as myst-nb classes its outputs).
copybutton_selector = "div:not(.output) > div.highlight > pre"


class _DropMystConfigDumps(logging.Filter):
    """Drops the two configuration dumps (about 1,600 characters each) that
    myst-parser and myst-nb log at INFO level on every build, and myst-nb's
    jupyter-cache path, unused with ``nb_execution_mode = "off"``."""

    DUMPS = frozenset({"MdParserConfig", "NbParserConfig"})

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        if any(type(arg).__name__ in self.DUMPS for arg in args):
            return False
        return not str(record.msg).startswith("Using jupyter-cache at:")


def _drop_duplicate_paths(app, *_):
    """Keep the first of each path that the themes and extensions append again."""
    for name in ("templates_path", "html_static_path"):
        paths = app.config[name]
        paths[:] = dict.fromkeys(paths)


def _set_user_asset_priority(app, config):
    """Give html_css_files and html_js_files entries the priority that the HTML
    builder would write into these very dicts later (setdefault, 800)."""
    for _, attrs in [*config.html_css_files, *config.html_js_files]:
        attrs.setdefault("priority", 800)


def _mark_test_output(app, doctree, docname):
    """Class the blocks of ``testoutput`` "output": they show what code prints."""
    for node in doctree.findall(nodes.literal_block):
        if node.get("testnodetype") == "testoutput":
            node["classes"].append("output")


def setup(app):
    app.connect("doctree-resolved", _mark_test_output)
    for name in ("sphinx.myst_parser.sphinx_ext.main", "sphinx.myst_nb.sphinx_ext"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _DropMystConfigDumps) for f in logger.filters):
            logger.addFilter(_DropMystConfigDumps())
    # After Sphinx turns "name.css" entries into ("name.css", {}) at priority 800.
    app.connect("config-inited", _set_user_asset_priority, priority=900)
    app.connect("builder-inited", _drop_duplicate_paths, priority=900)
