import assert from "node:assert/strict";
import { test } from "node:test";

import {
  classColor, confidenceColor, divergingScale, hexToRgb, interpolateStops, legendGradient, legendTicks, MISSING,
  niceCeil, PUOR, rgbCss, sequentialScale, signColor, symmetricDomain, VIRIDIS,
} from "../../static/js/colors.js";
import { excessLogScale } from "../../static/js/scales.js";

test("the diverging scale's ends are PuOr's ends and its middle is PuOr's near-white", () => {
  const scale = divergingScale([-1, 1]);
  assert.deepEqual(scale(-1), hexToRgb("#7f3b08"));
  assert.deepEqual(scale(0), hexToRgb("#f7f7f7"));
  assert.deepEqual(scale(1), hexToRgb("#2d004b"));
  assert.equal(scale.css(0), "rgb(247, 247, 247)");
});

test("the diverging scale clamps values beyond its domain to the ends", () => {
  const scale = divergingScale([-2, 2]);
  assert.deepEqual(scale(-50), scale(-2));
  assert.deepEqual(scale(50), scale(2));
});

test("a three-point domain puts the middle colour at the given middle, not the mean", () => {
  const scale = divergingScale([0, 0.5, 1]);
  assert.deepEqual(scale(0.5), hexToRgb("#f7f7f7"));
  assert.equal(scale.t(0.25), 0.25);
  const lopsided = divergingScale([-1, 0, 4]);
  assert.equal(lopsided.t(0), 0.5);
  assert.equal(lopsided.t(2), 0.75);
  assert.equal(lopsided.t(-0.5), 0.25);
});

test("negative values are orange (red above blue) and positive values purple (blue above red)", () => {
  const scale = divergingScale([-1, 1]);
  const [r1, , b1] = scale(-0.6);
  const [r2, , b2] = scale(0.6);
  assert.ok(r1 > b1, `negative ${scale(-0.6)}`);
  assert.ok(b2 > r2, `positive ${scale(0.6)}`);
});

test("colours change monotonically in lightness from each end to the middle", () => {
  const scale = divergingScale([-1, 1]);
  const lightness = (rgb) => rgb[0] + rgb[1] + rgb[2];
  for (let v = -1; v < 0; v += 0.05) assert.ok(lightness(scale(v + 0.05)) >= lightness(scale(v)) - 1e-9);
  for (let v = 0; v < 1 - 1e-9; v += 0.05) assert.ok(lightness(scale(v + 0.05)) <= lightness(scale(v)) + 1e-9);
});

test("non-finite values get the missing grey", () => {
  assert.deepEqual(divergingScale()(Number.NaN), MISSING);
  assert.deepEqual(sequentialScale()(Number.POSITIVE_INFINITY), MISSING);
});

test("the sequential scale runs from viridis's dark purple to its yellow", () => {
  const scale = sequentialScale([0, 10]);
  assert.deepEqual(scale(0), hexToRgb(VIRIDIS[0]));
  assert.deepEqual(scale(10), hexToRgb(VIRIDIS[8]));
  assert.deepEqual(scale(5), hexToRgb(VIRIDIS[4]));
});

test("a log transform puts the loss floor's colours on small excesses", () => {
  const scale = sequentialScale([0, 100], excessLogScale(0, 100));
  assert.ok(scale.t(1) > 0.3, `t(1) = ${scale.t(1)}`);
  assert.equal(scale.t(100), 1);
  assert.equal(scale.t(0), 0);
});

test("interpolation halfway between two stops is their average", () => {
  assert.deepEqual(interpolateStops([[0, 0, 0], [200, 100, 50]], 0.5), [100, 50, 25]);
  assert.deepEqual(interpolateStops([[0, 0, 0], [200, 100, 50]], -1), [0, 0, 0]);
  assert.deepEqual(interpolateStops([[0, 0, 0], [200, 100, 50]], Number.NaN), [0, 0, 0]);
});

test("a colour table holds n colours and then the missing grey", () => {
  const table = divergingScale().table(5);
  assert.equal(table.length, 24);
  assert.deepEqual(Array.from(table.slice(0, 4)), [...hexToRgb(PUOR[0]), 255]);
  assert.deepEqual(Array.from(table.slice(8, 12)), [...hexToRgb(PUOR[5]), 255]);
  assert.deepEqual(Array.from(table.slice(20, 24)), [...MISSING, 255]);
});

test("a weight's colour shows its sign even when it is tiny", () => {
  const tiny = signColor(1e-9);
  const white = hexToRgb("#f7f7f7");
  assert.notDeepEqual(tiny, white);
  assert.ok(tiny[2] > tiny[0]);
  const negative = signColor(-1e-9);
  assert.ok(negative[0] > negative[2]);
  assert.deepEqual(signColor(-3, 3), hexToRgb(PUOR[0]));
  assert.deepEqual(signColor(100, 3), hexToRgb(PUOR[10]));
});

test("two classes take the diverging scale's ends and more take Okabe–Ito's colours", () => {
  assert.deepEqual(classColor(0, 2), hexToRgb("#b35806"));
  assert.deepEqual(classColor(1, 2), hexToRgb("#542788"));
  assert.deepEqual(classColor(0, 3), hexToRgb("#e69f00"));
  assert.deepEqual(classColor(2, 3), hexToRgb("#009e73"));
  assert.deepEqual(classColor(7, 8), classColor(0, 8));
});

test("a cell is paler the closer its most likely class is to a coin toss", () => {
  const sure = confidenceColor(1, 1, 3);
  const unsure = confidenceColor(1, 0.4, 3);
  const toss = confidenceColor(1, 1 / 3, 3);
  assert.deepEqual(sure, classColor(1, 3));
  const sum = (rgb) => rgb[0] + rgb[1] + rgb[2];
  assert.ok(sum(toss) > sum(unsure) && sum(unsure) > sum(sure));
});

test("nice ceilings are 1, 2, 2.5 or 5 times a power of ten", () => {
  assert.equal(niceCeil(0.7), 1);
  assert.equal(niceCeil(1), 1);
  assert.equal(niceCeil(1.2), 2);
  assert.equal(niceCeil(2.1), 2.5);
  assert.equal(niceCeil(3), 5);
  assert.equal(niceCeil(0.0031), 0.005);
  assert.equal(niceCeil(640), 1000);
});

test("a symmetric domain covers every finite value and never shrinks below its floor", () => {
  assert.deepEqual(symmetricDomain([[0.1, -0.3], new Float64Array([0.2])], 1), [-1, 1]);
  assert.deepEqual(symmetricDomain([[0.1, -3.3]], 1), [-5, 5]);
  assert.deepEqual(symmetricDomain([[0.0012, Number.NaN], null], 1e-6), [-0.002, 0.002]);
});

test("a legend gradient lists evenly spaced stops from 0% to 100%", () => {
  const css = legendGradient(divergingScale(), 3);
  assert.equal(css, "linear-gradient(to right, rgb(127, 59, 8) 0.0%, rgb(247, 247, 247) 50.0%, rgb(45, 0, 75) 100.0%)");
});

test("legend ticks sit where the scale puts their values", () => {
  assert.deepEqual(legendTicks(divergingScale([-2, 2])), [
    { value: -2, offset: 0 }, { value: 0, offset: 0.5 }, { value: 2, offset: 1 },
  ]);
  const log = sequentialScale([0, 100], excessLogScale(0, 100));
  const [tick] = legendTicks(log, [1]);
  assert.equal(tick.offset, log.t(1));
});

test("CSS strings are rgb() with integers", () => {
  assert.equal(rgbCss([1, 2, 3]), "rgb(1, 2, 3)");
});
