/**
 * The descent path over a loss surface's picture, in SVG: the path so far (a line with a dot per iterate), the
 * current point and the arrow along −∇E. The picture beneath (a canvas: heatmap, contours, axes) changes once
 * per surface; this moves every frame.
 *
 *   const overlay = createDescentPath(root, canvas); // root: the view's box (positioned); canvas: the picture
 *   overlay.draw({box, key, points, project, now, arrow});
 *   overlay.hide();
 *
 * points: the path so far (the view's own array, only ever growing for one key), each mapped to the canvas's CSS
 * pixels by project(point), only when it is new; key: what project maps for (a new key maps them all again).
 * now: [px, py] or null, arrow: arrowGeometry(...) or null. All clipped to box {left, right, top, bottom}.
 * Nothing here computes a number: the view maps the server's.
 *
 * Why SVG, in two layers: redrawn on the canvas, every frame replaced the whole canvas, which a browser without
 * a GPU copies and composites anew (2.8 ms of Chromium's time per frame, bench/browser.py). The browser paints
 * again only the layer where something changed. So the path is kept in pieces of CHUNK points: the newest piece,
 * the point and the arrow are one layer (`moving`), repainted every frame; a finished piece moves to the other
 * (`settled`), repainted once per CHUNK points. With the whole path in one layer, its few hundred dots were
 * painted again every frame and cost as much as the canvas had.
 */

import { svg } from "./canvas.js";

export const NOW_COLOUR = "#e69f00"; // the current point, here and in the surface view's key and curve
const DOTS = 400; // a dot per iterate while they are few enough to tell apart; the newest few hundred otherwise
const CHUNK = 50; // points per piece of the path (each piece starts at the one before's last point)
const ROUND = { fill: "none", "stroke-linejoin": "round", "stroke-linecap": "round" };

/** One layer: an <svg> over the canvas, a nested <svg> clipping to the plot's box (a picture of the view keeps
 * that: no ids to refer to), and a group per stroke, so every piece's dark edge lies under every white line and
 * the dots' rims under their discs, as one stroke of the whole path would. */
function createLayer(root) {
  const el = svg("svg", { class: "bl-descent-path", "aria-hidden": "true" }, root);
  const clip = svg("svg", { overflow: "hidden" }, el);
  const groups = {
    edge: svg("g", { ...ROUND, class: "bl-descent-edge", stroke: "rgba(0, 0, 0, 0.8)", "stroke-width": 3.4 }, clip),
    trail: svg("g", { ...ROUND, class: "bl-descent-trail", stroke: "#fff", "stroke-width": 1.6 }, clip),
    // Dots as zero-length strokes with round caps: one element for a piece's dots.
    rim: svg("g", { ...ROUND, class: "bl-descent-dots", stroke: "rgba(0, 0, 0, 0.8)", "stroke-width": 5.4 }, clip),
    disc: svg("g", { ...ROUND, stroke: "#fff", "stroke-width": 3.4 }, clip),
  };
  return { el, clip, groups };
}

