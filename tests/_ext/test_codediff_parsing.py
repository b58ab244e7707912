"""Unit tests of codediff's pure text layer."""

import pytest
from codediff.parsing import (
    CodeDiffError,
    align,
    changed_lines,
    format_ranges,
    mixed_indentation,
    parse,
    split_sides,
    split_titles,
)

TWO = ["Default", "Changed"]


def test_split_on_whole_separator_lines_only():
    content = ['print("---")', "# -----", "  ---  ", "x = 1", "---x", "---"]
    sides = split_sides(content, "---")
    assert sides == [(0, ['print("---")', "# -----"]), (3, ["x = 1", "---x"]), (6, [])]


def test_parse_trims_and_strips_markers():
    content = ["", "", "a = 1", "b = 2  #!", "", "---", "", "a = 1 #!", "c = 3", ""]
    left, right = parse(content, TWO)
    assert left.lines == ("a = 1", "b = 2") and left.marked == (2,)
    assert right.lines == ("a = 1", "c = 3") and right.marked == (1,)
    assert left.first_line == 2 and right.first_line == 7
    assert "#!" not in left.code + right.code


def test_highlights_do_not_shift_after_leading_blank_line():
    # Flax's codediff counted the blank line and emphasized "x = 2" instead.
    _, right = parse(["x = 1", "---", "", "changed = True  #!", "x = 2"], TWO)
    assert right.lines[0] == "changed = True" and right.marked == (1,)


def test_marker_inside_comment_and_shebang():
    (pane,) = parse(["#!/usr/bin/env python", "x = 1  # note #!", "---", "y"], TWO)[:1]
    assert pane.lines == ("#!/usr/bin/env python", "x = 1  # note")
    assert pane.marked == (2,)


def test_custom_separator_and_n_panes():
    panes = parse(["a", "===", "---", "===", "c"], ["A", "B", "C"], code_sep="===")
    assert [pane.lines for pane in panes] == [("a",), ("---",), ("c",)]
    assert split_titles(" Linen , NNX,Haiku ") == ["Linen", "NNX", "Haiku"]


def test_common_indentation_is_removed_per_side():
    (left, right) = parse(["    x = 1", "      y", "---", "z"], TWO)
    assert left.lines == ("x = 1", "  y") and right.lines == ("z",)


@pytest.mark.parametrize(
    "content, titles, message, line",
    [
        (["x = 1"], TWO, "no separator line '---'", 0),
        (["a", "---", "b", "---", "c"], TWO, "3 sides .* but 2 titles", 4),
        (["a", "---", "", " "], TWO, "the side titled 'Changed' is empty", 2),
        (["", "---", "b"], TWO, "the side titled 'Default' is empty", 0),
    ],
)
def test_author_mistakes(content, titles, message, line):
    with pytest.raises(CodeDiffError, match=message) as caught:
        parse(content, titles)
    assert caught.value.line == line


def test_automatic_highlights_without_markers():
    panes = parse(["a", "b", "c", "---", "a", "B", "c", "d"], TWO)
    assert changed_lines(panes) == [(2,), (2, 4)]
    assert changed_lines(panes, auto=False) == [(), ()]


def test_markers_switch_automatic_highlights_off():
    panes = parse(["a", "b", "---", "a #!", "c"], TWO)
    assert changed_lines(panes) == [(), (1,)]


def test_alignment_pads_the_shorter_side():
    left = ("def f(x):", "return x")
    right = ("def f(x):", "y = x", "z = y", "return x")
    left_pads, right_pads = align(left, right)
    assert dict(left_pads) == {1: 2} and not right_pads
    assert align(right, left) == (right_pads, left_pads)


def test_mixed_indentation():
    assert mixed_indentation(["  def f():", "  \treturn 1"]) == 1
    assert mixed_indentation(["\tdef f():", "    return 1"]) == 1
    assert mixed_indentation(["def f():", "    return 1"]) is None
    assert mixed_indentation(["def f():", "\treturn 1"]) is None


def test_format_ranges():
    assert format_ranges((1, 2, 3, 7, 9, 10)) == "1-3, 7, 9-10"
    assert format_ranges(()) == ""


def test_one_pane_without_separator():
    (pane,) = parse(["", "x = 1  #!", "y = 2", ""], [])
    assert pane.title == "" and pane.lines == ("x = 1", "y = 2")
    assert pane.marked == (1,) and pane.first_line == 1
    (titled,) = parse(["x = 1"], ["Only"])
    assert titled.title == "Only" and changed_lines([titled]) == [()]


@pytest.mark.parametrize(
    "content, titles, message",
    [
        (["a", "---", "b"], [], "give the panes' titles"),
        (["a", "---", "b"], ["Only"], "2 sides .* but 1 titles"),
        (["", " "], [], "the untitled code block is empty"),
        (["", " "], ["Only"], "the side titled 'Only' is empty"),
    ],
)
def test_one_pane_mistakes(content, titles, message):
    with pytest.raises(CodeDiffError, match=message):
        parse(content, titles)
