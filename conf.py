"""Sphinx configuration. The source directory is the repository root."""

import sys
from pathlib import Path

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
