// The controls column and the panel toggles, in plain words. Each control sends one control message through
// `act(message, field)` and a refusal is shown next to the control that caused it. The learning settings,
// the network's shape and the surface's slice have their own modules (learning.js, layers.js,
// surfacechoice.js); this one wires them with the run buttons, the data, the presets and the checks.

import { fillSelect, label, setValue } from "./forms.js";
import { lockLayers, lossFields, renderLayers } from "./layers.js";
import { createLearningControls } from "./learning.js";
import * as msg from "./protocol.js";
import { formatNumber } from "./scales.js";
import { createSurfaceChoice } from "./surfacechoice.js";

// The field names the server uses in errors, mapped to the control that set them.
const ERROR_TARGETS = [
  [/^(hyper\.)?(lr|momentum|beta1|beta2|eps|rho|weight_decay)$/, (m) => m[2]],
  [/^sizes(\[\d+\])?$/, () => "sizes"],
  [/^activations(\[\d+\])?$/, () => "activations"],
  [/^(params(\[\d+\])?|resolution|kind|seed|span)$/, () => "surface"],
  [/^updates_per_second$/, () => "speed"],
  [/^steps?$/, () => "history"],
  [/^(example|dataset|noise|n_points|test_fraction|loss|optimizer|batch_size|preset)$/, (m) => m[1]],
];

/** Which control an error about `field` belongs next to ("sizes[1]" → "sizes"), or null for the status area. */
export function errorTarget(field, of) {
  if (of === "surface" && field !== "type") return "surface";
  if (of === "schedule" || of === "curvature") return of; // beside the η schedule, beside the stability hint
  if (!field) return null;
  for (const [pattern, name] of ERROR_TARGETS) {
    const m = pattern.exec(field);
    if (m) return name(m);
  }
  return null;
}

const DATASET_LABELS = {
  circle: "circle", xor: "XOR (four quadrants)", gauss: "two Gaussian clouds", spiral: "two spirals",
  spiral3: "three spirals", plane: "plane (regression)", multi_gauss: "Gaussian bumps (regression)",
};
const LOSS_LABELS = { mse: "squared error", bce: "cross-entropy (logistic output)", softmax_ce: "cross-entropy (softmax output)" };

// -- the controls ----------------------------------------------------------------------------------------

/**
 * createControls(document, {act, onView, onSurface, names}) wires the page's controls; names() gives the server's
 * names for the network (the `data` message's), for the surface's hint.
 * act(message, field?) sends a control message; its promise resolves with the reply, or null when refused.
 * onView(change) reports what the URL should remember ({show_test}, {log_scale}, {speed}, {surface}, ...);
 * onSurface(kind | null) that a slice was chosen or dropped. The app drives the returned object as messages
 * arrive (setOptions, setConfig, setFrame, setData, setRole, ...).
 */
export function createControls(doc, { act, onView, onSurface, names }) {
  const $ = (id) => doc.getElementById(id);
  let options = null;
  let config = null;
  let role = "loading";
  let playing = false;
  let nTrain = 0;

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

  // -- learning: optimizer, η, α, the optimizer's other settings, batch size --------------------------------
  const learning = createLearningControls(doc, {
    act, showError, options: () => options, config: () => config, onRebuilt: () => applyRole(),
  });

  // -- data ------------------------------------------------------------------------------------------------
  $("dataset").addEventListener("change", (e) => configureFrom(e.target.value, "dataset"));
  $("noise").addEventListener("input", (e) => { $("noise-value").value = formatShare(e.target.value); });
  $("noise").addEventListener("change", (e) => configureFrom(Number(e.target.value), "noise"));
  $("test-fraction").addEventListener("input", (e) => { $("test-fraction-value").value = formatShare(e.target.value); });
  $("test-fraction").addEventListener("change", (e) => configureFrom(Number(e.target.value), "test_fraction"));
  $("loss").addEventListener("change", (e) => act(msg.configure(lossFields(config, e.target.value)), "loss"));

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
  const surface = createSurfaceChoice(doc, { act, onView, onSurface, names, controls: () => role === "controller" });

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
        + `${r.examples ? ` on ${r.examples} examples` : ""}.${worst}${r.note ? ` ${r.note}` : ""}`;
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
    learning.fillOptions();
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
    learning.show(config.hyper ?? {}, config.optimizer);
    setValue($("dataset"), config.dataset);
    $("noise").value = config.noise;
    $("noise-value").value = formatShare(config.noise);
    $("test-fraction").value = config.test_fraction;
    $("test-fraction-value").value = formatShare(config.test_fraction);
    setValue($("loss"), config.loss);
    drawLayers();
    learning.showBatch(config.batch_size ?? null, nTrain);
    const inPreset = config.preset != null;
    for (const button of $("presets").querySelectorAll("button[data-preset]")) {
      button.classList.toggle("primary", button.dataset.preset === config.preset);
      button.setAttribute("aria-pressed", String(button.dataset.preset === config.preset));
    }
    $("leave-preset").hidden = !inPreset;
    for (const id of ["group-data", "group-network"]) $(id).classList.toggle("preset-active", inPreset);
    surface.forPreset(config.preset);
    applyRole();
  }

  function drawLayers() {
    renderLayers($("layers"), config, options, (sizes, activations) => act(msg.configure({ sizes, activations }), "sizes"));
    applyRole();
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
      config.optimizer = header.optimizer ?? config.optimizer;
      config.hyper = { ...config.hyper, ...header.hyper };
      learning.show(header.hyper, config.optimizer);
    }
    if (config && header.batch_size !== undefined) {
      config.batch_size = header.batch_size;
      learning.showBatch(header.batch_size, nTrain);
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
    nTrain = data.n_train ?? data.train?.x?.length ?? nTrain;
    $("example-index").max = String(Math.max(0, nTrain - 1));
    if (config) learning.showBatch(config.batch_size ?? null, nTrain);
  }

  function setRole(next) {
    role = next;
    applyRole();
  }

  function applyRole() {
    const viewer = role !== "controller";
    for (const el of doc.querySelectorAll("#controls button, #controls select, #controls input, #example, #example-index, input[name='surface']")) {
      if (el.dataset.personal !== undefined) continue; // the page's own preferences, a viewer's too
      if (viewer) el.disabled = true;
      else if (el.dataset.locked !== "1") el.disabled = false;
    }
    if (viewer || !config) return;
    lockLayers($("layers"), config, options);
    if (config.preset != null) $("regenerate").disabled = true;
  }

  /** After a refused change: forget the local edits and show the settings in force again. */
  function revert(inForce) {
    learning.forget();
    setConfig(inForce);
  }

  return {
    revert,
    setOptions, setConfig, setFrame, setPlaying, setData, setRole, showError, clearError, togglePlay,
    pick: surface.pick,
    setSurfaceKind: surface.show,
    get picked() { return surface.picked; },
    get surfaceKind() { return surface.kind; },
    get config() { return config; },
    errorTarget,
  };
}

function formatShare(x) {
  return `${Math.round(Number(x) * 100)} %`;
}
