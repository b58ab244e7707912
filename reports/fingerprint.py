"""Fingerprints of the code and pins that produced a generated page.

A generated page (``docs/results.rst``, ``docs/benchmarks.rst``) records,
in an rST comment that readers never see, the files it was made from and a
hash of each::

    .. fingerprint: 1f0c2a9d3b4e5f60
       inputs: reports/results/*.py requirements.txt
       reports/results/page.py 9a8b7c6d5e4f3a2b
       requirements.txt 0a1b2c3d4e5f6a7b

``inputs`` are glob patterns relative to the repository root; the first
line's digest covers every file's path and hash. ``python -m
reports.fingerprint`` (``make results-check``) recomputes the record of
every page under ``docs/`` that has one and fails, naming the page and the
files that changed, appeared or went, when a page is stale. It trains
nothing and reads no timing: a page is stale when its code changed, not
when its numbers would.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["comment", "file_hashes", "fingerprint", "parse", "stale_files"]

HEAD = ".. fingerprint: "
_LINE = re.compile(r"^\.\. fingerprint: (?P<digest>[0-9a-f]{16})\n((?:   .*\n)+)", re.M)


def file_hashes(root: Path, patterns: Sequence[str]) -> dict[str, str]:
    """``{path: first 16 hex digits of its SHA-256}`` for every file the globs match.

    Paths are POSIX, relative to ``root``, sorted; ``__pycache__`` is skipped.

    Example:
      >>> import tempfile
      >>> root = Path(tempfile.mkdtemp())
      >>> _ = (root / "a.py").write_text("x = 1\\n")
      >>> file_hashes(root, ["*.py"])
      {'a.py': '9e26bf369911c45c'}
    """
    found = {
        path
        for pattern in patterns
        for path in root.glob(pattern)
        if path.is_file() and "__pycache__" not in path.parts
    }
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(
            path.read_bytes()
        ).hexdigest()[:16]
        for path in sorted(found)
    }


def fingerprint(hashes: dict[str, str]) -> str:
    """16 hex digits over every ``path hash`` pair, in sorted order."""
    text = "".join(f"{path} {digest}\n" for path, digest in sorted(hashes.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def comment(root: Path, patterns: Sequence[str]) -> str:
    """The page's fingerprint comment, as shown in the module docstring."""
    hashes = file_hashes(root, patterns)
    lines = [f"{HEAD}{fingerprint(hashes)}", f"   inputs: {' '.join(patterns)}"]
    lines += [f"   {path} {digest}" for path, digest in hashes.items()]
    return "\n".join(lines) + "\n"


def parse(text: str) -> tuple[str, list[str], dict[str, str]] | None:
    """``(digest, patterns, hashes)`` of a page's fingerprint comment, or None."""
    match = _LINE.search(text)
    if match is None:
        return None
    body = [line.strip() for line in match.group(2).splitlines()]
    if not body or not body[0].startswith("inputs: "):
        return None
    patterns = body[0].removeprefix("inputs: ").split()
    hashes = dict(line.split(" ", 1) for line in body[1:])
    return match.group("digest"), patterns, hashes


def stale_files(root: Path, page: Path) -> list[str] | None:
    """The files that changed, appeared or went since ``page`` was written.

    Returns ``None`` for a page without a fingerprint, ``[]`` for a fresh
    one; each entry reads ``"path (changed)"``, ``"(new)"`` or ``"(gone)"``.
    """
    record = parse(page.read_text(encoding="utf-8"))
    if record is None:
        return None
    _, patterns, old = record
    new = file_hashes(root, patterns)
    changes = []
    for path in sorted(old.keys() | new.keys()):
        if path not in new:
            changes.append(f"{path} (gone)")
        elif path not in old:
            changes.append(f"{path} (new)")
        elif old[path] != new[path]:
            changes.append(f"{path} (changed)")
    return changes


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m reports.fingerprint [--root DIR] [PAGE ...]``: 1 if a page is stale.

    Without pages, checks every ``docs/*.rst`` that records a fingerprint.
    """
    parser = argparse.ArgumentParser(
        prog="python -m reports.fingerprint", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--root", default=".", help="the repository root")
    parser.add_argument("pages", nargs="*", help="pages to check (default docs/*.rst)")
    args = parser.parse_args(argv)
    root = Path(args.root)
    pages = [Path(p) for p in args.pages] or sorted((root / "docs").glob("*.rst"))
    status, checked = 0, 0
    for page in pages:
        changes = stale_files(root, page)
        if changes is None:
            continue
        checked += 1
        if changes:
            status = 1
            print(
                f"{page} is stale: its code changed since it was generated "
                f"({', '.join(changes)}); regenerate it (make results / make bench)",
                file=sys.stderr,
            )
    if status == 0:
        print(f"{checked} generated page(s) match their code", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
