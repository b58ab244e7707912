"""The theme in the browser: navigation on phones, search, colour modes."""

import pytest

AA = 4.5  # WCAG 2 AA, normal text
NON_TEXT = 3.0  # WCAG 2 AA, graphical objects (the changed-line mark)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_navigation_toggle_opens_on_a_phone(survey, scheme):
    for name, visit in survey("phone", scheme).items():
        nav = visit.data["nav"]
        assert nav["panel"], f"{name}: no navigation panel"
        assert nav["visible"], f"{name}: no visible navigation toggle"
        assert not nav["before"], f"{name}: navigation links showing before the tap"
        assert nav["after"], f"{name}: the navigation toggle opened nothing"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_contents_toggle_opens_on_a_phone(survey, scheme):
    with_contents = 0
    for name, visit in survey("phone", scheme).items():
        contents = visit.data["contents"]
        if contents["panel"]:  # the page has a table of contents
            with_contents += 1
            assert contents["visible"], f"{name}: no visible contents toggle"
        if contents["visible"]:  # and no toggle may do nothing
            assert not contents["before"], f"{name}: contents showing before the tap"
            assert contents["after"], f"{name}: the contents toggle opened nothing"
    assert with_contents, "no page has a contents panel"


def test_one_search_field_on_a_laptop(survey):
    counts = {n: v.data["search_fields"] for n, v in survey("laptop", "light").items()}
    assert all(count == 1 for count in counts.values()), counts


@pytest.mark.parametrize("viewport", ["laptop", "phone"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_page_follows_the_colour_scheme(survey, viewport, scheme):
    themes = {n: v.data["theme"] for n, v in survey(viewport, scheme).items()}
    assert set(themes.values()) == {scheme}, themes


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_codediff_text_contrast(survey, scheme):
    low, runs, emphasized = [], 0, 0
    for name, visit in survey("laptop", scheme).items():
        contrast = visit.data["contrast"]
        runs += len(contrast["runs"])
        emphasized += sum(run["emphasized"] for run in contrast["runs"])
        low += [
            f"{name}: {run['text']!r} {run['ratio']:.2f}"
            + (" (emphasized line)" if run["emphasized"] else "")
            for run in contrast["runs"]
            if run["ratio"] < AA
        ]
        low += [
            f"{name}: mark of {mark['text']!r} {mark['ratio']:.2f}"
            for mark in contrast["marks"]
            if mark["ratio"] < NON_TEXT
        ]
    assert runs and emphasized, "no codediff text measured"
    assert not low, f"below {AA}:1 (marks {NON_TEXT}:1):\n" + "\n".join(low)
