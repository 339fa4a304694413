/**
 * The loss surface with the descent path, on a canvas.
 *
 *   const view = createSurfaceView(container);
 *   view.update(surface);          // a `surface` message: {kind, description, axes: [labelA, labelB],
 *                                  //   alpha (Float64Array, na), beta (nb), loss (Float32Array (nb, na) row-major;
 *                                  //   one row in 1-D), path (Float64Array k × 2, or k in 1-D), current}
 *   view.setPoint(point, descent); // each frame: the current point [a, b] (or [x]) and −∇E projected on the
 *                                  //   axes [da, db] (or [dx]); a new point is appended to the drawn path
 *   view.update({..., paths})      // a race (race.js): paths [{label, colour, points (k × 2), steps (k), focus}]
 *                                  //   drawn each in its colour, its end ringed; hover names the nearest point
 *   view.clear();                  // back to the empty panel with its hint
 *   view.destroy();
 *   view.stats                     // {draws, layerPaints, resizes, canvasPaints}: frames drawn, how often
 *                                  //   the picture under the path was painted (once per surface and size,
 *                                  //   not per frame), how many of those paintings a new size caused, and
 *                                  //   how often the canvas was (a 2-D slice's path moves over it in SVG)
 *
 * 2-D (kinds "weights", "random", "trajectory"): the loss as a viridis heatmap coloured by the log of its
 * excess over the minimum, contour lines at levels evenly spaced on that same map (contours.js), the path
 * so far (a line with a dot per iterate), the current point and an arrow along −∇E, longest where the
 * slope is the steepest on the slice drawn and shorter (as a square root) where it is flatter, though never
 * hidden: its direction is the point. Axis d₁ across, d₂ up (never α or β: those name momentum and Adam's settings).
 * 1-D (kinds "curve" and "line"): the curve itself, the iterates on it as dots, the current x.
 * The description is shown under the plot, in the server's words.
 *
 * What stays put while training goes on (the heatmap, its contours, the curve, axes and titles) is painted once
 * per surface and canvas size into an offscreen layer. Painting it every frame cost a page at full speed a fifth
 * of its frames. On a 2-D slice with one path the canvas then shows that layer alone, and the path, the current
 * point and the arrow are an SVG over it (descentpath.js), so a frame leaves the canvas as it is; a race's paths
 * and a curve's point are drawn on the canvas over a copy of the layer, every frame.
 */

import {
  clipToBox, drawAxisLines, drawCells, drawFrame, drawMarkerLine, drawXTicks, drawYTicks, linearTicks,
} from "./axes.js";
import { createCanvas, font, html, paintsLike, scaledMargin, textScale } from "./canvas.js";
import { legendGradient, sequentialScale } from "./colors.js";
import { contours, surfaceLevels } from "./contours.js";
import { createDescentPath, NOW_COLOUR } from "./descentpath.js";
import {
  arrowGeometry, descentArrowLength, gridCoordinate, interpolate, paintGrid, pathPoints, shortAxisLabel,
  steepestSlope, tableOffset,
} from "./plotmath.js";
import { excessLogScale, extent, formatCount, formatNumber, linearScale, niceDomain } from "./scales.js";
import { createTooltip } from "./tooltip.js";

const MARGIN = { top: 12, right: 14, bottom: 44, left: 58 };
const CURVE_COLOUR = "#0072b2";
const ITERATE_COLOUR = "#d55e00";
const ONE_D = new Set(["curve", "line"]);

