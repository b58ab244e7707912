"""Pure text handling for ``codediff``: directive content in, panes out.

Nothing here imports docutils or Sphinx, so every rule can be unit-tested on
plain lists of strings. Mistakes raise :class:`CodeDiffError` carrying the
index of the content line at fault.
"""

from __future__ import annotations

import difflib
import io
import re
import tokenize
from collections import Counter
from dataclasses import dataclass, replace

MARKER = "#!"
WORD = re.compile(r"\w")  # a letter, digit or underscore
OUTPUT_SEP = ".. output::"
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
    # the pane's expected output (``.. output::`` in the pane), if it has one
    output: tuple[str, ...] | None = None
    # 0-based index in the content of the output's first line
    output_line: int = 0

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


def comment_markers(lines: list[str]) -> set[int] | None:
    """The 0-based lines whose trailing ``#!`` is the end of a comment token.

    Python's :mod:`tokenize` reads the code, so a ``#!`` inside a string or a
    docstring is code, not a marker. ``None`` when the lines do not tokenize
    (a fragment such as an unclosed bracket); the caller then reads markers
    from the text.
    """
    source = "\n".join(dedent([line.rstrip() for line in lines])) + "\n"
    found: set[int] = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT and token.string.rstrip().endswith(
                MARKER
            ):
                found.add(token.start[0] - 1)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return None
    return found


def strip_markers(start: int, lines: list[str], python: bool = False) -> Pane:
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
    With ``python``, a ``#!`` is a marker only where it ends a comment token
    (:func:`comment_markers`): ``"#!"`` in a string or docstring stays code.
    """
    markers = comment_markers(lines) if python else None
    rows: list[tuple[int, str, bool]] = []  # content index, text, emphasized
    pending = seen_code = False
    for offset, line in enumerate(lines):
        body = line.rstrip()
        is_marker = body.endswith(MARKER) and (markers is None or offset in markers)
        if body.strip() == MARKER and is_marker and not seen_code:
            pending = True
            continue
        marked = is_marker
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


def split_output(
    start: int, lines: list[str], output_sep: str = OUTPUT_SEP
) -> tuple[list[str], int, list[str] | None]:
    """A side's code lines, and its output: the lines after ``output_sep``.

    Returns ``(code lines, content index of the output's first line, output
    lines or None)``. The output is dedented and trimmed like the code.
    """
    for offset, line in enumerate(lines):
        if line.strip() == output_sep:
            first = offset + 1
            while first < len(lines) and not lines[first].strip():
                first += 1
            output = [text.rstrip() for text in dedent(lines[first:])]
            while output and not output[-1]:
                output.pop()
            return lines[:offset], start + first, output
    return lines, 0, None


def parse(
    content: list[str],
    titles: list[str],
    code_sep: str = "---",
    python: bool = False,
    output_sep: str = OUTPUT_SEP,
) -> list[Pane]:
    """Splits directive content into one :class:`Pane` per title.

    Content without a separator line and with at most one title is one pane
    (the one-pane form); its title is ``""`` when none is given. A line that
    is exactly ``output_sep`` (``.. output::``) ends a pane's code; the lines
    after it, up to the next side, are that pane's expected output. With
    ``python``, ``#!`` markers are read as comment tokens
    (:func:`strip_markers`).
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
        code, output_line, output = split_output(start, lines, output_sep.strip())
        pane = strip_markers(start, code, python)
        if not pane.lines:
            raise CodeDiffError(f"{describe(title)} is empty", line=start)
        if output is not None and not output:
            raise CodeDiffError(
                f"{describe(title)} has an empty {output_sep.strip()!r} part",
                line=output_line,
            )
        out = tuple(output) if output is not None else None
        panes.append(replace(pane, title=title, output=out, output_line=output_line))
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
"""Default least similarity of two panes for emphasizing every changed line.

The similarity is ``difflib``'s ratio of the panes' lines, ``2 * M / T``
(``M`` lines in common, ``T`` lines in both panes). Below it most of each pane
differs, and emphasizing every changed line would flood the pane: only the
most-changed lines are emphasized (:data:`AUTODIFF_MAX_SHARE`).
``reports/autodiff_corpus`` measures the choice.
"""

