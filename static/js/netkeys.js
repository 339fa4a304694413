// The network drawing by keyboard: where an arrow key goes from a neuron, a connection or a bias. Pure (node
// tests it). The drawing reads left to right as columns: the neurons of layer 0, the connections from layer 0,
// the biases of layer 1, the neurons of layer 1, … ; ↑ and ↓ move within a column, ← and → to the neighbour
// the element is joined to:
//   neuron (l, j)  → its first outgoing connection (l, j → 0)      ← its bias (of layer l)
//   connection     → the bias of the neuron it enters               ← the neuron it leaves
//   bias of (l+1, j) → that neuron                                  ← its first incoming connection (0 → j)
// Targets are as netinfo's describe takes them: {kind: "neuron", layer, j} (layer 0..L),
// {kind: "weight", layer, i, j} and {kind: "bias", layer, j} (layer 0..L-1, indexing weights[] / biases[]).

const clamp = (v, lo, hi) => Math.max(lo, Math.min(hi, v));

/** Where `key` ("ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "Home", "End") goes from `t`; `t` if nowhere. */
export function moveFrom(sizes, t, key) {
  const L = sizes.length - 1;
  if (t.kind === "neuron") {
    const n = sizes[t.layer];
    if (key === "ArrowUp") return { ...t, j: clamp(t.j - 1, 0, n - 1) };
    if (key === "ArrowDown") return { ...t, j: clamp(t.j + 1, 0, n - 1) };
    if (key === "Home") return { ...t, j: 0 };
    if (key === "End") return { ...t, j: n - 1 };
    if (key === "ArrowRight" && t.layer < L) return { kind: "weight", layer: t.layer, i: t.j, j: 0 };
    if (key === "ArrowLeft" && t.layer > 0) return { kind: "bias", layer: t.layer - 1, j: t.j };
    return t;
  }
  if (t.kind === "weight") {
    // ↑ ↓ run through the connections from layer t.layer in reading order: all from the first neuron, then …
    const from = sizes[t.layer];
    const to = sizes[t.layer + 1];
    const k = t.i * to + t.j;
    const at = (m) => ({ kind: "weight", layer: t.layer, i: Math.floor(m / to), j: m % to });
    if (key === "ArrowUp") return at(clamp(k - 1, 0, from * to - 1));
    if (key === "ArrowDown") return at(clamp(k + 1, 0, from * to - 1));
    if (key === "Home") return at(0);
    if (key === "End") return at(from * to - 1);
    if (key === "ArrowRight") return { kind: "bias", layer: t.layer, j: t.j };
    if (key === "ArrowLeft") return { kind: "neuron", layer: t.layer, j: t.i };
    return t;
  }
  const n = sizes[t.layer + 1];
  if (key === "ArrowUp") return { ...t, j: clamp(t.j - 1, 0, n - 1) };
  if (key === "ArrowDown") return { ...t, j: clamp(t.j + 1, 0, n - 1) };
  if (key === "Home") return { ...t, j: 0 };
  if (key === "End") return { ...t, j: n - 1 };
  if (key === "ArrowRight") return { kind: "neuron", layer: t.layer + 1, j: t.j };
  if (key === "ArrowLeft") return { kind: "weight", layer: t.layer, i: 0, j: t.j };
  return t;
}

/** The key a target's element carries in the drawing (data-key): "n:1:0", "w:0:1:2", "b:1:0". */
export function targetKey(t) {
  if (t.kind === "neuron") return `n:${t.layer}:${t.j}`;
  return t.kind === "weight" ? `w:${t.layer}:${t.i}:${t.j}` : `b:${t.layer}:${t.j}`;
}

/** Whether `t` names an element of a network of `sizes` (after a new setup an old focus may not). */
export function exists(sizes, t) {
  if (!t) return false;
  const L = sizes.length - 1;
  const inRange = (v, n) => Number.isInteger(v) && v >= 0 && v < n;
  if (t.kind === "neuron") return inRange(t.layer, L + 1) && inRange(t.j, sizes[t.layer]);
  if (!inRange(t.layer, L)) return false;
  if (t.kind === "weight") return inRange(t.i, sizes[t.layer]) && inRange(t.j, sizes[t.layer + 1]);
  return inRange(t.j, sizes[t.layer + 1]);
}
