/**
 * Axes on a 2-D canvas context, shared by the decision map, the loss surface and the loss curve: tick marks
 * and their labels along the bottom and the left, the frame or the two axis lines, and the dashed marker at
 * the current x. No DOM: each function only draws on `ctx`, in CSS pixels, around a plot box
 * {left, right, top, bottom}. Lines sit on half pixels so a 1-pixel stroke stays sharp.
 *
 *   const across = linearTicks(0, 10);   // {ticks, label}: about 5 round values and their labels
 *   drawXTicks(ctx, box, across.ticks, x, across.label, {stroke: "#666"});
 *   drawYTicks(ctx, box, ticks, y, label, {gridLines: "#ececec"});
 *   drawAxisLines(ctx, box);             // or drawFrame(ctx, box, "#666")
 *   drawMarkerLine(ctx, px, box, [3, 3]);
 */

import { font, textScale } from "./canvas.js";
import { cellAlignedSpan } from "./plotmath.js";
import { formatTick, niceTicks, tickStep } from "./scales.js";

const TICK_PX = 12; // at text scale 1 (canvas.js's font): 12 px at the least, on a projector too
const TICK_TEXT = "#333";
const AXIS_STROKE = "#888";

/**
 * About `count` round values over [lo, hi] and a label for each, written to the precision of their step.
 * Given `fit: {length, ctx}` (the axis in CSS pixels and the context drawn on), fewer when larger text
 * would make neighbouring labels touch (about 48 px a label at text scale 1).
 */
export function linearTicks(lo, hi, count = 5, fit = null) {
  if (fit) count = Math.max(2, Math.min(count, Math.floor(fit.length / (48 * textScale(fit.ctx)))));
  const step = tickStep(lo, hi, count);
  return { ticks: niceTicks(lo, hi, count), label: (v) => formatTick(v, step) };
}

function tickText(ctx, align, baseline) {
  ctx.font = font(ctx, TICK_PX);
  ctx.fillStyle = TICK_TEXT;
  ctx.lineWidth = 1;
  ctx.textAlign = align;
  ctx.textBaseline = baseline;
}

/** Along the bottom: a 4-pixel mark down from box.bottom at x(v) for each tick, its label(v) under it. */
export function drawXTicks(ctx, box, ticks, x, label, { stroke = AXIS_STROKE } = {}) {
  tickText(ctx, "center", "top");
  for (const v of ticks) {
    const px = Math.round(x(v)) + 0.5;
    ctx.strokeStyle = stroke;
    ctx.beginPath();
    ctx.moveTo(px, box.bottom);
    ctx.lineTo(px, box.bottom + 4);
    ctx.stroke();
    ctx.fillText(label(v), px, box.bottom + 6 * textScale(ctx));
  }
}

/**
 * Along the left: for each tick at y(v), a grid line across the box in the colour `gridLines` (none if null),
 * a 4-pixel mark left of box.left unless `tickMarks` is false, and label(v) to the left of it.
 */
export function drawYTicks(ctx, box, ticks, y, label, { stroke = AXIS_STROKE, gridLines = null, tickMarks = true } = {}) {
  tickText(ctx, "right", "middle");
  for (const v of ticks) {
    const py = Math.round(y(v)) + 0.5;
    if (gridLines) {
      ctx.strokeStyle = gridLines;
      ctx.beginPath();
      ctx.moveTo(box.left, py);
      ctx.lineTo(box.right, py);
      ctx.stroke();
    }
    if (tickMarks) {
      ctx.strokeStyle = stroke;
      ctx.beginPath();
      ctx.moveTo(box.left - 4, py);
      ctx.lineTo(box.left, py);
      ctx.stroke();
    }
    ctx.fillText(label(v), box.left - 6, py);
  }
}

/** A 1-pixel rectangle just outside the box. */
export function drawFrame(ctx, box, stroke = AXIS_STROKE) {
  ctx.strokeStyle = stroke;
  ctx.lineWidth = 1;
  ctx.strokeRect(box.left - 0.5, box.top - 0.5, box.right - box.left + 1, box.bottom - box.top + 1);
}

/**
 * The left and the bottom edges of the box, as one L. Drawn in the context's current line width: every
 * caller but the loss curve's empty panel has just drawn ticks, which set it to 1.
 */
export function drawAxisLines(ctx, box, stroke = AXIS_STROKE) {
  ctx.strokeStyle = stroke;
  ctx.lineWidth = 1; // a hover dot may have left it wider
  ctx.beginPath();
  ctx.moveTo(box.left + 0.5, box.top);
  ctx.lineTo(box.left + 0.5, box.bottom + 0.5);
  ctx.lineTo(box.right, box.bottom + 0.5);
  ctx.stroke();
}

/** A dashed vertical line at px from the top of the box to its bottom: where the current value is. */
export function drawMarkerLine(ctx, px, box, dash) {
  ctx.strokeStyle = "rgba(0, 0, 0, 0.45)";
  ctx.lineWidth = 1;
  ctx.setLineDash(dash);
  ctx.beginPath();
  ctx.moveTo(px, box.top);
  ctx.lineTo(px, box.bottom);
  ctx.stroke();
  ctx.setLineDash([]);
}

/** Clip what is drawn next to the plot box; the caller restores the context. */
export function clipToBox(ctx, box) {
  ctx.save();
  ctx.beginPath();
  ctx.rect(box.left, box.top, box.right - box.left, box.bottom - box.top);
  ctx.clip();
}

/** Draw an image of nx × ny grid samples (row 0 at ylo), smoothed, each sample's cell centred on its point. */
export function drawCells(ctx, image, [xlo, xhi, nx], [ylo, yhi, ny], x, y) {
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = "high";
  const [sx, sw] = cellAlignedSpan(xlo, xhi, nx, x);
  const [sy, sh] = cellAlignedSpan(yhi, ylo, ny, y);
  ctx.drawImage(image, sx, sy, sw, sh);
}
