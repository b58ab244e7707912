"""codediff's ``:from:`` and one-pane form in real Sphinx builds.

The test root's package ``fromdemo`` raises as soon as any of its modules is
imported, so every build here also proves that its code is read, never run
by codediff (doctest runs the panes' code, which does not import it).
"""

import ast
import re
import shutil
import sys
import textwrap
from pathlib import Path

import pytest
from codediff.nodes import codediff_literal, codediff_test
from docutils import nodes

ROOT = Path(__file__).resolve().parents[1] / "roots" / "test-codediff-from"


@pytest.fixture
def built(app, monkeypatch):
    """The test root, built with its directory on ``sys.path``."""
    monkeypatch.syspath_prepend(str(app.srcdir))
    app.build()
    return app


def ast_source(path: Path, qualname: str) -> str:
    """An object's source by ``ast`` (decorators included), as an oracle."""
    scope: list[ast.stmt] = ast.parse(path.read_text()).body
    *outer, name = qualname.split(".")
    for part in outer:
        (scope,) = [n.body for n in scope if getattr(n, "name", None) == part]
    for node in scope:
        if getattr(node, "name", None) == name:
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            break
        targets = getattr(node, "targets", None) or [getattr(node, "target", None)]
        if any(getattr(target, "id", None) == name for target in targets):
            start = node.lineno
            break
    lines = path.read_text().split("\n")[start - 1 : node.end_lineno]
    return textwrap.dedent("\n".join(lines))


RATE_DOC = '    """The learning rate at a step."""\n'


def codediffs(doctree) -> list[list[nodes.literal_block]]:
    """The literal blocks of every codediff, multi-pane or single, in order."""
    found = []
    for container in doctree.findall(nodes.container):
        classes = container["classes"]
        if "codediff" in classes or "codediff-single" in classes:
            found.append(list(container.findall(nodes.literal_block)))
    return found


def fromdemo_imported() -> list[str]:
    return [name for name in sys.modules if name.split(".")[0] == "fromdemo"]


# --- doctrees ---------------------------------------------------------------


@pytest.mark.sphinx("dummy", testroot="codediff-from")
def test_panes_are_the_source_of_the_objects(built):
    demo = Path(built.srcdir) / "fromdemo"
    before, after = demo / "before.py", demo / "after.py"
    blocks = codediffs(built.env.get_doctree("index"))
    texts = [[block.astext() for block in panes] for panes in blocks]
    assert texts[0] == [ast_source(before, "rate"), ast_source(after, "rate")]
    # Without :docstrings:, a docstring (and the blank line after it) is left out.
    assert texts[1] == [
        "\n".join(ast_source(after, name) for name in ("Rates", "DEFAULT", "PEAK"))
        + "\n\n\n"
        + ast_source(after, "rate").replace(RATE_DOC, "")
        + "\n\n\n"
        + ast_source(after, "Trainer").replace('    """Holds a rate."""\n\n', "")
    ]
    assert '"""' not in texts[1][0]
    assert texts[2] == [
        ast_source(before, "Trainer.step"),
        ast_source(after, "Trainer.step"),
    ]
    assert texts[3] == [ast_source(before, "cached"), ast_source(after, "cached")]
    assert texts[3][1].endswith("return n * 3  #!")  # no marker processing
    assert texts[4] == [ast_source(demo / "sub" / "deep.py", "deep")]
    assert texts[5] == [ast_source(after, "Trainer.describe")]
    assert texts[5][0].startswith("@staticmethod\ndef describe():")
    assert texts[6] == ["untitled = True\nassert untitled"]
    assert texts[7] == ["assert DEFAULT == 0.1"]
    assert texts[8] == [ast_source(before, "DEFAULT")] == ["DEFAULT: float = 0.1"]
    assert all(block["language"] == "python" for panes in blocks for block in panes)
    assert fromdemo_imported() == []


