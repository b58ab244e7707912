"""The copy test's clean virtual environment: only the package's runtime
libraries, at the site's pins.

Standard library only, so that ``make test`` can create it with the system's
Python while ``.venv`` is being installed (``python3 tests/reader_env.py``).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def runtime_requirements() -> list[str]:
    """The package's runtime libraries (its dependencies and the guide extra)."""
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    return [*project["dependencies"], *project["optional-dependencies"]["guide"]]


def reader_environment(where: Path | None = None) -> Path:
    """A virtual environment with only the runtime libraries, at the site's pins.

    One for every script of the copy test (about 930 MB, mostly jaxlib and
    scipy), reused while requirements.txt and the dependency list stay the
    same. By default it lives outside the checkout, in the user's cache
    (``$XDG_CACHE_HOME/lr-scheduling/reader-<key>``, or
    ``$LR_SCHEDULING_READER_VENV``), so that ``make clean`` and other clones
    do not install it again; a lock keeps two sessions from building it at once.
    """
    requirements = runtime_requirements()
    key = hashlib.sha256(
        ((REPO / "requirements.txt").read_text() + repr(requirements)).encode()
    ).hexdigest()
    if where is None:
        cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
        default = cache / "lr-scheduling" / f"reader-{key[:16]}"
        where = Path(os.environ.get("LR_SCHEDULING_READER_VENV", default))
    where.parent.mkdir(parents=True, exist_ok=True)
    with open(where.parent / f"{where.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _install_reader_environment(where, requirements, key)


def _install_reader_environment(where: Path, requirements: list[str], key: str) -> Path:
    python = where / "bin" / "python"
    stamp = where / "installed.sha256"
    if python.exists() and stamp.exists() and stamp.read_text() == key:
        return python
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(where)], check=True)
    done = subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-c",
            str(REPO / "requirements.txt"),
            *requirements,
        ],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"installing {where} failed:\n{done.stderr[-5000:]}")
    stamp.write_text(key)
    return python


if __name__ == "__main__":
    print(reader_environment())
