"""The machine a bench ran on: CPU, cores, library versions, date, load."""

from __future__ import annotations

import datetime
import os
import platform
from pathlib import Path
from typing import Any

import jax
import jaxlib
import numpy as np
import optax


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo, else what platform says."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def cpu_flags() -> set[str]:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("flags"):
                return set(line.split(":", 1)[1].split())
    return set()


def cache_sizes() -> dict[str, str]:
    """Cache sizes of the first CPU as sysfs gives them: {"L2": "2048K", ...}."""
    sizes = {}
    for index in sorted(Path("/sys/devices/system/cpu/cpu0/cache").glob("index*")):
        try:
            level = (index / "level").read_text().strip()
            kind = (index / "type").read_text().strip()
            size = (index / "size").read_text().strip()
        except OSError:
            continue
        if kind != "Instruction":
            sizes[f"L{level}"] = size
    return sizes


def describe() -> dict[str, Any]:
    flags = cpu_flags()
    return {
        "cpu_model": cpu_model(),
        "cores": len(os.sched_getaffinity(0)),
        # What the CPU can do for float32 and bfloat16 matmuls.
        "vector_extensions": sorted(
            flags & {"avx2", "avx512f", "avx512_bf16", "amx_bf16", "amx_tile", "fma"}
        ),
        "caches_per_core": cache_sizes(),  # L3 is shared by all cores
        "jax_version": jax.__version__,
        "jaxlib_version": jaxlib.__version__,
        "optax_version": optax.__version__,
        "numpy_version": np.__version__,
        "python_version": platform.python_version(),
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_average_at_start": os.getloadavg()[0],
    }