@pytest.mark.sphinx("dummy", testroot="codediff-from")
def test_emphasis_alignment_and_captions(built):
    doctree = built.env.get_doctree("index")
    blocks = codediffs(doctree)
    hl = [[block["highlight_args"] for block in panes] for panes in blocks]
    assert hl == [
        [{"hl_lines": [3]}, {"hl_lines": [3, 4]}],  # automatic diff
        [{}],  # one pane: nothing to compare with
        [{}, {}],  # :no_autodiff:
        [{"hl_lines": [3]}, {"hl_lines": [3]}],
        [{}],
        [{}],
        [{"hl_lines": [1]}],  # inline one pane keeps its #! markers
        [{}],
        [{}],
    ]
    left, right = blocks[0]
    assert isinstance(left, codediff_literal) and left["codediff_pad"] == {"3": 1}
    assert "codediff_pad" not in right  # :align: pads the left only
    captions = [
        [caption.astext() for caption in container.findall(nodes.caption)]
        for container in doctree.findall(nodes.container)
        if {"codediff", "codediff-single"} & set(container["classes"])
    ]
    assert captions == [
        ["Fixed", "Scheduled"],
        [],
        ["Step before", "Step after"],
        ["Cached before", "Cached after"],
        ["Deep"],
        ["Describe"],
        [],
        ["Inline titled"],
        [],
    ]
    singles = [
        c for c in doctree.findall(nodes.container) if "codediff-single" in c["classes"]
    ]
    assert len(singles) == 6
    assert not any(
        "codediff-pane" in node["classes"]
        for s in singles
        for node in s.findall(nodes.Element)
    )


@pytest.mark.sphinx("dummy", testroot="codediff-from")
def test_test_nodes_groups_and_locations(built):
    tests = list(built.env.get_doctree("index").findall(codediff_test))
    assert [test["groups"] for test in tests] == [
        ["Fixed"],
        ["Scheduled"],
        ["Fixed", "Scheduled"],  # one pane, :groups: lists the groups it runs in
        ["Step before"],
        ["Step after"],
        ["Cached before"],
        ["Cached after"],
        ["Deep"],  # one pane: its title
        ["Describe"],
        ["default"],  # one pane, no title
        ["Fixed", "Scheduled"],
        ["Fixed"],  # :skip_test: Skipped
    ]
    demo = Path(built.srcdir) / "fromdemo"
    assert [(Path(test.source), test.line) for test in tests] == [
        (demo / "before.py", 11),
        (demo / "after.py", 14),
        (demo / "after.py", 7),  # the first object of the pane
        (demo / "before.py", 22),
        (demo / "after.py", 30),
        (demo / "before.py", 27),  # the decorator's line
        (demo / "after.py", 35),
        (demo / "sub" / "deep.py", 4),
        (demo / "after.py", 26),
        (Path(built.srcdir) / "index.rst", 57),  # inline code: the page
        (Path(built.srcdir) / "index.rst", 67),
        (demo / "before.py", 8),
    ]
    panes = [
        block for panes in codediffs(built.env.get_doctree("index")) for block in panes
    ]
    assert [test.astext() for test in tests[:2]] == [b.astext() for b in panes[:2]]


@pytest.mark.sphinx("dummy", testroot="codediff-from", freshenv=True)
def test_myst_page(built):
    doctree = built.env.get_doctree("markdown")
    blocks = codediffs(doctree)
    demo = Path(built.srcdir) / "fromdemo"
    assert [[b.astext() for b in panes] for panes in blocks] == [
        [
            ast_source(demo / "before.py", "rate").replace(RATE_DOC, ""),
            ast_source(demo / "after.py", "rate").replace(RATE_DOC, ""),
        ],
        ["DEFAULT: float = 0.1"],
    ]
    # Without their docstrings the two functions share 1 line of 5 (0.4): a
    # third of their lines, rounded, is 1 each: the left's changed return, and
    # the right's new ``cycle = step % 4`` (its edited return is closer to
    # ``return DEFAULT``).
    assert [b["highlight_args"] for b in blocks[0]] == [
        {"hl_lines": [2]},
        {"hl_lines": [2]},
    ]
    tests = list(doctree.findall(codediff_test))
    assert [(t["groups"], Path(t.source).name, t.line) for t in tests] == [
        (["md-fixed"], "before.py", 11),
        (["md-scheduled"], "after.py", 14),
        (["md-fixed"], "after.py", 8),
    ]
    assert re.search(
        r"markdown\.md:15: WARNING: codediff: unknown object 'nothing' in module "
        r"'fromdemo\.after'.*\[codediff\.from\]",
        built.warning.getvalue(),
    )