export function createDescentPath(root, canvas) {
  const settled = createLayer(root);
  const moving = createLayer(root);
  const arrowEdge = svg("path", { ...ROUND, stroke: "#111", "stroke-width": 4.2 }, moving.clip);
  const arrowLine = svg("path", { ...ROUND, stroke: "#fff", "stroke-width": 2 }, moving.clip);
  const now = svg("circle", { class: "bl-descent-now", r: 6, fill: NOW_COLOUR, stroke: "#fff", "stroke-width": 2 }, moving.clip);
  const ring = svg("circle", { r: 7.5, fill: "none", stroke: "#111", "stroke-width": 1 }, moving.clip);

  let shownKey = null; // what the pieces' points were mapped for
  let shown = 0; // how many of the path's points the pieces hold
  let pieces = []; // {edge, trail, rim, disc: its elements, count: its own points, dots: its dots' path data}
  let place = "";

  /** Over the canvas exactly, in its CSS pixels (the canvas may be centred in its box, or fill a grid cell).
   * Read when a box changes size, not every frame: a frame's other views may have changed the layout, and
   * reading it then would lay the page out at once. */
  function follow() {
    const where = `${canvas.offsetLeft},${canvas.offsetTop},${canvas.clientWidth},${canvas.clientHeight}`;
    if (where === place) return;
    place = where;
    for (const { el } of [settled, moving]) {
      el.style.left = `${canvas.offsetLeft}px`;
      el.style.top = `${canvas.offsetTop}px`;
      el.setAttribute("width", canvas.clientWidth);
      el.setAttribute("height", canvas.clientHeight);
      el.setAttribute("viewBox", `0 0 ${canvas.clientWidth} ${canvas.clientHeight}`);
    }
  }

  const boxes = new ResizeObserver(() => follow());
  boxes.observe(root);
  boxes.observe(canvas);

  function addPoint(piece, [x, y]) {
    for (const line of [piece.edge, piece.trail]) {
      const p = moving.el.createSVGPoint();
      p.x = x;
      p.y = y;
      line.points.appendItem(p);
    }
  }

  function newPiece() {
    const before = pieces[pieces.length - 1];
    if (before) settle(before);
    const piece = { count: 0, dots: "" };
    for (const [name, tag] of [["edge", "polyline"], ["trail", "polyline"], ["rim", "path"], ["disc", "path"]]) {
      piece[name] = svg(tag, {}, moving.groups[name]);
    }
    if (before) addPoint(piece, before.last); // joined to the piece before
    pieces.push(piece);
    return piece;
  }

  /** A finished piece goes to the settled layer; one that has fallen out of the newest DOTS points loses its dots. */
  function settle(piece) {
    for (const name of ["edge", "trail", "rim", "disc"]) settled.groups[name].appendChild(piece[name]);
    const keep = Math.ceil(DOTS / CHUNK);
    for (let k = pieces.length - keep - 1; k >= 0 && pieces[k].dots; k--) {
      pieces[k].dots = "";
      pieces[k].rim.remove();
      pieces[k].disc.remove();
    }
  }

  /** Appends points[from..], mapped by project, to the pieces: only pieces that got points change. */
  function append(points, from, project) {
    const changed = new Set();
    for (let k = from; k < points.length; k++) {
      let piece = pieces[pieces.length - 1];
      if (!piece || piece.count === CHUNK) piece = newPiece();
      const [x, y] = project(points[k]);
      addPoint(piece, [x, y]);
      piece.last = [x, y];
      piece.count++;
      piece.dots += `M${x.toFixed(1)},${y.toFixed(1)}h0`;
      changed.add(piece);
    }
    for (const piece of changed) {
      if (!piece.dots) continue; // settled and past the newest DOTS points within this call
      piece.rim.setAttribute("d", piece.dots);
      piece.disc.setAttribute("d", piece.dots);
    }
  }

  function clearPieces() {
    for (const layer of [settled, moving]) for (const group of Object.values(layer.groups)) group.replaceChildren();
    pieces = [];
  }

  return {
    draw({ box, key, points, project, now: at, arrow: tip }) {
      for (const { el } of [settled, moving]) el.style.display = "";
      if (!place) follow();
      const w = Math.max(0, box.right - box.left); // a canvas not laid out yet has a box inside out
      const h = Math.max(0, box.bottom - box.top);
      const boxText = `${box.left} ${box.top} ${w} ${h}`;
      for (const { clip } of [settled, moving]) {
        if (clip.getAttribute("viewBox") === boxText) continue;
        for (const [name, value] of [["x", box.left], ["y", box.top], ["width", w], ["height", h], ["viewBox", boxText]]) {
          clip.setAttribute(name, value);
        }
      }
      if (key !== shownKey || points.length < shown) {
        clearPieces();
        shownKey = key;
        shown = 0;
      }
      if (points.length > shown) {
        append(points, shown, project);
        shown = points.length;
      }
      const f = (v) => v.toFixed(1);
      const arrowPath = tip
        ? `M${f(at[0])},${f(at[1])}L${f(tip.tip[0])},${f(tip.tip[1])}`
          + `M${f(tip.left[0])},${f(tip.left[1])}L${f(tip.tip[0])},${f(tip.tip[1])}L${f(tip.right[0])},${f(tip.right[1])}`
        : "";
      arrowEdge.setAttribute("d", arrowPath);
      arrowLine.setAttribute("d", arrowPath);
      for (const circle of [now, ring]) {
        circle.style.display = at ? "" : "none";
        if (at) {
          circle.setAttribute("cx", f(at[0]));
          circle.setAttribute("cy", f(at[1]));
        }
      }
    },
    hide() {
      for (const { el } of [settled, moving]) el.style.display = "none";
      clearPieces();
      shownKey = null;
    },
    destroy() {
      boxes.disconnect();
      settled.el.remove();
      moving.el.remove();
    },
  };
}
