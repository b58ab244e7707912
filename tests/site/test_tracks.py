"""The track scripts the site offers (guide_site.tracks), and the line naming
what ran each how-to (guide_site.provenance).

Whether each script runs and prints what its page shows is the copy test's
(tests/browser/test_paste.py); here the scripts are read, not run.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import textwrap
from importlib import metadata
from pathlib import Path

import html5lib
import jax
import pytest
from sitetools import REPO, track_scripts

PACKAGE_IMPORT = re.compile(r"\b(?:from|import)\s+lr_scheduling\b")


def ruff(select: str, paths: list[Path]) -> list[dict]:
    """Ruff's findings of the rules ``select`` on ``paths`` (our config ignored)."""
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache"]
        + ["--select", select, "--output-format", "json", *map(str, paths)],
        capture_output=True,
        text=True,
    )
    assert done.returncode in (0, 1), done.stderr
    return [
        {
            "file": Path(f["filename"]).name,
            "line": f["location"]["row"],
            "message": f["message"],
        }
        for f in json.loads(done.stdout)
    ]


@pytest.fixture(scope="module")
def scripts(build) -> dict[str, Path]:
    found = track_scripts()
    assert any(name.startswith("scripts/howtos/") for name in found), found
    return found


def test_every_name_a_script_uses_is_on_its_page(scripts):
    """A page-drawn object (``codediff :from:``) may use only names that the
    track shows: defined or imported in its blocks. Undefined names (F821)
    fail here even in code that no test calls."""
    assert ruff("F821", list(scripts.values())) == []


def test_no_script_has_an_unused_import(scripts):
    assert ruff("F401", list(scripts.values())) == []


def test_no_pasted_function_has_a_docstring_example_importing_the_package(scripts):
    """A reader pastes these functions without the package; an example in
    their docstrings that imports it would not run where it is pasted."""
    found = []
    for name, path in scripts.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(
                node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
            ):
                continue
            if PACKAGE_IMPORT.search(ast.get_docstring(node) or ""):
                found.append(f"{name}: {node.name}")
    assert found == []


def test_each_howto_links_each_of_its_scripts(build, scripts):
    linked = {}
    for page in sorted((build.html / "howtos").glob("*.html")):
        tree = html5lib.parse(page.read_bytes(), namespaceHTMLElements=False)
        for link in tree.iter("a"):
            if "track-download" in link.get("class", "").split():
                target = (page.parent / link.get("href")).resolve()
                assert link.get("download") == "", link.get("href")
                linked[target] = page.name
    assert set(linked) == {path.resolve() for path in scripts.values()}
    # The seed how-to: one script per track, named after it.
    assert {p.name for p in scripts.values() if "lr_schedule_" in p.name} >= {
        "lr_schedule_default_learning_rate.py",
        "lr_schedule_triangular_learning_rate_schedule.py",
    }


def provenance(page: Path) -> list[str]:
    tree = html5lib.parse(page.read_bytes(), namespaceHTMLElements=False)
    return [
        "".join(p.itertext())
        for p in tree.iter("p")
        if "page-provenance" in p.get("class", "").split()
    ]


def test_every_howto_names_the_versions_and_backend_that_ran_it(build):
    expected = (
        f"Outputs on this page were produced with JAX {metadata.version('jax')}, "
        f"Optax {metadata.version('optax')}, Flax {metadata.version('flax')}, "
        f"on the {jax.default_backend()} backend."
    )
    howtos = sorted((build.html / "howtos").glob("*.html"))
    assert len(howtos) >= 4
    assert {page.name: provenance(page) for page in howtos} == {
        page.name: [expected] for page in howtos
    }
    # At the foot: after the page's last section heading.
    text = howtos[0].read_text()
    assert text.rfind("page-provenance") > text.rfind("<h2")
    assert provenance(build.html / "index.html") == []


PAGE = """\
Tracks
======

Intro.

.. testsetup:: *

   hidden = 1

.. testcode:: Fixed rate, Schedule

   import math
   x = 2

.. doctest:: pitfall

   >>> 1 / 0
   Traceback (most recent call last):
   ...
   ZeroDivisionError: division by zero

.. codediff::
   :title_left: Fixed rate
   :title_right: Schedule

   print(x)
   ---
   print(math.sqrt(x * 8))

.. testoutput:: Fixed rate

   2

.. doctest:: Schedule

   >>> y = x + 1
   >>> y
   3
   >>> print(y)
   3

First section
-------------

Text.
"""


