/**
 * The explainer: the chain rule for one neuron, weight or bias, written in MathML (native, no library) with the
 * numbers the server sent (a frame header's `explain`, made by engine/explain.py). It draws; it computes nothing.
 *
 *   const panel = createExplainer(root, {onClose});
 *   panel.update(terms);   // the frame header's `explain` (null: the panel hides); redrawn only when it changes
 *
 * Every result shown carries data-result="forward.net" (…, "rule.new") so a test can hold it against the frame.
 */

import { html } from "./canvas.js";
import { formatExact } from "./scales.js";

const NS = "http://www.w3.org/1998/Math/MathML";

function m(tag, attrs, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs ?? {})) el.setAttribute(k, v);
  for (const c of children.flat()) el.append(typeof c === "string" ? document.createTextNode(c) : c);
  return el;
}

const mi = (t) => m("mi", {}, t);
const mo = (t) => m("mo", {}, t);
const row = (...c) => m("mrow", {}, ...c);
const sub = (base, s) => m("msub", {}, typeof base === "string" ? mi(base) : base, typeof s === "string" ? mi(s) : s);
const frac = (a, b) => m("mfrac", {}, a, b);

/** A number as the page prints every number (10 significant digits); negative ones in brackets inside products. */
function num(v, { result, bracket = false } = {}) {
  const attrs = result ? { "data-result": result } : {};
  const el = m("mn", attrs, v === null || v === undefined ? "—" : formatExact(v));
  return bracket && v < 0 ? row(mo("("), el, mo(")")) : el;
}

const times = () => mo("×");
const eq = () => mo("=");

function line(...children) {
  return m("math", { display: "block" }, row(...children));
}

/** One line when it fits the panel, else the formula and its numbers on lines of their own (see two). The
 * count of characters is a guess at the width (digits and letters differ): a line it let through that is
 * wider than the panel after all is set again on lines of their own, not left to scroll with its result cut. */
function fit(parent, formula, numbers) {
  const chars = [...formula, ...numbers].reduce((n, node) => n + node.textContent.length + 1, 0);
  if (chars <= WIDTH + 8) {
    const one = line(...formula, eq(), ...numbers);
    parent.append(one);
    if (one.scrollWidth <= one.clientWidth + 1) return;
    one.remove(); // its nodes go on to the lines below
  }
  two(parent, formula, numbers);
}

/** An equation on three lines, the formula, its numbers and the result: a narrow panel holds them all. */
function two(parent, formula, numbers) {
  const k = numbers.findLastIndex((node) => node.tagName === "mo" && node.textContent === "=");
  if (k < 0) parent.append(line(...formula), line(eq(), ...numbers));
  else parent.append(line(...formula), line(eq(), ...numbers.slice(0, k)), line(...numbers.slice(k)));
}

/**
 * A sum written over as many lines as it needs (MathML Core does not break lines): the terms are packed greedily,
 * about `width` characters a line, lead + t₁ + t₂ on the first and + t₃ + … + tail on the next ones.
 */
function sumLines(parent, lead, items, tail, width = WIDTH) {
  const chars = (nodes) => nodes.reduce((n, node) => n + node.textContent.length + 1, 0);
  let parts = [...lead];
  let used = chars(lead);
  let first = true;
  items.forEach((item, k) => {
    const size = item.textContent.length + 3;
    if (!first && used + size > width) {
      parent.append(line(...parts));
      parts = [m("mspace", { width: "1.2em" })];
      used = 3;
    }
    if (k > 0) parts.push(mo("+"));
    parts.push(item);
    used += size;
    first = false;
  });
  if (used + chars(tail) > width + 8 && tail.length > 1) {
    parent.append(line(...parts), line(...tail));
  } else {
    parent.append(line(...parts, ...tail));
  }
}

const WIDTH = 50; // characters of a line of numbers the panel holds at its usual width

