"""Every page's code runs where a reader pastes it.

For each page and each doctest group on it, the text that the copy buttons of
the group's blocks give (read in a real browser, through sphinx-copybutton's
own function) is pasted in page order into ``_build/copytest/<page>--<group>.py``
and run in a clean virtual environment that holds only the package's runtime
libraries, where ``import lr_scheduling`` fails. The script must print what the
page's output blocks show. A notebook page (MyST-NB) is one group: its code
cells, whose printed outputs myst-nb recorded when it ran them.

A page that imports the package must say so at its top (an admonition with the
class ``uses-package``); its scripts run with the wheel that the site offers
installed instead.
"""

from __future__ import annotations

import ast
import doctest
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from docutils import nodes
from sitetools import REPO, load_doctree, site_pages

COPYTEST = REPO / "_build" / "copytest"
IMPORTS_PACKAGE = re.compile(r"^\s*(from|import)\s+lr_scheduling\b", re.MULTILINE)
# What sphinx.ext.doctest compares with by default (sphinx.ext.doctest.setup).
OPTIONS = (
    doctest.ELLIPSIS | doctest.IGNORE_EXCEPTION_DETAIL | doctest.DONT_ACCEPT_TRUE_FOR_1
)


@dataclass
class Block:
    """One block that sphinx.ext.doctest runs, as the page shows it."""

    kind: str  # testcode, doctest or testoutput
    groups: list[str]
    text: str  # as displayed (doctest blocks with their prompts)
    visible: bool
    copy: str | None = None  # what its copy button gives, once read


@dataclass
class Script:
    """Code to paste into one file, and what running it must print."""

    code: list[str] = field(default_factory=list)
    output: list[str] = field(default_factory=list)
    exception: str | None = None  # the last line of the traceback it must end with

    def raising(self, code: str, exception: str) -> Script:
        """This script so far, then ``code``, which must raise ``exception``."""
        return Script([*self.code, code], list(self.output), exception)


def doctest_blocks(doctree: nodes.document) -> list[Block]:
    """The blocks sphinx.ext.doctest collects, in page order.

    A codediff pane's test node is hidden (a comment), but the pane shows the
    same code, so it counts as visible; a ``testsetup`` or a hidden
    ``testcode`` does not, and a reader never gets it.
    """
    blocks = []
    for node in doctree.findall(
        lambda n: (
            isinstance(n, nodes.doctest_block)
            or (
                isinstance(n, nodes.literal_block | nodes.comment)
                and "testnodetype" in n
            )
        )
    ):
        kind = node.get("testnodetype", "doctest")
        groups = node.get("groups", ["default"])
        codediff_pane = type(node).__name__ == "codediff_test"
        visible = isinstance(node, nodes.literal_block | nodes.doctest_block)
        blocks.append(Block(kind, groups, node.astext(), visible or codediff_pane))
    return blocks


NOTEBOOK_GROUP = "notebook"


def notebook_blocks(doctree: nodes.document) -> list[Block]:
    """A MyST-NB page's code cells and printed outputs, as one group's blocks.

    myst-nb executed the cells at build time; their stream outputs are what a
    reader's script, the cells pasted in order, must print.
    """
    blocks = []
    for node in doctree.findall(nodes.literal_block):
        where = node.parent.get("nb_element")
        if where == "cell_code_source":
            blocks.append(Block("testcode", [NOTEBOOK_GROUP], node.astext(), True))
        elif where == "cell_code_output" and "stream" in node["classes"]:
            blocks.append(Block("testoutput", [NOTEBOOK_GROUP], node.astext(), True))
    return blocks


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


def scripts(blocks: list[Block]) -> dict[str, list[Script]]:
    """Each group's scripts: the group's code pasted in page order.

    An example whose output is a traceback is left out of the group's main
    script (a reader who pastes it stops there) and gets a script of its own:
    everything before it, then the example, which must raise as shown.
    """
    names = sorted({g for b in blocks for g in b.groups if g != "*"})
    main = {name: Script() for name in names}
    extra: dict[str, list[Script]] = {name: [] for name in names}
    for block in blocks:
        for name in names if "*" in block.groups else block.groups:
            script = main[name]
            if block.kind == "testoutput":
                script.output.append(block.text)
            elif block.copy is not None and block.kind != "doctest":
                script.code.append(block.copy)
            elif block.copy is not None:
                examples = doctest.DocTestParser().get_examples(block.text)
                pasted = "".join(example.source for example in examples)
                assert block.copy.strip() == pasted.strip(), (block.copy, pasted)
                for example in examples:
                    if example.exc_msg is not None:
                        last = example.exc_msg.strip().splitlines()[-1]
                        extra[name].append(script.raising(example.source, last))
                        continue
                    script.code.append(example.source)
                    if example.want and not echoes(example.source):
                        script.output.append(example.want)
    return {name: [main[name], *extra[name]] for name in names}


def echoes(source: str) -> bool:
    """Whether an example's shown output is a prompt's echo of its value.

    A bare expression (other than a ``print(...)`` call) shows its value only
    at a prompt; run as a script it prints nothing, so its shown value is not
    part of what the script must print (``make doctest`` checks that value).
    """
    body = ast.parse(source).body
    if len(body) != 1 or not isinstance(body[0], ast.Expr):
        return False
    call = body[0].value
    is_print = isinstance(call, ast.Call) and getattr(call.func, "id", "") == "print"
    return not is_print


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def run_script(path: Path, python: Path, extra_path: Path | None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["JAX_PLATFORMS"] = "cpu"
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
    script: Script, path: Path, python: Path, extra_path: Path | None
) -> str | None:
    """Writes and runs one script; returns what went wrong, if anything."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n\n".join(part.rstrip("\n") for part in script.code) + "\n")
    done = run_script(path, python, extra_path)
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


def check_output(want: str, got: str) -> bool:
    return doctest.OutputChecker().check_output(want, got, OPTIONS)


@pytest.mark.parametrize("page", site_pages())
def test_page_runs_where_it_is_pasted(page, copies, reader_python, package_path):
    doctree = load_doctree(page)
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
    failures = []
    for group, group_scripts in scripts(blocks).items():
        for number, script in enumerate(group_scripts):
            if not script.code:
                continue
            suffix = f"--raises-{number}" if number else ""
            name = f"{page.replace('/', '-')}--{slug(group)}{suffix}.py"
            failure = run_and_check(
                script,
                COPYTEST / name,
                reader_python,
                package_path if uses_package else None,
            )
            if failure:
                failures.append(failure)
    assert not failures, "\n\n".join(failures)


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
