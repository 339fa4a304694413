import assert from "node:assert/strict";
import { test } from "node:test";

import { activationList, lossFields, resizeLayer } from "../../static/js/layers.js";

test("one activation name becomes one per layer, the loss choosing the output unit", () => {
  assert.deepEqual(activationList("tanh", [4, 4], "mse"), ["tanh", "tanh", "tanh"]);
  assert.deepEqual(activationList("relu", [8], "bce"), ["relu", "sigmoid"]);
  assert.deepEqual(activationList(["relu", "tanh"], [8], "mse"), ["relu", "tanh"]);
  assert.deepEqual(activationList(["relu", "tanh"], [8, 8], "mse"), ["relu", "relu", "relu"], "a stale list is not trusted");
});

test("neurons per layer stay within 1 and the server's limit", () => {
  assert.deepEqual(resizeLayer([4, 1], 1, -1), [4, 1]);
  assert.deepEqual(resizeLayer([4, 32], 1, +1, 32), [4, 32]);
  assert.deepEqual(resizeLayer([4, 4], 0, +1), [5, 4]);
});

test("a cross-entropy loss brings its output unit; leaving it gives the output the hidden unit back", () => {
  const config = { sizes: [4], activations: ["relu", "tanh"], loss: "mse" };
  assert.deepEqual(lossFields(config, "bce"), { loss: "bce", activations: ["relu", "sigmoid"] });
  assert.deepEqual(lossFields({ ...config, activations: ["relu", "sigmoid"], loss: "bce" }, "mse"),
    { loss: "mse", activations: ["relu", "relu"] });
  assert.deepEqual(lossFields({ ...config, activations: ["relu", "linear"] }, "mse"),
    { loss: "mse", activations: ["relu", "linear"] }, "a free output choice is kept");
  assert.deepEqual(lossFields({ sizes: [4], activations: "tanh", loss: "mse" }, "bce"), { loss: "bce" },
    "one name: the engine gives the loss its output unit");
  assert.deepEqual(lossFields({ sizes: [], activations: ["sigmoid"], loss: "bce" }, "mse"),
    { loss: "mse", activations: ["tanh"] });
});
