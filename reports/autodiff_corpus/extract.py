"""Remakes ``flax/`` from a clone of google/flax, as ``manifest.txt`` lists.

Usage::

    .venv/bin/python reports/autodiff_corpus/extract.py /path/to/flax

For every page of the manifest, the file is read at the listed commit
(``git show COMMIT:PATH``) and its ``.. codediff::`` directives (all, or the
first N) are written, verbatim and one after another, to ``flax/NAME.rst``.
The pages stay Flax's: the folder is not committed (see ``.gitignore``).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DIRECTIVE = re.compile(r"^(\s*)\.\.\s+codediff::\s*$")


def directive_blocks(text: str) -> list[tuple[int, str]]:
    """Every ``.. codediff::`` directive of an rST text, verbatim and dedented,
    with the 1-based line of its first line: the one scanner that both
    ``extract.py`` and ``measure.py`` use."""
    lines = text.splitlines()
    blocks, index = [], 0
    while index < len(lines):
        match = DIRECTIVE.match(lines[index])
        if not match:
            index += 1
            continue
        indent, start, block = len(match.group(1)), index + 1, [lines[index]]
        index += 1
        while index < len(lines) and (
            not lines[index].strip()
            or len(lines[index]) - len(lines[index].lstrip()) > indent
        ):
            block.append(lines[index])
            index += 1
        while block and not block[-1].strip():
            block.pop()
        width = len(block[0]) - len(block[0].lstrip())
        blocks.append((start, "\n".join(line[width:] for line in block)))
    return blocks


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    clone = Path(argv[0])
    out = HERE / "flax"
    out.mkdir(exist_ok=True)
    for row in (HERE / "manifest.txt").read_text().splitlines():
        if not row.strip() or row.startswith("#"):
            continue
        name, commit, path, taken = row.split()
        text = subprocess.run(
            ["git", "-C", str(clone), "show", f"{commit}:{path}"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        blocks = [block for _, block in directive_blocks(text)]
        if taken != "all":
            blocks = blocks[: int(taken)]
        (out / f"{name}.rst").write_text("\n\n".join(blocks) + "\n")
        print(f"{name}: {len(blocks)} directives")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
