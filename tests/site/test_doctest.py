"""``make doctest``: every rST page's blocks run and print what the page shows.

``make test`` runs it here, among the other tests of the built site, rather
than before pytest: it then shares the two cores with the rest of the tests
(``sitetools.run_doctest``; the copy test waits for it, as its scripts load
the programs it compiled).
"""

import re

from sitetools import run_doctest


def test_every_doctest_of_the_site_passes():
    done = run_doctest()
    assert done.returncode == 0, done.log[-20_000:]
    summary = re.search(
        r"Doctest summary\n=+\n\s+(\d+) tests?\n(.*?)build", done.log, re.S
    )
    assert summary, done.log[-5000:]
    assert int(summary.group(1)) >= 100, summary.group(0)  # every page's, not one's
    failures = re.findall(r"(\d+) failures? in", summary.group(2))
    assert failures and set(failures) == {"0"}, summary.group(0)
