"""Code drawn from Python source files for ``:from:``, found without importing.

A pane spec is ``dotted.module:name [name ...]``. The module's file is located
with the import system's finders only, so neither the module nor its parent
packages run; ``sphinx.pycode.ModuleAnalyzer`` gives the line ranges of
functions and classes (``literalinclude :pyobject:``'s ranges), and ``ast``
those of top-level assignments, which the analyzer does not tag.
"""

from __future__ import annotations

import ast
import difflib
import importlib.machinery
import importlib.util
import tokenize
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sphinx.errors import PycodeError
from sphinx.pycode import ModuleAnalyzer

from codediff.definitions import Binding, bound_definition, without_docstrings
from codediff.parsing import CodeDiffError

T = TypeVar("T")

SOURCE_SUFFIXES = (".py", ".pyw")
SPEC_FORM = "'dotted.module:name [name ...]'"


@dataclass(frozen=True)
class PaneSpec:
    """One pane of ``:from:``: a module and the names drawn from it."""

    module: str
    names: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.module}:{' '.join(self.names)}"


@dataclass(frozen=True)
class Snippet:
    """The source of one object, as in its file (dedented if nested)."""

    name: str
    kind: str  # "def", "class" or "assignment"
    lines: tuple[str, ...]
    line: int  # 1-based line of its first line (a decorator, if any) in the file


@dataclass(frozen=True)
class Drawn:
    """The code of one pane: its snippets from one file, joined."""

    spec: PaneSpec
    path: Path
    snippets: tuple[Snippet, ...]
    notes: tuple[str, ...] = ()  # warnings for the directive to log

    @property
    def line(self) -> int:
        return self.snippets[0].line

    @property
    def lines(self) -> tuple[str, ...]:
        """Two blank lines between definitions, none between assignments."""
        joined: list[str] = []
        previous: Snippet | None = None
        for snippet in self.snippets:
            if previous is not None and not (
                previous.kind == snippet.kind == "assignment"
            ):
                joined += ["", ""]
            joined += snippet.lines
            previous = snippet
        return tuple(joined)


def _dotted(name: str) -> bool:
    return bool(name) and all(part.isidentifier() for part in name.split("."))


def parse_specs(value: str) -> list[PaneSpec]:
    """``"a.b:f g, a.c:f"`` -> one :class:`PaneSpec` per comma-separated spec."""
    if not value.strip():
        raise CodeDiffError(f":from: is empty; give one {SPEC_FORM} per pane")
    specs = []
    for text in value.split(","):
        text = text.strip()
        module, colon, names = text.partition(":")
        module = module.strip()
        split = names.split()
        if not colon or not _dotted(module) or not split:
            raise CodeDiffError(
                f"malformed pane spec {text!r} in :from:; use {SPEC_FORM}"
            )
        bad = [name for name in split if not _dotted(name)]
        if bad:
            raise CodeDiffError(
                f"malformed pane spec {text!r} in :from:: {bad[0]!r} is not a "
                f"(dotted) Python name; use {SPEC_FORM}"
            )
        specs.append(PaneSpec(module, tuple(split)))
    return specs


def module_file(modname: str) -> Path:
    """The source file of a module, found without importing anything.

    ``importlib.util.find_spec`` runs no code for a top-level name; each further
    component is looked up with ``PathFinder`` in its parent's search
    locations, so no parent package's ``__init__`` runs either.
    """
    top, *rest = modname.split(".")
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError) as error:
        raise CodeDiffError(f"cannot look up module {top!r}: {error}") from error
    fullname = top
    for part in rest:
        if spec is None:
            break
        locations = spec.submodule_search_locations
        if locations is None:
            raise CodeDiffError(
                f"unknown module {modname!r}: {fullname!r} is a module, not a package"
            )
        fullname = f"{fullname}.{part}"
        spec = importlib.machinery.PathFinder.find_spec(fullname, list(locations))
    if spec is None:
        raise CodeDiffError(f"unknown module {modname!r}: {fullname!r} is not found")
    origin = spec.origin if spec.has_location else None
    if origin is None or not origin.endswith(SOURCE_SUFFIXES):
        raise CodeDiffError(
            f"module {modname!r} has no Python source file (found {origin!r})"
        )
    return Path(origin)


def read_source(path: Path) -> str:
    """The file's text as Python reads it (coding cookie, universal newlines)."""
    try:
        with tokenize.open(path) as file:
            return file.read()
    except (OSError, SyntaxError, UnicodeDecodeError) as error:
        raise CodeDiffError(f"cannot read {str(path)!r}: {error}") from error


