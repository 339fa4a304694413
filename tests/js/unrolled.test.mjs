import { test } from "node:test";
import assert from "node:assert/strict";
import { reachedSteps, showChar, timeSteps } from "../../static/js/unrolled.js";

test("backward reaches the steps from the last: rows of δh that are numbers", () => {
  const H = 2;
  const dh = new Float64Array([NaN, NaN, NaN, NaN, 0.1, -0.2, 0.3, 0.0]); // T = 4, steps 3 and 4 reached
  assert.deepEqual(reachedSteps(dh, 4, H), [2, 3]);
  assert.deepEqual(reachedSteps(null, 4, H), []);
});

test("a short window gets a chip per time step, marked from the last", () => {
  const chips = timeSteps(4, { kind: "backward", t: 2 });
  assert.deepEqual(chips.map((c) => c.label), ["forward through time", "δ step 4", "δ step 3", "δ step 2", "δ step 1", "update"]);
  assert.deepEqual(chips.map((c) => c.state), ["done", "done", "current", "todo", "todo", "todo"]);
  assert.equal(timeSteps(4, { kind: "update" }).at(-1).state, "current");
  assert.ok(timeSteps(4, null).every((c) => c.state === "todo"));
});

test("a long window gets one backward chip naming the step reached", () => {
  const chips = timeSteps(25, { kind: "backward", t: 6 });
  assert.deepEqual(chips.map((c) => c.label), ["forward through time", "δ step 7 of 25", "update"]);
  assert.deepEqual(chips.map((c) => c.state), ["done", "current", "todo"]);
  assert.equal(timeSteps(25, { kind: "forward" })[1].label, "δ steps 25 … 1");
});

test("spaces and newlines are made visible", () => {
  assert.equal(showChar(" "), "␣");
  assert.equal(showChar("\n"), "↵");
  assert.equal(showChar("a"), "a");
});
