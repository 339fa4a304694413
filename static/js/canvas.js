/**
 * DOM helpers the views share: element factories (HTML and SVG) and a canvas that keeps its backing store at the
 * device's pixel ratio and redraws itself when its box changes size, or when the page's text scale for
 * drawings changes (the CSS property --bl-text-scale, e.g. 1.5 in presenter view: see restyleCanvases).
 * Nothing runs at import time.
 */

const RESTYLE = "bl:restyle";
const textScales = new WeakMap(); // canvas → its drawings' text scale, read from CSS when it is measured
const redraws = new WeakMap(); // canvas → redrawAt(ratio), for a picture of it at another resolution

/**
 * A copy of `canvas` drawn again by its own view at `ratio` backing pixels per CSS pixel (a picture for
 * slides at 2 on a screen of 1), then the canvas as it was. A canvas no view made here is copied as it is.
 */
export function renderAt(canvas, ratio) {
  const redraw = redraws.get(canvas);
  if (redraw) redraw(ratio);
  const copy = document.createElement("canvas");
  copy.width = canvas.width;
  copy.height = canvas.height;
  copy.getContext("2d").drawImage(canvas, 0, 0);
  if (redraw) redraw(null);
  return copy;
}

/** After the page changed --bl-text-scale (or other styles the canvases read): every canvas redraws. */
export function restyleCanvases() {
  document.dispatchEvent(new Event(RESTYLE));
}

/** How much larger than its nominal size text drawn on ctx's canvas is (1 unless the page says otherwise). */
export function textScale(ctx) {
  return textScales.get(ctx.canvas) ?? 1;
}

/** An offscreen layer painted for `canvas` (and copied onto it) writes its text at the canvas's scale. */
export function paintsLike(layer, canvas) {
  textScales.set(layer, textScales.get(canvas) ?? 1);
}

/** A canvas font for text of nominal size `px` (as at scale 1), e.g. font(ctx, 12, "italic"). */
export function font(ctx, px, style = "") {
  return `${style ? `${style} ` : ""}${Math.round(px * textScale(ctx) * 10) / 10}px system-ui, sans-serif`;
}

/** A margin {top, right, bottom, left} grown with the text it makes room for. */
export function scaledMargin(margin, scale) {
  const out = {};
  for (const [side, v] of Object.entries(margin)) out[side] = Math.round(v * scale);
  return out;
}

/** document.createElement with a class, optional text, appended to `parent`. */
export function html(tag, className, parent = null, text = null) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== null) el.textContent = text;
  if (parent) parent.appendChild(el);
  return el;
}

/** document.createElementNS for SVG with its attributes, appended to `parent`. */
export function svg(tag, attrs = {}, parent = null) {
  const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (parent) parent.appendChild(el);
  return el;
}

/**
 * A canvas in `parent` whose CSS box the stylesheet sizes. `draw()` is called whenever that box changes.
 * begin() returns {ctx, width, height, scale} in CSS pixels with the context scaled and cleared, ready to draw;
 * scale is the text scale (font(ctx, px) applies it; margins that make room for text grow by it).
 */
export function createCanvas(parent, className, label, draw) {
  const canvas = html("canvas", className, parent);
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", label);
  const ctx = canvas.getContext("2d");
  let width = 0;
  let height = 0;
  let pictureRatio = null; // while a picture is taken: its resolution instead of the screen's

  function measure() {
    textScales.set(canvas, Number.parseFloat(getComputedStyle(canvas).getPropertyValue("--bl-text-scale")) || 1);
    const ratio = pictureRatio ?? (window.devicePixelRatio || 1);
    width = canvas.clientWidth;
    height = canvas.clientHeight;
    const w = Math.max(1, Math.round(width * ratio));
    const h = Math.max(1, Math.round(height * ratio));
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
      return true;
    }
    return false;
  }

  // The first observation comes once the canvas is laid out: draw then, and again whenever its box changes.
  const observer = new ResizeObserver(() => {
    measure();
    draw();
  });
  observer.observe(canvas);
  measure();
  const restyle = () => {
    measure();
    draw();
  };
  document.addEventListener(RESTYLE, restyle);
  redraws.set(canvas, (ratio) => {
    pictureRatio = ratio;
    restyle();
  });

  return {
    canvas,
    begin() {
      if (!width) measure();
      const ratio = canvas.width / Math.max(1, width);
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.clearRect(0, 0, width, height);
      return { ctx, width, height, scale: textScales.get(canvas) ?? 1 };
    },
    destroy() {
      observer.disconnect();
      document.removeEventListener(RESTYLE, restyle);
    },
  };
}
