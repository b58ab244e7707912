"""The built site as files: offline assets, favicon, alt texts, landing cards, logs.

What a browser does with these pages (requests, console, layout) is checked in
``tests/browser``; these tests read the HTML that the ``build`` fixture made.
"""

from __future__ import annotations

import re
import runpy
from pathlib import Path
from urllib.parse import urlsplit

import html5lib
import pytest
from PIL import Image

from lr_scheduling import schedules

REPO = Path(__file__).resolve().parents[2]
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")


def parse(path: Path):
    return html5lib.parse(path.read_bytes(), namespaceHTMLElements=False)


def classes(element) -> set[str]:
    return set(element.get("class", "").split())


def is_external(url: str) -> bool:
    """A URL that a browser would fetch from another host."""
    return bool(urlsplit(url).scheme in {"http", "https"} or url.startswith("//"))


def test_no_page_loads_a_script_stylesheet_or_font_from_another_host(build):
    loaded = {}
    for page in build.pages():
        tree = parse(page)
        urls = [e.get("src") for e in tree.iter("script") if e.get("src")]
        urls += [e.get("href") for e in tree.iter("link") if e.get("href")]
        urls += re.findall(r"@import\s+(?:url\()?[\"']?([^\"');\s]+)", page.read_text())
        loaded[page.relative_to(build.html).as_posix()] = urls
    external = {p: [u for u in urls if is_external(u)] for p, urls in loaded.items()}
    assert {p: u for p, u in external.items() if u} == {}
    # Not vacuous: the pages do load scripts and stylesheets, MathJax among them.
    assert len(loaded["index.html"]) >= 10
    assert any(
        urlsplit(u).path.endswith("_static/mathjax/tex-mml-chtml.js")
        for u in loaded["docs/api.html"]
    )


def test_no_stylesheet_imports_or_fetches_from_another_host(build):
    """Fonts included: a url(https://...) in any CSS file would be fetched."""
    sheets = sorted((build.html / "_static").rglob("*.css"))
    assert len(sheets) >= 5
    remote = re.compile(r"""(?:@import\s+|url\()\s*["']?(?:https?:)?//""")
    assert [
        s.name for s in sheets if remote.search(s.read_text(errors="replace"))
    ] == []


def test_mathjax_is_served_from_the_site_with_its_font(build):
    api = (build.html / "docs" / "api.html").read_text()
    # Sphinx adds ?v=<checksum> when the file is already in the output.
    assert re.search(r'src="\.\./_static/mathjax/tex-mml-chtml\.js(\?v=\w+)?"', api)
    assert '"loader": {"paths": {"fonts": "[mathjax]/fonts"}}' in api
    assert "cdn.jsdelivr" not in api
    mathjax = build.html / "_static" / "mathjax"
    assert (mathjax / "tex-mml-chtml.js").stat().st_size > 500_000
    # What the browser fetches while typesetting the API page's formulas.
    font = mathjax / "fonts" / "mathjax-newcm-font" / "chtml"
    assert (font / "woff2" / "mjx-ncm-n.woff2").is_file()
    assert (font / "dynamic").is_dir()
    assert (mathjax / "sre" / "speech-worker.js").is_file()
    assert (mathjax / "sre" / "mathmaps" / "en.json").is_file()
    # Node.js-only files stay out of the site.
    assert not list(mathjax.rglob("*.mjs")) and not list(mathjax.rglob("*.cjs"))


def test_the_api_page_has_formulas_for_mathjax(build):
    api = (build.html / "docs" / "api.html").read_text()
    # One display formula each: triangular, cyclical, cyclical momentum,
    # one-cycle, warm restarts and WSD (their docstrings' ``.. math::``).
    assert api.count('<div class="math notranslate nohighlight">') == 6
    assert r"\begin{cases}" in api


def test_every_page_links_the_favicon(build):
    favicon = build.html / "_static" / "favicon.svg"
    assert favicon.read_text().lstrip().startswith("<svg")
    for page in build.pages():
        icons = [e for e in parse(page).iter("link") if e.get("rel") == "icon"]
        assert len(icons) == 1, page
        assert (page.parent / icons[0].get("href")).resolve() == favicon.resolve()


def test_the_theme_gets_a_valid_colour_mode(build):
    """Unset, pydata-sphinx-theme's JS logs "Got invalid theme mode"."""
    index = (build.html / "index.html").read_text()
    assert '<body data-default-mode="auto">' in index
    assert 'localStorage.getItem("mode") || "auto"' in index


def test_site_css_is_registered_with_the_phone_wrapping(build):
    index = parse(build.html / "index.html")
    hrefs = [e.get("href") for e in index.iter("link") if e.get("rel") == "stylesheet"]
    assert any(h.startswith("_static/site.css") for h in hrefs), hrefs
    css = (build.html / "_static" / "site.css").read_text()
    assert "dl.py > dt.sig {" in css
    assert 'html[data-theme="dark"] .bd-content figure img.plot-directive {' in css


def test_every_image_has_alt_text_that_is_not_a_path(build):
    images = {}
    for page in build.pages():
        for image in parse(page).iter("img"):
            images[(page.relative_to(build.html).as_posix(), image.get("src"))] = (
                image.get("alt") or ""
            ).strip()
    assert len(images) >= 2  # the how-to's figures at least
    bad = {
        key: alt
        for key, alt in images.items()
        if not alt
        or "/" in alt
        or alt.lower().endswith(IMAGE_SUFFIXES)
        or alt == key[1]
    }
    assert bad == {}