export function createSurfaceView(container) {
  const root = html("div", "bl-surface is-empty", container);
  const plot = createCanvas(root, "bl-surface-canvas", "the loss surface and the descent path", draw);
  const overlay = createDescentPath(root, plot.canvas);
  let shows = null; // what the canvas holds when it is the layer alone: {surface, width, height, scale}
  const legend = html("div", "bl-legend bl-surface-legend", root);
  const axesNote = html("div", "bl-surface-axes", root);
  const caption = html("p", "bl-surface-caption", root);
  const off = document.createElement("canvas"); // the heatmap, one pixel per grid point
  const layer = document.createElement("canvas"); // everything but the path and the point, at the canvas's size
  let layerFor = null; // the surface the layer shows (null: paint it again)
  const stats = { draws: 0, layerPaints: 0, resizes: 0, canvasPaints: 0 };
  let surface = null;
  let oneD = false;
  let path = [];
  let current = null;
  let descent = null;
  let levels = [];
  let pending = 0;
  let steepest = 0; // the steepest |∇E| on the slice drawn (loss per parameter unit): the arrow's full length
  let waiting = null; // the server's words while a chosen slice cannot be drawn yet (the path plane at update 0)
  let racePaths = null; // a race's paths, each in its colour (instead of the one path)
  let lastBox = null;
  let tip = null;

  function schedule() {
    if (pending) return;
    pending = requestAnimationFrame(() => {
      pending = 0;
      draw();
    });
  }

  function update(next) {
    surface = next;
    racePaths = next.paths ?? null;
    waiting = null;
    delete root.dataset.waiting;
    oneD = ONE_D.has(next.kind) || !next.beta || next.beta.length < 2;
    root.classList.toggle("is-empty", false);
    root.classList.toggle("is-1d", oneD);
    path = pathPoints(next.path, oneD ? 1 : 2);
    current = toPoint(next.current, oneD ? 1 : 2) ?? path[path.length - 1] ?? null;
    caption.textContent = next.description ?? "";
    const [labelA, labelB] = next.axes ?? [];
    axesNote.replaceChildren();
    if (oneD) {
      note(axesNote, "across", labelA ?? "x");
    } else {
      note(axesNote, "across", labelA ?? "d₁");
      note(axesNote, "up", labelB ?? "d₂");
    }
    if (!oneD) paintHeatmap();
    else levels = [];
    steepest = steepestSlope(next.loss, next.alpha, oneD ? null : next.beta);
    buildLegend();
    layerFor = null;
    draw();
  }

  function paintHeatmap() {
    const na = surface.alpha.length;
    const nb = surface.beta.length;
    const loss = surface.loss;
    const range = extent(loss) ?? [0, 1];
    const scale = sequentialScale(range, excessLogScale(range[0], range[1]));
    const table = scale.table(256);
    off.width = na;
    off.height = nb;
    const ctx = off.getContext("2d");
    const image = ctx.createImageData(na, nb);
    paintGrid(na, nb, (k) => tableOffset(scale.t(loss[k]), 256), table, image.data);
    ctx.putImageData(image, 0, 0);
    levels = contours(loss, na, nb, surfaceLevels(loss, 10));
    surface.scale = scale;
  }

  function buildLegend() {
    legend.replaceChildren();
    if (oneD) {
      legend.innerHTML = `<svg width="330" height="16" viewBox="0 0 330 16" aria-hidden="true">
          <line x1="0" y1="8" x2="24" y2="8" stroke="${CURVE_COLOUR}" stroke-width="2.5"/><text x="30" y="12">${surface.kind === "curve" ? "f(x)" : "loss E"}</text>
          <circle cx="108" cy="8" r="3.5" fill="${ITERATE_COLOUR}"/><text x="116" y="12">iterates</text>
          <circle cx="190" cy="8" r="5" fill="${NOW_COLOUR}" stroke="#222" stroke-width="1"/><text x="200" y="12">now</text>
          <path d="M244,8 h24 m-6,-4 l6,4 l-6,4" fill="none" stroke="#222" stroke-width="2"/><text x="274" y="12">descent</text>
        </svg>`;
      return;
    }
    const scale = surface.scale;
    const item = html("div", "bl-legend-item", legend);
    html("div", "bl-legend-title", item, "loss E (colour: log of E − its minimum here)");
    html("div", "bl-legend-bar", item).style.background = legendGradient(scale, 17);
    const ticks = html("div", "bl-legend-ticks bl-legend-ticks-placed", item);
    const [lo, hi] = scale.domain;
    const mid = excessLogScale(lo, hi).invert(0.5);
    for (const [v, offset] of [[lo, 0], [mid, 0.5], [hi, 1]]) {
      const t = html("span", null, ticks, formatNumber(v, 3));
      t.style.left = `${offset * 100}%`;
    }
    if (racePaths) {
      const key = html("div", "bl-legend-item bl-legend-shapes bl-race-key", legend);
      for (const p of racePaths) {
        const item = html("span", "bl-race-key-item", key);
        html("span", "bl-race-swatch", item).style.background = p.colour;
        item.append(p.label);
      }
      html("span", "bl-race-key-item", key, "ringed: where each is now");
      return;
    }
    const key = html("div", "bl-legend-item bl-legend-shapes", legend);
    key.innerHTML = `<svg width="430" height="16" viewBox="0 0 430 16" aria-hidden="true">
        <path d="M2,12 L14,6 L26,9" fill="none" stroke="#111" stroke-width="3.2"/><path d="M2,12 L14,6 L26,9" fill="none" stroke="#fff" stroke-width="1.5"/>
        <text x="32" y="12">path so far</text>
        <circle cx="112" cy="8" r="5" fill="${NOW_COLOUR}" stroke="#fff" stroke-width="1.5"/><text x="122" y="12">now</text>
        <path d="M160,8 h26 m-7,-4 l7,4 l-7,4" fill="none" stroke="#111" stroke-width="3.4"/><path d="M160,8 h26 m-7,-4 l7,4 l-7,4" fill="none" stroke="#fff" stroke-width="1.6"/>
        <text x="192" y="12">−∇E: downhill, longer = steeper</text></svg>`;
  }

  function draw() {
    if (showsLayer()) {
      stats.draws++;
      drawOverlay();
      return;
    }
    shows = null;
    const { ctx, width, height, scale } = plot.begin();
    const m = scaledMargin(MARGIN, scale);
    const box = { left: m.left, right: width - m.right, top: m.top, bottom: height - m.bottom };
    if (!surface) {
      ctx.fillStyle = "#555"; // 6.7:1 on the empty panel's #f6f6f6
      ctx.font = font(ctx, 13);
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      const cx = width / 2;
      const cy = height / 2;
      if (waiting) {
        ctx.fillText("Waiting for the path to have two points…", cx, cy);
        return;
      }
      // Wrapped to the panel's width: a narrow panel (a laptop's third column, a phone) cut these lines off.
      const lines = ["No loss surface yet."].concat(wrapText(ctx,
        "Choose “two weights” and click two connections in the network (or press Enter on them), "
        + "or choose the random or the trajectory plane.", width - 24));
      lines.forEach((text, k) => ctx.fillText(text, cx, cy + (k - (lines.length - 1) / 2) * 18 * scale));
      hideOverlay();
      return;
    }
    stats.draws++;
    const { canvas } = plot;
    const resized = layer.width !== canvas.width || layer.height !== canvas.height;
    if (layerFor !== surface || resized || textScale(layer.getContext("2d")) !== scale) {
      if (layerFor === surface) stats.resizes++;
      layer.width = canvas.width;
      layer.height = canvas.height;
      paintsLike(layer, canvas); // its axes' text at the visible canvas's text scale
      const under = layer.getContext("2d");
      under.setTransform(canvas.width / Math.max(1, width), 0, 0, canvas.height / Math.max(1, height), 0, 0);
      if (oneD) paintCurve(under, box);
      else paintPlane(under, box);
      layerFor = surface;
      stats.layerPaints++;
    }
    ctx.drawImage(layer, 0, 0, width, height);
    stats.canvasPaints++;
    lastBox = box;
    if (oneD || racePaths) {
      hideOverlay();
      if (oneD) drawCurvePoint(ctx, box);
      else drawPlanePath(ctx, box);
      return;
    }
    shows = { surface, width: canvas.width, height: canvas.height, scale };
    plot.canvas.dataset.layer = "beneath"; // a picture of the view draws it under the overlay (picture.js)
    drawOverlay();
  }

  /** Whether the canvas already holds this surface's layer alone, at its size: then a frame is the overlay's. */
  function showsLayer() {
    const { canvas } = plot;
    return shows !== null && shows.surface === surface && layerFor === surface && !oneD && !racePaths
      && shows.width === canvas.width && shows.height === canvas.height
      && shows.scale === textScale(canvas.getContext("2d"));
  }

  /** The path so far, the current point and the arrow, over the layer (the overlay maps only new points). */
  function drawOverlay() {
    const box = lastBox;
    const { x, y } = planeScales(box);
    let now = null;
    let arrow = null;
    if (current) {
      now = [x(current[0]), y(current[1])];
      if (descent) {
        const dx = descent[0] * (x(1) - x(0));
        const dy = descent[1] * (y(1) - y(0));
        const length = descentArrowLength(Math.hypot(descent[0], descent[1]), steepest);
        arrow = arrowGeometry(now[0], now[1], dx, dy, length, 10);
      }
    }
    overlay.draw({ box, key: shows, points: path, project: ([a, b]) => [x(a), y(b)], now, arrow });
  }

  function hideOverlay() {
    overlay.hide();
    delete plot.canvas.dataset.layer;
  }

  function planeScales(box) {
    const { alpha, beta } = surface;
    const x = linearScale([alpha[0], alpha[alpha.length - 1]], [box.left, box.right]);
    const y = linearScale([beta[0], beta[beta.length - 1]], [box.bottom, box.top]);
    return { x, y };
  }

  /** The heatmap, its contours, the axes: what only a new surface (or a new size) changes. */
  function paintPlane(ctx, box) {
    const { alpha, beta } = surface;
    const na = alpha.length;
    const nb = beta.length;
    const { x, y } = planeScales(box);
    clipToBox(ctx, box);
    drawCells(ctx, off, [alpha[0], alpha[na - 1], na], [beta[0], beta[nb - 1], nb], x, y);
    ctx.lineWidth = 1;
    ctx.strokeStyle = "rgba(255, 255, 255, 0.55)";
    for (const { lines } of levels) {
      for (const line of lines) {
        ctx.beginPath();
        line.points.forEach(([c, r], k) => {
          const px = x(gridCoordinate(alpha[0], alpha[na - 1], na, c));
          const py = y(gridCoordinate(beta[0], beta[nb - 1], nb, r));
          if (k === 0) ctx.moveTo(px, py);
          else ctx.lineTo(px, py);
        });
        ctx.stroke();
      }
    }
    ctx.restore();
    drawAxes(ctx, box, [alpha[0], alpha[na - 1]], [beta[0], beta[nb - 1]], x, y);
    const [labelA, labelB] = surface.axes ?? [];
    axisTitles(ctx, box, shortAxisLabel(labelA ?? "d₁"), shortAxisLabel(labelB ?? "d₂"));
  }

  /** Every frame of a race: each contestant's path over the layer, the one in focus on top. */
  function drawPlanePath(ctx, box) {
    const { x, y } = planeScales(box);
    clipToBox(ctx, box);
    const order = [...racePaths.filter((p) => !p.focus), ...racePaths.filter((p) => p.focus)];
    for (const p of order) drawRacePath(ctx, pathPoints(p.points, 2).map(([a, b]) => [x(a), y(b)]), p);
    ctx.restore();
  }

  function curveScales(box) {
    const { alpha, loss } = surface;
    const n = alpha.length;
    const ys = loss.subarray ? loss.subarray(0, n) : loss.slice(0, n);
    const range = extent(ys) ?? [0, 1];
    const yDomain = niceDomain(range[0], range[1], 5);
    const x = linearScale([alpha[0], alpha[n - 1]], [box.left, box.right]);
    const y = linearScale(yDomain, [box.bottom, box.top]);
    return { n, ys, yDomain, x, y };
  }

  function clipCurve(ctx, box) {
    ctx.save();
    ctx.beginPath();
    ctx.rect(box.left, box.top - 6, box.right - box.left, box.bottom - box.top + 6);
    ctx.clip();
  }

  /** The axes and the curve: what only a new surface (or a new size) changes. */
  function paintCurve(ctx, box) {
    const { alpha } = surface;
    const { n, ys, yDomain, x, y } = curveScales(box);
    drawAxes(ctx, box, [alpha[0], alpha[n - 1]], yDomain, x, y, true);
    clipCurve(ctx, box);
    ctx.strokeStyle = CURVE_COLOUR;
    ctx.lineWidth = 2.2;
    ctx.beginPath();
    let drawing = false;
    for (let k = 0; k < n; k++) {
      if (!Number.isFinite(ys[k])) {
        drawing = false;
        continue;
      }
      if (drawing) ctx.lineTo(x(alpha[k]), y(ys[k]));
      else ctx.moveTo(x(alpha[k]), y(ys[k]));
      drawing = true;
    }
    ctx.stroke();
    ctx.restore();
    axisTitles(ctx, box, shortAxisLabel(surface.axes?.[0] ?? "x"), surface.kind === "curve" ? "f(x)" : "loss E");
  }

  /** Every frame: the iterates on the curve, the current x and the arrow, over the layer. */
  function drawCurvePoint(ctx, box) {
    const { alpha } = surface;
    const { ys, x, y } = curveScales(box);
    clipCurve(ctx, box);
    const onCurve = (v) => [x(v), y(interpolate(alpha, ys, v))];
    ctx.fillStyle = ITERATE_COLOUR;
    for (const [v] of path) {
      const [px, py] = onCurve(v);
      ctx.beginPath();
      ctx.arc(px, py, 3.2, 0, 2 * Math.PI);
      ctx.fill();
    }
    if (current) {
      const [px, py] = onCurve(current[0]);
      drawMarkerLine(ctx, px, box, [4, 4]);
      if (descent) {
        const dx = descent[0] * (x(1) - x(0));
        drawArrow(ctx, arrowGeometry(px, py, dx, 0, descentArrowLength(Math.abs(descent[0]), steepest), 9), px, py);
      }
      drawNow(ctx, px, py, "#222");
      ctx.fillStyle = "#222";
      ctx.font = font(ctx, 12);
      ctx.textAlign = "left";
      ctx.textBaseline = "bottom";
      const label = `${shortAxisLabel(surface.axes?.[0] ?? "x")} = ${formatNumber(current[0], 5)}`;
      ctx.fillText(label, Math.min(px + 6, box.right - ctx.measureText(label).width - 2), box.top + 14 * textScale(ctx));
    }
    ctx.restore();
  }

  /** Hover over a race's paths: the nearest point's contestant, update and coordinates, exactly. */
  function hover(event) {
    if (!racePaths || !surface || !lastBox) return;
    const rect = plot.canvas.getBoundingClientRect();
    const { x, y } = planeScales(lastBox);
    let best = null;
    for (const p of racePaths) {
      const points = pathPoints(p.points, 2);
      points.forEach(([a, b], k) => {
        const d = Math.hypot(x(a) - (event.clientX - rect.left), y(b) - (event.clientY - rect.top));
        if (d < 12 && (!best || d < best.d)) best = { d, p, a, b, step: p.steps?.[k] };
      });
    }
    tip ??= createTooltip();
    if (!best) {
      tip.hide();
      return;
    }
    const [labelA, labelB] = surface.axes ?? ["d₁", "d₂"];
    tip.show({
      title: best.p.label, clientX: event.clientX, clientY: event.clientY,
      rows: [["update", formatCount(best.step)], [shortAxisLabel(labelA), formatNumber(best.a, 6)],
        [shortAxisLabel(labelB), formatNumber(best.b, 6)]],
    });
  }
  plot.canvas.addEventListener("pointermove", hover);
  plot.canvas.addEventListener("pointerleave", () => tip?.hide());

  return {
    element: root,
    stats,
    update,
    setPoint(point, nextDescent) {
      if (!surface) return;
      const p = toPoint(point, oneD ? 1 : 2);
      if (!p) return;
      const last = path[path.length - 1];
      if (!last || last.some((v, k) => v !== p[k])) path.push(p);
      current = p;
      descent = toPoint(nextDescent, oneD ? 1 : 2);
      schedule();
    },
    /** A slice that was chosen but cannot be drawn yet: an empty plot that says why, in `text`. */
    wait(text) {
      this.clear();
      waiting = text;
      root.dataset.waiting = "1";
      caption.textContent = text;
      draw();
    },
    clear() {
      racePaths = null;
      tip?.hide();
      waiting = null;
      delete root.dataset.waiting;
      surface = null;
      steepest = 0;
      path = [];
      current = null;
      descent = null;
      levels = [];
      layerFor = null;
      root.classList.add("is-empty");
      root.classList.remove("is-1d");
      legend.replaceChildren();
      axesNote.replaceChildren();
      caption.textContent = "";
      draw();
    },
    destroy() {
      if (pending) cancelAnimationFrame(pending);
      overlay.destroy();
      plot.destroy();
      root.remove();
    },
  };
}

