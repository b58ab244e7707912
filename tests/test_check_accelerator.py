"""scripts/check_accelerator.py works on the CPU backend, so it cannot rot."""

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "check_accelerator.py"


def test_check_accelerator_passes_on_cpu():
    result = subprocess.run(
        [sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "backend: cpu" in result.stdout
    assert "schedule exact under jit: True" in result.stdout
    assert "logged rates == schedule: True" in result.stdout