# --- author mistakes ----------------------------------------------------------


@pytest.mark.sphinx("html", testroot="codediff-from", freshenv=True)
def test_mistakes_are_warnings_at_the_directive(built):
    warnings = built.warning.getvalue()
    expected = [
        (4, "from", r"malformed pane spec 'fromdemo\.before' in :from:"),
        (8, "from", r"malformed pane spec .*'rate-2' is not a \(dotted\) Python name"),
        (
            11,
            "from",
            r"unknown module 'fromdemo\.nowhere': 'fromdemo\.nowhere' is not found",
        ),
        (
            14,
            "from",
            r"unknown module 'fromdemo\.before\.rate': 'fromdemo\.before' is a module, not a package",
        ),
        (
            17,
            "from",
            r"unknown object 'rat' in module 'fromdemo\.before' .*did you mean 'rate', 'Rates'\?",
        ),
        (20, "from", r":from: gives 2 pane spec\(s\) but there are 3 title\(s\)"),
        (24, "from", r":from: gives 1 pane spec\(s\) but there are 2 title\(s\)"),
        (28, "from", r"give the code either with :from: or as content, not both"),
        (33, "from", r":from: is empty"),
        (36, "syntax", r"give the panes' titles"),
    ]
    for line, subtype, message in expected:
        pattern = (
            rf"errors\.rst:{line}: WARNING: codediff: {message}.*"
            rf"\[codediff\.{subtype}\]"
        )
        assert re.search(pattern, warnings), (line, message, warnings)
    others = [
        line
        for line in warnings.splitlines()
        if "errors.rst" not in line and "markdown.md:15:" not in line
    ]
    assert others == []  # index.rst has no mistakes
    errors = [line for line in warnings.splitlines() if "errors.rst" in line]
    assert len(errors) == len(expected)
    assert "Traceback" not in warnings and "Exception" not in warnings
    html = (Path(built.outdir) / "errors.html").read_text()
    assert "The page goes on after every mistake." in html
    assert "codediff-invalid" in html and "x = 1" in html  # content still shown
    assert fromdemo_imported() == []


@pytest.mark.sphinx("dummy", testroot="codediff-from")
def test_mistakes_leave_no_tests(built):
    assert list(built.env.get_doctree("errors").findall(codediff_test)) == []


def test_suppress_warnings_silences_from_mistakes(make_app, tmp_path, monkeypatch):
    srcdir = tmp_path / "src"
    shutil.copytree(ROOT, srcdir)
    (srcdir / "conf.py").write_text(
        (srcdir / "conf.py").read_text() + 'suppress_warnings = ["codediff.from"]\n'
    )
    monkeypatch.syspath_prepend(str(srcdir))
    app = make_app("dummy", srcdir=srcdir)
    app.build()
    warnings = [
        line for line in app.warning.getvalue().splitlines() if "WARNING" in line
    ]
    assert len(warnings) == 1 and "[codediff.syntax]" in warnings[0]


# --- html -----------------------------------------------------------------------


@pytest.mark.sphinx("html", testroot="codediff-from")
def test_html_every_pane_is_a_highlighted_block_with_a_copy_button(built):
    html = (Path(built.outdir) / "index.html").read_text()
    assert built.config.copybutton_selector == "div.highlight pre"
    assert "copybutton.js" in html and 'href="_static/codediff.css' in html
    # Every pane's <pre> sits in div.highlight, which the copy button selects.
    assert len(re.findall(r'<div class="highlight"><pre>', html)) == 3 * 2 + 6
    assert html.count('<div class="codediff docutils container">') == 3
    assert html.count('<div class="codediff-single docutils container">') == 6
    single = html.split('<div class="codediff-single docutils container">')[1]
    assert single.lstrip().startswith('<div class="highlight-python notranslate">')
    assert (
        '<span class="mi">3</span>  <span class="c1">#!</span>' in html
    )  # as in the file


# --- doctest ------------------------------------------------------------------


@pytest.mark.sphinx("doctest", testroot="codediff-from")
def test_doctest_runs_every_pane(built):
    # index: 2 + 2 (one pane in two groups) + 2 + 2 + 1 + 1 + 1 + 2 + 1 = 14;
    # markdown: 3
    assert built.builder.total_tries == 17
    assert built.builder.total_failures == 0
    assert built.builder.setup_failures == 0
    assert fromdemo_imported() == []


