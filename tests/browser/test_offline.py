"""Every page works offline and without errors, in every viewport and scheme."""

import pytest

CONTEXTS = [
    ("laptop", "light"),
    ("laptop", "dark"),
    ("phone", "light"),
    ("phone", "dark"),
    ("wide", "light"),
]


@pytest.mark.parametrize(("viewport", "scheme"), CONTEXTS)
def test_no_request_leaves_localhost(survey, viewport, scheme):
    outside = {n: v.outside for n, v in survey(viewport, scheme).items() if v.outside}
    assert not outside, outside


@pytest.mark.parametrize(("viewport", "scheme"), CONTEXTS)
def test_no_console_errors(survey, viewport, scheme):
    errors = {n: v.errors for n, v in survey(viewport, scheme).items() if v.errors}
    assert not errors, errors


def test_every_page_is_visited(site):
    # Discovered from the build, so a new page is checked without a test change.
    assert "index.html" in site.pages and len(site.pages) >= 3, site.pages
