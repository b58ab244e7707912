"""Automatic emphasis stays sparse: every changed line where the panes share
enough, only the most-changed lines where they do not."""

import importlib.util
import re
import sys
from pathlib import Path

import pytest
from codediff.parsing import (
    AUTODIFF_MAX_SHARE,
    AUTODIFF_MIN_SIMILARITY,
    change,
    changed_lines,
    least_similarity,
    most_changed,
    parse,
    similarity,
)
from docutils import nodes
from ext_pages import CLOSE, codediff, page

BENCH = Path(__file__).resolve().parents[2] / "reports" / "autodiff_corpus"
TWO = ["A", "B"]


def test_similarity():
    assert similarity(("a", "b"), ("a", "b")) == 1.0
    assert similarity(("a",), ("b",)) == 0.0
    assert similarity((), ()) == 1.0
    assert similarity(("a", "b", "c"), ("a", "B", "c", "d")) == pytest.approx(4 / 7)


def test_change_is_one_minus_the_best_partner():
    assert change("y = 2", ("u = 1", "y = 20")) == pytest.approx(1 / 11)  # 10/11
    assert change("abcd", ("abcx", "wxyz")) == pytest.approx(0.25)  # 2*3/8
    assert change("    x = 1", ("x = 1",)) == 0.0  # indentation is not a change
    assert change("wxyz", ("abcd",)) == 1.0  # no character in common
    assert change("x = 1", ("", "   ")) == 1.0  # blank lines are no partner
    assert change("x = 1", ()) == 1.0


def test_most_changed_ranks_by_change_then_position():
    lines, others = ("abcd", "wxyz", "abce"), ("abcx",)
    assert most_changed((1, 2, 3), lines, others, 1) == (2,)  # 1.0 beats 0.25
    assert most_changed((1, 2, 3), lines, others, 2) == (1, 2)  # tie: line 1
    assert most_changed((1, 3), lines, others, 5) == (1, 3)
    assert most_changed((1, 2, 3), lines, others, 0) == ()
    # A bracket or an ellipsis has no partner, yet says nothing: never chosen.
    lines = ("pieces += [", "    f(0),", "]", "...")
    assert [change(line, ("g(1)",)) for line in lines[2:]] == [1.0, 1.0]
    assert most_changed((1, 2, 3, 4), lines, ("g(1)",), 3) == (1, 2)


def test_changed_lines_below_the_threshold_emphasize_the_most_changed():
    close = parse(["a", "b", "c", "---", "a", "B", "c", "d"], TWO)  # 0.57
    apart = parse(["a", "b", "c", "---", "x", "y", "c"], TWO)  # 0.33
    assert least_similarity(close) == pytest.approx(4 / 7)
    assert changed_lines(close, min_similarity=0.5) == [(2,), (2, 4)]
    # A third of 3 lines: 1, the first of two lines that changed entirely.
    assert AUTODIFF_MAX_SHARE == pytest.approx(1 / 3)
    assert changed_lines(apart, min_similarity=0.5) == [(1,), (1,)]
    assert changed_lines(apart, min_similarity=0.5, max_share=0) == [(), ()]
    assert changed_lines(apart, min_similarity=0.5, max_share=1) == [(1, 2), (1, 2)]
    assert changed_lines(apart) == [(1, 2), (1, 2)]  # no threshold: the whole diff
    marked = parse(["a", "---", "z  #!"], TWO)
    assert changed_lines(marked, min_similarity=0.9) == [(), (1,)]  # markers win


def test_the_cap_keeps_the_lines_that_changed_most():
    # Similarity 2*2/12 = 0.33; 4 lines differ, a third of 6 is 2. The two new
    # lines (change 0.56 and 0.54) beat the edited print (0.26) and the edited
    # load (0.03, one letter).
    old = [
        "import a",
        "x = a.load(path)",
        "y = x + 1",
        "z = y * 2",
        "print(z)",
        "w = 1",
    ]
    new = ["import a", "x = a.load(paths)", "m = mean(x)", "s = std(x)", "print(m, s)"]
    panes = parse([*old, "---", *new, "w = 1"], TWO)
    assert [change(line, panes[0].lines) for line in new[1:]] == pytest.approx(
        [1 / 33, 5 / 9, 7 / 13, 5 / 19]
    )
    assert changed_lines(panes, min_similarity=0.5) == [(3, 4), (3, 4)]
    assert changed_lines(panes) == [(2, 3, 4, 5), (2, 3, 4, 5)]


