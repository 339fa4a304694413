/**
 * The network diagram (SVG). Builds its DOM once per architecture and then only sets attributes.
 *
 *   const view = createNetworkView(container, {onHover, onPick});
 *   view.update(state);      // every frame; cheap (attributes only, unchanged values skipped)
 *   view.inspect(target);    // the info a hover on target would report, for tests and the shell
 *   view.setFill(true);      // fill the container's box (presenter view): the drawing's units are then CSS
 *                            // pixels, so its text is drawn at the page's --bl-text-scale, whatever the box
 *   view.destroy();
 *
 * state (see netinfo.js): {sizes, activations?, o[l], net[l] (l = 0..L), weights[l], biases[l], delta[l],
 * gradWeights[l], gradBiases[l], changeWeights[l], changeBiases[l] (l = 0..L-1; weights Float64Array row-major
 * (n_l, n_{l+1}); a missing array is simply not shown), phase {kind, layer}, picked: [param, ...]}.
 * A param is {kind: "weight", layer, i, j} or {kind: "bias", layer, j}, layer indexing weights[] / biases[].
 *
 * onHover(info | null): called when the pointer enters or leaves a neuron, connection or bias (or a tap on
 * one), and again on each update while it stays, so the numbers stay live. info = {kind, layer, i?, j, title,
 * rows: [[label, text]], values, param?, hint?, clientX, clientY} (netinfo.js's describe, plus the pointer).
 * Without onHover the view shows info in its own tooltip (tooltip.js). Pass onHover: null for neither.
 * onPick(param): a click or tap on a connection or bias; the page decides what is picked and passes it
 * back in state.picked, which the view highlights with numbered badges (1 = first surface axis).
 * onSelect(target): a click or tap on any neuron, connection or bias ({kind, layer, i?, j}, as describe takes).
 *
 * By keyboard the drawing is one tab stop (a roving tabindex): the arrow keys move between neighbouring
 * neurons, connections and biases (netkeys.js), the focused one shows the numbers a hover shows, Enter or
 * Space does what a click does, Escape closes the tooltip.
 *
 * Colours: neurons by o on the diverging PuOr scale; in the backward phase, the layers δ has reached by δ
 * (their own domain, shown in the legend) and the rest grey and dashed, so the δ colouring sweeps from the
 * output towards the inputs. Connections and bias squares: colour = sign, depth and width grow with |w|.
 */

import { html, scaledMargin, svg } from "./canvas.js";
import { divergingScale, legendGradient, rgbCss, signColor } from "./colors.js";
import {
  biasGeometry, connectionMidpoint, connectionPath, layerName, MARGIN, maxStrokeFor, networkLayout, paramKey,
  strokeWidth, weightIndex,
} from "./layout.js";
import { colourDomains, deltaOf, describe, layerColouring } from "./netinfo.js";
import { exists, moveFrom, targetKey } from "./netkeys.js";
import { formatNumber, formatTick } from "./scales.js";
import { neuronLabel, paramLabel } from "./names.js";
import { keepTextReadable } from "./textscale.js";
import { createTooltip } from "./tooltip.js";

