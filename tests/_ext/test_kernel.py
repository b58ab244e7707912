"""guide_site.kernel: notebooks run without ipykernel's transport warning."""

import json
import sys
from pathlib import Path

import pytest
from ext_pages import build_in_new_process, notebook

NOTEBOOK = notebook('import sys\n\nprint("kernel python", sys.executable)')
WARNING = "Kernel is running over TCP without encryption"


def build(project: Path, extensions: list[str]) -> tuple[str, str]:
    """Builds the page; (the build's log, the page's html)."""
    (project / "page.md").write_text(NOTEBOOK)
    (project / "conf.py").write_text(
        f"extensions = {extensions!r}\n"
        'nb_execution_mode = "force"\n'
        'exclude_patterns = ["_build"]\n'
        'root_doc = "page"\n'
    )
    log = build_in_new_process(project)
    return log, (project / "_build" / "html" / "page.html").read_text()


@pytest.mark.parametrize("quiet", [False, True], ids=["myst-nb alone", "with kernel"])
def test_notebooks_run_without_the_transport_warning(tmp_path, quiet):
    extensions = ["myst_nb", *(["guide_site.kernel"] if quiet else [])]
    log, html = build(tmp_path, extensions)
    # The same Python runs the cells either way.
    assert f"kernel python {sys.executable}" in html
    assert (WARNING in log) is not quiet
    if quiet:
        (spec,) = tmp_path.rglob("jupyter/kernels/python3/kernel.json")
        assert ".doctrees" in spec.parts  # beside the doctrees, not in the site
        assert json.loads(spec.read_text())["argv"][:3] == [
            "python",
            "-m",
            "ipykernel_launcher",
        ]
