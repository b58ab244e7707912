/* Layout of code blocks, measured in the browser (loaded with defer;
 * tests/browser checks it).
 *
 * codediff.css puts a codediff's panes side by side from 900 px on, where long
 * lines wrap inside their pane (with a continuation mark), and one above the
 * other below. On a wide screen a codediff with a wrapped line also takes the
 * width of the secondary sidebar (codediff-wide), so that fewer lines wrap;
 * likewise a plain code or output block whose lines do not fit the text
 * column (code-wide; inside an admonition, the admonition). "full-width" makes sphinx-book-theme collapse its table
 * of contents while such a block is on screen (it looks for the class at
 * DOMContentLoaded, which comes after this deferred script).
 * Measured again when the window is resized and when fonts load.
 */
(() => {
  "use strict";

  const WIDE = window.matchMedia("(min-width: 1200px)");
  const PLAIN = ".bd-article div[class*='highlight-']";

  // A codediff line wraps when its block is taller than the pane's shortest line.
  const wraps = (codediff) =>
    Array.from(codediff.querySelectorAll(".codediff-pane pre")).some((pre) => {
      const heights = Array.from(
        pre.querySelectorAll(':scope > span[id^="codediff-"]'),
        (line) => line.getBoundingClientRect().height,
      ).filter((height) => height > 0);
      return heights.length > 0 && Math.max(...heights) > 1.5 * Math.min(...heights);
    });

  // A plain block is cut when its lines scroll.
  const cut = (block) => {
    const pre = block.querySelector("pre");
    return !!pre && pre.scrollWidth > pre.clientWidth + 1;
  };

  const layout = () => {
    document
      .querySelectorAll(".bd-article .codediff-wide, .bd-article .code-wide")
      .forEach((element) =>
        element.classList.remove("codediff-wide", "code-wide", "full-width"),
      );
    if (!WIDE.matches) return;
    const codediffs = Array.from(document.querySelectorAll(".bd-article .codediff"));
    const blocks = Array.from(document.querySelectorAll(PLAIN)).filter(
      (block) => !block.closest(".codediff"),
    );
    // Measure all, then change all: one layout pass, not one per block. A
    // block inside an admonition widens the admonition, which would clip it.
    const wideCodediffs = codediffs.filter(wraps);
    const wideBlocks = blocks.filter(cut).map((b) => b.closest(".admonition") || b);
    wideCodediffs.forEach((c) => c.classList.add("codediff-wide", "full-width"));
    wideBlocks.forEach((b) => b.classList.add("code-wide", "full-width"));
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
})();
