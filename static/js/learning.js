// The learning controls: optimizer, learning rate η (a log-scale slider and a typed value), momentum α, the
// optimizer's other settings, and the batch size. η, α, the other settings and the batch size act on the
// running training at once (`set`), coalesced so that a dragged slider never floods the connection; a
// new optimizer rebuilds the run (`configure`). The pure helpers at the top are tested with node.

import { fillSelect, label, setValue } from "./forms.js";
import * as msg from "./protocol.js";

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

/** The choice that shows a batch size for a training set of `nTrain`. */
export function choiceForBatch(batchSize, nTrain) {
  return batchSize === null || (nTrain && batchSize >= nTrain) ? "all" : String(batchSize);
}

export const OPTIMIZER_LABELS = {
  sgd: "gradient descent", momentum: "momentum", inertia: "momentum, inertia form", nesterov: "Nesterov momentum",
  adam: "Adam", rmsprop: "RMSprop",
};
const HYPER_LABELS = {
  beta1: "β₁ (first moment decay)", beta2: "β₂ (second moment decay)", eps: "ε (keeps the division safe)",
  rho: "ρ (squared-gradient decay)", weight_decay: "weight decay λ",
};

// A frame already in flight when a person moves a control still shows the old value: for this long after a
// local change, the control keeps what the person chose.
const HOLD_MS = 800;

/**
 * createLearningControls(doc, {act, showError, options, config, onLocked}): options() and config() return the
 * server's options and the config in force; onLocked() is called after controls are rebuilt (to re-apply the
 * viewer's lock). Returns {fillOptions, show(hyper, optimizer), showBatch(batchSize, nTrain), forget}.
 */
export function createLearningControls(doc, { act, showError, options, config, onRebuilt }) {
  const $ = (id) => doc.getElementById(id);
  const edited = new Map(); // setting -> time of the last local change
  const inFlight = new Map(); // setting -> the value to send once the one in flight is answered
  const held = (name) => Date.now() - (edited.get(name) ?? 0) < HOLD_MS;

  function setLive(name, value) {
    edited.set(name, Date.now());
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
    // The new optimizer keeps the settings it shares with the old one and takes its defaults for the rest.
    const hyper = { ...(options()?.optimizers?.[name]?.defaults ?? {}) };
    for (const k of Object.keys(hyper)) if (config()?.hyper?.[k] != null) hyper[k] = config().hyper[k];
    act(msg.configure({ optimizer: name, hyper }), "optimizer");
  });
  $("batch-size").addEventListener("change", (e) => setLive("batch_size", batchFromChoice(e.target.value)));

  function fillOptions() {
    fillSelect($("optimizer"), Object.keys(options().optimizers).map((n) => [n, label(OPTIMIZER_LABELS, n)]));
  }

  /** The settings in force (from the config, or a frame after `set` or another page's change). */
  function show(hyper, optimizerName) {
    setValue($("optimizer"), optimizerName);
    if (hyper.lr != null && !held("lr")) {
      lrSlider.value = String(sliderFromLr(hyper.lr));
      if (doc.activeElement !== lrInput) lrInput.value = String(hyper.lr);
    }
    const takes = options()?.optimizers?.[optimizerName]?.settings ?? Object.keys(hyper);
    momentumSlider.closest(".slider").hidden = !takes.includes("momentum");
    if (hyper.momentum != null && !held("momentum")) {
      momentumSlider.value = String(hyper.momentum);
      if (doc.activeElement !== momentumInput) momentumInput.value = String(hyper.momentum);
    }
    showOthers(takes.filter((n) => n !== "lr" && n !== "momentum"), hyper, optimizerName);
  }

  function showOthers(names, hyper, optimizerName) {
    const box = $("more-hyper");
    if (box.dataset.names !== names.join(",")) {
      box.dataset.names = names.join(",");
      box.replaceChildren(...names.flatMap(otherSetting));
      onRebuilt();
    }
    for (const name of names) {
      const input = $(`hyper-${name}`);
      const value = hyper[name] ?? options()?.optimizers?.[optimizerName]?.defaults?.[name];
      if (value != null && !held(name) && doc.activeElement !== input && input.value !== String(value)) {
        input.value = String(value);
      }
    }
  }

  function otherSetting(name) {
    const row = doc.createElement("div");
    row.className = "slider";
    const text = doc.createElement("label");
    text.htmlFor = `hyper-${name}`;
    text.textContent = label(HYPER_LABELS, name);
    const input = doc.createElement("input");
    input.type = "number";
    input.id = `hyper-${name}`;
    input.step = "any";
    const [lo, hi] = options()?.limits?.[name] ?? [0, 1];
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
  }

  /** The batch size in force, among the choices a training set of nTrain offers. */
  function showBatch(batchSize, nTrain) {
    const select = $("batch-size");
    const want = choiceForBatch(batchSize, nTrain);
    if (held("batch_size") && select.options.length) return;
    fillSelect(select, batchChoices(nTrain, batchSize).map((c) => [c.value, c.label]));
    if (select.value !== want) select.value = want;
  }

  /** After a refused change: the next values from the server are shown at once. */
  function forget() {
    edited.clear();
  }

  return { fillOptions, show, showBatch, forget };
}
