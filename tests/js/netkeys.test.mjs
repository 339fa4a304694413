import assert from "node:assert/strict";
import { test } from "node:test";

import { exists, moveFrom, targetKey } from "../../static/js/netkeys.js";

const sizes = [2, 3, 1];
const n = (layer, j) => ({ kind: "neuron", layer, j });
const w = (layer, i, j) => ({ kind: "weight", layer, i, j });
const b = (layer, j) => ({ kind: "bias", layer, j });

test("→ walks from an input through a connection and a bias to the next neuron, ← walks back", () => {
  assert.deepEqual(moveFrom(sizes, n(0, 1), "ArrowRight"), w(0, 1, 0));
  assert.deepEqual(moveFrom(sizes, w(0, 1, 2), "ArrowRight"), b(0, 2));
  assert.deepEqual(moveFrom(sizes, b(0, 2), "ArrowRight"), n(1, 2));
  assert.deepEqual(moveFrom(sizes, n(1, 2), "ArrowLeft"), b(0, 2));
  assert.deepEqual(moveFrom(sizes, b(0, 2), "ArrowLeft"), w(0, 0, 2));
  assert.deepEqual(moveFrom(sizes, w(0, 1, 2), "ArrowLeft"), n(0, 1));
});

test("↑ ↓ stay in a column and stop at its ends; Home and End jump to them", () => {
  assert.deepEqual(moveFrom(sizes, n(1, 0), "ArrowUp"), n(1, 0));
  assert.deepEqual(moveFrom(sizes, n(1, 2), "ArrowDown"), n(1, 2));
  assert.deepEqual(moveFrom(sizes, w(0, 0, 2), "ArrowDown"), w(0, 1, 0));
  assert.deepEqual(moveFrom(sizes, w(0, 1, 0), "ArrowUp"), w(0, 0, 2));
  assert.deepEqual(moveFrom(sizes, w(0, 0, 1), "End"), w(0, 1, 2));
  assert.deepEqual(moveFrom(sizes, b(1, 0), "Home"), b(1, 0));
});

test("the ends of the network go nowhere", () => {
  assert.deepEqual(moveFrom(sizes, n(2, 0), "ArrowRight"), n(2, 0));
  assert.deepEqual(moveFrom(sizes, n(0, 0), "ArrowLeft"), n(0, 0));
});

test("every move from every element lands on an element of the network", () => {
  const all = [];
  sizes.forEach((size, l) => { for (let j = 0; j < size; j++) all.push(n(l, j)); });
  for (let l = 0; l + 1 < sizes.length; l++) {
    for (let j = 0; j < sizes[l + 1]; j++) {
      all.push(b(l, j));
      for (let i = 0; i < sizes[l]; i++) all.push(w(l, i, j));
    }
  }
  const reached = new Set();
  for (const t of all) {
    for (const key of ["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "Home", "End"]) {
      const next = moveFrom(sizes, t, key);
      assert.ok(exists(sizes, next), `${targetKey(t)} ${key} → ${JSON.stringify(next)}`);
      reached.add(targetKey(next));
    }
  }
  assert.equal(reached.size, all.length, "every element can be reached");
  assert.equal(exists([2, 2], n(2, 0)), false);
  assert.equal(exists([2, 2], w(0, 2, 0)), false);
});
