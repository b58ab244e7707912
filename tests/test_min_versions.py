"""The declared floors (pyproject.toml) are the versions `make min-versions` tests.

requirements-min.txt pins each declared dependency, the guide extra's too, at
exactly its floor; `make min-versions` installs those pins into .venv-min and
runs the library's tests and the how-tos' scripts there.
"""

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).parent.parent


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"].values()
    return [Requirement(line) for line in project["dependencies"]] + [
        Requirement(line) for group in extras for line in group
    ]


def pinned() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements-min.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            requirement = Requirement(line)
            (spec,) = requirement.specifier
            assert spec.operator == "==", line
            pins[canonicalize_name(requirement.name)] = spec.version
    return pins


def test_every_declared_dependency_has_a_floor_and_the_floor_is_pinned():
    pins = pinned()
    for requirement in declared():
        floors = [s.version for s in requirement.specifier if s.operator == ">="]
        assert len(floors) == 1, f"{requirement} declares no single >= floor"
        name = canonicalize_name(requirement.name)
        assert name in pins, f"requirements-min.txt does not pin {name}"
        assert Version(pins[name]) == Version(floors[0]), (
            f"requirements-min.txt pins {name}=={pins.get(name)}, "
            f"pyproject.toml's floor is {floors[0]}"
        )
