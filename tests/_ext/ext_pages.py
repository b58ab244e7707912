"""Pages for the extension tests: codediff directives from their options and
panes, and a Sphinx build in a process of its own."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

EXT = Path(__file__).resolve().parents[2] / "_ext"

# Two versions of three lines, one changed: close enough for emphasis.
CLOSE = ("a = 1\nb = 2\nc = 3", "a = 1\nb = 20\nc = 3")


def codediff(panes: tuple[str, ...], *options: str) -> str:
    """A ``.. codediff::`` block with ``options`` (``":autodiff:"``, ...)."""
    body = "\n---\n".join(panes)
    head = "".join(f"   {option}\n" for option in options)
    return f".. codediff::\n{head}\n{textwrap.indent(body, '   ')}\n"


NOTEBOOK_HEADER = """\
---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  name: python3
  display_name: Python 3
---

# A notebook

"""


def notebook(code: str) -> str:
    """A MyST-NB notebook page of one code cell holding ``code``."""
    return f"{NOTEBOOK_HEADER}```{{code-cell}} ipython3\n{code}\n```\n"


def page(title: str, *blocks: str) -> str:
    return f"{title}\n{'=' * len(title)}\n\n" + "\n".join(blocks)


def build_in_new_process(project: Path, *options: str, path: tuple = ()) -> str:
    """``python -m sphinx -b html`` of ``project`` into ``project/_build/html``,
    with ``_ext`` and ``path`` importable; the build's log. A notebook's kernel
    is a process of its own too, so these builds see what a reader's would."""
    env = {k: v for k, v in os.environ.items() if k != "JUPYTER_PATH"}
    env["PYTHONPATH"] = os.pathsep.join(
        [*map(str, path), str(EXT), env.get("PYTHONPATH", "")]
    )
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "--no-color", "-b", "html", *options]
        + [str(project), str(project / "_build" / "html")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr
