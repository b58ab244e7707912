"""Shared fixtures: Sphinx's test application and the test roots."""

import doctest
from pathlib import Path

import pytest

pytest_plugins = ("sphinx.testing.fixtures",)


@pytest.fixture(scope="session")
def rootdir() -> Path:
    return Path(__file__).parent / "roots"


@pytest.fixture(autouse=True)
def _restore_doctest_compile():
    """Undo sphinx.ext.doctest's process-wide patch once a test is done.

    The doctest builder sets ``doctest.compile`` to compile in "exec" mode,
    after which ``>>> expression`` prints nothing in later module doctests.
    """
    yield
    doctest.__dict__.pop("compile", None)
