/**
 * What the network view shows, computed from a state without the DOM (pure; tested under node):
 * which quantity colours each layer's neurons in the current phase, the colour domains, and the exact
 * numbers a hover or tap reports.
 *
 * state: {sizes, o[l], net[l] (l = 0..L), delta[l], weights[l], biases[l], gradWeights[l], gradBiases[l],
 * changeWeights[l], changeBiases[l], weightsBefore[l], biasesBefore[l] (l = 0..L-1, weights flattened row-major
 * (n_l, n_{l+1}); the "before" arrays only after an update), phase {kind, layer}, shown {update, status},
 * names (the `data` message's names: every label comes from the server)}.
 * delta[l] holds δ of neuron layer l + 1 and is missing for layers the backward pass has not reached.
 */

import { niceCeil, symmetricDomain } from "./colors.js";
import { layerName, weightIndex } from "./layout.js";
import { neuronLabel, paramLabel } from "./names.js";
import { formatExact } from "./scales.js";

/** The δ of neuron layer l (1..L), or null when not computed (never for the inputs). */
export function deltaOf(state, l) {
  return l >= 1 ? (state.delta?.[l - 1] ?? null) : null;
}

/**
 * How each neuron layer is coloured now: [{by: "o" | "delta" | "pending"}] for l = 0..L.
 * In the backward phase the layers δ has reached show δ and the rest are "pending" (the inputs never get a δ);
 * in every other phase (idle, forward, update) all layers show o.
 */
export function layerColouring(state) {
  const backward = state.phase?.kind === "backward";
  return state.sizes.map((_, l) => {
    if (!backward) return { by: "o" };
    return { by: deltaOf(state, l) ? "delta" : "pending" };
  });
}

/**
 * The colour domains: o on [-m, m] with m ≥ 1 (so tanh and logistic outputs keep steady colours), δ on a
 * symmetric domain fitted to the δs shown (they are often small), and the weight reference: |w| at which a
 * connection reaches full width and depth: the largest |w| or |b| rounded up by niceCeil, at least 1 (so
 * the worked examples' weights of a few tenths still show), growing by nice steps as weights grow.
 */
export function colourDomains(state, colouring = layerColouring(state)) {
  const oArrays = state.o ?? [];
  const deltas = colouring.map((c, l) => (c.by === "delta" ? deltaOf(state, l) : null));
  let wMax = 0;
  for (const arrays of [state.weights ?? [], state.biases ?? []]) {
    for (const a of arrays) {
      if (!a) continue;
      for (let k = 0; k < a.length; k++) {
        const v = Math.abs(a[k]);
        if (v > wMax && Number.isFinite(v)) wMax = v;
      }
    }
  }
  return {
    o: symmetricDomain(oArrays, 1),
    delta: symmetricDomain(deltas, 1e-12),
    weightRef: Math.max(1, niceCeil(wMax)),
  };
}

function exact(array, k) {
  if (!array || k >= array.length) return "not computed yet";
  return formatExact(array[k]);
}

function value(array, k) {
  return array && k < array.length ? array[k] : null;
}

/**
 * The hover info for a target: {kind: "neuron", layer, j} (neuron layer l = 0..L), {kind: "weight", layer, i, j}
 * or {kind: "bias", layer, j} (weight layer l = 0..L-1). Returns {kind, layer, i?, j, title, rows: [[label, text]],
 * values: {...numbers or null}, param?, hint?}; texts are exact (up to 10 significant digits).
 */
export function describe(state, target) {
  const { sizes } = state;
  if (target.kind === "neuron") {
    const { layer: l, j } = target;
    const o = value(state.o?.[l], j);
    if (l === 0) {
      return {
        kind: "neuron", layer: l, j, title: neuronTitle(state, l, j),
        rows: [["x (input value)", exact(state.o?.[0], j)]],
        values: { net: o, o, delta: null },
      };
    }
    const delta = deltaOf(state, l);
    return {
      kind: "neuron", layer: l, j, title: neuronTitle(state, l, j), hint: CLICK_HINT,
      rows: [
        ["net = Σ w·o + b", exact(state.net?.[l], j)],
        ["o = φ(net)", exact(state.o?.[l], j)],
        ["δ = ∂E/∂net", delta ? exact(delta, j) : "backward pass not here yet"],
      ],
      values: { net: value(state.net?.[l], j), o, delta: value(delta, j) },
    };
  }
  const l = target.layer;
  if (target.kind === "weight") {
    const { i, j } = target;
    const k = weightIndex(i, j, sizes[l + 1]);
    const param = { kind: "weight", layer: l, i, j };
    const done = Boolean(state.weightsBefore?.[l]);
    const w = done
      ? [["w before", exact(state.weightsBefore[l], k)], ["w after", exact(state.weights?.[l], k)]]
      : [["w", exact(state.weights?.[l], k)]];
    return {
      kind: "weight", layer: l, i, j, param, title: paramLabel(state.names, param),
      rows: [
        ...w,
        ["∂E/∂w = δ·o", state.gradWeights?.[l] ? exact(state.gradWeights[l], k) : "backward pass not here yet"],
        [done ? "Δw" : "last Δw", state.changeWeights?.[l] ? exact(state.changeWeights[l], k) : "no update yet"],
      ],
      values: {
        w: value(state.weights?.[l], k), grad: value(state.gradWeights?.[l], k), change: value(state.changeWeights?.[l], k),
        before: value(state.weightsBefore?.[l], k),
      },
      hint: CLICK_HINT,
    };
  }
  const { j } = target;
  const param = { kind: "bias", layer: l, j };
  const done = Boolean(state.biasesBefore?.[l]);
  const b = done
    ? [["b before", exact(state.biasesBefore[l], j)], ["b after", exact(state.biases?.[l], j)]]
    : [["b", exact(state.biases?.[l], j)]];
  return {
    kind: "bias", layer: l, j, param, title: `${paramLabel(state.names, param)} (${layerName(l + 1, sizes)})`,
    rows: [
      ...b,
      ["∂E/∂b = δ", state.gradBiases?.[l] ? exact(state.gradBiases[l], j) : "backward pass not here yet"],
      [done ? "Δb" : "last Δb", state.changeBiases?.[l] ? exact(state.changeBiases[l], j) : "no update yet"],
    ],
    values: {
      b: value(state.biases?.[l], j), grad: value(state.gradBiases?.[l], j), change: value(state.changeBiases?.[l], j),
      before: value(state.biasesBefore?.[l], j),
    },
    hint: CLICK_HINT,
  };
}

const CLICK_HINT = "click (or Enter): the chain rule with these numbers";

/** "h₁ (hidden layer 1)", "x₂ (inputs)": the server's name and the layer in words. */
function neuronTitle(state, l, j) {
  const name = neuronLabel(state.names, l, j);
  return name ? `${name} (${layerName(l, state.sizes)})` : layerName(l, state.sizes);
}
