// What a screen reader is told about the drawings: a one-line summary for each canvas (its accessible name)
// and the sentence the live region announces as an update goes on. Pure functions of numbers the server sent
// (nothing is computed here but the wording), so node tests them.

import { phaseSentence } from "./phases.js";
import { formatCount, formatNumber } from "./scales.js";

/** "falling", "rising" or "about steady" from an earlier loss to the one now; "" without an earlier one. */
export function trend(before, now) {
  if (!Number.isFinite(before) || !Number.isFinite(now)) return "";
  const scale = Math.max(Math.abs(before), Math.abs(now), 1e-12);
  const change = (now - before) / scale;
  if (Math.abs(change) < 0.005) return "about steady";
  return change < 0 ? "falling" : "rising";
}

/** The loss chart's summary: the losses now and how the training loss moved since `before` ({step, loss}). */
export function lossSummary({ step, trainLoss, testLoss, before = null }) {
  if (!Number.isFinite(step) || trainLoss === null || trainLoss === undefined) {
    return "Loss over updates: no loss yet; it appears once training starts.";
  }
  const moved = before && before.step < step ? trend(before.loss, trainLoss) : "";
  const since = moved ? `, ${moved} since update ${formatCount(before.step)} (${formatNumber(before.loss, 4)})` : "";
  const test = testLoss === null || testLoss === undefined ? "" : `; test loss ${formatNumber(testLoss, 4)}`;
  return `Loss over updates: training loss ${formatNumber(trainLoss, 4)} at update ${formatCount(step)}${since}${test}.`;
}

/** The decision map's summary: what it shows and which points are on it. */
export function mapSummary({ nTrain, nTest, showTest, classification }) {
  const what = classification ? "the class the network predicts" : "the network's output";
  const points = `${formatCount(nTrain)} training points${nTest ? `, ${formatCount(nTest)} test points${showTest ? "" : " (hidden)"}` : ""}`;
  return `Decision map: ${what} at every point of the input plane (x₁ across, x₂ up), with ${points}.`;
}

/** The loss surface's summary: which slice, and where the point of the current weights is on it. */
export function surfaceSummary({ kind, axes = [], point = null, loss = null }) {
  if (!kind || kind === "none") return "Loss surface: off. Choose a slice to see the loss around the current weights.";
  const slice = { weights: "two weights", random: "a random plane", trajectory: "the plane of the path", curve: "the curve" }[kind] ?? kind;
  const names = axes.filter(Boolean).join(" and ");
  const where = point && point.length
    ? ` The current weights are at ${point.map((v, k) => `${axes[k] ? short(axes[k]) : k ? "β" : "α"} = ${formatNumber(v, 4)}`).join(", ")}`
      + `${Number.isFinite(loss) ? `, where the training loss is ${formatNumber(loss, 4)}` : ""}.`
    : "";
  return `Loss surface over ${slice}${names ? ` (axes: ${names})` : ""}.${where}`;
}

function short(label) {
  return String(label).split(/[,:]/)[0];
}

/** What the live region says after a frame: the phase in a sentence, and the batch loss when there is one. */
export function announcement({ phase, step, batchLoss }) {
  const loss = batchLoss === null || batchLoss === undefined ? "" : ` Batch loss ${formatNumber(batchLoss, 4)}.`;
  return `${phaseSentence(phase, step)}${loss}`;
}

/**
 * When to speak: at once for a step or phase by hand (after `quietMs` without another, so holding → does not
 * queue a sentence per update), and at most once every `playingMs` while playing. Returns the delay in ms
 * before `text` may be said, given when the last sentence was said.
 */
export function announceDelay({ now, lastSaid, playing, quietMs = 400, playingMs = 10_000 }) {
  if (!playing) return quietMs;
  return Math.max(quietMs, lastSaid + playingMs - now);
}
