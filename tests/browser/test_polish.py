"""What a new reader noticed, checked by geometry in chromium: plain code blocks
as wide as codediffs, tables that fit a phone or scroll in their own box with
names kept whole, the download and provenance lines, and search snippets
drawn from page text (``_static/site.js``, ``_static/site.css``)."""

from __future__ import annotations

import pytest

from .harness import SETTLE

# Plain code and output blocks (not codediff panes): their width, the width of
# the text column, and whether any line is cut (the <pre> scrolls).
CODE_BLOCKS = """() => {
  const column = document.querySelector(".bd-article").getBoundingClientRect();
  return Array.from(document.querySelectorAll(".bd-article div[class*='highlight-']"))
    .filter((b) => !b.closest(".codediff") && b.offsetParent !== null)
    .map((b) => {
      const pre = b.querySelector("pre"), box = b.getBoundingClientRect();
      return {text: pre.textContent.split("\\n")[0].slice(0, 60),
              width: box.width, right: box.right, column: column.width,
              cut: pre.scrollWidth > pre.clientWidth + 1};
    });
}"""

# Each table: whether it fits its scrolling box or that box scrolls; header
# cells cut by their own box; names in code broken mid-word (Sphinx writes
# each word of a literal as a span.pre: one broken over lines).
TABLES = """() => Array.from(document.querySelectorAll(".bd-article table")).map((t) => {
  const box = t.parentElement, style = getComputedStyle(box);
  const scrolls = ["auto", "scroll"].includes(style.overflowX);
  const headers = Array.from(t.querySelectorAll("th")).filter(
    (th) => th.scrollWidth > th.clientWidth + 1).length;
  const broken = Array.from(t.querySelectorAll("code.literal span.pre")).filter(
    (c) => c.getClientRects().length > 1).map((c) => c.textContent);
  return {fits: t.getBoundingClientRect().width <= box.clientWidth + 1,
          scrolls, headers, broken};
})"""


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


def test_no_plain_code_block_cuts_a_line_at_1280(site, new_context):
    """A block whose lines do not fit takes the width of the contents sidebar,
    as a codediff does; on the how-tos no line of any block is cut (elsewhere,
    a line longer than even that scrolls in a widened block)."""
    cut, wide = {}, 0
    for page in content_pages(site):
        tab = visit(new_context, site, page, "laptop")
        blocks = tab.evaluate(CODE_BLOCKS)
        tab.close()
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
    assert cut == {}
    assert wide >= 1  # the how-to's long lines do widen their blocks


def test_code_blocks_keep_the_column_on_a_phone(site, new_context):
    tab = visit(new_context, site, "howtos/lr_schedule.html", "phone")
    blocks = tab.evaluate(CODE_BLOCKS)
    scroll = tab.evaluate("() => document.documentElement.scrollWidth")
    tab.close()
    assert blocks and all(b["width"] <= b["column"] + 1 for b in blocks)
    assert any(b["cut"] for b in blocks)  # they scroll in their own box instead
    assert scroll <= 390


@pytest.mark.parametrize("viewport", ["phone", "laptop"])
def test_tables_fit_or_scroll_in_their_box_with_names_whole(
    site, new_context, viewport
):
    seen = 0
    for page in content_pages(site):
        tab = visit(new_context, site, page, viewport)
        tables = tab.evaluate(TABLES)
        scroll = tab.evaluate("() => document.documentElement.scrollWidth")
        tab.close()
        seen += len(tables)
        width = 390 if viewport == "phone" else 1280
        assert scroll <= width, page
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