let views = 0; // network views made on this page (each tooltip's id is its own)
const WIDTH = 640; // the drawing's width before its box is laid out
// The drawing is laid out at its box's own width, so its units are screen pixels and a 13 px label is 13 px
// (textscale.js covers a box that max-height shrinks). Narrower than this it is scaled down instead.
const MIN_WIDTH = 300;
const MAX_WIDTH = 1200;
const PENDING_FILL = "#ececec";
// Each neuron, connection and bias takes the focus from script (roving tabindex: one of them is the tab stop)
// and claims the keys it uses from the page's shortcuts (keyboard.js).
const FOCUSABLE = { tabindex: "-1", role: "button", "data-keys": "arrows enter space home end" };
const NAVIGATION = new Set(["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "Home", "End"]);

/**
 * A weight as the drawing shows it: in steps of ref / 64, where ref is the weight of the deepest colour and
 * the widest stroke. A step is about 0.1 px of width and 2 of 255 in colour, which nobody sees; without it
 * nearly every connection changed its attributes every frame while training, and the page spent as long
 * restyling and repainting the drawing as on everything else (bench/browser.py). The numbers a hover or
 * the tables show are the exact ones.
 */
function drawn(w, ref) {
  if (w === undefined || !Number.isFinite(w) || !(ref > 0)) return w;
  return (Math.round((w / ref) * STEPS_PER_REF) / STEPS_PER_REF) * ref;
}
const STEPS_PER_REF = 64;

/** Sets an attribute only when its text changes (most frames change few of them). */
function setAttr(el, cache, key, name, text) {
  if (cache[key] !== text) {
    cache[key] = text;
    el.setAttribute(name, text);
  }
}

export function createNetworkView(container, { onHover, onPick = () => {}, onSelect = () => {} } = {}) {
  const root = html("div", "bl-network", container);
  const svgEl = svg("svg", {
    // tabindex -1: Chromium would make the drawing itself a tab stop (a scroll container whose labels overflow it)
    class: "bl-network-svg", role: "group", tabindex: "-1",
    "aria-label": "The network's neurons, connections and biases: the arrow keys move between them, Enter explains one",
  }, root);
  const stopTextScale = keepTextReadable(svgEl);
  const legend = buildLegend(root);
  // The tooltip lives in the network's panel (a landmark), and describes the focused element to a screen reader.
  const tooltip = onHover === undefined ? createTooltip(root) : null;
  if (tooltip) tooltip.element.id = `bl-network-tooltip-${++views}`;
  const hover = onHover === undefined ? (info) => (info ? tooltip.show(info) : tooltip.hide()) : onHover ?? (() => {});

  let key = null;
  let width = WIDTH;
  const laidOutWidth = () => Math.round(Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, root.clientWidth || WIDTH)));
  // A new box width (a resize, a zoom, the explainer opening beside it): lay the drawing out again.
  const resize = new ResizeObserver(() => {
    if (!state || fill || Math.abs(laidOutWidth() - width) < 2) return; // presenter view refits by itself
    key = null;
    update(state);
  });
  resize.observe(root);
  let parts = null;
  let state = null;
  let hovered = null; // {target, clientX, clientY}
  let fill = null; // filling the box: {width, height, text} (CSS pixels and the text scale); null: own aspect

  function build(sizes) {
    svgEl.replaceChildren();
    const maxN = Math.max(...sizes);
    const text = fill?.text ?? 1;
    width = fill ? (fill.width ?? WIDTH) : laidOutWidth(); // presenter view: its box; else the box's width
    const height = fill?.height ?? Math.round(Math.min(560, Math.max(240, 72 + maxN * 40)));
    svgEl.setAttribute("viewBox", `0 0 ${width} ${height}`);
    const layout = networkLayout(sizes, width, height, { margin: scaledMargin(MARGIN, text), maxRadius: 18 * text });
    const { layers, radius } = layout;
    const g = {
      hits: svg("g", { class: "bl-link-hits" }, svgEl),
      links: svg("g", { class: "bl-links" }, svgEl),
      biases: svg("g", { class: "bl-biases" }, svgEl),
      nodes: svg("g", { class: "bl-nodes" }, svgEl),
      values: svg("g", { class: "bl-values" }, svgEl),
      badges: svg("g", { class: "bl-badges" }, svgEl),
      labels: svg("g", { class: "bl-labels" }, svgEl),
    };
    const p = { sizes, layout, links: [], biases: [], nodes: [], values: [], activationLabels: [], cache: {} };
    p.maxStroke = maxStrokeFor(layout);
    // Each neuron's value above it, for small networks, where the line of text fits between two neurons.
    p.showValues = maxN <= 4 && (maxN === 1 || layout.pitch >= 2 * radius + 11 * text * 1.6);

    for (let l = 0; l + 1 < sizes.length; l++) {
      for (let i = 0; i < sizes[l]; i++) {
        for (let j = 0; j < sizes[l + 1]; j++) {
          const a = layers[l].nodes[i];
          const b = layers[l + 1].nodes[j];
          const d = connectionPath(a, b);
          const data = { "data-kind": "weight", "data-layer": l, "data-i": i, "data-j": j, "data-param": `w:${l}:${i}:${j}` };
          const hit = svg("path", { d, class: "bl-link-hit", ...data, ...FOCUSABLE, "data-key": `w:${l}:${i}:${j}` }, g.hits);
          const line = svg("path", { d, class: "bl-link", ...data }, g.links);
          p.links.push({ l, i, j, k: weightIndex(i, j, sizes[l + 1]), hit, line, mid: connectionMidpoint(a, b) });
        }
      }
    }
    for (let l = 1; l < sizes.length; l++) {
      for (let j = 0; j < sizes[l]; j++) {
        const node = layers[l].nodes[j];
        const geo = biasGeometry(node, radius);
        const data = { "data-kind": "bias", "data-layer": l - 1, "data-j": j, "data-param": `b:${l - 1}:${j}` };
        svg("line", { class: "bl-bias-stub", x1: geo.stub.x1, y1: geo.stub.y1, x2: geo.stub.x2, y2: geo.stub.y2 }, g.biases);
        const rect = svg("rect", {
          class: "bl-bias", x: geo.x, y: geo.y, width: geo.size, height: geo.size, rx: 1, ...data, ...FOCUSABLE, "data-key": `b:${l - 1}:${j}`,
        }, g.biases);
        p.biases.push({ l: l - 1, j, rect, geo });
      }
    }
    sizes.forEach((n, l) => {
      const row = [];
      const texts = [];
      for (let j = 0; j < n; j++) {
        const { x, y } = layers[l].nodes[j];
        row.push(svg("circle", {
          class: "bl-node", cx: x, cy: y, r: radius, "data-kind": "neuron", "data-layer": l, "data-j": j, ...FOCUSABLE, "data-key": `n:${l}:${j}`,
        }, g.nodes));
        if (p.showValues) texts.push(svg("text", { class: "bl-node-value", x, y: y - radius - 5 * text, "text-anchor": "middle" }, g.values));
      }
      p.nodes.push(row);
      p.values.push(texts);
    });
    const L = sizes.length - 1;
    sizes.forEach((n, l) => {
      const x = layers[l].x;
      const label = svg("text", { class: "bl-layer-label", x, y: 16 * text, "text-anchor": "middle" }, g.labels);
      label.textContent = layerName(l, sizes);
      // Large text in a narrow box (presenter view, many layers): the short name, so neighbours do not touch.
      const room = sizes.length > 1 ? (width - layout.margin.left - layout.margin.right) / (sizes.length - 1) : width;
      if (label.getComputedTextLength() > 0.92 * room) label.textContent = layerName(l, sizes, { short: true });
      p.activationLabels.push(svg("text", { class: "bl-layer-sub", x, y: 31 * text, "text-anchor": "middle" }, g.labels));
    });
    // Every neuron's name (the server's: x₁, h₁, ŷ), set when the names arrive: inputs to the left, outputs to
    // the right, hidden neurons just below and right of their circle (away from the bias square) when few.
    p.names = [];
    // Room below a neuron for its name and above the next for its value (else the tooltip names it).
    const roomy = layout.pitch >= 2 * radius + 34 * text;
    layers.forEach((layer, l) => layer.nodes.forEach((node, k) => {
      let attrs;
      if (l === 0) attrs = { class: "bl-io-label", x: node.x - radius - 6 * text, y: node.y + 4 * text, "text-anchor": "end" };
      else if (l === L) attrs = { class: "bl-io-label", x: node.x + radius + 6 * text, y: node.y + 4 * text, "text-anchor": "start" };
      else if (roomy) attrs = { class: "bl-node-name", x: node.x + radius * 0.9, y: node.y + radius + 12 * text, "text-anchor": "start" };
      else return;
      p.names.push({ l, k, el: svg("text", attrs, g.labels) });
    }));
    p.badgeGroup = g.badges;
    p.text = text;
    return p;
  }

  // Filling its box, the drawing is rebuilt at the box's size whenever that changes (a window resized, the
  // presenter view toggled), so a CSS pixel stays one unit of the drawing and its text keeps its size.
  const boxWatch = new ResizeObserver(() => refit());
  function refit() {
    if (!fill) return;
    const r = svgEl.getBoundingClientRect();
    const text = Number.parseFloat(getComputedStyle(svgEl).getPropertyValue("--bl-text-scale")) || 1;
    const next = { width: Math.max(1, Math.round(r.width)), height: Math.max(1, Math.round(r.height)), text };
    if (next.width === fill.width && next.height === fill.height && next.text === fill.text) return;
    fill = next;
    key = null;
    if (state) update(state);
  }

  function update(next) {
    state = next;
    const newKey = next.sizes.join(",");
    if (newKey !== key) {
      key = newKey;
      const hadFocus = svgEl.contains(document.activeElement);
      parts = build(next.sizes);
      hovered = null;
      hover(null);
      placeTabStop();
      if (hadFocus) focusOn(focusTarget);
    }
    const { cache } = parts;
    const colouring = layerColouring(next);
    const domains = colourDomains(next, colouring);
    const oScale = divergingScale(domains.o);
    const deltaScale = divergingScale(domains.delta);
    const ref = domains.weightRef;

    parts.links.forEach((link, n) => {
      const w = drawn(next.weights?.[link.l]?.[link.k], ref);
      setAttr(link.line, cache, `ls${n}`, "stroke", w === undefined ? "#ccc" : rgbCss(signColor(w, ref)));
      setAttr(link.line, cache, `lw${n}`, "stroke-width", strokeWidth(w ?? 0, { ref, max: parts.maxStroke }).toFixed(2));
    });
    parts.biases.forEach((bias, n) => {
      const b = drawn(next.biases?.[bias.l]?.[bias.j], ref);
      setAttr(bias.rect, cache, `bf${n}`, "fill", b === undefined ? "#ccc" : rgbCss(signColor(b, ref)));
    });
    parts.nodes.forEach((row, l) => {
      const by = colouring[l].by;
      const values = by === "delta" ? deltaOf(next, l) : next.o?.[l];
      const scale = by === "delta" ? deltaScale : oScale;
      row.forEach((circle, j) => {
        const v = values?.[j];
        const fill = by === "pending" || v === undefined ? PENDING_FILL : scale.css(v);
        setAttr(circle, cache, `nf${l}:${j}`, "fill", fill);
        if (cache[`nc${l}:${j}`] !== by) { // classes toggled, so the hover and focus marks survive a phase
          cache[`nc${l}:${j}`] = by;
          circle.classList.toggle("is-pending", by === "pending");
          circle.classList.toggle("is-delta", by === "delta");
        }
        if (parts.showValues) {
          const text = by === "pending" || v === undefined ? "" : `${by === "delta" ? "δ" : "o"} ${formatNumber(v, 4)}`;
          const el = parts.values[l][j];
          if (cache[`nv${l}:${j}`] !== text) {
            cache[`nv${l}:${j}`] = text;
            el.textContent = text;
          }
        }
      });
      const activation = activationName(next.activations, l, next.sizes.length - 1);
      const sub = by === "delta" ? `${activation ? `${activation} · ` : ""}δ shown` : activation;
      const el = parts.activationLabels[l];
      if (cache[`al${l}`] !== sub) {
        cache[`al${l}`] = sub;
        el.textContent = sub;
      }
    });
    showNames(next.names);
    showPicked(next.picked ?? []);
    updateLegend(legend, colouring, domains, oScale, deltaScale);
    if (hovered) emitHover();
  }

  function showNames(names) {
    if (!names || parts.cache.names === names) return;
    parts.cache.names = names;
    for (const { l, k, el } of parts.names) el.textContent = names.neurons?.[l]?.[k] ?? "";
    nameElements(names);
    // A worked example's textbook names (w1…w8) sit on their connections, near the neuron they feed, where
    // the connections into one neuron fan apart.
    parts.textbookGroup?.remove();
    parts.textbookGroup = svg("g", { class: "bl-textbook" }, svgEl);
    for (const link of parts.links) {
      const name = names.textbook?.[`w:${link.l}:${link.i}:${link.j}`];
      if (!name || names.textbook_only) continue;
      const at = link.line.getPointAtLength(link.line.getTotalLength() * 0.72);
      const t = svg("text", { class: "bl-textbook-name", x: at.x.toFixed(1), y: (at.y - 4).toFixed(1), "text-anchor": "middle" }, parts.textbookGroup);
      t.textContent = name;
    }
  }

  function showPicked(picked) {
    const keys = picked.map(paramKey);
    const text = keys.join("|");
    if (parts.cache.picked === text) return;
    parts.cache.picked = text;
    for (const link of parts.links) link.hit.classList.toggle("is-picked", keys.includes(`w:${link.l}:${link.i}:${link.j}`));
    for (const bias of parts.biases) bias.rect.classList.toggle("is-picked", keys.includes(`b:${bias.l}:${bias.j}`));
    parts.badgeGroup.replaceChildren();
    picked.forEach((param, n) => {
      let at = null;
      if (param.kind === "weight") {
        at = parts.links.find((k) => k.l === param.layer && k.i === param.i && k.j === param.j)?.mid;
      } else {
        const bias = parts.biases.find((b) => b.l === param.layer && b.j === param.j);
        if (bias) at = { x: bias.geo.x - 9, y: bias.geo.y + bias.geo.size + 7 };
      }
      if (!at) return;
      const g = svg("g", { class: "bl-badge", transform: `translate(${at.x.toFixed(1)},${at.y.toFixed(1)})` }, parts.badgeGroup);
      svg("circle", { r: 8 * parts.text }, g);
      const t = svg("text", { y: 3.5 * parts.text, "text-anchor": "middle" }, g);
      t.textContent = String(n + 1);
    });
  }

  function targetOf(el) {
    const kind = el.dataset.kind;
    const layer = Number(el.dataset.layer);
    const j = Number(el.dataset.j);
    return kind === "weight" ? { kind, layer, i: Number(el.dataset.i), j } : { kind, layer, j };
  }

  /** Show the hovered (or focused) element's numbers; `reopen`: even after Escape closed the tooltip. */
  function emitHover(reopen = false) {
    if (!state || !hovered) return;
    const info = { ...describe(state, hovered.target), clientX: hovered.clientX, clientY: hovered.clientY };
    if (reopen && tooltip) tooltip.reopen(info);
    else hover(info);
  }

  function pointAt(event) {
    const el = event.target.closest?.("[data-kind]");
    return el && svgEl.contains(el) ? el : null;
  }

  svgEl.addEventListener("pointerover", (event) => {
    const el = pointAt(event);
    if (!el) return;
    hovered = { target: targetOf(el), clientX: event.clientX, clientY: event.clientY };
    setHighlight(el);
    emitHover();
  });
  svgEl.addEventListener("pointermove", (event) => {
    if (!hovered || event.pointerType === "touch") return;
    hovered.clientX = event.clientX;
    hovered.clientY = event.clientY;
    emitHover();
  });
  svgEl.addEventListener("pointerout", (event) => {
    // A touch keeps its info up until the next tap elsewhere.
    if (!hovered || event.pointerType === "touch") return;
    const into = event.relatedTarget?.closest?.("[data-kind]");
    if (into && into.dataset.param && into.dataset.param === pointAt(event)?.dataset.param) return;
    hovered = null;
    setHighlight(null);
    hover(null);
  });
  svgEl.addEventListener("click", (event) => {
    const el = pointAt(event);
    if (!el) {
      hovered = null;
      setHighlight(null);
      hover(null);
      return;
    }
    hovered = { target: targetOf(el), clientX: event.clientX, clientY: event.clientY };
    setHighlight(el);
    emitHover();
    onSelect(hovered.target);
    if (el.dataset.kind !== "neuron") onPick(describe(state, hovered.target).param);
  });

  // Scrolling moves the page under the pointer (or under a tapped item): the info would be stale.
  const onScroll = () => {
    if (!hovered) return;
    if (hovered.focused) { // the focus stays: its box follows the element
      keyboardHover(hovered.focused);
      emitHover();
      return;
    }
    hovered = null;
    setHighlight(null);
    hover(null);
  };
  window.addEventListener("scroll", onScroll, { passive: true, capture: true });

  // -- by keyboard: one tab stop, arrows between neighbours ------------------------------------------------

  let focusTarget = null; // the element that takes the tab stop (roving tabindex), as a target

  function elementOf(t) {
    return svgEl.querySelector(`[data-key="${targetKey(t)}"]`);
  }

  /** The tab stop: the focused element if it survived a new setup, else the first input. */
  function placeTabStop() {
    if (!exists(parts.sizes, focusTarget)) focusTarget = { kind: "neuron", layer: 0, j: 0 };
    elementOf(focusTarget)?.setAttribute("tabindex", "0");
  }

  /** Every element's accessible name: the server's names ("h₁ (hidden layer 1)", "w from x₁ to h₁"). */
  function nameElements(names) {
    for (const el of svgEl.querySelectorAll("[data-key]")) {
      const t = targetOf(el);
      const name = t.kind === "neuron"
        ? `${neuronLabel(names, t.layer, t.j)} (${layerName(t.layer, parts.sizes)})`
        : paramLabel(names, describe(state, t).param);
      el.setAttribute("aria-label", name);
    }
  }

  function focusOn(t) {
    const before = elementOf(focusTarget);
    const el = elementOf(t);
    if (!el) return;
    before?.setAttribute("tabindex", "-1");
    el.setAttribute("tabindex", "0");
    focusTarget = t;
    el.focus();
  }

  function keyboardHover(el) {
    const r = el.getBoundingClientRect();
    hovered = { target: targetOf(el), clientX: r.left + r.width / 2, clientY: r.top + r.height / 2, focused: el };
  }

  svgEl.addEventListener("focusin", (event) => {
    const el = event.target.closest?.("[data-key]");
    if (!el) return;
    focusTarget = targetOf(el);
    for (const other of svgEl.querySelectorAll('[tabindex="0"]')) if (other !== el) other.setAttribute("tabindex", "-1");
    el.setAttribute("tabindex", "0");
    keyboardHover(el);
    setHighlight(el);
    el.classList.add("is-focus");
    if (tooltip) el.setAttribute("aria-describedby", tooltip.element.id);
    emitHover(true); // a new element chosen: its numbers show even after Escape closed the last ones
  });
  svgEl.addEventListener("focusout", (event) => {
    event.target.classList?.remove("is-focus");
    if (svgEl.contains(event.relatedTarget)) return;
    hovered = null;
    setHighlight(null);
    hover(null);
  });
  svgEl.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.altKey || event.metaKey || !state) return;
    const el = event.target.closest?.("[data-key]");
    if (!el) return;
    const t = targetOf(el);
    if (NAVIGATION.has(event.key)) {
      event.preventDefault();
      focusOn(moveFrom(parts.sizes, t, event.key));
    } else if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      keyboardHover(el);
      emitHover(true);
      onSelect(t);
      if (t.kind !== "neuron") onPick(describe(state, t).param);
    }
  });

  let highlighted = [];
  function setHighlight(el) {
    for (const h of highlighted) h.classList.remove("is-hover");
    highlighted = [];
    if (!el) return;
    const param = el.dataset.param;
    highlighted = param ? [...svgEl.querySelectorAll(`[data-param="${param}"]`)] : [el];
    for (const h of highlighted) h.classList.add("is-hover");
  }

  return {
    element: root,
    update,
    inspect(target) {
      return state ? describe(state, target) : null;
    },
    setFill(on) {
      if (Boolean(on) === Boolean(fill)) return refit();
      fill = on ? { width: 0, height: 0, text: 0 } : null;
      key = null;
      if (on) {
        boxWatch.observe(svgEl);
        refit();
      } else {
        boxWatch.unobserve(svgEl);
        if (state) update(state);
      }
    },
    destroy() {
      boxWatch.disconnect();
      window.removeEventListener("scroll", onScroll, { capture: true });
      stopTextScale();
      resize.disconnect();
      tooltip?.destroy();
      root.remove();
    },
  };
}

