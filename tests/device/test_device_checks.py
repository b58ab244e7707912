"""The device checks' helpers: the comparisons catch what they should."""

import pytest
from device_checks import (
    REPO,
    compare_printed,
    howto_pages,
    howto_warnings,
    is_notebook,
)


@pytest.mark.parametrize(
    ("device", "cpu", "agree"),
    [
        ("diverged at step 151 lr 1.57", "diverged at step 150 lr 1.49", True),
        ("diverged at step 151 lr 1.97", "diverged at step 150 lr 1.49", False),
        (
            "bounds: base_lr=0.03, max_lr=0.12",
            "bounds: base_lr=0.03, max_lr=0.12",
            True,
        ),
        ("[0.1  0.22]\n", "[0.1 0.2]\n", True),  # NumPy's padding
        ("[0.1 0.2]", "[0.1 0.2 0.3]", False),
        ("valley: 0.01", "minimum: 0.01", False),
        ("loss nan", "loss nan", True),
        ("loss nan", "loss 2.3", False),
        ("loss -inf", "loss inf", False),
        ("1e-4", "0.0001", True),
        ("<Figure at 0x7f3a2b9c>", "<Figure at 0x7e01d4f0>", True),
    ],
)
def test_compare_printed(device, cpu, agree):
    problem = compare_printed(device, cpu, rtol=0.25)
    assert (problem is None) == agree, problem


def test_howto_pages_are_every_page_under_howtos():
    found = howto_pages()
    on_disk = sorted(
        path
        for path in (REPO / "howtos").rglob("*")
        if path.suffix in {".rst", ".md", ".ipynb"} and "figures" not in path.parts
    )
    assert found == on_disk
    assert REPO / "howtos" / "lr_schedule.rst" in found


def test_warnings_in_howto_pages_are_told_apart():
    plot = (
        f"{REPO}/howtos/atlas.rst:42: WARNING: Exception occurred in plotting atlas-1"
    )
    log = "\n".join(
        [
            plot,
            "Traceback (most recent call last):",
            f"{REPO}/index.rst:104: WARNING: toctree contains reference to nonexisting document",
            "howtos/other.md:3: ERROR: Unknown directive type",
            "WARNING: ******************",  # a failing doctest: counted from output.txt
            f"{REPO}/docs/api.rst:docstring of lr_scheduling.x:1: WARNING: duplicate",
        ]
    )
    ours, others = howto_warnings(log)
    assert ours == [plot, "howtos/other.md:3: ERROR: Unknown directive type"]
    assert others == 2


def test_is_notebook(tmp_path):
    notebook = tmp_path / "nb.md"
    notebook.write_text(
        "---\njupytext:\n  text_representation:\n    format_name: myst\n"
        "kernelspec:\n  name: python3\n---\n\n# Title\n"
    )
    plain = tmp_path / "plain.md"
    plain.write_text("# Title\n\nText.\n")
    assert is_notebook(notebook)
    assert not is_notebook(plain)
    assert not is_notebook(REPO / "howtos" / "lr_schedule.rst")