def build_tiny(tmp_path: Path, page: str, name: str = "howtos/page") -> tuple:
    source = tmp_path / "src"
    (source / name).parent.mkdir(parents=True, exist_ok=True)
    (source / f"{name}.rst").write_text(page)
    (source / "index.rst").write_text(f"Index\n=====\n\n.. toctree::\n\n   {name}\n")
    (source / "conf.py").write_text(
        'extensions = ["sphinx.ext.doctest", "codediff", "guide_site.tracks"]\n'
    )
    out = tmp_path / "html"
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "--no-color", "-b", "html", "-q"]
        + [str(source), str(out)],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(REPO / "_ext"), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    return out, done.stderr


def test_a_howto_offers_its_tracks_by_the_copy_tests_rules(tmp_path):
    out, warnings = build_tiny(tmp_path, PAGE)
    assert warnings == ""
    scripts = out / "_downloads" / "scripts" / "howtos"
    assert sorted(p.name for p in scripts.iterdir()) == [
        "page_fixed_rate.py",
        "page_schedule.py",
    ]  # the pitfall, a doctest-only group, is no track
    assert (
        scripts / "page_fixed_rate.py"
    ).read_text() == "import math\nx = 2\n\nprint(x)\n"
    assert (scripts / "page_schedule.py").read_text() == textwrap.dedent(
        """\
        import math
        x = 2

        print(math.sqrt(x * 8))

        y = x + 1

        y

        print(y)
        """
    )
    html = (out / "howtos" / "page.html").read_text()
    line = re.search(r'<p class="track-downloads">(.*?)</p>', html, re.S).group(1)
    assert re.sub(r"<[^>]+>", "", line) == "Download the Fixed rate / Schedule scripts."
    # Automatic placement: at the end of the introduction, before the sections.
    assert (
        html.index("Intro.")
        < html.index("track-downloads")
        < html.index("First section")
    )


def test_the_directive_places_and_labels_the_line(tmp_path):
    page = PAGE.replace(
        "Text.\n",
        "Text.\n\n.. track-downloads::\n\n   Schedule: Triangular\n   Fixed rate: Default\n",
    )
    out, warnings = build_tiny(tmp_path, page, name="docs/page")
    assert warnings == ""
    html = (out / "docs" / "page.html").read_text()
    assert html.count('class="track-downloads"') == 1
    assert html.index("First section") < html.index("track-downloads")
    line = re.search(r'<p class="track-downloads">(.*?)</p>', html, re.S).group(1)
    assert re.sub(r"<[^>]+>", "", line) == "Download the Triangular / Default scripts."
    assert 'href="../_downloads/scripts/docs/page_schedule.py"' in line


def test_a_label_for_no_track_is_a_warning_with_its_line(tmp_path):
    page = PAGE + "\n.. track-downloads::\n\n   Shedule: Triangular\n"
    out, warnings = build_tiny(tmp_path, page)
    assert re.search(
        r"page\.rst:\d+: WARNING: track-downloads: no track named 'Shedule' on this "
        r"page \(tracks: 'Fixed rate', 'Schedule'\)",
        warnings,
    ), warnings
    assert (out / "howtos" / "page.html").is_file()


def test_a_page_without_tracks_gets_no_line(tmp_path):
    out, warnings = build_tiny(tmp_path, "Plain\n=====\n\nNo code.\n")
    assert "track-downloads" not in (out / "howtos" / "page.html").read_text()
    assert not (out / "_downloads").exists()


def test_a_function_using_a_name_the_page_does_not_show_is_found(tmp_path):
    """The kind of fault the F821 check above catches: a drawn function that
    calls a helper the page never shows (make doctest passes while nothing
    calls it)."""
    page = PAGE.replace(
        "   import math\n   x = 2\n",
        "   import math\n   x = 2\n\n   def f():\n       return _helper(x)\n",
    )
    out, _ = build_tiny(tmp_path, page)
    scripts = sorted((out / "_downloads" / "scripts").rglob("*.py"))
    found = ruff("F821", scripts)
    assert {(f["file"], f["message"]) for f in found} == {
        ("page_fixed_rate.py", "Undefined name `_helper`"),
        ("page_schedule.py", "Undefined name `_helper`"),
    }
