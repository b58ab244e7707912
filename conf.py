"""Sphinx configuration. The source directory is the repository root."""

import os
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
# pydata-sphinx-theme reads the colour mode from this context value; unset, its
# JS gets "" and logs "Got invalid theme mode" on every page.
html_context = {"default_mode": "auto"}
html_theme_options = {"show_toc_level": 2}

# Notebook pages are executed by their own doctests, not by myst-nb.
nb_execution_mode = "off"

# Display formulas wider than a phone scroll sideways in their own box
# (local_mathjax adds the paths to the local copy to this).
mathjax4_config = {"output": {"displayOverflow": "scroll"}}

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
