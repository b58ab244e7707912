/* Layout of codediff panes, measured in the browser (loaded with defer).
 *
 * A codediff keeps its panes side by side in the text column while every line
 * of every pane fits its pane. Otherwise, on a wide screen, it takes the width
 * of the secondary sidebar too (codediff-wide); if a line still does not fit,
 * its panes go one above the other, each as wide as the codediff
 * (codediff-stacked). The classes are styled by codediff.css. Measured again
 * when the window is resized and once the fonts have loaded.
 */
(() => {
  "use strict";

  const WIDE = window.matchMedia("(min-width: 1200px)");

  const overflows = (codediff) =>
    Array.from(codediff.querySelectorAll(".codediff-pane div.highlight")).some(
      (scroller) => scroller.scrollWidth > scroller.clientWidth + 1,
    );

  const layout = () => {
    const codediffs = Array.from(document.querySelectorAll(".bd-article .codediff"));
    codediffs.forEach((codediff) =>
      codediff.classList.remove("codediff-wide", "codediff-stacked", "full-width"),
    );
    // Measure all, then change all: one layout pass per step, not per codediff.
    let cut = codediffs.filter(overflows);
    if (WIDE.matches) {
      // full-width: sphinx-book-theme collapses its table of contents while
      // such content is on screen (it looks for the class at DOMContentLoaded,
      // which comes after this deferred script).
      cut.forEach((codediff) => codediff.classList.add("codediff-wide", "full-width"));
      cut = cut.filter(overflows);
    }
    cut.forEach((codediff) => codediff.classList.add("codediff-stacked"));
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
