"""Sphinx configuration. The source directory is the repository root.

``lr_scheduling`` (src/) and ``codediff`` (_ext/) are installed packages
(``make html`` installs both), so nothing here edits ``sys.path``.
"""

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
]

# Only these are pages; README.md, src/, tests/, .venv/ and _build/ are not.
include_patterns = ["index.rst", "howtos/**", "docs/**"]
exclude_patterns = ["_build", ".venv", "**/.ipynb_checkpoints", "howtos/figures"]

html_theme = "sphinx_book_theme"
html_title = project
html_theme_options = {"show_toc_level": 2}
# The package's wheel, built by `make html` into _build/wheel, is served from
# the site's root so that readers can pip install it (docs/api.rst).
html_extra_path = ["_build/wheel"]

# Notebook pages are executed by their own doctests, not by myst-nb.
nb_execution_mode = "off"

autodoc_member_order = "bysource"
autodoc_typehints = "description"
napoleon_google_docstring = True

plot_include_source = False
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 110)]
plot_rcparams = {"figure.figsize": (7.0, 3.0)}

doctest_test_doctest_blocks = "default"
copybutton_prompt_text = r">>> |\.\.\. "
copybutton_prompt_is_regexp = True
