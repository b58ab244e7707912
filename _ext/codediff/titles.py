"""Panes' titles: read from the options, parsed as the page's inline markup.

A title is shown as its markup (``Using ``alpha````) in the pane's caption;
its plain text names the pane's doctest group (:func:`codediff.parsing.group_name`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from docutils import nodes
from docutils.utils import Reporter

from codediff.parsing import TITLES_NEEDED, CodeDiffError, split_titles, unescape


@dataclass(frozen=True)
class Title:
    """A pane's title: as written, as plain text, and as its caption shows it."""

    raw: str
    text: str
    shown: tuple[nodes.Node, ...]


@contextmanager
def _quiet(reporter: Any) -> Iterator[None]:
    """Keeps docutils from logging or raising while a title is parsed."""
    keys = ("report_level", "halt_level", "max_level")
    saved = {key: getattr(reporter, key) for key in keys if hasattr(reporter, key)}
    for key in ("report_level", "halt_level"):
        if key in saved:
            setattr(reporter, key, Reporter.SEVERE_LEVEL + 1)
    try:
        yield
    finally:
        for key, value in saved.items():
            setattr(reporter, key, value)


def read_titles(options: dict[str, Any], parse: Callable[[str], Title]) -> list[Title]:
    """The panes' titles; none at all is the untitled one-pane form.

    ``:title:`` is split at commas; ``\\,`` writes a comma into a title.
    """
    pair = [options.get(key) for key in ("title_left", "title_right")]
    if "title" in options:
        if any(title is not None for title in pair):
            raise CodeDiffError("use either :title: or :title_left:/:title_right:")
        raw = split_titles(options["title"])
    elif all(title is not None for title in pair):
        raw = [title.strip() for title in pair if title is not None]
    elif any(title is not None for title in pair):
        raise CodeDiffError(TITLES_NEEDED)
    else:
        return []
    if any(not title for title in raw):
        raise CodeDiffError(f"empty title in {raw!r}")
    titles = [parse(title) for title in raw]
    if any(not title.text for title in titles):
        raise CodeDiffError(f"empty title in {raw!r}")
    return titles


def parse_title(
    state: Any, lineno: int, raw: str, warn: Callable[[str], None]
) -> Title:
    """A title's inline markup, parsed as the page's own markup.

    Markup that does not parse (``*x `y``) is a warning (``warn``), never an
    error: the title is then shown as plain text.
    """
    plain = unescape(raw).strip()
    try:
        with _quiet(state.document.reporter):
            parsed, messages = state.inline_text(raw, lineno)
    except Exception as error:  # noqa: BLE001 - a title never stops the page
        return _plain_title(raw, plain, str(error), warn)
    problems = [_message_text(message) for message in messages]
    for node in parsed:
        if isinstance(node, nodes.Element):
            problems += map(_message_text, node.findall(nodes.system_message))
    if not problems and any(
        isinstance(node, nodes.Element)
        and next(iter(node.findall(nodes.problematic)), None) is not None
        for node in parsed
    ):
        problems.append("problematic markup")
    problems = list(dict.fromkeys(problems))
    if problems:
        return _plain_title(raw, plain, "; ".join(problems), warn)
    text = " ".join("".join(node.astext() for node in parsed).split())
    return Title(raw, text, tuple(parsed))


def _plain_title(
    raw: str, plain: str, problem: str, warn: Callable[[str], None]
) -> Title:
    warn(
        f"the title {raw!r} has broken inline markup ({problem}); it is "
        "shown as plain text"
    )
    return Title(raw, plain, (nodes.Text(plain),))


def _message_text(message: nodes.Node) -> str:
    """A system message's own words, without its location prefix."""
    if isinstance(message, nodes.Element) and message.children:
        return message.children[0].astext()
    return message.astext()
