"""What the browser tests share: the server, page visits, and what a visit records.

A visit opens a page that records console errors and aborts (and records)
every request that would leave 127.0.0.1, waits for fonts and layout, and
takes the measurements of ``measure.js`` and of the code blocks and tables.
Each page is opened twice, on a laptop and on a phone, and measured in each
of its ``VIEWS`` in turn: the first as it loads, the others after the
reader's system switches the colour scheme, or the window is widened, on the
open page. With ``LR_SCHEDULING_SCREENSHOTS=1`` (``make browser-test``) a
full-page screenshot at 1280 and 390 px in the light scheme lands under
``_build/screenshots/``.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import pickle
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from docutils import nodes
from playwright.sync_api import BrowserContext, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from sitetools import BUILD, REPO

SCREENSHOTS = BUILD / "screenshots"
ROOTS = REPO / "tests" / "roots"
MEASURE = Path(__file__).with_name("measure.js")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

VIEWPORTS = {
    "laptop": {"width": 1280, "height": 800},
    "phone": {"width": 390, "height": 844},
    "wide": {"width": 1920, "height": 1080},
}

# The (viewport, scheme) views each page is measured in, by the viewport it
# is opened in: it loads in the first view; for each next one the colour
# scheme switches, or the window widens, on the open page. So every page
# loads once in each scheme (dark on a laptop, light on a phone), is measured
# in both at 1280 and 390 px, and is measured widened to 1920 px, where
# layout.js lays it out again as it does when a reader widens the window.
VIEWS = {
    "laptop": (("laptop", "dark"), ("laptop", "light"), ("wide", "light")),
    "phone": (("phone", "light"), ("phone", "dark")),
}
# The views with a screenshot: the widths a reader's laptop and phone have.
# Taken where LR_SCHEDULING_SCREENSHOTS=1 (make browser-test), for people to
# look at; nothing reads them, so make test takes none.
SCREENSHOT_VIEWS = {("laptop", "light"), ("phone", "light")}
SCREENSHOTS_WANTED = os.environ.get("LR_SCHEDULING_SCREENSHOTS") == "1"

# After load: the fonts, then two frames, so that layout.js has measured.
SETTLE = """() => document.fonts.ready.then(() => new Promise(
    done => requestAnimationFrame(() => requestAnimationFrame(done))))"""

# A panel's links that a reader can see and tap: inside the viewport and not
# covered by anything else.
REACHABLE_LINKS = """(selector) => {
  const panel = document.querySelector(selector);
  if (!panel) return [];
  return Array.from(panel.querySelectorAll("a[href]")).filter((link) => {
    const box = link.getBoundingClientRect();
    if (box.width < 1 || box.height < 1) return false;
    const x = box.left + Math.min(box.width / 2, 20), y = box.top + box.height / 2;
    if (x < 0 || y < 0 || x > innerWidth || y > innerHeight) return false;
    const hit = document.elementFromPoint(x, y);
    return !!hit && (hit === link || link.contains(hit));
  }).map((link) => link.textContent.trim());
}"""

# Search fields and buttons that a reader can see, less those in the article
# and the search page's own form.
VISIBLE_SEARCH = """() => Array.from(document.querySelectorAll(
    ".search-button-field, .search-button, form.bd-search, input[type=search]"))
  .filter((e) => !e.closest(".bd-article, .bd-search-container, dialog:not([open])"))
  .filter((e) => { const b = e.getBoundingClientRect();
    return b.width > 0 && b.height > 0 && getComputedStyle(e).visibility === "visible"; })
  .length"""


# Plain code and output blocks (not codediff panes): their width, the width of
# the text column, whether any line is cut (the <pre> scrolls), and whether
# the box that holds it clips it (an admonition narrower than the block).
CODE_BLOCKS = """() => {
  const column = document.querySelector(".bd-article")?.getBoundingClientRect();
  if (!column) return [];
  return Array.from(document.querySelectorAll(".bd-article div[class*='highlight-']"))
    .filter((b) => !b.closest(".codediff") && b.offsetParent !== null)
    .map((b) => {
      const pre = b.querySelector("pre"), box = b.getBoundingClientRect();
      // Clipped: an ancestor in the article that hides overflow ends first.
      let clipped = false;
      for (let e = b.parentElement; e && !e.matches(".bd-article"); e = e.parentElement) {
        const style = getComputedStyle(e);
        if (style.overflowX !== "visible" && e.getBoundingClientRect().right < box.right - 1) {
          clipped = true;
        }
      }
      return {text: pre.textContent.split("\\n")[0].slice(0, 60),
              width: box.width, right: box.right, column: column.width,
              cut: pre.scrollWidth > pre.clientWidth + 1, clipped};
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


@dataclass
class Site:
    """A built site served over HTTP."""

    root: Path
    base: str
    pages: list[str]

    def url(self, page: str) -> str:
        return self.base + page


@dataclass
class Visit:
    """What one page showed in one viewport and colour scheme."""

    page: str
    viewport: str
    scheme: str
    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    data: dict = field(default_factory=dict)


def discover(root: Path) -> list[str]:
    """Every page of a build: its .html files outside ``_static``, ``_sources``..."""
    return sorted(
        path.relative_to(root).as_posix()
        for path in root.rglob("*.html")
        if not any(part.startswith(("_", ".")) for part in path.relative_to(root).parts)
    )


def serve(directory: Path) -> tuple[str, http.server.ThreadingHTTPServer]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}/", server


@dataclass
class Recorder:
    """Where an open page's console errors and outside requests go: the visit
    of the view being measured."""

    visit: Visit


def open_tab(context: BrowserContext, recorder: Recorder) -> Page:
    """A browser tab that records console errors and aborts outside requests.

    One tab serves a whole survey, page after page: a new tab starts a
    renderer process (0.67 s a page, where loading the next page in an open
    tab takes 0.21 s), and each load is a fresh document all the same."""
    page = context.new_page()

    def on_console(message) -> None:
        if message.type == "error":
            where = message.location.get("url", "")
            recorder.visit.errors.append(f"console error: {message.text} ({where})")

    def on_page_error(error) -> None:
        recorder.visit.errors.append(f"page error: {error}")

    def on_request(route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            recorder.visit.outside.append(route.request.url)
            route.abort()

    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    page.route("**/*", on_request)
    return page


def load(tab: Page, url: str, recorder: Recorder) -> None:
    """Loads a page in the tab in the recorder's view (its viewport and colour
    scheme, set before the load), then waits for fonts and layout."""
    take_view(tab, recorder.visit)
    tab.goto(url, wait_until="load")
    tab.evaluate(SETTLE)


def take_view(tab: Page, visit: Visit) -> None:
    """The tab takes the visit's viewport (where it differs) and colour scheme."""
    if tab.viewport_size != VIEWPORTS[visit.viewport]:
        tab.set_viewport_size(VIEWPORTS[visit.viewport])
    tab.emulate_media(color_scheme=visit.scheme)


def try_toggle(page: Page, toggle: str, panel: str) -> dict:
    """Taps a visible sidebar toggle; which of the panel's links became reachable."""
    result = {"panel": page.locator(f"{panel} a[href]").count() > 0}
    buttons = page.locator(toggle).filter(visible=True)
    result["visible"] = buttons.count() > 0
    result["before"] = page.evaluate(REACHABLE_LINKS, panel)
    if result["visible"]:
        buttons.first.click(timeout=5000)
        opened = f"() => ({REACHABLE_LINKS})({json.dumps(panel)}).length > 0"
        with contextlib.suppress(PlaywrightTimeoutError):
            page.wait_for_function(opened, timeout=1500)
        result["after"] = page.evaluate(REACHABLE_LINKS, panel)
        page.keyboard.press("Escape")
        with contextlib.suppress(PlaywrightTimeoutError):
            page.wait_for_function(f"() => !({opened})()", timeout=1500)
    return result


def survey_page(
    tab: Page, recorder: Recorder, site: Site, page_name: str, opened_in: str
) -> dict[tuple[str, str], Visit]:
    """One page loaded in the tab in the first of its ``VIEWS``, then measured
    in each; on a laptop, each copy button is then clicked (``data["copies"]``
    of the laptop's light view)."""
    views = VIEWS[opened_in]
    visits = {view: Visit(page_name, *view) for view in views}
    recorder.visit = visits[views[0]]
    load(tab, site.url(page_name), recorder)
    for view, visit in visits.items():
        if view != views[0]:
            recorder.visit = visit
            change_view(tab, visit)
        measure(tab, visit)
    if opened_in == "laptop":
        tab.set_viewport_size(VIEWPORTS["laptop"])
        tab.evaluate(SETTLE)
        copies = click_copy_buttons(tab)
        visits["laptop", "light"].data["copies"] = copies
    return visits


def change_view(page: Page, visit: Visit) -> None:
    """The open page takes the visit's viewport and colour scheme, as when
    the window is resized or the system's scheme switches. The theme follows
    the scheme (its data-theme, which the tests then read)."""
    take_view(page, visit)
    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_function(
            "(scheme) => document.documentElement.dataset.theme === scheme",
            arg=visit.scheme,
            timeout=5000,
        )
    page.evaluate(SETTLE)


def measure(page: Page, visit: Visit) -> None:
    """What the open page shows in the visit's view: ``visit.data``."""
    data = visit.data
    data["theme"] = page.evaluate("document.documentElement.dataset.theme")
    data["scroll_width"] = page.evaluate(
        "[document.documentElement.scrollWidth, innerWidth]"
    )
    data["lines"] = page.evaluate("__measure.codediffLines()")
    data["pads"] = page.evaluate("__measure.visiblePads()")
    data["contrast"] = page.evaluate("__measure.codediffContrast()")
    data["search_fields"] = page.evaluate(VISIBLE_SEARCH)
    data["code_blocks"] = page.evaluate(CODE_BLOCKS)
    data["tables"] = page.evaluate(TABLES)
    # Screenshots for people to look at, when asked for (make browser-test):
    # a full-page shot takes as long as the rest of the measurements.
    if SCREENSHOTS_WANTED and (visit.viewport, visit.scheme) in SCREENSHOT_VIEWS:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = visit.page.removesuffix(".html").replace("/", "__")
        page.screenshot(
            path=SCREENSHOTS / f"{name}-{visit.viewport}.png", full_page=True
        )
    data["bands"] = page.evaluate("__measure.scrolledBands()")
    if visit.viewport == "phone":
        data["nav"] = try_toggle(page, ".primary-toggle", ".bd-sidebar-primary")
        data["contents"] = try_toggle(
            page, ".secondary-toggle", ".bd-sidebar-secondary"
        )


NOTHING = "\u0000 nothing was copied"
OPEN_DROPDOWNS = (
    "() => document.querySelectorAll('details').forEach((d) => { d.open = true; })"
)


def click_copy_buttons(page: Page) -> list[dict]:
    """Clicks each copy button of an open page; what each put on the clipboard.

    Last in a visit: it opens every dropdown, which changes the layout."""
    page.evaluate(OPEN_DROPDOWNS)  # a button in a closed one can't be clicked
    targets = page.evaluate("__measure.copyTargets()")
    for target in targets:
        page.evaluate("(text) => navigator.clipboard.writeText(text)", NOTHING)
        button = page.locator(f"button.copybtn[data-measure-index='{target['index']}']")
        button.evaluate("(b) => b.scrollIntoView({block: 'center'})")
        button.click(timeout=5000)
        target["copied"] = page.evaluate("navigator.clipboard.readText()")
    return targets


def click_every_copy_button(
    context: BrowserContext, site: Site
) -> dict[str, list[dict]]:
    """Clicks each copy button of each page; what it put on the clipboard."""
    recorder = Recorder(Visit("", "laptop", "light"))
    tab = open_tab(context, recorder)
    results = {}
    try:
        for page_name in site.pages:
            recorder.visit = Visit(page_name, "laptop", "light")
            load(tab, site.url(page_name), recorder)
            results[page_name] = click_copy_buttons(tab)
    finally:
        tab.close()
    return results


def output_block_texts(doctrees: Path) -> set[str]:
    """The text of every ``testoutput`` block, from Sphinx's pickled doctrees."""
    texts = set()
    for path in doctrees.rglob("*.doctree"):
        with path.open("rb") as file:
            doctree = pickle.load(file)
        for node in doctree.findall(nodes.literal_block):
            if node.get("testnodetype") == "testoutput":
                texts.add(node.astext().strip())
    return texts
