"""Pure text handling for ``codediff``: directive content in, panes out.

Nothing here imports docutils or Sphinx, so every rule can be unit-tested on
plain lists of strings. Mistakes raise :class:`CodeDiffError` carrying the
index of the content line at fault.
"""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass

MARKER = "#!"
TITLES_NEEDED = (
    "give the panes' titles, as :title_left: and :title_right: "
    "or as :title: A, B[, C...]"
)


class CodeDiffError(ValueError):
    """An author mistake; ``line`` is the 0-based index in the content."""

    def __init__(self, message: str, line: int = 0):
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class Pane:
    """One side of a codediff, trimmed and with its ``#!`` markers removed."""

    title: str  # "" for the untitled pane of the one-pane form
    lines: tuple[str, ...]
    marked: tuple[int, ...]  # 1-based numbers of the lines that carried #!
    first_line: int  # 0-based index in the content of lines[0]

    @property
    def code(self) -> str:
        return "\n".join(self.lines)


def split_titles(value: str) -> list[str]:
    """``"A, B, C"`` -> ``["A", "B", "C"]`` (the ``:title:`` option)."""
    return [title.strip() for title in value.split(",")]


def split_sides(
    content: list[str], code_sep: str = "---"
) -> list[tuple[int, list[str]]]:
    """Cuts the content at lines that are exactly ``code_sep`` once stripped.

    Returns ``(index of the side's first line, its lines)`` for every side. A
    separator inside a line, such as ``print("---")`` or ``# -----``, is code.
    """
    sides: list[tuple[int, list[str]]] = [(0, [])]
    for index, line in enumerate(content):
        if line.strip() == code_sep:
            sides.append((index + 1, []))
        else:
            sides[-1][1].append(line)
    return sides


def trim(start: int, lines: list[str]) -> tuple[int, list[str]]:
    """Drops leading and trailing blank lines, keeping track of the start."""
    begin, end = 0, len(lines)
    while begin < end and not lines[begin].strip():
        begin += 1
    while end > begin and not lines[end - 1].strip():
        end -= 1
    return start + begin, lines[begin:end]


def strip_markers(lines: list[str]) -> tuple[list[str], tuple[int, ...]]:
    """Removes a trailing ``#!`` from each line; returns lines and their numbers."""
    cleaned, marked = [], []
    for number, line in enumerate(lines, start=1):
        body = line.rstrip()
        if body.endswith(MARKER):
            cleaned.append(body[: -len(MARKER)].rstrip())
            marked.append(number)
        else:
            cleaned.append(line.rstrip())
    return cleaned, tuple(marked)


def parse(content: list[str], titles: list[str], code_sep: str = "---") -> list[Pane]:
    """Splits directive content into one :class:`Pane` per title.

    Content without a separator line and with at most one title is one pane
    (the one-pane form); its title is ``""`` when none is given.
    """
    if not code_sep.strip():
        raise CodeDiffError("code_sep must not be blank")
    sides = split_sides(content, code_sep.strip())
    if len(sides) == 1 and len(titles) <= 1:
        titles = titles or [""]
    elif not titles:
        raise CodeDiffError(TITLES_NEEDED)
    elif len(sides) == 1:
        raise CodeDiffError(
            f"no separator line {code_sep.strip()!r} between the sides; "
            f"{len(titles)} titles need {len(titles) - 1} separator line(s)"
        )
    elif len(sides) != len(titles):
        raise CodeDiffError(
            f"{len(sides)} sides (separated by {len(sides) - 1} {code_sep.strip()!r} "
            f"line(s)) but {len(titles)} titles {titles!r}",
            line=sides[min(len(titles), len(sides) - 1)][0],
        )
    panes = []
    for title, (start, lines) in zip(titles, sides, strict=True):
        first, kept = trim(start, lines)
        if not kept:
            raise CodeDiffError(f"{describe(title)} is empty", line=start)
        kept, marked = strip_markers(dedent(kept))
        panes.append(Pane(title, tuple(kept), marked, first))
    return panes


def describe(title: str) -> str:
    """How messages name a pane: by its title, if it has one."""
    return f"the side titled {title!r}" if title else "the untitled code block"


def dedent(lines: list[str]) -> list[str]:
    """Removes the indentation common to all non-blank lines."""
    widths = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
    common = min(widths, default=0)
    return [line[common:] for line in lines]


def mixed_indentation(lines: list[str]) -> int | None:
    """Index of the first line whose indentation mixes in a tab, if any.

    Spaces and tabs both seen in the leading whitespace of the given raw source
    lines mean the code's indentation depends on the tab width.
    """
    seen: set[str] = set()
    for index, line in enumerate(lines):
        seen.update(line[: len(line) - len(line.lstrip(" \t"))])
        if {" ", "\t"} <= seen:
            return index
    return None


def changed_lines(panes: list[Pane], auto: bool = True) -> list[tuple[int, ...]]:
    """The 1-based lines to emphasize in each pane.

    The ``#!`` markers win when any pane has one. Otherwise, if ``auto``, each
    pane is compared with its neighbour (the first with the second, every other
    with the first) and the lines that differ are returned.
    """
    if any(pane.marked for pane in panes) or not auto or len(panes) < 2:
        return [pane.marked for pane in panes]
    result = []
    for index, pane in enumerate(panes):
        other = panes[1 if index == 0 else 0]
        matcher = difflib.SequenceMatcher(None, pane.lines, other.lines, autojunk=False)
        changed: set[int] = set()
        for tag, start, end, _, _ in matcher.get_opcodes():
            if tag != "equal":
                changed.update(range(start + 1, end + 1))
        result.append(tuple(sorted(changed)))
    return result


def align(
    left: tuple[str, ...], right: tuple[str, ...]
) -> tuple[Counter[int], Counter[int]]:
    """Blank rows to insert so that equal lines of two panes share a row.

    Returns ``(left_pads, right_pads)``, each mapping a 0-based line index to
    the number of blank rows shown before that line (``len(lines)`` means at
    the end). The rows are for display only.
    """
    left_pads: Counter[int] = Counter()
    right_pads: Counter[int] = Counter()
    matcher = difflib.SequenceMatcher(
        None,
        [line.strip() for line in left],
        [line.strip() for line in right],
        autojunk=False,
    )
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        extra = (j2 - j1) - (i2 - i1)
        if tag == "equal" or extra == 0:
            continue
        if extra > 0:
            left_pads[i2] += extra
        else:
            right_pads[j2] += -extra
    return left_pads, right_pads


def format_ranges(numbers: tuple[int, ...]) -> str:
    """``(1, 2, 3, 7)`` -> ``"1-3, 7"``."""
    ranges: list[list[int]] = []
    for number in numbers:
        if ranges and number == ranges[-1][1] + 1:
            ranges[-1][1] = number
        else:
            ranges.append([number, number])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in ranges)
