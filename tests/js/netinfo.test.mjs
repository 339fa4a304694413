import assert from "node:assert/strict";
import { test } from "node:test";

import { colourDomains, deltaOf, describe, layerColouring } from "../../static/js/netinfo.js";

// The worked 2-2-2 example of NOTATION.md after its forward pass and the output layer's backward step.
function worked(phase = { kind: "backward", layer: 1 }) {
  const logistic = (z) => 1 / (1 + Math.exp(-z));
  const weights = [Float64Array.from([0.15, 0.25, 0.2, 0.3]), Float64Array.from([0.4, 0.5, 0.45, 0.55])];
  const biases = [Float64Array.from([0.35, 0.35]), Float64Array.from([0.6, 0.6])];
  const x = Float64Array.from([0.05, 0.1]);
  const t = [0.01, 0.99];
  const net = [x];
  const o = [x];
  for (let l = 0; l < 2; l++) {
    const z = Float64Array.from([0, 1], (j) => biases[l][j] + o[l][0] * weights[l][j] + o[l][1] * weights[l][2 + j]);
    net.push(z);
    o.push(z.map(logistic));
  }
  const d = Float64Array.from([0, 1], (j) => (o[2][j] - t[j]) * o[2][j] * (1 - o[2][j]));
  const g = Float64Array.from([0, 1, 2, 3], (k) => d[k % 2] * o[1][Math.floor(k / 2)]);
  return {
    sizes: [2, 2, 2], weights, biases, net, o, phase, names: NAMES,
    delta: [undefined, d], gradWeights: [undefined, g], gradBiases: [undefined, d], changeWeights: [], changeBiases: [],
  };
}

const rows = (info) => Object.fromEntries(info.rows);

// As engine/names.py's names_for sends them for the 2-2-2 worked example.
const NAMES = {
  neurons: [["x₁", "x₂"], ["h₁", "h₂"], ["ŷ₁", "ŷ₂"]],
  textbook: { "w:0:0:0": "w1", "w:0:1:0": "w2", "w:0:0:1": "w3", "w:0:1:1": "w4",
    "w:1:0:0": "w5", "w:1:1:0": "w6", "w:1:0:1": "w7", "w:1:1:1": "w8" },
  textbook_only: false,
  templates: { weight: "w from {i} to {j}", bias: "b of {j}", textbook: "{textbook} ({plain})" },
};

test("outside the backward phase every layer is coloured by its output o", () => {
  for (const kind of ["idle", "forward", "update"]) {
    const state = worked({ kind, layer: null });
    assert.deepEqual(layerColouring(state).map((c) => c.by), ["o", "o", "o"]);
  }
});

test("in the backward phase the layers δ has reached show δ and the rest wait in grey", () => {
  const state = worked();
  assert.deepEqual(layerColouring(state).map((c) => c.by), ["pending", "pending", "delta"]);
  state.delta[0] = Float64Array.from([0.1, 0.2]);
  state.phase = { kind: "backward", layer: 0 };
  assert.deepEqual(layerColouring(state).map((c) => c.by), ["pending", "delta", "delta"]);
});

test("δ of neuron layer l is delta[l - 1], and the inputs have none", () => {
  const state = worked();
  assert.equal(deltaOf(state, 2), state.delta[1]);
  assert.equal(deltaOf(state, 1), null);
  assert.equal(deltaOf(state, 0), null);
});

test("the o domain stays at ±1 for bounded outputs, and δ's domain fits its small values", () => {
  const domains = colourDomains(worked());
  assert.deepEqual(domains.o, [-1, 1]);
  assert.deepEqual(domains.delta, [-0.2, 0.2]);
  assert.equal(domains.weightRef, 1);
});

test("the weight reference grows with the largest weight in nice steps", () => {
  const state = worked();
  state.weights[0][3] = -3.7;
  assert.equal(colourDomains(state).weightRef, 5);
});

test("a connection's tooltip gives the worked example's exact w, ∂E/∂w and no Δw before an update", () => {
  const info = describe(worked(), { kind: "weight", layer: 1, i: 0, j: 0 });
  assert.equal(info.title, "w5 (w from h₁ to ŷ₁)");
  assert.deepEqual(info.param, { kind: "weight", layer: 1, i: 0, j: 0 });
  const r = rows(info);
  assert.equal(r.w, "0.4");
  assert.equal(r["∂E/∂w = δ·o"], "0.08216704056");
  assert.equal(r["last Δw"], "no update yet");
  assert.ok(Math.abs(info.values.grad - 0.082167041) < 1e-9);
});

test("a weight the backward pass has not reached says so", () => {
  const r = rows(describe(worked(), { kind: "weight", layer: 0, i: 1, j: 0 }));
  assert.equal(r.w, "0.2");
  assert.equal(r["∂E/∂w = δ·o"], "backward pass not here yet");
});

test("an output neuron's tooltip gives net, o and δ to ten digits", () => {
  const info = describe(worked(), { kind: "neuron", layer: 2, j: 0 });
  assert.equal(info.title, "ŷ₁ (outputs)");
  const r = rows(info);
  assert.equal(r["net = Σ w·o + b"], "1.105905967");
  assert.equal(r["o = φ(net)"], "0.7513650696");
  assert.equal(r["δ = ∂E/∂net"], "0.1384985616");
});

test("an input neuron reports its input value only", () => {
  const info = describe(worked(), { kind: "neuron", layer: 0, j: 1 });
  assert.deepEqual(info.rows, [["x (input value)", "0.1"]]);
  assert.equal(info.values.delta, null);
});

test("a bias's tooltip names its neuron and layer and gives b, ∂E/∂b and Δb", () => {
  const state = worked({ kind: "update", layer: null });
  state.changeBiases = [Float64Array.from([0, 0]), Float64Array.from([-0.01, 0.02])];
  const info = describe(state, { kind: "bias", layer: 1, j: 1 });
  assert.equal(info.title, "b of ŷ₂ (outputs)");
  const r = rows(info);
  assert.equal(r.b, "0.6");
  assert.equal(r["last Δb"], "0.02");
  assert.deepEqual(info.param, { kind: "bias", layer: 1, j: 1 });
});

test("after an update a connection reads old → new beside the gradient and the change that made it", () => {
  const state = worked({ kind: "update", layer: null });
  state.weightsBefore = [Float64Array.from(state.weights[0]), Float64Array.from(state.weights[1])];
  state.weights[1] = Float64Array.from([0.35891648, 0.5113012702, 0.4086661860, 0.5613701211]);
  state.changeWeights = [undefined, Float64Array.from([-0.04108352, 0.0113012702, -0.041333814, 0.0113701211])];
  const r = rows(describe(state, { kind: "weight", layer: 1, i: 0, j: 0 }));
  assert.equal(r["w before"], "0.4");
  assert.equal(r["w after"], "0.35891648");
  assert.equal(r["Δw"], "-0.04108352");
  assert.equal(r.w, undefined, "no unlabelled w after an update");
});

test("no label anywhere uses an array name", () => {
  const state = worked({ kind: "update", layer: null });
  const targets = [
    { kind: "neuron", layer: 0, j: 0 }, { kind: "neuron", layer: 1, j: 1 }, { kind: "weight", layer: 0, i: 1, j: 1 },
    { kind: "bias", layer: 0, j: 0 },
  ];
  for (const target of targets) {
    const info = describe(state, target);
    assert.doesNotMatch(info.title, /\[|neuron \d/);
  }
});
