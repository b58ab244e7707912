"""tests/run_scripts.py, the runner of make min-versions's how-to scripts."""

import run_scripts


def test_each_script_runs_in_its_own_folder_and_a_failure_is_named(tmp_path, capsys):
    scripts = tmp_path / "downloads"
    (scripts / "a").mkdir(parents=True)
    (scripts / "a" / "writes.py").write_text(
        "from pathlib import Path\n"
        "Path('checkpoint').write_text('saved')\n"
        "print(Path.cwd().name)\n"
    )
    (scripts / "fails.py").write_text("print('before')\nraise SystemExit(3)\n")
    run = tmp_path / "run"

    assert run_scripts.main([str(scripts), str(run), "--jobs", "2"]) == 1
    printed = capsys.readouterr().out
    assert f"ok     {scripts / 'a' / 'writes.py'}" in printed
    assert f"FAILED {scripts / 'fails.py'}\nbefore" in printed
    assert printed.endswith("1 passed, 1 failed\n")
    assert (run / "writes" / "checkpoint").read_text() == "saved"
    assert (run / "writes" / "output.txt").read_text() == "writes\n"


def test_no_scripts_is_a_failure(tmp_path, capsys):
    assert run_scripts.main([str(tmp_path), str(tmp_path / "run")]) == 1
    assert "no how-to scripts" in capsys.readouterr().out
