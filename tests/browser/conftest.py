"""Browser checks of the built site: Playwright for Python driving Debian's chromium.

One session builds the site (``make html``), serves a copy of ``_build/html``
(``_build/snapshot``: ``tests/site`` may rebuild the site meanwhile) on
127.0.0.1, opens one browser, and opens every page of the build on a laptop
and on a phone, measuring it in each view (``harness.VIEWS``: both colour
schemes, and on the laptop widened to 1920 px) and on the laptop clicking
every copy button (``survey``); the tests judge what the visits recorded.
With ``LR_SCHEDULING_SCREENSHOTS=1`` (``make browser-test``), full-page
screenshots of the light scheme at 1280 and 390 px land in
``_build/screenshots/``.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, sync_playwright
from reader_env import reader_environment
from sitetools import BUILD, REPO, site_snapshot

from .harness import (
    CHROMIUM,
    CHROMIUM_ARGS,
    MEASURE,
    ROOTS,
    SCREENSHOTS,
    VIEWPORTS,
    VIEWS,
    Recorder,
    Site,
    Visit,
    discover,
    open_tab,
    serve,
    survey_page,
)


@pytest.fixture(scope="session")
def site() -> Iterator[Site]:
    html, _ = site_snapshot()  # tests/site may rebuild _build/html meanwhile
    base, server = serve(html)
    yield Site(html, base, discover(html))
    server.shutdown()


@pytest.fixture(scope="session")
def copy_site(site: Site) -> Iterator[Site]:
    """``tests/roots/test-browser-copy`` built with the site's own conf.py."""
    out = BUILD / "browser-roots" / "copy"
    subprocess.run(
        [
            *(sys.executable, "-m", "sphinx", "-q", "-b", "html"),
            *("-c", str(REPO), "-d", str(out / ".doctrees")),
            *(str(ROOTS / "test-browser-copy"), str(out)),
        ],
        check=True,
    )
    base, server = serve(out)
    yield Site(out, base, discover(out))
    server.shutdown()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def new_context(browser: Browser) -> Iterator[Callable[..., BrowserContext]]:
    contexts: list[BrowserContext] = []

    def make(viewport: str, scheme: str) -> BrowserContext:
        context = browser.new_context(
            viewport=VIEWPORTS[viewport],
            color_scheme=scheme,
            permissions=["clipboard-read", "clipboard-write"],
        )
        context.add_init_script(path=str(MEASURE))
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def survey(
    site: Site, new_context: Callable[..., BrowserContext]
) -> Callable[[str, str], dict[str, Visit]]:
    """``survey(viewport, scheme)``: every page as it showed, memoized. Each
    page is opened once per viewport of ``VIEWS`` and measured in its views."""
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)  # none left from other runs

    @functools.cache
    def open_every_page(opened_in: str) -> dict[tuple[str, str], dict[str, Visit]]:
        views = VIEWS[opened_in]
        recorder = Recorder(Visit("", *views[0]))
        tab = open_tab(new_context(*views[0]), recorder)
        found: dict[tuple[str, str], dict[str, Visit]] = {view: {} for view in views}
        try:
            for name in site.pages:
                for view, visit in survey_page(
                    tab, recorder, site, name, opened_in
                ).items():
                    found[view][name] = visit
        finally:
            tab.close()
        return found

    def run(viewport: str, scheme: str) -> dict[str, Visit]:
        (opened_in,) = (k for k, views in VIEWS.items() if (viewport, scheme) in views)
        return open_every_page(opened_in)[viewport, scheme]

    return run


@pytest.fixture(scope="session")
def copies(survey: Callable[[str, str], dict[str, Visit]]) -> dict[str, list[dict]]:
    """Every copy button of the site, clicked on a laptop: per page, what each
    one copied."""
    return {name: v.data["copies"] for name, v in survey("laptop", "light").items()}


@pytest.fixture(scope="session")
def reader_python() -> Path:
    """A clean virtualenv with only the package's runtime libraries (one for all
    scripts, kept in the user's cache: see ``reader_env.reader_environment``)."""
    return reader_environment()


@pytest.fixture(scope="session")
def package_path(site: Site) -> Path:
    """The wheel the site offers, installed into a folder of its own."""
    (wheel,) = site.root.glob("lr_scheduling-*.whl")
    target = BUILD / "copytest" / "wheel"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--upgrade"]
        + ["--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    return target
