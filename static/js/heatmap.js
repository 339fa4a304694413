/**
 * The decision map: the network's output over the input plane, painted in one putImageData pass into an
 * r × r offscreen canvas and scaled up with smoothing, the data points on top, axes x₁ and x₂ around it.
 *
 *   const map = createDecisionMap(container);
 *   map.update({resolution: r, domain: [x0, x1, y0, y1], values, classes, outputRange: [lo, hi]});
 *       values: Float32Array, (r, r) row-major for one output, (r, r, K) for K classes; row 0 is y0,
 *       column 0 is x0 (the `grid` message). classes: 0 regression, 2 one output, K > 2 softmax.
 *   map.setPoints({train: {x, y}, test: {x, y}, classes, kind, domain?});
 *       x: [[x1, x2], ...] (or a flat array of pairs); y: class indices, or targets (numbers or [t]) for
 *       regression; kind: "classification" | "regression" | "given"; domain [x0, x1, y0, y1] is used until a
 *       grid arrives (the `data` message has all of these).
 *   map.showTest(bool);    // test points, hidden at first
 *   map.setSelected(k);    // ring training point k (the example whose numbers are shown), or null
 *   map.geometry();        // {x, y, box} of the last drawing: x(x₁) and y(x₂) in CSS pixels, with .invert
 *   map.setOverlay(fn);    // fn(ctx, x, y) draws on top of the points (pointeditor.js: the cursor, a drag)
 *   map.destroy();
 *
 * Colours: one output on the diverging PuOr scale over outputRange (middle = the decision threshold), lightened
 * so the points stand out; K classes: the most likely class's Okabe–Ito colour, paler as the network is less
 * sure. Training points are filled discs with a white rim; test points are rings.
 */

import { classColor, confidenceColor, divergingScale, legendGradient, mixWithWhite, rgbCss } from "./colors.js";
import { paintGrid, tableOffset } from "./plotmath.js";
import { formatTick, linearScale, tickStep } from "./scales.js";
import { clipToBox, drawCells, drawFrame, drawXTicks, drawYTicks, linearTicks } from "./axes.js";
import { createCanvas, font, html, scaledMargin } from "./canvas.js";

const LIGHTEN = 0.5; // the background stays pale so the full-colour points stand out on it
const LEVELS = 32; // confidence steps per class in the K-class table
const MARGIN = { top: 8, right: 10, bottom: 34, left: 40 };

