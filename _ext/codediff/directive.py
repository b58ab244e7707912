"""The ``codediff`` directive: panes in, docutils nodes out.

A pane's code is either written in the directive (sides separated by ``---``)
or drawn with ``:from:`` from Python objects in a module's source file. Each
pane becomes a captioned literal block inside a ``codediff`` container (a
single pane, a plain code block), plus a hidden test node that
``sphinx.ext.doctest`` runs in the pane's group(s). Author mistakes are logged
as Sphinx warnings at the directive's file:line; malformed inline content is
still shown as a plain literal block, so nothing is lost.

Titles are inline markup (``Using ``alpha````), rendered in the caption; the
group a title gives is its plain text without commas (:func:`group_name`).
Only panes whose ``:language:`` Pygments resolves to its Python 3 lexer are
tested (:func:`runs_as_python`).
"""

from __future__ import annotations

from docutils import nodes
from docutils.parsers.rst import directives
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from codediff.locate import content_lines
from codediff.nodes import codediff_literal, codediff_test
from codediff.parsing import (
    OUTPUT_SEP,
    CodeDiffError,
    Pane,
    align,
    changed_lines,
    describe,
    format_ranges,
    group_name,
    least_similarity,
    mixed_indentation,
    parse,
)
from codediff.source import Drawn, PaneSpec, draw_from, module_file, parse_specs
from codediff.testnodes import (
    SPHINX_ONLY_LANGUAGES,
    doctest_flags,
    flag_problems,
    runs_as_python,
    skipped_groups,
    special_group,
)
from codediff.testnodes import (
    names as option_names,
)
from codediff.titles import Title, parse_title, read_titles

logger = logging.getLogger(__name__)

