"""codediff in real Sphinx builds: html, doctest, text, doctrees, warnings."""

import hashlib
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import codediff
import html5lib
import pytest
from codediff.nodes import codediff_test
from docutils import nodes

ROOTS = Path(__file__).resolve().parents[1] / "roots"
# SHA-256 of the seed tutorial (shared/seed/lr_schedule_seed.rst, outside the
# repository), which tests/roots/test-codediff-seed/index.rst copies verbatim.
SEED_SHA256 = "fcd9fc3c3f10d705396254efc58cc9a48f9d7e8107a2ad4c1f817ff4d195e5d7"


def codediff_divs(html: str) -> list[str]:
    """The outer <div class="codediff ..."> elements of a page, as HTML text."""
    found = []
    for match in re.finditer(r'<div class="codediff docutils container">', html):
        depth, position = 0, match.start()
        for tag in re.finditer(r"<(/?)div\b", html[match.start() :]):
            depth += -1 if tag.group(1) else 1
            if depth == 0:
                position = match.start() + tag.end()
                break
        found.append(html[match.start() : html.index(">", position) + 1])
    return found


def panes_of(doctree) -> list[list[nodes.Element]]:
    return [
        [child for child in container.children if "codediff-pane" in child["classes"]]
        for container in doctree.findall(nodes.container)
        if "codediff" in container["classes"]
    ]


# --- doctrees ---------------------------------------------------------------


@pytest.mark.sphinx("dummy", testroot="codediff")
def test_doctree_structure(app):
    app.build()
    doctree = app.env.get_doctree("index")
    first = panes_of(doctree)[0]
    captions = [pane.next_node(nodes.caption).astext() for pane in first]
    assert captions == ["Default", "Changed"]
    blocks = [pane.next_node(nodes.literal_block) for pane in first]
    assert blocks[0].astext() == 'value = offset + 1\nprint_me = "---"\n# -----'
    assert blocks[1].astext().startswith("value = offset + 2\n")
    assert blocks[0]["highlight_args"] == {}
    assert blocks[1]["highlight_args"] == {"hl_lines": [1]}
    assert all(block["language"] == "python" for block in blocks)
    tests = list(doctree.findall(codediff_test))
    assert [test["groups"] for test in tests[:2]] == [["Default"], ["Changed"]]
    assert tests[1].astext() == blocks[1].astext()  # what runs is what is shown
    assert all("#!" not in test.astext() for test in tests)
    assert tests[0].line == 21 and tests[1].line == 26  # file lines of the code


@pytest.mark.sphinx("dummy", testroot="codediff")
def test_groups_skip_and_languages(app):
    app.build()
    tests = list(app.env.get_doctree("index").findall(codediff_test))
    groups = [test["groups"][0] for test in tests]
    assert "linen" in groups and "nnx" in groups
    assert "haiku" not in groups  # :skip_test: haiku
    assert not any(group.startswith("Shell") for group in groups)  # bash is not run
    panes = panes_of(app.env.get_doctree("index"))
    shell = [pane.next_node(nodes.literal_block) for pane in panes[5]]
    assert [block["language"] for block in shell] == ["bash", "bash"]


@pytest.mark.sphinx("dummy", testroot="codediff")
def test_automatic_and_disabled_highlights(app):
    app.build()
    panes = panes_of(app.env.get_doctree("index"))
    auto = [pane.next_node(nodes.literal_block)["highlight_args"] for pane in panes[2]]
    assert auto == [{"hl_lines": [2]}, {"hl_lines": [2, 4]}]
    off = [pane.next_node(nodes.literal_block)["highlight_args"] for pane in panes[3]]
    assert off == [{}, {}]


