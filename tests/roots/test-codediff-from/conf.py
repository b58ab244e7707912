extensions = ["myst_nb", "sphinx_copybutton", "codediff"]
nb_execution_mode = "off"
exclude_patterns = ["_build"]