BROKEN = """\
\"\"\"A module whose code fails when run.\"\"\"


def fine():
    return 1


RATIO = 1 / 0
"""

BROKEN_PAGE = """\
Broken
======

.. codediff::
   :title_left: Fine
   :title_right: Broken
   :from: brokenmod:fine, brokenmod:RATIO
"""


def test_doctest_failure_names_the_python_file(make_app, tmp_path, monkeypatch):
    srcdir = tmp_path / "src"
    srcdir.mkdir()
    (srcdir / "conf.py").write_text('extensions = ["codediff"]\n')
    (srcdir / "index.rst").write_text(BROKEN_PAGE)
    (srcdir / "brokenmod.py").write_text(BROKEN)
    monkeypatch.syspath_prepend(str(srcdir))
    app = make_app("doctest", srcdir=srcdir)
    app.build()
    assert (app.builder.total_tries, app.builder.total_failures) == (2, 1)
    report = (Path(app.outdir) / "output.txt").read_text()
    # RATIO's line in the module. (sphinx.ext.doctest alone says 15: it adds
    # line - 1 to itself for every testcode; codediff's builder does not.)
    assert 'File "brokenmod.py", line 8, in Broken' in report
    assert "RATIO = 1 / 0" in report and "ZeroDivisionError" in report


# --- dependencies ---------------------------------------------------------------


def test_editing_the_module_rebuilds_the_page(make_app, tmp_path, monkeypatch):
    srcdir = tmp_path / "src"
    shutil.copytree(ROOT, srcdir)
    monkeypatch.syspath_prepend(str(srcdir))
    first = make_app("html", srcdir=srcdir)
    first.build()
    assert "cycle = step % 8" not in (Path(first.outdir) / "index.html").read_text()

    after = srcdir / "fromdemo" / "after.py"
    after.write_text(after.read_text().replace("step % 4", "step % 8"))
    again = make_app("html", srcdir=srcdir)
    reread: list[str] = []
    again.connect("env-before-read-docs", lambda app, env, docs: reread.extend(docs))
    again.build()
    assert sorted(reread) == ["index", "markdown"]  # errors.rst reads before.py only
    html = (Path(again.outdir) / "index.html").read_text()
    assert 'step</span> <span class="o">%</span> <span class="mi">8</span>' in html
    tests = list(again.env.get_doctree("index").findall(codediff_test))
    assert "cycle = step % 8" in tests[1].astext()

    nothing = make_app("html", srcdir=srcdir)
    unchanged: list[str] = []
    nothing.connect(
        "env-before-read-docs", lambda app, env, docs: unchanged.extend(docs)
    )
    nothing.build()
    assert unchanged == []


def test_parallel_build_matches_serial_and_keeps_dependencies(
    make_app, tmp_path, monkeypatch
):
    # Sphinx reads in parallel only beyond 5 pages: add 4 to the root's 3.
    pages, dependencies = {}, {}
    for jobs in (1, 2):
        srcdir = tmp_path / f"j{jobs}"
        shutil.copytree(ROOT, srcdir)
        for number in range(4):
            (srcdir / f"extra{number}.rst").write_text(
                f":orphan:\n\nExtra {number}\n=======\n\n.. codediff::\n"
                f"   :title: Extra {number}\n"
                f"   :from: fromdemo.{('before', 'after')[number % 2]}:rate\n"
            )
        monkeypatch.syspath_prepend(str(srcdir))  # ahead of the previous copy
        app = make_app("html", srcdir=srcdir, parallel=jobs)
        app.build()
        pages[jobs] = {
            path.name: path.read_text() for path in Path(app.outdir).glob("*.html")
        }
        dependencies[jobs] = {
            docname: sorted(str(Path(path).relative_to(srcdir)) for path in paths)
            for docname, paths in app.env.dependencies.items()
        }
    assert len(pages[1]) == 9 and pages[1] == pages[2]
    assert dependencies[1] == dependencies[2]
    assert dependencies[2]["index"] == [
        "fromdemo/after.py",
        "fromdemo/before.py",
        "fromdemo/sub/deep.py",
    ]
    assert dependencies[2]["extra1"] == ["fromdemo/after.py"]
