"""Where a line of a page really is: in its file, or in its notebook file.

docutils numbers the lines of an rST or MyST page as they are in the file.
``myst_nb`` numbers a notebook's lines per cell instead: the line ``k``
(0-based) of cell ``i`` is ``(i + 1) * 10000 + 1 + k``, and a directive's
line is one more, so no such number is a line of the ``.ipynb`` file. A
:class:`SourceView` maps both kinds of number to the text around them and to
the line of the file that holds them; for a notebook that is the line of the
JSON file on which the cell's source line is written (nbformat writes one
source line per JSON line).

Nothing here imports docutils or Sphinx.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from json.decoder import scanstring  # type: ignore[attr-defined]
from pathlib import Path
from typing import Any

CELL_STRIDE = 10000  # myst_nb's line numbers: (cell index + 1) * CELL_STRIDE + ...
# A directive's line in a notebook, less its row in the cell (see the docstring).
CELL_DIRECTIVE_BASE = 2
NOTEBOOK_SUFFIXES = (".ipynb",)


@dataclass(frozen=True)
class SourceView:
    """The text a node line number counts in: a file, or one notebook cell.

    ``base`` is the node line number of ``lines[0]``; ``file_lines`` gives the
    1-based line in the file of every row (``None``: row + 1).
    """

    lines: tuple[str, ...]
    base: int = 1
    file_lines: tuple[int, ...] | None = None

    def row(self, node_line: int) -> int:
        """The 0-based row of a node line number (may be out of range)."""
        return node_line - self.base

    def node_line(self, row: int) -> int:
        return row + self.base

    def file_line(self, row: int) -> int:
        """The 1-based file line of a row (the nearest row's, if out of range)."""
        if self.file_lines is None:
            return row + 1
        if not self.file_lines:
            return 1
        return self.file_lines[min(max(row, 0), len(self.file_lines) - 1)]


def source_view(source: str | None, line: int | None) -> SourceView | None:
    """The view of ``source`` that holds node line ``line``, if it can be read.

    A notebook line must be one of ``myst_nb``'s cell line numbers; an
    unreadable file, or a cell that does not exist, gives ``None``.
    """
    if not source or line is None:
        return None
    path = Path(source)
    try:
        stat = path.stat()
    except OSError:
        return None
    if path.suffix in NOTEBOOK_SUFFIXES:
        cells = _notebook_cells(str(path), stat.st_mtime_ns, stat.st_size)
        index = line // CELL_STRIDE - 1
        if cells is None or line < CELL_STRIDE or not 0 <= index < len(cells):
            return None
        texts, file_lines = cells[index]
        base = (index + 1) * CELL_STRIDE + CELL_DIRECTIVE_BASE
        return SourceView(texts, base, file_lines)
    return SourceView(_file_lines(str(path), stat.st_mtime_ns, stat.st_size))


def find_code(
    lines: Sequence[str], row: int, code: str, window: int = 40
) -> int | None:
    """The row, from ``row`` on, where ``code``'s first non-blank line is.

    A directive's code starts after its options and a blank line, so the
    search looks ``window`` rows ahead at most; lines match when they are
    equal once stripped.
    """
    first = next((line.strip() for line in code.splitlines() if line.strip()), None)
    if first is None:
        return None
    for index in range(max(row, 0), min(len(lines), max(row, 0) + window)):
        if lines[index].strip() == first:
            return index
    return None


def content_lines(
    content: list[str], items: Sequence[tuple[Any, int]], source: str, lineno: int
) -> list[tuple[str, int | None]]:
    """Each line of a directive's content as written in its file, and its line.

    docutils expands tabs before a directive sees its content, so the raw
    file is read to find them. rST content knows its file lines (``items``:
    docutils' (source, 0-based offset) of each line); MyST content counts from
    its own first line and is found by search from the directive's line
    ``lineno``. In a notebook it is searched in its cell, and the line numbers
    are ``myst_nb``'s, as for every node of the page.
    """

    def same(raw: str, text: str) -> bool:
        return raw.expandtabs(8).strip() == text.expandtabs(8).strip()

    def line_of(where: Any, offset: int) -> list[str]:
        view = source_view(str(where), offset + 1)
        if view is None or view.file_lines is not None:
            return []
        return list(view.lines[offset : offset + 1])

    direct = [line_of(where, offset) for where, offset in items]
    if all(
        raw and same(raw[0], text) for raw, text in zip(direct, content, strict=True)
    ):
        return [
            (raw[0], offset + 1) for raw, (_, offset) in zip(direct, items, strict=True)
        ]
    view = source_view(source, lineno)
    if view is not None:
        lines = view.lines
        for start in range(max(view.row(lineno), 0), len(lines)):
            if start + len(content) > len(lines):
                break
            if all(same(lines[start + k], text) for k, text in enumerate(content)):
                return [
                    (lines[start + k], view.node_line(start + k))
                    for k in range(len(content))
                ]
    return [(text, None) for text in content]


@lru_cache(maxsize=64)
def _file_lines(path: str, mtime_ns: int, size: int) -> tuple[str, ...]:
    try:
        return tuple(Path(path).read_text(errors="replace").splitlines())
    except OSError:
        return ()


Cell = tuple[tuple[str, ...], tuple[int, ...]]  # source lines, their file lines


@lru_cache(maxsize=16)
def _notebook_cells(path: str, mtime_ns: int, size: int) -> tuple[Cell, ...] | None:
    """Every cell's source lines and the JSON file line each is written on."""
    try:
        text = Path(path).read_text(encoding="utf-8")
        notebook = _Scanner(text).document()
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        return None
    cells = []
    for cell in notebook["cells"]:
        source = cell.get("source", []) if isinstance(cell, dict) else []
        pieces = source if isinstance(source, list) else [source]
        texts: list[str] = []
        lines: list[int] = []
        for piece in pieces:
            if not isinstance(piece, _Located):
                continue
            line = text.count("\n", 0, piece.offset) + 1
            for part in str(piece).splitlines() or [""]:
                texts.append(part)
                lines.append(line)
        cells.append((tuple(texts), tuple(lines)))
    return tuple(cells)


class _Located(str):
    """A JSON string value that knows its offset in the JSON text."""

    offset: int


NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
SPACE = re.compile(r"[ \t\n\r]*")
LITERALS = {"true": True, "false": False, "null": None}


class _Scanner:
    """A small JSON reader that records where each string value starts.

    ``json`` gives no positions; a notebook is small enough to read twice.
    """

    def __init__(self, text: str):
        self.text = text

    def document(self) -> Any:
        value, end = self.value(0)
        if self.skip(end) != len(self.text):
            raise ValueError("extra data after the JSON document")
        return value

    def skip(self, index: int) -> int:
        match = SPACE.match(self.text, index)
        return match.end() if match else index

    def value(self, index: int) -> tuple[Any, int]:
        index = self.skip(index)
        char = self.text[index : index + 1]
        if char == "{":
            return self.object(index + 1)
        if char == "[":
            return self.array(index + 1)
        if char == '"':
            string, end = scanstring(self.text, index + 1)
            located = _Located(string)
            located.offset = index
            return located, end
        for word, literal in LITERALS.items():
            if self.text.startswith(word, index):
                return literal, index + len(word)
        match = NUMBER.match(self.text, index)
        if not match or not match.group():
            raise ValueError(f"unexpected JSON at offset {index}")
        return json.loads(match.group()), match.end()

    def object(self, index: int) -> tuple[dict[str, Any], int]:
        result: dict[str, Any] = {}
        index = self.skip(index)
        if self.text.startswith("}", index):
            return result, index + 1
        while True:
            key, index = self.value(index)
            if not isinstance(key, str):
                raise ValueError(f"JSON object key expected at offset {index}")
            index = self.skip(index)
            if not self.text.startswith(":", index):
                raise ValueError(f"':' expected at offset {index}")
            result[str(key)], index = self.value(index + 1)
            index = self.skip(index)
            if self.text.startswith("}", index):
                return result, index + 1
            if not self.text.startswith(",", index):
                raise ValueError(f"',' or '}}' expected at offset {index}")
            index += 1

    def array(self, index: int) -> tuple[list[Any], int]:
        result: list[Any] = []
        index = self.skip(index)
        if self.text.startswith("]", index):
            return result, index + 1
        while True:
            item, index = self.value(index)
            result.append(item)
            index = self.skip(index)
            if self.text.startswith("]", index):
                return result, index + 1
            if not self.text.startswith(",", index):
                raise ValueError(f"',' or ']' expected at offset {index}")
            index += 1
