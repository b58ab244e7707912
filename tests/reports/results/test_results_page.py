"""End to end on the tiny configuration: the page, its labels, figures and JSON."""

import json
import re

import pytest

from reports import fingerprint
from reports.results import cli


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("results")
    assert cli.main(["--tiny", "--tasks", "digits", "lm", "--out-dir", str(out)]) == 0
    return out


def test_the_page_has_every_label_other_pages_cite(written):
    page = (written / "results.rst").read_text()
    labels = set(re.findall(r"^\.\. _([\w-]+):$", page, re.M))
    for task, shapes in {
        "digits": ("triangular", "triangular2", "one-cycle", "warmup-cosine", "wsd"),
        "lm": (
            "warmup-cosine",
            "wsd",
            "wsd-linear",
            "wsd-cosine",
            "one-cycle",
            "triangular",
        ),
    }.items():
        assert {f"results-{task}", f"results-{task}-fixed"} <= labels
        assert {f"results-{task}-{shape}" for shape in shapes} <= labels
    assert "results-lm-cooldown" in labels
    assert (
        "not distinguishable" in page or "better than" in page or "worse than" in page
    )
    assert re.search(
        r"It took \d+ s of wall time \(the sum over the tasks\) and \d+ s of CPU time",
        page,
    )


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
