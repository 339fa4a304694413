import assert from "node:assert/strict";
import { test } from "node:test";

import { neuronLabel, paramLabel, shortParamLabel } from "../../static/js/names.js";

// As engine/names.py's names_for sends them for the 2-2-2 worked example.
const NAMES = {
  neurons: [["x₁", "x₂"], ["h₁", "h₂"], ["ŷ₁", "ŷ₂"]],
  textbook: { "w:0:0:0": "w1", "w:1:0:0": "w5" },
  textbook_only: false,
  templates: { weight: "w from {i} to {j}", bias: "b of {j}", textbook: "{textbook} ({plain})" },
};

test("neurons are named as the server names them", () => {
  assert.equal(neuronLabel(NAMES, 0, 1), "x₂");
  assert.equal(neuronLabel(NAMES, 2, 0), "ŷ₁");
  assert.equal(neuronLabel(undefined, 2, 0), "");
});

test("weights are named by their ends and lead with a textbook name when there is one", () => {
  assert.equal(paramLabel(NAMES, { kind: "weight", layer: 0, i: 1, j: 1 }), "w from x₂ to h₂");
  assert.equal(paramLabel(NAMES, { kind: "weight", layer: 1, i: 0, j: 0 }), "w5 (w from h₁ to ŷ₁)");
  assert.equal(shortParamLabel(NAMES, { kind: "weight", layer: 1, i: 0, j: 0 }), "w5");
});

test("biases are named by their neuron", () => {
  assert.equal(paramLabel(NAMES, { kind: "bias", layer: 0, j: 1 }), "b of h₂");
});

test("the curve's one parameter is just x", () => {
  const curve = { ...NAMES, neurons: [["x₁"], ["ŷ"]], textbook: { "w:0:0:0": "x" }, textbook_only: true };
  assert.equal(paramLabel(curve, { kind: "weight", layer: 0, i: 0, j: 0 }), "x");
});