def test_three_panes_compare_with_the_first():
    panes = parse(["a", "b", "---", "a", "c", "---", "x", "y"], ["A", "B", "C"])
    assert least_similarity(panes) == 0.0  # C shares nothing with A
    # A and B share half their lines: their whole diff; C: a third of 2 lines,
    # rounded, is 1 (x and y both changed entirely: the first).
    assert changed_lines(panes, min_similarity=0.5) == [(2,), (2,), (1,)]
    assert changed_lines(panes, min_similarity=0.5, max_share=1) == [(2,), (2,), (1, 2)]
    assert changed_lines(panes, min_similarity=0.5, max_share=0.1) == [(2,), (2,), ()]


APART = ("x = 1\ny = 2", "u = 1\nv = 2")
PAGE = page(
    "Autodiff",
    codediff(CLOSE, ":title: Close A, Close B"),
    codediff(APART, ":title: Apart A, Apart B"),
    codediff(APART, ":title: Forced A, Forced B", ":autodiff:"),
    codediff(("a = 1\nb = 2", "a = 1\nb = 3"), ":title: Off A, Off B", ":no_autodiff:"),
)


def highlights(app) -> list[list[int]]:
    return [
        block["highlight_args"].get("hl_lines", [])
        for block in app.env.get_doctree("index").findall(nodes.literal_block)
        if "codediff-code" in block["classes"]
    ]


def test_default_threshold(sphinx_project):
    app = sphinx_project(PAGE, "dummy")
    assert app.config.codediff_autodiff is True
    assert app.config.codediff_autodiff_min_similarity == AUTODIFF_MIN_SIMILARITY == 0.5
    # Apart (similarity 0): a third of 2 lines, rounded, is 1; x = 1 and
    # y = 2 changed as much (0.2 from u = 1, v = 2): the first.
    assert highlights(app) == [[2], [2], [1], [1], [1, 2], [1, 2], [], []]
    assert app.warning.getvalue() == ""
    # Not a mistake, so a normal build says nothing about it...
    assert "share little" not in app.status.getvalue()
    # ...and a verbose one says why the second one has none.
    status = sphinx_project(PAGE, "dummy", verbosity=1).status.getvalue()
    assert re.search(
        r"index\.rst:15: codediff: the panes share little \(similarity 0\.00, below "
        r"codediff_autodiff_min_similarity = 0\.5\), so only the most-changed lines "
        r"are emphasized \(at most 33% of a pane\); mark lines with #! or force the "
        r"whole diff with :autodiff:",
        status,
    )
    assert status.count("share little") == 1


def test_conf_turns_automatic_emphasis_off(sphinx_project):
    app = sphinx_project(PAGE, "dummy", "codediff_autodiff = False\n", verbosity=1)
    assert highlights(app) == [[], [], [], [], [1, 2], [1, 2], [], []]
    assert "share little" not in app.status.getvalue()


def test_conf_threshold(sphinx_project):
    app = sphinx_project(PAGE, "dummy", "codediff_autodiff_min_similarity = 0\n")
    assert highlights(app) == [[2], [2], [1, 2], [1, 2], [1, 2], [1, 2], [], []]
    # Close (similarity 0.67) falls below 0.9: a third of 3 lines, its one
    # changed line.
    strict = sphinx_project(PAGE, "dummy", "codediff_autodiff_min_similarity = 0.9\n")
    assert highlights(strict) == [[2], [2], [1], [1], [1, 2], [1, 2], [], []]
    none = sphinx_project(
        PAGE,
        "dummy",
        "codediff_autodiff_min_similarity = 0.9\ncodediff_autodiff_max_share = 0\n",
    )
    assert highlights(none) == [[], [], [], [], [1, 2], [1, 2], [], []]


