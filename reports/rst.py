"""The one rST table writer of the report tools (bench and results pages).

A table is a list of header strings and rows of strings. :func:`list_table`
writes Docutils' ``list-table`` directive (cells may hold several lines and
any inline markup); :func:`grid_table` writes a grid table, readable as plain
text in the committed ``.rst``. Both return the text without a trailing
newline; a page joins blocks with blank lines.

>>> print(list_table(["Policy", "Accuracy"], [["fixed", "98.4 %"]]))
.. list-table::
   :header-rows: 1
<BLANKLINE>
   * - Policy
     - Accuracy
   * - fixed
     - 98.4 %
>>> print(grid_table(["Policy", "Accuracy"], [["fixed", "98.4 %"]]))
+--------+----------+
| Policy | Accuracy |
+========+==========+
| fixed  | 98.4 %   |
+--------+----------+
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["grid_table", "heading", "list_table"]


def _check(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    if not header:
        raise ValueError("header must name at least one column, got []")
    for number, row in enumerate(rows):
        if len(row) != len(header):
            raise ValueError(
                f"rows[{number}] has {len(row)} cells, the header {len(header)}: "
                f"{list(row)!r}"
            )


def list_table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    widths: Sequence[int] | str | None = None,
    empty: str = "",
    title: str = "",
) -> str:
    """A ``list-table`` directive with one header row.

    Args:
      header: the column titles.
      rows: the body, each row as many cells as ``header``; a cell may hold
        several lines (they are indented under its bullet).
      widths: the ``:widths:`` option (relative widths, or "auto"); None
        leaves it out (Docutils' equal widths).
      empty: the text of an empty cell: "" leaves it blank, ``"\\-"`` shows a
        dash.
      title: the table's caption, if any.

    Raises:
      ValueError: ``header`` is empty, or a row has another number of cells.
    """
    _check(header, rows)
    lines = [f".. list-table::{' ' + title if title else ''}", "   :header-rows: 1"]
    if widths is not None:
        text = widths if isinstance(widths, str) else " ".join(map(str, widths))
        lines.append(f"   :widths: {text}")
    lines.append("")
    for cells in [header, *rows]:
        for i, cell in enumerate(cells):
            first, *rest = (cell or empty).splitlines() or [""]
            lines.append(f"   {'*' if i == 0 else ' '} - {first}".rstrip())
            lines += [f"       {line}".rstrip() for line in rest]
    return "\n".join(lines)


def _grid_row(cells: Sequence[str], widths: Sequence[int]) -> list[str]:
    split = [cell.splitlines() or [""] for cell in cells]
    height = max(len(lines) for lines in split)
    return [
        "| "
        + " | ".join(
            (lines[k] if k < len(lines) else "").ljust(width)
            for lines, width in zip(split, widths, strict=True)
        )
        + " |"
        for k in range(height)
    ]


def grid_table(
    header: Sequence[str], rows: Sequence[Sequence[str]], *, empty: str = ""
) -> str:
    """A grid table with one header row; cells may hold several lines.

    Raises:
      ValueError: ``header`` is empty, or a row has another number of cells.
    """
    _check(header, rows)
    table = [list(header)] + [[cell or empty for cell in row] for row in rows]
    widths = [
        max(len(line) for row in table for line in (row[i].splitlines() or [""]))
        for i in range(len(header))
    ]
    widths = [max(width, 1) for width in widths]
    rule = "+" + "+".join("-" * (width + 2) for width in widths) + "+"
    lines = [rule, *_grid_row(table[0], widths), rule.replace("-", "=")]
    for row in table[1:]:
        lines += [*_grid_row(row, widths), rule]
    return "\n".join(lines)


def heading(text: str, underline: str = "-") -> str:
    """A section title: ``text`` underlined with ``underline`` to its length."""
    if len(underline) != 1 or underline.isalnum() or underline.isspace():
        raise ValueError(f"underline must be one punctuation character: {underline!r}")
    return f"{text}\n{underline * len(text)}"
