import assert from "node:assert/strict";
import { test } from "node:test";

import {
  activationList, batchChoices, batchFromChoice, errorTarget, lrFromSlider, resizeLayer, roundSignificant, sliderFromLr,
} from "../../static/js/controls.js";

test("the η slider is logarithmic: one notch of 1 is a factor of ten", () => {
  assert.equal(lrFromSlider(-1), 0.1);
  assert.equal(lrFromSlider(-2), 0.01);
  assert.equal(lrFromSlider(0), 1);
  assert.equal(lrFromSlider(Math.log10(0.03)), 0.03);
  assert.equal(sliderFromLr(0.1), -1);
  assert.equal(sliderFromLr(1e-9), -4, "clamped to the slider's left end");
  assert.equal(sliderFromLr(1000), 1, "clamped to the right end");
});

test("slider positions and rates round-trip for the rates people type", () => {
  for (const lr of [0.0001, 0.003, 0.03, 0.1, 0.5, 3]) assert.equal(lrFromSlider(sliderFromLr(lr)), lr);
});

test("numbers are rounded to significant digits, not decimals", () => {
  assert.equal(roundSignificant(0.030000000000000002), 0.03);
  assert.equal(roundSignificant(123456, 2), 120000);
  assert.equal(roundSignificant(0), 0);
});

test("batch choices run from stochastic to the full batch and include the current size", () => {
  const choices = batchChoices(250, 7);
  assert.equal(choices[0].label, "1 (stochastic)");
  assert.deepEqual(choices.map((c) => c.value), ["1", "2", "5", "7", "10", "20", "50", "100", "200", "all"]);
  assert.match(choices.at(-1).label, /all 250 \(full batch\)/);
  assert.deepEqual(batchChoices(1, null).map((c) => c.value), ["all"]);
  assert.equal(batchFromChoice("all"), null);
  assert.equal(batchFromChoice("10"), 10);
});

test("server errors find the control that caused them", () => {
  assert.equal(errorTarget("lr"), "lr");
  assert.equal(errorTarget("hyper.momentum"), "momentum");
  assert.equal(errorTarget("sizes[1]"), "sizes");
  assert.equal(errorTarget("params[0]"), "surface");
  assert.equal(errorTarget("anything", "surface"), "surface");
  assert.equal(errorTarget("updates_per_second"), "speed");
  assert.equal(errorTarget("example"), "example");
  assert.equal(errorTarget("type"), null, "not tied to one control: the status area");
  assert.equal(errorTarget(null), null);
});

test("one activation name becomes one per layer, the loss choosing the output unit", () => {
  assert.deepEqual(activationList("tanh", [4, 4], "mse"), ["tanh", "tanh", "tanh"]);
  assert.deepEqual(activationList("relu", [8], "bce"), ["relu", "sigmoid"]);
  assert.deepEqual(activationList(["relu", "tanh"], [8], "mse"), ["relu", "tanh"]);
  assert.deepEqual(activationList(["relu", "tanh"], [8, 8], "mse"), ["relu", "relu", "relu"], "a stale list is not trusted");
});

test("neurons per layer stay within 1 and the server's limit", () => {
  assert.deepEqual(resizeLayer([4, 1], 1, -1), [4, 1]);
  assert.deepEqual(resizeLayer([4, 32], 1, +1, 32), [4, 32]);
  assert.deepEqual(resizeLayer([4, 4], 0, +1), [5, 4]);
});
