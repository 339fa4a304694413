/**
 * DOM helpers the canvas views share: an element factory and a canvas that keeps its backing store at the
 * device's pixel ratio and redraws itself when its box changes size. Nothing runs at import time.
 */

/** document.createElement with a class, optional text, appended to `parent`. */
export function html(tag, className, parent = null, text = null) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== null) el.textContent = text;
  if (parent) parent.appendChild(el);
  return el;
}

/**
 * A canvas in `parent` whose CSS box the stylesheet sizes. `draw()` is called whenever that box changes.
 * begin() returns {ctx, width, height} in CSS pixels with the context scaled and cleared, ready to draw.
 */
export function createCanvas(parent, className, label, draw) {
  const canvas = html("canvas", className, parent);
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", label);
  const ctx = canvas.getContext("2d");
  let width = 0;
  let height = 0;

  function measure() {
    const ratio = window.devicePixelRatio || 1;
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

  return {
    canvas,
    begin() {
      if (!width) measure();
      const ratio = canvas.width / Math.max(1, width);
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.clearRect(0, 0, width, height);
      return { ctx, width, height };
    },
    destroy() {
      observer.disconnect();
    },
  };
}