// Symbols in NOTATION.md's notation, subscripted by the names a student reads.
const netOf = (n) => sub("net", n);
const oOf = (n) => sub("o", n);
const deltaOf = (n) => sub("δ", n);
const wOf = (a, b) => sub("w", row(mi(a), mi(b)));
const bOf = (n) => sub("b", n);
const dE = (x) => frac(row(mi("∂"), mi("E")), row(mi("∂"), x));

const PHI = { sigmoid: "σ", tanh: "tanh", relu: "ReLU", leaky_relu: "leaky ReLU", linear: "id", softmax: "softmax" };
const PHI_PRIME = {
  sigmoid: "φ′(net) = o (1 − o) for the logistic unit",
  tanh: "φ′(net) = 1 − o² for tanh",
  relu: "φ′(net) = 1 where net > 0, else 0 (ReLU)",
  leaky_relu: "φ′(net) = 1 where net > 0, else 0.01 (leaky ReLU)",
  linear: "φ′(net) = 1 for a linear unit",
};
const RULES = {
  sgd: "gradient descent", momentum: "momentum", inertia: "momentum, inertia form", nesterov: "Nesterov momentum",
  adam: "Adam", rmsprop: "RMSProp",
};
const MANY = 8; // more terms than this are shown as the first few, ⋯, the last two

/** The terms to write out: all, or the first few and the last two with ⋯ between. */
function some(list) {
  if (list.length <= MANY) return list.map((item, k) => [item, k]);
  const shown = [...list.slice(0, MANY - 2).map((item, k) => [item, k]), null];
  return shown.concat(list.slice(-2).map((item, k) => [item, list.length - 2 + k]));
}

function para(parent, text, cls = "ex-note") {
  return html("p", cls, parent, text);
}

function section(parent, title) {
  const el = html("section", "ex-step", parent);
  html("h3", null, el, title);
  return el;
}

// -- the sections ------------------------------------------------------------------------------------------

function forward(parent, t, highlight) {
  const f = t.forward;
  if (!f) return;
  if (f.input) {
    const s = section(parent, `Forward: ${f.neuron} is an input`);
    s.append(line(oOf(f.neuron), eq(), mi(f.neuron), eq(), num(f.o, { result: "forward.o" })));
    para(s, "The example gives it; nothing is computed here.");
    return;
  }
  const n = f.neuron;
  const s = section(parent, `Forward: what ${n} receives and what it sends on`);
  const terms = some(f.terms);
  const each = (make) => terms.map((pair) => {
    if (!pair) return mo("⋯");
    const [term, k] = pair;
    const el = row(make(term));
    if (k === highlight) el.setAttribute("class", "ex-this");
    return el;
  }).concat([make(null)]);
  sumLines(s, [netOf(n), eq()], each((term) => (term ? row(wOf(term.from, n), oOf(term.from)) : bOf(n))), [], 36);
  sumLines(s, [eq()], each((term) => (term ? row(num(term.w, { bracket: true }), times(), num(term.o, { bracket: true })) : num(f.b, { bracket: true }))), []);
  sumLines(s, [eq()], each((term) => num(term ? term.product : f.b, { bracket: true })), [eq(), num(f.net, { result: "forward.net" })]);
  if (f.activation === "softmax") {
    const e = (x) => m("msup", {}, mi("e"), x);
    s.append(line(oOf(n), eq(), frac(e(netOf(n)), row(mo("∑"), e(sub("net", "k")))), eq(), num(f.o, { result: "forward.o" })));
    para(s, "Softmax: each output's share of e^net over all the outputs, so it depends on every output's net.");
  } else {
    const phi = PHI[f.activation] ?? f.activation;
    fit(s, [oOf(n), eq(), mi(phi), row(mo("("), netOf(n), mo(")"))], [mi(phi), row(mo("("), num(f.net), mo(")")), eq(), num(f.o, { result: "forward.o" })]);
  }
  if (f.terms.length > MANY) para(s, `${f.terms.length} inputs: the middle terms are left out above; the sum is over all of them.`);
}