Location = tuple[str, int]  # a pane's code's file and 1-based first line there


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
        "autodiff": directives.flag,
        "no_autodiff": directives.flag,
        "docstrings": directives.flag,
        "output_sep": directives.unchanged,
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
        language = self.language()
        try:
            titles = self.titles()
            panes = parse(
                list(self.content),
                [title.text for title in titles],
                self.options.get("code_sep", "---"),
                python=runs_as_python(language),
                output_sep=self.options.get("output_sep", OUTPUT_SEP),
            )
        except CodeDiffError as error:
            self.warn(str(error), "syntax")
            return [self.raw_block()]
        located = self.source_lines()
        self.check_indentation(panes, [text for text, _ in located])
        source, _ = self.get_source_info()
        locations = [(source, self.located_line(located, pane)) for pane in panes]
        outputs = [
            (source, located[pane.output_line][1] or self.lineno) for pane in panes
        ]
        flax = self.flax_two_titles()
        return self.render(panes, titles, locations, flax, language, outputs)

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
                        f"{len(titles)} title(s) {[t.text for t in titles]!r}; "
                        "give one title per pane (a single pane may have one "
                        "title or none)"
                    )
            drawn = [self.draw(spec) for spec in specs]
        except CodeDiffError as error:
            self.warn(str(error), "from")
            return []
        for item in drawn:
            for note in item.notes:
                self.warn(note, "from")
        panes = [
            Pane(title, item.lines, (), 0)
            for title, item in zip(
                [title.text for title in titles] or [""], drawn, strict=True
            )
        ]
        locations = [(str(item.path), item.line) for item in drawn]
        return self.render(panes, titles, locations, False, self.language(), [])

    def draw(self, spec: PaneSpec) -> Drawn:
        """The pane of one spec; docstrings left out unless ``:docstrings:``."""
        path = module_file(spec.module)
        self.env.note_dependency(path)  # editing the module re-reads the page
        return draw_from(path, spec, docstrings="docstrings" in self.options)

    def render(
        self,
        panes: list[Pane],
        titles: list[Title],
        locations: list[Location],
        flax: bool,
        language: str,
        outputs: list[Location],
    ) -> list[nodes.Node]:
        """The panes side by side (one pane: a plain block), then their tests.

        ``outputs`` locates each pane's expected output (``.. output::``).
        """
        highlights = self.highlights(panes, flax, runs_as_python(language))
        pads = self.paddings(panes)
        shown_titles: list[Title | None] = list(titles) or [None] * len(panes)
        if len(panes) == 1:
            shown: nodes.Element = self.single_node(
                panes[0], shown_titles[0], highlights[0], language
            )
        else:
            shown = nodes.container("", classes=["codediff"])
            for pane, title, changed, pad in zip(
                panes, shown_titles, highlights, pads, strict=True
            ):
                shown += self.pane_node(pane, title, changed, pad, language)
        tests = self.test_nodes(panes, titles, language, locations, flax, outputs)
        return [shown, *tests]

    # -- options ------------------------------------------------------------

    def flax_two_titles(self) -> bool:
        """Whether this directive is tested as Flax's two-title directive was.

        With ``codediff_flax_compat = True`` in conf.py, inline content with
        ``:title_left:``/``:title_right:`` and no ``:groups:`` runs only its
        right pane, in group ``default``, and gets no automatic emphasis.
        """
        return (
            bool(self.config.codediff_flax_compat)
            and "title_left" in self.options
            and "title_right" in self.options
            and "groups" not in self.options
        )

    def titles(self) -> list[Title]:
        """The panes' titles (:func:`codediff.titles.read_titles`)."""
        return read_titles(self.options, self.title)

    def title(self, raw: str) -> Title:
        """A title's inline markup (:func:`codediff.titles.parse_title`)."""
        return parse_title(
            self.state, self.lineno, raw, lambda problem: self.warn(problem, "title")
        )

    def language(self) -> str:
        language = self.options.get("language", "python").strip() or "python"
        name = language.lower()  # Pygments looks names up case-insensitively
        if name in SPHINX_ONLY_LANGUAGES:
            return name
        try:
            get_lexer_by_name(name)
        except ClassNotFound:
            self.warn(
                f"unknown :language: {language!r}; shown without highlighting",
                "language",
            )
            return "none"
        return name

    def highlights(
        self, panes: list[Pane], flax: bool, python: bool
    ) -> list[tuple[int, ...]]:
        """The lines to emphasize: ``#!`` markers, else the automatic diff.

        ``:autodiff:`` forces the whole diff on, ``:no_autodiff:`` off;
        otherwise ``codediff_autodiff`` decides (and Flax's two-title form has
        none), and a pane less similar than ``codediff_autodiff_min_similarity``
        to its neighbour gets only its most-changed lines, at most
        ``codediff_autodiff_max_share`` of them, which a message at verbose
        level (``-v``) says: it is a choice, not a mistake. The automatic diff
        never marks blank lines nor, in Python, comment-only or docstring lines.
        """
        forced, off = "autodiff" in self.options, "no_autodiff" in self.options
        if forced and off:
            self.warn("give :autodiff: or :no_autodiff:, not both", "autodiff")
        if off:
            return changed_lines(panes, auto=False)
        if forced:
            return changed_lines(panes, auto=True, python=python)
        auto = bool(self.config.codediff_autodiff) and not flax
        threshold = float(self.config.codediff_autodiff_min_similarity)
        share = float(self.config.codediff_autodiff_max_share)
        if auto and len(panes) > 1 and not any(pane.marked for pane in panes):
            least = least_similarity(panes)
            if least < threshold:
                logger.verbose(
                    "codediff: the panes share little (similarity %.2f, below "
                    "codediff_autodiff_min_similarity = %s), so only the "
                    "most-changed lines are emphasized (at most %.0f%% of a pane); "
                    "mark lines with #! or force the whole diff with :autodiff:",
                    least,
                    threshold,
                    100 * share,
                    location=(self.env.docname, self.lineno),
                )
        return changed_lines(
            panes, auto=auto, min_similarity=threshold, python=python, max_share=share
        )

    def groups(
        self, panes: list[Pane], titles: list[Title], flax: bool
    ) -> list[list[str]] | None:
        """The doctest groups of each pane.

        One pane runs in every group that ``:groups:`` lists (as for
        ``.. testcode:: A, B``); with several panes, ``:groups:`` names one
        group per pane. The default group is the title's (its plain text
        without commas), else ``default``. With ``codediff_flax_compat``, it
        is the title as written, as in Flax (``Using ``setup````), and Flax's
        two-title form runs only its right pane, in ``default``.
        """
        if "groups" not in self.options:
            if flax:
                return [[] for _ in panes[:-1]] + [["default"]]
            if titles and self.config.codediff_flax_compat:
                return [[title.raw] for title in titles]
            named = [[group_name(pane.title) or "default"] for pane in panes]
            for pane, pane_groups in zip(panes, named, strict=True):
                problem = (
                    special_group(pane.title, pane_groups[0]) if pane.title else None
                )
                if problem is not None:
                    self.warn(problem, "groups")
                    pane_groups.clear()
            return named
        groups = option_names(self.options["groups"])
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
            rows = pane.rows or range(
                pane.first_line, pane.first_line + len(pane.lines)
            )
            index = mixed_indentation([raw[row] for row in rows if row < len(raw)])
            if index is not None:
                self.warn(
                    f"tabs mixed with spaces in the indentation of "
                    f"{describe(pane.title)} (its line {index + 1}); use spaces only",
                    "indentation",
                )

    def source_lines(self) -> list[tuple[str, int | None]]:
        """Each content line as written in its file, and its line number there
        (:func:`codediff.locate.content_lines`)."""
        source = str(self.get_source_info()[0])
        return content_lines(
            list(self.content), self.content.items, source, self.lineno
        )

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
        block = codediff_literal(pane.code, pane.code)
        block["language"] = language
        block["highlight_args"] = {"hl_lines": list(changed)} if changed else {}
        if pad:
            block["codediff_pad"] = {str(k): v for k, v in sorted(pad.items())}
        block.source, block.line = self.get_source_info()
        return block

    def pane_node(
        self,
        pane: Pane,
        title: Title | None,
        changed: tuple[int, ...],
        pad: dict[int, int],
        language: str,
    ) -> nodes.container:
        block = self.literal(pane, changed, language, pad)
        block["classes"].append("codediff-code")
        shown = self.captioned(block, title) if title else block
        pane_node = nodes.container("", shown)
        pane_node["classes"].append("codediff-pane")
        self.add_output(pane_node, pane)
        self.add_note(pane_node, changed)
        return pane_node

    def add_output(self, node: nodes.Element, pane: Pane) -> None:
        """The pane's expected output, captioned "Output", under its code.

        Classed ``output`` as well, like the site's ``testoutput`` blocks, so
        that copy buttons skip it: it is what the code prints, not code.
        """
        if not pane.output:
            return
        text = "\n".join(pane.output)
        block = nodes.literal_block(text, text, classes=["codediff-output", "output"])
        block["language"] = "none"
        self.set_source_info(block)
        node += self.captioned(
            block, Title("Output", "Output", (nodes.Text("Output"),))
        )

    def single_node(
        self, pane: Pane, title: Title | None, changed: tuple[int, ...], language: str
    ) -> nodes.container:
        """The one-pane form: a plain code block, captioned if titled."""
        block = self.literal(pane, changed, language, {})
        shown = self.captioned(block, title) if title else block
        single = nodes.container("", shown, classes=["codediff-single"])
        self.add_output(single, pane)
        self.add_note(single, changed)
        return single

    def add_note(self, node: nodes.Element, changed: tuple[int, ...]) -> None:
        """Names the emphasized lines for screen readers (hidden by the CSS)."""
        if changed:
            note = f"Changed lines: {format_ranges(changed)}."
            node += nodes.paragraph(note, note, classes=["codediff-changes"])

    def located_line(self, located: list[tuple[str, int | None]], pane: Pane) -> int:
        """The line of a pane's first code line, else the directive's."""
        return located[pane.first_line][1] or self.lineno

    def captioned(self, block: nodes.literal_block, title: Title) -> nodes.container:
        """A code block with a caption, as ``code-block:: :caption:`` makes."""
        wrapper = nodes.container(
            "", literal_block=True, classes=["literal-block-wrapper"]
        )
        caption = nodes.caption(title.text, "", *title.shown)
        self.set_source_info(wrapper)
        self.set_source_info(caption)
        wrapper += [caption, block]
        return wrapper

    def test_nodes(
        self,
        panes: list[Pane],
        titles: list[Title],
        language: str,
        locations: list[Location],
        flax: bool,
        outputs: list[Location],
    ) -> list[nodes.Node]:
        """One hidden ``testcode`` per pane, located where its code is written,
        followed by a ``testoutput`` for a pane with an ``.. output::`` part.

        For a pane drawn with ``:from:`` that is the Python file and the first
        line of the pane's first object, so a doctest failure names the file
        that holds the code. Panes in a language that is not Python are not
        tested (:func:`runs_as_python`). ``# doctest:`` flags in a pane's
        comments apply to its output; ``+SKIP`` skips the pane with a warning
        (:mod:`codediff.testnodes`).
        """
        groups = self.groups(panes, titles, flax)
        if groups is None or not runs_as_python(language):
            return []
        skipped = self.skipped([group for names in groups for group in names])
        tests: list[nodes.Node] = []
        for index, (pane, names, (source, line)) in enumerate(
            zip(panes, groups, locations, strict=True)
        ):
            flags = doctest_flags(pane.code)
            for problem in flag_problems(
                describe(pane.title),
                names[0] if names else "",
                flags,
                bool(pane.output),
            ):
                self.warn(problem, "doctest_flags")
            run_in = [group for group in names if group not in skipped]
            if not run_in or flags.skip:
                continue
            tests.append(self.test_node(pane.code, "testcode", run_in, source, line))
            if pane.output:
                text = "\n".join(pane.output)
                out_source, out_line = outputs[index]
                test = self.test_node(text, "testoutput", run_in, out_source, out_line)
                test["options"] = dict(flags.flags)
                tests.append(test)
        return tests

    @staticmethod
    def test_node(
        code: str, kind: str, groups: list[str], source: str, line: int
    ) -> codediff_test:
        test = codediff_test(code, code, testnodetype=kind, groups=groups)
        test.source = source
        test.line = line
        return test

    def skipped(self, groups: list[str]) -> set[str]:
        """The groups ``:skip_test:`` names (:func:`skipped_groups`)."""
        if "skip_test" not in self.options:
            return set()
        skipped, problems = skipped_groups(self.options["skip_test"], groups)
        for problem in problems:
            self.warn(problem, "skip_test")
        return skipped
