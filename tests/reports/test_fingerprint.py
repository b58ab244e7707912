"""Generated pages record the code that made them; make results-check notices a change."""

import shutil
from pathlib import Path

import pytest

from reports import fingerprint
from reports.results.cli import INPUTS

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_results_page_matches_its_code(capsys):
    assert fingerprint.main(["--root", str(ROOT), str(ROOT / "docs/results.rst")]) == 0
    assert "1 generated page(s) match their code" in capsys.readouterr().err


@pytest.fixture
def copy(tmp_path):
    """The page and its inputs, copied into a temporary tree."""
    for path in fingerprint.file_hashes(ROOT, INPUTS):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / path, tmp_path / path)
    (tmp_path / "docs").mkdir()
    shutil.copy(ROOT / "docs/results.rst", tmp_path / "docs/results.rst")
    (tmp_path / "docs/other.rst").write_text("A page with no fingerprint.\n")
    return tmp_path


def test_a_change_to_the_experiment_code_makes_the_page_stale(copy, capsys):
    assert fingerprint.main(["--root", str(copy)]) == 0
    stats = copy / "reports/results/stats.py"
    stats.write_text(stats.read_text() + "\n# a change\n")
    (copy / "reports/results/extra.py").write_text("")
    (copy / "requirements.txt").unlink()
    assert fingerprint.main(["--root", str(copy)]) == 1
    message = capsys.readouterr().err
    assert "docs/results.rst is stale" in message
    assert "reports/results/stats.py (changed)" in message
    assert "reports/results/extra.py (new)" in message
    assert "requirements.txt (gone)" in message
    assert "other.rst" not in message


def test_the_record_round_trips():
    text = fingerprint.comment(ROOT, ["reports/rst.py", "reports/machine.py"])
    digest, patterns, hashes = fingerprint.parse("Title\n\n" + text + "\nBody\n")
    assert patterns == ["reports/rst.py", "reports/machine.py"]
    assert list(hashes) == ["reports/machine.py", "reports/rst.py"]
    assert digest == fingerprint.fingerprint(hashes)
    assert fingerprint.parse("no record here\n") is None