function backward(parent, t) {
  const b = t.backward;
  if (!b) return;
  const n = b.neuron;
  if (b.pending) {
    const s = section(parent, `Backward: δ of ${n}`);
    para(s, "Not reached yet: the backward pass comes here after the layers nearer the output (Next phase).");
    return;
  }
  const s = section(parent, `Backward: δ of ${n}, how E changes with its net input`);
  if (b.output && b.loss === "mse") {
    s.append(line(deltaOf(n), eq(), row(mo("("), oOf(n), mo("−"), sub("t", n), mo(")")), mi("φ′"), row(mo("("), netOf(n), mo(")"))));
    s.append(line(eq(), row(mo("("), num(b.o), mo("−"), num(b.t, { bracket: true }), mo(")")), times(), num(b.dphi, { bracket: true }), eq(), num(b.delta, { result: "backward.delta" })));
    para(s, `Squared error at an output: its own error times the slope of its unit; ${PHI_PRIME[b.activation] ?? ""}.`);
  } else if (b.output) {
    fit(s, [deltaOf(n), eq(), oOf(n), mo("−"), sub("t", n)], [num(b.o), mo("−"), num(b.t, { bracket: true }), eq(), num(b.delta, { result: "backward.delta" })]);
    const unit = b.activation === "softmax" ? "softmax" : "logistic";
    para(s, `Cross-entropy with a ${unit} output: the unit's slope cancels, leaving output minus target.`);
  } else {
    const terms = some(b.terms);
    const each = (make) => terms.map((pair) => (pair ? make(pair[0]) : mo("⋯")));
    const phi = () => [eq(), num(b.dphi, { bracket: true }), times(), mo("(")];
    sumLines(s, [deltaOf(n), eq(), mi("φ′"), row(mo("("), netOf(n), mo(")")), mo("·"), mo("(")],
      each((term) => row(wOf(n, term.to), deltaOf(term.to))), [mo(")")], 36);
    sumLines(s, phi(), each((term) => row(num(term.w, { bracket: true }), times(), num(term.delta, { bracket: true }))), [mo(")")]);
    sumLines(s, phi(), each((term) => num(term.product, { bracket: true })), [mo(")")]);
    s.append(line(eq(), num(b.dphi, { bracket: true }), times(), num(b.sum, { bracket: true }), eq(), num(b.delta, { result: "backward.delta" })));
    para(s, `A hidden neuron: the δ of the neurons it feeds, weighted by the weights as they were before this update (the chain rule runs at one point); ${PHI_PRIME[b.activation] ?? ""}.`);
  }
}

function gradient(parent, t) {
  const g = t.gradient;
  if (!g) return;
  const e = t.element;
  const name = t.name.textbook ?? null;
  const s = section(parent, "Gradient: how E changes with this parameter");
  if (g.pending) {
    para(s, "Not reached yet: it needs δ of the neuron this parameter feeds.");
    return;
  }
  if (g.curve) {
    s.append(line(dE(mi("x")), eq(), row(mi("f′"), mo("("), mi("x"), mo(")")), eq(), mn4x(), eq(), num(g.value, { result: "gradient.value" })));
    para(s, `at x = ${formatExact(g.x)}.`);
    return;
  }
  const to = t.backward?.neuron ?? t.forward?.neuron ?? "";
  const symbol = e.kind === "weight" ? (name ? mi(name) : wOf(g.source, to)) : bOf(to);
  if (e.kind === "weight") {
    s.append(line(dE(symbol), eq(), deltaOf(to), mo("·"), oOf(g.source), eq(), num(g.delta, { bracket: true }), times(), num(g.o, { bracket: true })));
    s.append(line(eq(), num(g.value, { result: "gradient.value" })));
  } else {
    s.append(line(dE(symbol), eq(), deltaOf(to), eq(), num(g.value, { result: "gradient.value" })));
  }
  para(s, `for example ${t.example.index}${t.example.in_batch ? "" : " (not in this batch)"}.`);
  if (g.count === 1 && t.example.in_batch) {
    para(s, "The batch is this one example: the update uses this gradient.");
    return;
  }
  const n = g.count;
  const mean = frac(mn1(), m("mn", {}, String(n)));
  if (g.products) {
    sumLines(s, [mi("g"), eq(), mean, mo("(")], g.products.map((p) => num(p.product, { bracket: true })), [mo(")")]);
    s.append(line(eq(), num(g.mean, { result: "gradient.mean" })));
    para(s, `g: the mean over the batch's ${n} examples (${g.products.map((p) => p.example).join(", ")}), each its own δ·o; the update uses g.`);
  } else {
    const each = e.kind === "weight" ? row(deltaOf(to), mo("·"), oOf(g.source)) : deltaOf(to);
    s.append(line(mi("g"), eq(), mean, mo("∑"), each, eq(), num(g.mean, { result: "gradient.mean" })));
    para(s, `g: the mean of the ${n} examples' ∂E/∂w in this batch; the update uses g.`);
  }
}

