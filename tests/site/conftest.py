"""Fixtures for the copy test: the built site in a browser, and clean environments."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sitetools import BUILD, HTML, build_site, reader_environment, serve

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
OPEN_DROPDOWNS = (
    "() => document.querySelectorAll('details').forEach((d) => { d.open = true; })"
)
SHOWN = "(button) => document.querySelector(button.dataset.clipboardTarget).textContent"


@pytest.fixture(scope="session")
def site_url() -> Iterator[str]:
    build_site()
    with serve(HTML) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def copy_buttons(browser, site_url) -> Callable[[str], list[dict]]:
    def read(docname: str) -> list[dict]:
        context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
        page = context.new_page()
        page.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith(site_url)
                else route.abort()
            ),
        )
        page.goto(f"{site_url}{docname}.html", wait_until="load")
        # sphinx-copybutton adds its buttons once ClipboardJS, loaded
        # asynchronously, is there; it retries every 250 ms until then.
        page.wait_for_function("window.ClipboardJS !== undefined")
        page.wait_for_timeout(300)
        page.evaluate(OPEN_DROPDOWNS)
        buttons = []
        for button in page.locator("button.copybtn").all():
            page.evaluate("navigator.clipboard.writeText('')")
            button.click(force=True)  # it shows only on hover
            copied = page.evaluate("navigator.clipboard.readText()")
            buttons.append({"shown": button.evaluate(SHOWN), "copy": copied})
        context.close()
        return buttons

    return read


@pytest.fixture(scope="session")
def reader_python() -> Path:
    return reader_environment(BUILD / "copytest" / "venv")


@pytest.fixture(scope="session")
def package_path(site_url) -> Path:
    """The wheel the site offers, installed into a folder of its own."""
    (wheel,) = HTML.glob("lr_scheduling-*.whl")
    target = BUILD / "copytest" / "wheel"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--upgrade",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    return target
