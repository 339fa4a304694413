// The network's shape in the controls: hidden layers with − / + neurons and an activation each, the output's
// activation, and + layer / − layer. Each change is one `configure` with the new sizes and activations.
// The pure helpers (one activation per layer, resizing, what a new loss does to the output) are node-tested.

import { fillSelect, label, makeButton, setValue } from "./forms.js";

/** The output unit a loss needs, if any (the engine's rule: cross-entropy pairs with its own output unit). */
export const OUTPUT_FOR_LOSS = { bce: "sigmoid", softmax_ce: "softmax" };

export const ACTIVATION_LABELS = {
  sigmoid: "logistic σ", tanh: "tanh", relu: "ReLU", leaky_relu: "leaky ReLU", linear: "linear", softmax: "softmax",
};

/** Per-layer activations [hidden..., output] for `sizes`, from a config's one name or list. */
export function activationList(activations, sizes, loss) {
  if (Array.isArray(activations) && activations.length === sizes.length + 1) return [...activations];
  const name = Array.isArray(activations) ? activations[0] ?? "tanh" : activations ?? "tanh";
  return [...sizes.map(() => name), OUTPUT_FOR_LOSS[loss] ?? name];
}

/** A new network shape: hidden layer `k` gets `delta` neurons, within [1, maxNeurons]. */
export function resizeLayer(sizes, k, delta, maxNeurons = 32) {
  return sizes.map((n, i) => (i === k ? Math.min(maxNeurons, Math.max(1, n + delta)) : n));
}

/**
 * The `configure` fields for choosing `loss`: a per-layer list of activations gets the output unit the loss
 * needs (or, leaving a cross-entropy loss, the hidden layers' unit back); one name is left to the engine.
 */
export function lossFields(config, loss) {
  const fields = { loss };
  if (!Array.isArray(config.activations)) return fields;
  const list = activationList(config.activations, config.sizes, config.loss);
  const out = list.at(-1);
  const freed = Object.values(OUTPUT_FOR_LOSS).includes(out) && !OUTPUT_FOR_LOSS[loss];
  list[list.length - 1] = OUTPUT_FOR_LOSS[loss] ?? (freed ? (list.length > 1 ? list[0] : "tanh") : out);
  return { ...fields, activations: list };
}

/**
 * Draw the layer rows into `box` for `config`; `onShape(sizes, activations)` is called for a change.
 * options: the server's options (activations offered, max neurons and hidden layers).
 */
export function renderLayers(box, config, options, onShape) {
  const doc = box.ownerDocument;
  const sizes = config.sizes ?? [];
  const acts = activationList(config.activations, sizes, config.loss);
  const forced = OUTPUT_FOR_LOSS[config.loss];
  const maxNeurons = options?.server?.max_neurons ?? 32;
  const maxLayers = options?.server?.max_hidden_layers ?? 6;
  const choices = (options?.activations ?? ["tanh"]).map((n) => [n, label(ACTIVATION_LABELS, n)]);
  const rows = sizes.map((n, k) => layerRow(doc, `layer ${k + 1}`, n, acts[k], choices, {
    minus: () => onShape(resizeLayer(sizes, k, -1, maxNeurons), acts),
    plus: () => onShape(resizeLayer(sizes, k, +1, maxNeurons), acts),
    activation: (name) => onShape(sizes, acts.map((a, i) => (i === k ? name : a))),
  }, k));
  const outChoices = forced ? [[forced, label(ACTIVATION_LABELS, forced)]] : choices;
  const out = layerRow(doc, "output", null, forced ?? acts.at(-1), outChoices, {
    activation: (name) => onShape(sizes, acts.map((a, i) => (i === acts.length - 1 ? name : a))),
  }, "output");
  const buttons = doc.createElement("div");
  buttons.className = "layer-buttons";
  const add = makeButton(doc, "+ layer", () => onShape([...sizes, sizes.at(-1) ?? 4],
    [...acts.slice(0, -1), acts.at(-2) ?? "tanh", acts.at(-1)]), { id: "add-layer" });
  const remove = makeButton(doc, "− layer", () => onShape(sizes.slice(0, -1), [...acts.slice(0, -2), acts.at(-1)]),
    { id: "remove-layer" });
  buttons.append(add, remove);
  box.replaceChildren(...rows, out, buttons);
  lockLayers(box, config, options);
}

/** Disable what cannot be used in this config: a loss-fixed output unit, + past the limit, − with none left. */
export function lockLayers(box, config, options) {
  const doc = box.ownerDocument;
  const out = box.querySelector('[data-layer="output"] select');
  if (out && OUTPUT_FOR_LOSS[config.loss]) out.disabled = true;
  const n = config.sizes?.length ?? 0;
  const add = doc.getElementById("add-layer");
  if (add) add.disabled = n >= (options?.server?.max_hidden_layers ?? 6);
  const remove = doc.getElementById("remove-layer");
  if (remove) remove.disabled = n === 0;
}

function layerRow(doc, name, n, activation, choices, handlers, key) {
  const row = doc.createElement("div");
  row.className = "layer";
  row.dataset.layer = String(key);
  const title = doc.createElement("span");
  title.className = "name";
  title.textContent = name;
  const count = doc.createElement("span");
  count.className = "count";
  if (n !== null) {
    const value = doc.createElement("span");
    value.textContent = String(n);
    value.setAttribute("aria-label", `${n} neurons`);
    count.append(makeButton(doc, "−", handlers.minus, { aria: `fewer neurons in ${name}` }), value,
      makeButton(doc, "+", handlers.plus, { aria: `more neurons in ${name}` }));
  }
  const select = doc.createElement("select");
  select.setAttribute("aria-label", `activation of ${name}`);
  fillSelect(select, choices);
  setValue(select, activation);
  select.addEventListener("change", () => handlers.activation(select.value));
  row.append(title, count, select);
  return row;
}
