import assert from "node:assert/strict";
import { test } from "node:test";

import {
  arrowGeometry, cellAlignedSpan, descentArrowLength, gridCoordinate, interpolate, paintGrid, pathPoints, shortAxisLabel, steepestSlope, tableOffset,
} from "../../static/js/plotmath.js";
import { linearScale } from "../../static/js/scales.js";

test("a grid image is widened by half a cell so each pixel centre sits on its sample", () => {
  const x = linearScale([0, 1], [0, 100]);
  const [start, size] = cellAlignedSpan(0, 1, 11, x);
  assert.equal(start, -5);
  assert.equal(size, 110);
  // Pixel k's centre: start + (k + 0.5) · size / n = the sample's coordinate.
  for (let k = 0; k < 11; k++) assert.ok(Math.abs(start + ((k + 0.5) * size) / 11 - x(k / 10)) < 1e-9);
});

test("on an upward y axis the span is negative, as drawImage accepts", () => {
  const y = linearScale([-1, 1], [200, 0]);
  const [start, size] = cellAlignedSpan(-1, 1, 5, y);
  assert.equal(start, 225);
  assert.equal(size, -250);
});

test("painting puts grid row 0 at the bottom of the image", () => {
  const table = new Uint8ClampedArray([10, 0, 0, 255, 20, 0, 0, 255, 30, 0, 0, 255]);
  // 2 × 2 grid: row 0 = [0, 1], row 1 = [2, 2] (table entries).
  const grid = [0, 1, 2, 2];
  const out = paintGrid(2, 2, (k) => grid[k] * 4, table, new Uint8ClampedArray(16));
  assert.deepEqual(Array.from(out.filter((_, k) => k % 4 === 0)), [30, 30, 10, 20]);
  assert.ok(out.filter((_, k) => k % 4 === 3).every((a) => a === 255));
});

test("table offsets cover the scale and send NaN to the missing colour after it", () => {
  assert.equal(tableOffset(0, 256), 0);
  assert.equal(tableOffset(1, 256), 255 * 4);
  assert.equal(tableOffset(0.5, 3), 4);
  assert.equal(tableOffset(Number.NaN, 256), 256 * 4);
  assert.equal(tableOffset(-3, 256), 0);
  assert.equal(tableOffset(7, 256), 255 * 4);
});

test("interpolation reads a sampled curve between and beyond its samples", () => {
  const xs = [0, 1, 2, 4];
  const ys = [0, 10, 0, 20];
  assert.equal(interpolate(xs, ys, 0.5), 5);
  assert.equal(interpolate(xs, ys, 3), 10);
  assert.equal(interpolate(xs, ys, -1), 0);
  assert.equal(interpolate(xs, ys, 9), 20);
  assert.ok(Number.isNaN(interpolate([], [], 1)));
});

test("an arrow points along its direction with a symmetric head", () => {
  const a = arrowGeometry(10, 10, 3, 0, 40, 8);
  assert.deepEqual(a.tip, [50, 10]);
  assert.deepEqual(a.left, [42, 14]);
  assert.deepEqual(a.right, [42, 6]);
  const d = arrowGeometry(0, 0, 1, 1, Math.SQRT2 * 10);
  assert.ok(Math.abs(d.tip[0] - 10) < 1e-9 && Math.abs(d.tip[1] - 10) < 1e-9);
  assert.equal(arrowGeometry(0, 0, 0, 0, 10), null);
  assert.equal(arrowGeometry(0, 0, Number.NaN, 1, 10), null);
  assert.equal(arrowGeometry(0, 0, 1, 1, 0), null);
  assert.equal(arrowGeometry(0, 0, 1, 1, Number.NaN), null);
});

test("a flat path becomes points of its dimension", () => {
  assert.deepEqual(pathPoints(new Float64Array([1, 2, 3, 4]), 2), [[1, 2], [3, 4]]);
  assert.deepEqual(pathPoints(new Float64Array([1, 2, 3]), 1), [[1], [2], [3]]);
  assert.deepEqual(pathPoints(null, 2), []);
});

test("a textbook name stands for its long label; other labels are kept or cut with an ellipsis", () => {
  assert.equal(shortAxisLabel("w from x₂ to h₄⁽¹⁾"), "w from x₂ to h₄⁽¹⁾");
  assert.equal(shortAxisLabel("w5 (w from h₁ to ŷ₁)"), "w5");
  assert.equal(shortAxisLabel("b of h₁"), "b of h₁");
  assert.equal(shortAxisLabel("random direction 1"), "random direction 1");
  assert.equal(shortAxisLabel("a".repeat(40), 10), `${"a".repeat(9)}\u2026`);
  assert.equal(shortAxisLabel(undefined), "");
});

test("a fractional grid index maps linearly onto its axis", () => {
  assert.equal(gridCoordinate(-2, 2, 5, 0), -2);
  assert.equal(gridCoordinate(-2, 2, 5, 4), 2);
  assert.equal(gridCoordinate(-2, 2, 5, 2.5), 0.5);
  assert.equal(gridCoordinate(3, 3, 1, 0.7), 3);
});

test("the descent arrow is longest at the steepest slope and never hides behind the point", () => {
  assert.equal(descentArrowLength(10, 10), 52);
  assert.equal(descentArrowLength(2.5, 10), 37);
  assert.ok(descentArrowLength(1e-9, 10) >= 22);
  assert.equal(descentArrowLength(20, 10), 52, "never longer than the longest");
  assert.equal(descentArrowLength(3, 0), 52, "a flat slice gives no scale: the longest");
  assert.equal(descentArrowLength(0, 10), 0);
  assert.equal(descentArrowLength(Number.NaN, 10), 0);
});

test("the steepest slope of a sampled line is its largest difference quotient", () => {
  const xs = [0, 1, 2, 4];
  assert.equal(steepestSlope([0, 1, 5, 6], xs), 4);
  assert.equal(steepestSlope([0, Number.NaN, 5, 6], xs), 0.5);
  assert.equal(steepestSlope([Number.NaN], [0]), 0);
});

test("the steepest slope of a plane is the length of its gradient", () => {
  const alpha = [0, 0.5, 1];
  const beta = [0, 1];
  // E = 3a + 4b on a 2 × 3 grid: |∇E| = 5 everywhere inside.
  const loss = [];
  for (const b of beta) for (const a of alpha) loss.push(3 * a + 4 * b);
  assert.ok(Math.abs(steepestSlope(loss, alpha, beta) - 5) < 1e-12);
});
