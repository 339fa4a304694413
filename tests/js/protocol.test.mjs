import assert from "node:assert/strict";
import { test } from "node:test";

import * as protocol from "../../static/js/protocol.js";

// A frame built byte by byte as docs/protocol.md describes it, without the module's own encoder.
function handBuiltFrame() {
  const arrays = [
    { name: "weights.0", dtype: "f8", shape: [2, 3], offset: 0 },
    { name: "grid", dtype: "f4", shape: [3], offset: 48 },
  ];
  let json = JSON.stringify({ type: "frame", seq: 4, step: 12, sizes: [2, 3], arrays });
  while ((4 + json.length) % 8 !== 0) json += " ";
  const header = new TextEncoder().encode(json);
  const buffer = new ArrayBuffer(4 + header.length + 48 + 16);
  new DataView(buffer).setUint32(0, header.length, true);
  new Uint8Array(buffer, 4, header.length).set(header);
  const payload = 4 + header.length;
  const view = new DataView(buffer);
  [0.15, 0.25, -0.5, 0.2, 0.3, 1e-17].forEach((v, k) => view.setFloat64(payload + 8 * k, v, true));
  [1.5, -2, 0.25].forEach((v, k) => view.setFloat32(payload + 48 + 4 * k, v, true));
  return buffer;
}

test("a hand-built binary frame decodes to its header and typed arrays", () => {
  const { header, arrays, shapes } = protocol.decodeBinary(handBuiltFrame());
  assert.equal(header.type, "frame");
  assert.equal(header.step, 12);
  assert.ok(arrays["weights.0"] instanceof Float64Array);
  assert.deepEqual([...arrays["weights.0"]], [0.15, 0.25, -0.5, 0.2, 0.3, 1e-17]);
  assert.deepEqual(shapes["weights.0"], [2, 3]);
  assert.ok(arrays.grid instanceof Float32Array);
  assert.deepEqual([...arrays.grid], [1.5, -2, 0.25]);
});

test("decoded arrays are views into the message, not copies", () => {
  const buffer = handBuiltFrame();
  const { arrays } = protocol.decodeBinary(buffer);
  assert.equal(arrays["weights.0"].buffer, buffer);
  assert.equal(arrays.grid.buffer, buffer);
});

test("float64 keeps every printed digit of the worked example", () => {
  const buffer = protocol.encodeBinary({ type: "frame" }, {
    "weights.1": { dtype: "f8", shape: [2, 2], data: [0.35891648, 0.408666186, 0.511301270, 0.561370121] },
  });
  const { arrays } = protocol.decodeBinary(buffer);
  assert.equal(arrays["weights.1"][0], 0.35891648);
  assert.equal(arrays["weights.1"][3], 0.561370121);
});

test("the encoder pads the header so arrays start on 8-byte boundaries", () => {
  for (const name of ["a", "ab", "abc", "abcd", "abcde", "abcdef", "abcdefg", "abcdefgh"]) {
    const buffer = protocol.encodeBinary({ type: "grid", name }, {
      values: { dtype: "f4", shape: [3], data: [1, 2, 3] },
      loss: { dtype: "f8", shape: [1], data: [0.5] },
    });
    const H = new DataView(buffer).getUint32(0, true);
    assert.equal((4 + H) % 8, 0);
    const { arrays } = protocol.decodeBinary(buffer);
    assert.deepEqual([...arrays.values], [1, 2, 3]);
    assert.deepEqual([...arrays.loss], [0.5]);
  }
});

test("a message with no arrays decodes to an empty set of arrays", () => {
  const { header, arrays } = protocol.decodeBinary(protocol.encodeBinary({ type: "surface", step: 0 }));
  assert.equal(header.type, "surface");
  assert.deepEqual(arrays, {});
});

test("decodeMessage parses JSON text and binary alike", () => {
  const text = protocol.decodeMessage('{"type": "ack", "id": 7, "of": "set"}');
  assert.equal(text.type, "ack");
  assert.equal(text.header.of, "set");
  const binary = protocol.decodeMessage(handBuiltFrame());
  assert.equal(binary.type, "frame");
});

test("a truncated or misaligned message is refused with a reason", () => {
  assert.throws(() => protocol.decodeBinary(new ArrayBuffer(2)), /too short/);
  const buffer = new ArrayBuffer(8);
  new DataView(buffer).setUint32(0, 100, true);
  assert.throws(() => protocol.decodeBinary(buffer), /runs past the end/);
  const short = handBuiltFrame().slice(0, 60);
  assert.throws(() => protocol.decodeBinary(short), /runs past the end|header/);
  const header = new TextEncoder().encode('{"arrays":[{"name":"x","dtype":"f8","shape":[1],"offset":2}]}  ');
  const bad = new ArrayBuffer(4 + header.length + 16);
  new DataView(bad).setUint32(0, header.length, true);
  new Uint8Array(bad, 4).set(header);
  assert.throws(() => protocol.decodeBinary(bad), /not aligned/);
});

