import assert from "node:assert/strict";
import { test } from "node:test";

import { contourLines, contours, linearLevels, logLevels, surfaceLevels } from "../../static/js/contours.js";
import { excessLogScale } from "../../static/js/scales.js";

function grid(nx, ny, f) {
  const values = new Float32Array(nx * ny);
  for (let r = 0; r < ny; r++) for (let c = 0; c < nx; c++) values[r * nx + c] = f(c, r);
  return values;
}

function shoelace(points) {
  let area = 0;
  for (let k = 0; k + 1 < points.length; k++) area += points[k][0] * points[k + 1][1] - points[k + 1][0] * points[k][1];
  return Math.abs(area) / 2;
}

test("a cone cut at height 10 gives one closed ring of radius 10 around its tip", () => {
  const cone = grid(41, 41, (c, r) => Math.hypot(c - 20, r - 20));
  const lines = contourLines(cone, 41, 41, 10);
  assert.equal(lines.length, 1);
  const [ring] = lines;
  assert.equal(ring.closed, true);
  assert.deepEqual(ring.points[0], ring.points[ring.points.length - 1]);
  for (const [x, y] of ring.points) {
    const d = Math.hypot(x - 20, y - 20);
    assert.ok(Math.abs(d - 10) < 0.05, `point at distance ${d}`);
  }
  assert.ok(Math.abs(shoelace(ring.points) - Math.PI * 100) / (Math.PI * 100) < 0.01);
  // Every cell the circle passes through contributes one segment, so the ring is fine-grained.
  assert.ok(ring.points.length > 50);
});

test("an off-centre cone's ring is centred on its tip", () => {
  const cone = grid(30, 20, (c, r) => Math.hypot(c - 12.3, r - 8.7));
  const [ring] = contourLines(cone, 30, 20, 5);
  // The area centroid of the ring (vertices fall on grid lines, so their plain mean is biased).
  let area = 0;
  let cx = 0;
  let cy = 0;
  const p = ring.points;
  for (let k = 0; k + 1 < p.length; k++) {
    const cross = p[k][0] * p[k + 1][1] - p[k + 1][0] * p[k][1];
    area += cross / 2;
    cx += ((p[k][0] + p[k + 1][0]) * cross) / 6;
    cy += ((p[k][1] + p[k + 1][1]) * cross) / 6;
  }
  cx /= area;
  cy /= area;
  assert.ok(Math.abs(cx - 12.3) < 0.02 && Math.abs(cy - 8.7) < 0.02, `centre ${cx}, ${cy}`);
});

test("a plane gives one straight open line from border to border at the exact place", () => {
  // f = x + 2y: the level 7 line is x = 7 - 2y.
  const plane = grid(11, 6, (c, r) => c + 2 * r);
  const lines = contourLines(plane, 11, 6, 7);
  assert.equal(lines.length, 1);
  const [line] = lines;
  assert.equal(line.closed, false);
  for (const [x, y] of line.points) assert.ok(Math.abs(x + 2 * y - 7) < 1e-9, `${x}, ${y}`);
  const ends = [line.points[0], line.points[line.points.length - 1]];
  for (const [x, y] of ends) assert.ok(x === 0 || x === 10 || y === 0 || y === 5, `end ${x}, ${y}`);
});

test("two separate hills give two separate rings", () => {
  const hills = grid(40, 20, (c, r) => Math.max(5 - Math.hypot(c - 10, r - 10), 5 - Math.hypot(c - 30, r - 10)));
  const lines = contourLines(hills, 40, 20, 2);
  assert.equal(lines.length, 2);
  assert.ok(lines.every((l) => l.closed));
});

test("a level outside the values draws nothing", () => {
  const cone = grid(10, 10, (c, r) => Math.hypot(c, r));
  assert.deepEqual(contourLines(cone, 10, 10, 100), []);
  assert.deepEqual(contourLines(cone, 10, 10, -1), []);
});

test("a saddle cell is split by the mean of its corners", () => {
  // Corners bl=1, br=0, tl=0, tr=1 (case 5), mean 0.5.
  const saddle = [1, 0, 0, 1];
  const joined = contourLines(saddle, 2, 2, 0.4); // centre above the level: bl and tr join
  const apart = contourLines(saddle, 2, 2, 0.6); // centre below: each cut off alone
  assert.equal(joined.length, 2);
  assert.equal(apart.length, 2);
  // Level 0.4, joined: the lines cut off the low corners tl (0, 1) and br (1, 0).
  const nearCorner = (lines, cx, cy) => lines.some((l) => l.points.every(([x, y]) => Math.hypot(x - cx, y - cy) < 0.75));
  assert.ok(nearCorner(joined, 0, 1) && nearCorner(joined, 1, 0), JSON.stringify(joined));
  assert.ok(nearCorner(apart, 0, 0) && nearCorner(apart, 1, 1), JSON.stringify(apart));
});

test("cells with a missing value are skipped, so a ring through them opens", () => {
  const cone = grid(41, 41, (c, r) => (c === 30 && r === 20 ? Number.NaN : Math.hypot(c - 20, r - 20)));
  const lines = contourLines(cone, 41, 41, 10);
  assert.equal(lines.length, 1);
  assert.equal(lines[0].closed, false);
  for (const [x, y] of lines[0].points) assert.ok(Math.abs(Math.hypot(x - 20, y - 20) - 10) < 0.05);
});

test("contours lists the lines of each level in order", () => {
  const cone = grid(41, 41, (c, r) => Math.hypot(c - 20, r - 20));
  const result = contours(cone, 41, 41, [5, 10, 15]);
  assert.deepEqual(result.map((r) => r.level), [5, 10, 15]);
  assert.ok(result.every((r) => r.lines.length === 1 && r.lines[0].closed));
});

test("log levels are evenly spaced in log and include both ends", () => {
  const levels = logLevels(0.01, 100, 5);
  const expected = [0.01, 0.1, 1, 10, 100];
  levels.forEach((v, k) => assert.ok(Math.abs(v / expected[k] - 1) < 1e-12, `${v}`));
});

test("linear levels lie strictly inside the range", () => {
  assert.deepEqual(linearLevels(0, 4, 3), [1, 2, 3]);
});

test("surface levels lie strictly between the minimum and maximum, crowded towards the floor", () => {
  const bowl = grid(21, 21, (c, r) => (c - 10) ** 2 + (r - 10) ** 2);
  const levels = surfaceLevels(bowl, 8);
  assert.equal(levels.length, 8);
  for (let k = 0; k < levels.length; k++) {
    assert.ok(levels[k] > 0 && levels[k] < 200);
    if (k > 0) assert.ok(levels[k] > levels[k - 1]);
  }
  assert.ok(levels[0] < 2, `lowest level ${levels[0]}`);
  // Evenly spaced on the same log map the colours use.
  const map = excessLogScale(0, 200);
  levels.forEach((v, k) => assert.ok(Math.abs(map(v) - (k + 1) / 9) < 1e-9));
});

test("a flat surface has no levels", () => {
  assert.deepEqual(surfaceLevels(new Float32Array(16).fill(3), 5), []);
  assert.deepEqual(surfaceLevels(new Float32Array([Number.NaN, Number.NaN]), 5), []);
});
