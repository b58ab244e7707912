"""Every page's code runs where a reader pastes it, and as the reader downloads it.

For each page and each doctest group on it, the text that the copy buttons of
the group's blocks give (read in a real browser, through sphinx-copybutton's
own function) is assembled in page order (``guide_site.tracks.scripts``, the
rules the build uses for the downloads). Where the page offers the group as a
track script (``_downloads/scripts/...``), the download must equal that text
byte for byte, and the download itself is what runs; other groups (a
warning's failing example) and the scripts that end in an expected error run
from the pasted text. Each runs from ``_build/copytest/`` in one clean virtual
environment that holds only the package's runtime libraries, where
``import lr_scheduling`` fails, and must print what the page's output blocks
show. A notebook page (MyST-NB) is one group: its code cells, whose printed
outputs myst-nb recorded when it ran them.

A page that imports the package must say so at its top (an admonition with the
class ``uses-package``); its scripts run with the wheel that the site offers
installed instead.
"""

from __future__ import annotations

import doctest
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docutils import nodes
from guide_site.tracks import (
    NOTEBOOK_GROUP,
    Block,
    Script,
    doctest_blocks,
    notebook_blocks,
    script_path,
    scripts,
    tracks,
)
from run_scripts import jax_cache_env
from sitetools import BUILD, load_doctree, run_doctest, site_pages, site_snapshot

COPYTEST = BUILD / "copytest"
IMPORTS_PACKAGE = re.compile(r"^\s*(from|import)\s+lr_scheduling\b", re.MULTILINE)
# What sphinx.ext.doctest compares with by default (sphinx.ext.doctest.setup).
OPTIONS = (
    doctest.ELLIPSIS | doctest.IGNORE_EXCEPTION_DETAIL | doctest.DONT_ACCEPT_TRUE_FOR_1
)


def attach_copy_texts(blocks: list[Block], buttons: list[dict]) -> None:
    """Pairs each visible block with the next copy button showing its text."""
    position = 0
    for block in blocks:
        if not block.visible or block.kind == "testoutput":
            continue
        for index in range(position, len(buttons)):
            if buttons[index]["shown"].strip("\n") == block.text.strip("\n"):
                block.copy, position = buttons[index]["copied"], index + 1
                break
        else:
            raise AssertionError(f"no copy button shows this block:\n{block.text}")


@pytest.fixture(scope="module")
def jax_cache() -> dict[str, str]:
    """The persistent JAX compilation cache that ``make doctest`` filled: a
    script compiles what its page's doctests compiled, so it loads those
    executables instead (the same jax, the same programs: the same keys). This
    halves the scripts' time; what they print is unchanged. Whether the
    doctests passed is ``tests/site/test_doctest.py``'s to say."""
    run_doctest()
    return jax_cache_env(BUILD / "jax_cache")


