"""The kernel that runs the notebook pages, quiet about its transport.

ipykernel warns each time it starts that it talks over TCP without
encryption. In a build it serves myst-nb on 127.0.0.1 for as long as one
notebook runs, and myst-nb (through jupyter-cache and nbclient) gives no way
to choose the IPC transport or to pass CurveZMQ keys; the warning is not the
reader's business. So the build runs notebooks with a kernel spec of its own,
named ``python3`` as the pages ask: the same kernel in the same Python
(jupyter_client puts ``sys.executable`` for a spec's ``python``), logging
errors only. It is written beside the doctrees (``<doctreedir>/jupyter``) and
found first through ``JUPYTER_PATH``; nothing is installed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config

KERNEL_NAME = "python3"
SPEC = {
    "argv": [
        "python",
        "-m",
        "ipykernel_launcher",
        "-f",
        "{connection_file}",
        "--IPKernelApp.log_level=ERROR",
    ],
    "display_name": "Python 3 (ipykernel)",
    "language": "python",
    "metadata": {"debugger": False},
}


def write_kernel_spec(root: Path) -> Path:
    """Writes the spec under ``root/kernels/python3``; returns ``root``."""
    folder = root / "kernels" / KERNEL_NAME
    folder.mkdir(parents=True, exist_ok=True)
    text = json.dumps(SPEC, indent=1) + "\n"
    spec = folder / "kernel.json"
    if not spec.is_file() or spec.read_text() != text:
        spec.write_text(text)
    return root


def use_quiet_kernel(app: Sphinx, config: Config) -> None:
    root = write_kernel_spec(Path(app.doctreedir) / "jupyter")
    paths = os.environ.get("JUPYTER_PATH", "").split(os.pathsep)
    if str(root) not in paths:
        os.environ["JUPYTER_PATH"] = os.pathsep.join([str(root), *filter(None, paths)])


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", use_quiet_kernel)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
