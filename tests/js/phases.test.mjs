import assert from "node:assert/strict";
import { test } from "node:test";

import { phaseSentence, phaseSteps } from "../../static/js/phases.js";

const states = (steps) => steps.map((s) => `${s.label}:${s.state}`);

test("an update is forward, then δ from the output layer back to the first hidden layer, then update", () => {
  const steps = phaseSteps([2, 8, 8, 1], { kind: "idle", layer: null });
  assert.deepEqual(steps.map((s) => s.label),
    ["forward", "δ layer 3 (output)", "δ layer 2", "δ layer 1", "update"]);
  assert.ok(steps.every((s) => s.state === "todo"));
});

test("a backward phase marks the layers already swept as done", () => {
  const steps = phaseSteps([2, 8, 8, 1], { kind: "backward", layer: 1 });
  assert.deepEqual(states(steps),
    ["forward:done", "δ layer 3 (output):done", "δ layer 2:current", "δ layer 1:todo", "update:todo"]);
});

test("the forward and update phases light their own step", () => {
  assert.equal(phaseSteps([2, 1], { kind: "forward" })[0].state, "current");
  const after = phaseSteps([2, 1], { kind: "update" });
  assert.deepEqual(states(after), ["forward:done", "δ layer 1 (output):done", "update:current"]);
});

test("the sentence says what just happened", () => {
  assert.match(phaseSentence({ kind: "backward", layer: 0 }, 4), /Update 5: δ of layer 1/);
  assert.match(phaseSentence({ kind: "update" }, 5), /Update 5 is done/);
  assert.match(phaseSentence(null, 0), /Ready/);
});
