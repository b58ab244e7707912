/* Layout of codediff panes, measured in the browser (loaded with defer).
 *
 * codediff.css puts a codediff's panes side by side from 900 px on, where long
 * lines wrap inside their pane (with a continuation mark), and one above the
 * other below. On a wide screen a codediff with a wrapped line also takes the
 * width of the secondary sidebar (codediff-wide), so that fewer lines wrap.
 * Measured again when the window is resized and once the fonts have loaded.
 */
(() => {
  "use strict";

  const WIDE = window.matchMedia("(min-width: 1200px)");

  // A line wraps when its block is taller than the pane's shortest line.
  const wraps = (codediff) =>
    Array.from(codediff.querySelectorAll(".codediff-pane pre")).some((pre) => {
      const heights = Array.from(
        pre.querySelectorAll(':scope > span[id^="codediff-"]'),
        (line) => line.getBoundingClientRect().height,
      ).filter((height) => height > 0);
      return heights.length > 0 && Math.max(...heights) > 1.5 * Math.min(...heights);
    });

  const layout = () => {
    const codediffs = Array.from(document.querySelectorAll(".bd-article .codediff"));
    codediffs.forEach((codediff) =>
      codediff.classList.remove("codediff-wide", "full-width"),
    );
    if (!WIDE.matches) return;
    // Measure all, then change all: one layout pass, not one per codediff.
    // full-width: sphinx-book-theme collapses its table of contents while
    // such content is on screen (it looks for the class at DOMContentLoaded,
    // which comes after this deferred script).
    codediffs
      .filter(wraps)
      .forEach((codediff) => codediff.classList.add("codediff-wide", "full-width"));
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
  if (document.fonts) {
    document.fonts.ready.then(relayout);
  }
})();
