"""Pages written for Flax's directive: ``codediff_flax_compat`` and ``#!`` lines."""

from pathlib import Path

import pytest
from codediff.nodes import codediff_test
from codediff.parsing import CodeDiffError, parse
from docutils import nodes
from ext_pages import CLOSE, codediff, page

BRIEF = """\
Compat
======

.. testsetup::

   base = 10

.. codediff::
   :title_left: Old
   :title_right: New

   value = undefined_name
   ---
   value = base  #!
   assert value == 10
"""


COMPAT = "codediff_flax_compat = True\n"


def highlights(doctree) -> list[dict]:
    return [
        block["highlight_args"]
        for block in doctree.findall(nodes.literal_block)
        if "codediff-code" in block["classes"]
    ]


# --- codediff_flax_compat -----------------------------------------------------------


def test_compat_runs_the_right_pane_in_default(sphinx_project):
    app = sphinx_project(BRIEF, "doctest", COMPAT)
    assert (app.builder.total_tries, app.builder.total_failures) == (1, 0)
    assert app.builder.setup_failures == 0


def test_compat_doctree(sphinx_project):
    app = sphinx_project(BRIEF, "dummy", COMPAT)
    doctree = app.env.get_doctree("index")
    (test,) = doctree.findall(codediff_test)
    assert test["groups"] == ["default"]
    assert test.astext() == "value = base\nassert value == 10"
    assert test.line == 14
    assert highlights(doctree) == [{}, {"hl_lines": [1]}]  # the marker only


def test_without_compat_each_pane_runs_in_its_titles_group(sphinx_project):
    app = sphinx_project(BRIEF, "doctest")
    assert (app.builder.total_tries, app.builder.total_failures) == (2, 2)
    report = (Path(app.outdir) / "output.txt").read_text()
    assert "name 'undefined_name' is not defined" in report
    assert "name 'base' is not defined" in report  # testsetup is group default


UNMARKED = page(
    "Unmarked",
    codediff(CLOSE, ":title_left: Old", ":title_right: New"),
    codediff(CLOSE, ":title_left: Old", ":title_right: New", ":autodiff:"),
    codediff(
        ("a = 1", "a = 2"), ":title_left: Old", ":title_right: New", ":groups: old, new"
    ),
    codediff(
        ("d = 1\ne = 2", "d = 1\ne = 3"),
        ":title: Using ``setup``, Using ``nn.compact``",
    ),
)


def test_compat_draws_no_automatic_emphasis_unless_forced(sphinx_project):
    app = sphinx_project(UNMARKED, "dummy", COMPAT)
    doctree = app.env.get_doctree("index")
    assert highlights(doctree) == [
        {},
        {},
        {"hl_lines": [2]},  # :autodiff:
        {"hl_lines": [2]},
        {},  # :groups: opts out of Flax's two-title rules...
        {},  # ...but a one-line pair shares too little for emphasis
        {"hl_lines": [2]},  # the :title: form keeps automatic emphasis
        {"hl_lines": [2]},
    ]
    assert [test["groups"] for test in doctree.findall(codediff_test)] == [
        ["default"],
        ["default"],
        ["old"],
        ["new"],
        # Flax's groups: the titles as written, which its testsetup names.
        ["Using ``setup``"],
        ["Using ``nn.compact``"],
    ]


FLAX_TITLES = """\
Titles
======

.. testsetup:: Using ``setup``, Using ``nn.compact``

   import math

.. codediff::
   :title: Using ``setup``, Using ``nn.compact``

   assert math.pi > 3
   ---
   assert math.tau > 6
"""


@pytest.mark.parametrize("conf, failures", [(COMPAT, 0), ("", 2)])
def test_flax_markup_title_groups_under_compat(sphinx_project, conf, failures):
    app = sphinx_project(FLAX_TITLES, "doctest", conf)
    assert (app.builder.total_tries, app.builder.total_failures) == (2, failures)


# --- lines holding only #! -----------------------------------------------------------

TITLES = ["Single-model", "Ensemble"]


def test_marker_line_at_the_top_emphasizes_the_first_line():
    left, right = parse(
        ["#!", "def f():", "  pass", "---", "@deco  #!", "def f():"], TITLES
    )
    assert left.lines == ("def f():", "  pass") and left.marked == (1,)
    assert left.first_line == 1 and left.rows == (1, 2)
    assert "#!" not in left.code
    assert right.marked == (1,)


def test_marker_line_after_blank_lines_and_repeated():
    (pane,) = parse(["", "#!", "", "#!", "x = 1", "y = 2"], [])
    assert pane.lines == ("x = 1", "y = 2") and pane.marked == (1,)
    assert pane.first_line == 4


def test_marker_line_between_code_is_an_emphasized_blank_row():
    left, _ = parse(
        ["grads = g()", "#!", "accuracy = a()  #!", "return 1", "---", "x"], TITLES
    )
    assert left.lines == ("grads = g()", "", "accuracy = a()", "return 1")
    assert left.marked == (2, 3)
    assert left.code == "grads = g()\n\naccuracy = a()\nreturn 1"


def test_marker_line_at_the_end_is_dropped():
    left, _ = parse(["a = 1", "  #!", "", "---", "b"], TITLES)
    assert left.lines == ("a = 1",) and left.marked == ()


def test_marker_lines_alone_are_an_empty_pane():
    with pytest.raises(CodeDiffError, match="the side titled 'Ensemble' is empty"):
        parse(["a", "---", "#!", "  #!"], TITLES)


def test_shebang_and_commented_markers_are_not_marker_lines():
    (pane,) = parse(["#!/usr/bin/env python", "# no import #!", "x = 1"], [])
    assert pane.lines == ("#!/usr/bin/env python", "# no import", "x = 1")
    assert pane.marked == (2,)


ENSEMBLE = """\
Ensemble
========

.. codediff::
   :title_left: Single-model
   :title_right: Ensemble

   #!
   def create(rng):
     return rng
   ---
   @staticmethod  #!
   def create(rng):
     return rng
"""


def test_marker_line_in_a_built_page(sphinx_project):
    app = sphinx_project(ENSEMBLE, "dummy")
    doctree = app.env.get_doctree("index")
    assert highlights(doctree) == [{"hl_lines": [1]}, {"hl_lines": [1]}]
    tests = list(doctree.findall(codediff_test))
    assert [test.line for test in tests] == [9, 12]  # def create, @staticmethod
    assert tests[0].astext() == "def create(rng):\n  return rng"
