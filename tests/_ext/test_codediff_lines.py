"""Doctest failures are reported at their true file and line.

``sphinx.ext.doctest`` alone reports a ``testcode`` (and so a codediff pane)
at about twice its line, counts from the directive rather than the code, and
in a notebook from ``myst_nb``'s per-cell numbers; codediff's builder fixes
all three (codediff.builder, codediff.locate).
"""

import json
import re
from pathlib import Path

import pytest
from codediff.builder import CodeDiffDocTestBuilder, LineOfTestcode, true_line
from codediff.locate import SourceView, find_code, source_view
from sphinx.ext.doctest import DocTestBuilder

F2 = """\
F2
==

.. codediff::
   :title_left: A
   :title_right: B

   x = 1
   ---
   x = 2  #!
   assert x == 3
"""


def report_of(app) -> tuple:
    return app, (Path(app.outdir) / "output.txt").read_text()


def reported(report: str) -> list[tuple[str, int, str]]:
    """Every ``File "...", line N, in group`` header of a doctest report."""
    return [
        (name, int(line), group)
        for name, line, group in re.findall(
            r'^File "([^"]+)", line (\d+), in (.+)$', report, re.M
        )
    ]


def line_of(text: str, needle: str, start: int = 1) -> int:
    """The 1-based number of the first line, from ``start``, holding needle."""
    lines = text.splitlines()
    return next(n for n in range(start, len(lines) + 1) if needle in lines[n - 1])


# --- the brief's page, and pages that shift it ------------------------------


