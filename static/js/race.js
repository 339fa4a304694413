/**
 * The optimizer race on the page: its setup (2–4 contestants), the contestants' legend (which one the network
 * and the map show: click, or the keys 1–4), one loss chart with every contestant's curve, and the loss over the
 * race's fixed plane with every path, each contestant in its own colour.
 *
 *   const race = createRace({ send, isPresenter, optimizers: () => options.optimizers });
 *   race.setFrame(header.race);   // every frame: each contestant's step and losses (null: no race)
 *   race.setMessage(message);     // a `race` message: the curves, the paths on the plane, the plane's loss
 *
 * Everything drawn is what the server sent; nothing is computed here but pixels.
 */

import { drawGrid, drawLine, lossAxis } from "./losschart.js";
import { createCanvas, html, scaledMargin } from "./canvas.js";
import { drawMarkerLine } from "./axes.js";
import { fillSelect, label } from "./forms.js";
import { isTyping } from "./keyboard.js";
import { OPTIMIZER_LABELS } from "./learning.js";
import { formatCount, formatExact, formatNumber, linearScale } from "./scales.js";
import { lossRange, nearestIndex } from "./series.js";
import { createSurfaceView } from "./surface.js";

export const RACE_COLOURS = ["#0072b2", "#d55e00", "#009e73", "#cc79a7"]; // Okabe–Ito: blue, vermillion, green, purple
export const MAX_CONTESTANTS = 4;
export const MIN_CONTESTANTS = 2;
const TAKES_MOMENTUM = new Set(["momentum", "inertia", "nesterov"]);
// What a new row offers: the classic comparison first (plain descent against momentum), then Adam, then Nesterov.
export const DEFAULT_CONTESTANTS = [
  { optimizer: "sgd", lr: 0.1 },
  { optimizer: "momentum", lr: 0.03, momentum: 0.9 },
  { optimizer: "adam", lr: 0.01 },
  { optimizer: "nesterov", lr: 0.03, momentum: 0.9 },
];
const CHART_MARGIN = { top: 10, right: 16, bottom: 36, left: 56 };

/** The race_start message for the form's rows: η for every optimizer, α for those with momentum. */
export function raceStartMessage(rows, { seed = 0, resolution } = {}) {
  const contestants = rows.map(({ optimizer, lr, momentum }) => {
    const hyper = { lr };
    if (TAKES_MOMENTUM.has(optimizer)) hyper.momentum = momentum;
    return { optimizer, hyper };
  });
  const message = { type: "race_start", contestants, seed };
  if (resolution !== undefined) message.resolution = resolution;
  return message;
}

/** The contestant the keys 1–4 choose (0-based), or null. */
export function focusKey(event, count) {
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  const k = Number.parseInt(event.key, 10);
  return k >= 1 && k <= count ? k - 1 : null;
}