test("an array sent in parts gives each part as a view of its own, shaped", () => {
  // As the server sends a frame's parameters: one flat vector, each layer's weights and biases a part of it.
  const flat = [0.15, 0.25, 0.2, 0.3, 0.35, 0.35, 0.4, 0.5, 0.6];
  const buffer = protocol.encodeBinary({ type: "frame" }, {
    trajectory: { dtype: "f8", shape: [9], data: flat,
      parts: [["weights.0", [2, 2]], ["biases.0", [2]], ["weights.1", [2, 1]], ["biases.1", [1]]] },
  });
  const { arrays, shapes } = protocol.decodeBinary(buffer);
  assert.deepEqual([...arrays.trajectory], flat);
  assert.deepEqual([...arrays["weights.0"]], [0.15, 0.25, 0.2, 0.3]);
  assert.deepEqual([...arrays["biases.0"]], [0.35, 0.35]);
  assert.deepEqual([...arrays["weights.1"]], [0.4, 0.5]);
  assert.deepEqual([...arrays["biases.1"]], [0.6]);
  assert.deepEqual(shapes["weights.1"], [2, 1]);
  assert.equal(arrays["weights.1"].buffer, buffer, "a view into the message, not a copy");
});

test("a part that runs past the end of its array is refused with a reason", () => {
  const buffer = protocol.encodeBinary({ type: "frame" }, {
    net: { dtype: "f8", shape: [3], data: [1, 2, 3], parts: [["net.0", [2]], ["net.1", [2]]] },
  });
  assert.throws(() => protocol.decodeBinary(buffer), /part net\.1 runs past the end of array net/);
});

test("networkState gathers per-layer arrays under the drawing's names", () => {
  const L = 2;
  const arrays = {};
  const sizes = [2, 3, 1];
  for (let l = 0; l < L; l++) {
    arrays[`weights.${l}`] = { dtype: "f8", shape: [sizes[l], sizes[l + 1]], data: new Array(sizes[l] * sizes[l + 1]).fill(l) };
    arrays[`biases.${l}`] = { dtype: "f8", shape: [sizes[l + 1]], data: new Array(sizes[l + 1]).fill(l) };
  }
  for (let l = 0; l <= L; l++) arrays[`o.${l}`] = { dtype: "f8", shape: [sizes[l]], data: new Array(sizes[l]).fill(0.5) };
  arrays["delta.1"] = { dtype: "f8", shape: [1], data: [0.25] };
  const frame = protocol.decodeMessage(protocol.encodeBinary(
    { type: "frame", sizes, activations: ["tanh", "tanh"], phase: { kind: "backward", layer: 1 } }, arrays));
  const state = protocol.networkState(frame);
  assert.deepEqual(state.sizes, sizes);
  assert.equal(state.weights.length, 2);
  assert.equal(state.weights[1].length, 3);
  assert.equal(state.o.length, 3);
  assert.equal(state.delta[0], undefined);
  assert.equal(state.delta[1][0], 0.25);
  assert.deepEqual(state.phase, { kind: "backward", layer: 1 });
});

test("control messages carry their type, their fields and an optional id", () => {
  assert.deepEqual(protocol.set({ lr: 0.03 }, 7), { type: "set", lr: 0.03, id: 7 });
  assert.deepEqual(protocol.play(), { type: "play" });
  assert.deepEqual(protocol.speed(null, 2), { type: "speed", updates_per_second: null, id: 2 });
  assert.deepEqual(protocol.select(null), { type: "select", example: null });
  assert.deepEqual(protocol.hello("tok", "c-1"), { type: "hello", token: "tok", client: "c-1" });
  assert.deepEqual(protocol.hello(null, "c-1"), { type: "hello", client: "c-1" });
});

test("configure and set drop fields the protocol does not define", () => {
  assert.deepEqual(protocol.configure({ dataset: "xor", sizes: [4], colour: "red" }),
    { type: "configure", dataset: "xor", sizes: [4] });
  assert.deepEqual(protocol.set({ momentum: 0.5, dataset: "xor" }), { type: "set", momentum: 0.5 });
  assert.deepEqual(protocol.configure({ batch_size: null }), { type: "configure", batch_size: null });
});

test("a surface request names its two weights", () => {
  const message = protocol.surface({ kind: "weights", params: [protocol.weightParam(0, 1, 2), protocol.biasParam(1, 0)] }, 3);
  assert.deepEqual(message, {
    type: "surface",
    kind: "weights",
    params: [{ kind: "weight", layer: 0, i: 1, j: 2 }, { kind: "bias", layer: 1, j: 0 }],
    id: 3,
  });
});