function note(parent, name, text) {
  const row = html("div", null, parent);
  html("span", "bl-surface-axis-name", row, `${name}: `);
  row.append(text);
}

function toPoint(value, dims) {
  if (value === null || value === undefined) return null;
  const p = typeof value === "number" ? [value] : Array.from(value).slice(0, dims);
  return p.length === dims && p.every(Number.isFinite) ? p : null;
}

/** One contestant's path in its colour over a dark edge, its start and end marked; the one in focus wider. */
function drawRacePath(ctx, pixels, { colour, focus }) {
  if (pixels.length === 0) return;
  ctx.lineJoin = "round";
  for (const [stroke, width] of [["rgba(0, 0, 0, 0.75)", focus ? 5 : 3.6], [colour, focus ? 3 : 2]]) {
    ctx.strokeStyle = stroke;
    ctx.lineWidth = width;
    ctx.beginPath();
    pixels.forEach(([px, py], k) => (k === 0 ? ctx.moveTo(px, py) : ctx.lineTo(px, py)));
    ctx.stroke();
  }
  const [px, py] = pixels[pixels.length - 1];
  ctx.beginPath();
  ctx.arc(px, py, focus ? 7 : 5.5, 0, 2 * Math.PI);
  ctx.fillStyle = colour;
  ctx.fill();
  ctx.lineWidth = 2;
  ctx.strokeStyle = "#fff";
  ctx.stroke();
}

