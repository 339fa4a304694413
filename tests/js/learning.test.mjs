import assert from "node:assert/strict";
import { test } from "node:test";

import {
  batchChoices, batchFromChoice, choiceForBatch, lrFromSlider, roundSignificant, sliderFromLr,
} from "../../static/js/learning.js";

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
  assert.equal(choiceForBatch(null, 250), "all");
  assert.equal(choiceForBatch(500, 250), "all", "a batch as large as the set is the full batch");
  assert.equal(choiceForBatch(10, 250), "10");
});
