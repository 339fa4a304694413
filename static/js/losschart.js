/**
 * The loss curve: training and test loss over updates, on a canvas, with a log-scale switch and a hover
 * readout (a crosshair and the exact numbers at the nearest recorded update).
 *
 *   const chart = createLossChart(container, {capacity: 4000});
 *   chart.append(steps, train, test);  // array-likes of equal length (a frame's loss_steps, loss_train,
 *                                      // loss_test); test may be NaN (no test set). A step lower than the
 *                                      // last one means the run was reset: the chart starts afresh.
 *   chart.clear();
 *   chart.setLogScale(bool);
 *   chart.destroy();
 *
 * The history is bounded (series.js's DecimatingSeries keeps at most `capacity` points, evenly spaced) and
 * drawn at most once per animation frame however often append is called.
 */

import { drawAxisLines, drawMarkerLine, drawXTicks, drawYTicks } from "./axes.js";
import { createCanvas, font, html, scaledMargin } from "./canvas.js";
import { DecimatingSeries, lossRange, nearestIndex } from "./series.js";
import {
  formatCount, formatExact, formatNumber, formatTick, linearScale, logDomain, logScale, logTicks, niceDomain,
  niceTicks, tickStep,
} from "./scales.js";

export const TRAIN_COLOUR = "#0072b2"; // Okabe–Ito blue, solid
export const TEST_COLOUR = "#d55e00"; // Okabe–Ito vermillion, dashed
const MARGIN = { top: 10, right: 16, bottom: 36, left: 56 };

export function createLossChart(container, { capacity = 4000 } = {}) {
  const root = html("div", "bl-loss", container);
  const head = html("div", "bl-loss-head", root);
  const key = html("div", "bl-loss-key", head);
  key.innerHTML = `<svg width="150" height="14" viewBox="0 0 150 14" aria-hidden="true">
      <line x1="0" y1="7" x2="26" y2="7" stroke="${TRAIN_COLOUR}" stroke-width="2.5"/><text x="32" y="11">train</text>
      <line class="bl-loss-key-test" x1="76" y1="7" x2="102" y2="7" stroke="${TEST_COLOUR}" stroke-width="2.5" stroke-dasharray="6 4"/>
      <text class="bl-loss-key-test" x="108" y="11">test</text></svg>`;
  const readout = html("div", "bl-loss-readout", head, "no updates yet");
  readout.setAttribute("aria-live", "off");
  const plot = createCanvas(root, "bl-loss-canvas", "the loss over updates", draw);
  const series = new DecimatingSeries(capacity);
  let log = false;
  let hoverX = null;
  let pending = 0;
  let frame = null; // the mapping of the last drawing, for hover

  function schedule() {
    if (pending) return;
    pending = requestAnimationFrame(() => {
      pending = 0;
      draw();
    });
  }

  function draw() {
    const { ctx, width, height, scale } = plot.begin();
    const view = series.view();
    const m = scaledMargin(MARGIN, scale);
    const box = { left: m.left, right: width - m.right, top: m.top, bottom: height - m.bottom };
    const hasTest = view.test.some(Number.isFinite);
    const opacity = hasTest ? "1" : "0.25";
    key.querySelectorAll(".bl-loss-key-test").forEach((el) => {
      if (el.getAttribute("opacity") !== opacity) el.setAttribute("opacity", opacity); // unchanged: no restyle
    });
    if (view.length === 0) {
      frame = null;
      drawEmpty(ctx, box, scale);
      readout.textContent = "no updates yet";
      return;
    }
    const steps = view.steps;
    const s0 = steps[0];
    const s1 = steps[view.length - 1];
    const xDomain = s1 > s0 ? [s0, s1] : [s0 - 1, s0 + 1];
    const x = linearScale(xDomain, [box.left, box.right]);
    const { y, yTicks, yStep } = lossAxis(lossRange([view.train, view.test], log), log, box);
    frame = { x, y, view, box, hasTest };
    drawGrid(ctx, box, x, y, xDomain, yTicks, yStep, log, scale);
    ctx.save();
    ctx.beginPath();
    ctx.rect(box.left, box.top - 2, box.right - box.left, box.bottom - box.top + 4);
    ctx.clip();
    if (hasTest) drawLine(ctx, steps, view.test, view.length, x, y, TEST_COLOUR, [6, 4]);
    drawLine(ctx, steps, view.train, view.length, x, y, TRAIN_COLOUR, []);
    ctx.restore();
    drawHover(ctx);
  }

  function drawHover(ctx) {
    const { x, y, view, box, hasTest } = frame;
    const inside = hoverX !== null && hoverX >= box.left && hoverX <= box.right;
    const k = inside ? nearestIndex(view.steps, x.invert(hoverX), view.length) : view.length - 1;
    const step = view.steps[k];
    const train = view.train[k];
    const test = view.test[k];
    const testText = hasTest ? `, test ${inside ? formatExact(test) : formatNumber(test)}` : "";
    readout.textContent = `${inside ? "" : "latest: "}update ${formatCount(step)}: train ${inside ? formatExact(train) : formatNumber(train)}${testText}`;
    if (!inside) return;
    const px = x(step);
    drawMarkerLine(ctx, px, box, [3, 3]);
    for (const [v, colour] of [[train, TRAIN_COLOUR], [hasTest ? test : NaN, TEST_COLOUR]]) {
      if (!Number.isFinite(v) || (log && v <= 0)) continue;
      ctx.beginPath();
      ctx.arc(px, y(v), 4, 0, 2 * Math.PI);
      ctx.fillStyle = "#fff";
      ctx.fill();
      ctx.lineWidth = 2;
      ctx.strokeStyle = colour;
      ctx.stroke();
    }
  }

  plot.canvas.addEventListener("pointermove", (event) => {
    const rect = plot.canvas.getBoundingClientRect();
    hoverX = event.clientX - rect.left;
    draw();
  });
  plot.canvas.addEventListener("pointerleave", () => {
    hoverX = null;
    draw();
  });

  return {
    element: root,
    append(steps, train, test) {
      const n = steps?.length ?? 0;
      if (n === 0) return;
      if (series.last && steps[0] < series.last.step) series.clear();
      for (let k = 0; k < n; k++) series.push(steps[k], train[k], test ? test[k] : NaN);
      schedule();
    },
    clear() {
      series.clear();
      schedule();
    },
    setLogScale(on) {
      log = Boolean(on);
      schedule();
    },
    destroy() {
      if (pending) cancelAnimationFrame(pending);
      plot.destroy();
      root.remove();
    },
  };
}

