/**
 * A picture of one view (the network, the decision map, the loss chart, the loss surface, the unrolled RNN) as a
 * PNG for slides: what the person sees, legends and keys included, at twice the screen's resolution, on white.
 *
 *   const canvas = await pictureOf(element);           // element: the view's box, e.g. #loss-view
 *   const saved = await savePicture(element, "loss", 1200); // downloads backprop-lab-loss-step-1200.png
 *
 * How: the view's HTML (legends, keys, an SVG drawing) is copied with its computed styles written inline (those
 * the browser's defaults and inheritance would not give anyway) into an SVG <foreignObject>, which the browser
 * draws as an image, so the picture has the page's own layout and fonts; each canvas is drawn again by its view
 * at the picture's resolution (canvas.js renderAt) and copied to its place (under the HTML if an SVG is drawn
 * over it). The SVG image is a data: URL, which Chromium and Firefox let a page read back; a browser that
 * would not (Safari taints any canvas a <foreignObject> was drawn on) gets the drawings alone, each <svg>
 * serialized on its own, without the HTML around them. Nothing here computes a number: it copies pixels.
 */

import { renderAt } from "./canvas.js";

const XHTML = "http://www.w3.org/1999/xhtml";
const SVG_NS = "http://www.w3.org/2000/svg";
export const PICTURE_RATIO = 2; // backing pixels per CSS pixel, at least: sharp on a projector or a slide
export const PICTURE_MARGIN = 12; // CSS pixels of white around the view, so its text does not touch the edge
// Inside an <svg>, what paints a shape or a text (its geometry is in its attributes): reading these, not the
// few hundred properties of an HTML box, keeps a large network's picture quick to make and small.
const PAINT = [
  "display", "visibility", "opacity", "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width",
  "stroke-opacity", "stroke-dasharray", "stroke-dashoffset", "stroke-linecap", "stroke-linejoin", "paint-order",
  "transform", "transform-origin", "transform-box", "vector-effect",
];
const TEXT = [...PAINT, "font-family", "font-size", "font-weight", "font-style", "text-anchor", "dominant-baseline",
  "letter-spacing", "white-space"];
const SHAPES = new Set(["path", "line", "circle", "rect", "ellipse", "polyline", "polygon"]);
const UNPAINTED = new Set(["none", "transparent", "rgba(0, 0, 0, 0)"]);

/** The file name: what it shows and at which update, e.g. backprop-lab-loss-step-1200.png. Pure. */
export function pictureName(what, step) {
  const n = Number.isInteger(step) && step >= 0 ? step : 0;
  return `backprop-lab-${what}-step-${n}.png`;
}

/**
 * The canvas holding the picture of `element` (its whole content, scrolled-off parts too, with a white margin
 * of PICTURE_MARGIN), `ratio` pixels per CSS pixel. html: false draws only its canvases and SVG drawings (what
 * a browser that refuses the HTML gets).
 */
export async function pictureOf(element, { ratio = Math.max(PICTURE_RATIO, window.devicePixelRatio || 1), html = true } = {}) {
  if (!shown(element)) throw new Error("this drawing is not shown now, so there is nothing to save");
  const box = element.getBoundingClientRect();
  const width = Math.ceil(Math.max(box.width, element.scrollWidth));
  const height = Math.ceil(Math.max(box.height, element.scrollHeight));
  // Where a descendant sits in the picture: its place in the view's content, however the view is scrolled.
  const place = (el) => {
    const r = el.getBoundingClientRect();
    return { x: r.left - box.left + element.scrollLeft, y: r.top - box.top + element.scrollTop, w: r.width, h: r.height };
  };
  const out = document.createElement("canvas");
  out.width = Math.round((width + 2 * PICTURE_MARGIN) * ratio);
  out.height = Math.round((height + 2 * PICTURE_MARGIN) * ratio);
  const ctx = out.getContext("2d");
  ctx.fillStyle = "#fff"; // slides and documents want an opaque picture
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.scale(ratio, ratio);
  ctx.translate(PICTURE_MARGIN, PICTURE_MARGIN);
  const canvases = [...element.querySelectorAll("canvas")].filter(shown);
  const drawCanvas = (canvas) => {
    const at = place(canvas);
    ctx.drawImage(renderAt(canvas, ratio), at.x, at.y, at.w, at.h);
  };
  // A canvas with an SVG drawn over it (data-layer="beneath": the loss surface under its descent path) goes first.
  const beneath = canvases.filter((canvas) => canvas.dataset.layer === "beneath");
  beneath.forEach(drawCanvas);
  if (html) {
    ctx.drawImage(await svgImage(styledCopy(element, width, height), width, height), 0, 0, width, height);
  } else {
    for (const drawing of [...element.querySelectorAll("svg")].filter((s) => shown(s) && !s.parentElement.closest("svg"))) {
      const at = place(drawing);
      ctx.drawImage(await svgImage(styledCopy(drawing, at.w, at.h), at.w, at.h, false), at.x, at.y, at.w, at.h);
    }
  }
  canvases.filter((canvas) => !beneath.includes(canvas)).forEach(drawCanvas);
  return out;
}

