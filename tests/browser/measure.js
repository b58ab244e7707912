// Measurements that the browser tests take in the page: window.__measure.
// Every function returns plain data (JSON); the Python tests judge it.
(() => {
  "use strict";

  // -- colours ---------------------------------------------------------------

  let canvas = null;
  // Any CSS colour (rgb(), color(srgb ...), oklch(), ...) as [r, g, b, a], 0-255 and 0-1.
  const rgba = (css) => {
    if (!canvas) {
      canvas = document.createElement("canvas");
      canvas.width = canvas.height = 1;
    }
    const context = canvas.getContext("2d", { willReadFrequently: true });
    context.clearRect(0, 0, 1, 1);
    context.fillStyle = "rgba(0, 0, 0, 0)";
    context.fillStyle = css;
    context.fillRect(0, 0, 1, 1);
    const [r, g, b, a] = context.getImageData(0, 0, 1, 1).data;
    return [r, g, b, a / 255];
  };

  const over = ([r, g, b, a], [R, G, B]) => [
    r * a + R * (1 - a),
    g * a + G * (1 - a),
    b * a + B * (1 - a),
  ];

  // The opaque colour behind an element: its own background and those of its
  // ancestors, composited up to the first opaque one (white if none is).
  const backgroundOf = (element) => {
    const layers = [];
    for (let node = element; node && node.nodeType === 1; node = node.parentElement) {
      const colour = rgba(getComputedStyle(node).backgroundColor);
      if (colour[3] > 0) layers.push(colour);
      if (colour[3] >= 1) break;
    }
    let result = [255, 255, 255];
    for (const layer of layers.reverse()) result = over(layer, result);
    return result;
  };

  const opacityOf = (element) => {
    let opacity = 1;
    for (let node = element; node && node.nodeType === 1; node = node.parentElement) {
      opacity *= parseFloat(getComputedStyle(node).opacity);
    }
    return opacity;
  };

  const luminance = (rgb) => {
    const [r, g, b] = rgb.map((channel) => {
      const c = channel / 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };

  const ratio = (one, two) => {
    const [light, dark] = [luminance(one), luminance(two)].sort((x, y) => y - x);
    return (light + 0.05) / (dark + 0.05);
  };

  const textNodes = (root) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const found = [];
    while (walker.nextNode()) found.push(walker.currentNode);
    return found;
  };

  // Contrast of every non-blank text run in the codediffs (titles and code),
  // against the effective background of its line (an emphasized line's band
  // included), and of the gutter mark of every emphasized line.
  const codediffContrast = () => {
    const runs = [];
    for (const root of document.querySelectorAll(".codediff pre, .codediff .caption-text")) {
      for (const text of textNodes(root)) {
        if (!text.data.trim()) continue;
        const element = text.parentElement;
        const colour = rgba(getComputedStyle(element).color);
        colour[3] *= opacityOf(element);
        const background = backgroundOf(element);
        runs.push({
          text: text.data.trim().slice(0, 40),
          emphasized: !!element.closest(".hll"),
          ratio: ratio(over(colour, background), background),
        });
      }
    }
    const marks = [];
    for (const line of document.querySelectorAll(".codediff .hll")) {
      const style = getComputedStyle(line, "::before");
      if (style.content === "none") continue;
      const colour = rgba(style.color);
      colour[3] *= parseFloat(style.opacity) * opacityOf(line);
      const background = backgroundOf(line);
      marks.push({
        text: line.textContent.trim().slice(0, 40),
        ratio: ratio(over(colour, background), background),
      });
    }
    return { runs, marks };
  };

  // -- what can be seen ----------------------------------------------------

  // The horizontal interval of the viewport in which an element's content can
  // be seen: the viewport cut by every ancestor that clips overflow.
  const visibleInterval = (element) => {
    let left = 0;
    let right = document.documentElement.clientWidth;
    for (let node = element; node && node !== document.documentElement; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.overflowX !== "visible" || style.contain.includes("paint")) {
        const box = node.getBoundingClientRect();
        const inner = box.left + node.clientLeft;
        left = Math.max(left, inner);
        right = Math.min(right, inner + node.clientWidth);
      }
    }
    return [left, right];
  };

  const rectsOf = (text, start, end) => {
    const range = document.createRange();
    range.setStart(text, start);
    range.setEnd(text, end);
    return Array.from(range.getClientRects()).filter((rect) => rect.width > 0);
  };

  // Every line of every codediff pane: its text, whether it is emphasized, and
  // whether all its characters lie inside the part of the pane that can be
  // seen without scrolling. Also each pane's width and how many characters fit.
  // The rows a line of code takes: the distinct tops of its text's boxes.
  const rowsOf = (element) => {
    const tops = new Set();
    for (const text of textNodes(element)) {
      for (const rect of rectsOf(text, 0, text.data.length)) {
        if (text.data.trim()) tops.add(Math.round(rect.top));
      }
    }
    return tops.size;
  };

  // Each pane's box, whether its code scrolls sideways, and its wrapped lines
  // (one element per line, as codediff renders it) with their marks.
  const paneGeometry = (codediff) =>
    Array.from(codediff.querySelectorAll(":scope > .codediff-pane")).map((pane) => {
      const box = pane.getBoundingClientRect();
      const scrollers = Array.from(pane.querySelectorAll("div.highlight"));
      const lines = Array.from(pane.querySelectorAll('pre > span[id^="codediff-"]'));
      const wrapped = lines.filter((line) => rowsOf(line) > 1);
      return {
        top: box.top,
        bottom: box.bottom,
        left: box.left,
        right: box.right,
        scrolls: scrollers.some((scroller) => scroller.scrollWidth > scroller.clientWidth + 1),
        lineElements: lines.length,
        wrapped: wrapped.length,
        wrappedUnmarked: wrapped.filter((line) => {
          const mark = getComputedStyle(line, "::after");
          return mark.content === "none" || parseFloat(mark.height) <= 0;
        }).length,
      };
    });

  const codediffLines = () =>
    Array.from(document.querySelectorAll(".codediff")).map((codediff, index) => ({
      index,
      stacked: codediff.classList.contains("codediff-stacked"),
      title: Array.from(codediff.querySelectorAll(".caption-text"), (c) => c.textContent.trim()),
      geometry: paneGeometry(codediff),
      panes: Array.from(codediff.querySelectorAll(".codediff-pane .codediff-code pre")).map((pre) => {
        const [visibleLeft, visibleRight] = visibleInterval(pre);
        const lines = [{ text: "", left: Infinity, right: -Infinity, emphasized: false }];
        for (const text of textNodes(pre)) {
          const emphasized = !!text.parentElement.closest(".hll");
          let start = 0;
          for (const piece of text.data.split("\n")) {
            const line = lines[lines.length - 1];
            line.text += piece;
            line.emphasized ||= emphasized && piece.trim() !== "";
            if (piece.trim()) {
              for (const rect of rectsOf(text, start, start + piece.length)) {
                line.left = Math.min(line.left, rect.left);
                line.right = Math.max(line.right, rect.right);
              }
            }
            start += piece.length + 1;
            if (start <= text.data.length) {
              lines.push({ text: "", left: Infinity, right: -Infinity, emphasized: false });
            }
          }
        }
        const shown = lines.filter((line) => line.text.trim());
        const widest = shown.reduce((a, b) => (b.text.length > a.text.length ? b : a), shown[0]);
        const charWidth = widest ? (widest.right - widest.left) / widest.text.trimStart().length : 0;
        const firstColumn = widest ? widest.left - charWidth * (widest.text.length - widest.text.trimStart().length) : 0;
        return {
          width: Math.round(visibleRight - visibleLeft),
          charsVisible: charWidth ? Math.floor((visibleRight - firstColumn + 0.5) / charWidth) : 0,
          lines: shown.map((line) => ({
            text: line.text,
            chars: line.text.length,
            emphasized: line.emphasized,
            visible: line.left >= visibleLeft - 0.5 && line.right <= visibleRight + 0.5,
          })),
        };
      }),
    }));

  // Pad rows that take up space.
  const visiblePads = () =>
    Array.from(document.querySelectorAll(".codediff-pad")).filter((pad) => {
      const box = pad.getBoundingClientRect();
      return box.height > 0 && getComputedStyle(pad).display !== "none";
    }).length;

  // When a pane scrolls sideways, does every emphasis band still cover its line
  // across the visible part of the pane, and does the gutter mark's box (the
  // first child box of the band's containing block) move with the text?
  const scrolledBands = () => {
    const results = [];
    for (const scroller of document.querySelectorAll(".codediff-pane div.highlight, .codediff-pane pre")) {
      if (scroller.scrollWidth <= scroller.clientWidth + 1) continue;
      const line = scroller.querySelector(".hll");
      if (!line) continue;
      const textBefore = textRectLeft(line);
      const markBefore = markLeft(line);
      const shift = Math.min(60, scroller.scrollWidth - scroller.clientWidth);
      scroller.scrollLeft = shift;
      const [visibleLeft, visibleRight] = visibleInterval(line);
      const band = line.getBoundingClientRect();
      const textAfter = textRectLeft(line);
      const markAfter = markLeft(line);
      const bands = Array.from(scroller.querySelectorAll(".hll")).map((hll) => {
        const box = hll.getBoundingClientRect();
        const texts = textNodes(hll).flatMap((t) => rectsOf(t, 0, t.data.length));
        const textRight = Math.max(...texts.map((rect) => rect.right), -Infinity);
        return box.left <= visibleLeft + 0.5 && box.right >= Math.max(visibleRight, textRight) - 0.5;
      });
      scroller.scrollLeft = 0;
      results.push({
        text: line.textContent.trim().slice(0, 40),
        shift,
        textMoved: textBefore - textAfter,
        markMoved: markBefore === null ? null : markBefore - markAfter,
        bandsCover: bands.every(Boolean),
        bandLeft: band.left,
      });
    }
    return results;
  };

  const textRectLeft = (line) => {
    const rects = textNodes(line).flatMap((t) => rectsOf(t, 0, t.data.length));
    return Math.min(...rects.map((rect) => rect.left));
  };

  // The ::before box cannot be measured directly; its containing block can. It
  // is positioned from its containing block's padding box, so it moves exactly
  // as far as that box does.
  const markLeft = (line) => {
    const style = getComputedStyle(line, "::before");
    if (style.content === "none") return null;
    if (style.position !== "absolute" && style.position !== "fixed") {
      return line.getBoundingClientRect().left;
    }
    let block = line.parentElement;
    while (block && getComputedStyle(block).position === "static") block = block.parentElement;
    return block.getBoundingClientRect().left + block.clientLeft + parseFloat(style.left);
  };

  // -- copy buttons ----------------------------------------------------------

  // What a reader means to copy from a block: its text; for a block with
  // doctest prompts (Pygments' .gp), the input lines without their prompts.
  const expectedCopy = (pre) => {
    const clone = pre.cloneNode(true);
    clone.querySelectorAll(".linenos").forEach((node) => node.remove());
    const prompts = new Set();
    let offset = 0;
    for (const text of textNodes(clone)) {
      const gp = text.parentElement.closest(".gp");
      if (gp && !prompts.has(gp)) {
        prompts.add(gp);
        gp.dataset.offset = offset;
      }
      offset += text.data.length;
    }
    const full = clone.textContent;
    if (!prompts.size) return full.replace(/\n$/, "");
    const starts = new Map(Array.from(prompts, (gp) => [Number(gp.dataset.offset), gp.textContent]));
    const kept = [];
    let position = 0;
    for (const line of full.split("\n")) {
      if (starts.has(position)) kept.push(line.slice(starts.get(position).length));
      else if (!line.trim()) kept.push(line);
      position += line.length + 1;
    }
    return kept.join("\n").replace(/\n+$/, "");
  };

  const copyTargets = () =>
    Array.from(document.querySelectorAll("button.copybtn")).map((button, index) => {
      button.dataset.measureIndex = index;
      const pre = document.querySelector(button.dataset.clipboardTarget);
      const block = pre.closest('div[class*="highlight-"]');
      return {
        index,
        expected: expectedCopy(pre),
        shown: pre.textContent,
        inCodediff: !!pre.closest(".codediff"),
        classes: block ? block.className : "",
        language: block ? (block.className.match(/highlight-(\S+)/) || [])[1] : null,
      };
    });

  window.__measure = {
    codediffContrast,
    codediffLines,
    visiblePads,
    scrolledBands,
    copyTargets,
    visibleInterval,
  };
})();
