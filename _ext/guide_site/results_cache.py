"""Results of slow computations that figures need, kept between builds.

A ``.. plot::`` that trains a model runs its code on every clean build, html
and doctest alike (about 5 s for the how-to's ten epochs). :func:`cached`
keeps the arrays such code returns in ``<build dir>/cache`` (``_build/cache``
for ``make html``; ``make clean`` removes it), keyed by a name and the source
of the ``lr_scheduling`` package, so that an edit to the package computes
them again and nothing else does.
"""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
from sphinx.application import Sphinx

_cache_dir: Path | None = None


def set_cache_dir(app: Sphinx) -> None:
    """At ``builder-inited``: the cache sits next to the doctree directory."""
    global _cache_dir
    _cache_dir = Path(app.doctreedir).parent / "cache"


def package_fingerprint(package: str = "lr_scheduling") -> str:
    """A hash of every Python file of ``package``, found without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"no package named {package!r}")
    digest = hashlib.sha256()
    for folder in spec.submodule_search_locations:
        for path in sorted(Path(folder).rglob("*.py")):
            digest.update(path.relative_to(folder).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cached(
    name: str, compute: Callable[[], Mapping[str, np.ndarray]]
) -> dict[str, np.ndarray]:
    """``compute()``'s arrays, from the cache when the package is unchanged.

    Outside a Sphinx build (no cache directory set) it just computes.
    """
    if _cache_dir is None:
        return {key: np.asarray(value) for key, value in compute().items()}
    path = _cache_dir / f"{name}-{package_fingerprint()}.npz"
    if path.is_file():
        with np.load(path) as stored:
            return {key: stored[key] for key in stored.files}
    arrays = {key: np.asarray(value) for key, value in compute().items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial.npz")
    np.savez(partial, **arrays)  # type: ignore[arg-type]
    partial.replace(path)  # whole or not at all, even with -j 2
    return arrays
