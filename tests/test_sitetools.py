"""When tests/site may read make html-strict's log instead of building again."""

import os

import pytest
from sitetools import strict_build_log

LOG = "Running Sphinx v9.0.4\n\x1b[01mbuild succeeded.\x1b[39;49;00m\n"


@pytest.fixture
def built(tmp_path, monkeypatch):
    """A strict build's log written after the environment it pickled."""
    monkeypatch.delenv("LR_SCHEDULING_INTERSPHINX", raising=False)
    pickled, log = tmp_path / "environment.pickle", tmp_path / "html-strict.log"
    pickled.write_bytes(b"env")
    log.write_text(LOG, encoding="utf-8")
    os.utime(pickled, ns=(1_000_000_000, 1_000_000_000))
    os.utime(log, ns=(2_000_000_000, 2_000_000_000))
    return log, pickled


def test_the_log_of_the_current_environment_is_read_without_colours(built):
    assert strict_build_log(*built) == "Running Sphinx v9.0.4\nbuild succeeded.\n"


def test_a_later_build_makes_the_log_stale(built):
    log, pickled = built
    os.utime(pickled, ns=(3_000_000_000, 3_000_000_000))
    assert strict_build_log(log, pickled) is None


def test_a_failed_or_missing_build_is_not_read(built):
    log, pickled = built
    log.write_text("Running Sphinx v9.0.4\nbuild finished with problems.\n")
    assert strict_build_log(log, pickled) is None
    assert strict_build_log(log.with_name("absent.log"), pickled) is None
    assert strict_build_log(log, pickled.with_name("absent.pickle")) is None


def test_a_build_that_may_have_had_intersphinx_is_not_read(built, monkeypatch):
    monkeypatch.setenv("LR_SCHEDULING_INTERSPHINX", "1")
    assert strict_build_log(*built) is None
