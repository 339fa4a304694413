// The unrolled recurrent network: one column per time step of the window, left to right. Top: the input
// letter. Middle: the hidden state h_t as coloured cells (purple −1 … orange +1), with δh_t beside it once the
// backward pass has reached that step. Bottom: the confidence p_t of every letter, the target ringed. During
// backward an arrow marks δ flowing right to left. Every number is the frame's (computed by the engine); this
// only draws, and a title on each cell gives the exact value.
import { divergingScale, symmetricDomain } from "./colors.js";
import { formatExact } from "./scales.js";

const SVG = "http://www.w3.org/2000/svg";

/** How far backward has come: {reached: [t...]} of the steps whose δ is known (rows without NaN). Pure. */
export function reachedSteps(dh, T, H) {
  const out = [];
  if (!dh) return out;
  for (let t = 0; t < T; t++) if (Number.isFinite(dh[t * H])) out.push(t);
  return out;
}

/**
 * The phase chips of one recurrent update: forward, δ at step T … δ at step 1, update. A long window (more
 * than MAX_CHIPS steps) gets one backward chip that names the step reached ("δ step 7 of 25"). Pure.
 */
export const MAX_CHIPS = 6;
export function timeSteps(T, phase) {
  const steps = [{ key: "forward", label: "forward through time" }];
  if (T <= MAX_CHIPS) {
    for (let t = T - 1; t >= 0; t--) steps.push({ key: `back-${t}`, label: `δ step ${t + 1}`, t });
  } else {
    const at = phase?.kind === "backward" ? phase.t : null;
    steps.push({ key: "back", label: at === null ? `δ steps ${T} … 1` : `δ step ${at + 1} of ${T}`, t: at });
  }
  steps.push({ key: "update", label: "update" });
  let current = -1;
  if (phase?.kind === "forward") current = 0;
  else if (phase?.kind === "backward") current = steps.findIndex((s) => s.t === phase.t && s.key.startsWith("back"));
  else if (phase?.kind === "update") current = steps.length - 1;
  return steps.map(({ key, label }, k) => ({
    key, label, state: current < 0 ? "todo" : k < current ? "done" : k === current ? "current" : "todo",
  }));
}

/** A printable letter: a space, a newline and a tab made visible. */
export function showChar(c) {
  return c === " " ? "␣" : c === "\n" ? "↵" : c === "\t" ? "⇥" : c;
}

function el(name, attrs = {}, text = null) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== null) node.textContent = text;
  return node;
}

