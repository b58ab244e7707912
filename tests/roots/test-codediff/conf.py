extensions = ["myst_nb", "codediff"]
nb_execution_mode = "off"
exclude_patterns = ["_build"]
