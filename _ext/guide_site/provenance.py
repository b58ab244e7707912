"""A line at the foot of every how-to: the versions and backend that ran it.

The how-tos' outputs (doctest outputs, executed notebooks, figures) come from
the build, so the build states what produced them: the installed JAX, Optax
and Flax, and the backend JAX ran on (``jax.default_backend()``, e.g.
"cpu"). Filled in at ``doctree-resolved``, never by hand.
"""

from __future__ import annotations

from importlib import metadata
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

LIBRARIES = ("JAX", "Optax", "Flax")


def versions() -> dict[str, str]:
    """The installed version of each library, by its display name."""
    return {name: metadata.version(name.lower()) for name in LIBRARIES}


def backend() -> str:
    """The backend JAX runs on in this build (what the pages' code ran on)."""
    import jax

    return jax.default_backend()


def provenance_line() -> nodes.paragraph:
    found = versions()
    named = ", ".join(f"{name} {version}" for name, version in found.items())
    text = (
        f"Outputs on this page were produced with {named}, on the {backend()} backend."
    )
    return nodes.paragraph(text, text, classes=["page-provenance"])


def add_provenance(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if docname.startswith("howtos/"):
        doctree += provenance_line()


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("doctree-resolved", add_provenance)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
