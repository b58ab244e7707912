"""``python -m reports.results``: runs every task and writes the results page."""

import sys

from reports.results.cli import main

sys.exit(main())
