"""Per-pane output, doctest flags, special group names and #! as comments."""

import re

import pytest
from codediff.nodes import codediff_test
from codediff.parsing import CodeDiffError, changed_lines, parse, quiet_lines
from codediff.testnodes import doctest_flags
from docutils import nodes

OUTPUTS = """\
Outputs
=======

.. codediff::
   :title: Left, Right

   print([1, 2])
   .. output::

   [1, 2]
   ---
   print("right")
   print("...")
   .. output::
   right
   ...
"""


def pane_tests(app, docname="index"):
    return [
        (test["testnodetype"], test["groups"], test.astext(), test.line)
        for test in app.env.get_doctree(docname).findall(codediff_test)
    ]


def test_each_pane_has_its_output_shown_and_tested(sphinx_project):
    app = sphinx_project(OUTPUTS, "dummy")
    assert app.warning.getvalue() == ""
    assert pane_tests(app) == [
        ("testcode", ["Left"], "print([1, 2])", 7),
        ("testoutput", ["Left"], "[1, 2]", 10),
        ("testcode", ["Right"], 'print("right")\nprint("...")', 12),
        ("testoutput", ["Right"], "right\n...", 15),
    ]
    panes = list(app.env.get_doctree("index").findall(nodes.container))
    outputs = [
        [
            b.astext()
            for b in pane.findall(nodes.literal_block)
            if "codediff-output" in b["classes"]
        ]
        for pane in panes
        if "codediff-pane" in pane["classes"]
    ]
    assert outputs == [["[1, 2]"], ["right\n..."]]


def test_outputs_are_compared_per_pane(sphinx_project):
    passing = sphinx_project(OUTPUTS, "doctest")
    assert "2 tests" in (passing.outdir / "output.txt").read_text()
    assert passing.statuscode == 0
    wrong = OUTPUTS.replace("   [1, 2]\n   ---", "   [1, 3]\n   ---")
    failing = sphinx_project(wrong, "doctest")
    report = (failing.outdir / "output.txt").read_text()
    assert failing.statuscode == 1
    assert re.search(r"Expected:\n\s+\[1, 3\]\nGot:\n\s+\[1, 2\]", report)
    assert "1 failure in tests" in report  # the right pane still passes


def test_flags_apply_to_the_output_and_skip_warns(sphinx_project):
    page = OUTPUTS.replace('print("...")', 'print("and more")  # doctest: +ELLIPSIS')
    page += (
        "\n.. codediff::\n   :title: Skipped, Run\n\n"
        "   import does_not_exist  # doctest: +SKIP\n   ---\n   x = 1\n"
    )
    app = sphinx_project(page, "doctest")
    assert app.statuscode == 0
    assert "3 tests" in (app.outdir / "output.txt").read_text()
    warnings = app.warning.getvalue()
    assert re.search(
        r"index\.rst:18: WARNING: codediff: the side titled 'Skipped' has "
        r"'# doctest:' flags \(its line 1\): \+SKIP\. .* say so with "
        r"':skip_test: Skipped' and drop the flag \[codediff\.doctest_flags\]",
        warnings,
    )
    groups = [t[1] for t in pane_tests(app)]
    assert ["Skipped"] not in groups and ["Run"] in groups


@pytest.mark.parametrize(
    ("code", "flags", "unknown"),
    [
        ("x = 1  # doctest: +SKIP", {"SKIP": True}, []),
        (
            "x = 1  # doctest: +ELLIPSIS, -NORMALIZE_WHITESPACE",
            {"ELLIPSIS": True, "NORMALIZE_WHITESPACE": False},
            [],
        ),
        ('x = "# doctest: +SKIP"', {}, []),  # in a string: not a flag
        ("x = 1  # doctest: +SKIPPY", {}, ["+SKIPPY"]),
        ("def broken(:  # doctest: +SKIP", {}, []),  # does not tokenize
    ],
)
def test_doctest_flags(code, flags, unknown):
    import doctest

    found = doctest_flags(code)
    assert found.flags == {doctest.OPTIONFLAGS_BY_NAME[k]: v for k, v in flags.items()}
    assert found.unknown == unknown