def test_figures_have_a_transparent_background(build):
    figures = sorted((build.html / "_images").glob("*.png"))
    plotted = [
        f for f in figures if list((REPO / "_build" / "plot_directive").rglob(f.name))
    ]
    assert plotted, figures  # the how-tos' plot figures
    for figure in plotted:
        with Image.open(figure) as image:
            assert image.mode == "RGBA", figure.name
            assert image.getpixel((2, 2))[3] == 0, figure.name  # no white backing


def howto_pages() -> list[str]:
    sources = [p for p in (REPO / "howtos").iterdir() if p.suffix in {".rst", ".md"}]
    return sorted(f"howtos/{p.stem}.html" for p in sources)


def page_title(page: Path) -> str:
    """A built page's first heading, as its text."""
    heading = next(parse(page).iter("h1"))
    return "".join(heading.itertext()).replace("#", "").strip()


def test_the_landing_page_has_a_card_for_each_howto(build):
    """Every how-to, however many, has a card titled as the page is."""
    index = parse(build.html / "index.html")
    cards = [e for e in index.iter("div") if "sd-card" in classes(e)]
    linked = {}
    for card in cards:
        links = [
            a.get("href") for a in card.iter("a") if "sd-stretched-link" in classes(a)
        ]
        title = "".join(
            next(
                e for e in card.iter("div") if "sd-card-title" in classes(e)
            ).itertext()
        )
        # The reading order's cards are numbered ("1. Schedules in ...").
        linked[links[0] if links else None] = re.sub(r"^\d+\. ", "", title.strip())
    assert len(howto_pages()) >= 4
    for page in howto_pages():
        assert page in linked, (page, linked)
        assert linked[page] == page_title(build.html / page), page
    assert linked["docs/results.html"] == "Results"
    assert linked["docs/api.html"] == "API reference"
    assert None not in linked


def test_the_landing_page_keeps_the_navigation(build):
    nav = (build.html / "index.html").read_text()
    for page in ["howtos/lr_schedule.html", "docs/codediff.html", "docs/api.html"]:
        assert f'class="reference internal" href="{page}"' in nav


def test_the_api_page_leads_with_the_factories(build):
    api = (build.html / "docs" / "api.html").read_text()
    order = [
        'id="lr_scheduling.create_triangular_schedule"',
        'id="lr_scheduling.cyclical_schedule"',
        'id="helpers"',
        'id="lr_scheduling.schedules.cycle_position"',
        'id="lr_scheduling.schedules.check_rate_bounds"',
        'id="lr_scheduling.schedules.check_step_count"',
        'id="lr_scheduling.schedules.MODES"',
        'id="lr_scheduling.schedules.SCALE_MODES"',
        'id="lr_scheduling.data.load_digits"',
        'id="lr_scheduling.data.load_mnist"',
        'id="installing-the-package"',
    ]
    positions = [api.find(marker) for marker in order]
    assert -1 not in positions, dict(zip(order, positions, strict=True))
    assert positions == sorted(positions)
    install = re.sub(r"<[^>]+>", "", api[positions[-1] :])
    assert (
        install.count('pip install "./lr_scheduling-0.1.0-py3-none-any.whl[guide]"')
        == 1
    )


def test_the_api_page_shows_the_real_constants():
    text = (REPO / "docs" / "api.rst").read_text()
    for name in ("MODES", "SCALE_MODES"):
        shown = re.search(rf"py:data:: {name}\n   :value: (.+)\n", text).group(1)
        assert shown == repr(getattr(schedules, name)).replace("'", '"')


def test_every_function_reference_is_a_link(build):
    """The factories are documented under ``lr_scheduling``, where pages import
    them from, so :func:`lr_scheduling.cyclical_schedule` finds its entry."""
    xref = re.compile(
        r'(<a class="reference internal" href="[^"]*"[^>]*>)?<code class="xref py py-func'
    )
    found = {
        page.relative_to(build.html).as_posix(): [
            bool(m.group(1)) for m in xref.finditer(page.read_text())
        ]
        for page in build.pages()
    }
    assert sum(map(len, found.values())) >= 2
    assert {page: links for page, links in found.items() if not all(links)} == {}


def test_builds_print_no_myst_configuration_dump(build):
    for log in (build.first_log, build.second_log, build.doctest_log):
        assert "MdParserConfig(" not in log
        assert "NbParserConfig(" not in log
        assert "Using jupyter-cache" not in log
    assert "build succeeded." in build.first_log


@pytest.mark.parametrize("which", ["second_log", "doctest_log"])
def test_later_builds_reuse_the_environment_as_it_is(build, which):
    log = getattr(build, which)
    assert "loading pickled environment... done" in log
    assert "The configuration has changed" not in log
    assert "0 added, 0 changed, 0 removed" in log


def test_intersphinx_is_opt_in(monkeypatch):
    monkeypatch.delenv("LR_SCHEDULING_INTERSPHINX", raising=False)
    assert (
        "sphinx.ext.intersphinx"
        not in runpy.run_path(str(REPO / "conf.py"))["extensions"]
    )
    monkeypatch.setenv("LR_SCHEDULING_INTERSPHINX", "1")
    conf = runpy.run_path(str(REPO / "conf.py"))
    assert "sphinx.ext.intersphinx" in conf["extensions"]
    assert set(conf["intersphinx_mapping"]) == {
        "python",
        "numpy",
        "jax",
        "optax",
        "flax",
    }
