"""A script per track: each doctest group of a page, downloadable as a ``.py``.

A page's code forms *tracks*: the doctest groups of its blocks (the fixed-rate
run, the scheduled run, the NNX run). A reader who wants one track's code
gets it here in one file, assembled at build time from the page's doctree by
the rules the copy test (``tests/browser/test_paste.py``) checks the copy
buttons with: the visible ``testcode`` and ``doctest`` blocks and codediff
panes of the group, in page order; a doctest block's prompts stripped and its
output left out; hidden ``testsetup`` and ``testcode`` excluded (a reader never
sees them). An example that raises on purpose (a traceback as its output) is
left out of the script, as a reader who pastes it stops there.

A track is a group with at least one visible ``testcode`` block or codediff
pane; a group of ``doctest`` blocks only (a warning's failing example) is not
offered. Notebook pages (MyST-NB) are not handled here: they offer their
``.ipynb``.

For page authors: write ``.. track-downloads::`` where the line "Download the
Default / Triangular script" should stand, optionally with one line of content
per track, ``group name: label``, giving the link texts and their order::

    .. track-downloads::

       Default learning rate: Default
       Triangular learning rate schedule: Triangular
       nnx: NNX

A how-to page (``howtos/``) with tracks and no such directive gets the line
automatically, labelled with the group names, at the end of its introduction
(before its first section). The scripts are served from
``_downloads/scripts/<folder>/<page>_<track>.py``.
"""

from __future__ import annotations

import ast
import doctest
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

NOTEBOOK_GROUP = "notebook"
DOWNLOADS = "scripts"  # the folder under _downloads


@dataclass
class Block:
    """One block that sphinx.ext.doctest runs, as the page shows it."""

    kind: str  # testcode, doctest or testoutput
    groups: list[str]
    text: str  # as displayed (doctest blocks with their prompts)
    visible: bool
    copy: str | None = None  # what a reader copies from it


@dataclass
class Script:
    """Code to paste into one file, and what running it must print."""

    code: list[str] = field(default_factory=list)
    output: list[str] = field(default_factory=list)
    exception: str | None = None  # the last line of the traceback it must end with

    def raising(self, code: str, exception: str) -> Script:
        """This script so far, then ``code``, which must raise ``exception``."""
        return Script([*self.code, code], list(self.output), exception)

    def text(self) -> str:
        """The file a reader gets: the pieces, one blank line apart."""
        return "\n\n".join(part.rstrip("\n") for part in self.code) + "\n"


def is_test_node(node: nodes.Node) -> bool:
    return isinstance(node, nodes.doctest_block) or (
        isinstance(node, nodes.literal_block | nodes.comment) and "testnodetype" in node
    )


def doctest_blocks(doctree: nodes.Node) -> list[Block]:
    """The blocks sphinx.ext.doctest collects, in page order.

    A codediff pane's test node is hidden (a comment), but the pane shows the
    same code, so it counts as visible; a ``testsetup`` or a hidden
    ``testcode`` does not, and a reader never gets it.
    """
    blocks = []
    for node in doctree.findall(is_test_node):
        assert isinstance(node, nodes.Element)
        kind = node.get("testnodetype", "doctest")
        groups = node.get("groups", ["default"])
        codediff_pane = type(node).__name__ == "codediff_test"
        visible = isinstance(node, nodes.literal_block | nodes.doctest_block)
        blocks.append(Block(kind, groups, node.astext(), visible or codediff_pane))
    return blocks


def notebook_blocks(doctree: nodes.Node) -> list[Block]:
    """A MyST-NB page's code cells and printed outputs, as one group's blocks."""
    blocks = []
    for node in doctree.findall(nodes.literal_block):
        where = node.parent.get("nb_element")
        if where == "cell_code_source":
            blocks.append(Block("testcode", [NOTEBOOK_GROUP], node.astext(), True))
        elif where == "cell_code_output" and "stream" in node["classes"]:
            blocks.append(Block("testoutput", [NOTEBOOK_GROUP], node.astext(), True))
    return blocks


def doctest_source(text: str) -> str:
    """A doctest block's code without prompts or outputs (what copybutton gives)."""
    examples = doctest.DocTestParser().get_examples(text)
    return "".join(example.source for example in examples)


def with_copy_texts(blocks: list[Block]) -> list[Block]:
    """The blocks, each visible code block with the text a reader copies."""
    for block in blocks:
        if block.visible and block.kind != "testoutput":
            doctest = block.kind == "doctest"
            block.copy = doctest_source(block.text) if doctest else block.text
    return blocks


def scripts(blocks: list[Block]) -> dict[str, list[Script]]:
    """Each group's scripts: the group's copied code in page order.

    An example whose output is a traceback is left out of the group's main
    script (a reader who pastes it stops there) and gets a script of its own:
    everything before it, then the example, which must raise as shown.
    """
    names = sorted({g for b in blocks for g in b.groups if g != "*"})
    main = {name: Script() for name in names}
    extra: dict[str, list[Script]] = {name: [] for name in names}
    for block in blocks:
        for name in names if "*" in block.groups else block.groups:
            script = main[name]
            if block.kind == "testoutput":
                script.output.append(block.text)
            elif block.copy is not None and block.kind != "doctest":
                script.code.append(block.copy)
            elif block.copy is not None:
                examples = doctest.DocTestParser().get_examples(block.text)
                pasted = "".join(example.source for example in examples)
                assert block.copy.strip() == pasted.strip(), (block.copy, pasted)
                for example in examples:
                    if example.exc_msg is not None:
                        last = example.exc_msg.strip().splitlines()[-1]
                        extra[name].append(script.raising(example.source, last))
                        continue
                    script.code.append(example.source)
                    if example.want and not echoes(example.source):
                        script.output.append(example.want)
    return {name: [main[name], *extra[name]] for name in names}