export function createDecisionMap(container) {
  const root = html("div", "bl-decision", container);
  const plot = createCanvas(root, "bl-decision-canvas", "the network's output over the input plane, with the data points", draw);
  const legend = html("div", "bl-legend bl-decision-legend", root);
  const off = document.createElement("canvas");
  let grid = null;
  let image = null;
  let points = null;
  let withTest = false;
  let selected = null;
  let legendKey = "";
  let geometry = null;
  let overlay = null;

  function update(next) {
    grid = next;
    const r = next.resolution;
    if (off.width !== r || off.height !== r) {
      off.width = r;
      off.height = r;
      image = off.getContext("2d").createImageData(r, r);
    }
    const K = next.classes > 2 ? next.classes : 0;
    if (K) {
      const table = classTable(K);
      paintGrid(r, r, (k) => classOffset(next.values, k, K), table, image.data);
    } else {
      const scale = outputScale(next.outputRange);
      const table = scale.table(256, LIGHTEN);
      const values = next.values;
      const offset = (k) => (Number.isFinite(values[k]) ? tableOffset(scale.t(values[k]), 256) : 256 * 4);
      paintGrid(r, r, offset, table, image.data);
    }
    off.getContext("2d").putImageData(image, 0, 0);
    updateLegend();
    draw();
  }

  function draw() {
    const { ctx, width, height, scale } = plot.begin();
    const box = plotBox(width, height, scaledMargin(MARGIN, scale));
    const domain = grid?.domain ?? points?.domain ?? [-1, 1, -1, 1];
    const x = linearScale([domain[0], domain[1]], [box.left, box.right]);
    const y = linearScale([domain[2], domain[3]], [box.bottom, box.top]);
    geometry = { x, y, box };
    ctx.fillStyle = "#fff";
    ctx.fillRect(box.left, box.top, box.right - box.left, box.bottom - box.top);
    if (grid) {
      clipToBox(ctx, box);
      const r = grid.resolution;
      drawCells(ctx, off, [domain[0], domain[1], r], [domain[2], domain[3], r], x, y);
      ctx.restore();
    }
    if (points) {
      drawPoints(ctx, points.train, x, y, false);
      if (withTest) drawPoints(ctx, points.test, x, y, true);
      drawSelected(ctx, x, y);
    }
    overlay?.(ctx, x, y);
    drawAxes(ctx, box, domain, x, y, scale);
  }

  function drawPoints(ctx, set, x, y, hollow) {
    if (!set) return;
    const pairs = toPairs(set.x);
    const radius = 3.6;
    pairs.forEach(([a, b], k) => {
      const colour = pointColour(set.y[k]);
      ctx.beginPath();
      ctx.arc(x(a), y(b), radius, 0, 2 * Math.PI);
      if (hollow) {
        ctx.fillStyle = "rgba(255, 255, 255, 0.85)";
        ctx.fill();
        ctx.lineWidth = 2.2;
        ctx.strokeStyle = colour;
        ctx.stroke();
        ctx.beginPath();
        ctx.arc(x(a), y(b), radius + 1.4, 0, 2 * Math.PI);
        ctx.lineWidth = 0.8;
        ctx.strokeStyle = "rgba(0, 0, 0, 0.55)";
        ctx.stroke();
      } else {
        ctx.fillStyle = colour;
        ctx.fill();
        ctx.lineWidth = 1.3;
        ctx.strokeStyle = "#fff";
        ctx.stroke();
      }
    });
  }

  /** A dark ring with a white halo around the example whose numbers the network and the explainer show. */
  function drawSelected(ctx, x, y) {
    const pair = selected === null ? null : toPairs(points.train?.x)[selected];
    if (!pair) return;
    for (const [width, colour] of [[4, "#fff"], [2, "#111"]]) {
      ctx.beginPath();
      ctx.arc(x(pair[0]), y(pair[1]), 8, 0, 2 * Math.PI);
      ctx.lineWidth = width;
      ctx.strokeStyle = colour;
      ctx.stroke();
    }
  }

  function pointColour(label) {
    const classes = points.classes ?? 0;
    if (points.kind === "classification" && classes >= 2) return rgbCss(classColor(Number(label), classes));
    const t = Array.isArray(label) || ArrayBuffer.isView(label) ? label[0] : label;
    return outputScale(grid?.outputRange ?? points.targetRange).css(Number(t));
  }

  function updateLegend() {
    const K = grid?.classes > 2 ? grid.classes : points?.classes > 2 ? points.classes : 0;
    const range = grid?.outputRange ?? points?.targetRange ?? [-1, 1];
    const classification = points ? points.kind === "classification" : (grid?.classes ?? 0) > 0;
    const key = `${K}|${range}|${classification}|${withTest}|${Boolean(points?.test?.x?.length)}`;
    if (key === legendKey) return;
    legendKey = key;
    legend.replaceChildren();
    if (K) {
      const item = html("div", "bl-legend-item", legend);
      html("div", "bl-legend-title", item, "colour: the most likely class; paler = less sure");
      const swatches = html("div", "bl-legend-swatches", item);
      for (let k = 0; k < K; k++) swatch(swatches, rgbCss(confidenceColor(k, 1, K)), `class ${k}`);
    } else {
      const item = html("div", "bl-legend-item", legend);
      const scale = outputScale(range);
      html("div", "bl-legend-title", item, classification ? "network output (middle: the decision threshold)" : "network output");
      html("div", "bl-legend-bar", item).style.background = legendGradient(scale, 11, LIGHTEN);
      const ticks = html("div", "bl-legend-ticks", item);
      const step = tickStep(range[0], range[1], 4);
      for (const v of scale.domain) html("span", null, ticks, formatTick(v, step / 2));
      if (classification) {
        const swatches = html("div", "bl-legend-swatches", item);
        swatch(swatches, rgbCss(classColor(0, 2)), "class 0");
        swatch(swatches, rgbCss(classColor(1, 2)), "class 1");
      }
    }
    const shapes = html("div", "bl-legend-item bl-legend-shapes", legend);
    shapes.innerHTML = `<svg width="180" height="16" viewBox="0 0 180 16" aria-hidden="true">
        <circle cx="8" cy="8" r="4" fill="#555" stroke="#fff" stroke-width="1.3"/><text x="18" y="12">training</text>
        <circle cx="92" cy="8" r="4" fill="#fff" stroke="#555" stroke-width="2.2"/><text x="102" y="12">test${withTest ? "" : " (hidden)"}</text>
      </svg>`;
  }

  function swatch(parent, colour, label) {
    const s = html("span", "bl-swatch", parent);
    html("span", "bl-swatch-dot", s).style.background = colour;
    s.append(label);
  }

  return {
    element: root,
    update,
    setPoints(next) {
      points = { ...next, targetRange: targetRange(next) };
      updateLegend();
      draw();
    },
    showTest(on) {
      withTest = Boolean(on);
      updateLegend();
      draw();
    },
    setSelected(k) {
      const next = Number.isInteger(k) ? k : null;
      if (next === selected) return;
      selected = next;
      draw();
    },
    get selected() {
      return selected;
    },
    geometry: () => geometry,
    setOverlay(fn) {
      overlay = fn;
      draw();
    },
    redraw: draw,
    canvas: plot.canvas,
    destroy() {
      plot.destroy();
      root.remove();
    },
  };
}

