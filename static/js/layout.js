/**
 * Pure layout maths for the network diagram (no DOM): where each neuron, bias and connection goes in a
 * width × height box, how thick a connection is, and the plain-word names of layers (names.js names neurons
 * and parameters, as the server sends them).
 *
 * Layers are numbered as in NOTATION.md: 0 (inputs) to L (outputs); `weights[l]` connects layer l to l + 1.
 */

/** Default margins (in the diagram's own units): room for layer labels above, input names left, output names right. */
export const MARGIN = { top: 44, right: 40, bottom: 16, left: 40 };

/**
 * Node positions for `sizes` (e.g. [2, 8, 8, 1]) in a width × height box.
 * Layers are evenly spaced across; within a layer, neurons are evenly spaced at one common pitch (set by the
 * largest layer) and centred vertically, so small layers sit in the middle as in TF Playground.
 * Returns {layers: [{x, nodes: [{x, y}]}], radius, pitch, margin}.
 */
export function networkLayout(sizes, width, height, { margin = MARGIN, maxRadius = 18 } = {}) {
  const L = sizes.length;
  const innerW = Math.max(1, width - margin.left - margin.right);
  const innerH = Math.max(1, height - margin.top - margin.bottom);
  const largest = Math.max(...sizes);
  const pitch = innerH / largest;
  const gap = L > 1 ? innerW / (L - 1) : innerW;
  const radius = Math.max(2, Math.min(maxRadius, pitch * 0.3, gap * 0.14));
  const centreY = margin.top + innerH / 2;
  const layers = sizes.map((n, l) => {
    const x = L > 1 ? margin.left + radius + ((innerW - 2 * radius) * l) / (L - 1) : margin.left + innerW / 2;
    const nodes = [];
    for (let k = 0; k < n; k++) nodes.push({ x, y: centreY + (k - (n - 1) / 2) * pitch });
    return { x, nodes };
  });
  return { layers, radius, pitch, margin };
}

/** An SVG path from a to b leaving and arriving horizontally (a cubic Bézier), as Playground draws links. */
export function connectionPath(a, b) {
  const mx = (a.x + b.x) / 2;
  return `M${r2(a.x)},${r2(a.y)} C${r2(mx)},${r2(a.y)} ${r2(mx)},${r2(b.y)} ${r2(b.x)},${r2(b.y)}`;
}

/** The midpoint of connectionPath(a, b) (the Bézier at t = 1/2), where a label or badge can sit. */
export function connectionMidpoint(a, b) {
  return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
}

/**
 * The stroke width for a weight: grows linearly with |w| from `min` (w = 0) to `max` (|w| ≥ ref), bounded
 * so one huge weight cannot swallow the diagram. Non-finite weights get `min`.
 */
export function strokeWidth(w, { ref = 3, min = 0.6, max = 8 } = {}) {
  const a = Math.abs(w);
  if (!Number.isFinite(a)) return min;
  return min + (max - min) * Math.min(1, a / ref);
}

/** The widest stroke that still leaves gaps between neighbouring neurons' connections. */
export function maxStrokeFor(layout) {
  return Math.max(1.5, Math.min(8, layout.radius * 0.55));
}

/**
 * The bias square of a neuron at `node` with radius r: below and to the left of the node (connections
 * arrive horizontally, so this corner stays clear). Returns {x, y, size} (top-left corner) and the stub
 * line {x1, y1, x2, y2} from the square to the node's rim.
 */
export function biasGeometry(node, r) {
  const size = Math.max(4, r * 0.62);
  const cx = node.x - r * 0.95;
  const cy = node.y + r * 0.95;
  const rim = Math.SQRT1_2 * r;
  return {
    x: cx - size / 2,
    y: cy - size / 2,
    size,
    stub: { x1: cx, y1: cy, x2: node.x - rim, y2: node.y + rim },
  };
}

/**
 * "inputs", "hidden layer 1" …, "output" (or "outputs" when there are several); `short` gives "hidden 1" for
 * a diagram whose layers stand too close for the full name.
 */
export function layerName(l, sizes, { short = false } = {}) {
  const L = sizes.length - 1;
  if (l === 0) return "inputs";
  if (l === L) return sizes[L] > 1 ? "outputs" : "output";
  return short ? `hidden ${l}` : `hidden layer ${l}`;
}

const SUBSCRIPT = "₀₁₂₃₄₅₆₇₈₉";

/** 12 → "₁₂". */
export function subscript(n) {
  return String(n).replace(/\d/g, (d) => SUBSCRIPT[Number(d)]);
}

/** A stable string key for a parameter, {kind: "weight", layer, i, j} or {kind: "bias", layer, j}. */
export function paramKey(param) {
  return param.kind === "bias" ? `b:${param.layer}:${param.j}` : `w:${param.layer}:${param.i}:${param.j}`;
}

/** The row-major index of w_ij in a flattened (n_l, n_{l+1}) weight array. */
export function weightIndex(i, j, nextSize) {
  return i * nextSize + j;
}

function r2(v) {
  return Math.round(v * 100) / 100;
}
