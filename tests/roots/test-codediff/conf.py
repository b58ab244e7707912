import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "_ext"))
extensions = ["myst_nb", "codediff"]
nb_execution_mode = "off"
exclude_patterns = ["_build"]
