"""Which definition of a name Python binds, and code without its docstrings.

``:from:`` draws an object by name. A module may define a name more than once:
in both branches of ``if sys.version_info >= (3, 0):``, in ``try``/``except
ImportError``, or simply twice. The last definition in the file is not always
the one Python binds, so :func:`bound_definition` reads the module's syntax
tree: every definition of the name in its scope (``if``, ``try``, ``with`` and
loops are walked, functions and classes are scopes of their own), and the
conditions of the ``if`` statements around each. Conditions on
``sys.version_info``, ``sys.platform`` and ``TYPE_CHECKING`` are evaluated
for the Python that builds the docs, so dead branches drop out; anything else
leaves the choice uncertain, and the caller warns, naming the lines.

Nothing here imports docutils or Sphinx.
"""

from __future__ import annotations

import ast
import operator
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
UNKNOWN = object()  # a condition that cannot be evaluated without running code
COMPARE: dict[type, Any] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
KNOWN_NAMES = {
    "sys.version_info": tuple(sys.version_info),
    "sys.platform": sys.platform,
    "TYPE_CHECKING": False,
    "typing.TYPE_CHECKING": False,
}


@dataclass(frozen=True)
class Definition:
    """One statement that binds the name: its kind and 1-based lines."""

    kind: str  # "def", "class" or "assignment"
    start: int  # first line, a decorator's if it has one
    end: int
    alive: bool  # no ``if`` around it is known to skip it
    certain: bool  # every ``if`` around it could be evaluated; no loop or try

    @property
    def lines(self) -> str:
        return f"{self.start}-{self.end}" if self.end > self.start else f"{self.start}"


@dataclass(frozen=True)
class Binding:
    """The definition to show, all definitions, and whether it is sure."""

    chosen: Definition
    all: tuple[Definition, ...]
    sure: bool


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return None if base is None else f"{base}.{node.attr}"
    return None


def evaluate(node: ast.expr) -> object:
    """A condition's value, or :data:`UNKNOWN` (no code is run)."""
    if isinstance(node, ast.Constant):
        return node.value
    name = _dotted(node)
    if name is not None:
        return KNOWN_NAMES.get(name, UNKNOWN)
    if isinstance(node, ast.Tuple):
        items = [evaluate(item) for item in node.elts]
        return UNKNOWN if UNKNOWN in items else tuple(items)
    if isinstance(node, ast.Subscript):
        value, index = evaluate(node.value), evaluate(node.slice)
        try:
            return value[index] if UNKNOWN not in (value, index) else UNKNOWN  # type: ignore[index]
        except (TypeError, IndexError, KeyError):
            return UNKNOWN
    if isinstance(node, ast.Slice):
        parts = [
            None if p is None else evaluate(p)
            for p in (node.lower, node.upper, node.step)
        ]
        return UNKNOWN if UNKNOWN in parts else slice(*parts)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        value = evaluate(node.operand)
        return UNKNOWN if value is UNKNOWN else not value
    if isinstance(node, ast.BoolOp):
        values = [evaluate(value) for value in node.values]
        if isinstance(node.op, ast.And):
            if any(v is not UNKNOWN and not v for v in values):
                return False
            return UNKNOWN if UNKNOWN in values else True
        if any(v is not UNKNOWN and v for v in values):
            return True
        return UNKNOWN if UNKNOWN in values else False
    if isinstance(node, ast.Compare):
        return _compare(node)
    return UNKNOWN


def _compare(node: ast.Compare) -> object:
    left = evaluate(node.left)
    for op, right_node in zip(node.ops, node.comparators, strict=True):
        right = evaluate(right_node)
        function = COMPARE.get(type(op))
        if function is None or UNKNOWN in (left, right):
            return UNKNOWN
        try:
            if not function(left, right):
                return False
        except TypeError:
            return UNKNOWN
        left = right
    return True


