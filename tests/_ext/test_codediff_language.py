"""Which ``:language:`` panes are tested: Python as Pygments resolves it."""

from pathlib import Path

import pytest
from codediff.nodes import codediff_test
from codediff.testnodes import runs_as_python
from docutils import nodes

RUN = ["python", "Python", "PYTHON", "py", "PY", "python3", "Python3", "py3", "Py3"]
RUN += ["pyi", "default", " python "]
NOT_RUN = ["python2", "py2", "pycon", "ipython", "ipython3", "IPython3", "sage"]
NOT_RUN += ["bazel", "starlark", "cython", "bash", "Bash", "none", "text", "nope"]


@pytest.mark.parametrize("name", RUN)
def test_python_in_any_spelling_runs(name):
    assert runs_as_python(name)


@pytest.mark.parametrize("name", NOT_RUN)
def test_other_languages_do_not_run(name):
    assert not runs_as_python(name)


def page(languages: list[str]) -> str:
    parts = ["Languages\n=========\n"]
    for index, language in enumerate(languages):
        parts.append(
            f".. codediff::\n   :title: L{index}, R{index}\n"
            f"   :language: {language}\n\n   x = {index}\n   ---\n"
            f"   y = {index}\n"
        )
    return "\n".join(parts)


LANGUAGES = ["Python", "PY", "python3", "py3", "ipython3", "pycon", "Bash", "bash"]


def test_python_spelled_otherwise_is_tested_and_highlighted(sphinx_project):
    app = sphinx_project(page(LANGUAGES), "dummy")
    doctree = app.env.get_doctree("index")
    tested = sorted({test["groups"][0][1:] for test in doctree.findall(codediff_test)})
    assert tested == ["0", "1", "2", "3"]  # Python, PY, python3, py3
    languages = [
        block["language"]
        for block in doctree.findall(nodes.literal_block)
        if "codediff-code" in block["classes"]
    ][::2]
    assert languages == [name.lower() for name in LANGUAGES]
    assert "WARNING" not in app.warning.getvalue()


def test_doctest_runs_the_python_panes_only(sphinx_project):
    app = sphinx_project(page(LANGUAGES), "doctest")
    # Both panes of the Python, PY, python3 and py3 directives; no others.
    assert (app.builder.total_tries, app.builder.total_failures) == (8, 0)


def test_html_highlights_case_insensitively(sphinx_project):
    app = sphinx_project(page(LANGUAGES), "html")
    html = (Path(app.outdir) / "index.html").read_text()
    for language in ("python", "py", "python3", "py3", "ipython3", "pycon"):
        assert (
            html.count(f'class="codediff-code highlight-{language} notranslate"') == 2
        )
    assert html.count('class="codediff-code highlight-bash notranslate"') == 4
