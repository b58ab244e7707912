"""The ``codediff`` directive: panes in, docutils nodes out.

A pane's code is either written in the directive (sides separated by ``---``)
or drawn with ``:from:`` from Python objects in a module's source file. Each
pane becomes a captioned literal block inside a ``codediff`` container (a
single pane, a plain code block), plus a hidden test node that
``sphinx.ext.doctest`` runs in the pane's group(s). Author mistakes are logged
as Sphinx warnings at the directive's file:line; malformed inline content is
still shown as a plain literal block, so nothing is lost.
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from codediff.nodes import codediff_literal, codediff_test
from codediff.parsing import (
    TITLES_NEEDED,
    CodeDiffError,
    Pane,
    align,
    changed_lines,
    describe,
    format_ranges,
    mixed_indentation,
    parse,
    split_titles,
)
from codediff.source import Drawn, PaneSpec, draw_from, module_file, parse_specs

logger = logging.getLogger(__name__)

Location = tuple[str, int]  # a pane's code's file and 1-based first line there

PYTHON_LANGUAGES = {"python", "python3", "py", "py3", "default"}
SPHINX_ONLY_LANGUAGES = {"default", "none"}


def _names(value: str) -> list[str]:
    return [name.strip() for name in value.split(",") if name.strip()]


class CodeDiff(SphinxDirective):
    """Shows N versions of some code side by side and tests every one."""

    has_content = True
    option_spec = {
        "title_left": directives.unchanged,
        "title_right": directives.unchanged,
        "title": directives.unchanged,
        "from": directives.unchanged,
        "groups": directives.unchanged,
        "skip_test": directives.unchanged,
        "code_sep": directives.unchanged,
        "sync": directives.flag,
        "language": directives.unchanged,
        "align": directives.flag,
        "no_autodiff": directives.flag,
    }

    def warn(self, message: str, subtype: str) -> None:
        logger.warning(
            "codediff: " + message,
            location=(self.env.docname, self.lineno),
            type="codediff",
            subtype=subtype,
        )

    def run(self) -> list[nodes.Node]:
        if "from" in self.options:
            return self.run_from()
        try:
            panes = parse(
                list(self.content), self.titles(), self.options.get("code_sep", "---")
            )
        except CodeDiffError as error:
            self.warn(str(error), "syntax")
            return [self.raw_block()]
        located = self.source_lines()
        self.check_indentation(panes, [text for text, _ in located])
        source, _ = self.get_source_info()
        locations = [(source, self.located_line(located, pane)) for pane in panes]
        return self.render(panes, locations)

    def run_from(self) -> list[nodes.Node]:
        """Panes drawn from Python source files, one per ``:from:`` spec."""
        if self.content:
            self.warn(
                "give the code either with :from: or as content, not both; "
                "the content is shown untested",
                "from",
            )
            return [self.raw_block()]
        try:
            titles = self.titles()
        except CodeDiffError as error:
            self.warn(str(error), "syntax")
            return []
        try:
            specs = parse_specs(self.options["from"])
            if len(specs) > 1 or len(titles) > 1:
                if len(specs) != len(titles):
                    raise CodeDiffError(
                        f":from: gives {len(specs)} pane spec(s) but there are "
                        f"{len(titles)} title(s) {titles!r}; give one title per "
                        "pane (a single pane may have one title or none)"
                    )
            drawn = [self.draw(spec) for spec in specs]
        except CodeDiffError as error:
            self.warn(str(error), "from")
            return []
        panes = [
            Pane(title, item.lines, (), 0)
            for title, item in zip(titles or [""], drawn, strict=True)
        ]
        locations = [(str(item.path), item.line) for item in drawn]
        return self.render(panes, locations)

    def draw(self, spec: PaneSpec) -> Drawn:
        path = module_file(spec.module)
        self.env.note_dependency(path)  # editing the module re-reads the page
        return draw_from(path, spec)

    def render(self, panes: list[Pane], locations: list[Location]) -> list[nodes.Node]:
        """The panes side by side (one pane: a plain block), then their tests."""
        language = self.language()
        highlights = changed_lines(panes, auto="no_autodiff" not in self.options)
        pads = self.paddings(panes)
        if len(panes) == 1:
            shown: nodes.Element = self.single_node(panes[0], highlights[0], language)
        else:
            shown = nodes.container("", classes=["codediff"])
            for pane, changed, pad in zip(panes, highlights, pads, strict=True):
                shown += self.pane_node(pane, changed, pad, language)
        return [shown, *self.test_nodes(panes, language, locations)]

    # -- options ------------------------------------------------------------

    def titles(self) -> list[str]:
        """The panes' titles; none at all is the untitled one-pane form."""
        pair = [self.options.get(key) for key in ("title_left", "title_right")]
        if "title" in self.options:
            if any(title is not None for title in pair):
                raise CodeDiffError("use either :title: or :title_left:/:title_right:")
            titles = split_titles(self.options["title"])
        elif all(title is not None for title in pair):
            titles = [title.strip() for title in pair if title is not None]
        elif any(title is not None for title in pair):
            raise CodeDiffError(TITLES_NEEDED)
        else:
            return []
        if any(not title for title in titles):
            raise CodeDiffError(f"empty title in {titles!r}")
        return titles

    def language(self) -> str:
        language = self.options.get("language", "python").strip() or "python"
        if language in SPHINX_ONLY_LANGUAGES:
            return language
        try:
            get_lexer_by_name(language)
        except ClassNotFound:
            self.warn(
                f"unknown :language: {language!r}; shown without highlighting",
                "language",
            )
            return "none"
        return language

    def groups(self, panes: list[Pane]) -> list[list[str]] | None:
        """The doctest groups of each pane.

        One pane runs in every group that ``:groups:`` lists (as for
        ``.. testcode:: A, B``); with several panes, ``:groups:`` names one
        group per pane. The default group is the title, else ``default``.
        """
        if "groups" not in self.options:
            return [[pane.title or "default"] for pane in panes]
        groups = _names(self.options["groups"])
        if len(panes) == 1 and groups:
            return [groups]
        if len(groups) != len(panes):
            self.warn(
                f":groups: names {len(groups)} group(s) {groups!r} for {len(panes)} "
                "panes; the code is not tested",
                "groups",
            )
            return None
        return [[group] for group in groups]

    # -- checks ---------------------------------------------------------------

    def check_indentation(self, panes: list[Pane], raw: list[str]) -> None:
        for pane in panes:
            span = raw[pane.first_line : pane.first_line + len(pane.lines)]
            index = mixed_indentation(span)
            if index is not None:
                self.warn(
                    f"tabs mixed with spaces in the indentation of "
                    f"{describe(pane.title)} (its line {index + 1}); use spaces only",
                    "indentation",
                )

    def source_lines(self) -> list[tuple[str, int | None]]:
        """Each content line as written in its file, and its 1-based line there.

        docutils expands tabs before a directive sees its content, so the raw
        file is read to find them. rST content knows its file lines; MyST
        content counts from its own first line and is found by search; a
        notebook's lines are not file lines, so they keep ``None``.
        """
        files: dict[str, list[str]] = {}

        def file_lines(source: str) -> list[str]:
            if source not in files:
                path = Path(source)
                text = path.read_text(errors="replace") if path.is_file() else ""
                files[source] = text.splitlines()
            return files[source]

        def same(raw: str, text: str) -> bool:
            return raw.expandtabs(8).strip() == text.expandtabs(8).strip()

        content, items = list(self.content), self.content.items
        direct = [file_lines(str(src))[offset : offset + 1] for src, offset in items]
        if all(
            raw and same(raw[0], text)
            for raw, text in zip(direct, content, strict=True)
        ):
            return [
                (raw[0], offset + 1)
                for raw, (_, offset) in zip(direct, items, strict=True)
            ]
        lines = file_lines(str(self.get_source_info()[0]))
        for start in range(max(self.lineno - 1, 0), len(lines) - len(content) + 1):
            if all(same(lines[start + k], text) for k, text in enumerate(content)):
                return [(lines[start + k], start + k + 1) for k in range(len(content))]
        return [(text, None) for text in content]

    # -- nodes --------------------------------------------------------------

    def raw_block(self) -> nodes.literal_block:
        text = "\n".join(self.content)
        block = nodes.literal_block(text, text, classes=["codediff-invalid"])
        block["language"] = "none"
        self.set_source_info(block)
        return block

    def paddings(self, panes: list[Pane]) -> list[dict[int, int]]:
        if "align" not in self.options:
            return [{} for _ in panes]
        if len(panes) != 2:
            self.warn(f":align: needs exactly two panes, not {len(panes)}", "align")
            return [{} for _ in panes]
        left, right = align(panes[0].lines, panes[1].lines)
        return [dict(left), dict(right)]

    def literal(
        self, pane: Pane, changed: tuple[int, ...], language: str, pad: dict[int, int]
    ) -> nodes.literal_block:
        block_class = codediff_literal if pad else nodes.literal_block
        block = block_class(pane.code, pane.code)
        block["language"] = language
        block["highlight_args"] = {"hl_lines": list(changed)} if changed else {}
        if pad:
            block["codediff_pad"] = {str(k): v for k, v in sorted(pad.items())}
        block.source, block.line = self.get_source_info()
        return block

    def pane_node(
        self, pane: Pane, changed: tuple[int, ...], pad: dict[int, int], language: str
    ) -> nodes.container:
        block = self.literal(pane, changed, language, pad)
        block["classes"].append("codediff-code")
        pane_node = nodes.container("", self.captioned(block, pane.title))
        pane_node["classes"].append("codediff-pane")
        self.add_note(pane_node, changed)
        return pane_node

    def single_node(
        self, pane: Pane, changed: tuple[int, ...], language: str
    ) -> nodes.container:
        """The one-pane form: a plain code block, captioned if titled."""
        block = self.literal(pane, changed, language, {})
        shown = self.captioned(block, pane.title) if pane.title else block
        single = nodes.container("", shown, classes=["codediff-single"])
        self.add_note(single, changed)
        return single

    def add_note(self, node: nodes.Element, changed: tuple[int, ...]) -> None:
        """Names the emphasized lines for screen readers (hidden by the CSS)."""
        if changed:
            note = f"Changed lines: {format_ranges(changed)}."
            node += nodes.paragraph(note, note, classes=["codediff-changes"])

    def located_line(self, located: list[tuple[str, int | None]], pane: Pane) -> int:
        """The file line of a pane's first code line, else the directive's."""
        return located[pane.first_line][1] or self.lineno

    def captioned(self, block: nodes.literal_block, title: str) -> nodes.container:
        """A code block with a caption, as ``code-block:: :caption:`` makes.

        The title is plain text, never parsed as markup, so nothing an author
        puts in it can break the page.
        """
        wrapper = nodes.container(
            "", literal_block=True, classes=["literal-block-wrapper"]
        )
        caption = nodes.caption(title, title)
        self.set_source_info(wrapper)
        self.set_source_info(caption)
        wrapper += [caption, block]
        return wrapper

    def test_nodes(
        self, panes: list[Pane], language: str, locations: list[Location]
    ) -> list[nodes.Node]:
        """One hidden ``testcode`` per pane, located where its code is written.

        For a pane drawn with ``:from:`` that is the Python file and the first
        line of the pane's first object, so a doctest failure names the file
        that holds the code.
        """
        groups = self.groups(panes)
        if groups is None or language not in PYTHON_LANGUAGES:
            return []
        skipped = self.skipped([group for names in groups for group in names])
        tests: list[nodes.Node] = []
        for pane, names, (source, line) in zip(panes, groups, locations, strict=True):
            run_in = [group for group in names if group not in skipped]
            if not run_in:
                continue
            test = codediff_test(
                pane.code, pane.code, testnodetype="testcode", groups=run_in
            )
            test.source = source
            test.line = line
            tests.append(test)
        return tests

    def skipped(self, groups: list[str]) -> set[str]:
        if "skip_test" not in self.options:
            return set()
        names = _names(self.options["skip_test"])
        if not names:  # a bare :skip_test: skips every pane
            return set(groups)
        unknown = [name for name in names if name not in groups]
        if unknown:
            self.warn(
                f":skip_test: names {unknown!r}, which is not among this "
                f"directive's groups {groups!r}",
                "skip_test",
            )
        return set(names) & set(groups)
