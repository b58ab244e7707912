"""Sphinx configuration: paths and settings only. The source directory is the
repository root.

``lr_scheduling`` (src/), ``codediff`` and ``guide_site`` (_ext/) are installed
packages (``make html`` installs them), so nothing here edits ``sys.path``;
the site's Sphinx glue lives in ``_ext/guide_site``.
"""

import os

project = "Learning-rate scheduling in JAX"
author = "The lr_scheduling authors"
copyright = "2026, " + author

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "sphinx.ext.mathjax",
    "sphinx.ext.napoleon",
    "matplotlib.sphinxext.plot_directive",
    "myst_nb",
    "sphinx_copybutton",
    "sphinx_design",
    "codediff",
    # MathJax served from _static (npm, package.json), quiet and stable builds.
    "guide_site",
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
# layout.js: code blocks measured in the browser; a codediff or plain block
# whose lines do not fit widens on a wide screen (layout.css: small theme
# fixes). site.js: search snippets from the article's text.
html_js_files = [("layout.js", {"defer": "defer"}), ("site.js", {"defer": "defer"})]
# The package's wheel, built by `make html` into _build/wheel, is served from
# the site's root so that readers can pip install it (docs/api.rst).
html_extra_path = ["_build/wheel"]
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
    # pydata-sphinx-theme's defaults, stated so that the configuration is the
    # same for every builder (see guide_site).
    "icon_links": [],
    "logo": {},
}
html_permalinks_icon = "#"  # pydata-sphinx-theme's default, stated likewise
html_sourcelink_suffix = ""  # sphinx-book-theme's default, stated likewise

# Notebook pages (MyST-NB, howtos/*.md) run during the html build. The cache
# (_build/.jupyter_cache) keeps the outputs of unchanged notebooks, so they
# run again only when their code changes. A failing cell fails the build.
nb_execution_mode = "cache"
nb_execution_timeout = 300
nb_execution_raise_on_error = True
nb_execution_show_tb = True

# Display formulas wider than a phone scroll sideways in their own box
# (guide_site.mathjax adds the paths to the local copy to this).
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
# No copy button on output: testoutput blocks (classed "output" by guide_site,
# as myst-nb classes its outputs).
copybutton_selector = "div:not(.output) > div.highlight > pre"
