"""Pure text handling for ``codediff``: directive content in, panes out.

Nothing here imports docutils or Sphinx, so every rule can be unit-tested on
plain lists of strings. Mistakes raise :class:`CodeDiffError` carrying the
index of the content line at fault.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, replace

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

    title: str  # plain text; "" for the untitled pane of the one-pane form
    lines: tuple[str, ...]
    marked: tuple[int, ...]  # 1-based numbers of the lines emphasized by #!
    first_line: int  # 0-based index in the content of lines[0]
    # 0-based index in the content of every line (a dropped ``#!`` line makes
    # a gap); empty for panes not written in the directive (``:from:``)
    rows: tuple[int, ...] = ()

    @property
    def code(self) -> str:
        return "\n".join(self.lines)


def split_titles(value: str) -> list[str]:
    """``"A, B, C"`` -> ``["A", "B", "C"]`` (the ``:title:`` option).

    A comma escaped with a backslash (``\\,``) belongs to the title; the
    backslash is kept, so that inline markup parsing (or :func:`unescape`)
    turns ``\\,`` into a comma and leaves other escapes to the markup.
    """
    titles, current, index = [], [], 0
    while index < len(value):
        char = value[index]
        if char == "\\" and index + 1 < len(value):
            current.append(value[index : index + 2])
            index += 2
            continue
        if char == ",":
            titles.append("".join(current).strip())
            current = []
        else:
            current.append(char)
        index += 1
    titles.append("".join(current).strip())
    return titles


def unescape(text: str) -> str:
    """A title's text without its backslash escapes (``\\,`` -> ``,``)."""
    return re.sub(r"\\(.)", r"\1", text)


def group_name(title: str) -> str:
    """The doctest group a title gives: its plain text without commas.

    ``sphinx.ext.doctest`` splits group lists at commas (``.. testsetup:: A,
    B``), and so does ``:skip_test:``; dropping the commas (and collapsing
    the spaces they leave) gives every title a group both can name:
    ``"Linen, old API"`` -> ``"Linen old API"``.
    """
    return " ".join(title.replace(",", " ").split())


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


def strip_markers(start: int, lines: list[str]) -> Pane:
    """The pane of one side's lines, trimmed and without its ``#!`` markers.

    A trailing ``#!`` emphasizes its line. A line holding only ``#!`` is read
    as Flax's directive read it (its code-block dropped the blank lines at the
    top and bottom of a block, which such a line left):

    - before the pane's first line of code, it is dropped and emphasizes that
      line;
    - between lines of code, it stays as an emphasized blank row (Flax pages
      use it to hold the place of a line that the other pane adds);
    - after the last line of code, it is dropped.

    Blank lines at either end are trimmed and the common indentation removed.
    ``start`` is the content index of ``lines[0]``; the title is left empty.
    """
    rows: list[tuple[int, str, bool]] = []  # content index, text, emphasized
    pending = seen_code = False
    for offset, line in enumerate(lines):
        body = line.rstrip()
        if body.strip() == MARKER and not seen_code:
            pending = True
            continue
        marked = body.endswith(MARKER)
        if marked:
            body = body[: -len(MARKER)].rstrip()
        if body.strip():
            marked = marked or pending
            pending, seen_code = False, True
        rows.append((start + offset, body, marked))
    while rows and not rows[0][1].strip():
        rows.pop(0)
    while rows and not rows[-1][1].strip():
        rows.pop()
    if not rows:
        return Pane("", (), (), start)
    texts = dedent([text for _, text, _ in rows])
    marked_numbers = tuple(n for n, (_, _, m) in enumerate(rows, start=1) if m)
    indices = tuple(index for index, _, _ in rows)
    return Pane("", tuple(texts), marked_numbers, indices[0], indices)


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
        pane = strip_markers(start, lines)
        if not pane.lines:
            raise CodeDiffError(f"{describe(title)} is empty", line=start)
        panes.append(replace(pane, title=title))
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


AUTODIFF_MIN_SIMILARITY = 0.5
"""Default least similarity of two panes for automatic emphasis.

The similarity is ``difflib``'s ratio of the panes' lines, ``2 * M / T``
(``M`` lines in common, ``T`` lines in both panes). Below it the panes share
too little for emphasis to help: most of each pane would be emphasized.
``benchmarks/autodiff_corpus`` measures the choice.
"""


def neighbours(panes: list[Pane]) -> list[tuple[int, int]]:
    """The pairs automatic emphasis compares: the first pane with the
    second, every other pane with the first."""
    return [(index, 1 if index == 0 else 0) for index in range(len(panes))]


def similarity(left: tuple[str, ...], right: tuple[str, ...]) -> float:
    """``difflib``'s ratio of two panes' lines (1.0: equal, 0.0: disjoint)."""
    if not left and not right:
        return 1.0
    return difflib.SequenceMatcher(None, left, right, autojunk=False).ratio()


def least_similarity(panes: list[Pane]) -> float:
    """The lowest similarity among the pairs that automatic emphasis compares."""
    if len(panes) < 2:
        return 1.0
    return min(
        similarity(panes[index].lines, panes[other].lines)
        for index, other in neighbours(panes)
    )


def diff_lines(panes: list[Pane]) -> list[tuple[int, ...]]:
    """For each pane, the 1-based lines that differ from its neighbour's."""
    result = []
    for index, other in neighbours(panes):
        matcher = difflib.SequenceMatcher(
            None, panes[index].lines, panes[other].lines, autojunk=False
        )
        changed: set[int] = set()
        for tag, start, end, _, _ in matcher.get_opcodes():
            if tag != "equal":
                changed.update(range(start + 1, end + 1))
        result.append(tuple(sorted(changed)))
    return result


def changed_lines(
    panes: list[Pane], auto: bool = True, min_similarity: float = 0.0
) -> list[tuple[int, ...]]:
    """The 1-based lines to emphasize in each pane.

    The ``#!`` markers win when any pane has one. Otherwise, if ``auto``, each
    pane is compared with its neighbour (the first with the second, every other
    with the first) and the lines that differ are returned, unless some
    compared pair is less similar than ``min_similarity`` (see
    :func:`least_similarity`): then nothing is emphasized.
    """
    if any(pane.marked for pane in panes) or not auto or len(panes) < 2:
        return [pane.marked for pane in panes]
    if least_similarity(panes) < min_similarity:
        return [() for _ in panes]
    return diff_lines(panes)


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
