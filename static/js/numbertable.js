// The network's numbers as tables, for a screen reader and for close reading: every neuron (x or net, o, δ, and
// its bias b, ∂E/∂b, Δb) and every connection (w, ∂E/∂w, Δw), named as the drawing names them. Each cell is
// the text a hover on that element shows (netinfo.js's describe), so the table, the tooltip and the drawing
// never disagree. tablesOf is pure (node-tested); createNumberTables draws them while their box is open.

import { layerName } from "./layout.js";
import { describe } from "./netinfo.js";

/** At most this many connections are listed (a large network has thousands; the drawing still has them all). */
export const MAX_CONNECTIONS = 300;

/** [{caption, columns: [label], rows: [{name, cells: [text]}], more}] for a network state (netinfo.js). */
export function tablesOf(state) {
  const { sizes } = state;
  const neurons = [];
  sizes.forEach((n, l) => {
    for (let j = 0; j < n; j++) {
      const neuron = describe(state, { kind: "neuron", layer: l, j });
      const bias = l > 0 ? describe(state, { kind: "bias", layer: l - 1, j }) : null;
      neurons.push({ name: neuron.title, pairs: [...neuron.rows, ...(bias?.rows ?? [])] });
    }
  });
  const connections = [];
  let total = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    for (let i = 0; i < sizes[l]; i++) {
      for (let j = 0; j < sizes[l + 1]; j++) {
        total++;
        if (connections.length >= MAX_CONNECTIONS) continue;
        const w = describe(state, { kind: "weight", layer: l, i, j });
        connections.push({ name: w.title || `weights[${l}][${i}, ${j}] (into ${layerName(l + 1, sizes)})`, pairs: w.rows });
      }
    }
  }
  return [
    table("Neurons: their values, and the bias b of each (inputs have none)", neurons, 0),
    table("Connections: each weight w", connections, total - connections.length),
  ];
}

function table(caption, items, more) {
  const columns = [];
  for (const item of items) for (const [label] of item.pairs) if (!columns.includes(label)) columns.push(label);
  const rows = items.map((item) => {
    const byLabel = new Map(item.pairs);
    return { name: item.name, cells: columns.map((c) => byLabel.get(c) ?? "—") };
  });
  return { caption, columns, rows, more };
}

/**
 * createNumberTables(root): a <details> box in `root`; update(state, {playing}) redraws the tables while it is
 * open, at most once a second while playing (a table rewritten every frame cannot be read).
 */
export function createNumberTables(root) {
  const doc = root.ownerDocument;
  const box = doc.createElement("details");
  box.className = "numbers-table";
  box.id = "numbers-table";
  const summary = doc.createElement("summary");
  summary.textContent = "The numbers as a table";
  const body = doc.createElement("div");
  body.className = "numbers-table-body";
  box.append(summary, body);
  root.append(box);
  let last = null;
  let drawnAt = -Infinity;
  let pending = null;

  function draw(state) {
    drawnAt = performance.now();
    body.replaceChildren(...tablesOf(state).map((t) => render(doc, t)));
  }

  function update(state, { playing = false } = {}) {
    last = state;
    if (!box.open || !state) return;
    clearTimeout(pending);
    const wait = playing ? drawnAt + 1000 - performance.now() : 0;
    if (wait <= 0) draw(state);
    else pending = setTimeout(() => draw(last), wait);
  }

  box.addEventListener("toggle", () => {
    if (box.open && last) draw(last);
  });
  return { element: box, update };
}

function render(doc, t) {
  // A wide table scrolls on its own; the scrolling box takes the focus so the keyboard can scroll it too.
  const wrap = doc.createElement("div");
  wrap.className = "numbers-table-wrap";
  wrap.tabIndex = 0;
  const el = doc.createElement("table");
  const caption = el.createCaption();
  caption.textContent = t.more ? `${t.caption} (the first ${t.rows.length}; ${t.more} more not listed)` : t.caption;
  wrap.setAttribute("role", "region");
  wrap.setAttribute("aria-label", t.caption.split(":")[0]);
  const head = el.createTHead().insertRow();
  for (const label of ["", ...t.columns]) {
    const th = doc.createElement("th");
    th.scope = "col";
    th.textContent = label || (t.caption.startsWith("Neurons") ? "neuron" : "connection");
    head.append(th);
  }
  const tbody = el.createTBody();
  for (const row of t.rows) {
    const tr = tbody.insertRow();
    const th = doc.createElement("th");
    th.scope = "row";
    th.textContent = row.name;
    tr.append(th);
    for (const cell of row.cells) tr.insertCell().textContent = cell;
  }
  wrap.append(el);
  return wrap;
}
