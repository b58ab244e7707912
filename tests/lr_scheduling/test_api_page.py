"""Every public name of ``lr_scheduling`` is documented on the API page."""

import re
from pathlib import Path

import lr_scheduling

API_PAGE = Path(__file__).parents[2] / "docs" / "api.rst"
# ".. autofunction:: name", ".. autoclass:: module.name", ".. py:data:: name"
DOCUMENTED = re.compile(r"^\s*\.\. (?:auto\w+|py:\w+):: +(?:[\w.]+\.)?(\w+)\s*$", re.M)


def documented_names(text: str) -> set[str]:
    return set(DOCUMENTED.findall(text))


def test_the_pattern_reads_every_kind_of_entry():
    text = (
        ".. autofunction:: f\n"
        "   .. autoclass:: pkg.mod.C\n"
        ".. py:data:: D\n"
        ".. py:module:: pkg.mod\n"
        ".. note:: not a name\n"
    )
    assert documented_names(text) == {"f", "C", "D", "mod"}


def test_every_public_name_is_on_the_api_page():
    documented = documented_names(API_PAGE.read_text(encoding="utf-8"))
    missing = sorted(set(lr_scheduling.__all__) - documented)
    assert not missing, f"add to docs/api.rst: {missing}"
