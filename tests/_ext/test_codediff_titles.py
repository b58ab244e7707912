"""Titles: inline markup in captions, and commas in titles and groups."""

import re
from pathlib import Path

import pytest
from codediff.nodes import codediff_test
from codediff.parsing import group_name, split_titles, unescape
from docutils import nodes


def captions(doctree) -> list[nodes.caption]:
    return list(doctree.findall(nodes.caption))


def groups(doctree) -> list[list[str]]:
    return [test["groups"] for test in doctree.findall(codediff_test)]


# --- the text layer ---------------------------------------------------------------


def test_split_titles_keeps_escaped_commas():
    assert split_titles(r"Linen\, old API, NNX") == [r"Linen\, old API", "NNX"]
    assert split_titles("A, B , C") == ["A", "B", "C"]
    assert split_titles("\\\\, B") == ["\\\\", "B"]  # an escaped backslash
    assert split_titles(r"Trailing\\") == [r"Trailing\\"]
    assert unescape(r"Linen\, old API") == "Linen, old API"
    assert unescape(r"a\*b\\c") == r"a*b\c"


@pytest.mark.parametrize(
    "title, group",
    [
        ("Linen, old API", "Linen old API"),
        ("Using alpha", "Using alpha"),
        (" a ,, b ", "a b"),
        ("a,b", "a b"),
        ("Default", "Default"),
    ],
)
def test_group_name_drops_commas(title, group):
    assert group_name(title) == group
    assert "," not in group_name(title)


# --- commas ---------------------------------------------------------------------

COMMAS = """\
Commas
======

.. testsetup:: Linen old API

   base = 1

.. codediff::
   :title_left: Linen, old API
   :title_right: NNX

   assert base == 1
   ---
   other = 2

.. codediff::
   :title: Linen\\, old API, NNX

   assert base == 1
   ---
   other = 3

.. codediff::
   :title_left: Linen, old API
   :title_right: Next
   :skip_test: Linen old API

   not python at all
   ---
   fine = True

.. codediff::
   :title_left: Linen, old API
   :title_right: After
   :skip_test: Linen, old API

   not python either
   ---
   fine = True
"""


def test_comma_titles_give_groups_testsetup_and_skip_test_can_name(sphinx_project):
    app = sphinx_project({"index.rst": COMMAS}, "dummy", myst=True)
    doctree = app.env.get_doctree("index")
    texts = [caption.astext() for caption in captions(doctree)]
    assert texts[:4] == ["Linen, old API", "NNX", "Linen, old API", "NNX"]
    assert groups(doctree) == [
        ["Linen old API"],
        ["NNX"],
        ["Linen old API"],
        ["NNX"],
        ["Next"],  # :skip_test: Linen old API
        ["After"],  # :skip_test: Linen, old API, with a warning
    ]
    warnings = app.warning.getvalue().splitlines()
    assert len(warnings) == 1, warnings
    assert re.search(
        r"index\.rst:32: WARNING: codediff: :skip_test: 'Linen, old API' is split "
        r"at its commas, so it names \['Linen', 'old API'\]; the group of the title "
        r"with commas is 'Linen old API' .*write ':skip_test: Linen old API'.* "
        r"\[codediff\.skip_test\]",
        warnings[0],
    )


def test_comma_titles_doctest(sphinx_project):
    app = sphinx_project({"index.rst": COMMAS}, "doctest", myst=True)
    assert (app.builder.total_tries, app.builder.total_failures) == (6, 0)


# --- inline markup ----------------------------------------------------------------

MARKUP = """\
Markup
======

.. testsetup:: Using alpha

   alpha = "a"

.. codediff::
   :title: Using ``alpha``, Using *beta*

   assert alpha == "a"
   ---
   beta = "b"

.. codediff::
   :title_left: **Bold** and :code:`role`
   :title_right: A `link <https://example.org>`__

   x = 1
   ---
   x = 2

.. codediff::
   :title_left: *x `y
   :title_right: Fine ``code``

   a = 1
   ---
   a = 2

.. codediff::
   :title: ``only code``
   :groups: solo

   single = 1
"""


def test_titles_are_inline_markup_and_groups_their_plain_text(sphinx_project):
    app = sphinx_project({"index.rst": MARKUP}, "dummy", myst=True)
    doctree = app.env.get_doctree("index")
    found = captions(doctree)
    assert [caption.astext() for caption in found] == [
        "Using alpha",
        "Using beta",
        "Bold and role",
        "A link",
        "*x `y",
        "Fine code",
        "only code",
    ]
    assert found[0].next_node(nodes.literal).astext() == "alpha"
    assert found[1].next_node(nodes.emphasis).astext() == "beta"
    assert found[2].next_node(nodes.strong).astext() == "Bold"
    assert found[3].next_node(nodes.reference)["refuri"] == "https://example.org"
    assert found[4].next_node(nodes.problematic) is None  # broken: plain text
    assert groups(doctree) == [
        ["Using alpha"],
        ["Using beta"],
        ["Bold and role"],
        ["A link"],
        ["*x `y"],
        ["Fine code"],
        ["solo"],
    ]
    warnings = app.warning.getvalue().splitlines()
    assert len(warnings) == 1, warnings  # the broken title, once, by codediff
    assert re.search(
        r"index\.rst:23: WARNING: codediff: the title '\*x `y' has broken inline "
        r"markup \(Inline emphasis start-string without end-string\.; Inline "
        r"interpreted text or phrase reference start-string without end-string\.\); "
        r"it is "
        r"shown as plain text \[codediff\.title\]",
        warnings[0],
    )


def test_markup_titles_in_html(sphinx_project):
    app = sphinx_project({"index.rst": MARKUP}, "html", myst=True)
    html = (Path(app.outdir) / "index.html").read_text()
    caption = r'<span class="caption-text">Using <code class="docutils literal notranslate"><span class="pre">alpha</span></code></span>'
    assert caption in html
    assert '<span class="caption-text">Using <em>beta</em></span>' in html
    assert '<span class="caption-text">*x `y</span>' in html
    assert "problematic" not in html and "system-message" not in html


@pytest.mark.parametrize("builder", ["text", "latex"])
def test_markup_titles_in_other_builders(sphinx_project, builder):
    app = sphinx_project({"index.rst": MARKUP}, builder, myst=True)
    output = "".join(path.read_text() for path in Path(app.outdir).glob("*.t*x*"))
    assert "alpha" in output and "beta" in output and "``" not in output


def test_markup_title_testsetup_reaches_the_pane(sphinx_project):
    app = sphinx_project({"index.rst": MARKUP}, "doctest", myst=True)
    assert app.builder.total_failures == 0
    assert app.builder.total_tries == 7  # 2 + 2 + 2 + 1


MYST = """\
# MyST

```{codediff}
:title: Using `alpha`, Using *beta*\\, too

x = 1
---
x = 2
```
"""


def test_myst_titles_are_markdown(sphinx_project):
    app = sphinx_project(
        {"index.rst": "I\n=\n\n.. toctree::\n\n   page\n", "page.md": MYST},
        "dummy",
        myst=True,
    )
    doctree = app.env.get_doctree("page")
    found = captions(doctree)
    assert [caption.astext() for caption in found] == ["Using alpha", "Using beta, too"]
    assert found[0].next_node(nodes.literal).astext() == "alpha"
    assert groups(doctree) == [["Using alpha"], ["Using beta too"]]
    assert "WARNING" not in app.warning.getvalue()