def _analyzer(path: Path, modname: str, text: str) -> ModuleAnalyzer:
    """``ModuleAnalyzer.for_file``, refreshed if its cache holds an older text.

    The analyzer cache lives as long as the process, so without this check an
    edited file would keep its old line ranges in a long-running build.
    """
    try:
        analyzer = ModuleAnalyzer.for_file(path, modname)
        if analyzer.code != text:
            fresh = ModuleAnalyzer.for_string(text, modname, path)
            for key, value in list(ModuleAnalyzer.cache.items()):
                if value is analyzer:
                    ModuleAnalyzer.cache[key] = fresh
            analyzer = fresh
        analyzer.find_tags()
    except PycodeError as error:
        raise CodeDiffError(f"cannot analyze {str(path)!r}: {error}") from error
    return analyzer


def _assigned_names(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Tuple | ast.List):
        return [name for item in target.elts for name in _assigned_names(item)]
    return []


def assignments(text: str) -> dict[str, tuple[int, int]]:
    """Top-level (annotated) assignments: name -> (first line, last line).

    A name assigned more than once maps to its last assignment, as the
    analyzer does for a function defined twice.
    """
    found: dict[str, tuple[int, int]] = {}
    type_alias = getattr(ast, "TypeAlias", None)  # ``type X = ...``, Python 3.12+
    for node in ast.parse(text).body:
        names: list[str] = []
        if isinstance(node, ast.Assign):
            names = [n for target in node.targets for n in _assigned_names(target)]
        elif isinstance(node, ast.AnnAssign):
            names = _assigned_names(node.target)
        elif type_alias is not None and isinstance(node, type_alias):
            names = _assigned_names(node.name)
        end = node.end_lineno or node.lineno
        found.update((name, (node.lineno, end)) for name in names)
    return found


def _dedent(lines: list[str]) -> tuple[str, ...]:
    """Removes the first line's indentation from every line that has it."""
    first = lines[0]
    indent = first[: len(first) - len(first.lstrip())]
    return tuple(
        line[len(indent) :] if line.startswith(indent) else line for line in lines
    )


def draw(spec: PaneSpec) -> Drawn:
    """Finds the file of ``spec.module`` and the source of each named object."""
    return draw_from(module_file(spec.module), spec)


def draw_from(path: Path, spec: PaneSpec, docstrings: bool = True) -> Drawn:
    """The source of each name of ``spec`` in the file ``path``, in order.

    Functions, classes and ``Class.method`` come from the analyzer's tags;
    other names from the module's top-level assignments. A name defined more
    than once is drawn from the definition Python binds
    (:func:`codediff.definitions.bound_definition`); where that depends on
    code that runs, ``Drawn.notes`` says so, naming the lines. Without
    ``docstrings``, the docstrings of drawn functions and classes are left
    out (:func:`codediff.definitions.without_docstrings`).
    """
    text = read_source(path)
    tags = _analyzer(path, spec.module, text).find_tags()
    file_lines = text.split("\n")
    assigned: dict[str, tuple[int, int]] | None = None
    snippets, notes = [], []
    for name in spec.names:
        binding = _parsed(path, bound_definition, text, name)
        if name in tags:
            kind, start, end = tags[name]
        else:
            if assigned is None:
                assigned = _parsed(path, assignments, text)
            if name in assigned:
                kind, (start, end) = "assignment", assigned[name]
            elif binding is None:
                raise CodeDiffError(_unknown(name, spec.module, path, tags, assigned))
        if binding is not None and (len(binding.all) > 1 or name not in tags):
            kind, start, end = (
                binding.chosen.kind,
                binding.chosen.start,
                binding.chosen.end,
            )
            if not binding.sure:
                notes.append(_ambiguous(name, spec.module, binding))
        lines = file_lines[start - 1 : end]
        while len(lines) > 1 and not lines[-1].strip():
            lines.pop()
        shown = list(_dedent(lines))
        if not docstrings and kind != "assignment":
            shown = without_docstrings(shown)
        snippets.append(Snippet(name, kind, tuple(shown), start))
    return Drawn(spec, path, tuple(snippets), tuple(notes))


def _parsed(path: Path, function: Callable[..., T], *args: str) -> T:
    try:
        return function(*args)
    except SyntaxError as error:
        raise CodeDiffError(f"cannot parse {str(path)!r}: {error}") from error


def _ambiguous(name: str, module: str, binding: Binding) -> str:
    lines = ", ".join(definition.lines for definition in binding.all)
    return (
        f"{name!r} is defined {len(binding.all)} times in module {module!r} "
        f"(lines {lines}), and which one Python binds depends on code that runs "
        "(a loop, a try, or a condition codediff does not evaluate); the pane "
        f"shows lines {binding.chosen.lines}. Draw an object defined once"
    )


def _unknown(
    name: str,
    module: str,
    path: Path,
    tags: dict[str, tuple[str, int, int]],
    assigned: dict[str, tuple[int, int]],
) -> str:
    message = (
        f"unknown object {name!r} in module {module!r} ({str(path)!r}): not a "
        "function, class, method or top-level assignment there"
    )
    known = {known.lower(): known for known in [*tags, *assigned]}
    close = [
        known[match] for match in difflib.get_close_matches(name.lower(), known, n=3)
    ]
    if close:
        message += f"; did you mean {', '.join(map(repr, close))}?"
    return message