function mn1() {
  return m("mn", {}, "1");
}

function mn4x() {
  return row(m("mn", {}, "4"), m("msup", {}, mi("x"), m("mn", {}, "3")), mo("−"), m("mn", {}, "9"), m("msup", {}, mi("x"), m("mn", {}, "2")));
}

function updateSection(parent, t) {
  const r = t.rule;
  if (!r) return;
  const title = { done: "Update: old → new", next: "The next update: what Step will make (with the settings in force)", "under way": "Update" }[t.status];
  const s = section(parent, title ?? "Update");
  if (r.pending) {
    para(s, `Not yet: the update comes after the backward pass. Now: ${formatExact(r.old)}.`);
    return;
  }
  if (r.fixed) {
    para(s, `This example holds its biases fixed: b stays ${formatExact(r.old)}.`);
    return;
  }
  const w = t.element.kind === "bias" ? "b" : t.gradient?.curve ? "x" : "w";
  para(s, `${RULES[r.optimizer] ?? r.optimizer}, learning rate η = ${formatExact(r.lr)}${r.t ? `, step t = ${r.t}` : ""}.`);
  if (r.decay) {
    two(s, [mi("g"), eq(), dE(mi(w)), mo("+"), mi("λ"), mi(w)],
      [num(r.grad, { bracket: true }), mo("+"), num(r.decay.lambda), times(), num(r.old, { bracket: true }), eq(), num(r.g)]);
    para(s, `Weight decay λ = ${formatExact(r.decay.lambda)} adds λw to the gradient (weights only); the ∂E/∂w shown elsewhere is the loss's own.`);
  }
  // Fresh elements for every use: a DOM node appended twice would only move.
  const dw = () => row(mi("Δ"), mi(w));
  const gv = () => num(r.g, { bracket: true });
  const lr = () => num(r.lr);
  const one = () => m("mn", {}, "1");
  const sq = (x) => m("msup", {}, x, m("mn", {}, "2"));
  const hat = (x) => m("mover", {}, mi(x), mo("^"));
  const change = () => num(r.change, { result: "rule.change" });
  if (r.optimizer === "sgd") {
    fit(s, [dw(), eq(), mo("−"), mi("η"), mi("g")], [mo("−"), lr(), times(), gv(), eq(), change()]);
  } else if (r.optimizer === "momentum" || r.optimizer === "inertia") {
    const a = () => num(r.momentum.alpha);
    const last = () => num(r.momentum.last, { bracket: true });
    const prev = () => sub(row(mi("Δ"), mi(w)), "before");
    if (r.optimizer === "momentum") {
      two(s, [dw(), eq(), mo("−"), mi("η"), mi("g"), mo("+"), mi("α"), prev()],
        [mo("−"), lr(), times(), gv(), mo("+"), a(), times(), last(), eq(), change()]);
    } else {
      two(s, [dw(), eq(), row(mo("("), one(), mo("−"), mi("α"), mo(")")), row(mo("("), mo("−"), mi("η"), mi("g"), mo(")")), mo("+"), mi("α"), prev()],
        [row(mo("("), one(), mo("−"), a(), mo(")")), times(), row(mo("("), mo("−"), lr(), times(), gv(), mo(")")), mo("+"), a(), times(), last(), eq(), change()]);
    }
    para(s, r.momentum.first ? "The first step: there is no earlier change, so Δw before = 0." : "Δw before: the change this parameter made at the previous update (the velocity).");
  } else if (r.optimizer === "nesterov") {
    const a = () => num(r.nesterov.alpha);
    two(s, [mi("b"), eq(), mi("α"), sub("b", "before"), mo("+"), mi("g")],
      [a(), times(), num(r.nesterov.buf_before, { bracket: true }), mo("+"), gv(), eq(), num(r.nesterov.buf)]);
    two(s, [dw(), eq(), mo("−"), mi("η"), row(mo("("), mi("g"), mo("+"), mi("α"), mi("b"), mo(")"))],
      [mo("−"), lr(), times(), row(mo("("), gv(), mo("+"), a(), times(), num(r.nesterov.buf, { bracket: true }), mo(")")), eq(), change()]);
    para(s, "b: the momentum buffer (PyTorch's Nesterov form); it looks one step ahead along the velocity.");
  } else if (r.optimizer === "adam") {
    const A = r.adam;
    two(s, [mi("m"), eq(), mi("β₁"), sub("m", "before"), mo("+"), row(mo("("), one(), mo("−"), mi("β₁"), mo(")")), mi("g")],
      [num(A.beta1), times(), num(A.m_before, { bracket: true }), mo("+"), row(mo("("), one(), mo("−"), num(A.beta1), mo(")")), times(), gv(), eq(), num(A.m)]);
    two(s, [mi("v"), eq(), mi("β₂"), sub("v", "before"), mo("+"), row(mo("("), one(), mo("−"), mi("β₂"), mo(")")), sq(mi("g"))],
      [num(A.beta2), times(), num(A.v_before), mo("+"), row(mo("("), one(), mo("−"), num(A.beta2), mo(")")), times(), sq(gv()), eq(), num(A.v)]);
    s.append(line(hat("m"), eq(), frac(mi("m"), row(one(), mo("−"), m("msup", {}, mi("β₁"), mi("t")))), eq(), num(A.m_hat)));
    s.append(line(hat("v"), eq(), frac(mi("v"), row(one(), mo("−"), m("msup", {}, mi("β₂"), mi("t")))), eq(), num(A.v_hat)));
    two(s, [dw(), eq(), mo("−"), mi("η"), frac(hat("m"), row(m("msqrt", {}, hat("v")), mo("+"), mi("ε")))],
      [mo("−"), lr(), times(), frac(num(A.m_hat), row(m("msqrt", {}, num(A.v_hat)), mo("+"), num(A.eps))), eq(), change()]);
    para(s, `m and v: running means of g and g² (β₁ = ${formatExact(A.beta1)}, β₂ = ${formatExact(A.beta2)}); m̂ and v̂ correct their start at zero (t = ${r.t}).`);
  } else if (r.optimizer === "rmsprop") {
    const R = r.rmsprop;
    two(s, [mi("v"), eq(), mi("ρ"), sub("v", "before"), mo("+"), row(mo("("), one(), mo("−"), mi("ρ"), mo(")")), sq(mi("g"))],
      [num(R.rho), times(), num(R.v_before), mo("+"), row(mo("("), one(), mo("−"), num(R.rho), mo(")")), times(), sq(gv()), eq(), num(R.v)]);
    two(s, [dw(), eq(), mo("−"), mi("η"), frac(mi("g"), row(m("msqrt", {}, mi("v")), mo("+"), mi("ε")))],
      [mo("−"), lr(), times(), frac(gv(), row(m("msqrt", {}, num(R.v)), mo("+"), num(R.eps))), eq(), change()]);
    para(s, "v: the running mean square of g, which scales each parameter's step.");
  }
  const after = t.status === "done" ? "new" : "next";
  fit(s, [sub(mi(w), after), eq(), mi(w), mo("+"), dw()],
    [num(r.old, { result: "rule.old", bracket: true }), mo("+"), num(r.change, { bracket: true }), eq(), num(r.new, { result: "rule.new" })]);
}

