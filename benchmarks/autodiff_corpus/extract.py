"""Remakes ``flax/`` from a clone of google/flax, as ``manifest.txt`` lists.

Usage::

    .venv/bin/python benchmarks/autodiff_corpus/extract.py /path/to/flax

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


def directive_blocks(text: str) -> list[str]:
    lines = text.splitlines()
    blocks, index = [], 0
    while index < len(lines):
        match = DIRECTIVE.match(lines[index])
        if not match:
            index += 1
            continue
        indent, block = len(match.group(1)), [lines[index]]
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
        blocks.append("\n".join(line[width:] for line in block))
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
        blocks = directive_blocks(text)
        if taken != "all":
            blocks = blocks[: int(taken)]
        (out / f"{name}.rst").write_text("\n\n".join(blocks) + "\n")
        print(f"{name}: {len(blocks)} directives")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
