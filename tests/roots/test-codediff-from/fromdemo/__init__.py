"""A package codediff reads but must never import.

Importing it (or any module in it) fails, so a build that shows its code
proves that ``:from:`` found the source without running it.
"""

raise RuntimeError("codediff imported fromdemo; :from: must only read it")
