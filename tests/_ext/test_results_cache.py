"""guide_site.results_cache and notebook_keys: cached outputs keyed on the code
that produced them."""

from __future__ import annotations

import importlib
import re
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from ext_pages import build_in_new_process, notebook
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
    assert stored.name == f"history-{results_cache.function_fingerprint(compute)}.npz"


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


def write_package(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


TINY = {
    "tiny/__init__.py": "",
    "tiny/core.py": "VALUE = 1\n",
    "tiny/train.py": "from . import core\n\ndef run():\n    return core.VALUE\n",
    "tiny/sub/__init__.py": "from tiny.sub.deep import X\n",
    "tiny/sub/deep.py": "from ..core import VALUE as X\n",
    "tiny/report.py": "import tiny.train\nTEXT = 'unrelated'\n",
}


@pytest.fixture
def tiny(tmp_path, monkeypatch):
    write_package(tmp_path, TINY)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path / "tiny"
    for name in [m for m in sys.modules if m == "tiny" or m.startswith("tiny.")]:
        del sys.modules[name]


def test_the_closure_follows_absolute_relative_and_from_imports(tiny):
    closure = results_cache.module_closure
    assert list(closure(["tiny.train"], "tiny")) == ["tiny", "tiny.core", "tiny.train"]
    assert list(closure(["tiny.sub"], "tiny")) == [
        "tiny",
        "tiny.core",
        "tiny.sub",
        "tiny.sub.deep",
    ]
    assert "tiny.report" not in closure(["tiny.train", "tiny.sub"], "tiny")
    assert "tiny.train" in closure(["tiny.report"], "tiny")


def test_a_figure_is_computed_again_when_the_code_it_runs_changes(tiny, cache_dir):
    """Edit the module the computation uses: new output. Edit report code: none."""
    train = importlib.import_module("tiny.train")
    calls = []

    def compute():
        calls.append(1)
        return {"value": np.array(train.run())}

    assert results_cache.modules_used(compute, "tiny") == {"tiny.train"}
    assert results_cache.cached("fig", compute, "tiny")["value"] == 1
    assert results_cache.cached("fig", compute, "tiny")["value"] == 1
    assert len(calls) == 1
    (tiny / "report.py").write_text("TEXT = 'reworded'\n")
    assert results_cache.cached("fig", compute, "tiny")["value"] == 1
    assert len(calls) == 1  # report code is not what the figure runs
    (tiny / "core.py").write_text("VALUE = 2\n")
    importlib.reload(importlib.import_module("tiny.core"))
    assert results_cache.cached("fig", compute, "tiny")["value"] == 2
    assert len(calls) == 2
    assert len(list(cache_dir.glob("fig-*.npz"))) == 2


def test_a_figure_is_computed_again_when_its_own_code_changes(cache_dir):
    first = results_cache.cached("own", lambda: {"a": np.array(1)})
    second = results_cache.cached("own", lambda: {"a": np.array(2)})
    assert (first["a"], second["a"]) == (1, 2)


NOTEBOOK = notebook('from tiny.train import run\n\nprint("value", run())')


def build_notebook(project: Path, *options: str) -> str:
    log = build_in_new_process(project, *options, path=(project,))
    html = (project / "_build" / "html" / "page.html").read_text()
    (value,) = re.findall(r"value (\d+)", html)
    return value + ("" if "Executing notebook" in log else " (cached)")


def test_a_notebook_runs_again_when_the_package_code_it_imports_changes(tmp_path):
    """jupyter-cache alone keys on the cells: an edit to the package left the
    old output, even with -E. Unrelated package code reruns nothing."""
    write_package(tmp_path, TINY)
    (tmp_path / "page.md").write_text(NOTEBOOK)
    (tmp_path / "conf.py").write_text(
        'extensions = ["myst_nb", "guide_site.notebook_keys"]\n'
        'nb_execution_mode = "cache"\n'
        'guide_site_cache_package = "tiny"\n'
        'exclude_patterns = ["_build"]\n'
        'root_doc = "page"\n'
    )
    assert build_notebook(tmp_path) == "1"
    assert build_notebook(tmp_path, "-E") == "1 (cached)"
    (tmp_path / "tiny" / "core.py").write_text("VALUE = 2\n")
    assert build_notebook(tmp_path) == "2"  # incremental: the page is read again
    (tmp_path / "tiny" / "core.py").write_text("VALUE = 3\n")
    assert build_notebook(tmp_path, "-E") == "3"
    (tmp_path / "tiny" / "report.py").write_text("TEXT = 'reworded'\n")
    assert build_notebook(tmp_path, "-E") == "3 (cached)"
