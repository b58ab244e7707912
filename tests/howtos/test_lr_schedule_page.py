"""The how-to's code is the package's code: same functions, same source text.

Every function and class defined in a ``testcode`` block or a ``codediff`` pane
of howtos/lr_schedule.rst must be, apart from ``#!`` markers and docstrings,
the source of the object of that name in the module of the block's group.
"""

import ast
import importlib
import inspect
import re
import textwrap
from pathlib import Path

import pytest
from codediff.parsing import parse, split_titles

PAGE = Path(__file__).resolve().parents[2] / "howtos" / "lr_schedule.rst"
MODULES = {
    "Default learning rate": "lr_scheduling.baseline",
    "Triangular learning rate schedule": "lr_scheduling.train",
    "nnx": "lr_scheduling.nnx_train",
}
DIRECTIVE = re.compile(r"^(\s*)\.\. (testcode|codediff)::[ \t]*(.*)$")


def directives(text: str):
    """(kind, argument, options, content lines) of each testcode and codediff."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        match = DIRECTIVE.match(line)
        if not match:
            continue
        indent, body = len(match.group(1)), []
        for following in lines[index + 1 :]:
            if following.strip() and len(following) - len(following.lstrip()) <= indent:
                break
            body.append(following)
        body = textwrap.dedent("\n".join(body)).splitlines()
        while body and not body[0].strip():
            body.pop(0)
        options = {}
        while body and (option := re.match(r"^:(\w+):\s*(.*)$", body[0])):
            options[option.group(1)] = option.group(2)
            body.pop(0)
        yield match.group(2), match.group(3), options, body


def page_blocks() -> list[tuple[list[str], str]]:
    """(groups, code) for every block that doctest runs."""
    blocks = []
    for kind, argument, options, content in directives(PAGE.read_text()):
        if kind == "testcode":
            groups = (
                [g.strip() for g in argument.split(",")] if argument else ["default"]
            )
            blocks.append((groups, "\n".join(content)))
        else:
            titles = (
                split_titles(options["title"])
                if "title" in options
                else [options["title_left"], options["title_right"]]
            )
            for pane in parse(content, titles):
                blocks.append(([pane.title], pane.code))
    return blocks


def without_docstring(source: str) -> str:
    """The definition's source, dedented, with its docstring lines removed."""
    source = textwrap.dedent(source)
    (definition,) = ast.parse(source).body
    lines = source.splitlines()
    first = definition.body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
        if isinstance(first.value.value, str):
            del lines[first.lineno - 1 : first.end_lineno]
    return "\n".join(line.rstrip() for line in lines).strip()


def definitions(code: str) -> dict[str, str]:
    """Top-level functions and classes of a block, decorators included."""
    lines = code.splitlines()
    found = {}
    for node in ast.parse(code).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            found[node.name] = "\n".join(lines[start - 1 : node.end_lineno])
    return found


CASES = [
    (group, name, text)
    for groups, code in page_blocks()
    for group in groups
    if group in MODULES
    for name, text in definitions(code).items()
]


def test_page_has_the_expected_blocks():
    names = {(group, name) for group, name, _ in CASES}
    for module_name in ("lr_scheduling.train", "lr_scheduling.baseline"):
        group = next(g for g, m in MODULES.items() if m == module_name)
        for public in importlib.import_module(module_name).__all__:
            assert (group, public) in names, (
                f"{module_name}.{public} is not on the page"
            )
    nnx_names = importlib.import_module("lr_scheduling.nnx_train").__all__
    assert {("nnx", name) for name in nnx_names} <= names
    assert ("Triangular learning rate schedule", "create_triangular_schedule") in names


@pytest.mark.parametrize(
    "group, name, text", CASES, ids=[f"{g}:{n}" for g, n, _ in CASES]
)
def test_page_code_is_package_code(group, name, text):
    module = importlib.import_module(MODULES[group])
    packaged = inspect.getsource(getattr(module, name))
    assert without_docstring(text) == without_docstring(packaged)
    assert "#!" not in text


def test_markers_are_only_on_the_page():
    for module in set(MODULES.values()):
        assert "#!" not in inspect.getsource(importlib.import_module(module))