function losses(parent, t) {
  const L = t.loss;
  if (!L) return;
  const curve = Boolean(t.gradient?.curve);
  const s = section(parent, curve ? "E = f(x)" : "E on this batch");
  const before = { done: "before the update", next: "now, before the next update", "under way": "at the weights this update started from" }[t.status];
  s.append(line(sub("E", "before"), eq(), num(L.before, { result: "loss.before" })));
  para(s, curve ? `${before}.` : `${before}, over the ${t.batch.count === 1 ? "one example" : `${t.batch.count} examples`} of the batch.`);
  if (L.after !== null && L.after !== undefined) {
    s.append(line(sub("E", "after"), eq(), num(L.after, { result: "loss.after" })));
    const where = curve ? "" : ", on the same batch";
    para(s, t.status === "done" ? `after this update${where}.` : `after the next update${where}, if the settings stay.`);
  }
}

// -- the panel -----------------------------------------------------------------------------------------------

function statusSentence(t) {
  const n = t.update;
  if (t.gradient?.curve) {
    return t.status === "done" ? `Update ${n}, done: the slope at the x it started from, then old x → new x.`
      : `The next update (update ${n}): the slope at the current x and what Step will make of it.`;
  }
  if (t.status === "next") return `The next update (update ${n}): forward and backward at the current weights, on the batch it will use.`;
  if (t.status === "under way") return `Update ${n}, under way: at the weights it started from.`;
  return `Update ${n}, done: forward and backward ran at the weights it started from; the update made the new ones.`;
}

