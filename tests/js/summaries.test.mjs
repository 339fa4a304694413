import assert from "node:assert/strict";
import { test } from "node:test";

import { announceDelay, announcement, lossSummary, mapSummary, surfaceSummary, trend } from "../../static/js/summaries.js";

test("the trend of a loss in words", () => {
  assert.equal(trend(0.5, 0.4), "falling");
  assert.equal(trend(0.4, 0.5), "rising");
  assert.equal(trend(0.5, 0.5001), "about steady");
  assert.equal(trend(null, 0.5), "");
  assert.equal(trend(Number.NaN, 0.5), "");
});

test("the loss chart's summary says the loss now, its trend and the test loss", () => {
  assert.equal(lossSummary({ step: 120, trainLoss: 0.25, testLoss: 0.3, before: { step: 100, loss: 0.5 } }),
    "Loss over updates: training loss 0.25 at update 120, falling since update 100 (0.5); test loss 0.3.");
  assert.match(lossSummary({ step: 0, trainLoss: null }), /no loss yet/);
  assert.doesNotMatch(lossSummary({ step: 3, trainLoss: 0.2, before: { step: 3, loss: 0.1 } }), /since/);
});

test("the map and the surface say what they show", () => {
  assert.match(mapSummary({ nTrain: 160, nTest: 40, showTest: false, classification: true }), /160 training points, 40 test points \(hidden\)/);
  assert.match(surfaceSummary({ kind: "none" }), /off/);
  const s = surfaceSummary({ kind: "weights", axes: ["w₁₁: from x₁ to h₁", "b₁"], point: [0.5, -1.25], loss: 0.3 });
  assert.match(s, /two weights/);
  assert.match(s, /w₁₁ = 0\.5, b₁ = -1\.25, where the training loss is 0\.3/);
});

test("the live region's sentence and its throttle while playing", () => {
  assert.match(announcement({ phase: { kind: "forward" }, step: 4, batchLoss: 0.125 }), /forward pass is done.*Batch loss 0\.125/);
  assert.equal(announceDelay({ now: 1000, lastSaid: 0, playing: false }), 400);
  assert.equal(announceDelay({ now: 1000, lastSaid: 0, playing: true }), 9000);
  assert.equal(announceDelay({ now: 20_000, lastSaid: 0, playing: true }), 400);
});
