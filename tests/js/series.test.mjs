import assert from "node:assert/strict";
import { test } from "node:test";

import { DecimatingSeries, lossRange, nearestIndex } from "../../static/js/series.js";

test("a short history is kept point for point", () => {
  const s = new DecimatingSeries(10);
  for (let k = 1; k <= 5; k++) s.push(k, 1 / k, 2 / k);
  const v = s.view();
  assert.equal(v.length, 5);
  assert.deepEqual(Array.from(v.steps), [1, 2, 3, 4, 5]);
  assert.equal(v.test[4], 2 / 5);
});

test("a long history never holds more than its capacity and stays evenly spaced", () => {
  const s = new DecimatingSeries(100);
  for (let k = 0; k < 100000; k++) s.push(k, Math.exp(-k / 1e4), Number.NaN);
  assert.ok(s.length <= 100, `length ${s.length}`);
  assert.ok(s.length >= 50, `length ${s.length}`);
  const gaps = new Set();
  for (let k = 1; k < s.length; k++) gaps.add(s.steps[k] - s.steps[k - 1]);
  assert.equal(gaps.size, 1, `gaps ${[...gaps]}`);
  assert.equal(s.steps[0], 0, "the first point stays");
});

test("the newest point is always drawn, even when decimation skipped it", () => {
  const s = new DecimatingSeries(8);
  for (let k = 0; k < 23; k++) s.push(k, k, k);
  const v = s.view();
  assert.equal(v.steps[v.length - 1], 22);
  assert.ok(v.length <= 9);
  for (let k = 1; k < v.length; k++) assert.ok(v.steps[k] > v.steps[k - 1]);
});

test("non-finite losses become gaps (NaN)", () => {
  const s = new DecimatingSeries(8);
  s.push(1, Number.POSITIVE_INFINITY, undefined);
  assert.ok(Number.isNaN(s.train[0]) && Number.isNaN(s.test[0]));
});

test("clearing forgets everything, decimation included", () => {
  const s = new DecimatingSeries(8);
  for (let k = 0; k < 50; k++) s.push(k, 1, 1);
  s.clear();
  s.push(0, 1, 1);
  s.push(1, 1, 1);
  assert.deepEqual(Array.from(s.view().steps), [0, 1]);
});

test("an odd capacity is rounded up to an even one", () => {
  assert.equal(new DecimatingSeries(7).capacity, 8);
  assert.throws(() => new DecimatingSeries(2), /capacity/);
});

test("the nearest index finds the closest step on either side", () => {
  const steps = new Float64Array([0, 10, 20, 40, 80]);
  assert.equal(nearestIndex(steps, -5), 0);
  assert.equal(nearestIndex(steps, 14), 1);
  assert.equal(nearestIndex(steps, 16), 2);
  assert.equal(nearestIndex(steps, 61), 4);
  assert.equal(nearestIndex(steps, 1000), 4);
  assert.equal(nearestIndex(steps, 1000, 3), 2);
  assert.equal(nearestIndex(steps, 3, 0), -1);
});

test("the linear loss range starts at zero and the log range at the smallest positive value", () => {
  const train = [0.5, 0.2, Number.NaN, 0.05];
  const test = [0.6, 0, 0.3];
  assert.deepEqual(lossRange([train, test], false), [0, 0.6]);
  assert.deepEqual(lossRange([train, test], true), [0.05, 0.6]);
  assert.equal(lossRange([[Number.NaN]], true), null);
});
