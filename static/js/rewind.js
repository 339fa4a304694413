// Stepping back: the Back and Forward buttons and the scrubber over the kept history. The server keeps the
// history and restores or replays it (docs/protocol.md, "Stepping back"); every frame says which updates are
// kept (header.history = {first, last}), and this module only draws that and asks to move.

import * as msg from "./protocol.js";
import { formatCount } from "./scales.js";

/** "update 12 of 40": where the run is in the kept history, in words. */
export function historyLabel(step, history) {
  const last = Math.max(history?.last ?? step, step);
  return `update ${formatCount(step)} of ${formatCount(last)}`;
}

/** What the controls can do at `step` with the kept `history`: {back, forward, first, last}. */
export function historyState(step, history, inUpdate = false) {
  const first = history?.first ?? step;
  const last = Math.max(history?.last ?? step, step);
  return { back: step > first || inUpdate, forward: last > step, first, last };
}

/**
 * createRewindControls(document, {act, controls}) wires #back, #forward and #scrubber.
 * act(message, field) sends a control message; controls() says whether this page may control the session.
 * Returns {setFrame(header), back(), forward()}.
 */
export function createRewindControls(doc, { act, controls }) {
  const $ = (id) => doc.getElementById(id);
  const scrubber = $("scrubber");
  let wanted = null; // the update the scrubber was dragged to while a seek was under way
  let seeking = false;

  function back() {
    return act(msg.back(1), "history");
  }

  function forward() {
    return act(msg.forward(1), "history");
  }

  // Dragging sends one seek at a time, and the newest position when it is answered: the server restores or
  // replays at its own pace, and the thumb never waits for a queue of stale positions.
  function seek(step) {
    wanted = step;
    if (seeking) return;
    seeking = true;
    const target = wanted;
    wanted = null;
    act(msg.seek(target), "history").finally(() => {
      seeking = false;
      if (wanted !== null && wanted !== target) seek(wanted);
    });
  }

  $("back").addEventListener("click", back);
  $("forward").addEventListener("click", forward);
  scrubber.addEventListener("input", () => seek(Number(scrubber.value)));

  // While playing, the step moves every frame; the scrubber follows ten times a second (a person cannot read
  // it faster), and the newest frame is always shown in the end. Every change here repaints the controls
  // column, which cost the page as much as drawing the network (bench/browser.py, a Chromium trace).
  let pending = null;
  let shownAt = -Infinity;
  function setFrame(header) {
    const wait = header.playing ? shownAt + FOLLOW_MS - performance.now() : 0;
    if (wait > 0) {
      if (pending === null) setTimeout(() => pending !== null && show(pending), wait); // unless shown meanwhile
      pending = header;
      return;
    }
    show(header);
  }

  function show(header) {
    pending = null;
    shownAt = performance.now();
    const state = historyState(header.step, header.history, header.in_update);
    const may = controls();
    // data-locked keeps the page's role switch (which enables every control of a presenter) off them.
    lock($("back"), !may || !state.back);
    lock($("forward"), !may || !state.forward);
    lock(scrubber, !may || state.last === state.first);
    setProperty(scrubber, "min", String(state.first));
    setProperty(scrubber, "max", String(state.last));
    if (doc.activeElement !== scrubber || !seeking) setProperty(scrubber, "value", String(header.step));
    const label = historyLabel(header.step, header.history);
    setProperty($("scrubber-label"), "textContent", label);
    if (scrubber.getAttribute("aria-valuetext") !== label) scrubber.setAttribute("aria-valuetext", label);
    setProperty(scrubber, "title", state.first > 0
      ? `The last ${formatCount(state.last - state.first)} updates are kept (from update ${formatCount(state.first)}): drag to go back and forth.`
      : "Every update so far is kept: drag to go back and forth.");
    const history = doc.getElementById("history").dataset;
    setProperty(history, "step", String(header.step));
    setProperty(history, "last", String(state.last));
  }

  return { setFrame, back, forward };
}

const FOLLOW_MS = 100;

/** Sets only what changes: writing the same value still invalidates style and paint. */
function setProperty(target, name, value) {
  if (target[name] !== value) target[name] = value;
}

function lock(el, off) {
  setProperty(el, "disabled", off);
  setProperty(el.dataset, "locked", off ? "1" : "0");
}
