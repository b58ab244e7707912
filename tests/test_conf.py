"""conf.py: which files Sphinx treats as pages, and which extensions it loads."""

import runpy
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from sphinx.project import Project

REPO = Path(__file__).resolve().parents[1]


def guide_sources() -> set[str]:
    """index and every .rst/.md/.ipynb under howtos/ and docs/, by docname."""
    found = {"index"}
    for folder in ("howtos", "docs"):
        for path in (REPO / folder).rglob("*"):
            if (
                path.suffix in {".rst", ".md", ".ipynb"}
                and ".ipynb_checkpoints" not in path.parts
            ):
                found.add(path.relative_to(REPO).with_suffix("").as_posix())
    return found


def test_only_the_guide_is_a_page():
    """The pages are exactly the guide's sources, however many there are."""
    conf = runpy.run_path(str(REPO / "conf.py"))
    project = Project(REPO, [".rst", ".md", ".ipynb"])
    pages = project.discover(conf["exclude_patterns"], conf["include_patterns"])
    assert pages == guide_sources()
    assert {"index", "howtos/lr_schedule", "docs/api"} <= pages
    # README.md and the Markdown/notebook test roots exist, and are still no pages.
    assert (REPO / "README.md").is_file()
    assert list((REPO / "tests" / "roots").rglob("*.md"))


def test_extensions_include_codediff_and_doctest():
    conf = runpy.run_path(str(REPO / "conf.py"))
    assert {"codediff", "sphinx.ext.doctest", "myst_nb"} <= set(conf["extensions"])


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """A copy of ./_ext, without what an earlier install left in it."""
    copy = tmp_path / "_ext"
    shutil.copytree(
        REPO / "_ext", copy, ignore=shutil.ignore_patterns("*.egg-info", "__pycache__")
    )
    return copy


def test_the_extensions_install_without_setuptools_warnings(tmp_path, source):
    """`make html` installs ./_ext; setuptools warned for 40 lines that
    codediff.static (the stylesheet's folder) was absent from the packages."""
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
        + ["-v", "-w", str(tmp_path / "wheel"), str(source)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    log = done.stdout + done.stderr
    assert "absent from the `packages` configuration" not in log
    (wheel,) = (tmp_path / "wheel").glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "codediff/static/codediff.css" in names
    assert "guide_site/tracks.py" in names


def test_the_extensions_install_editable_without_setuptools_warnings(tmp_path, source):
    """`make html` installs ./_ext editable; setuptools' meta-path finder for
    it warned for 12 lines about folders named like the packages. With the
    packages at the folder's top (package-dir), it is one .pth line instead."""
    wheels = tmp_path / "wheel"
    wheels.mkdir()
    hook = "from setuptools import build_meta; build_meta.build_editable(sys.argv[1])"
    done = subprocess.run(
        [sys.executable, "-c", f"import sys; {hook}", str(wheels)],
        cwd=source,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "Editable installation" not in done.stdout + done.stderr
    (wheel,) = wheels.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        (pth,) = [n for n in archive.namelist() if n.endswith(".pth")]
        assert archive.read(pth).decode().strip() == str(source)
