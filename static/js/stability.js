// The stability hint and the learning-rate schedule, on the η control: marks on the log slider at the limits
// the server computed from λmax (η < 2/λmax for plain descent, η < 2(1 + α)/λmax with momentum), a plain-words
// line with the formulas on hover, the η in force, and the schedule's settings, sent live as `schedule`. The
// server computes every number (frames carry them in `stability`); this only places them on the slider.

import { setValue } from "./forms.js";
import { formatNumber } from "./scales.js";

/** Where a learning rate sits on the log slider, 0 … 1 (its value is log10 η), clamped; null when not a number > 0. */
export function markPosition(eta, min = -4, max = 1) {
  if (!(eta > 0) || !Number.isFinite(eta)) return null;
  return Math.min(1, Math.max(0, (Math.log10(eta) - min) / (max - min)));
}

/** The settings each kind of schedule shows besides its warm-up. */
export const SCHEDULE_FIELDS = {
  constant: [], step: ["step_size", "gamma"], exponential: ["gamma"], cosine: ["period", "min_factor"],
};
const WHOLE = new Set(["warmup", "step_size", "period"]);

/** The `schedule` message for a kind and the typed values (empty ones left to the server's defaults). */
export function scheduleMessage(kind, values) {
  const out = { type: "schedule", kind };
  for (const name of ["warmup", ...(SCHEDULE_FIELDS[kind] ?? [])]) {
    const text = String(values[name] ?? "").trim();
    if (text !== "") out[name] = WHOLE.has(name) ? Number.parseInt(text, 10) : Number(text);
  }
  return out;
}

const SHORT = { gd: "2/λmax", heavy_ball: "2(1+α)/λmax", nesterov: "Nesterov", inertia: "inertia" };

/** The hover text: the formulas in words, and how λmax was measured. */
export function stabilityTitle(s) {
  const lines = [
    "On a bowl of curvature λ, gradient descent multiplies the distance to the bottom along that direction by "
      + "(1 − ηλ) at every update: it shrinks only while η < 2/λ. With momentum α (heavy ball) the limit is "
      + "η < 2(1 + α)/λ; Nesterov's is η < 2(1 + α)/((1 + 2α)λ); the inertia form's η < 2(1 + α)/((1 − α)λ).",
  ];
  for (const limit of s?.limits ?? []) {
    lines.push(`${limit.label}: ${limit.formula} = ${limit.eta_max === null ? "no limit" : formatNumber(limit.eta_max, 4)}`);
  }
  const c = s?.curvature;
  if (c) {
    lines.push(`λmax = ${formatNumber(c.lambda_max, 6)}: the largest eigenvalue of the Hessian of E over the ${c.points} `
      + `training points${c.weight_decay ? ` (with weight decay ${c.weight_decay})` : ""}, after update ${c.step}; power `
      + `iteration on ${c.products} exact Hessian-vector products${c.shifted ? " (shifted past a larger negative one)" : ""}, `
      + `an eigenvalue within ${formatNumber(c.residual, 2)}${c.converged ? "" : " (not settled: a lower bound)"}, `
      + `${formatNumber(c.seconds * 1000, 2)} ms.`);
  }
  return lines.join("\n");
}

/** "η in force: 0.015 (η × 0.5 every 100 updates)". */
export function etaLine(s) {
  if (!s) return "";
  const scheduled = s.schedule?.kind !== "constant" || s.schedule?.warmup > 0;
  return scheduled
    ? `η in force for the next update: ${formatNumber(s.eta, 4)} (${s.schedule_text}; η set ${formatNumber(s.eta_set, 4)})`
    : `η in force: ${formatNumber(s.eta, 4)} (constant)`;
}

/**
 * createStabilityHint(doc, {act}) wires the hint and the schedule controls. update(stability) shows a frame's
 * `stability`; setConfig(config) the schedule in force and whether a worked example fixes it.
 */