export function createUnrolledView(container) {
  const svg = el("svg", { class: "unrolled", role: "img", "aria-label": "The network unrolled through time" });
  container.replaceChildren(svg);
  const state = { drawn: null };
  let shape = null; // the layout and the cells of the current (T, H, V, vocabulary): built once, then updated
  let last = null; // the frame drawn, for the hover text

  // The exact number under the pointer, as a <title> made when hovered (thousands of cells each with a title
  // made on every frame would cost more than the drawing).
  svg.addEventListener("pointerover", (event) => {
    const cell = event.target.closest?.("[data-kind]");
    if (!cell || !last) return;
    const t = Number(cell.dataset.t), j = Number(cell.dataset.j);
    const { chars, H, V } = last;
    let text;
    if (cell.dataset.kind === "h") text = `h${j + 1} at t=${t + 1}: ${formatExact(last.h[(t + 1) * H + j])}`;
    else if (cell.dataset.kind === "dh") text = `δh${j + 1} at t=${t + 1}: ${formatExact(last.dh[t * H + j])}`;
    else if (cell.dataset.kind === "p") {
      text = `p(“${chars[j]}”) at t=${t + 1}: ${formatExact(last.p[t * V + j])}${j === last.targets[t] ? " (the target)" : ""}`;
    } else text = `input x_${t + 1}: “${chars[last.inputs[t]]}”`;
    let title = cell.querySelector("title");
    if (!title) cell.append(title = el("title"));
    title.textContent = text;
  });

  function build(f) {
    const { chars, H, V } = f;
    const T = f.inputs.length;
    const colW = Math.max(28, Math.min(64, 900 / T));
    const cell = Math.max(3, Math.min(16, 300 / H));
    const bar = Math.max(13, Math.min(16, 360 / V)); // a row per letter, tall enough for its 12 px label
    const top = 22, letterH = 24, hiddenTop = top + letterH + 26;
    const outTop = hiddenTop + H * cell + 30;
    const width = 70 + T * colW + 10;
    const height = outTop + V * bar + 26;
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    // Drawn at its own size (the box scrolls sideways for a long window): scaled down to fit, its labels
    // would shrink below what a person can read.
    svg.setAttribute("width", width);
    svg.setAttribute("height", height);
    const L = { T, H, V, colW, cell, bar, top, letterH, hiddenTop, outTop, letters: [], h: [], dh: [], p: [], rings: [] };
    const parts = [];
    const defs = el("defs");
    const marker = el("marker", { id: "delta-head", viewBox: "0 0 10 10", refX: 5, refY: 5, markerWidth: 5, markerHeight: 5, orient: "auto" });
    marker.append(el("path", { d: "M10 0 L0 5 L10 10 z", class: "delta-head" }));
    defs.append(marker);
    parts.push(defs);
    parts.push(el("text", { x: 4, y: top + 16, class: "row-label" }, "input"));
    parts.push(el("text", { x: 4, y: hiddenTop + 10, class: "row-label" }, "hidden h"));
    parts.push(el("text", { x: 4, y: outTop - 8, class: "row-label" }, "p(next letter)"));
    const gap = cell > 4 ? 1 : 0;
    for (let t = 0; t < T; t++) {
      const x0 = 70 + t * colW;
      const g = el("g", { class: "step", "data-t": String(t) });
      g.append(el("text", { x: x0 + colW / 2, y: 12, class: "step-label" }, `t=${t + 1}`));
      g.append(el("rect", { x: x0 + 3, y: top, width: colW - 6, height: letterH, class: "letter", "data-kind": "x", "data-t": t, "data-j": 0 }));
      const letter = el("text", { x: x0 + colW / 2, y: top + 17, class: "letter-text" }, "");
      g.append(letter);
      L.letters.push(letter);
      for (let j = 0; j < H; j++) {
        const hc = el("rect", { x: x0 + 4, y: hiddenTop + j * cell, width: colW - 8, height: cell - gap, class: "h-cell", "data-kind": "h", "data-t": t, "data-j": j });
        const dc = el("rect", { x: x0 + colW / 2, y: hiddenTop + j * cell, width: (colW - 8) / 2, height: cell - gap, class: "dh-cell", "data-kind": "dh", "data-t": t, "data-j": j, display: "none" });
        g.append(hc, dc);
        L.h.push(hc);
        L.dh.push(dc);
      }
      for (let k = 0; k < V; k++) {
        const pc = el("rect", { x: x0 + 4, y: outTop + k * bar, width: 0.5, height: bar - 1, class: "p-bar", "data-kind": "p", "data-t": t, "data-j": k });
        g.append(pc);
        L.p.push(pc);
      }
      const ring = el("rect", { x: x0 + 3, y: outTop - 0.5, width: colW - 6, height: bar, class: "target-ring" });
      g.append(ring);
      L.rings.push(ring);
      parts.push(g);
    }
    if (bar >= 7) {
      for (let k = 0; k < V; k++) parts.push(el("text", { x: 62, y: outTop + k * bar + bar - 2, class: "p-label" }, showChar(chars[k])));
    }
    for (let t = 1; t < T; t++) {
      const x = 70 + t * colW;
      parts.push(el("path", { d: `M${x - 6} ${hiddenTop - 10} L${x + 6} ${hiddenTop - 10}`, class: "recur" }));
    }
    L.flow = el("path", { d: "", class: "delta-flow", "marker-end": "url(#delta-head)", display: "none" });
    L.flowLabel = el("text", { x: 0, y: hiddenTop - 22, class: "delta-label", display: "none" }, "δ ←");
    parts.push(L.flow, L.flowLabel);
    svg.replaceChildren(...parts);
    return L;
  }

  /** f: {chars, inputs, targets, h (Float64Array (T+1)·H), p (T·V), dh (T·H), H, V, phase}. */
  function update(f) {
    const T = f.inputs.length;
    const key = `${T}|${f.H}|${f.V}|${f.chars.join("")}`;
    if (!shape || shape.key !== key) {
      shape = build(f);
      shape.key = key;
    }
    last = f;
    const { H, V, colW, bar, outTop, hiddenTop } = shape;
    const reached = reachedSteps(f.dh, T, H);
    const isReached = new Uint8Array(T);
    for (const t of reached) isReached[t] = 1;
    svg.dataset.steps = String(T);
    svg.dataset.phase = f.phase?.kind ?? "idle";
    svg.dataset.reached = reached.join(",");
    const hScale = divergingScale([-1, 1]);
    const dScale = divergingScale(symmetricDomain([f.dh], 1e-6)); // δh's own range: it is small
    const full = colW - 8, half = (colW - 8) / 2;
    for (let t = 0; t < T; t++) {
      const letter = showChar(f.chars[f.inputs[t]]);
      if (shape.letters[t].textContent !== letter) shape.letters[t].textContent = letter;
      for (let j = 0; j < H; j++) {
        const k = t * H + j;
        shape.h[k].setAttribute("fill", hScale.css(f.h[(t + 1) * H + j]));
        shape.h[k].setAttribute("width", isReached[t] ? half : full);
        if (isReached[t]) {
          shape.dh[k].setAttribute("fill", dScale.css(f.dh[k]));
          shape.dh[k].removeAttribute("display");
        } else shape.dh[k].setAttribute("display", "none");
      }
      for (let c = 0; c < V; c++) {
        const rect = shape.p[t * V + c];
        rect.setAttribute("width", Math.max(0.5, full * f.p[t * V + c]));
        rect.setAttribute("class", c === f.targets[t] ? "p-bar target" : "p-bar");
      }
      shape.rings[t].setAttribute("y", outTop + f.targets[t] * bar - 0.5);
    }
    if (f.phase?.kind === "backward" && f.phase.t !== null && f.phase.t !== undefined) {
      const x = 70 + f.phase.t * colW;
      shape.flow.setAttribute("d", `M${x + colW - 4} ${hiddenTop - 18} L${x + 4} ${hiddenTop - 18}`);
      shape.flow.removeAttribute("display");
      shape.flowLabel.setAttribute("x", x + colW / 2);
      shape.flowLabel.removeAttribute("display");
    } else {
      shape.flow.setAttribute("display", "none");
      shape.flowLabel.setAttribute("display", "none");
    }
    state.drawn = { T, H, V, phase: f.phase?.kind ?? "idle" };
  }

  return { update, state, element: svg };
}
