"""The machine a report ran on: CPU, cores, accelerator, library versions, load.

The one machine describer of the report tools: the bench
(``docs/benchmarks.rst``) and the results page (``docs/results.rst``) both
describe their machine with :func:`describe`, and write it with
:func:`one_line` or :func:`bullets`.
"""

from __future__ import annotations

import datetime
import importlib.metadata
import os
import platform
from pathlib import Path
from typing import Any

import jax

_CPUINFO = Path("/proc/cpuinfo")
# What a CPU can do for float32 and bfloat16 matmuls.
_VECTOR_EXTENSIONS = {"avx2", "avx512f", "avx512_bf16", "amx_bf16", "amx_tile", "fma"}


def _cpuinfo_field(name: str) -> str | None:
    """The first value of ``name`` in /proc/cpuinfo, or None where there is none."""
    try:
        lines = _CPUINFO.read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        if line.startswith(name) and ":" in line:
            return line.split(":", 1)[1].strip()
    return None


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo, else what platform says."""
    model = _cpuinfo_field("model name")
    return model or platform.processor() or platform.machine()


def cpu_flags() -> set[str]:
    """The CPU's feature flags from /proc/cpuinfo (empty where it is absent)."""
    return set((_cpuinfo_field("flags") or "").split())


def cores() -> int:
    """The cores this process may run on (its affinity), else the CPU count."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


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


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def describe() -> dict[str, Any]:
    """The machine and software now, as a JSON-ready dict.

    Keys: ``cpu_model``, ``cores``, ``vector_extensions``, ``caches_per_core``,
    ``backend`` (JAX's default: "cpu", "gpu", "tpu"), ``device_kind`` and
    ``device_count`` of that backend, ``versions`` ({package: version} of
    Python, jax, jaxlib, optax, numpy and flax where installed), ``xla_flags``
    (the environment's ``XLA_FLAGS``, "" when unset), ``date`` (UTC, to the
    minute) and ``load_average_at_start`` (1 minute; NaN where the OS has none).
    """
    devices = jax.devices()
    versions = {"python": platform.python_version()}
    for package in ("jax", "jaxlib", "optax", "numpy", "flax"):
        version = _version(package)
        if version is not None:
            versions[package] = version
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = float("nan")
    return {
        "cpu_model": cpu_model(),
        "cores": cores(),
        "vector_extensions": sorted(cpu_flags() & _VECTOR_EXTENSIONS),
        "caches_per_core": cache_sizes(),  # L3 is shared by all cores
        "backend": jax.default_backend(),
        "device_kind": devices[0].device_kind,
        "device_count": len(devices),
        "versions": versions,
        "xla_flags": os.environ.get("XLA_FLAGS", "").strip(),
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_average_at_start": load,
    }


_NAMES = {"python": "Python", "jax": "JAX", "jaxlib": "jaxlib", "optax": "Optax"}
_NAMES |= {"numpy": "NumPy", "flax": "Flax"}


def versions_text(machine: dict[str, Any]) -> str:
    """The versions in words: "Python 3.11.2, JAX 0.4.30, ..."."""
    versions = machine["versions"]
    return ", ".join(f"{_NAMES.get(name, name)} {v}" for name, v in versions.items())


def _device_text(machine: dict[str, Any]) -> str:
    if machine["backend"] == "cpu":
        return "JAX on the CPU"
    return (
        f"JAX on {machine['device_count']} x {machine['device_kind']} "
        f"({machine['backend'].upper()})"
    )


def _flags_text(machine: dict[str, Any]) -> str:
    flags = machine["xla_flags"]
    return f"``XLA_FLAGS={flags}``" if flags else "``XLA_FLAGS`` unset"


def one_line(machine: dict[str, Any]) -> str:
    """The machine in one sentence-like line, for a page's "run on ..." note."""
    return (
        f"{machine['cpu_model']}, {machine['cores']} cores; {_device_text(machine)}; "
        f"{versions_text(machine)}; {_flags_text(machine)}"
    )


def bullets(machine: dict[str, Any]) -> str:
    """The machine as an rST bullet list (CPU, software, caches, date and load)."""
    caches = machine.get("caches_per_core", {})
    extensions = ", ".join(machine["vector_extensions"]) or "no listed extensions"
    end = machine.get("load_average_at_end", float("nan"))
    return "\n".join(
        [
            f"* CPU: {machine['cpu_model']}, {machine['cores']} cores ({extensions})",
            f"* {_device_text(machine)}; {_flags_text(machine)}",
            f"* {versions_text(machine)}",
            "* Caches per core: "
            + (", ".join(f"{level} {size}" for level, size in caches.items()) or "?")
            + " (the L3 is shared)",
            f"* Date: {machine['date']}; load average (1 min) "
            f"{machine['load_average_at_start']:.1f} at the start, "
            f"{end:.1f} at the end",
        ]
    )