AUTODIFF_MAX_SHARE = 1 / 3
"""Default largest share of a pane's lines emphasized when it shares little.

In a pane less similar than the threshold to the pane it is compared with, the
changed lines are ranked by how much they changed (:func:`change`) and at most
``share * lines`` of them, rounded to the nearest line, are emphasized: with a
third, one line of a 2-line pane, none of a 1-line pane, so never more than
half a pane. 0 emphasizes nothing there.
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


SILENT_TOKENS = {
    tokenize.NL,
    tokenize.NEWLINE,
    tokenize.COMMENT,
    tokenize.INDENT,
    tokenize.DEDENT,
    tokenize.ENDMARKER,
}


def quiet_lines(lines: tuple[str, ...], python: bool = True) -> set[int]:
    """The 1-based lines that automatic emphasis never marks.

    Blank lines always; in Python, also lines that hold only a comment and the
    lines of docstrings (any statement that is only a string), as Python's
    :mod:`tokenize` reads them: they explain a change, they are not one. Code
    that does not tokenize (a fragment) falls back to lines that start with
    ``#``.
    """
    quiet = {number for number, line in enumerate(lines, 1) if not line.strip()}
    if not python:
        return quiet
    source = "\n".join(lines) + "\n"
    code_rows: set[int] = set()
    statement: list[tokenize.TokenInfo] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type not in SILENT_TOKENS:
                code_rows.update(range(token.start[0], token.end[0] + 1))
                statement.append(token)
            elif token.type == tokenize.NEWLINE:
                if statement and all(t.type == tokenize.STRING for t in statement):
                    first, last = statement[0].start[0], statement[-1].end[0]
                    quiet.update(range(first, last + 1))
                statement = []
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return quiet | {
            n for n, line in enumerate(lines, 1) if line.lstrip().startswith("#")
        }
    return quiet | (set(range(1, len(lines) + 1)) - code_rows)


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


def change(line: str, others: tuple[str, ...]) -> float:
    """How much a line changed: 1 minus its highest character similarity
    (``difflib`` ratio, spaces at either end ignored) to a line of ``others``.

    0.0 for a line found elsewhere in ``others``; 1.0 for one that shares no
    character with any of them (or when ``others`` has no line that is not
    blank).
    """
    text = line.strip()
    best = 0.0
    matcher = difflib.SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(text)  # seq2 is the one difflib caches
    for other in others:
        if other.strip():
            matcher.set_seq1(other.strip())
            if matcher.real_quick_ratio() > best and matcher.quick_ratio() > best:
                best = max(best, matcher.ratio())
    return 1.0 - best


def most_changed(
    numbers: tuple[int, ...],
    lines: tuple[str, ...],
    others: tuple[str, ...],
    limit: int,
) -> tuple[int, ...]:
    """The ``limit`` lines of ``numbers`` (1-based in ``lines``) that changed
    most from ``others`` (:func:`change`); the earlier line wins a tie.

    Lines without a letter or digit (a closing bracket, ``...``) are left out:
    having no partner they would rank first, and they say nothing.
    """
    worded = [number for number in numbers if WORD.search(lines[number - 1])]
    ranked = sorted(
        worded, key=lambda number: (-change(lines[number - 1], others), number)
    )
    return tuple(sorted(ranked[: max(limit, 0)]))


def changed_lines(
    panes: list[Pane],
    auto: bool = True,
    min_similarity: float = 0.0,
    python: bool = False,
    max_share: float = AUTODIFF_MAX_SHARE,
) -> list[tuple[int, ...]]:
    """The 1-based lines to emphasize in each pane.

    The ``#!`` markers win when any pane has one. Otherwise, if ``auto``, each
    pane is compared with its neighbour (the first with the second, every other
    with the first) and the lines that differ are returned. A pane less similar
    than ``min_similarity`` to its neighbour (see :func:`similarity`) gets only
    its most-changed lines, at most ``max_share * len(lines)`` of them rounded
    to the nearest line (:func:`most_changed`). Automatic emphasis leaves out
    blank lines and, with ``python``, comment-only and docstring lines
    (:func:`quiet_lines`).

    >>> panes = parse(["x = 1", "y = 2", "z = 3", "---", "u = 1", "y = 20"], ["A", "B"])
    >>> changed_lines(panes)
    [(1, 2, 3), (1, 2)]
    >>> changed_lines(panes, min_similarity=0.5)  # similarity 0.0: a third at most
    [(3,), (1,)]
    """
    if any(pane.marked for pane in panes) or not auto or len(panes) < 2:
        return [pane.marked for pane in panes]
    result = []
    for (index, other), changed in zip(
        neighbours(panes), diff_lines(panes), strict=True
    ):
        pane, partner = panes[index], panes[other]
        quiet = quiet_lines(pane.lines, python)
        numbers = tuple(number for number in changed if number not in quiet)
        if similarity(pane.lines, partner.lines) < min_similarity:
            # rounded half up (Python's round() goes to even)
            limit = int(max_share * len(pane.lines) + 0.5)
            numbers = most_changed(numbers, pane.lines, partner.lines, limit)
        result.append(numbers)
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
