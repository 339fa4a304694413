/**
 * Drawing your own data on the decision map. The mouse: click adds a point of the chosen class (or target), drag
 * moves a point, right-click removes one. The keyboard (the map is one Tab stop): the arrows move a cross (Shift:
 * five times as far), Enter adds a point there, Delete removes the point under the cross, M picks that point up
 * and Enter puts it down where the cross is, Escape lets go. Every edit is a control message; the points drawn are
 * the ones the server sends back (a drag shows where the point goes until the server has it).
 *
 *   const editor = createPointEditor(map, {act, value: () => ({label: 1}), editable: () => true});
 *   editor.setPoints(data)   // the `data` message: train then test points, as the edits index them
 */

import * as msg from "./protocol.js";

const HIT_PX = 9; // a press within this many CSS pixels of a point takes that point
const MOVE_PX = 3; // a press that travels further is a drag, not a click
const STEPS = 50; // the arrows move the cross 1/50 of the map's width

/** The index of the point nearest to pixel (px, py) within `radius` pixels, or -1. Pure: tested by node. */
export function nearestPoint(points, px, py, x, y, radius = HIT_PX) {
  let best = -1;
  let bestDistance = radius * radius;
  points.forEach(([a, b], k) => {
    const d = (x(a) - px) ** 2 + (y(b) - py) ** 2;
    if (d <= bestDistance) {
      best = k;
      bestDistance = d;
    }
  });
  return best;
}

/** Every point of a `data` message, training points first (the index the edit messages use). */
export function editablePoints(data) {
  return [...(data?.train?.x ?? []), ...(data?.test?.x ?? [])];
}

export function createPointEditor(map, { act, value, editable, announce = () => {} }) {
  const canvas = map.canvas;
  let points = [];
  let cross = null; // [x₁, x₂] of the keyboard's cross, while the map has the focus
  let drag = null; // {index, from: [px, py], to: [x₁, x₂] | null}
  let held = null; // a point picked up by keyboard (M), put down by Enter
  canvas.tabIndex = 0;
  canvas.dataset.keys = "arrows enter space escape";
  canvas.setAttribute("role", "application");
  canvas.setAttribute("aria-roledescription", "decision map: draw your own data");

  function local(event) {
    const rect = canvas.getBoundingClientRect();
    return [event.clientX - rect.left, event.clientY - rect.top];
  }

  function toData([px, py]) {
    const g = map.geometry();
    return g ? [round(g.x.invert(px)), round(g.y.invert(py))] : null;
  }

  function hit([px, py]) {
    const g = map.geometry();
    return g ? nearestPoint(points, px, py, g.x, g.y) : -1;
  }

  function send(message) {
    return act(message, "points");
  }

  canvas.addEventListener("pointerdown", (event) => {
    if (event.button !== 0 || !editable()) return;
    const at = local(event);
    drag = { index: hit(at), from: at, to: null };
    cross = toData(at); // the keyboard goes on from where the mouse pressed
    canvas.setPointerCapture?.(event.pointerId);
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!drag || drag.index < 0) return;
    const at = local(event);
    if (Math.hypot(at[0] - drag.from[0], at[1] - drag.from[1]) < MOVE_PX && !drag.to) return;
    drag.to = toData(at);
    map.redraw();
  });
  canvas.addEventListener("pointerup", (event) => {
    const done = drag;
    drag = null;
    if (!done || !editable()) return;
    const at = local(event);
    if (done.index >= 0) {
      if (done.to) send(msg.movePoint(done.index, toData(at))).then(() => map.redraw());
      return;
    }
    const x = toData(at);
    if (x) send(msg.addPoint(x, value()));
  });
  canvas.addEventListener("pointercancel", () => {
    drag = null;
    map.redraw();
  });
  canvas.addEventListener("contextmenu", (event) => {
    if (!editable()) return;
    event.preventDefault();
    const index = hit(local(event));
    if (index >= 0) send(msg.removePoint(index));
  });

  // -- by keyboard ---------------------------------------------------------------------------------------
  canvas.addEventListener("focus", () => {
    if (!cross) {
      const g = map.geometry();
      cross = g ? toData([(g.box.left + g.box.right) / 2, (g.box.top + g.box.bottom) / 2]) : [0, 0];
    }
    map.redraw();
  });
  canvas.addEventListener("blur", () => {
    held = null;
    map.redraw();
  });
  canvas.addEventListener("keydown", (event) => {
    const g = map.geometry();
    if (!g || !cross || !editable()) return;
    const step = ((g.x.domain[1] - g.x.domain[0]) / STEPS) * (event.shiftKey ? 5 : 1);
    const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
    const under = () => nearestPoint(points, g.x(cross[0]), g.y(cross[1]), g.x, g.y, HIT_PX * 1.5);
    if (moves[event.key]) {
      cross = [round(clamp(cross[0] + moves[event.key][0], g.x.domain)), round(clamp(cross[1] + moves[event.key][1], g.y.domain))];
    } else if (event.key === "Enter" || event.key === " ") {
      if (held !== null) {
        send(msg.movePoint(held, cross));
        announce(`Point ${held} put down at (${cross.join(", ")}).`);
        held = null;
      } else {
        send(msg.addPoint(cross, value()));
      }
    } else if (event.key === "Delete" || event.key === "Backspace") {
      const index = under();
      if (index >= 0) send(msg.removePoint(index));
      else announce("No point under the cross to remove.");
    } else if (event.key === "m" || event.key === "M") {
      const index = under();
      held = index >= 0 ? index : null;
      announce(index >= 0 ? `Point ${index} picked up: move the cross and press Enter to put it down.` : "No point under the cross to pick up.");
    } else if (event.key === "Escape") {
      held = null;
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
    map.redraw();
  });

  map.setOverlay((ctx, x, y) => {
    if (drag?.to && drag.index >= 0) {
      const [a, b] = points[drag.index] ?? [0, 0];
      ring(ctx, x(a), y(b), 6, "#111", [3, 3]);
      ring(ctx, x(drag.to[0]), y(drag.to[1]), 6, "#111", []);
    }
    if (cross && document.activeElement === canvas) {
      const cx = x(cross[0]);
      const cy = y(cross[1]);
      ctx.save();
      for (const [width, colour] of [[4, "#fff"], [2, "#111"]]) {
        ctx.beginPath();
        ctx.moveTo(cx - 10, cy);
        ctx.lineTo(cx + 10, cy);
        ctx.moveTo(cx, cy - 10);
        ctx.lineTo(cx, cy + 10);
        ctx.lineWidth = width;
        ctx.strokeStyle = colour;
        ctx.stroke();
      }
      ctx.restore();
      if (held !== null && points[held]) ring(ctx, cx, cy, 7, "#111", [2, 2]);
    }
  });

  return {
    setPoints(data) {
      points = editablePoints(data);
      if (held !== null && held >= points.length) held = null;
    },
    get state() {
      return { points: points.length, cross, held, dragging: Boolean(drag) };
    },
  };
}

function ring(ctx, cx, cy, r, colour, dash) {
  ctx.save();
  ctx.setLineDash(dash);
  ctx.beginPath();
  ctx.arc(cx, cy, r, 0, 2 * Math.PI);
  ctx.lineWidth = 2;
  ctx.strokeStyle = colour;
  ctx.stroke();
  ctx.restore();
}

function clamp(v, [lo, hi]) {
  return Math.min(Math.max(v, Math.min(lo, hi)), Math.max(lo, hi));
}

/** Coordinates to 4 decimals: what a person placed by hand, without float noise in the numbers shown. */
function round(v) {
  return Math.round(v * 1e4) / 1e4;
}
