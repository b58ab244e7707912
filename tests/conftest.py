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


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Conftest files hold fixtures and hooks, not doctests.

    ``--doctest-modules`` would collect each ``conftest.py`` as a module named
    ``conftest``; with several of them (tests/, tests/_ext/, tests/site/, ...)
    the second clashes with the first and pytest stops. They are still loaded
    as conftests: this only keeps them out of the doctest collection.
    """
    return True if collection_path.name == "conftest.py" else None