function drawNow(ctx, px, py, ring = "#fff") {
  ctx.beginPath();
  ctx.arc(px, py, 6, 0, 2 * Math.PI);
  ctx.fillStyle = NOW_COLOUR;
  ctx.fill();
  ctx.lineWidth = 2;
  ctx.strokeStyle = ring;
  ctx.stroke();
  ctx.beginPath();
  ctx.arc(px, py, 7.5, 0, 2 * Math.PI);
  ctx.lineWidth = 1;
  ctx.strokeStyle = "#111";
  ctx.stroke();
}

function drawArrow(ctx, arrow, x0, y0) {
  if (!arrow) return;
  for (const [colour, width] of [["#111", 4.2], ["#fff", 2]]) {
    ctx.strokeStyle = colour;
    ctx.lineWidth = width;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.beginPath();
    ctx.moveTo(x0, y0);
    ctx.lineTo(arrow.tip[0], arrow.tip[1]);
    ctx.moveTo(arrow.left[0], arrow.left[1]);
    ctx.lineTo(arrow.tip[0], arrow.tip[1]);
    ctx.lineTo(arrow.right[0], arrow.right[1]);
    ctx.stroke();
  }
  ctx.lineCap = "butt";
}

function drawAxes(ctx, box, xDomain, yDomain, x, y, grid = false) {
  const across = linearTicks(xDomain[0], xDomain[1], 5, { length: box.right - box.left, ctx });
  drawXTicks(ctx, box, across.ticks, x, across.label);
  const up = linearTicks(yDomain[0], yDomain[1], 5, { length: box.bottom - box.top, ctx });
  drawYTicks(ctx, box, up.ticks, y, up.label, { gridLines: grid ? "#ececec" : null });
  if (grid) drawAxisLines(ctx, box);
  else drawFrame(ctx, box);
}

function axisTitles(ctx, box, across, up) {
  const scale = textScale(ctx);
  ctx.font = font(ctx, 12);
  ctx.fillStyle = "#222";
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  ctx.fillText(fitted(ctx, across, box.right - box.left), (box.left + box.right) / 2, box.bottom + 22 * scale);
  ctx.save();
  ctx.translate(14 * scale, (box.top + box.bottom) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textBaseline = "middle";
  ctx.fillText(fitted(ctx, up, box.bottom - box.top), 0, 0);
  ctx.restore();
}

/** An axis title that fits `room` pixels: "d₂ (random direction)" loses its words in brackets when it would not. */
function fitted(ctx, title, room) {
  return ctx.measureText(title).width <= room ? title : title.replace(/\s*\(.*\)$/, "");
}

/** `text` split into lines no wider than `maxWidth` in the context's font (a word longer than that stands alone). */
function wrapText(ctx, text, maxWidth) {
  const lines = [];
  let line = "";
  for (const word of text.split(" ")) {
    const next = line ? `${line} ${word}` : word;
    if (line && ctx.measureText(next).width > maxWidth) {
      lines.push(line);
      line = word;
    } else {
      line = next;
    }
  }
  if (line) lines.push(line);
  return lines;
}
