"""How codediff's automatic emphasis behaves on real directives.

Usage::

    .venv/bin/python reports/autodiff_corpus/measure.py [PATH ...]

Each PATH is an rST file or a folder searched for ``*.rst``; the default is
``reports/autodiff_corpus/flax/`` (see README.md for what it holds and how
to remake it from a Flax checkout). Every ``.. codediff::`` directive with
inline content is split into panes exactly as codediff does
(:func:`codediff.parsing.parse`), and for a range of thresholds of
``codediff_autodiff_min_similarity`` (at the default
``codediff_autodiff_max_share``), then for a range of shares (at the default
threshold), it reports:

- on directives whose authors marked lines with ``#!`` ("marked"): the recall
  of the markers, the share of marked lines that the automatic diff would
  also emphasize (on the same panes, markers removed), and its precision, on
  all panes and on the panes that hold a marker (authors often mark only the
  new version, while the automatic diff emphasizes both);
- on directives without markers ("unmarked"), whose emphasis is the automatic
  one: the share of flooded panes (more than half of the pane's lines
  emphasized), of panes emphasized entirely, the median share of emphasized
  lines per pane, and how many directives the threshold leaves unemphasized.

Threshold 0 is the rule before the threshold existed (every changed line);
share 0 is the rule before the share existed (nothing below the threshold).
Lines are the lines a pane shows (blank lines included).
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
from dataclasses import dataclass, replace
from pathlib import Path

from codediff.parsing import (
    AUTODIFF_MAX_SHARE,
    AUTODIFF_MIN_SIMILARITY,
    CodeDiffError,
    Pane,
    changed_lines,
    parse,
    split_titles,
)

HERE = Path(__file__).resolve().parent
# Run as a script, the repository root is not on the path: put it there.
sys.path.insert(0, str(HERE.parents[1]))
from reports.autodiff_corpus.extract import directive_blocks  # noqa: E402

OPTION = re.compile(r"^:([\w-]+):(?:\s+(.*))?$")
FLOOD = 0.5
THRESHOLDS = (0.0, 0.3, 0.4, 0.5, 0.6, 0.7)
SHARES = (0.0, 0.25, AUTODIFF_MAX_SHARE, 0.4, 0.5)


@dataclass(frozen=True)
class Directive:
    source: str
    line: int
    panes: tuple[Pane, ...]

    @property
    def marked(self) -> bool:
        return any(pane.marked for pane in self.panes)


def directives_in(path: Path) -> list[Directive]:
    """The inline-content codediff directives of an rST file, parsed."""
    return [
        directive
        for line, block in directive_blocks(path.read_text())
        if (directive := read_directive(block.splitlines()[1:], str(path), line))
    ]


def read_directive(body: list[str], source: str, line: int) -> Directive | None:
    while body and not body[-1].strip():
        body.pop()
    width = min((len(t) - len(t.lstrip()) for t in body if t.strip()), default=0)
    body = [text[width:] for text in body]
    options: dict[str, str] = {}
    position = 0
    while position < len(body) and (option := OPTION.match(body[position])):
        options[option.group(1)] = option.group(2) or ""
        position += 1
    content = body[position:]
    if "from" in options or not any(text.strip() for text in content):
        return None
    if "title" in options:
        titles = split_titles(options["title"])
    else:
        titles = [options.get("title_left", ""), options.get("title_right", "")]
    try:
        panes = parse(content, titles, options.get("code_sep", "---"), python=True)
    except CodeDiffError as error:
        print(f"{source}:{line}: skipped: {error}", file=sys.stderr)
        return None
    return Directive(source, line, tuple(panes))


def automatic(
    directive: Directive, threshold: float, share: float = AUTODIFF_MAX_SHARE
) -> list[tuple[int, ...]]:
    """What codediff's automatic emphasis marks, markers ignored: the lines
    that differ, less blank, comment-only and docstring lines; in a pane less
    similar than ``threshold`` to its neighbour, its most-changed lines, at
    most ``share`` of them."""
    panes = [replace(pane, marked=()) for pane in directive.panes]
    return changed_lines(panes, min_similarity=threshold, python=True, max_share=share)


def measure(
    directives: list[Directive], threshold: float, share: float = AUTODIFF_MAX_SHARE
) -> dict[str, float]:
    marked = [d for d in directives if d.marked]
    unmarked = [d for d in directives if not d.marked]
    hits = total_marked = total_auto = on_marked_panes = 0
    for directive in marked:
        for pane, auto in zip(
            directive.panes, automatic(directive, threshold, share), strict=True
        ):
            hits += len(set(pane.marked) & set(auto))
            total_marked += len(pane.marked)
            total_auto += len(auto)
            on_marked_panes += len(auto) if pane.marked else 0
    shares: list[float] = []  # per unmarked pane, the share emphasized
    restrained = 0
    for directive in unmarked:
        emphasized = automatic(directive, threshold, share)
        restrained += not any(emphasized)
        shares += [
            len(auto) / len(pane.lines)
            for pane, auto in zip(directive.panes, emphasized, strict=True)
        ]
    return {
        "recall": hits / total_marked if total_marked else 0.0,
        "precision": hits / total_auto if total_auto else 0.0,
        "marked_precision": hits / on_marked_panes if on_marked_panes else 0.0,
        "flooded": sum(part > FLOOD for part in shares) / max(len(shares), 1),
        "entire": sum(part == 1.0 for part in shares) / max(len(shares), 1),
        "median": statistics.median(shares) if shares else 0.0,
        "restrained": restrained,
    }


HEADER = (
    " | marked: recall  precision  on marked panes "
    "| unmarked: flooded  entire  median share  unemphasized directives"
)


def row(label: str, figures: dict[str, float], unmarked: int, note: str) -> str:
    return (
        f"{label:>14} | {figures['recall']:14.0%} {figures['precision']:10.0%} "
        f"{figures['marked_precision']:16.0%} "
        f"| {figures['flooded']:17.0%} {figures['entire']:7.0%} "
        f"{figures['median']:13.0%} {figures['restrained']:11.0f} of {unmarked}{note}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, default=[HERE / "flax"])
    args = parser.parse_args(argv)
    files = sorted(
        file
        for path in args.paths
        for file in ([path] if path.is_file() else path.rglob("*.rst"))
    )
    directives = [d for file in files for d in directives_in(file)]
    if not directives:
        print("no codediff directives found", file=sys.stderr)
        return 1
    marked = [d for d in directives if d.marked]
    unmarked = len(directives) - len(marked)
    print(
        f"{len(files)} pages, {len(directives)} directives: {len(marked)} marked "
        f"({sum(len(d.panes) for d in marked)} panes, "
        f"{sum(len(p.marked) for d in marked for p in d.panes)} marked lines), "
        f"{unmarked} unmarked "
        f"({sum(len(d.panes) for d in directives if not d.marked)} panes)"
    )
    print(f"\nmax_share = {AUTODIFF_MAX_SHARE:.2f} (default)")
    print("min_similarity" + HEADER)
    for threshold in THRESHOLDS:
        note = "  (default)" if threshold == AUTODIFF_MIN_SIMILARITY else ""
        note += "  (whole diff)" if threshold == 0 else ""
        figures = measure(directives, threshold, AUTODIFF_MAX_SHARE)
        print(row(f"{threshold:.1f}", figures, unmarked, note))
    print(f"\nmin_similarity = {AUTODIFF_MIN_SIMILARITY:.1f} (default)")
    print("     max_share" + HEADER)
    for share in SHARES:
        note = "  (default)" if share == AUTODIFF_MAX_SHARE else ""
        note += "  (before: nothing below the threshold)" if share == 0 else ""
        figures = measure(directives, AUTODIFF_MIN_SIMILARITY, share)
        print(row(f"{share:.2f}", figures, unmarked, note))
    return 0


if __name__ == "__main__":
    sys.exit(main())
