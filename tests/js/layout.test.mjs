import assert from "node:assert/strict";
import { test } from "node:test";

import {
  biasGeometry, connectionMidpoint, connectionPath, layerName, maxStrokeFor, networkLayout,
  paramKey, strokeWidth, subscript, weightIndex,
} from "../../static/js/layout.js";

const close = (a, b, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test("every node and its circle stay inside the box, clear of the label band", () => {
  for (const sizes of [[2, 8, 8, 1], [2, 2, 2], [2, 1], [4, 16, 16, 16, 16, 3], [1, 1]]) {
    for (const [w, h] of [[640, 400], [300, 200], [900, 700]]) {
      const { layers, radius, margin } = networkLayout(sizes, w, h);
      for (const layer of layers) {
        for (const n of layer.nodes) {
          assert.ok(n.x - radius >= margin.left - 1e-9 && n.x + radius <= w - margin.right + 1e-9, `${sizes} x=${n.x}`);
          assert.ok(n.y - radius >= margin.top - 1e-9 && n.y + radius <= h - margin.bottom + 1e-9, `${sizes} y=${n.y}`);
        }
      }
    }
  }
});

test("a layout has one column per layer and one node per neuron", () => {
  const { layers } = networkLayout([2, 8, 8, 1], 640, 400);
  assert.deepEqual(layers.map((l) => l.nodes.length), [2, 8, 8, 1]);
});

test("layers are evenly spaced across and neurons evenly spaced down at one pitch", () => {
  const { layers, pitch } = networkLayout([2, 8, 8, 1], 640, 400);
  const gaps = layers.slice(1).map((l, k) => l.x - layers[k].x);
  for (const g of gaps) close(g, gaps[0]);
  for (const layer of layers) {
    for (let k = 1; k < layer.nodes.length; k++) close(layer.nodes[k].y - layer.nodes[k - 1].y, pitch);
    for (const n of layer.nodes) assert.equal(n.x, layer.x);
  }
});

test("small layers are centred on the same middle line as the largest", () => {
  const { layers } = networkLayout([2, 8, 8, 1], 640, 400);
  const middle = (nodes) => (nodes[0].y + nodes[nodes.length - 1].y) / 2;
  for (const layer of layers) close(middle(layer.nodes), middle(layers[1].nodes));
  close(layers[3].nodes[0].y, middle(layers[1].nodes));
});

test("neighbouring neurons never overlap", () => {
  for (const sizes of [[2, 8, 8, 1], [2, 32, 1], [2, 8, 8, 8, 8, 8, 8, 1]]) {
    const { radius, pitch, layers } = networkLayout(sizes, 640, 400);
    assert.ok(2 * radius < pitch, `${sizes}: r=${radius} pitch=${pitch}`);
    assert.ok(2 * radius < layers[1].x - layers[0].x);
  }
});

test("the radius is capped so a tiny network does not draw huge discs", () => {
  assert.equal(networkLayout([1, 1], 640, 400).radius, 18);
  assert.equal(networkLayout([1, 1], 640, 400, { maxRadius: 10 }).radius, 10);
});

test("a connection leaves and arrives horizontally", () => {
  assert.equal(connectionPath({ x: 0, y: 10 }, { x: 100, y: 50 }), "M0,10 C50,10 50,50 100,50");
  assert.deepEqual(connectionMidpoint({ x: 0, y: 10 }, { x: 100, y: 50 }), { x: 50, y: 30 });
});

test("stroke width grows with |w| and is bounded at both ends", () => {
  const opts = { ref: 2, min: 1, max: 9 };
  assert.equal(strokeWidth(0, opts), 1);
  assert.equal(strokeWidth(1, opts), 5);
  assert.equal(strokeWidth(-1, opts), 5);
  assert.equal(strokeWidth(2, opts), 9);
  assert.equal(strokeWidth(1e6, opts), 9);
  assert.equal(strokeWidth(Number.NaN, opts), 1);
  assert.ok(strokeWidth(0.5) < strokeWidth(1));
});

test("the widest stroke shrinks for crowded diagrams", () => {
  const roomy = networkLayout([2, 4, 1], 640, 400);
  const crowded = networkLayout([2, 40, 1], 640, 400);
  assert.ok(maxStrokeFor(crowded) < maxStrokeFor(roomy));
  assert.ok(maxStrokeFor(crowded) >= 1.5);
});

test("a bias square sits below left of its neuron, touching it by a stub", () => {
  const node = { x: 100, y: 100 };
  const g = biasGeometry(node, 10);
  assert.ok(g.x + g.size <= node.x && g.y >= node.y, JSON.stringify(g));
  close(Math.hypot(g.stub.x2 - node.x, g.stub.y2 - node.y), 10);
  close(g.stub.x1, g.x + g.size / 2);
});

test("layers are named in plain words", () => {
  assert.deepEqual([0, 1, 2, 3].map((l) => layerName(l, [2, 8, 8, 1])), ["inputs", "hidden layer 1", "hidden layer 2", "output"]);
  assert.equal(layerName(2, [2, 2, 2]), "outputs");
  assert.equal(layerName(1, [2, 8, 8, 1], { short: true }), "hidden 1");
  assert.equal(layerName(0, [2, 8, 8, 1], { short: true }), "inputs");
});

test("parameters have a stable key", () => {
  assert.equal(paramKey({ kind: "weight", layer: 0, i: 1, j: 3 }), "w:0:1:3");
  assert.equal(paramKey({ kind: "bias", layer: 1, j: 0 }), "b:1:0");
});

test("w_ij sits at row i, column j of the flattened weights", () => {
  assert.equal(weightIndex(1, 3, 8), 11);
  assert.equal(subscript(12), "₁₂");
});
