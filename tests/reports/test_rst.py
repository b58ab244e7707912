"""reports.rst: the tables it writes parse, with Docutils, into the cells given."""

import doctest

import pytest
from docutils.core import publish_doctree
from docutils.nodes import entry, row, table, title

from reports import rst

HEADER = ["Policy", "Accuracy", "Note"]
ROWS = [
    ["fixed", "98.4 %", "``lr=0.05``"],
    ["one-cycle", "97.1 %", ""],
    ["triangular2", "88.4 %", "two lines,\nthe second *emphasised*"],
]


def _cells(text: str) -> list[list[str]]:
    """The text of each cell of the one table in ``text``, row by row."""
    tree = publish_doctree(
        text, settings_overrides={"report_level": 2, "halt_level": 2}
    )
    (found,) = list(tree.findall(table))
    return [
        [cell.astext() for cell in line.findall(entry)] for line in found.findall(row)
    ]


EXPECTED = [
    HEADER,
    ["fixed", "98.4 %", "lr=0.05"],
    ["one-cycle", "97.1 %", ""],
    ["triangular2", "88.4 %", "two lines,\nthe second emphasised"],
]


@pytest.mark.parametrize("write", [rst.list_table, rst.grid_table])
def test_tables_parse_into_the_cells_given(write):
    assert _cells(write(HEADER, ROWS)) == EXPECTED


def test_list_table_options_and_empty_cells():
    text = rst.list_table(HEADER, ROWS, widths=[20, 30, 50], empty="\\-", title="T")
    assert text.splitlines()[:3] == [
        ".. list-table:: T",
        "   :header-rows: 1",
        "   :widths: 20 30 50",
    ]
    cells = _cells(text)
    assert cells[2] == ["one-cycle", "97.1 %", "-"]
    tree = publish_doctree(text)
    assert [t.astext() for t in tree.findall(title)] == ["T"]


def test_grid_table_empty_cells_show_the_text_given():
    assert _cells(rst.grid_table(HEADER, ROWS, empty="n/a"))[2][2] == "n/a"


@pytest.mark.parametrize("write", [rst.list_table, rst.grid_table])
def test_ragged_rows_are_refused_naming_the_row(write):
    with pytest.raises(ValueError, match=r"rows\[1\] has 2 cells, the header 3"):
        write(HEADER, [ROWS[0], ["x", "y"]])
    with pytest.raises(ValueError, match="header must name at least one column"):
        write([], [])


def test_heading():
    assert rst.heading("Digits", "=") == "Digits\n======"
    with pytest.raises(ValueError, match="underline must be one punctuation"):
        rst.heading("Digits", "ab")


def test_module_examples():
    assert doctest.testmod(rst).failed == 0
