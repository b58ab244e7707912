"""What a pane's hidden test carries beyond its code: flags, groups, output.

``sphinx.ext.doctest`` runs a ``testcode`` as one piece of code and ignores
the ``# doctest:`` flags written in it (sphinx#13103), and gives the group
names ``default`` and ``*`` a meaning of their own. The checks here turn both
into warnings that name the fix, so that a pane never runs with other code,
or is skipped, silently. It also holds which panes run at all
(:func:`runs_as_python`) and which groups ``:skip_test:`` names
(:func:`skipped_groups`). Nothing here imports docutils or Sphinx.
"""

from __future__ import annotations

import doctest
import io
import re
import tokenize
from dataclasses import dataclass, field

from pygments.lexers import get_lexer_by_name
from pygments.lexers.python import PythonLexer
from pygments.util import ClassNotFound

from codediff.parsing import group_name

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


SPHINX_ONLY_LANGUAGES = {"default", "none"}
# Names Pygments highlights with its Python 3 lexer that are not Python.
NOT_PYTHON = {"sage", "bazel", "starlark"}


def runs_as_python(language: str) -> bool:
    """Whether panes in ``language`` are handed to doctest.

    The name is looked up as Pygments looks it up (case-insensitively), and the
    panes run when it resolves to Pygments' Python 3 lexer: ``python``,
    ``py``, ``python3``, ``py3``, ``pyi`` in any case, and Sphinx's
    ``default``. Not run: Python 2 (``python2``, ``py2``), console sessions
    (``pycon``: use ``doctest``), IPython (``ipython``, ``ipython3``: magics
    are not Python), the languages Pygments also highlights as Python (Sage,
    Bazel, Starlark), and everything else.
    """
    name = language.strip().lower()
    if name == "default":
        return True
    if name in NOT_PYTHON:
        return False
    try:
        return type(get_lexer_by_name(name)) is PythonLexer
    except ClassNotFound:
        return False


def names(value: str) -> list[str]:
    """A comma-separated option's names (``:groups:``, ``:skip_test:``)."""
    return [name.strip() for name in value.split(",") if name.strip()]


def skipped_groups(value: str, groups: list[str]) -> tuple[set[str], list[str]]:
    """The groups ``:skip_test: value`` names (all, if it names none), and
    warnings.

    A title with commas gives a group without them, but ``:skip_test:``
    splits at commas; naming such a title as written is a warning that gives
    the group's name, and skips the pane meanwhile.
    """
    listed = names(value)
    if not listed:  # a bare :skip_test: skips every pane
        return set(groups), []
    known = set(groups)
    skipped = {name for name in listed if name in known}
    unknown: list[str] = []
    problems = []
    index = 0
    while index < len(listed):
        rejoined = _rejoined(listed, index, known)
        if rejoined is None:
            if listed[index] not in known:
                unknown.append(listed[index])
            index += 1
            continue
        end, group = rejoined
        problems.append(
            f":skip_test: {value.strip()!r} is split at its commas, so it "
            f"names {listed[index:end]!r}; the group of the title with commas "
            f"is {group!r} (a title's group leaves its commas out): write "
            f"':skip_test: {group}'. The pane is not tested"
        )
        skipped.add(group)
        index = end
    if unknown:
        problems.append(
            f":skip_test: names {unknown!r}, which is not among this "
            f"directive's groups {groups!r}"
        )
    return skipped, problems


def _rejoined(names: list[str], index: int, known: set[str]) -> tuple[int, str] | None:
    """A run of unknown names from ``index`` that, joined, is a group."""
    for end in range(len(names), index + 1, -1):
        run = names[index:end]
        if any(name in known for name in run):
            continue
        group = group_name(", ".join(run))
        if group in known:
            return end, group
    return None
