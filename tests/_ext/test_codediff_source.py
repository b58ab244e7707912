"""Unit tests of codediff.source: pane specs, module files, object sources."""

import sys
import textwrap

import pytest
from codediff.parsing import CodeDiffError
from codediff.source import (
    PaneSpec,
    assignments,
    draw,
    draw_from,
    module_file,
    parse_specs,
)
from sphinx.pycode import ModuleAnalyzer

MODULE = '''\
"""A module."""

import functools

raise RuntimeError("imported")

Alias = dict[str, int]
COUNT: int = 3
a = b = 4
x, (y, z) = 1, (2, 3)
COUNT = 5


@functools.lru_cache(
    maxsize=None,
)
def f(n):
    return n

# a section comment, not part of f


class C:
    """C."""

    attr = 1

    @staticmethod
    def m(value):
        text = """
not indented
"""
        return value

    # a comment after m
'''


@pytest.fixture
def package(tmp_path, monkeypatch):
    """``pkg`` (whose __init__ raises) with ``pkg.mod`` and ``pkg.sub.leaf``."""
    (tmp_path / "pkg" / "sub").mkdir(parents=True)
    (tmp_path / "pkg" / "__init__.py").write_text("raise RuntimeError('pkg')\n")
    (tmp_path / "pkg" / "mod.py").write_text(MODULE)
    (tmp_path / "pkg" / "sub" / "__init__.py").write_text("raise RuntimeError\n")
    (tmp_path / "pkg" / "sub" / "leaf.py").write_text("def leaf():\n    pass\n")
    (tmp_path / "pkg" / "data.txt").write_text("not code\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "pkg", raising=False)
    return tmp_path


# --- specs --------------------------------------------------------------------


def test_parse_specs():
    assert parse_specs(" a.b:f g ,c:X.m ") == [
        PaneSpec("a.b", ("f", "g")),
        PaneSpec("c", ("X.m",)),
    ]
    assert parse_specs("a : f") == [PaneSpec("a", ("f",))]
    assert str(PaneSpec("a.b", ("f", "g"))) == "a.b:f g"


@pytest.mark.parametrize(
    "value, message",
    [
        ("", ":from: is empty"),
        ("   ", ":from: is empty"),
        ("a.b", "malformed pane spec 'a.b'"),
        ("a.b:", "malformed pane spec 'a.b:'"),
        (":f", "malformed pane spec ':f'"),
        ("a..b:f", "malformed pane spec 'a..b:f'"),
        ("a:f, ", "malformed pane spec ''"),
        ("a:f-g", "'f-g' is not a \\(dotted\\) Python name"),
        ("a:f:g", "'f:g' is not a \\(dotted\\) Python name"),
    ],
)
def test_malformed_specs(value, message):
    with pytest.raises(CodeDiffError, match=message):
        parse_specs(value)


# --- module files, never imported -----------------------------------------------


def test_module_file_without_importing(package):
    assert module_file("pkg.mod") == package / "pkg" / "mod.py"
    assert module_file("pkg.sub.leaf") == package / "pkg" / "sub" / "leaf.py"
    assert module_file("pkg") == package / "pkg" / "__init__.py"
    assert not [name for name in sys.modules if name.split(".")[0] == "pkg"]


@pytest.mark.parametrize(
    "modname, message",
    [
        ("nowhere_codediff_test", "unknown module 'nowhere_codediff_test'"),
        ("pkg.nowhere", "'pkg.nowhere' is not found"),
        ("pkg.nowhere.deeper", "'pkg.nowhere' is not found"),
        ("pkg.mod.deeper", "'pkg.mod' is a module, not a package"),
        ("sys", "module 'sys' has no Python source file"),
    ],
)
def test_unknown_modules(package, modname, message):
    with pytest.raises(CodeDiffError, match=message):
        module_file(modname)


# --- objects ------------------------------------------------------------------


def source_of(name, package):
    return draw(PaneSpec("pkg.mod", (name,))).lines


def test_decorated_function_as_literalinclude_pyobject(package):
    drawn = draw(PaneSpec("pkg.mod", ("f",)))
    assert drawn.path == package / "pkg" / "mod.py"
    assert drawn.line == 14
    assert "\n".join(drawn.lines) == (
        "@functools.lru_cache(\n    maxsize=None,\n)\ndef f(n):\n    return n"
    )


def test_class_and_dedented_method(package):
    klass = draw(PaneSpec("pkg.mod", ("C",)))
    assert klass.line == 23 and klass.lines[0] == "class C:"
    assert klass.lines[-1] == "        return value"
    method = draw(PaneSpec("pkg.mod", ("C.m",)))
    assert method.line == 28
    assert "\n".join(method.lines) == textwrap.dedent('''\
        @staticmethod
        def m(value):
            text = """
        not indented
        """
            return value''')


def test_assignments(package):
    assert assignments(MODULE) == {
        "Alias": (7, 7),
        "COUNT": (11, 11),  # the last assignment wins
        "a": (9, 9),
        "b": (9, 9),
        "x": (10, 10),
        "y": (10, 10),
        "z": (10, 10),
    }
    assert source_of("Alias", package) == ("Alias = dict[str, int]",)
    assert source_of("b", package) == ("a = b = 4",)


def test_several_names_are_joined_pep8_style(package):
    drawn = draw(PaneSpec("pkg.mod", ("Alias", "a", "f", "COUNT")))
    assert drawn.line == 7  # the first object's
    assert "\n".join(drawn.lines) == (
        "Alias = dict[str, int]\n"
        "a = b = 4\n"
        "\n\n"
        "@functools.lru_cache(\n    maxsize=None,\n)\ndef f(n):\n    return n\n"
        "\n\n"
        "COUNT = 5"
    )


def test_unknown_object_suggests_close_names(package):
    with pytest.raises(CodeDiffError, match=r"unknown object 'Count'.*'COUNT'"):
        draw(PaneSpec("pkg.mod", ("f", "Count")))
    with pytest.raises(CodeDiffError, match=r"unknown object 'C\.nope'"):
        draw(PaneSpec("pkg.mod", ("C.nope",)))
    with pytest.raises(CodeDiffError, match="unknown object 'attr'"):
        draw(PaneSpec("pkg.mod", ("attr",)))  # a class attribute is not top-level


def test_syntax_error_is_an_author_mistake(tmp_path):
    path = tmp_path / "broken.py"
    path.write_text("def f(:\n")
    with pytest.raises(CodeDiffError, match="cannot analyze"):
        draw_from(path, PaneSpec("broken", ("f",)))


def test_edited_file_is_read_again_despite_the_analyzer_cache(tmp_path):
    path = tmp_path / "edited.py"
    path.write_text("def f():\n    return 1\n")
    assert draw_from(path, PaneSpec("edited", ("f",))).lines[-1] == "    return 1"
    ModuleAnalyzer.for_file(path, "edited")  # cached now
    path.write_text("\n\ndef f():\n    return 2\n")
    drawn = draw_from(path, PaneSpec("edited", ("f",)))
    assert drawn.lines == ("def f():", "    return 2") and drawn.line == 3
    assert ModuleAnalyzer.for_file(path, "edited").code == path.read_text()
