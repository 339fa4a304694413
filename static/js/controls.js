// The controls column and the panel toggles, in plain words. Each control sends one control message through
// `act(message)` (a promise settled by the server's ack or error) and shows a refused value next to itself.
// The pure helpers at the top (η's log slider, batch choices, where an error belongs) are tested with node.

import * as msg from "./protocol.js";
import { paramName } from "./layout.js";
import { formatNumber } from "./scales.js";

// -- pure helpers ----------------------------------------------------------------------------------------

/** x rounded to `digits` significant digits (0.030000000000000002 → 0.03). */
export function roundSignificant(x, digits = 3) {
  if (!Number.isFinite(x) || x === 0) return x;
  return Number.parseFloat(x.toPrecision(digits));
}

/** The learning rate at a position of the log slider (its value is log10 η). */
export function lrFromSlider(position) {
  return roundSignificant(10 ** Number(position), 2);
}

/** The log slider position for a learning rate, clamped to the slider's range. */
export function sliderFromLr(lr, min = -4, max = 1) {
  if (!(lr > 0)) return min;
  return Math.min(max, Math.max(min, Math.log10(lr)));
}

/** Batch sizes to offer for a training set of `nTrain`: 1 (stochastic) … all (null), with `current` included. */
export function batchChoices(nTrain, current) {
  const sizes = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000].filter((k) => k < nTrain);
  if (Number.isInteger(current) && current < nTrain && !sizes.includes(current)) sizes.push(current);
  sizes.sort((a, b) => a - b);
  return [...sizes.map((k) => ({ value: String(k), label: k === 1 ? "1 (stochastic)" : String(k) })),
    { value: "all", label: nTrain > 1 ? `all ${nTrain} (full batch)` : "all (full batch)" }];
}

/** The batch size a choice stands for: a whole number, or null for the full batch. */
export function batchFromChoice(value) {
  return value === "all" ? null : Number(value);
}

// The field names the server uses in errors, mapped to the control that set them.
const ERROR_TARGETS = [
  [/^(hyper\.)?(lr|momentum|beta1|beta2|eps|rho|weight_decay)$/, (m) => m[2]],
  [/^sizes(\[\d+\])?$/, () => "sizes"],
  [/^activations(\[\d+\])?$/, () => "activations"],
  [/^(params(\[\d+\])?|resolution|kind|seed|span)$/, () => "surface"],
  [/^updates_per_second$/, () => "speed"],
  [/^(example|dataset|noise|n_points|test_fraction|loss|optimizer|batch_size|preset)$/, (m) => m[1]],
];

/** Which control an error about `field` belongs next to ("sizes[1]" → "sizes"), or null for the status area. */
export function errorTarget(field, of) {
  if (of === "surface" && field !== "type") return "surface";
  if (!field) return null;
  for (const [pattern, name] of ERROR_TARGETS) {
    const m = pattern.exec(field);
    if (m) return name(m);
  }
  return null;
}

/** The output unit a loss needs, if any (the engine's rule: cross-entropy pairs with its own output unit). */
export const OUTPUT_FOR_LOSS = { bce: "sigmoid", softmax_ce: "softmax" };

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

const DATASET_LABELS = {
  circle: "circle", xor: "XOR (four quadrants)", gauss: "two Gaussian clouds", spiral: "two spirals",
  spiral3: "three spirals", plane: "plane (regression)", multi_gauss: "Gaussian bumps (regression)",
};
const OPTIMIZER_LABELS = {
  sgd: "gradient descent", momentum: "momentum", inertia: "momentum, inertia form", nesterov: "Nesterov momentum",
  adam: "Adam", rmsprop: "RMSprop",
};
const ACTIVATION_LABELS = {
  sigmoid: "logistic σ", tanh: "tanh", relu: "ReLU", leaky_relu: "leaky ReLU", linear: "linear", softmax: "softmax",
};
const LOSS_LABELS = { mse: "squared error", bce: "cross-entropy (logistic output)", softmax_ce: "cross-entropy (softmax output)" };
const HYPER_LABELS = {
  beta1: "β₁ (first moment decay)", beta2: "β₂ (second moment decay)", eps: "ε (keeps the division safe)",
  rho: "ρ (squared-gradient decay)", weight_decay: "weight decay λ",
};
const label = (table, name) => table[name] ?? name.replace(/_/g, " ");

// -- the controls ----------------------------------------------------------------------------------------