def run_script(path: Path, python: Path, extra_path: Path | None, cache: dict):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env |= {"JAX_PLATFORMS": "cpu", **cache}
    if extra_path is not None:
        env["PYTHONPATH"] = str(extra_path)
    return subprocess.run(
        [str(python), "-I" if extra_path is None else "-s", path.name],
        cwd=path.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def run_and_check(
    script: Script, path: Path, python: Path, extra_path: Path | None, cache: dict
) -> str | None:
    """Runs the file at ``path`` (``script``'s code); returns what went wrong."""
    done = run_script(path, python, extra_path, cache)
    want = "".join(text.rstrip("\n") + "\n" for text in script.output)
    printed = check_output(want, done.stdout)
    if script.exception is None:
        ok = done.returncode == 0 and printed
    else:
        # A traceback may add notes after the exception's own line.
        raised = script.exception in done.stderr.splitlines()
        ok = done.returncode != 0 and printed and raised
    if ok:
        return None
    return (
        f"{path.name}: exit {done.returncode}, expected "
        f"{script.exception or 'success'}\n--- page shows:\n{want}"
        f"--- printed:\n{done.stdout}--- stderr (tail):\n{done.stderr[-3000:]}"
    )


DOWNLOAD_LINK = re.compile(r'<a class="track-download\b[^>]*\bhref="([^"]+)"')


def downloads(root: Path, page: str) -> dict[str, Path]:
    """The track scripts the page links, by the path they are served at."""
    html = root / f"{page}.html"
    links = DOWNLOAD_LINK.findall(html.read_text(encoding="utf-8"))
    return {
        (html.parent / href).resolve().relative_to(root / "_downloads").as_posix(): (
            html.parent / href
        ).resolve()
        for href in links
    }


def check_output(want: str, got: str) -> bool:
    return doctest.OutputChecker().check_output(want, got, OPTIONS)


@pytest.mark.parametrize("page", site_pages())
def test_page_runs_where_it_is_pasted(
    page, site, copies, reader_python, package_path, jax_cache
):
    """Each track's download is what the copy buttons give, and runs as shown.

    Every track of a how-to is offered as a download; the groups that are not
    tracks (a warning's failing example) and the scripts that end in an
    expected error are pasted from the copy buttons and run as before. The
    html and doctrees read are those of the site served (``site_snapshot``).
    """
    doctree = load_doctree(page, site_snapshot()[1])
    blocks = doctest_blocks(doctree) + notebook_blocks(doctree)
    attach_copy_texts(blocks, copies[f"{page}.html"])
    uses_package = any(
        "uses-package" in n["classes"] for n in doctree.findall(nodes.Element)
    )
    importing = [b.copy for b in blocks if b.copy and IMPORTS_PACKAGE.search(b.copy)]
    if not uses_package:
        assert not importing, (
            f"{page}: blocks import lr_scheduling:\n" + "\n---\n".join(importing)
        )
    offered = downloads(site.root, page)
    # A notebook page offers its .ipynb (the theme's download button) instead.
    offered_tracks = [g for g in tracks(blocks) if g != NOTEBOOK_GROUP]
    expected = {script_path(page, group) for group in offered_tracks}
    if page.startswith("howtos/"):
        assert set(offered) == expected, (page, sorted(offered), sorted(expected))
    else:
        assert set(offered) <= expected, (page, sorted(offered), sorted(expected))
    failures = []
    for group, group_scripts in scripts(blocks).items():
        for number, script in enumerate(group_scripts):
            if not script.code:
                continue
            suffix = f"--raises-{number}" if number else ""
            path = COPYTEST / f"{page.replace('/', '-')}--{slug(group)}{suffix}.py"
            path.parent.mkdir(parents=True, exist_ok=True)
            served = offered.get(script_path(page, group)) if not number else None
            if served is not None:
                assert served.read_text(encoding="utf-8") == script.text(), path.name
                shutil.copyfile(served, path)  # the download itself, byte for byte
            else:
                path.write_text(script.text(), encoding="utf-8")
            extra = package_path if uses_package else None
            failure = run_and_check(script, path, reader_python, extra, jax_cache)
            if failure:
                failures.append(failure)
    assert not failures, "\n\n".join(failures)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def test_clean_environment_has_no_package(reader_python):
    done = subprocess.run(
        [str(reader_python), "-I", "-c", "import lr_scheduling"],
        cwd=COPYTEST,
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert "No module named 'lr_scheduling'" in done.stderr


def test_wheel_environment_has_the_package(reader_python, package_path):
    done = subprocess.run(
        [
            str(reader_python),
            "-s",
            "-c",
            "import lr_scheduling; print(lr_scheduling.__file__)",
        ],
        cwd=COPYTEST,
        env={"PYTHONPATH": str(package_path), "PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(str(package_path))


def test_script_splitting_rules():
    """The script rules on a made-up page: groups, '*', outputs, expected errors."""
    blocks = [
        Block("testcode", ["a", "b"], "x = 1", True, "x = 1"),
        Block("testcode", ["*"], "print(x)", True, "print(x)"),
        Block("testoutput", ["a", "b"], "1", True),
        Block(
            "doctest", ["b"], ">>> x + 1\n2\n>>> print(x)\n1\n", True, "x + 1\nprint(x)"
        ),
        Block(
            "doctest",
            ["b"],
            ">>> 1/0\nTraceback (most recent call last):\n...\nZeroDivisionError: division by zero\n>>> print(2)\n2\n",
            True,
            "1/0\nprint(2)",
        ),
    ]
    result = scripts(blocks)
    assert [s.code for s in result["a"]] == [["x = 1", "print(x)"]]
    assert result["a"][0].output == ["1"]
    main, raising = result["b"]
    assert main.code == ["x = 1", "print(x)", "x + 1\n", "print(x)\n", "print(2)\n"]
    assert main.output == ["1", "1\n", "2\n"]  # the echo of ``x + 1`` is not printed
    assert main.exception is None
    assert raising.code == ["x = 1", "print(x)", "x + 1\n", "print(x)\n", "1/0\n"]
    assert raising.output == ["1", "1\n"]
    assert raising.exception == "ZeroDivisionError: division by zero"