export function createRace({ send, isPresenter, optimizers, $ = (id) => document.getElementById(id) }) {
  const state = { active: false, focus: 0, names: [], messages: 0, curves: [], paths: [], surface: false, step: 0 };
  const rows = DEFAULT_CONTESTANTS.slice(0, 2).map((c) => ({ ...c }));
  const chart = createRaceChart($("race-chart"));
  const surface = createSurfaceView($("race-surface"));
  let contestants = [];

  // -- the setup form -----------------------------------------------------------------------------------

  function renderRows() {
    const box = $("race-rows");
    box.replaceChildren();
    rows.forEach((row, k) => {
      const line = html("div", "race-row", box);
      const swatch = html("span", "race-swatch", line);
      swatch.style.background = RACE_COLOURS[k];
      const select = html("select", null, line);
      select.setAttribute("aria-label", `Contestant ${k + 1}: optimizer`);
      fillSelect(select, Object.keys(optimizers() ?? {}).map((name) => [name, label(OPTIMIZER_LABELS, name)]));
      select.value = row.optimizer;
      select.addEventListener("change", () => {
        row.optimizer = select.value;
        renderRows();
      });
      const remove = html("button", "quiet race-remove", line, "×");
      remove.type = "button";
      remove.title = "Take this contestant out";
      remove.setAttribute("aria-label", `Take contestant ${k + 1} out`);
      remove.disabled = rows.length <= MIN_CONTESTANTS;
      remove.addEventListener("click", () => {
        rows.splice(k, 1);
        renderRows();
      });
      const settings = html("div", "race-settings", line);
      settings.append(numberInput(`Contestant ${k + 1}: learning rate η`, "η", row.lr, (v) => (row.lr = v)));
      if (TAKES_MOMENTUM.has(row.optimizer)) {
        settings.append(numberInput(`Contestant ${k + 1}: momentum α`, "α", row.momentum ?? 0.9, (v) => (row.momentum = v)));
      }
    });
    $("race-add").disabled = rows.length >= MAX_CONTESTANTS;
  }

  function numberInput(label, symbol, value, set) {
    const wrap = html("label", "race-number");
    wrap.append(`${symbol} `);
    const input = html("input", null, wrap);
    Object.assign(input, { type: "number", step: "any", min: "0", value: String(value) });
    input.setAttribute("aria-label", label);
    input.addEventListener("change", () => set(Number(input.value)));
    return wrap;
  }

  function showError(error) {
    const box = $("race-error");
    if (!error) {
      box.hidden = true;
      return;
    }
    // The server words it "field: reason"; the field says which row ("contestants[1].hyper.lr").
    const row = /^contestants\[(\d+)\]/.exec(error.field ?? "");
    const reason = String(error.message ?? "").replace(/^[\w.[\]]+: /, "");
    box.textContent = `${row ? `Contestant ${Number(row[1]) + 1}: ` : ""}${reason.charAt(0).toUpperCase()}${reason.slice(1)}`;
    box.hidden = false;
  }

  async function request(message) {
    showError(null);
    try {
      return await send(message);
    } catch (error) {
      showError(error);
      return null;
    }
  }

  $("race-add").addEventListener("click", () => {
    if (rows.length >= MAX_CONTESTANTS) return;
    rows.push({ ...DEFAULT_CONTESTANTS[rows.length] });
    renderRows();
  });
  $("race-start").addEventListener("click", () => request(raceStartMessage(rows)));
  $("race-stop").addEventListener("click", () => request({ type: "race_stop" }));
  $("race-plane-go").addEventListener("click", () => {
    const kind = $("race-plane-kind").value;
    const message = { type: "race_plane", plane: kind };
    if (kind === "endpoints") message.through = [Number($("race-through-a").value), Number($("race-through-b").value)];
    else message.seed = Math.floor(Math.random() * 1000);
    request(message);
  });
  $("race-plane-kind").addEventListener("change", () => {
    $("race-through").hidden = $("race-plane-kind").value !== "endpoints";
  });
  window.addEventListener("keydown", (event) => {
    if (!state.active || !isPresenter() || isTyping(event.target) || event.target?.tagName === "SELECT") return;
    const k = focusKey(event, contestants.length);
    if (k === null) return;
    event.preventDefault();
    request({ type: "race_focus", contestant: k });
  });

  // -- the legend: who runs, how they do, which one the other views show ---------------------------------

  function renderLegend(race) {
    const legend = $("race-legend");
    if (legend.children.length !== race.contestants.length) {
      legend.replaceChildren();
      race.contestants.forEach((c, k) => {
        const button = html("button", "race-contestant", legend);
        button.type = "button";
        button.dataset.contestant = String(k);
        html("span", "race-swatch", button).style.background = RACE_COLOURS[k];
        html("span", "race-name", button);
        html("span", "race-numbers", button);
        button.addEventListener("click", () => isPresenter() && request({ type: "race_focus", contestant: k }));
      });
    }
    race.contestants.forEach((c, k) => {
      const button = legend.children[k];
      button.setAttribute("aria-pressed", String(k === race.focus));
      button.disabled = !isPresenter();
      button.title = `${c.name}: show its network and decision map (key ${k + 1})`;
      button.querySelector(".race-name").textContent = `${k + 1}. ${c.name}`;
      const numbers = c.diverged ? `diverged at update ${formatCount(c.step)}`
        : `update ${formatCount(c.step)} · E ${formatNumber(c.train_loss, 5)}${c.test_loss === null ? "" : ` · test ${formatNumber(c.test_loss, 5)}`}`;
      button.querySelector(".race-numbers").textContent = numbers;
    });
    const through = [$("race-through-a"), $("race-through-b")];
    through.forEach((select, which) => {
      if (select.options.length === race.contestants.length) return;
      select.replaceChildren();
      race.contestants.forEach((c, k) => {
        const option = html("option", null, select, `${k + 1}. ${c.name}`);
        option.value = String(k);
      });
      select.value = String(Math.min(which, race.contestants.length - 1));
    });
  }

  function setFrame(race) {
    const active = Boolean(race);
    if (active !== state.active) {
      state.active = active;
      document.body.dataset.race = active ? "on" : "off";
      $("race-panel").hidden = !active;
      $("race-start").textContent = active ? "Start again" : "Start the race";
      $("race-stop").hidden = !active;
      if (!active) {
        chart.clear();
        surface.clear();
        contestants = [];
        state.curves = [];
        state.paths = [];
        state.surface = false;
      }
    }
    if (!race) return;
    contestants = race.contestants;
    state.focus = race.focus;
    state.step = race.step;
    state.names = race.contestants.map((c) => c.name);
    state.losses = race.contestants.map((c) => c.train_loss);
    renderLegend(race);
    $("race-step").textContent = `update ${formatCount(race.step)}`;
    const plane = race.plane ?? {};
    $("race-plane-note").textContent = [plane.description, plane.problem ? `The surface is not drawn: ${plane.problem}.` : null]
      .filter(Boolean).join(" ");
  }

  function setMessage({ header, arrays }) {
    state.messages++;
    const n = header.names.length;
    const curves = [];
    const paths = [];
    for (let k = 0; k < n; k++) {
      curves.push({ label: header.names[k], colour: RACE_COLOURS[k], steps: arrays[`loss_steps.${k}`],
        train: arrays[`loss_train.${k}`], test: arrays[`loss_test.${k}`] });
      paths.push({ label: header.names[k], colour: RACE_COLOURS[k], points: arrays[`path.${k}`],
        steps: arrays[`path_steps.${k}`], focus: k === header.focus });
    }
    state.curves = curves.map((c) => c.steps.length);
    state.paths = paths.map((p) => p.steps.length);
    chart.update(curves, header.focus);
    if (arrays.loss) {
      state.surface = true;
      surface.update({
        kind: header.plane.kind, alpha: arrays.alpha, beta: arrays.beta, loss: arrays.loss, path: new Float64Array(0),
        current: null, axes: header.plane.axes, description: "", paths,
      });
    }
  }

  renderRows();
  return { state, setFrame, setMessage, refreshOptions: renderRows };
}

