"""Runs the how-to scripts the site offers, as a reader would (make min-versions).

Usage: ``python tests/run_scripts.py SCRIPTS RUN [--jobs N]``

Every ``*.py`` under ``SCRIPTS`` (the built site's ``_downloads``) runs with
the Python that runs this file, each in a fresh folder ``RUN/<name>/`` (some
write checkpoints), ``N`` at a time (default: one a core), with Matplotlib's
Agg backend and a JAX compilation cache that the scripts share
(``RUN/jax_cache``: tracks of one page compile the same steps). Prints ``ok``
or ``FAILED`` and the tail of the output for each; exits 1 when one failed or
none was found.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


def jax_cache_env(cache: Path) -> dict[str, str]:
    """The environment that gives a script JAX's persistent compilation cache
    in ``cache``, keeping every compilation (the Makefile sets the same for
    the site builds)."""
    return {
        "JAX_COMPILATION_CACHE_DIR": str(cache),
        "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0",
        "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES": "0",
    }


def run(script: Path, folder: Path, cache: Path) -> tuple[bool, str]:
    """Runs ``script`` in ``folder``; (whether it exited 0, its output)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    env = os.environ | {"MPLBACKEND": "Agg", **jax_cache_env(cache)}
    done = subprocess.run(
        [sys.executable, str(script.resolve())],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    (folder / "output.txt").write_text(done.stdout)
    return done.returncode == 0, done.stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scripts", type=Path)
    parser.add_argument("run", type=Path)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    scripts = sorted(args.scripts.rglob("*.py"))
    if not scripts:
        print(f"no how-to scripts under {args.scripts}: run make html")
        return 1
    cache = args.run / "jax_cache"
    with ThreadPoolExecutor(args.jobs) as pool:
        futures = [
            pool.submit(run, script, args.run / script.stem, cache)
            for script in scripts
        ]
        failed = 0
        for script, future in zip(scripts, futures, strict=True):
            ok, output = future.result()
            print("ok    " if ok else "FAILED", script, flush=True)
            if not ok:
                failed += 1
                print("\n".join(output.splitlines()[-20:]))
    print(f"{len(scripts) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
