"""Browser checks of the built site: Playwright for Python driving Debian's chromium.

One session builds the site (``make html``), serves a copy of ``_build/html``
(``_build/snapshot``: ``tests/site`` may rebuild the site meanwhile) on
127.0.0.1, opens one browser, and visits every page of the build once per
viewport and colour scheme (``survey``); the tests judge what the visits
recorded. Full-page screenshots of every light-scheme visit land in
``_build/screenshots/``.
"""

from __future__ import annotations

import functools
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, sync_playwright
from sitetools import BUILD, REPO, reader_environment, site_snapshot

from .harness import (
    CHROMIUM,
    CHROMIUM_ARGS,
    MEASURE,
    ROOTS,
    VIEWPORTS,
    Site,
    Visit,
    click_every_copy_button,
    discover,
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
    """``survey(viewport, scheme)``: every page visited once, memoized."""

    @functools.cache
    def run(viewport: str, scheme: str) -> dict[str, Visit]:
        context = new_context(viewport, scheme)
        visits = {}
        for page_name in site.pages:
            visit = Visit(page_name, viewport, scheme)
            survey_page(context, site, page_name, visit)
            visits[page_name] = visit
        return visits

    return run


@pytest.fixture(scope="session")
def copies(
    site: Site, new_context: Callable[..., BrowserContext]
) -> dict[str, list[dict]]:
    """Every copy button of the site, clicked: per page, what each one copied."""
    return click_every_copy_button(new_context("laptop", "light"), site)


@pytest.fixture(scope="session")
def reader_python() -> Path:
    """A clean virtualenv with only the package's runtime libraries (one for all
    scripts, kept in the user's cache: see ``sitetools.reader_environment``)."""
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
