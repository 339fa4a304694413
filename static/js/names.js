// The names a student reads (x₁, h₁, ŷ, "w from x₁ to h₁", "b of h₁", w5 in the 2-2-2 example). The server
// computes them (engine/names.py) and sends them in the `data` message: neuron names, textbook names by
// parameter key, and the templates a label is made from. This module only fills the templates in. Pure.

import { paramKey } from "./layout.js";

/** Neuron j of layer l (0 = inputs): "x₁", "h₂", "ŷ"; "" until the names have arrived. */
export function neuronLabel(names, l, j) {
  return names?.neurons?.[l]?.[j] ?? "";
}

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, key) => values[key] ?? "");
}

/** The label of a weight or bias: "w from x₁ to h₁", "b of h₁", "w5 (w from h₁ to ŷ₁)", or the curve's "x". */
export function paramLabel(names, param) {
  if (!names?.templates) return "";
  const t = names.templates;
  const plain = param.kind === "bias"
    ? fill(t.bias, { j: neuronLabel(names, param.layer + 1, param.j) })
    : fill(t.weight, { i: neuronLabel(names, param.layer, param.i), j: neuronLabel(names, param.layer + 1, param.j) });
  const textbook = names.textbook?.[paramKey(param)];
  if (!textbook) return plain;
  return names.textbook_only ? textbook : fill(t.textbook, { textbook, plain });
}

/** Just the textbook name (w5) when the example has one, else the plain label. */
export function shortParamLabel(names, param) {
  return names?.textbook?.[paramKey(param)] ?? paramLabel(names, param);
}