function outputScale(range = [-1, 1]) {
  return divergingScale([range[0], (range[0] + range[1]) / 2, range[1]]);
}

const classTables = new Map();
function classTable(K) {
  if (!classTables.has(K)) {
    const table = new Uint8ClampedArray(K * (LEVELS + 1) * 4 + 4);
    for (let k = 0; k < K; k++) {
      for (let q = 0; q <= LEVELS; q++) {
        const p = 1 / K + ((1 - 1 / K) * q) / LEVELS;
        const rgb = mixWithWhite(confidenceColor(k, p, K), 0.1);
        table.set([...rgb, 255], (k * (LEVELS + 1) + q) * 4);
      }
    }
    table.set([187, 187, 187, 255], K * (LEVELS + 1) * 4);
    classTables.set(K, table);
  }
  return classTables.get(K);
}

/** The table offset of cell `cell` of a (r, r, K) probability grid: its most likely class and how sure. */
function classOffset(values, cell, K) {
  let best = 0;
  let p = -Infinity;
  let sum = 0;
  for (let k = 0; k < K; k++) {
    const v = values[cell * K + k];
    sum += v;
    if (v > p) {
      p = v;
      best = k;
    }
  }
  if (!Number.isFinite(sum) || !(sum > 0)) return K * (LEVELS + 1) * 4;
  const sure = Math.max(0, Math.min(1, (p / sum - 1 / K) / (1 - 1 / K)));
  return (best * (LEVELS + 1) + Math.round(sure * LEVELS)) * 4;
}

function targetRange(points) {
  if (points.kind === "classification") return [-1, 1];
  let lo = Infinity;
  let hi = -Infinity;
  for (const set of [points.train, points.test]) {
    for (const t of set?.y ?? []) {
      const v = Number(Array.isArray(t) ? t[0] : t);
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return lo < hi ? [lo, hi] : [-1, 1];
}

function toPairs(x) {
  if (!x) return [];
  if (x.length && Array.isArray(x[0])) return x;
  const pairs = [];
  for (let k = 0; k + 1 < x.length; k += 2) pairs.push([x[k], x[k + 1]]);
  return pairs;
}

function plotBox(width, height, margin) {
  const size = Math.max(10, Math.min(width - margin.left - margin.right, height - margin.top - margin.bottom));
  const left = margin.left + Math.max(0, (width - margin.left - margin.right - size) / 2);
  return { left, right: left + size, top: margin.top, bottom: margin.top + size };
}

function drawAxes(ctx, box, domain, x, y, scale) {
  drawFrame(ctx, box, "#666");
  const across = linearTicks(domain[0], domain[1], 5, { length: box.right - box.left, ctx });
  drawXTicks(ctx, box, across.ticks, x, across.label, { stroke: "#666" });
  const up = linearTicks(domain[2], domain[3], 5, { length: box.bottom - box.top, ctx });
  drawYTicks(ctx, box, up.ticks, y, up.label, { stroke: "#666" });
  ctx.fillStyle = "#333";
  ctx.font = font(ctx, 13, "italic");
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  ctx.fillText("x\u2081", (box.left + box.right) / 2, box.bottom + 19 * scale);
  ctx.save();
  ctx.translate(box.left - 30 * scale, (box.top + box.bottom) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textBaseline = "middle";
  ctx.fillText("x\u2082", 0, 0);
  ctx.restore();
}
