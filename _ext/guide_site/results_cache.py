"""Results of slow computations that figures need, kept between builds, and the
keys that tie every cached output of the site to the code that produced it.

A ``.. plot::`` that trains a model runs its code on every clean build, html
and doctest alike (about 5 s for the how-to's ten epochs). :func:`cached`
keeps the arrays such code returns in ``<build dir>/cache`` (``_build/cache``
for ``make html``; ``make clean`` removes it), keyed by a name, the code of the
function that computes them and the source of the package modules that this
code runs: the modules its functions come from and every module of the
package that these import, found without importing anything
(:func:`module_closure`). An edit to that code computes them again; an edit
to an unrelated module (report code, say) does not.

The notebook pages' outputs are cached by jupyter-cache, which keys a notebook
on its code cells only; :mod:`guide_site.notebook_keys` adds this module's
key of the package modules the notebook imports.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import types
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
from sphinx.application import Sphinx

_cache_dir: Path | None = None
PACKAGE = "lr_scheduling"


def set_cache_dir(app: Sphinx) -> None:
    """At ``builder-inited``: the cache sits next to the doctree directory."""
    global _cache_dir
    _cache_dir = Path(app.doctreedir).parent / "cache"


def package_modules(package: str = PACKAGE) -> dict[str, Path]:
    """Every module of ``package`` by dotted name, found without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"no package named {package!r}")
    found = {}
    for folder in map(Path, spec.submodule_search_locations):
        for path in sorted(folder.rglob("*.py")):
            parts = path.relative_to(folder).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join((package, *parts))] = path
    return found


def package_fingerprint(package: str = PACKAGE) -> str:
    """A hash of every Python file of ``package``, found without importing it."""
    return modules_fingerprint(package_modules(package))


def imported_modules(path: Path, name: str, known: Mapping[str, Path]) -> set[str]:
    """The modules among ``known`` that the module ``name`` at ``path`` imports.

    ``from package import thing`` counts ``package.thing`` when that is a
    module; a relative import is resolved against ``name``. Importing a module
    also runs every package ``__init__`` above it, so those count too.
    """
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_bytes())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = name.split(".")
                keep = len(parts) - node.level + (1 if is_package else 0)
                base = ".".join([*parts[:keep], *([base] if base else [])])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {parent for module in found for parent in parents(module) if parent in known}


def parents(module: str) -> list[str]:
    """``a.b.c`` -> ``a``, ``a.b``, ``a.b.c``: each runs when ``a.b.c`` is imported."""
    parts = module.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def module_closure(modules: Iterable[str], package: str = PACKAGE) -> dict[str, Path]:
    """``modules`` of ``package`` and every module of it that they import."""
    known = package_modules(package)
    todo = [p for m in modules for p in parents(m) if p in known]
    closure: dict[str, Path] = {}
    while todo:
        name = todo.pop()
        if name not in closure:
            closure[name] = known[name]
            todo.extend(imported_modules(known[name], name, known) - set(closure))
    return dict(sorted(closure.items()))


def modules_fingerprint(modules: Mapping[str, Path]) -> str:
    """A hash of the given modules' names and sources."""
    digest = hashlib.sha256()
    for name, path in sorted(modules.items()):
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def code_fingerprint(modules: Iterable[str], package: str = PACKAGE) -> str:
    """The key of code that imports ``modules``: their closure's sources."""
    return modules_fingerprint(module_closure(modules, package))


def _code_objects(code: types.CodeType) -> Iterable[types.CodeType]:
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _code_objects(const)


def modules_used(function: Callable[..., Any], package: str = PACKAGE) -> set[str]:
    """The modules of ``package`` whose objects ``function`` refers to.

    Read from the names its code (nested functions included) looks up in its
    globals, and from the values it closes over.
    """
    values: list[Any] = [cell.cell_contents for cell in function.__closure__ or ()]
    for code in _code_objects(function.__code__):
        values += [
            function.__globals__[n] for n in code.co_names if n in function.__globals__
        ]
    found = set()
    for value in values:
        module = value.__name__ if isinstance(value, types.ModuleType) else None
        module = module or getattr(value, "__module__", None)
        if isinstance(module, str) and (
            module == package or module.startswith(package + ".")
        ):
            found.add(module)
    return found


def function_fingerprint(function: Callable[..., Any], package: str = PACKAGE) -> str:
    """The key of what ``function`` runs: its own code and the package code it uses.

    When it refers to nothing of the package directly, the whole package.
    """
    digest = hashlib.sha256()
    for code in _code_objects(function.__code__):
        digest.update(code.co_code + repr((code.co_names, code.co_varnames)).encode())
        consts = [c for c in code.co_consts if not isinstance(c, types.CodeType)]
        digest.update(repr(consts).encode())
    used = modules_used(function, package)
    package_key = (
        code_fingerprint(used, package) if used else package_fingerprint(package)
    )
    digest.update(package_key.encode())
    return digest.hexdigest()[:16]


def cached(
    name: str,
    compute: Callable[[], Mapping[str, np.ndarray]],
    package: str = PACKAGE,
) -> dict[str, np.ndarray]:
    """``compute()``'s arrays, from the cache when the code it runs is unchanged.

    Outside a Sphinx build (no cache directory set) it just computes.
    """
    if _cache_dir is None:
        return {key: np.asarray(value) for key, value in compute().items()}
    path = _cache_dir / f"{name}-{function_fingerprint(compute, package)}.npz"
    if path.is_file():
        with np.load(path) as stored:
            return {key: stored[key] for key in stored.files}
    arrays = {key: np.asarray(value) for key, value in compute().items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial.npz")
    np.savez(partial, **arrays)  # type: ignore[arg-type]
    partial.replace(path)  # whole or not at all, even with -j 2
    return arrays