@pytest.mark.sphinx("dummy", testroot="codediff")
def test_myst_and_notebook_build_the_same_nodes(app):
    app.build()
    for docname in ("markdown", "notebook"):
        doctree = app.env.get_doctree(docname)
        (panes,) = panes_of(doctree)
        captions = [pane.next_node(nodes.caption).astext() for pane in panes]
        code = [pane.next_node(nodes.literal_block).astext() for pane in panes]
        assert captions == ["Default", "Changed"], docname
        assert code == ["value = offset + 1", "value = offset + 2"], docname
        assert (
            "tab-set" not in doctree.astext() and "codediff::" not in doctree.astext()
        )
        tests = list(doctree.findall(codediff_test))
        assert [test["groups"] for test in tests] == [["Default"], ["Changed"]]
    markdown_tests = list(app.env.get_doctree("markdown").findall(codediff_test))
    assert [test.line for test in markdown_tests] == [11, 13]
    assert app.warning.getvalue() == ""


# --- html ---------------------------------------------------------------------


@pytest.mark.sphinx("html", testroot="codediff")
def test_html_side_by_side_valid_and_escaped(app):
    app.build()
    html = (app.outdir / "index.html").read_text()
    divs = codediff_divs(html)
    assert len(divs) == 7
    for div in divs:  # html5lib in strict mode raises on any parse error
        html5lib.HTMLParser(strict=True).parseFragment(div)
        assert not re.search(r"<p\b[^>]*>(?:(?!</p>).)*<div", div, re.S)
    assert "Escape &lt;b&gt;bold&lt;/b&gt;" in html
    assert "&lt;/pre&gt;&lt;script&gt;alert" in html
    assert "<script>alert" not in html
    assert "#!" not in "".join(divs)
    assert '<span class="hll">' in divs[0]
    assert '<p class="codediff-changes">Changed lines: 1.</p>' in divs[0]
    assert "<!--" not in html  # hidden tests are not shipped in the page
    assert "After the last codediff." in html
    assert (app.outdir / "_static" / "codediff.css").is_file()
    # Copied, not added to html_static_path: the saved configuration stays
    # the same as conf.py's for every builder.
    assert str(Path(codediff.__file__).parent / "static") not in map(
        str, app.config.html_static_path
    )
    assert 'href="_static/codediff.css' in html


@pytest.mark.sphinx("html", testroot="codediff")
def test_html_alignment_rows_are_empty_and_display_only(app):
    app.build()
    aligned = codediff_divs((app.outdir / "index.html").read_text())[-1]
    pads = re.findall(r'<span class="codediff-pad"[^>]*>(.*?)</span>', aligned)
    assert pads == [""]  # no text: nothing to copy
    assert 'style="--codediff-pad: 2"' in aligned
    left_pre = re.search(r"<pre>(.*?)</pre>", aligned, re.S).group(1)
    assert left_pre.index("codediff-pad") > left_pre.index("return")


@pytest.mark.parametrize("builder", ["text", "latex"])
def test_css_only_for_html_builders(sphinx_project, builder):
    app = sphinx_project("Page\n====\n\n.. codediff::\n\n  x = 1\n", builder)
    assert "codediff.css" not in [name for name, _ in app.registry.css_files]
    assert not list(Path(app.outdir).rglob("codediff.css"))
    assert str(Path(codediff.__file__).parent / "static") not in map(
        str, app.config.html_static_path
    )


def test_codediff_is_the_installed_package():
    # Installed with `pip install -e ./_ext`; no test puts _ext on sys.path.
    from importlib.metadata import distribution

    assert distribution("lr-scheduling-sphinx").files is not None
    assert Path(codediff.__file__).resolve() == (
        ROOTS.parents[1] / "_ext/codediff/__init__.py"
    )


