"""What a new reader noticed, checked by geometry in chromium: plain code blocks
as wide as codediffs, tables that fit a phone or scroll in their own box with
names kept whole, the download and provenance lines, and search snippets
drawn from page text (``_static/layout.js``, ``_static/site.js``,
``_static/site.css``)."""

from __future__ import annotations

import pytest

from .harness import SETTLE


def visit(new_context, site, page: str, viewport: str):
    context = new_context(viewport, "light")
    tab = context.new_page()
    tab.route(
        "**/*",
        lambda r: r.continue_() if r.request.url.startswith(site.base) else r.abort(),
    )
    tab.goto(site.url(page))
    tab.evaluate(SETTLE)
    return tab


def content_pages(site) -> list[str]:
    return [
        p
        for p in site.pages
        if p not in {"genindex.html", "search.html", "py-modindex.html"}
    ]


def test_no_plain_code_block_cuts_a_line_at_1280(site, survey):
    """A block whose lines do not fit takes the width of the contents sidebar,
    as a codediff does; on the how-tos no line of any block is cut (elsewhere,
    a line longer than even that scrolls in a widened block)."""
    cut, wide = {}, 0
    for page in content_pages(site):
        blocks = survey("laptop", "light")[page].data["code_blocks"]
        howto = page.startswith("howtos/")
        cut.update(
            {
                (page, b["text"]): b["width"]
                for b in blocks
                if b["cut"] and (howto or b["width"] < b["column"] + 100)
            }
        )
        wide += sum(b["width"] > b["column"] + 100 for b in blocks)
        assert all(b["right"] <= 1280 for b in blocks), page
        assert [b["text"] for b in blocks if b["clipped"]] == [], page
    assert cut == {}
    assert wide >= 1  # the how-to's long lines do widen their blocks


def test_code_blocks_keep_the_column_on_a_phone(survey):
    visit = survey("phone", "light")["howtos/lr_schedule.html"]
    blocks = visit.data["code_blocks"]
    assert blocks and all(b["width"] <= b["column"] + 1 for b in blocks)
    assert not any(b["clipped"] for b in blocks)
    assert any(b["cut"] for b in blocks)  # they scroll in their own box instead
    assert visit.data["scroll_width"][0] <= 390


@pytest.mark.parametrize("viewport", ["phone", "laptop"])
def test_tables_fit_or_scroll_in_their_box_with_names_whole(site, survey, viewport):
    seen = 0
    for page in content_pages(site):
        visit = survey(viewport, "light")[page]
        tables = visit.data["tables"]
        seen += len(tables)
        width = 390 if viewport == "phone" else 1280
        assert visit.data["scroll_width"][0] <= width, page
        for table in tables:
            assert table["fits"] or table["scrolls"], (page, table)
            assert table["headers"] == 0, (page, table)
            assert table["broken"] == [], (page, table)
    assert seen >= 5


def test_the_download_line_and_the_provenance_line_are_shown(site, new_context):
    tab = visit(new_context, site, "howtos/lr_schedule.html", "phone")
    links = tab.locator("p.track-downloads a.track-download")
    assert links.count() >= 2
    assert all(links.nth(i).is_visible() for i in range(links.count()))
    response = tab.request.get(links.first.evaluate("a => a.href"))
    assert response.ok and response.text().startswith(("import", "from"))
    assert tab.locator("p.page-provenance").is_visible()
    tab.close()


def test_search_snippets_show_page_text(site, new_context):
    context = new_context("laptop", "light")
    tab = context.new_page()
    tab.goto(site.url("search.html?q=triangular"))
    tab.wait_for_selector("#search-results ul.search li p.context", timeout=30_000)
    tab.wait_for_timeout(500)  # the other summaries arrive one by one
    snippets = tab.locator("#search-results li p.context").all_inner_texts()
    tab.close()
    assert len(snippets) >= 2
    assert not [s for s in snippets if "System Settings" in s or "Light" in s[:40]]
    assert any("triangular" in s.lower() for s in snippets)