def _binds(statement: ast.stmt, name: str) -> str | None:
    """The kind of definition of ``name`` that ``statement`` is, if any."""
    if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
        return "def" if statement.name == name else None
    if isinstance(statement, ast.ClassDef):
        return "class" if statement.name == name else None
    targets: list[ast.expr] = []
    if isinstance(statement, ast.Assign):
        targets = statement.targets
    elif isinstance(statement, ast.AnnAssign):
        targets = [statement.target]
    names = {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return "assignment" if name in names else None


def _walk(
    body: list[ast.stmt], name: str, alive: bool, certain: bool
) -> Iterator[tuple[ast.stmt, str, bool, bool]]:
    for statement in body:
        kind = _binds(statement, name)
        if kind is not None:
            yield statement, kind, alive, certain
        if isinstance(statement, ast.If):
            value = evaluate(statement.test)
            known = value is not UNKNOWN
            yield from _walk(
                statement.body,
                name,
                alive and (not known or bool(value)),
                certain and known,
            )
            yield from _walk(
                statement.orelse,
                name,
                alive and (not known or not value),
                certain and known,
            )
        elif isinstance(statement, ast.With | ast.AsyncWith):
            yield from _walk(statement.body, name, alive, certain)
        elif isinstance(statement, ast.Try | ast.For | ast.AsyncFor | ast.While):
            for part in ("body", "orelse", "finalbody"):
                yield from _walk(getattr(statement, part, []), name, alive, False)
            for handler in getattr(statement, "handlers", []):
                yield from _walk(handler.body, name, alive, False)


def _scope(tree: ast.Module, dotted: str) -> tuple[list[ast.stmt], str] | None:
    """The statements of the scope that ``dotted`` names, and the last part."""
    *classes, name = dotted.split(".")
    body: list[ast.stmt] = tree.body
    for part in classes:
        found = bound_in(body, part)
        if found is None or not isinstance(found[0], ast.ClassDef):
            return None
        body = found[0].body
    return body, name


def bound_in(body: list[ast.stmt], name: str) -> tuple[ast.stmt, bool] | None:
    """The statement that binds ``name`` last among the live ones."""
    alive = [
        (s, certain) for s, _, live, certain in _walk(body, name, True, True) if live
    ]
    return alive[-1] if alive else None


def bound_definition(text: str, dotted: str) -> Binding | None:
    """The definitions of ``dotted`` (``name`` or ``Class.method``) in a module.

    ``None`` when the name is not defined in that scope. The chosen definition
    is the last one that is not in a dead branch; ``sure`` is false when some
    definition sits in a loop, a ``try`` or under a condition that cannot be
    evaluated, or when every definition is in a dead branch.
    """
    scope = _scope(ast.parse(text), dotted)
    if scope is None:
        return None
    found = []
    for statement, kind, alive, certain in _walk(*scope, True, True):
        decorators = getattr(statement, "decorator_list", [])
        start = min([statement.lineno, *(d.lineno for d in decorators)])
        end = statement.end_lineno or statement.lineno
        found.append(Definition(kind, start, end, alive, certain))
    if not found:
        return None
    live = [definition for definition in found if definition.alive]
    chosen = live[-1] if live else found[-1]
    sure = bool(live) and all(definition.certain for definition in live)
    return Binding(chosen, tuple(found), sure)


def without_docstrings(lines: list[str]) -> list[str]:
    """Source lines of a definition with the docstrings of its functions and
    classes left out (and the blank line after each, if there is one).

    A docstring that is the whole body stays (removing it would leave no
    body), as does one sharing a line with other code. Code that does not
    parse is returned as it is.
    """
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return lines
    drop: set[int] = set()
    for node in ast.walk(tree):
        if not isinstance(node, SCOPES) or len(node.body) < 2:
            continue
        first = node.body[0]
        if not (
            isinstance(first, ast.Expr)
            and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)
        ):
            continue
        start, end = first.lineno, first.end_lineno or first.lineno
        rest = lines[end - 1].encode()[first.end_col_offset or 0 :].decode().strip()
        if lines[start - 1][: first.col_offset].strip() or (
            rest and not rest.startswith("#")
        ):
            continue
        drop.update(range(start, end + 1))
        if end < len(lines) and not lines[end].strip():
            drop.add(end + 1)
    return [line for number, line in enumerate(lines, 1) if number not in drop]
