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


# Under pytest-xdist (make pytest runs -n auto) each test file runs on one
# worker, so that a file's fixtures (a trained model, a written results page)
# are made once. The tests of the built site form two groups of their own:
# the browser's (chromium visiting a copy of the site, sitetools.site_snapshot,
# whose copy buttons the copy test also reads) and the rest (tests/site
# rebuilds _build/html in place, the wheel test reads it), each on one worker,
# so that each builds or copies the site once. (xdist's loadgroup would group
# by marks, but sets a node id attribute that pytest 9 no longer reads.)
SITE_TESTS = ("tests/site/", "tests/test_wheel.py")
BROWSER_TESTS = "tests/browser/"


def xdist_scope(nodeid: str) -> str:
    """The unit of work that pytest-xdist gives one worker, for a test."""
    if nodeid.startswith(SITE_TESTS):
        return "site"
    if nodeid.startswith(BROWSER_TESTS):
        return "browser"
    return nodeid.split("::")[0]


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    from xdist.scheduler import LoadScopeScheduling

    class ByScope(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return xdist_scope(nodeid)

    return ByScope(config, log) if config.getvalue("dist") == "load" else None
