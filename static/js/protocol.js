// The wire format of docs/protocol.md, mirrored for the page: binary messages decoded into typed-array views
// (no copying), JSON messages parsed, and one constructor per control message. Pure: no DOM, no WebSocket.

const DTYPES = {
  f8: Float64Array,
  f4: Float32Array,
  i4: Int32Array,
  u4: Uint32Array,
  i2: Int16Array,
  u2: Uint16Array,
  i1: Int8Array,
  u1: Uint8Array,
};

const utf8 = new TextDecoder("utf-8");

/** The number of elements of an array of this shape (a scalar, shape [], has one). */
export function sizeOf(shape) {
  return shape.reduce((n, d) => n * d, 1);
}

/**
 * Decode a binary message: [uint32 LE H][H bytes of JSON header][payload].
 * Returns {header, arrays, shapes}: `arrays[name]` is a typed view into `buffer` (Float64Array for "f8",
 * Float32Array for "f4"), `shapes[name]` its shape; an array listed with `parts` ([name, shape] pairs) gives
 * each part too, under its own name. Throws an Error naming what is wrong with a bad message.
 */
export function decodeBinary(buffer) {
  if (!(buffer instanceof ArrayBuffer)) throw new Error("binary message: expected an ArrayBuffer");
  if (buffer.byteLength < 4) throw new Error(`binary message: ${buffer.byteLength} bytes, too short for a header length`);
  const headerLength = new DataView(buffer).getUint32(0, true);
  if (4 + headerLength > buffer.byteLength) {
    throw new Error(`binary message: header of ${headerLength} bytes runs past the end (${buffer.byteLength} bytes)`);
  }
  const header = JSON.parse(utf8.decode(new Uint8Array(buffer, 4, headerLength)));
  const payload = 4 + headerLength;
  const arrays = {};
  const shapes = {};
  for (const spec of header.arrays ?? []) {
    const Type = DTYPES[spec.dtype];
    if (!Type) throw new Error(`binary message: array ${spec.name} has unknown dtype ${JSON.stringify(spec.dtype)}`);
    const length = sizeOf(spec.shape);
    const start = payload + spec.offset;
    if (start % Type.BYTES_PER_ELEMENT !== 0) {
      throw new Error(`binary message: array ${spec.name} starts at byte ${start}, not aligned for ${spec.dtype}`);
    }
    if (start + length * Type.BYTES_PER_ELEMENT > buffer.byteLength) {
      throw new Error(`binary message: array ${spec.name} runs past the end of the message`);
    }
    arrays[spec.name] = new Type(buffer, start, length);
    shapes[spec.name] = spec.shape;
    // Consecutive pieces of a flat array, each a view of its own (every layer's weights in the parameters).
    let at = 0;
    for (const [part, shape] of spec.parts ?? []) {
      const size = sizeOf(shape);
      if (at + size > length) throw new Error(`binary message: part ${part} runs past the end of array ${spec.name}`);
      arrays[part] = arrays[spec.name].subarray(at, at + size);
      shapes[part] = shape;
      at += size;
    }
  }
  return { header, arrays, shapes };
}

/**
 * Decode any message the server sends: a string is JSON, an ArrayBuffer is binary.
 * Returns {type, header, arrays, shapes} (arrays and shapes empty for JSON messages, header the JSON itself).
 */
export function decodeMessage(data) {
  if (typeof data === "string") {
    const header = JSON.parse(data);
    return { type: header.type, header, arrays: {}, shapes: {} };
  }
  const { header, arrays, shapes } = decodeBinary(data);
  return { type: header.type, header, arrays, shapes };
}

/**
 * Build a binary message as the server does (for tests and the demo): header fields plus named arrays
 * `{name: {dtype: "f8"|"f4", shape, data, parts?}}`. Pads the header with spaces so 4 + H is a multiple of 8 and
 * aligns each array to 8 bytes.
 */
export function encodeBinary(fields, arrays = {}) {
  const specs = [];
  let offset = 0;
  for (const [name, { dtype, shape, data, parts }] of Object.entries(arrays)) {
    specs.push({ name, dtype, shape, offset, ...(parts ? { parts } : {}) });
    offset += Math.ceil((sizeOf(shape) * DTYPES[dtype].BYTES_PER_ELEMENT) / 8) * 8;
    if (data.length !== sizeOf(shape)) throw new Error(`array ${name}: ${data.length} values for shape ${shape}`);
  }
  let json = new TextEncoder().encode(JSON.stringify({ ...fields, arrays: specs }));
  const padded = Math.ceil((4 + json.length) / 8) * 8 - 4;
  const header = new Uint8Array(padded).fill(0x20);
  header.set(json);
  json = header;
  const buffer = new ArrayBuffer(4 + padded + offset);
  new DataView(buffer).setUint32(0, padded, true);
  new Uint8Array(buffer, 4, padded).set(json);
  for (const spec of specs) {
    const Type = DTYPES[spec.dtype];
    new Type(buffer, 4 + padded + spec.offset, sizeOf(spec.shape)).set(arrays[spec.name].data);
  }
  return buffer;
}

