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
# are made once; the tests that build or read the site in _build (make html,
# the browser, the copy test's environments) share one worker, so the site is
# built once and its builds never overlap. (xdist's loadgroup would group by
# marks, but sets a node id attribute that pytest 9 no longer reads.)
SITE_TESTS = ("tests/site/", "tests/browser/", "tests/test_wheel.py")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    from xdist.scheduler import LoadScopeScheduling

    class ByFileSiteTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return "site" if nodeid.startswith(SITE_TESTS) else nodeid.split("::")[0]

    return (
        ByFileSiteTogether(config, log) if config.getvalue("dist") == "load" else None
    )
