"""The site offers the package as a wheel that a reader can pip install."""

from __future__ import annotations

import re
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from sitetools import HTML, build_site

LINK = re.compile(r'href="([^"]*lr_scheduling-[^"]*\.whl)"')


@pytest.fixture(scope="module")
def wheel() -> Path:
    build_site()
    (found,) = HTML.glob("lr_scheduling-*-py3-none-any.whl")
    return found


def test_wheel_holds_the_package_and_nothing_else(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    modules = {n for n in names if n.startswith("lr_scheduling/")}
    assert {
        "lr_scheduling/__init__.py",
        "lr_scheduling/schedules/__init__.py",
        "lr_scheduling/model.py",
        "lr_scheduling/train.py",
        "lr_scheduling/py.typed",
    } <= modules
    # The library and the guide's training code only: no report tools
    # (reports/: the results generator, the bench), tests or pages.
    outside = [
        n
        for n in names
        if not n.startswith("lr_scheduling")  # the package and its .dist-info
        or n.startswith("lr_scheduling/experiments")
    ]
    assert not outside, f"the wheel holds more than the library: {outside}"
    assert not [n for n in names if "benchmark" in n or "reports" in n.split("/")]


def test_wheel_metadata_separates_the_guide_extra(wheel):
    with zipfile.ZipFile(wheel) as archive:
        (metadata,) = [
            n for n in archive.namelist() if n.endswith(".dist-info/METADATA")
        ]
        fields = Parser().parsestr(archive.read(metadata).decode())
    requires = fields.get_all("Requires-Dist")
    # Each with its tested floor (pyproject.toml, requirements-min.txt).
    assert {r.split(";")[0].strip() for r in requires if "extra" not in r} == {
        "jax>=0.8.1",
        "numpy>=2.0",
        "optax>=0.2.5",
    }
    guide = {r.split(";")[0].strip() for r in requires if 'extra == "guide"' in r}
    assert guide == {
        "flax>=0.11.1",
        "scikit-learn>=1.5.0",
        "matplotlib>=3.9.0",
        "orbax-checkpoint>=0.11.17",
        "mnist1d>=0.0.1.post1",
    }


def test_api_page_links_the_wheel(wheel):
    page = HTML / "docs" / "api.html"
    links = LINK.findall(page.read_text())
    assert links, "docs/api.html does not link the wheel"
    for link in links:
        assert (page.parent / link).resolve() == wheel.resolve()
    text = re.sub(r"<[^>]+>", "", page.read_text())
    assert 'pip install "./lr_scheduling-0.1.0-py3-none-any.whl[guide]"' in text