function exampleSentence(t) {
  const { index, chosen, in_batch: inBatch } = t.example;
  const count = t.batch.count;
  if (chosen && !inBatch) {
    return `Example ${index} (chosen) is not in this update's batch: its own numbers are shown, at the same weights; the update itself used the batch's ${count} examples.`;
  }
  if (count === 1) return `Example ${index}: the batch is this one example.`;
  if (chosen) return `Example ${index} (chosen), one of the ${count} examples in this batch.`;
  return `Example ${index}, the first of this batch of ${count} (choose another under “Numbers for”).`;
}

export function createExplainer(root, { onClose = () => {} } = {}) {
  const head = html("div", "ex-head", root);
  const title = html("h2", "ex-title", head);
  const close = html("button", "quiet close", head, "×");
  close.type = "button";
  close.setAttribute("aria-label", "Close the explainer (Esc)");
  close.addEventListener("click", () => onClose());
  const status = html("p", "ex-status", root);
  const body = html("div", "ex-body", root);
  let key = "";

  window.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !root.hidden) onClose();
  });

  function update(terms) {
    const next = terms ? JSON.stringify(terms) : "";
    if (next === key) return;
    key = next;
    root.hidden = !terms;
    if (!terms) return;
    body.replaceChildren();
    if (terms.error) {
      title.textContent = "Explainer";
      status.textContent = terms.error;
      return;
    }
    const kind = terms.element.kind;
    title.textContent = kind === "neuron" ? `Neuron ${terms.name.label}` : terms.name.label;
    status.textContent = terms.gradient?.curve ? statusSentence(terms) : `${statusSentence(terms)} ${exampleSentence(terms)}`;
    const highlight = kind === "weight" ? terms.element.i : null;
    forward(body, terms, highlight);
    backward(body, terms);
    gradient(body, terms);
    updateSection(body, terms);
    if (kind !== "neuron" || terms.element.layer > 0) losses(body, terms);
  }
  return { element: root, update, get key() { return key; } };
}
