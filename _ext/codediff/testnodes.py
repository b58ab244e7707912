"""What a pane's hidden test carries beyond its code: flags, groups, output.

``sphinx.ext.doctest`` runs a ``testcode`` as one piece of code and ignores
the ``# doctest:`` flags written in it (sphinx#13103), and gives the group
names ``default`` and ``*`` a meaning of their own. The checks here turn both
into warnings that name the fix, so that a pane never runs with other code,
or is skipped, silently. Nothing here imports docutils or Sphinx.
"""

from __future__ import annotations

import doctest
import io
import re
import tokenize
from dataclasses import dataclass, field

# doctest's own pattern for an option comment (doctest._OPTION_DIRECTIVE_RE).
FLAGS_COMMENT = re.compile(r"#\s*doctest:\s*([^\n'\"]*)$")
SPECIAL_GROUPS = {
    "default": "the group of every plain testcode and doctest block of the page",
    "*": "doctest's name for every group of the page",
}


@dataclass
class PaneFlags:
    """The doctest flags written in a pane's comments."""

    flags: dict[int, bool] = field(default_factory=dict)
    line: int = 0  # 1-based line of the pane of the first flag comment
    unknown: list[str] = field(default_factory=list)

    @property
    def skip(self) -> bool:
        return self.flags.get(doctest.SKIP, False)


def doctest_flags(code: str) -> PaneFlags:
    """The ``# doctest: +FLAG`` comments of Python code, as comment tokens.

    A flag in a string is not read. Code that does not tokenize has none.
    """
    found = PaneFlags()
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code + "\n").readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return found
    for token in tokens:
        if token.type != tokenize.COMMENT:
            continue
        match = FLAGS_COMMENT.search(token.string)
        if not match:
            continue
        found.line = found.line or token.start[0]
        for option in match.group(1).replace(",", " ").split():
            name = option[1:]
            if option[:1] not in "+-" or name not in doctest.OPTIONFLAGS_BY_NAME:
                found.unknown.append(option)
                continue
            found.flags[doctest.OPTIONFLAGS_BY_NAME[name]] = option[0] == "+"
    return found


def flag_problems(
    pane: str, group: str, flags: PaneFlags, has_output: bool
) -> list[str]:
    """Warnings for the flags of one pane (``pane``: how messages name it).

    ``+SKIP`` skips the whole pane (a pane is one test), so the warning points
    to ``:skip_test:``, which says so. Other flags apply to the pane's
    expected output (``.. output::``); without one they do nothing.
    """
    where = f"{pane} has '# doctest:' flags (its line {flags.line})"
    problems = []
    if flags.unknown:
        problems.append(f"{where}: unknown flag(s) {flags.unknown!r}")
    if flags.skip:
        problems.append(
            f"{where}: +SKIP. A pane runs as one testcode, which ignores doctest "
            f"flags, so the whole pane is skipped; say so with ':skip_test: "
            f"{group}' and drop the flag"
        )
    others = [flag for flag in flags.flags if flag != doctest.SKIP]
    if others and not has_output:
        names = sorted(
            name
            for name, value in doctest.OPTIONFLAGS_BY_NAME.items()
            if value in others
        )
        problems.append(
            f"{where}: {names!r} compare output, and the pane has no "
            "'.. output::' part, so they do nothing"
        )
    return problems


def special_group(title: str, group: str) -> str | None:
    """A warning when a title's group is one of doctest's special names."""
    meaning = SPECIAL_GROUPS.get(group)
    if meaning is None:
        return None
    return (
        f"the title {title!r} gives the doctest group {group!r}, {meaning}, so "
        "the pane would run with their code; the pane is not tested. Name the "
        "panes' groups with :groups: (one per pane), or retitle it"
    )
