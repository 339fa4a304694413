// The recurrent network's panel (model "rnn"): its setup form, the unrolled view, the sample panel and its
// phase chips. Every number drawn comes in the frame (server/recurrent.py); this only wires and draws.
import { showChar, timeSteps, createUnrolledView } from "./unrolled.js";

const $ = (id) => document.getElementById(id);

export function createRecurrentPanel({ act }) {
  const unrolled = createUnrolledView($("unrolled-view"));
  let data = null;
  const form = $("rnn-form");
  const source = $("rnn-text");
  const pasted = $("rnn-pasted");
  // style.display: the form's rows are flex boxes, which would show a [hidden] label anyway.
  const showPasted = () => { pasted.closest("label").style.display = source.value === "pasted" ? "" : "none"; };
  source.addEventListener("change", showPasted);
  showPasted();
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const rnn = { text: source.value, window: Number($("rnn-window").value) };
    if (source.value === "pasted") rnn.pasted = pasted.value;
    const hidden = $("rnn-hidden").value;
    if (hidden !== "") rnn.hidden = Number(hidden);
    const clip = $("rnn-clip").value;
    rnn.clip = clip === "" ? null : Number(clip);
    rnn.temperature = Number($("rnn-temperature").value);
    act({ type: "configure", model: "rnn", rnn }, "rnn");
  });
  $("rnn-leave").addEventListener("click", () => act({ type: "configure", model: "mlp" }, "rnn"));
  const temperature = $("rnn-temperature");
  temperature.addEventListener("input", () => { $("rnn-temperature-value").textContent = temperature.value; });
  temperature.addEventListener("change", () => act({ type: "sample", temperature: Number(temperature.value) }, "rnn"));
  $("rnn-surface").addEventListener("click", () => {
    // Two recurrent weights: into h₁ from itself and from h₂ (layer 1 of the RNN's weights is W_hh).
    const two = data && data.hidden >= 2;
    act({ type: "surface", kind: "weights", resolution: 40, params: two
      ? [{ kind: "weight", layer: 1, i: 0, j: 0 }, { kind: "weight", layer: 1, i: 0, j: 1 }]
      : [{ kind: "weight", layer: 1, i: 0, j: 0 }, { kind: "bias", layer: 0, j: 0 }] }, "surface");
  });

  function setData(header) {
    data = header;
    relabelLossKey(header.model === "rnn");
    if (header.model !== "rnn") return;
    const r = header.config.rnn;
    source.value = r.text;
    if (r.pasted !== null && r.pasted !== undefined) pasted.value = r.pasted;
    $("rnn-hidden").value = header.hidden;
    $("rnn-window").value = header.window; // the window in force (at most the text length − 1)
    $("rnn-clip").value = r.clip ?? "";
    temperature.value = r.temperature;
    $("rnn-temperature-value").textContent = String(r.temperature);
    $("rnn-vocab").textContent = `${header.chars.length} characters: ${header.chars.map(showChar).join(" ")}`;
    showPasted();
  }

  let lastUnrolled = -Infinity;
  function drawUnrolled(frame) {
    const r = frame.header.rnn;
    unrolled.update({ chars: data.chars, inputs: r.inputs, targets: r.targets, H: data.hidden, V: data.chars.length,
      phase: frame.header.phase, h: frame.arrays.rnn_h, p: frame.arrays.rnn_p, dh: frame.arrays.rnn_dh });
  }

  function setFrame(frame, phaseList) {
    const h = frame.header;
    const r = h.rnn;
    // Playing, the unrolled view (thousands of cells for a long window) is redrawn a few times a second, not on
    // every frame: the eye cannot follow more, and the page stays responsive.
    const now = performance.now();
    if (!h.playing || now - lastUnrolled > 150) {
      lastUnrolled = now;
      drawUnrolled(frame);
    }
    const sample = $("rnn-sample");
    if (sample.textContent !== r.sample) sample.textContent = r.sample;
    $("rnn-sample-note").textContent = `${r.sample.length} characters at temperature ${r.temperature}, from the weights after update ${r.sample_step}`;
    const norm = r.grad_norm === null ? "—" : r.grad_norm.toPrecision(4);
    $("rnn-window-note").textContent = `Window at character ${r.start + 1} of the text, ${r.inputs.length} steps; `
      + `‖∂E/∂W‖ = ${norm}${r.clipped ? ` (clipped to ${r.clip})` : ""}; passes over the text: ${r.passes}.`;
    renderTimePhases(phaseList, r.inputs.length, h.phase, h.step);
  }

  return { setData, setFrame, unrolled };
}

function renderTimePhases(list, T, phase, step) {
  const key = `rnn|${T}|${phase?.kind}|${phase?.t}|${step}`;
  if (list.dataset.key === key) return;
  list.dataset.key = key;
  const steps = timeSteps(T, phase);
  list.dataset.depth = `rnn-${T}`;
  list.replaceChildren(...steps.map((s) => {
    const item = document.createElement("li");
    item.dataset.phase = s.key;
    item.classList.toggle("done", s.state === "done");
    item.classList.toggle("current", s.state === "current");
    if (s.state === "current") item.setAttribute("aria-current", "step");
    const chip = document.createElement("span");
    chip.className = "chip";
    chip.textContent = s.label;
    item.append(chip);
    return item;
  }));
}

// The loss chart draws two series; for the RNN they are each window's E and ("mean") the mean over the last pass.
function relabelLossKey(rnn) {
  const texts = document.querySelectorAll("#loss-view svg text");
  if (texts.length < 2) return;
  texts[0].textContent = rnn ? "window" : "train";
  texts[1].textContent = rnn ? "mean" : "test";
}