/**
 * Downloads the picture of `element` as backprop-lab-<what>-step-<step>.png. Resolves {name, width, height,
 * bytes, html}: html false when the browser refused the picture with its HTML and got the drawings alone.
 */
export async function savePicture(element, what, step) {
  const name = pictureName(what, step);
  let html = true;
  let blob;
  try {
    blob = await pngOf(await pictureOf(element));
  } catch (error) {
    if (error?.name !== "SecurityError") throw error;
    html = false; // Safari: a canvas that drew a <foreignObject> cannot be read back
    blob = await pngOf(await pictureOf(element, { html: false }));
  }
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = name;
  link.click();
  // The download has its own copy once it starts; the address is let go a while later.
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
  const size = await pngSize(blob);
  return { name, ...size, bytes: blob.size, html };
}

function pngOf(canvas) {
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("the browser made no PNG"))), "image/png");
  });
}

/** Width and height from the PNG's header (bytes 16–23), to report what was saved. */
async function pngSize(blob) {
  const view = new DataView(await blob.slice(16, 24).arrayBuffer());
  return { width: view.getUint32(0), height: view.getUint32(4) };
}

function shown(el) {
  const style = getComputedStyle(el);
  return style.display !== "none" && style.visibility !== "hidden" && el.getClientRects().length > 0;
}

/**
 * A copy of `element` and what it shows, each element's computed style written inline (only what differs
 * from the browser's default for its tag, or from its parent's), canvases as empty boxes of their size.
 */
function styledCopy(element, width, height) {
  const defaults = new DefaultStyles();
  const copy = copyOf(element, null, defaults);
  defaults.done();
  // The view's own box: its full content, unscrolled, nothing clipped, at the picture's corner.
  copy.style.setProperty("width", `${width}px`);
  copy.style.setProperty("height", `${height}px`);
  copy.style.setProperty("margin", "0");
  copy.style.setProperty("overflow", "visible");
  copy.style.setProperty("max-height", "none");
  copy.style.setProperty("max-width", "none");
  return copy;
}

/**
 * The copy of `el` with its style written inline, or null if it paints nothing. parent: the property values
 * read for its parent (null for the view itself, which gets every property: it sits in no page).
 */