/** The arrays `prefix.0`, `prefix.1`, ... of a decoded message as a list (undefined where one is absent). */
export function layered(arrays, prefix, count) {
  const out = [];
  for (let l = 0; l < count; l++) out.push(arrays[`${prefix}.${l}`]);
  return out;
}

/**
 * A decoded frame as the network view's state: {sizes, activations, weights[l], biases[l], net[l], o[l],
 * delta[l], gradWeights[l], gradBiases[l], changeWeights[l], changeBiases[l], weightsBefore[l], biasesBefore[l],
 * phase, shown}. `weights[l]` is the flat row-major (n_l × n_{l+1}) Float64Array; entries are undefined for layers
 * the frame does not carry (the "before" weights come only after an update: old → new).
 */
export function networkState(frame) {
  const { header, arrays } = frame;
  const sizes = header.sizes;
  const L = sizes.length - 1;
  return {
    sizes,
    activations: header.activations,
    weights: layered(arrays, "weights", L),
    biases: layered(arrays, "biases", L),
    net: layered(arrays, "net", L + 1),
    o: layered(arrays, "o", L + 1),
    delta: layered(arrays, "delta", L),
    gradWeights: layered(arrays, "grad_weights", L),
    gradBiases: layered(arrays, "grad_biases", L),
    changeWeights: layered(arrays, "change_weights", L),
    changeBiases: layered(arrays, "change_biases", L),
    weightsBefore: layered(arrays, "weights_before", L),
    biasesBefore: layered(arrays, "biases_before", L),
    phase: header.phase ?? { kind: "idle", layer: null },
    shown: header.shown ?? null,
  };
}

// -- control messages (page → server) ------------------------------------------------------------------

function message(type, fields = {}, id) {
  const out = { type, ...fields };
  if (id !== undefined) out.id = id;
  return out;
}

export const HYPERPARAMETERS = ["lr", "momentum", "beta1", "beta2", "eps", "rho", "weight_decay"];
export const CONFIG_FIELDS = [
  "dataset", "noise", "n_points", "test_fraction", "sizes", "activations", "loss",
  "optimizer", "hyper", "batch_size", "seed", "data_seed", "preset",
];

export const hello = (token, client) => message("hello", token ? { token, client } : { client });
export const configure = (fields, id) => message("configure", pick(fields, CONFIG_FIELDS), id);
export const reset = (id) => message("reset", {}, id);
export const regenerate = (id) => message("regenerate", {}, id);
export const play = (id) => message("play", {}, id);
export const pause = (id) => message("pause", {}, id);
export const speed = (updatesPerSecond, id) => message("speed", { updates_per_second: updatesPerSecond }, id);
export const step = (id) => message("step", {}, id);
export const phase = (id) => message("phase", {}, id);
export const set = (fields, id) => message("set", pick(fields, [...HYPERPARAMETERS, "batch_size"]), id);
export const select = (example, id) => message("select", { example }, id);
export const gradcheck = (id) => message("gradcheck", {}, id);
export const back = (steps = 1, id) => message("back", { steps }, id);
export const forward = (steps = 1, id) => message("forward", { steps }, id);
export const seek = (step, id) => message("seek", { step }, id);
/** Open the explainer on {kind: "neuron", layer, j} (layer 0..L), a weight or a bias (as `surface` names them); null closes it. */
export const explain = (element, id) => message("explain", { element }, id);

/** Your own data: a new training point at [x₁, x₂] of class `label` (or with `target`), moved or removed by its
 * index over the data message's training points, then its test points. */
export const addPoint = (x, { label, target } = {}, id) => message("add_point", pick({ x, label, target }, ["x", "label", "target"]), id);
export const movePoint = (index, x, id) => message("move_point", { index, x }, id);
export const removePoint = (index, id) => message("remove_point", { index }, id);
export const visibility = (hidden, id) => message("visibility", { hidden }, id);

/** `surface({kind: "weights", params: [p, q]})`, `surface({kind: "random", seed})`, `surface({kind: "trajectory"})`. */
export function surface({ kind, params, seed, resolution, span }, id) {
  const fields = { kind };
  if (params !== undefined) fields.params = params;
  if (seed !== undefined) fields.seed = seed;
  if (resolution !== undefined) fields.resolution = resolution;
  if (span !== undefined) fields.span = span;
  return message("surface", fields, id);
}

/** A parameter as the `surface` message names it: a weight w_ij of weights[l], or a bias b_j of biases[l]. */
export function weightParam(layer, i, j) {
  return { kind: "weight", layer, i, j };
}
export function biasParam(layer, j) {
  return { kind: "bias", layer, j };
}

function pick(fields, names) {
  const out = {};
  for (const name of names) if (fields[name] !== undefined) out[name] = fields[name];
  return out;
}
