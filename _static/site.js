/* Site behaviour beside the theme's (loaded with defer; tests/browser checks it).
 *
 * 1. Plain code blocks as wide as codediffs: on a wide screen a code or output
 *    block whose lines do not fit the text column takes the width of the
 *    secondary sidebar too, as layout.js does for codediffs (codediff-wide).
 *    "full-width" makes sphinx-book-theme collapse its table of contents
 *    while the block is on screen (it looks for the class at
 *    DOMContentLoaded, which comes after this deferred script).
 * 2. Search snippets from the page's text: Sphinx's search summarises the
 *    element with role="main", which in pydata-sphinx-theme is <main>, holding
 *    the article's header (the colour-mode menu: "System Settings Light
 *    Dark") before the article; the summary is taken from the article.
 */
(() => {
  "use strict";

  const WIDE = window.matchMedia("(min-width: 1200px)");
  const PLAIN = ".bd-article div[class*='highlight-']";

  const cut = (block) => {
    const pre = block.querySelector("pre");
    return !!pre && pre.scrollWidth > pre.clientWidth + 1;
  };

  const layout = () => {
    const blocks = Array.from(document.querySelectorAll(PLAIN)).filter(
      (block) => !block.closest(".codediff"),
    );
    blocks.forEach((block) => block.classList.remove("code-wide", "full-width"));
    if (!WIDE.matches) return;
    blocks.filter(cut).forEach((block) => block.classList.add("code-wide", "full-width"));
  };

  let pending = false;
  const relayout = () => {
    if (!pending) {
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        layout();
      });
    }
  };
  layout();
  window.addEventListener("resize", relayout);
  // fonts.ready can settle before a web font is even requested; a font that
  // arrives later widens the lines again.
  if (document.fonts) {
    document.fonts.ready.then(relayout);
    document.fonts.addEventListener("loadingdone", relayout);
  }
  window.addEventListener("load", relayout);

  // typeof: Search is a global of Sphinx's searchtools.js, on every page.
  if (typeof Search !== "undefined" && Search.htmlToText) {
    const htmlToText = Search.htmlToText;
    Search.htmlToText = (htmlString, anchor) => {
      const page = new DOMParser().parseFromString(htmlString, "text/html");
      const article = page.querySelector("article.bd-article");
      if (!article) return htmlToText(htmlString, anchor);
      page.querySelectorAll("[role='main']").forEach((e) => e.removeAttribute("role"));
      article.setAttribute("role", "main");
      return htmlToText(page.documentElement.outerHTML, anchor);
    };
  }
})();