def echoes(source: str) -> bool:
    """Whether an example's shown output is a prompt's echo of its value.

    A bare expression (other than a ``print(...)`` call) shows its value only
    at a prompt; run as a script it prints nothing.
    """
    body = ast.parse(source).body
    if len(body) != 1 or not isinstance(body[0], ast.Expr):
        return False
    call = body[0].value
    is_print = isinstance(call, ast.Call) and getattr(call.func, "id", "") == "print"
    return not is_print


def tracks(blocks: list[Block]) -> list[str]:
    """The groups offered as scripts, in the order they first appear.

    A group counts when a reader sees at least one ``testcode`` block or
    codediff pane of it; ``*`` blocks belong to every group.
    """
    found: dict[str, None] = {}
    for block in blocks:
        if block.visible and block.kind == "testcode" and "*" not in block.groups:
            found.update(dict.fromkeys(block.groups))
    return list(found)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def script_path(docname: str, group: str) -> str:
    """Where a track's script is served, relative to ``_downloads``."""
    folder, _, stem = docname.rpartition("/")
    name = f"{stem}_{slug(group)}.py"
    return "/".join(part for part in (DOWNLOADS, folder, name) if part)


def page_scripts(doctree: nodes.Node) -> dict[str, str]:
    """Each track of a page and its script's text."""
    blocks = with_copy_texts(doctest_blocks(doctree))
    assembled = scripts(blocks)
    return {group: assembled[group][0].text() for group in tracks(blocks)}


class track_downloads(nodes.General, nodes.Element):  # noqa: N801 - docutils style
    """Where the download line goes; ``labels`` maps groups to link texts."""


class TrackDownloads(Directive):
    """``.. track-downloads::``: the line that offers each track's script."""

    has_content = True

    def run(self) -> list[nodes.Node]:
        labels: dict[str, str] = {}
        for line in self.content:
            if not line.strip():
                continue
            group, colon, label = line.rpartition(":")
            if not colon or not group.strip() or not label.strip():
                message = f"track-downloads: expected 'group: label', got {line!r}"
                return [self.state.document.reporter.warning(message, line=self.lineno)]
            labels[group.strip()] = label.strip()
        node = track_downloads(labels=labels)
        node.source, node.line = self.state_machine.get_source_and_line(self.lineno)
        return [node]


def place_automatically(app: Sphinx, doctree: nodes.document) -> None:
    """At ``doctree-read``: a how-to with tracks and no directive gets the line."""
    docname = app.env.docname
    if not docname.startswith("howtos/") or any(doctree.findall(track_downloads)):
        return
    if not tracks(doctest_blocks(doctree)):
        return
    top = next(iter(doctree.findall(nodes.section)), None)
    if top is None:
        return
    node = track_downloads(labels={})
    first_section = next(
        (i for i, child in enumerate(top.children) if isinstance(child, nodes.section)),
        len(top.children),
    )
    top.insert(first_section, node)


def download_line(
    docname: str, found: list[str], labels: dict[str, str]
) -> nodes.paragraph:
    """ "Download the A / B / C script", each name a link to its file."""
    ordered = [g for g in labels if g in found] + [g for g in found if g not in labels]
    line = nodes.paragraph(classes=["track-downloads"])
    line += nodes.Text("Download the ")
    for index, group in enumerate(ordered):
        if index:
            line += nodes.Text(" / ")
        label = labels.get(group, "page's" if group == "default" else group)
        link = addnodes.download_reference(
            "", "", filename=script_path(docname, group), classes=["track-download"]
        )
        link["track"] = group
        link += nodes.Text(label)
        line += link
    line += nodes.Text(" script." if len(ordered) == 1 else " scripts.")
    return line


def write_scripts(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """At ``doctree-resolved``: the scripts written, the line put in place."""
    places = list(doctree.findall(track_downloads))
    if not places:
        return
    texts = page_scripts(doctree)
    for place in places:
        unknown = [g for g in place["labels"] if g not in texts]
        if unknown:
            logger.warning(
                "track-downloads: no track named %s on this page (tracks: %s)",
                ", ".join(map(repr, unknown)),
                ", ".join(map(repr, texts)) or "none",
                location=place,
            )
        if texts:
            place.replace_self(download_line(docname, list(texts), place["labels"]))
        else:
            place.parent.remove(place)
    if app.builder.format != "html":
        return
    for group, text in texts.items():
        path = Path(app.outdir) / "_downloads" / script_path(docname, group)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_node(track_downloads)
    app.add_directive("track-downloads", TrackDownloads)
    app.connect("doctree-read", place_automatically)
    app.connect("doctree-resolved", write_scripts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