/** The y scale of a loss chart for `range` (null: nothing to show) in `box`, its ticks and their step (linear). */
export function lossAxis(range, log, box) {
  if (!range) return { y: linearScale([0, 1], [box.bottom, box.top]), yTicks: [], yStep: 0 };
  if (log) {
    const d = logDomain(range[0], range[1]);
    return { y: logScale(d, [box.bottom, box.top]), yTicks: logTicks(d[0], d[1]), yStep: 0 };
  }
  const d = niceDomain(range[0], range[1], 5);
  return { y: linearScale(d, [box.bottom, box.top]), yTicks: niceTicks(d[0], d[1], 5), yStep: tickStep(d[0], d[1], 5) };
}

/** A loss series as a line, broken where it is not finite (race.js draws its curves with it too). */
export function drawLine(ctx, steps, values, n, x, y, colour, dash) {
  ctx.strokeStyle = colour;
  ctx.lineWidth = 2;
  ctx.lineJoin = "round";
  ctx.setLineDash(dash);
  ctx.beginPath();
  let drawing = false;
  for (let k = 0; k < n; k++) {
    const v = values[k];
    if (!Number.isFinite(v)) {
      drawing = false;
      continue;
    }
    const px = x(steps[k]);
    const py = y(v);
    if (drawing) ctx.lineTo(px, py);
    else ctx.moveTo(px, py);
    drawing = true;
  }
  ctx.stroke();
  ctx.setLineDash([]);
}

export function drawGrid(ctx, box, x, y, xDomain, yTicks, yStep, log, scale) {
  const yLabel = log ? (v) => formatTick(v, v) : (v) => formatTick(v, yStep);
  drawYTicks(ctx, box, yTicks, y, yLabel, { gridLines: "#e6e6e6", tickMarks: false });
  const xTicks = niceTicks(xDomain[0], xDomain[1], Math.max(2, Math.floor((box.right - box.left) / (80 * scale))))
    .filter((v) => Number.isInteger(v));
  drawXTicks(ctx, box, xTicks, x, formatCount);
  drawAxisLines(ctx, box);
  ctx.font = font(ctx, 12);
  ctx.fillStyle = "#444";
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  ctx.fillText("updates", (box.left + box.right) / 2, box.bottom + 21 * scale);
  ctx.save();
  ctx.translate(14 * scale, (box.top + box.bottom) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textBaseline = "middle";
  ctx.fillText(log ? "loss (log scale)" : "loss", 0, 0);
  ctx.restore();
}

function drawEmpty(ctx, box, scale) {
  drawAxisLines(ctx, box);
  ctx.fillStyle = "#555"; // 7.5:1 on white
  ctx.font = font(ctx, 12);
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  ctx.fillText("the loss appears here once training starts", (box.left + box.right) / 2, (box.top + box.bottom) / 2);
  ctx.fillText("updates", (box.left + box.right) / 2, box.bottom + 21 * scale);
}