function copyOf(el, parent, defaults) {
  const style = getComputedStyle(el);
  const inSvg = el.namespaceURI === SVG_NS && el.localName !== "svg"; // the <svg> itself is a box in the page
  const names = inSvg ? (SHAPES.has(el.localName) ? PAINT : TEXT) : style;
  const values = new Map();
  for (let k = 0; k < names.length; k++) {
    if (!names[k].startsWith("--")) values.set(names[k], style.getPropertyValue(names[k]));
  }
  if (values.get("display") === "none") return null;
  // A shape with neither fill nor stroke (the network's wide transparent hit areas: half its elements).
  if (SHAPES.has(el.localName) && UNPAINTED.has(values.get("fill")) && UNPAINTED.has(values.get("stroke"))) return null;
  const isCanvas = el.localName === "canvas";
  const copy = isCanvas ? document.createElementNS(XHTML, "div") : el.cloneNode(false);
  copy.removeAttribute("style");
  copy.removeAttribute("id"); // the page's ids stay the page's
  const base = defaults.of(copy);
  const text = [];
  for (const [name, value] of values) {
    // Written unless both the tag's default and inheritance from the parent give it anyway.
    if (!parent || value !== base.get(name) || value !== parent.get(name)) text.push(`${name}:${value}`);
  }
  copy.setAttribute("style", text.join(";"));
  if (isCanvas) return copy; // drawn over afterwards, at the picture's resolution
  for (const child of el.childNodes) {
    if (child.nodeType === Node.TEXT_NODE) copy.appendChild(child.cloneNode());
    else if (child.nodeType === Node.ELEMENT_NODE) {
      const childCopy = copyOf(child, values, defaults);
      if (childCopy) copy.appendChild(childCopy);
    }
  }
  return copy;
}

/** The browser's own style for each tag: an element of it in a shadow root that no page style reaches. */
class DefaultStyles {
  constructor() {
    this.host = document.createElement("div");
    this.host.style.cssText = "all: initial; position: fixed; left: 0; top: 0; width: 0; height: 0; overflow: hidden";
    this.root = this.host.attachShadow({ mode: "open" });
    document.body.appendChild(this.host);
    this.cache = new Map();
  }

  of(el) {
    const key = `${el.namespaceURI} ${el.localName}`;
    if (!this.cache.has(key)) {
      const probe = document.createElementNS(el.namespaceURI, el.localName);
      // An SVG element takes its defaults inside an <svg>, as it is drawn.
      const holder = el.namespaceURI === SVG_NS && el.localName !== "svg"
        ? this.root.appendChild(document.createElementNS(SVG_NS, "svg")) : this.root;
      holder.appendChild(probe);
      const style = getComputedStyle(probe);
      const values = new Map();
      for (let k = 0; k < style.length; k++) values.set(style[k], style.getPropertyValue(style[k]));
      this.cache.set(key, values);
      this.root.replaceChildren();
    }
    return this.cache.get(key);
  }

  done() {
    this.host.remove();
  }
}

/** An image of `content` drawn by the browser: in a <foreignObject> (HTML), or as the SVG it is. */
function svgImage(content, width, height, html = true) {
  let svg = content;
  if (html) {
    svg = document.createElementNS(SVG_NS, "svg");
    const object = svg.appendChild(document.createElementNS(SVG_NS, "foreignObject"));
    object.setAttribute("width", String(width));
    object.setAttribute("height", String(height));
    object.appendChild(content);
  }
  svg.setAttribute("width", String(width));
  svg.setAttribute("height", String(height));
  if (!html && !svg.getAttribute("viewBox")) svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  const text = new XMLSerializer().serializeToString(svg);
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => resolve(image);
    image.onerror = () => reject(new Error("the browser could not draw the view's picture"));
    image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`;
  });
}

// Each "Save picture" button (data-picture="<what>") and the view it pictures.
export const PICTURE_VIEWS = {
  network: "network-view", "decision-map": "map-view", loss: "loss-view", "loss-surface": "surface-view",
  "rnn-unrolled": "unrolled-view",
};

/**
 * Wires the page's "Save picture" buttons. step() is the update the views show (for the file name);
 * saved(result) and failed(error) report each outcome. A second press while one is saved waits its turn.
 */
export function installPictureButtons(doc, { step, saved, failed }) {
  for (const button of doc.querySelectorAll("button[data-picture]")) {
    button.addEventListener("click", async () => {
      if (button.getAttribute("aria-busy") === "true") return;
      button.setAttribute("aria-busy", "true");
      const what = button.dataset.picture;
      try {
        saved({ what, ...(await savePicture(doc.getElementById(PICTURE_VIEWS[what]), what, step())) });
      } catch (error) {
        failed(error);
      } finally {
        button.removeAttribute("aria-busy");
      }
    });
  }
}