def test_wheel_ships_the_stylesheet(tmp_path):
    # A copy, so that setuptools' build/ folder is not left in _ext.
    source = tmp_path / "src"
    shutil.copytree(
        ROOTS.parents[1] / "_ext",
        source,
        ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"),
    )
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps"]
        + ["--no-build-isolation", "--wheel-dir", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("lr_scheduling_sphinx-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        (metadata_name,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        metadata = archive.read(metadata_name).decode()
    assert {"codediff/static/codediff.css", "codediff/source.py"} <= names
    assert "guide_site/mathjax.py" in names
    assert "Requires-Dist: sphinx" in metadata


@pytest.mark.sphinx("text", testroot="codediff")
def test_text_builder_shows_titled_sides_in_turn(app):
    app.build()
    text = (app.outdir / "index.txt").read_text()
    assert re.search(
        r"Default\n\n   value = offset \+ 1\n.*\nChanged\n\n   value = offset \+ 2",
        text,
        re.S,
    )
    assert "#!" not in text


@pytest.mark.sphinx("latex", testroot="codediff")
def test_latex_builder(app):
    app.build()
    (tex,) = [path for path in app.outdir.glob("*.tex")]
    source = tex.read_text()
    assert "Default" in source and "Changed" in source and "#!" not in source


# --- doctest ------------------------------------------------------------------


@pytest.mark.sphinx("doctest", testroot="codediff")
def test_doctest_runs_every_side(app):
    app.build()
    # index: 2 + 2 (haiku skipped) + 2 + 2 + 2 (bash not run) + 2; md and ipynb: 2 each
    assert app.builder.total_tries == 16
    assert app.builder.total_failures == 0
    assert app.builder.setup_failures == 0


FAILING = """\
Failing
=======

.. codediff::
  :title_left: Passes
  :title_right: Fails

  assert 1 + 1 == 2
  ---
  assert 1 + 1 == 3  #!
"""


def test_failing_side_is_a_doctest_failure_in_the_right_file(sphinx_project):
    app = sphinx_project(FAILING, "doctest", myst=True)
    assert app.builder.total_tries == 2
    assert app.builder.total_failures == 1
    report = (app.outdir / "output.txt").read_text()
    assert 'File "index.rst"' in report and "in Fails" in report
    assert "assert 1 + 1 == 3" in report and "AssertionError" in report


# --- author mistakes -------------------------------------------------------------


@pytest.mark.sphinx("html", testroot="codediff-errors")
def test_author_mistakes_are_warnings_at_file_and_line(app):
    app.build()
    warnings = app.warning.getvalue()
    expected = [
        (4, "no separator line '---'"),
        (10, r"3 sides \(separated by 2 '---' line\(s\)\) but 2 titles"),
        (19, "the side titled 'Empty' is empty"),
        (26, r":groups: names 1 group\(s\) \['only-one'\] for 2 panes"),
        (35, r":skip_test: names \['Nowhere'\], which is not among"),
        (44, "unknown :language: 'notalanguage'"),
        (
            53,
            "tabs mixed with spaces in the indentation of the side titled 'Tabs left'",
        ),
        (63, "give the panes' titles"),
        (71, r"the title '\*x `y' has broken inline markup .*; it is shown as plain"),
    ]
    for line, message in expected:
        pattern = rf"index\.rst:{line}: WARNING: codediff: {message}.*\[codediff\.\w+\]"
        assert re.search(pattern, warnings), (line, message, warnings)
    assert "Traceback" not in warnings
    html = (app.outdir / "index.html").read_text()
    assert "The page goes on after every mistake." in html
    assert "codediff-invalid" in html and "x = 1" in html  # bad content still shown
    assert 'caption-text">====</span>' in html  # inline text, not a section
    assert 'caption-text">*x `y</span>' in html  # broken markup: plain text


@pytest.mark.sphinx("dummy", testroot="codediff-errors")
def test_mistakes_leave_no_tests_behind(app):
    app.build()
    groups = [
        t["groups"][0] for t in app.env.get_doctree("index").findall(codediff_test)
    ]
    # The :skip_test:, :language:, tabs and markup-title examples are valid
    # enough to test; the other mistakes leave no test.
    assert groups == [
        "Skip left",
        "Skip right",
        "Tabs left",
        "Tabs right",
        "====",
        "*x `y",
    ]


def test_mistakes_are_fatal_only_with_warnings_as_errors(sphinx_project):
    page = "Bad\n===\n\n.. codediff::\n  :title: A, B\n\n  x\n"
    lenient = sphinx_project(page, "html")
    assert lenient.statuscode == 0 and "no separator" in lenient.warning.getvalue()
    strict = sphinx_project(page, "html", warningiserror=True)
    assert strict.statuscode == 1


# --- the seed tutorial, verbatim ---------------------------------------------


def test_seed_copy_is_verbatim():
    # Runs in any clone: the copy is checked against the seed's digest.
    copy = ROOTS / "test-codediff-seed" / "index.rst"
    assert hashlib.sha256(copy.read_bytes()).hexdigest() == SEED_SHA256


@pytest.mark.sphinx("html", testroot="codediff-seed")
def test_seed_builds_without_codediff_warnings(app):
    app.build()
    assert "codediff" not in app.warning.getvalue()
    html = (app.outdir / "index.html").read_text()
    divs = codediff_divs(html)
    assert len(divs) == 2
    for div in divs:
        assert (
            "Default learning rate" in div
            and "Triangular learning rate schedule" in div
        )
        assert '<span class="hll">' in div and "#!" not in div
    # train_step: lines 2 and 11 on the left, 2, 9, 10 and 11 on the right.
    assert "Changed lines: 2, 11." in divs[0] and "Changed lines: 2, 9-11." in divs[0]


# --- parallel and incremental builds ---------------------------------------------


def html_pages(outdir: Path) -> dict[str, str]:
    return {path.name: path.read_text() for path in sorted(outdir.glob("page*.html"))}


def root_files(name: str) -> dict[str, str]:
    """A test root's pages, to build with the fixture's own conf.py."""
    root = ROOTS / name
    return {
        path.relative_to(root).as_posix(): path.read_text()
        for path in root.rglob("*.rst")
    }


def test_parallel_build_matches_serial(sphinx_project):
    pages = {}
    for jobs in (1, 2):
        app = sphinx_project(root_files("test-codediff-parallel"), parallel=jobs)
        pages[jobs] = html_pages(app.outdir)
        assert "WARNING: codediff:" not in app.warning.getvalue()
    assert len(pages[1]) == 7
    assert pages[1] == pages[2]


def test_incremental_rebuild_matches_fresh_build(sphinx_project):
    app = sphinx_project(root_files("test-codediff-parallel"))
    first = html_pages(app.outdir)
    page = app.srcdir / "page3.rst"
    page.write_text(page.read_text().replace("value = 4  #!", "value = 40  #!"))
    again = sphinx_project(srcdir=app.srcdir)
    second = html_pages(again.outdir)
    assert second["page3.html"] != first["page3.html"] and "40" in second["page3.html"]
    assert {k: v for k, v in second.items() if k != "page3.html"} == {
        k: v for k, v in first.items() if k != "page3.html"
    }


def test_a_changed_stylesheet_replaces_its_old_copy(sphinx_project):
    first = sphinx_project("Page\n====\n\n.. codediff::\n\n  x = 1\n")
    copied = Path(first.outdir) / "_static" / "codediff.css"
    copied.write_text("/* the stylesheet of an older build */\n")
    again = sphinx_project(srcdir=first.srcdir)
    assert "copy_overwrite" not in again.warning.getvalue()
    source = Path(codediff.__file__).parent / "static" / "codediff.css"
    assert (Path(again.outdir) / "_static" / "codediff.css").read_text() == (
        source.read_text()
    )


# --- the pinned toolchain -------------------------------------------------------


@pytest.mark.parametrize("package", ["sphinx", "docutils", "myst-parser", "myst-nb"])
def test_runs_on_the_pinned_versions(package):
    from importlib.metadata import version

    requirements = (ROOTS.parents[1] / "requirements.txt").read_text().lower()
    pinned = re.search(rf"^{package}==(\S+)$", requirements, re.M)
    assert pinned, f"{package} is not pinned in requirements.txt"
    assert version(package) == pinned.group(1)
