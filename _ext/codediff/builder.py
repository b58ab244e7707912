"""``sphinx.ext.doctest``'s builder, reporting failures at their true lines.

``sphinx.ext.doctest`` stores ``node.line - 1`` as a block's line and then
adds it to itself for every ``testcode`` (doctest reports the test's line plus
the example's line plus one), so a ``testcode`` or codediff pane whose node
says line 10 is reported at line 19. It also counts from the directive's line,
not from the code's, and in a notebook from ``myst_nb``'s per-cell numbers
(``line 60003``), which are no line of the ``.ipynb`` file.

:class:`CodeDiffDocTestBuilder` replaces the ``doctest`` builder (same name,
same options, same output) and changes only the line numbers:

- :meth:`~CodeDiffDocTestBuilder.get_line_number` returns the 0-based file
  line of the block's first code line: a codediff pane's node already carries
  it (the page's line, or the Python file's line for ``:from:``); for
  ``testcode``, ``testsetup``, ``doctest`` and the like the code is looked up
  in the source file from the directive's line on; a notebook's cell line is
  turned into the line of the ``.ipynb`` file (:mod:`codediff.locate`).
- its runners report a ``testcode``'s line once instead of twice
  (:class:`TrueLineRunner`). ``doctest`` blocks were already reported as
  block line + example offset + 1, and setup and cleanup code as line + 1,
  which the first change makes true.

Docstrings (``:docstring of``) keep Sphinx's unknown line. What is tested, and
how, is Sphinx's code throughout.
"""

from __future__ import annotations

import doctest
from typing import Any

from docutils import nodes
from sphinx.ext.doctest import DocTestBuilder, SphinxDocTestRunner, TestGroup

from codediff.locate import find_code, source_view
from codediff.nodes import codediff_test

RUNNERS = ("setup_runner", "test_runner", "cleanup_runner")


class LineOfTestcode(int):
    """The 0-based line of a ``testcode`` block, so its runner can spot it.

    For a ``testcode`` Sphinx gives this line to both the simulated doctest
    and its one example; an ``int`` subclass survives both unchanged.
    """


class TrueLineRunner(SphinxDocTestRunner):
    """Reports a ``testcode`` failure at its line, not at twice its line."""

    def _failure_header(self, test: doctest.DocTest, example: doctest.Example) -> str:
        if not isinstance(example.lineno, LineOfTestcode):
            return super()._failure_header(test, example)  # type: ignore[misc]
        saved, test.lineno = test.lineno, 0  # doctest adds test + example + 1
        try:
            return super()._failure_header(test, example)  # type: ignore[misc]
        finally:
            test.lineno = saved


class CodeDiffDocTestBuilder(DocTestBuilder):
    """The ``doctest`` builder with true line numbers in its report."""

    def get_line_number(self, node: nodes.Node) -> int | None:  # type: ignore[override]
        if DocTestBuilder.get_line_number(node) is None:
            return None  # a docstring, or no line at all: Sphinx's answer
        line = true_line(node) - 1
        if isinstance(node, nodes.Element) and node.get("testnodetype") == "testcode":
            return LineOfTestcode(line)
        return line

    def test_group(self, group: TestGroup) -> bool:
        # test_doc makes new runners for every page before its groups run.
        for name in RUNNERS:
            runner = getattr(self, name, None)
            if type(runner) is SphinxDocTestRunner:
                runner.__class__ = TrueLineRunner
        return super().test_group(group)


def true_line(node: nodes.Node) -> int:
    """The 1-based line, in its file, of the first code line of a test node.

    Falls back to the node's own line where the file cannot be read or the
    code is not found in it.
    """
    line = node.line or 0
    view = source_view(node.source, node.line)
    if view is None:
        return line
    row = view.row(line)
    if not isinstance(node, codediff_test):  # whose line is already its code's
        if isinstance(node, nodes.doctest_block):
            # Start a row early, whether docutils counts from the block's first
            # line or the next: a doctest block follows a blank line.
            row -= 1
        found = find_code(view.lines, row, _code(node))
        if found is not None:
            row = found
    if not 0 <= row < len(view.lines):
        return line if view.file_lines is None else view.file_line(row)
    return view.file_line(row)


def _code(node: nodes.Node) -> str:
    test: Any = node.get("test") if isinstance(node, nodes.Element) else None
    return str(test) if test is not None else node.astext()
