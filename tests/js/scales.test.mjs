import assert from "node:assert/strict";
import { test } from "node:test";

import {
  cleanFloat, excessLogScale, extent, formatCount, formatExact, formatNumber, formatTick, linearScale, logDomain,
  logScale, logTicks, niceDomain, niceTicks, tickStep,
} from "../../static/js/scales.js";

test("a linear scale maps the domain's ends onto the range's ends and inverts exactly", () => {
  const x = linearScale([-1, 3], [10, 210]);
  assert.equal(x(-1), 10);
  assert.equal(x(3), 210);
  assert.equal(x(1), 110);
  assert.equal(x.invert(110), 1);
});

test("a y scale may run upwards (range reversed)", () => {
  const y = linearScale([0, 1], [300, 20]);
  assert.equal(y(0), 300);
  assert.equal(y(1), 20);
  assert.equal(y.invert(160), 0.5);
});

test("a zero-width domain maps to the middle of the range instead of dividing by zero", () => {
  assert.equal(linearScale([2, 2], [0, 100])(2), 50);
});

test("a log scale puts each decade the same distance apart", () => {
  const y = logScale([0.001, 1], [300, 0]);
  assert.equal(y(1), 0);
  assert.equal(y(0.001), 300);
  assert.ok(Math.abs(y(0.01) - 200) < 1e-9 && Math.abs(y(0.1) - 100) < 1e-9);
  assert.ok(Math.abs(y.invert(100) - 0.1) < 1e-12);
  assert.equal(y(0), 300, "values ≤ 0 are clamped to the bottom");
});

test("tick steps are 1, 2 or 5 times a power of ten", () => {
  assert.equal(tickStep(0, 10, 5), 2);
  assert.equal(tickStep(0, 1, 5), 0.2);
  assert.equal(tickStep(0, 100, 10), 10);
  assert.equal(tickStep(0, 0.0007, 5), 0.0001);
  assert.equal(tickStep(3, 3, 5), 0);
});

test("nice ticks are round numbers inside the range without float noise", () => {
  assert.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(-1.2, 1.2, 5), [-1, -0.5, 0, 0.5, 1]);
  assert.deepEqual(niceTicks(0.1, 0.35, 5), [0.1, 0.15, 0.2, 0.25, 0.3, 0.35]);
  assert.deepEqual(niceTicks(5, 5), [5]);
});

test("a nice domain widens to the nearest ticks", () => {
  assert.deepEqual(niceDomain(0.13, 0.87, 5), [0, 1]);
  assert.deepEqual(niceDomain(3, 3), [1.5, 4.5]);
  assert.deepEqual(niceDomain(0, 0), [-1, 1]);
});

test("log ticks are powers of ten, with 2 and 5 when only a decade shows", () => {
  assert.deepEqual(logTicks(0.001, 10), [0.001, 0.01, 0.1, 1, 10]);
  assert.deepEqual(logTicks(0.1, 1), [0.1, 0.2, 0.5, 1]);
  assert.deepEqual(logTicks(1e-3, 1), [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1]);
  assert.ok(logTicks(1e-12, 1).length <= 7, "many decades thin out");
});

test("a log domain snaps to whole decades and spans at least one", () => {
  assert.deepEqual(logDomain(0.003, 0.4), [0.001, 1]);
  assert.deepEqual(logDomain(0.1, 0.1), [0.1, 1]);
});

test("extent skips NaN and infinities", () => {
  assert.deepEqual(extent([3, Number.NaN, -2, Number.POSITIVE_INFINITY]), [-2, 3]);
  assert.deepEqual(extent(new Float32Array([1, 2])), [1, 2]);
  assert.equal(extent([Number.NaN]), null);
  assert.equal(extent([]), null);
});

test("the excess-log map sends the minimum to 0, the maximum to 1 and inverts", () => {
  const t = excessLogScale(2, 102);
  assert.equal(t(2), 0);
  assert.equal(t(102), 1);
  assert.equal(t(Number.NaN), 1);
  assert.equal(t(500), 1);
  assert.ok(Math.abs(t.invert(t(7)) - 7) < 1e-9);
  assert.ok(t(3) > 0.3, "a small excess over the floor already takes a good share of the colours");
});

test("tick labels carry the decimals their step needs and a true minus sign", () => {
  assert.equal(formatTick(0.5, 0.5), "0.5");
  assert.equal(formatTick(-1, 0.5), "\u22121.0");
  assert.equal(formatTick(200, 100), "200");
  assert.equal(formatTick(0.25, 0.05), "0.25");
  assert.equal(formatTick(0.0001, 0.0001), "1e\u22124");
  assert.equal(formatTick(-0.0002, 0.0001), "\u22122e\u22124");
  assert.equal(formatTick(0, 0.1), "0");
});

test("numbers read with about four significant digits, exponents when tiny", () => {
  assert.equal(formatNumber(0.298371109), "0.2984");
  assert.equal(formatNumber(-12.5), "-12.5");
  assert.equal(formatNumber(1.5e-7), "1.5e-7");
  assert.equal(formatNumber(null), "\u2014");
  assert.equal(formatNumber(Number.NaN), "NaN");
  assert.equal(formatNumber(Number.POSITIVE_INFINITY), "\u221e");
});

test("exact numbers keep the worked example's printed digits", () => {
  assert.equal(formatExact(0.35891648), "0.35891648");
  assert.equal(formatExact(0.149780716), "0.149780716");
  assert.equal(formatExact(0.2910277737), "0.2910277737");
  assert.equal(formatExact(0.29837110920524433), "0.2983711092");
  assert.equal(formatExact(-0.05), "-0.05");
  assert.equal(Number(formatExact(0.1 + 0.2)), 0.3);
});

test("step counts are grouped by thousands", () => {
  assert.equal(formatCount(1234567), "1\u2009234\u2009567");
  assert.equal(formatCount(12), "12");
});

test("clean floats drop binary noise", () => {
  assert.equal(cleanFloat(0.1 + 0.2), 0.3);
});
