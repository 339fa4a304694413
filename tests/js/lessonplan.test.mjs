import assert from "node:assert/strict";
import { test } from "node:test";

import { actionLabel, actionMessage, quietGroups, replayMessages } from "../../static/js/lessonplan.js";

const lesson = {
  steps: [
    { text: "a", setup: { preset: "curve", hyper: { lr: 0.01 } }, explain: { kind: "neuron", layer: 1, j: 0 } },
    { text: "b", action: { do: "play", until: { update: 30 } } },
    { text: "c", action: { do: "phase" }, set: { lr: 0.1 }, predict: { kind: "loss", text: "?" } },
    { text: "d", speed: 5 },
  ],
};

test("coming back to a step replays the steps before it from the last setup, plays at once", () => {
  assert.deepEqual(replayMessages(lesson, 3), [
    { type: "configure", preset: "curve", hyper: { lr: 0.01 } },
    { type: "explain", element: { kind: "neuron", layer: 1, j: 0 } },
    { type: "play_until", update: 30, at_once: true },
    { type: "set", lr: 0.1 },
    { type: "phase" },
    { type: "speed", updates_per_second: 5 },
  ]);
});

test("the first step opens with its own setup only", () => {
  assert.deepEqual(replayMessages(lesson, 0).map((m) => m.type), ["configure", "explain"]);
});

test("actions become control messages with plain labels", () => {
  assert.equal(actionMessage({ do: "none" }), null);
  assert.deepEqual(actionMessage({ do: "play", until: { loss_below: 0.01 } }), { type: "play_until", loss_below: 0.01 });
  assert.equal(actionLabel({ do: "play", until: { update: 50 } }), "Play until update 50");
  assert.equal(actionLabel({ do: "step", label: "Go" }), "Go");
});

test("a step that lists its controls quiets the others; one that lists none quiets nothing", () => {
  assert.deepEqual(quietGroups({ controls: ["run", "learning"] }), ["data", "network", "presets", "check"]);
  assert.deepEqual(quietGroups({}), []);
});

test("a step's surface is asked for after its setup; coming back asks only for the last one on the way", () => {
  const wide = { kind: "curve", span: [[-3, 6.5]] };
  const curve = {
    steps: [
      { text: "a", setup: { preset: "curve" }, surface: { kind: "curve", span: [[0.5, 4.25]] } },
      { text: "b", action: { do: "step" } },
      { text: "c", surface: wide, speed: 2 },
      { text: "d" },
    ],
  };
  assert.deepEqual(replayMessages(curve, 0), [
    { type: "configure", preset: "curve" },
    { type: "surface", kind: "curve", span: [[0.5, 4.25]] },
  ]);
  assert.deepEqual(replayMessages({ steps: [curve.steps[2]] }, 0), [
    { type: "speed", updates_per_second: 2 },
    { type: "surface", ...wide },
  ]);
  assert.deepEqual(replayMessages(curve, 3).filter((m) => m.type === "surface"), [{ type: "surface", ...wide }]);
  assert.equal(replayMessages(curve, 3).at(-1).type, "surface"); // after the step played on the way
});