@pytest.mark.parametrize("extra", [0, 3, 40])
def test_failing_pane_is_reported_at_its_line(sphinx_project, extra):
    page = F2.replace(
        "F2\n==\n", "F2\n==\n" + "Text.\n\n" * (extra // 2) + "\n" * (extra % 2)
    )
    app, report = report_of(sphinx_project(page, "doctest"))
    assert (app.builder.total_tries, app.builder.total_failures) == (2, 1)
    truth = line_of(page, "x = 2")
    assert truth == 10 + extra
    assert reported(report) == [("index.rst", truth, "B")]
    assert truth <= len(page.splitlines())  # never past the end of the file


# --- every kind of test block, in rST -------------------------------------------

BLOCKS = """\
Blocks
======

.. testsetup:: broken-setup

   raise ValueError("setup fails")

.. testcode:: broken-setup

   pass

.. testcode:: code
   :hide:

   first = 1
   assert first == 2

.. doctest:: doc

   >>> 1 + 1
   2
   >>> 1 + 2
   4

Plain:

>>> 2 + 2
5

.. codediff::
   :title: One, Two

   one = 1
   assert one == 0
   ---
   #!
   two = 2
   assert two == 0
"""


def test_every_test_block_is_reported_at_its_code(sphinx_project):
    app, report = report_of(sphinx_project(BLOCKS, "doctest"))
    assert reported(report) == [
        ("index.rst", line_of(BLOCKS, "raise ValueError"), "broken-setup (setup code)"),
        ("index.rst", line_of(BLOCKS, "first = 1"), "code"),
        ("index.rst", line_of(BLOCKS, ">>> 1 + 2"), "doc"),
        ("index.rst", line_of(BLOCKS, ">>> 2 + 2"), "default"),
        ("index.rst", line_of(BLOCKS, "one = 1"), "One"),
        # the dropped #! line is not the pane's first line
        ("index.rst", line_of(BLOCKS, "two = 2"), "Two"),
    ]
    # What is tested is unchanged: the stock builder's counts.
    assert (app.builder.total_tries, app.builder.total_failures) == (6, 5)
    assert app.builder.setup_failures == 1


# --- MyST and notebooks ---------------------------------------------------------

MARKDOWN = """\
# Markdown

```{testsetup} *
offset = 10
```

```{codediff}
:title_left: A
:title_right: B

value = offset + 1
---
value = offset + 2  #!
assert value == 0
```

```{testcode}
:hide:

in_markdown = 1
assert in_markdown == 0
```
"""


def notebook() -> str:
    cells = [
        ("markdown", ["# Notebook\n"]),
        ("code", ["print('a code cell, not tested')\n"]),
        (
            "markdown",
            [
                "Some text first.\n",
                "\n",
                "```{codediff}\n",
                ":title_left: A\n",
                ":title_right: B\n",
                "\n",
                "x = 1\n",
                "---\n",
                "x = 2  #!\n",
                "assert x == 3\n",
                "```\n",
            ],
        ),
        ("markdown", "```{testcode}\nin_notebook = 1\nassert in_notebook == 0\n```"),
    ]
    data = {
        "cells": [
            {"cell_type": kind, "metadata": {}, "source": source, "id": f"c{index}"}
            | ({"execution_count": None, "outputs": []} if kind == "code" else {})
            for index, (kind, source) in enumerate(cells)
        ],
        "metadata": {"language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(data, indent=1)


def test_myst_and_notebook_failures_are_reported_in_their_files(sphinx_project):
    text = notebook()
    files = {
        "index.rst": "Index\n=====\n\n.. toctree::\n\n   markdown\n   notebook\n",
        "markdown.md": MARKDOWN,
        "notebook.ipynb": text,
    }
    app, report = report_of(sphinx_project(files, "doctest", myst=True))
    found = reported(report)
    assert found[:2] == [
        ("markdown.md", line_of(MARKDOWN, "value = offset + 2"), "B"),
        ("markdown.md", line_of(MARKDOWN, "in_markdown = 1"), "default"),
    ]
    # In a notebook: the line of the .ipynb file that holds the code's first
    # line (a list-form cell source), or the cell's source line (string form).
    assert found[2:] == [
        ("notebook.ipynb", line_of(text, '"x = 2  #!\\n"'), "B"),
        ("notebook.ipynb", line_of(text, "in_notebook = 1"), "default"),
    ]
    assert all(line <= len(text.splitlines()) for _, line, _ in found[2:])


# --- the builder --------------------------------------------------------------


@pytest.mark.parametrize(
    "extensions",
    [
        '"codediff"',
        '"sphinx.ext.doctest", "codediff"',
        '"codediff", "sphinx.ext.doctest"',
    ],
)
def test_the_doctest_builder_is_codediffs_in_any_order(sphinx_project, extensions):
    conf = f"extensions = [{extensions}]\n"
    app, report = report_of(sphinx_project(F2, "doctest", conf))
    assert type(app.builder) is CodeDiffDocTestBuilder
    assert isinstance(app.builder, DocTestBuilder) and app.builder.name == "doctest"
    assert reported(report) == [("index.rst", 10, "B")]


def test_testcode_lines_are_marked_ints():
    line = LineOfTestcode(9)
    assert line == 9 and line + 1 == 10 and isinstance(line, int)


def test_true_line_falls_back_to_the_nodes_line(tmp_path):
    from docutils import nodes

    node = nodes.literal_block("gone = 1", "gone = 1", testnodetype="testcode")
    node.source, node.line = str(tmp_path / "missing.rst"), 7
    assert true_line(node) == 7
    page = tmp_path / "page.rst"
    page.write_text(".. testcode::\n\n   other = 2\n")
    node.source, node.line = str(page), 1
    assert true_line(node) == 1  # the code is not in the file: the node's line


# --- locate -----------------------------------------------------------------------


def test_source_view_of_a_file(tmp_path):
    page = tmp_path / "page.rst"
    page.write_text("a\nb\nc\n")
    view = source_view(str(page), 2)
    assert view == SourceView(("a", "b", "c"))
    assert view.row(2) == 1 and view.file_line(1) == 2 and view.node_line(1) == 2
    assert source_view(str(tmp_path / "nothing.rst"), 1) is None
    assert source_view(None, 1) is None and source_view(str(page), None) is None


def test_source_view_of_a_notebook_cell(tmp_path):
    path = tmp_path / "nb.ipynb"
    text = notebook()
    path.write_text(text)
    # myst_nb: a directive at row k of cell i has line (i + 1) * 10000 + 2 + k.
    view = source_view(str(path), 30000 + 2 + 2)
    assert view is not None and view.lines[view.row(30004)] == "```{codediff}"
    assert view.file_line(view.row(30004)) == line_of(text, '"```{codediff}\\n"')
    string_form = source_view(str(path), 40000 + 2)
    assert string_form is not None
    assert string_form.lines == (
        "```{testcode}",
        "in_notebook = 1",
        "assert in_notebook == 0",
        "```",
    )
    assert {string_form.file_line(row) for row in range(4)} == {
        line_of(text, "in_notebook")
    }
    assert source_view(str(path), 90002) is None  # no such cell
    assert source_view(str(path), 12) is None  # not a myst_nb line
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{not json")
    assert source_view(str(broken), 10002) is None


def test_find_code_looks_a_little_ahead_only():
    lines = [".. testcode::", "   :hide:", "", "   x = 1", "", "y"]
    assert find_code(lines, 0, "x = 1\nz") == 3
    assert find_code(lines, 0, "\n\ny") == 5
    assert find_code(lines, 0, "nowhere") is None
    assert find_code(lines, 0, "   ") is None
    assert find_code(["x"] * 50 + ["target"], 0, "target", window=40) is None
