"""``:from:`` draws the definition Python binds, and leaves docstrings out."""

import sys
import textwrap
from pathlib import Path

import pytest
from codediff.definitions import (
    UNKNOWN,
    bound_definition,
    evaluate,
    without_docstrings,
)
from codediff.source import PaneSpec, draw_from

TWICE = """\
import sys

if sys.version_info >= (3, 0):
    def h():
        return "py3"
else:
    def h():
        return "py2"

if sys.version_info < (3,):
    def old():
        return "py2"
else:
    def old():
        return "py3"

if not TYPE_CHECKING and sys.platform == "{platform}":
    RATE = 1
else:
    RATE = 2

try:
    import numpy
    def g():
        return 1
except ImportError:
    def g():
        return 0

if flag:
    def maybe():
        return 1

def k():
    return 1

def k():
    return 2

for _ in range(3):
    def looped():
        return 0

if sys.version_info >= (99,):
    def never():
        return 0

class C:
    if sys.version_info[0] == 2:
        def m(self):
            return 2
    else:
        def m(self):
            return 3
""".replace("{platform}", sys.platform)


@pytest.fixture
def twice(tmp_path) -> Path:
    path = tmp_path / "twice.py"
    path.write_text(TWICE)
    return path


def lines_of(path: Path, name: str) -> tuple[str, ...]:
    return draw_from(path, PaneSpec("twice", (name,))).lines


@pytest.mark.parametrize(
    ("name", "last_line"),
    [
        ("h", '    return "py3"'),  # the if branch, not the last (dead) else
        ("old", '    return "py3"'),  # the else branch, last in the file
        ("RATE", "    RATE = 1"),  # platform and TYPE_CHECKING are evaluated
        ("k", "    return 2"),  # a plain redefinition: the last binds
        ("C.m", "    return 3"),  # methods of a class too
    ],
)
def test_the_bound_definition_is_drawn_silently(twice, name, last_line):
    drawn = draw_from(twice, PaneSpec("twice", (name,)))
    assert drawn.notes == ()
    assert drawn.lines[-1].strip() == last_line.strip()


@pytest.mark.parametrize(
    ("name", "lines", "shown"),
    [
        ("g", "24-25, 27-28", "27-28"),  # try / except ImportError
        ("maybe", "31-32", None),  # defined once: no note
        ("looped", "41-42", None),
    ],
)
def test_definitions_that_depend_on_running_code_are_named(twice, name, lines, shown):
    drawn = draw_from(twice, PaneSpec("twice", (name,)))
    if shown is None:
        assert drawn.notes == ()
        return
    (note,) = drawn.notes
    assert note.startswith(f"{name!r} is defined 2 times in module 'twice' ")
    assert f"(lines {lines})" in note
    assert f"the pane shows lines {shown}" in note


def test_binding_details(twice):
    text = twice.read_text()
    binding = bound_definition(text, "h")
    assert [d.lines for d in binding.all] == ["4-5", "7-8"]
    assert [d.alive for d in binding.all] == [True, False]
    assert binding.chosen.start == 4 and binding.sure
    never = bound_definition(text, "never")
    assert never.all[0].alive is False and len(never.all) == 1
    assert bound_definition(text, "absent") is None
    assert bound_definition(text, "C.absent") is None


@pytest.mark.parametrize(
    ("condition", "value"),
    [
        ("sys.version_info >= (3, 0)", True),
        ("sys.version_info < (3,)", False),
        ("sys.version_info[:2] >= (3, 8)", True),
        ("sys.version_info[0] == 2", False),
        (f"sys.platform == {sys.platform!r}", True),
        ("sys.platform.startswith('win')", UNKNOWN),
        ("TYPE_CHECKING", False),
        ("typing.TYPE_CHECKING or flag", UNKNOWN),
        ("not TYPE_CHECKING and True", True),
        ("flag and False", False),
        ("1 < 2 < 3", True),
        ("os.environ.get('X')", UNKNOWN),
    ],
)
def test_conditions(condition, value):
    import ast

    assert evaluate(ast.parse(condition, mode="eval").body) == value


def test_without_docstrings():
    code = textwrap.dedent('''\
        class A:
            """Class doc,
            two lines."""

            x = 1

            def f(self):
                """Method doc."""  # a comment goes with it
                return 1

            def only(self):
                """A body that is only a docstring stays."""

            def same(self): "kept: shares its line"; return 2
        ''').splitlines()
    assert without_docstrings(code) == [
        "class A:",
        "    x = 1",
        "",
        "    def f(self):",
        "        return 1",
        "",
        "    def only(self):",
        '        """A body that is only a docstring stays."""',
        "",
        '    def same(self): "kept: shares its line"; return 2',
    ]
    assert without_docstrings(["def broken(:"]) == ["def broken(:"]


def test_docstrings_kept_on_request(twice, tmp_path):
    path = tmp_path / "doc.py"
    path.write_text('def f():\n    """Doc."""\n    return 1\n')
    spec = PaneSpec("doc", ("f",))
    assert draw_from(path, spec).lines == ("def f():", '    """Doc."""', "    return 1")
    assert draw_from(path, spec, docstrings=False).lines == ("def f():", "    return 1")
