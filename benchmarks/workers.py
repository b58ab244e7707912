"""Worker processes with their own ``XLA_FLAGS``, driven from the parent."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def with_flags(flags: str, add: list[str], remove: list[str]) -> str:
    """``flags`` (an ``XLA_FLAGS`` value) without the flags named in ``remove``
    (by name, whatever their value) and with those in ``add`` appended."""
    names = {flag.split("=", 1)[0] for flag in add + remove}
    kept = [flag for flag in shlex.split(flags) if flag.split("=", 1)[0] not in names]
    return " ".join(kept + add)


class Worker:
    """A ``python -m benchmarks.worker`` process with the given ``XLA_FLAGS``."""

    def __init__(self, xla_flags: str, env: dict[str, str] | None = None):
        environment = dict(os.environ if env is None else env)
        environment["XLA_FLAGS"] = xla_flags
        # Compile for real: a persistent cache would make compile times vary.
        environment.pop("JAX_COMPILATION_CACHE_DIR", None)
        self.xla_flags = xla_flags
        self.process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.worker"],
            cwd=ROOT,
            env=environment,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def __call__(self, command: str, **args: Any) -> Any:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps({"command": command, "args": args}) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(
                f"worker with XLA_FLAGS={self.xla_flags!r} died during {command}"
            )
        reply = json.loads(line)
        if "error" in reply:
            raise RuntimeError(
                f"worker with XLA_FLAGS={self.xla_flags!r}, {command}:\n"
                + reply["error"]
            )
        return reply["result"]

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=60)

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.process.poll() is None:
            try:
                self.close()
            except subprocess.TimeoutExpired:
                self.process.kill()
