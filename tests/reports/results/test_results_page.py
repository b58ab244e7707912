"""End to end on the tiny configuration: the page, its labels, figures and JSON."""

import json
import re
from pathlib import Path

import pytest

from reports import fingerprint
from reports.results import cli
from reports.results.tasks import default_tasks

REPO = Path(__file__).resolve().parents[3]
# A cross-reference to a label of the results page, as rST or MyST writes it.
RESULTS_REF = re.compile(r"[<`(]#?(results-[a-z0-9-]+)[>`)]")


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("results")
    assert cli.main(["--tiny", "--tasks", "digits", "lm", "--out-dir", str(out)]) == 0
    return out


def test_the_page_has_every_label_other_pages_cite(written):
    page = (written / "results.rst").read_text()
    labels = set(re.findall(r"^\.\. _([\w-]+):$", page, re.M))
    cited = set()
    for path in [*REPO.glob("howtos/*.*"), *REPO.glob("docs/*.*"), REPO / "index.rst"]:
        if path.suffix in {".rst", ".md", ".ipynb"} and path.name != "results.rst":
            cited |= set(RESULTS_REF.findall(path.read_text(encoding="utf-8")))
    assert len(cited) >= 15  # the how-tos cite rows of every task
    # The page written here has two of the three tasks (the third, MNIST-1D,
    # is written by the same code); what the pages cite of them is on it.
    tasks = {task.name: task for task in default_tasks()}
    here = {"digits", "lm"}
    assert {label.split("-")[1] for label in cited} <= set(tasks)
    cited_here = {label for label in cited if label.split("-")[1] in here}
    assert cited_here <= labels, sorted(cited_here - labels)
    # Every schedule the tasks run has its row label.
    for name in here:
        for shape, _ in tasks[name].schedules:
            assert f"results-{name}-{shape}" in labels


def test_the_page_records_the_fingerprint_of_its_code(written):
    digest, patterns, hashes = fingerprint.parse((written / "results.rst").read_text())
    assert patterns == list(cli.INPUTS)
    assert "reports/results/stats.py" in hashes and "requirements.txt" in hashes
    assert digest == fingerprint.fingerprint(hashes)


def test_results_json_holds_every_run(written):
    record = json.loads((written / "results.json").read_text())
    assert {"tasks", "fingerprint", "versions", "wall_seconds"} <= set(record)
    digits, lm = record["tasks"]
    assert (digits["name"], digits["metric"], lm["metric"]) == (
        "digits",
        "accuracy",
        "bpc",
    )
    names = [policy["name"] for policy in digits["policies"]]
    assert names[:2] == ["fixed 0.05", "fixed 0.2"] and "wsd@range test" in names
    for policy in lm["policies"]:
        assert [run["seed"] for run in policy["runs"]] == [0, 1]
        for run in policy["runs"]:
            assert {"val_bpc", "test_bpc", "diverged"} <= set(run)
            assert run["diverged"] or 0 < run["test_bpc"] < 9
    assert (written / "results_digits.png").stat().st_size > 10_000


def test_unknown_tasks_are_refused(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--tiny", "--tasks", "cifar"])
    assert "unknown task(s) ['cifar']" in capsys.readouterr().err