function activationName(activations, l, L) {
  if (l === 0 || !activations) return "";
  if (typeof activations === "string") return activations;
  if (activations.length === L) return activations[l - 1] ?? "";
  return activations[l] ?? "";
}

function buildLegend(root) {
  const el = html("div", "bl-legend", root);
  const neurons = html("div", "bl-legend-item", el);
  const title = html("div", "bl-legend-title", neurons, "neuron colour: output o");
  const bar = html("div", "bl-legend-bar", neurons);
  const ticks = html("div", "bl-legend-ticks", neurons);
  const tickEls = [0, 1, 2].map(() => html("span", null, ticks));
  const links = html("div", "bl-legend-item bl-legend-links", el);
  html("div", "bl-legend-title", links, "connections and biases");
  // Words and swatches in HTML (not one SVG row), so the key wraps where the legend is narrow.
  const key = html("div", "bl-legend-swatches bl-legend-key", links);
  for (const [shape, colour, text] of [
    ["line", signColor(-2.2), "negative w"], ["line", signColor(2.2), "positive"],
    ["square", signColor(1), "bias b: the square by each neuron"],
  ]) {
    const item = html("span", "bl-swatch", key);
    html("span", `bl-swatch-${shape}`, item).style.background = rgbCss(colour);
    item.append(text);
  }
  const widthNote = html("div", "bl-legend-note", links, "");
  html("div", "bl-legend-note", links, "click a neuron, connection or bias: the chain rule with its numbers");
  return { title, bar, tickEls, widthNote, cache: {} };
}

function updateLegend(legend, colouring, domains, oScale, deltaScale) {
  const showsDelta = colouring.some((c) => c.by === "delta");
  const scale = showsDelta ? deltaScale : oScale;
  const d = scale.domain;
  const title = showsDelta ? "neuron colour: δ = ∂E/∂net (grey: not reached yet)" : "neuron colour: output o";
  const step = d[2] - d[1];
  const labels = [formatTick(d[0], step), "0", formatTick(d[2], step)];
  const note = `width grows with |w|, full at |w| ≥ ${domains.weightRef}`;
  const c = legend.cache;
  if (c.title !== title) legend.title.textContent = c.title = title;
  if (c.labels !== labels.join()) {
    c.labels = labels.join();
    labels.forEach((t, k) => (legend.tickEls[k].textContent = t));
  }
  if (c.bar === undefined) legend.bar.style.background = c.bar = legendGradient(oScale);
  if (c.note !== note) legend.widthNote.textContent = c.note = note;
}
