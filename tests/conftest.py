"""Shared fixtures: Sphinx's test application and the test roots."""

import doctest
import os
from pathlib import Path

import pytest
from hypothesis import settings

pytest_plugins = ("sphinx.testing.fixtures",)

# Hypothesis searches afresh on every run, so that a developer's runs keep
# finding new cases; CI (CI=true) runs the same fixed search every time, so
# that whether it passes depends on the code alone.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")


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
# are made once. The tests of the built site are one group, on one worker:
# they share one `make doctest` run (whose JAX cache the copy test's scripts
# load), one copy of the site for the browser (sitetools.site_snapshot) and
# the rebuilds of tests/site, which would otherwise wait for each other.
# (xdist's loadgroup would group by marks, but sets a node id attribute that
# pytest 9 no longer reads.)
SITE_TESTS = ("tests/site/", "tests/browser/", "tests/test_wheel.py")


def xdist_scope(nodeid: str) -> str:
    """The unit of work that pytest-xdist gives one worker, for a test."""
    if nodeid.startswith(SITE_TESTS):
        return "site"
    return nodeid.split("::")[0]


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    from xdist.scheduler import LoadScopeScheduling

    class ByScope(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return xdist_scope(nodeid)

    return ByScope(config, log) if config.getvalue("dist") == "load" else None
