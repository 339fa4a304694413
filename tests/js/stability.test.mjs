// The stability hint's pure helpers: where a limit sits on the log slider, the schedule message a person's
// typing makes, and the words shown.

import assert from "node:assert/strict";
import { test } from "node:test";

import { etaLine, markPosition, scheduleMessage, stabilityTitle } from "../../static/js/stability.js";

test("a learning rate sits on the log slider at its log10, clamped to the ends", () => {
  assert.equal(markPosition(10 ** -1.5), 0.5);
  assert.equal(markPosition(1e-4), 0);
  assert.equal(markPosition(1e3), 1);
  assert.equal(markPosition(1e-9), 0);
  assert.equal(markPosition(null), null);
  assert.equal(markPosition(0), null);
  assert.equal(markPosition(Infinity), null);
});

test("the schedule message carries the kind's own settings, typed values as numbers, blanks left out", () => {
  const values = { warmup: "10", step_size: "25", gamma: "0.5", period: "400", min_factor: "" };
  assert.deepEqual(scheduleMessage("step", values), { type: "schedule", kind: "step", warmup: 10, step_size: 25, gamma: 0.5 });
  assert.deepEqual(scheduleMessage("cosine", values), { type: "schedule", kind: "cosine", warmup: 10, period: 400 });
  assert.deepEqual(scheduleMessage("constant", { warmup: "" }), { type: "schedule", kind: "constant" });
});

test("the η line says when a schedule moves η away from the η set", () => {
  const constant = { eta: 0.03, eta_set: 0.03, schedule: { kind: "constant", warmup: 0 }, schedule_text: "constant η" };
  assert.equal(etaLine(constant), "η in force: 0.03 (constant)");
  const cosine = { eta: 0.015, eta_set: 0.03, schedule: { kind: "cosine", warmup: 0 }, schedule_text: "cosine from η down to 0·η over 100 updates" };
  assert.equal(etaLine(cosine), "η in force for the next update: 0.015 (cosine from η down to 0·η over 100 updates; η set 0.03)");
});

test("the hover states the formulas and how λmax was measured", () => {
  const title = stabilityTitle({
    limits: [{ label: "plain gradient descent", formula: "η < 2/λmax", eta_max: 0.5 }],
    curvature: { lambda_max: 4, points: 250, weight_decay: 0, step: 12, products: 6, shifted: false, residual: 0.001, converged: true, seconds: 0.004 },
  });
  assert.match(title, /η < 2\/λ\./);
  assert.match(title, /η < 2\(1 \+ α\)\/λ/);
  assert.match(title, /plain gradient descent: η < 2\/λmax = 0\.5/);
  assert.match(title, /λmax = 4: the largest eigenvalue of the Hessian of E over the 250 training points, after update 12/);
});
