"""conf.py: which files Sphinx treats as pages, and which extensions it loads."""

import runpy
from pathlib import Path

from sphinx.project import Project

REPO = Path(__file__).resolve().parents[1]


def test_only_the_guide_is_a_page():
    conf = runpy.run_path(str(REPO / "conf.py"))
    project = Project(REPO, [".rst", ".md", ".ipynb"])
    pages = project.discover(conf["exclude_patterns"], conf["include_patterns"])
    assert pages == {
        "index",
        "howtos/lr_schedule",
        "howtos/lr_range_test",
        "howtos/schedule_atlas",
        "howtos/scaling_out",
        "docs/api",
        "docs/benchmarks",
        "docs/codediff",
        "docs/results",
    }
    # README.md and the Markdown/notebook test roots exist, and are still no pages.
    assert (REPO / "README.md").is_file()
    assert list((REPO / "tests" / "roots").rglob("*.md"))


def test_extensions_include_codediff_and_doctest():
    conf = runpy.run_path(str(REPO / "conf.py"))
    assert {"codediff", "sphinx.ext.doctest", "myst_nb"} <= set(conf["extensions"])