def test_conf_max_share(sphinx_project):
    app = sphinx_project(PAGE, "dummy")
    assert app.config.codediff_autodiff_max_share == AUTODIFF_MAX_SHARE
    # Apart (2 lines a pane, similarity 0) gets both lines when all may be.
    whole = sphinx_project(PAGE, "dummy", "codediff_autodiff_max_share = 1\n")
    assert highlights(whole) == [[2], [2], [1, 2], [1, 2], [1, 2], [1, 2], [], []]


def test_both_flags_warn(sphinx_project):
    page = (
        "Both\n====\n\n.. codediff::\n   :title: A, B\n   :autodiff:\n"
        "   :no_autodiff:\n\n   a = 1\n   ---\n   a = 2\n"
    )
    app = sphinx_project(page, "dummy")
    assert highlights(app) == [[], []]
    assert re.search(
        r"index\.rst:4: WARNING: codediff: give :autodiff: or :no_autodiff:, not both "
        r"\[codediff\.autodiff\]",
        app.warning.getvalue(),
    )


# --- the benchmark script, on a corpus of our own ---------------------------------

CORPUS = "\n".join(
    [
        codediff(
            ("keep = 1\nold = 2", "keep = 1\nnew = 3  #!"), ":title: Marked A, Marked B"
        ),
        codediff(
            ("p = 1\nq = 2", "r = 1\ns = 2"),
            ":title_left: Apart A",
            ":title_right: Apart B",
        ),
        codediff(CLOSE, ":title: Close A, Close B"),
        ".. codediff::\n   :from: some.module:name\n",
    ]
)


def load_measure():
    name = "autodiff_corpus_measure"
    spec = importlib.util.spec_from_file_location(name, BENCH / "measure.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_measure_script(tmp_path, capsys):
    measure = load_measure()
    page = tmp_path / "page.rst"
    page.write_text(CORPUS)
    directives = measure.directives_in(page)
    assert [d.marked for d in directives] == [True, False, False]  # :from: skipped
    before = measure.measure(directives, 0.0)
    after = measure.measure(directives, 0.5)
    # Marked: "new = 3" is marked and differs, so the diff finds it; at 0.5 the
    # pair (similarity 0.5) still gets it.
    assert before["recall"] == after["recall"] == 1.0
    assert before["precision"] == after["precision"] == 0.5  # old = 2 too
    # Unmarked: Apart floods both panes (100%), Close emphasizes 1/3 and 1/3.
    assert before["flooded"] == 0.5 and before["entire"] == 0.5
    # At 0.5, Apart (similarity 0) keeps a third of its 2 lines, rounded: 1.
    assert after["flooded"] == 0.0 and after["restrained"] == 0
    assert after["median"] == pytest.approx((1 / 3 + 1 / 2) / 2)
    assert measure.main([str(page)]) == 0
    assert "3 directives: 1 marked" in capsys.readouterr().out


SHARED_LITTLE = codediff(
    ("x = 1\ny = 2\nz = 3", "import math  #!\ny = math.sqrt(2)\nw = 0"),
    ":title: Marked A, Marked B",
)


def test_measure_script_max_share(tmp_path, capsys):
    measure = load_measure()
    page = tmp_path / "page.rst"
    page.write_text(SHARED_LITTLE + "\n" + CORPUS)
    directives = measure.directives_in(page)
    # The first pair shares no line: before the share, nothing was emphasized.
    before = measure.measure(directives[:1], 0.5, share=0.0)
    assert before["recall"] == 0.0 and before["precision"] == 0.0
    # A third of 3 lines: one a pane, the import (it has no partner) on the
    # right; the left pane's line counts against precision, not on marked panes.
    after = measure.measure(directives[:1], 0.5)
    assert after["recall"] == 1.0
    assert after["precision"] == 0.5 and after["marked_precision"] == 1.0
    assert measure.main([str(page)]) == 0
    out = capsys.readouterr().out
    assert "4 directives: 2 marked (4 panes, 2 marked lines), 2 unmarked" in out
    # Both marked lines found; Marked A's "old = 2" counts against precision.
    assert re.search(r"\n {10}0\.33 \| +100% +50% +100% \| +0% .*\(default\)\n", out)
