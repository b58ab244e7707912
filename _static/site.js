/* Site behaviour beside the theme's (loaded with defer; tests/browser checks it).
 *
 * Search snippets from the page's text: Sphinx's search summarises the
 * element with role="main", which in pydata-sphinx-theme is <main>, holding
 * the article's header (the colour-mode menu: "System Settings Light Dark")
 * before the article; the summary is taken from the article. (layout.js sizes
 * the code blocks.)
 */
(() => {
  "use strict";

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