/**
 * createControls(document, {act, onView, onPickClear}) wires the page's controls.
 * act(message, field?) sends a control message; its promise resolves with the reply, or null when refused; onView(view) reports a page-only
 * change ({show_test}, {log_scale}); the returned object is driven by the app as messages arrive.
 */
export function createControls(doc, { act, onView, onSurface }) {
  const $ = (id) => doc.getElementById(id);
  let options = null;
  let config = null;
  let role = "loading";
  let playing = false;
  let nTrain = 0;
  let picked = [];
  let surfaceKind = "none";
  const recentlyEdited = new Map(); // setting -> time of the local change, so a frame in flight does not undo it

  // -- run -------------------------------------------------------------------------------------------------
  $("play").addEventListener("click", () => togglePlay());
  $("step").addEventListener("click", () => act(msg.step()));
  $("phase").addEventListener("click", () => act(msg.phase()));
  $("reset").addEventListener("click", () => act(msg.reset()));
  $("regenerate").addEventListener("click", () => act(msg.regenerate()));
  $("speed").addEventListener("change", (e) => {
    const value = e.target.value;
    act(msg.speed(value === "max" ? null : Number(value)), "speed");
    onView({ speed: value === "max" ? null : Number(value) });
  });

  function togglePlay() {
    return act(playing ? msg.pause() : msg.play());
  }

  // -- learning: live settings go out as `set`, coalesced so a dragged slider never floods the socket ------
  const inFlight = new Map(); // setting -> the value waiting to be sent after the one in flight
  function setLive(name, value) {
    recentlyEdited.set(name, Date.now());
    if (inFlight.has(name)) {
      inFlight.set(name, value);
      return;
    }
    inFlight.set(name, undefined);
    act(msg.set({ [name]: value }), name).finally(() => {
      const next = inFlight.get(name);
      inFlight.delete(name);
      if (next !== undefined) setLive(name, next);
    });
  }

  const lrSlider = $("lr-slider");
  const lrInput = $("lr");
  lrSlider.addEventListener("input", () => {
    const lr = lrFromSlider(lrSlider.value);
    lrInput.value = String(lr);
    setLive("lr", lr);
  });
  lrInput.addEventListener("change", () => {
    const lr = Number(lrInput.value);
    if (!(lr > 0)) {
      showError("lr", "The learning rate η must be a number greater than 0, e.g. 0.03.");
      return;
    }
    lrSlider.value = String(sliderFromLr(lr));
    setLive("lr", lr);
  });

  const momentumSlider = $("momentum-slider");
  const momentumInput = $("momentum");
  momentumSlider.addEventListener("input", () => {
    const alpha = Number(momentumSlider.value);
    momentumInput.value = String(alpha);
    setLive("momentum", alpha);
  });
  momentumInput.addEventListener("change", () => {
    const alpha = Number(momentumInput.value);
    if (!(alpha >= 0 && alpha < 1)) {
      showError("momentum", "Momentum α must be at least 0 and below 1, e.g. 0.9.");
      return;
    }
    momentumSlider.value = String(alpha);
    setLive("momentum", alpha);
  });

  $("optimizer").addEventListener("change", (e) => {
    const name = e.target.value;
    // The new optimizer starts from its own defaults for the settings the old one did not have.
    const defaults = options?.optimizers?.[name]?.defaults ?? {};
    const hyper = { ...defaults };
    for (const k of Object.keys(hyper)) if (config?.hyper?.[k] != null) hyper[k] = config.hyper[k];
    act(msg.configure({ optimizer: name, hyper }), "optimizer");
  });
  $("batch-size").addEventListener("change", (e) => setLive("batch_size", batchFromChoice(e.target.value)));

  // -- data ------------------------------------------------------------------------------------------------
  $("dataset").addEventListener("change", (e) => configureFrom(e.target.value, "dataset"));
  $("noise").addEventListener("input", (e) => { $("noise-value").value = formatShare(e.target.value); });
  $("noise").addEventListener("change", (e) => configureFrom(Number(e.target.value), "noise"));
  $("test-fraction").addEventListener("input", (e) => { $("test-fraction-value").value = formatShare(e.target.value); });
  $("test-fraction").addEventListener("change", (e) => configureFrom(Number(e.target.value), "test_fraction"));
  $("loss").addEventListener("change", (e) => {
    const loss = e.target.value;
    const fields = { loss };
    if (Array.isArray(config?.activations)) {
      const list = activationList(config.activations, config.sizes, config.loss);
      const out = list.at(-1);
      list[list.length - 1] = OUTPUT_FOR_LOSS[loss] ?? (["sigmoid", "softmax"].includes(out) ? list[0] ?? "tanh" : out);
      if (list.at(-1) === "softmax" && list.length === 1) list[0] = "softmax";
      fields.activations = list;
    }
    act(msg.configure(fields), "loss");
  });

  function configureFrom(value, field) {
    act(msg.configure({ [field]: value }), field);
  }

  // -- view: the page's own toggles -----------------------------------------------------------------------
  $("show-test").addEventListener("change", (e) => onView({ show_test: e.target.checked }));
  $("log-scale").addEventListener("change", (e) => onView({ log_scale: e.target.checked }));
  $("example").addEventListener("change", (e) => {
    const pick = e.target.value === "pick";
    $("example-index").hidden = !pick;
    act(msg.select(pick ? Number($("example-index").value) || 0 : null), "example");
  });
  $("example-index").addEventListener("change", (e) => {
    const k = Number(e.target.value);
    if (!Number.isInteger(k) || k < 0) {
      showError("example", "Type the number of a training example: 0, 1, 2, …");
      return;
    }
    act(msg.select(k), "example");
  });

  // -- the loss surface's slice ---------------------------------------------------------------------------
  for (const radio of doc.querySelectorAll('input[name="surface"]')) {
    radio.addEventListener("change", (e) => {
      if (e.target.checked) chooseSurface(e.target.value);
    });
  }

  function chooseSurface(kind) {
    surfaceKind = kind;
    updateSurfaceHint();
    onView({ surface: kind === "none" ? undefined : kind });
    if (kind === "weights" && picked.length < 2) {
      onSurface(null);
      return act(msg.surface({ kind: "none" }), "surface");
    }
    onSurface(kind);
    const request = kind === "weights" ? { kind, params: picked } : kind === "random" ? { kind, seed: 0 } : { kind };
    return act(msg.surface(request), "surface");
  }

  /** A connection or bias clicked in the network: the two most recent become the surface's axes. */
  function pick(param) {
    if (role !== "controller") return;
    const key = JSON.stringify(param);
    picked = picked.filter((p) => JSON.stringify(p) !== key);
    picked.push(param);
    if (picked.length > 2) picked = picked.slice(-2);
    onView({ surface_params: picked });
    if (picked.length === 2) {
      setRadio("weights");
      chooseSurface("weights");
    } else {
      updateSurfaceHint();
    }
  }

  function updateSurfaceHint() {
    const hint = $("surface-hint");
    if (surfaceKind === "weights" || (surfaceKind === "none" && picked.length < 2)) {
      hint.textContent = picked.length < 2
        ? `Click two connections in the network to use their weights as the axes (${picked.length} of 2 chosen).`
        : `Axes: ${picked.map(paramName).join(" and ")}. Click another connection to swap the older one out.`;
    } else {
      hint.textContent = "";
    }
  }

  function setRadio(kind) {
    for (const radio of doc.querySelectorAll('input[name="surface"]')) radio.checked = radio.value === kind;
  }

  // -- the gradient check ---------------------------------------------------------------------------------
  $("gradcheck").addEventListener("click", () => {
    const out = $("gradcheck-result");
    out.className = "result";
    out.textContent = "Checking every parameter with finite differences…";
    act(msg.gradcheck(), "gradcheck").then((r) => {
      if (!r) {
        out.className = "result bad";
        out.textContent = "The check could not run; see the message above.";
        return;
      }
      const good = r.max_relative_error !== null && r.max_relative_error < 1e-5;
      out.className = `result ${good ? "good" : "bad"}`;
      const worst = r.worst ? ` Largest at ${r.worst.name}: backprop ${formatNumber(r.worst.backprop, 6)}, numeric ${formatNumber(r.worst.numeric, 6)}.` : "";
      out.textContent = `${good ? "Backprop agrees with finite differences" : "Backprop and finite differences disagree"}: `
        + `largest relative error ${formatNumber(r.max_relative_error, 2)} over ${r.parameters} parameters`
        + `${r.examples ? ` on ${r.examples} examples` : ""}.${worst}`;
    });
  });

  // -- errors next to their control -----------------------------------------------------------------------
  function showError(name, message) {
    const slot = doc.querySelector(`[data-error-for="${name}"]`);
    if (!slot) return false;
    slot.textContent = message;
    slot.hidden = false;
    return true;
  }

  function clearError(name) {
    const slot = doc.querySelector(`[data-error-for="${name}"]`);
    if (slot) slot.hidden = true;
  }

  // -- from the server to the controls --------------------------------------------------------------------

  function setOptions(next) {
    options = next;
    fillSelect($("optimizer"), Object.keys(options.optimizers).map((n) => [n, label(OPTIMIZER_LABELS, n)]));
    fillSelect($("dataset"), Object.keys(options.datasets).map((n) => [n, label(DATASET_LABELS, n)]));
    fillSelect($("loss"), Object.keys(options.losses).map((n) => [n, label(LOSS_LABELS, n)]));
    const presets = $("presets");
    presets.replaceChildren(...Object.entries(options.presets).map(([name, title]) => {
      const button = doc.createElement("button");
      button.type = "button";
      button.dataset.preset = name;
      button.textContent = title;
      button.addEventListener("click", () => act(msg.configure({ preset: name }), "preset"));
      return button;
    }));
    const leave = doc.createElement("button");
    leave.type = "button";
    leave.id = "leave-preset";
    leave.textContent = "Back to the datasets";
    leave.hidden = true;
    leave.addEventListener("click", () => act(msg.configure({ preset: "none" }), "preset"));
    presets.append(leave);
  }

  function setConfig(next) {
    config = next;
    const hyper = config.hyper ?? {};
    setValue($("optimizer"), config.optimizer);
    setHyper(hyper, config.optimizer);
    setValue($("dataset"), config.dataset);
    $("noise").value = config.noise;
    $("noise-value").value = formatShare(config.noise);
    $("test-fraction").value = config.test_fraction;
    $("test-fraction-value").value = formatShare(config.test_fraction);
    setValue($("loss"), config.loss);
    renderLayers();
    renderBatch();
    const inPreset = config.preset != null;
    for (const button of $("presets").querySelectorAll("button[data-preset]")) {
      button.classList.toggle("primary", button.dataset.preset === config.preset);
      button.setAttribute("aria-pressed", String(button.dataset.preset === config.preset));
    }
    $("leave-preset").hidden = !inPreset;
    for (const id of ["group-data", "group-network"]) $(id).classList.toggle("preset-active", inPreset);
    const curve = doc.querySelector('input[name="surface"][value="curve"]').closest("label");
    curve.hidden = config.preset !== "curve";
    doc.querySelector('input[name="surface"][value="weights"]').closest("label").hidden = config.preset === "curve";
    applyRole();
  }

  /** Settings in force, as a frame reports them (after `set`, or when another page changed them). */
  function setHyper(hyper, optimizerName) {
    const recent = (name) => Date.now() - (recentlyEdited.get(name) ?? 0) < 800;
    if (hyper.lr != null && !recent("lr")) {
      lrSlider.value = String(sliderFromLr(hyper.lr));
      if (doc.activeElement !== lrInput) lrInput.value = String(hyper.lr);
    }
    const takes = options?.optimizers?.[optimizerName]?.settings ?? Object.keys(hyper);
    $("momentum-slider").closest(".slider").hidden = !takes.includes("momentum");
    if (hyper.momentum != null && !recent("momentum")) {
      momentumSlider.value = String(hyper.momentum);
      if (doc.activeElement !== momentumInput) momentumInput.value = String(hyper.momentum);
    }
    renderMoreHyper(takes, hyper, recent);
    if (config) config.hyper = { ...config.hyper, ...hyper };
  }

  function renderMoreHyper(takes, hyper, recent) {
    const box = $("more-hyper");
    const names = takes.filter((n) => !["lr", "momentum"].includes(n));
    if (box.dataset.names !== names.join(",")) {
      box.dataset.names = names.join(",");
      box.replaceChildren(...names.flatMap((name) => {
        const row = doc.createElement("div");
        row.className = "slider";
        const id = `hyper-${name}`;
        const text = doc.createElement("label");
        text.htmlFor = id;
        text.textContent = label(HYPER_LABELS, name);
        const input = doc.createElement("input");
        input.type = "number";
        input.id = id;
        input.step = "any";
        const [lo, hi] = options?.limits?.[name] ?? [0, 1];
        input.min = String(lo);
        input.max = String(hi);
        input.addEventListener("change", () => {
          const value = Number(input.value);
          if (input.value.trim() === "" || !(value >= lo && value <= hi)) {
            showError(name, `${label(HYPER_LABELS, name)}: type a number from ${lo} to ${hi}.`);
            return;
          }
          setLive(name, value);
        });
        row.append(text, input);
        const error = doc.createElement("p");
        error.className = "field-error";
        error.dataset.errorFor = name;
        error.hidden = true;
        return [row, error];
      }));
      applyRole();
    }
    for (const name of names) {
      const input = $(`hyper-${name}`);
      const value = hyper[name] ?? options?.optimizers?.[config?.optimizer]?.defaults?.[name];
      if (value != null && !recent(name) && doc.activeElement !== input && input.value !== String(value)) {
        input.value = String(value);
      }
    }
  }

  function renderBatch() {
    const select = $("batch-size");
    const current = config?.batch_size ?? null;
    const choices = batchChoices(nTrain, current);
    fillSelect(select, choices.map((c) => [c.value, c.label]));
    select.value = current === null || (nTrain && current >= nTrain) ? "all" : String(current);
  }

  function renderLayers() {
    const box = $("layers");
    const sizes = config.sizes ?? [];
    const acts = activationList(config.activations, sizes, config.loss);
    const forced = OUTPUT_FOR_LOSS[config.loss];
    const maxNeurons = options?.server?.max_neurons ?? 32;
    const maxLayers = options?.server?.max_hidden_layers ?? 6;
    const choices = (options?.activations ?? ["tanh"]).map((n) => [n, label(ACTIVATION_LABELS, n)]);
    const rows = sizes.map((n, k) => layerRow(`layer ${k + 1}`, n, acts[k], choices, {
      minus: () => shape(resizeLayer(sizes, k, -1, maxNeurons), acts),
      plus: () => shape(resizeLayer(sizes, k, +1, maxNeurons), acts),
      activation: (name) => shape(sizes, acts.map((a, i) => (i === k ? name : a))),
    }, k));
    const out = layerRow("output", null, forced ?? acts.at(-1), forced ? [[forced, label(ACTIVATION_LABELS, forced)]] : choices, {
      activation: (name) => shape(sizes, acts.map((a, i) => (i === acts.length - 1 ? name : a))),
    }, "output");
    if (forced) out.querySelector("select").disabled = true;
    const buttons = doc.createElement("div");
    buttons.className = "layer-buttons";
    const add = button("+ layer", "add-layer", () => shape([...sizes, sizes.at(-1) ?? 4], [...acts.slice(0, -1), acts.at(-2) ?? "tanh", acts.at(-1)]));
    add.disabled = sizes.length >= maxLayers;
    const remove = button("− layer", "remove-layer", () => shape(sizes.slice(0, -1), [...acts.slice(0, -2), acts.at(-1)]));
    remove.disabled = sizes.length === 0;
    buttons.append(add, remove);
    box.replaceChildren(...rows, out, buttons);
    applyRole();
  }

  function shape(sizes, activations) {
    act(msg.configure({ sizes, activations }), "sizes");
  }

  function layerRow(name, n, activation, choices, handlers, key) {
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
      count.append(button("−", null, handlers.minus, `fewer neurons in ${name}`), value,
        button("+", null, handlers.plus, `more neurons in ${name}`));
    }
    const select = doc.createElement("select");
    select.setAttribute("aria-label", `activation of ${name}`);
    fillSelect(select, choices);
    setValue(select, activation);
    select.addEventListener("change", () => handlers.activation(select.value));
    row.append(title, count, select);
    return row;
  }

  function button(text, id, onClick, aria) {
    const b = doc.createElement("button");
    b.type = "button";
    if (id) b.id = id;
    b.textContent = text;
    if (aria) b.setAttribute("aria-label", aria);
    b.addEventListener("click", onClick);
    return b;
  }

  /** The newest frame's header: what is playing, the settings in force. Touches the DOM only on a change. */
  let lastFrameKey = "";
  function setFrame(header) {
    const key = JSON.stringify([header.playing, header.optimizer, header.hyper, header.batch_size, header.speed,
      header.selection]);
    if (key === lastFrameKey) return;
    lastFrameKey = key;
    setPlaying(Boolean(header.playing));
    if (config && header.hyper) {
      if (header.optimizer && header.optimizer !== config.optimizer) {
        config.optimizer = header.optimizer;
        setValue($("optimizer"), header.optimizer);
      }
      setHyper(header.hyper, header.optimizer ?? config.optimizer);
    }
    if (config && header.batch_size !== undefined) {
      config.batch_size = header.batch_size;
      const shown = $("batch-size").value;
      const want = header.batch_size === null || (nTrain && header.batch_size >= nTrain) ? "all" : String(header.batch_size);
      if (shown !== want && Date.now() - (recentlyEdited.get("batch_size") ?? 0) > 800) renderBatch();
    }
    showSpeed(header.speed);
    if (header.selection !== undefined) {
      const select = $("example");
      if (doc.activeElement !== select && doc.activeElement !== $("example-index")) {
        select.value = header.selection === null ? "" : "pick";
        $("example-index").hidden = header.selection === null;
        if (header.selection !== null) $("example-index").value = String(header.selection);
      }
    }
  }

  /** The speed in force; a speed the list lacks (from a link, or another page) gets its own entry. */
  function showSpeed(speed) {
    const value = speed === null || speed === undefined ? "max" : String(speed);
    const select = $("speed");
    if (![...select.options].some((o) => o.value === value)) {
      const option = doc.createElement("option");
      option.value = value;
      option.textContent = `${value} updates/s`;
      const after = [...select.options].find((o) => o.value !== "max" && Number(o.value) > Number(value));
      select.insertBefore(option, after ?? select.querySelector('option[value="max"]'));
    }
    if (select.value !== value) select.value = value;
  }

  function setPlaying(value) {
    playing = value;
    const text = playing ? "❚❚ Pause" : "▶ Play";
    if ($("play").textContent !== text) {
      $("play").textContent = text;
      $("play").setAttribute("aria-pressed", String(playing));
    }
  }

  function setData(data) {
    nTrain = data.train?.x?.length ?? nTrain;
    $("example-index").max = String(Math.max(0, nTrain - 1));
    renderBatch();
  }

  function setSurfaceKind(kind, params) {
    if (params) picked = params;
    surfaceKind = kind ?? "none";
    setRadio(surfaceKind);
    updateSurfaceHint();
  }

  function setRole(next) {
    role = next;
    applyRole();
  }

  function applyRole() {
    const viewer = role !== "controller";
    for (const el of doc.querySelectorAll("#controls button, #controls select, #controls input, #example, #example-index, input[name='surface']")) {
      if (viewer) el.disabled = true;
      else if (el.dataset.locked !== "1") el.disabled = false;
    }
    const forced = config && OUTPUT_FOR_LOSS[config.loss];
    const outSelect = doc.querySelector('#layers [data-layer="output"] select');
    if (outSelect && forced) outSelect.disabled = true;
    const add = $("add-layer");
    if (add && !viewer) add.disabled = (config?.sizes?.length ?? 0) >= (options?.server?.max_hidden_layers ?? 6);
    const remove = $("remove-layer");
    if (remove && !viewer) remove.disabled = (config?.sizes?.length ?? 0) === 0;
    if (!viewer && config?.preset != null) $("regenerate").disabled = true;
  }

  /** After a refused change: forget the local edits and show the settings in force again. */
  function revert(inForce) {
    recentlyEdited.clear();
    setConfig(inForce);
  }

  updateSurfaceHint();

  return {
    revert,
    setOptions, setConfig, setFrame, setPlaying, setData, setRole, setSurfaceKind, showError, clearError,
    togglePlay, pick,
    get picked() { return picked; },
    get surfaceKind() { return surfaceKind; },
    get config() { return config; },
    errorTarget,
  };
}

function fillSelect(select, entries) {
  const current = select.value;
  const same = select.options.length === entries.length
    && entries.every(([value, text], k) => select.options[k].value === value && select.options[k].text === text);
  if (same) return;
  select.replaceChildren(...entries.map(([value, text]) => {
    const option = select.ownerDocument.createElement("option");
    option.value = value;
    option.textContent = text;
    return option;
  }));
  if (entries.some(([value]) => value === current)) select.value = current;
}

function setValue(select, value) {
  if (value === undefined || value === null) return;
  if ([...select.options].some((o) => o.value === String(value))) select.value = String(value);
}

function formatShare(x) {
  return `${Math.round(Number(x) * 100)} %`;
}
