"""Node classes of ``codediff`` and how HTML renders them.

Everything else a codediff produces is a standard docutils node (containers,
captions, literal blocks), so every builder renders it without help.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from docutils import nodes

if TYPE_CHECKING:
    from sphinx.writers.html5 import HTML5Translator


class codediff_test(nodes.comment):  # noqa: N801 - docutils names nodes in lowercase
    """A pane's code for ``sphinx.ext.doctest``; never shown.

    ``sphinx.ext.doctest`` collects comments that carry ``testnodetype``, the
    way it collects a hidden ``testcode``.
    """


class codediff_literal(nodes.literal_block):  # noqa: N801
    """A codediff's literal block, which HTML shows one line per element.

    In HTML a pane's lines (class ``codediff-code``) are each wrapped in a
    ``<span id="codediff-N-L">`` (Pygments' ``linespans``; ``N`` counts the
    page's panes), so that CSS can wrap a long line under a hanging indent and
    mark its continuation rows. ``node["codediff_pad"]``, if set, maps a line
    index (as a string) to the number of display-only blank rows shown before
    that line (``:align:``). Builders other than HTML show the code as a plain
    literal block.
    """


def skip_node(self: nodes.NodeVisitor, node: nodes.Node) -> None:
    raise nodes.SkipNode


PRE = re.compile(r"<pre>(?:<span></span>)?")


def pad_html(html: str, pads: dict[int, int]) -> str:
    """Inserts empty, fixed-height rows before the given lines of a <pre>.

    The rows hold no text, so neither copying nor a copy button picks them up.
    """
    match = PRE.search(html)
    if not match:
        return html
    starts = [match.end()]  # where each line of the code begins in the HTML
    position = match.end()
    end = html.find("</pre>", position)
    while (newline := html.find("\n", position, end)) != -1:
        position = newline + 1
        while html.startswith("</span>", position):  # leave the line's highlight
            position += len("</span>")
        starts.append(position)
    pieces, previous = [], 0
    for index, rows in sorted(pads.items()):
        cut = starts[min(index, len(starts) - 1)]
        pieces += [html[previous:cut], _pad(rows)]
        previous = cut
    pieces.append(html[previous:])
    return "".join(pieces)


LINE_START = re.compile(r'(<span id="codediff-[\d-]+")>((?:<span class="hll">)?)( +)')


def indent_lines(html: str) -> str:
    """Gives each indented line's element its indentation, ``--indent: Nch``.

    codediff.css hangs a wrapped line's continuation rows under the line's own
    indentation plus two characters, which CSS alone cannot measure.
    """
    return LINE_START.sub(
        lambda m: f'{m[1]} style="--indent: {len(m[3])}ch">{m[2]}{m[3]}', html
    )


def _pad(rows: int) -> str:
    return (
        f'<span class="codediff-pad" style="--codediff-pad: {rows}" '
        'aria-hidden="true"></span>'
    )


def visit_codediff_literal_html(self: HTML5Translator, node: codediff_literal) -> None:
    before = len(self.body)
    saved: dict[str, object] = node.get("highlight_args", {})
    if "codediff-code" in node["classes"]:
        count = getattr(self, "_codediff_panes", 0) + 1
        self._codediff_panes = count  # type: ignore[attr-defined]
        node["highlight_args"] = {**saved, "linespans": f"codediff-{count}"}
    try:
        self.visit_literal_block(node)
    except nodes.SkipNode:
        stored: dict[str, int] = node.get("codediff_pad", {})
        pads = {int(k): v for k, v in stored.items()}
        for index in range(before, len(self.body)):
            if "<pre>" in self.body[index]:
                self.body[index] = indent_lines(pad_html(self.body[index], pads))
        raise
    finally:
        node["highlight_args"] = saved


def depart_codediff_literal_html(self: HTML5Translator, node: codediff_literal) -> None:
    self.depart_literal_block(node)