/** Every contestant's training loss over updates, one line each in its colour; hover: each one's exact loss. */
function createRaceChart(container) {
  const root = html("div", "bl-race-chart", container);
  const readout = html("div", "bl-race-readout", root, "no updates yet");
  readout.setAttribute("aria-live", "off");
  const plot = createCanvas(root, "bl-race-canvas", "every contestant's training loss over updates", draw);
  let curves = [];
  let focus = 0;
  let hoverX = null;
  let frame = null;

  function draw() {
    const { ctx, width, height, scale } = plot.begin();
    const m = scaledMargin(CHART_MARGIN, scale);
    const box = { left: m.left, right: width - m.right, top: m.top, bottom: height - m.bottom };
    const all = curves.filter((c) => c.steps.length);
    if (!all.length) {
      frame = null;
      readout.textContent = "no updates yet";
      return;
    }
    const last = Math.max(...all.map((c) => c.steps[c.steps.length - 1]));
    const xDomain = last > 0 ? [0, last] : [-1, 1];
    const x = linearScale(xDomain, [box.left, box.right]);
    const positive = lossRange(all.map((c) => c.train), true);
    const log = Boolean(positive) && positive[1] / positive[0] > 1e3; // a span of 1000× reads better on a log scale
    const { y, yTicks, yStep } = lossAxis(log ? positive : lossRange(all.map((c) => c.train), false), log, box);
    drawGrid(ctx, box, x, y, xDomain, yTicks, yStep, log, scale);
    ctx.save();
    ctx.beginPath();
    ctx.rect(box.left, box.top - 2, box.right - box.left, box.bottom - box.top + 4);
    ctx.clip();
    // The one in focus last, on top.
    const order = curves.map((_, k) => k).filter((k) => k !== focus).concat(focus < curves.length ? [focus] : []);
    for (const k of order) {
      const c = curves[k];
      ctx.lineWidth = k === focus ? 3 : 2;
      drawLine(ctx, c.steps, c.train, c.steps.length, x, y, c.colour, []);
    }
    ctx.restore();
    frame = { x, y, box };
    drawHover(ctx);
  }

  function drawHover(ctx) {
    const { x, y, box } = frame;
    const inside = hoverX !== null && hoverX >= box.left && hoverX <= box.right;
    const at = inside ? x.invert(hoverX) : Infinity;
    const parts = [];
    let step = null;
    for (const c of curves) {
      if (!c.steps.length) continue;
      const k = inside ? nearestIndex(c.steps, at, c.steps.length) : c.steps.length - 1;
      step ??= c.steps[k];
      const v = c.train[k];
      parts.push(`${c.label}: ${inside ? formatExact(v) : formatNumber(v, 5)}${c.steps[k] !== step ? ` (update ${formatCount(c.steps[k])})` : ""}`);
      if (inside && Number.isFinite(v) && v > 0) {
        ctx.beginPath();
        ctx.arc(x(c.steps[k]), y(v), 4, 0, 2 * Math.PI);
        ctx.fillStyle = "#fff";
        ctx.fill();
        ctx.lineWidth = 2;
        ctx.strokeStyle = c.colour;
        ctx.stroke();
      }
    }
    if (inside && step !== null) drawMarkerLine(ctx, x(step), box, [3, 3]);
    readout.textContent = `${inside ? "" : "latest: "}update ${formatCount(step)}: training loss E of ${parts.join("; ")}`;
  }

  plot.canvas.addEventListener("pointermove", (event) => {
    hoverX = event.clientX - plot.canvas.getBoundingClientRect().left;
    draw();
  });
  plot.canvas.addEventListener("pointerleave", () => {
    hoverX = null;
    draw();
  });

  return {
    update(next, nextFocus) {
      curves = next;
      focus = nextFocus;
      draw();
    },
    clear() {
      curves = [];
      draw();
    },
  };
}