export function createStabilityHint(doc, { act }) {
  const $ = (id) => doc.getElementById(id);
  const marks = $("lr-marks");
  const kind = $("schedule-kind");
  const inputs = Object.fromEntries(["warmup", "step_size", "gamma", "period", "min_factor"]
    .map((name) => [name, $(`schedule-${name}`)]));
  let shown = "";
  let editedAt = 0;

  function send() {
    editedAt = Date.now();
    const values = Object.fromEntries(Object.entries(inputs).map(([name, input]) => [name, input.value]));
    act(scheduleMessage(kind.value, values), "schedule");
  }
  kind.addEventListener("change", () => {
    showFields(kind.value);
    // A new kind starts from the server's defaults for it: only the warm-up is kept.
    act(scheduleMessage(kind.value, { warmup: inputs.warmup.value }), "schedule");
    editedAt = Date.now();
  });
  for (const input of Object.values(inputs)) input.addEventListener("change", send);
  $("measure-curvature").addEventListener("click", () => act({ type: "curvature" }, "curvature"));
  $("curvature-auto").addEventListener("change", (e) => act({ type: "curvature", auto: e.target.checked }, "curvature"));

  function showFields(name) {
    for (const row of doc.querySelectorAll("#schedule [data-kinds]")) {
      row.hidden = !row.dataset.kinds.split(" ").includes(name);
    }
  }

  /** The schedule in force (from the config or a frame), unless the person is typing in it. */
  function showSchedule(schedule) {
    if (!schedule || Date.now() - editedAt < 800) return;
    setValue(kind, schedule.kind);
    showFields(schedule.kind);
    for (const [name, input] of Object.entries(inputs)) {
      const value = schedule[name];
      if (value !== undefined && value !== null && doc.activeElement !== input) input.value = String(value);
    }
  }

  function setConfig(config) {
    showSchedule(config?.schedule);
    // The worked examples keep a constant η (their numbers are the textbook's): the schedule is theirs.
    const locked = config?.preset != null;
    for (const el of [kind, ...Object.values(inputs)]) {
      el.dataset.locked = locked ? "1" : "";
      if (locked) el.disabled = true;
    }
    $("schedule-note").hidden = !locked;
  }

  function update(s) {
    if (!s) return;
    const key = JSON.stringify(s);
    if (key === shown) return;
    shown = key;
    showSchedule(s.schedule);
    const line = $("stability-line");
    line.textContent = s.error ? `λmax could not be measured: ${s.error}` : s.note;
    line.dataset.above = s.above === null ? "" : String(s.above);
    line.title = stabilityTitle(s);
    $("eta-in-force").textContent = etaLine(s);
    $("curvature-auto").checked = s.auto;
    drawMarks(s);
  }

  function drawMarks(s) {
    const parts = [];
    const inForce = (s.limits ?? []).find((l) => l.rule === s.in_force);
    const start = markPosition(inForce?.eta_max);
    if (start !== null && start < 1) {
      const band = doc.createElement("span");
      band.className = "lr-unstable";
      band.style.setProperty("--at", String(start));
      band.title = `η above ${formatNumber(inForce.eta_max, 4)}: unstable on a bowl of curvature λmax`;
      parts.push(band);
    }
    for (const limit of s.limits ?? []) {
      const at = markPosition(limit.eta_max);
      if (at === null) continue;
      const mark = doc.createElement("span");
      // The label reads away from the nearer end, so it stays on the slider; the limit in force's on the first
      // line, the other's below it, so two close marks never overlap.
      mark.className = `lr-mark${limit.rule === s.in_force ? " in-force" : ""}${at > 0.5 ? " label-left" : ""}`;
      mark.dataset.rule = limit.rule;
      mark.style.setProperty("--at", String(at));
      mark.title = `${limit.label}: ${limit.formula} = ${formatNumber(limit.eta_max, 4)}`;
      const text = doc.createElement("span");
      text.className = "lr-mark-label";
      text.textContent = `${SHORT[limit.rule]} = ${formatNumber(limit.eta_max, 3)}`;
      mark.append(text);
      parts.push(mark);
    }
    const now = markPosition(s.eta);
    if (now !== null && (s.schedule?.kind !== "constant" || s.schedule?.warmup > 0)) {
      const eta = doc.createElement("span"); // where the schedule has η now, when it differs from the thumb
      eta.className = "lr-eta";
      eta.style.setProperty("--at", String(now));
      eta.title = `η in force: ${formatNumber(s.eta, 4)}`;
      parts.push(eta);
    }
    marks.replaceChildren(...parts);
    marks.dataset.count = String((s.limits ?? []).length);
  }

  return { update, setConfig };
}
