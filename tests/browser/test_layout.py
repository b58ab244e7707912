"""Codediff panes and page width, measured in the browser."""

import pytest

from .harness import VIEWPORTS, VIEWS


def codediff_lines(visits, *, emphasized_only):
    """(page, codediff, pane, line) for every line, and the ones cut off."""
    checked, hidden = [], []
    for name, visit in visits.items():
        for codediff in visit.data["lines"]:
            for pane_index, pane in enumerate(codediff["panes"]):
                for line in pane["lines"]:
                    if emphasized_only and not line["emphasized"]:
                        continue
                    where = (
                        f"{name} codediff {codediff['index']} "
                        f"({' / '.join(codediff['title'])}) pane {pane_index}: "
                        f"{line['text'].strip()[:60]!r} ({line['chars']} chars; "
                        f"pane {pane['width']} px, {pane['charsVisible']} chars)"
                    )
                    checked.append(where)
                    if not line["visible"]:
                        hidden.append(where)
    return checked, hidden


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_emphasized_lines_visible_without_scrolling_at_1280(survey, scheme):
    checked, hidden = codediff_lines(survey("laptop", scheme), emphasized_only=True)
    assert checked, "no emphasized codediff line on any page"
    assert not hidden, f"{len(hidden)} of {len(checked)} cut off:\n" + "\n".join(hidden)


def test_every_codediff_line_visible_at_1920(survey):
    checked, hidden = codediff_lines(survey("wide", "light"), emphasized_only=False)
    assert checked, "no codediff line on any page"
    assert not hidden, f"{len(hidden)} of {len(checked)} cut off:\n" + "\n".join(hidden)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_page_scrolls_sideways_on_a_phone(survey, scheme):
    wide = {
        name: visit.data["scroll_width"]
        for name, visit in survey("phone", scheme).items()
        if visit.data["scroll_width"][0] > visit.data["scroll_width"][1]
    }
    assert not wide, f"[scrollWidth, innerWidth] of pages wider than a phone: {wide}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_stacked_panes_show_no_pad_rows_on_a_phone(survey, scheme):
    visits = survey("phone", scheme)
    stacked = [
        (name, codediff["index"])
        for name, visit in visits.items()
        for codediff in visit.data["lines"]
        if len(codediff["panes"]) > 1
    ]
    assert stacked, "no codediff on any page"
    pads = {name: v.data["pads"] for name, v in visits.items() if v.data["pads"]}
    assert not pads, f"visible pad rows: {pads}"


def test_panes_stack_on_a_phone(survey):
    # Stacked: each pane as wide as the codediff, so all panes share one width.
    for name, visit in survey("phone", "light").items():
        for codediff in visit.data["lines"]:
            widths = {pane["width"] for pane in codediff["panes"]}
            assert len(widths) == 1, (name, codediff["index"], widths)
            assert min(widths) > 300, (name, codediff["index"], widths)


def test_emphasis_band_and_mark_move_with_a_scrolled_line(survey):
    # On a phone long lines scroll in their pane; scrolled 60 px, each band must
    # still span the visible width and its line, and the mark move as the text.
    results = [
        (name, band)
        for name, visit in survey("phone", "light").items()
        for band in visit.data["bands"]
    ]
    assert results, "no pane scrolls sideways on a phone; nothing measured"
    for name, band in results:
        assert band["textMoved"] == pytest.approx(band["shift"], abs=1), (name, band)
        assert band["markMoved"] == pytest.approx(band["shift"], abs=1), (name, band)
        assert band["bandsCover"], (name, band)


def two_pane_codediffs(visits, prefix="howtos/"):
    """(where, geometry of each pane) of every two-pane codediff on the how-tos."""
    found = []
    for name, visit in visits.items():
        if not name.startswith(prefix):
            continue
        for codediff in visit.data["lines"]:
            if len(codediff["geometry"]) == 2:
                found.append((f"{name} codediff {codediff['index']}", codediff))
    return found


@pytest.mark.parametrize("viewport", ["laptop", "wide"])
def test_two_panes_side_by_side_with_every_line_shown(survey, viewport):
    # Geometry, not CSS: the panes share their top, the left one ends where
    # the right one begins, nothing scrolls, and every line's text lies inside
    # its pane (wrapped if it must, each wrapped line with its mark).
    found = two_pane_codediffs(survey(viewport, "light"))
    assert found, "no two-pane codediff on the how-tos"
    for where, codediff in found:
        left, right = codediff["geometry"]
        assert left["top"] == pytest.approx(right["top"], abs=1), (where, left, right)
        assert left["right"] <= right["left"] + 0.5, (where, left, right)
        assert not left["scrolls"] and not right["scrolls"], where
        for pane in (left, right):
            assert pane["lineElements"] > 0, where
            assert pane["wrappedUnmarked"] == 0, (where, pane)
        cut = [
            line["text"]
            for pane in codediff["panes"]
            for line in pane["lines"]
            if not line["visible"]
        ]
        assert not cut, (where, cut)


def test_two_panes_stack_on_a_phone(survey):
    found = two_pane_codediffs(survey("phone", "light"))
    assert found, "no two-pane codediff on the how-tos"
    for where, codediff in found:
        top, bottom = codediff["geometry"]
        assert bottom["top"] >= top["bottom"] - 0.5, (where, top, bottom)
        assert top["left"] == pytest.approx(bottom["left"], abs=1), where


@pytest.mark.parametrize("view", [v for views in VIEWS.values() for v in views])
def test_each_view_is_measured_at_its_width(survey, view):
    # A view measured on an open page (the window widened) took effect before
    # it was measured; test_theme.py checks the scheme likewise.
    viewport, scheme = view
    for name, visit in survey(viewport, scheme).items():
        assert visit.data["scroll_width"][1] == VIEWPORTS[viewport]["width"], name