@pytest.mark.parametrize(("written", "title"), [("default", "default"), ("\\*", "*")])
def test_titles_that_are_doctest_group_names_warn(sphinx_project, written, title):
    page = (
        f"Page\n====\n\n.. testcode::\n\n   shared = 1\n\n"
        f".. codediff::\n   :title: {written}, Other\n\n   x = 1\n   ---\n   x = 2\n"
    )
    app = sphinx_project(page, "dummy")
    assert re.search(
        rf"index\.rst:8: WARNING: codediff: the title '{re.escape(title)}' gives the "
        rf"doctest group '{re.escape(title)}', .* the pane is not tested\. Name the "
        r"panes' groups with :groups: \(one per pane\)",
        app.warning.getvalue(),
    )
    assert [t[1] for t in pane_tests(app)] == [["Other"]]
    explicit = page.replace(", Other", ", Other\n   :groups: a, b")
    again = sphinx_project(explicit, "dummy")
    assert again.warning.getvalue() == ""
    assert [t[1] for t in pane_tests(again)] == [["a"], ["b"]]


def test_markers_are_comment_tokens_only():
    content = [
        "def f():",
        '    """Call it like this #!',
        '    """',
        '    return "#!"  # returns #!',
        "---",
        "def f():",
        "    return 1",
    ]
    left, right = parse(content, ["A", "B"], python=True)
    assert left.lines[1] == '    """Call it like this #!'  # kept: a docstring
    assert left.lines[3] == '    return "#!"  # returns'  # marker: ends a comment
    assert left.marked == (4,)
    # Text rules (not Python): every trailing #! is a marker, as before.
    text_left, _ = parse(content, ["A", "B"])
    assert text_left.marked == (2, 4)
    # A fragment that does not tokenize falls back to the text rule.
    (fragment,) = parse(["call(  #!", "    x"], [""], python=True)
    assert fragment.marked == (1,)


def test_automatic_emphasis_skips_quiet_lines():
    content = [
        "def f(x):",
        '    """Old doc."""',
        "    # old comment",
        "",
        "    return x",
        "---",
        "def f(x):",
        '    """New doc,',
        '    two lines."""',
        "    # new comment",
        "",
        "",
        "    return x + 1",
    ]
    panes = parse(content, ["A", "B"], python=True)
    assert quiet_lines(panes[1].lines) == {2, 3, 4, 5, 6}
    assert changed_lines(panes, python=True) == [(5,), (7,)]
    assert changed_lines(panes) == [(2, 3, 5), (2, 3, 4, 7)]  # not Python: blanks only


def test_an_empty_output_is_an_error():
    with pytest.raises(CodeDiffError, match="has an empty '.. output::' part"):
        parse(["x = 1", ".. output::", "", "---", "y = 2"], ["A", "B"])


def test_html_has_one_element_per_line_with_its_indentation(sphinx_project):
    page = OUTPUTS + (
        "\n.. codediff::\n   :title: C, D\n   :align:\n\n"
        "   def f():\n       return 1  #!\n   ---\n   def f():\n       x = 2\n"
        "       return x\n"
    )
    app = sphinx_project(page, "html")
    html = (app.outdir / "index.html").read_text()
    ids = re.findall(r'<span id="(codediff-\d+-\d+)"', html)
    assert ids == [
        "codediff-1-1",
        *("codediff-2-1", "codediff-2-2"),
        *("codediff-3-1", "codediff-3-2"),
        *("codediff-4-1", "codediff-4-2", "codediff-4-3"),
    ]
    # Indented lines carry their indentation for the hanging indent, an
    # emphasized one too (inside its band).
    assert (
        '<span id="codediff-3-2" style="--indent: 4ch"><span class="hll">    ' in html
    )
    assert '<span id="codediff-4-3" style="--indent: 4ch">    ' in html
    assert '<span id="codediff-3-1">' in html  # not indented: no style
    # The alignment row sits between line elements and holds no text.
    assert re.search(
        r'</span><span class="codediff-pad" style="--codediff-pad: 1" '
        r'aria-hidden="true"></span>(?:<span id="codediff-3-|</pre>)',
        html,
    )
    # Outputs are plain blocks with no line elements.
    assert html.count('class="codediff-output') == 2
