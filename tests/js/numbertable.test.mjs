import assert from "node:assert/strict";
import { test } from "node:test";

import { describe } from "../../static/js/netinfo.js";
import { MAX_CONNECTIONS, tablesOf } from "../../static/js/numbertable.js";

const NAMES = {
  neurons: [["x₁", "x₂"], ["h₁"], ["ŷ"]],
  textbook: {}, textbook_only: false,
  templates: { weight: "w from {i} to {j}", bias: "b of {j}", textbook: "{textbook} ({plain})" },
};

// A 2-1-1 network in its backward phase: δ has reached the output only.
const state = {
  sizes: [2, 1, 1], names: NAMES, phase: { kind: "backward", layer: 1 },
  o: [Float64Array.from([0.5, -1]), Float64Array.from([0.25]), Float64Array.from([0.75])],
  net: [Float64Array.from([0.5, -1]), Float64Array.from([0.3]), Float64Array.from([1.1])],
  weights: [Float64Array.from([0.1, 0.2]), Float64Array.from([0.3])],
  biases: [Float64Array.from([0.01]), Float64Array.from([0.02])],
  delta: [undefined, Float64Array.from([0.125])],
  gradWeights: [undefined, Float64Array.from([0.03125])], gradBiases: [undefined, Float64Array.from([0.125])],
  changeWeights: [], changeBiases: [],
};

test("one row per neuron with its bias, one per connection, each cell what the tooltip says", () => {
  const [neurons, connections] = tablesOf(state);
  assert.deepEqual(neurons.rows.map((r) => r.name), ["x₁ (inputs)", "x₂ (inputs)", "h₁ (hidden layer 1)", "ŷ (output)"]);
  assert.deepEqual(connections.rows.map((r) => r.name), ["w from x₁ to h₁", "w from x₂ to h₁", "w from h₁ to ŷ"]);
  const cell = (t, row, column) => t.rows[row].cells[t.columns.indexOf(column)];
  assert.equal(cell(neurons, 3, "δ = ∂E/∂net"), "0.125");
  assert.equal(cell(neurons, 2, "δ = ∂E/∂net"), "backward pass not here yet", "δ follows the phase");
  assert.equal(cell(neurons, 3, "b"), "0.02");
  assert.equal(cell(neurons, 0, "b"), "—", "inputs have no bias");
  assert.equal(cell(connections, 2, "∂E/∂w = δ·o"), "0.03125");
  const tooltip = Object.fromEntries(describe(state, { kind: "weight", layer: 0, i: 1, j: 0 }).rows);
  for (const [label, text] of Object.entries(tooltip)) assert.equal(cell(connections, 1, label), text);
});

test("a large network's connections are listed up to a cap, and the table says how many more", () => {
  const big = { sizes: [40, 40, 1], names: null, phase: { kind: "idle" } };
  const [, connections] = tablesOf(big);
  assert.equal(connections.rows.length, MAX_CONNECTIONS);
  assert.equal(connections.more, 40 * 40 + 40 - MAX_CONNECTIONS);
});
