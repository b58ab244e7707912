"""guide_site.results_cache: figures' slow results kept between builds."""

from __future__ import annotations

import sys
from types import SimpleNamespace

import numpy as np
import pytest
from guide_site import results_cache


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    app = SimpleNamespace(doctreedir=str(tmp_path / "doctrees"))
    monkeypatch.setattr(results_cache, "_cache_dir", None)
    results_cache.set_cache_dir(app)  # type: ignore[arg-type]
    return tmp_path / "cache"


def test_computes_once_then_reads_the_cache(cache_dir):
    calls = []

    def compute():
        calls.append(1)
        return {"loss": np.array([2.0, 1.0, 0.5]), "step": np.arange(3)}

    first = results_cache.cached("history", compute)
    again = results_cache.cached("history", compute)
    assert len(calls) == 1
    np.testing.assert_array_equal(again["loss"], [2.0, 1.0, 0.5])
    np.testing.assert_array_equal(again["step"], first["step"])
    (stored,) = cache_dir.iterdir()
    assert stored.name == f"history-{results_cache.package_fingerprint()}.npz"


def test_outside_a_build_it_just_computes(monkeypatch):
    monkeypatch.setattr(results_cache, "_cache_dir", None)
    calls = []
    for _ in range(2):
        results_cache.cached("x", lambda: calls.append(1) or {"a": np.ones(2)})
    assert len(calls) == 2


def test_an_edited_package_has_a_new_fingerprint(tmp_path, monkeypatch):
    package = tmp_path / "tiny_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("x = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    before = results_cache.package_fingerprint("tiny_pkg")
    assert results_cache.package_fingerprint("tiny_pkg") == before
    (package / "__init__.py").write_text("x = 2\n")
    assert results_cache.package_fingerprint("tiny_pkg") != before
    assert "tiny_pkg" not in sys.modules  # found, never imported
    with pytest.raises(ModuleNotFoundError, match="no_such_pkg"):
        results_cache.package_fingerprint("no_such_pkg")
