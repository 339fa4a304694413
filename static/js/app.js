// The page's wiring: create or join a session, keep one connection to it, and draw the newest frame, grid and
// surface on requestAnimationFrame, only when something new has arrived. Every number comes from the server.

import { restyleCanvases } from "./canvas.js";
import { followingText, studentLink } from "./classroom.js";
import { connect, connectionLabel, newClientId } from "./connection.js";
import { createControls, errorTarget } from "./controls.js";
import { createExplainer } from "./explainer.js";
import { createDecisionMap } from "./heatmap.js";
import { forkedFrom, keyFor, presenterHash, rememberFork, rememberKey } from "./keys.js";
import { FOCUS_KEYS, installShortcuts, SHORTCUTS } from "./keyboard.js";
import { createLessonPlayer } from "./lesson.js";
import { createLossChart } from "./losschart.js";
import { createNetworkView } from "./network.js";
import { createNumberTables } from "./numbertable.js";
import { createOwnData } from "./owndata.js";
import { installPictureButtons } from "./picture.js";
import { createRewindControls } from "./rewind.js";
import { renderPhases } from "./phases.js";
import { createAskForm, createPoll } from "./poll.js";
import * as msg from "./protocol.js";
import { createRace } from "./race.js";
import { createRecurrentPanel } from "./recurrent.js";
import { formatCount, formatExact, formatNumber } from "./scales.js";
import { createStabilityHint } from "./stability.js";
import { announceDelay, announcement, lossSummary, mapSummary, surfaceSummary } from "./summaries.js";
import { createSurfaceView } from "./surface.js";
import { linkableConfig, parseHash, serializeHash, viewerHash } from "./urlstate.js";

const $ = (id) => document.getElementById(id);
const STORE = "backprop-lab";

// What the page knows, in one place; window.backpropLab exposes it for measurement and tests.
const state = {
  session: null,
  token: null,
  role: "loading",
  options: null,
  config: null,
  view: { show_test: true, log_scale: false },
  data: null,
  frame: null, // the newest frame drawn: {header, arrays}
  network: null, // the network view's state from that frame
  readingsStep: null, // the update whose counters, losses and words are shown (while playing, a recent one)
  surface: null,
  lastStep: -1,
  diverged: null, // the server's explanation of a diverged run, while it is shown
  ringed: null, // the training example ringed on the decision map (whose numbers are shown)
  draws: 0, // requestAnimationFrame callbacks that drew something
  animationFrames: 0, // requestAnimationFrame callbacks run: asked for only while something waits to be drawn
  drawMs: 0, // main-thread time spent in them
  framesReceived: 0,
  viewers: null, // how many pages follow without control, as the newest frame says
  connection: null,
  pictures: [], // the pictures saved from this page: {what, name, width, height, bytes, html}
};
window.backpropLab = state;

const views = {};
// Someone who asked their system for less motion gets a slow speed unless the link sets one.
const REDUCED_MOTION = window.matchMedia("(prefers-reduced-motion: reduce)");
const REDUCED_MOTION_SPEED = 1;
let controls = null;
let connection = null;
let firstWelcome = true;

// -- messages to the person ------------------------------------------------------------------------------

function showStatus(text, { kind = "error", action = null } = {}) {
  const box = $("status");
  box.dataset.kind = kind;
  // An error interrupts (alert); information and warnings wait their turn (status).
  const role = kind === "error" ? "alert" : "status";
  if (box.getAttribute("role") !== role) box.setAttribute("role", role);
  $("status-text").textContent = text;
  const button = $("status-action");
  button.hidden = !action;
  if (action) {
    button.textContent = action.label;
    button.onclick = action.run;
  }
  box.hidden = false;
}

function hideStatus() {
  $("status").hidden = true;
}

/** A diverged run is explained until it is reset or rebuilt; then the explanation goes. */
function showDiverged(message) {
  if (message === state.diverged) return;
  if (message) showStatus(message, { kind: "warning" });
  else if ($("status-text").textContent === state.diverged) hideStatus();
  state.diverged = message ?? null;
}

/** Put a server error next to the control that caused it, or in the status area. */
function showError(error, field) {
  if (error.field === "replaced") return; // the person asked again; the newer request answers
  const target = errorTarget(error.field, error.of) ?? (error.field === undefined ? field : null);
  if (target && controls?.showError(target, plain(error.message))) return;
  showStatus(plain(error.message));
}

/** The server words errors "field: reason"; people read the reason, with its first letter up. */
function plain(text) {
  const reason = String(text ?? "Something went wrong.").replace(/^[\w.[\]]+: /, "");
  return reason.charAt(0).toUpperCase() + reason.slice(1);
}

/**
 * Send a control message. Resolves with the server's reply, or with null when it was refused: the refusal is
 * then already shown, next to `field`'s control (or in the status area), so callers need not handle it.
 */
function act(message, field) {
  if (state.role !== "controller") {
    showStatus("You are following the presenter's session: only the presenter can change it.", { kind: "info" });
    return Promise.resolve(null);
  }
  if (field) controls.clearError(field);
  return connection.request(message).catch((error) => {
    showError(error, field);
    // The control shows what the person chose; put it back to what is in force.
    if ((message.type === "configure" || message.type === "set") && state.config) controls.revert(state.config);
    return null;
  });
}

// -- the URL ---------------------------------------------------------------------------------------------

function writeHash() {
  if (state.role === "viewer") {
    // A viewer's link is the session's, and the presenter view if a projector shows this page.
    const view = state.view.presenter_view ? { presenter_view: true } : {};
    history.replaceState(null, "", serializeHash({ session: state.session, view }));
    return;
  }
  const takes = state.options?.optimizers?.[state.config?.optimizer]?.settings;
  const config = state.config ? linkableConfig(state.config, takes) : {};
  if (config.preset) {
    // A worked example fixes its own model and data: the preset's name is the setup, with the optimizer and
    // its settings (another optimizer on the curve, the trough or the bowl is the point of those examples).
    for (const key of Object.keys(config)) if (!["preset", "optimizer", "hyper"].includes(key)) delete config[key];
  }
  const hash = serializeHash({ session: state.session, config, view: state.view });
  if (hash !== location.hash) history.replaceState(null, "", hash || location.pathname);
}

function onView(change) {
  Object.assign(state.view, change);
  for (const [key, value] of Object.entries(change)) if (value === undefined) delete state.view[key];
  if ("show_test" in change) views.map.showTest(state.view.show_test !== false);
  if ("log_scale" in change) views.loss.setLogScale(Boolean(state.view.log_scale));
  writeHash();
}

// -- sessions --------------------------------------------------------------------------------------------

async function fetchJSON(url, init) {
  const response = await fetch(url, init);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw Object.assign(new Error(body.message ?? `${url}: ${response.status}`), body);
  return body;
}

async function createSession(config) {
  const body = JSON.stringify({ config });
  const created = await fetchJSON("/api/sessions", {
    method: "POST", headers: { "content-type": "application/json" }, body,
  });
  rememberKey(localStorage, created.session, created.token);
  return created;
}

function clientId() {
  let id = sessionStorage.getItem(`${STORE}:client`);
  if (!id) {
    id = newClientId();
    sessionStorage.setItem(`${STORE}:client`, id);
  }
  return id;
}

/** Ask for the options and a new session before the views are built: the round trips overlap building them
 * (they began 130 ms after the modules had loaded, bench/browser.py's first drawn frame). Neither depends on
 * the other: one round trip, not two. */
function askEarly() {
  const link = parseHash(location.hash);
  state.linkConfig = link.config;
  return { link, options: fetchJSON("/api/options"), own: link.session ? null : startOwnSession(link.config) };
}

async function start({ link, options, own }) {
  Object.assign(state.view, link.view);
  if (link.problems.length) showStatus(`Some settings in the link were not understood: ${link.problems.join("; ")}.`, { kind: "warning" });
  try {
    state.options = await options;
  } catch (error) {
    showStatus(`The server did not answer (${error.message}). Is it running? Reload the page to try again.`);
    return;
  }
  controls.setOptions(state.options);
  views.race.refreshOptions();
  if (link.session) {
    state.session = link.session;
    if (link.key) {
      // A presenter link: keep its secret in this browser and take it out of the address bar at once, so
      // that a screenshot, the history or a link copied from here does not carry it.
      rememberKey(localStorage, link.session, link.key);
      history.replaceState(null, "", serializeHash({ session: link.session, config: link.config, view: link.view }));
    }
    state.token = keyFor(localStorage, link.session);
    state.forkedFrom = forkedFrom(localStorage, link.session);
  } else {
    await own;
  }
  if (state.session) open();
}

async function startOwnSession(config) {
  try {
    const created = await createSession(config);
    state.session = created.session;
    state.token = created.token;
  } catch (error) {
    if (error.field && Object.keys(config).length) {
      showStatus(`The link's ${error.field} was refused (${plain(error.message)}); starting with the usual settings instead.`, { kind: "warning" });
      return startOwnSession({});
    }
    showStatus(`Could not start a session: ${plain(error.message)}`);
    return;
  }
  state.linkConfig = {};
  writeHash();
}

function open() {
  $("loss-csv").href = `/api/sessions/${encodeURIComponent(state.session)}/loss.csv`;
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  connection = connect({
    url: `${scheme}://${location.host}/ws/${encodeURIComponent(state.session)}`,
    token: state.token,
    client: clientId(),
    onState: showConnection,
    onWelcome: welcome,
    onMessage: receive,
    onFatal: lost,
    onArrive: requestDraw,
  });
  state.connection = connection;
}

function showConnection(connectionState, detail) {
  const indicator = $("connection");
  indicator.dataset.state = connectionState;
  indicator.textContent = connectionLabel(connectionState, detail);
}

/** Hidden (another tab, a minimised window), the page draws nothing: the server then sends it no pictures
 * until it is shown again, and then the newest at once. A connection starts as shown. */
function tellVisibility() {
  connection?.request(msg.visibility(document.hidden)).catch((error) => {
    if (!error.lost) console.error("visibility:", error.message); // lost: the next welcome says it again
  });
}
document.addEventListener("visibilitychange", tellVisibility);

function welcome(w) {
  if (document.hidden) tellVisibility();
  state.freshConnection = true;
  state.role = w.role;
  document.body.dataset.role = w.role;
  controls.setRole(w.role);
  $("role").textContent = w.role !== "controller"
    ? "Following the presenter's session: you see what they do; the controls are theirs."
    : state.forkedFrom
      ? "Exploring on your own: a copy of the class's session, yours to change. The class goes on without you."
      : "You are presenting."; // how many follow, and how they join, are beside it
  $("explore").hidden = w.role === "controller";
  $("back-to-class").hidden = !state.forkedFrom;
  // A student's own copy is theirs alone: no links to hand out from it.
  $("presenter-link").hidden = w.role !== "controller" || Boolean(state.forkedFrom);
  $("share").hidden = Boolean(state.forkedFrom);
  setConfig(w.config);
  controls.setPlaying(Boolean(w.playing));
  if (w.status) showStatus(w.status, { kind: "warning" });
  else if (!firstWelcome && state.server && w.server !== state.server) {
    showStatus(`The server restarted. This session was kept: it is back where it was, paused${w.role === "controller" ? "; press Play to go on" : ""}.`, { kind: "info" });
  }
  state.server = w.server;
  if (firstWelcome && w.role === "controller") {
    applyLink();
    views.lessons.load().then(() => views.lessons.resume());
  }
  firstWelcome = false;
  writeHash();
}

/** The first time a presenter's page connects: bring the session to what the link asks for. */
function applyLink() {
  const wanted = state.linkConfig ?? {};
  const differs = Object.entries(wanted).filter(([key, value]) => key !== "hyper"
    && JSON.stringify(value) !== JSON.stringify(state.config[key]));
  const hyper = Object.entries(wanted.hyper ?? {}).filter(([key, value]) => state.config.hyper?.[key] !== value);
  if (differs.length || hyper.length) {
    const fields = Object.fromEntries(differs);
    if (hyper.length) fields.hyper = Object.fromEntries(hyper);
    act(msg.configure(fields));
  }
  if (state.view.speed !== undefined) act(msg.speed(state.view.speed), "speed");
  else if (REDUCED_MOTION.matches) act(msg.speed(REDUCED_MOTION_SPEED), "speed");
  const kind = state.view.surface;
  if (kind && kind !== "none") {
    controls.setSurfaceKind(kind, state.view.surface_params ?? []);
    if (kind !== "weights" || (state.view.surface_params ?? []).length === 2) {
      act(msg.surface({ kind, params: kind === "weights" ? state.view.surface_params : undefined }), "surface");
    }
  } else if (state.view.surface_params) {
    controls.setSurfaceKind("none", state.view.surface_params);
  }
}

function setConfig(config) {
  state.config = structuredClone(config);
  controls.setConfig(state.config);
  views.stability.setConfig(state.config);
}

function lost(code, reason) {
  const mine = Boolean(state.token);
  // The server says why in the close reason (removed after days unused, or to make room); else the usual words.
  const message = code === 4404
    ? (reason ? `${reason.charAt(0).toUpperCase()}${reason.slice(1)}.` : "This session does not exist (any more).")
    : reason;
  showStatus(message, {
    action: {
      label: mine ? "Start again with the same setup" : "Start my own session with this setup",
      run: () => {
        const link = parseHash(location.hash);
        history.replaceState(null, "", serializeHash({ config: link.config, view: link.view }) || location.pathname);
        location.reload();
      },
    },
  });
}

function receive(message) {
  const { type, header } = message;
  if (type === "data") {
    // Sent after every (re)connection, and after every reconfiguration: the loss history comes again from
    // its start either way. Only a reconfiguration drops the surface (the server clears it then).
    // A drawn point changes the data under the same network: the surface stays (the server recomputes it).
    const reconfigured = state.data !== null && !state.freshConnection && !header.edit;
    state.freshConnection = false;
    state.data = header;
    document.body.dataset.model = header.model ?? "mlp"; // the recurrent network shows its own panel (rnn.css)
    views.rnn.setData(header);
    if (header.config) setConfig(header.config);
    controls.setData(header);
    views.map.setPoints({ train: header.train, test: header.test, classes: header.classes, kind: header.kind });
    views.own.setData(header);
    connection.takeLoss();
    views.loss.clear();
    state.lastStep = -1;
    // A worked example with other than two inputs has no plane to map: say so instead of an empty plot.
    $("map-view").hidden = !header.domain;
    document.querySelector('[data-picture="decision-map"]').hidden = !header.domain; // nothing drawn to save
    $("map-note").textContent = header.domain ? "" : "This example has no 2-D input plane to map.";
    if (reconfigured) {
      views.surface.clear();
      state.surface = null;
      controls.setSurfaceKind("none");
      delete state.view.surface;
    }
    writeHash();
  } else if (type === "status") {
    controls.setPlaying(Boolean(header.playing));
    if (header.message && header.message !== state.diverged) showStatus(header.message, { kind: "warning" });
  } else if (type === "error") {
    showError(header);
  } else if (type === "question") {
    views.poll.question(header.question);
  } else if (type === "tally") {
    views.poll.tally(header);
  } else if (type === "reveal") {
    views.poll.reveal(header);
  } else if (type === "lesson") {
    views.lessons.follow(header); // the presenter's step, on a page that plays no lesson itself
  }
}

// -- drawing, once per animation frame, only when something new arrived -----------------------------------

// While playing, what a person reads (the counters, the losses, the loss curve, the panels' figures) changes
// at most READINGS_HZ times a second; what moves (the network's colours, the descent path) at the display's
// rate. Numbers rewritten sixty times a second cannot be read, and repainting them took 18 % of Chromium's time
// per drawn frame (17.5 → 14.4 ms, an interleaved A/B while training at full speed), on two cores it shares
// with the server. Paused or stepping, everything is shown at once.
const READINGS_HZ = 10;
const readings = { at: -Infinity, due: false }; // when they were last shown; whether a newer frame awaits them

// An animation frame is asked for only while something waits to be drawn. A page that asked for every one,
// paused and with nothing new, kept Chromium at 0.08 of a core (bench/browser.py, idle pages): on a classroom
// laptop, battery, and on two cores, time the server's training did not get.
let drawAsked = false;
function requestDraw() {
  if (drawAsked) return;
  drawAsked = true;
  requestAnimationFrame(draw);
}

function draw() {
  drawAsked = false;
  state.animationFrames++;
  if (!connection) return;
  drawArrived();
  // Frames waiting (two may land in one animation frame), or readings held back until their time while playing.
  if (connection.waiting() || readings.due) requestDraw();
}

function drawArrived() {
  const frame = connection.takeFrame();
  const grid = connection.takeNewest("grid");
  const surface = connection.takeNewest("surface");
  const race = connection.takeNewest("race");
  const now = performance.now();
  const playing = Boolean((frame ?? state.frame)?.header.playing);
  const readNow = !playing || now - readings.at >= 1000 / READINGS_HZ;
  const loss = readNow ? connection.takeLoss() : null; // until then its points wait in the connection
  readings.due ||= Boolean(frame);
  const reading = readNow && readings.due;
  if (!frame && !grid && !surface && !loss && !race && !reading) return;
  state.draws++;
  if (frame) drawFrame(frame);
  if (reading) {
    showReadings(state.frame);
    readings.at = now;
    readings.due = false;
  }
  if (loss) drawLoss(loss);
  if (grid) {
    const h = grid.header;
    views.map.update({ resolution: h.resolution, domain: h.domain, values: grid.arrays.values, classes: h.classes, outputRange: h.output_range });
  }
  if (surface) drawSurface(surface);
  if (race) views.race.setMessage(race);
  if ((frame || surface) && state.frame) summarise(state.frame.header, state.frame.arrays);
  if (frame && state.surface && frame.arrays.surface_point) {
    views.surface.setPoint(frame.arrays.surface_point, frame.arrays.surface_descent);
  } else if (frame && state.surface && state.role === "viewer") {
    // The presenter switched the surface off: frames stop carrying its point (no message says so).
    views.surface.clear();
    state.surface = null;
    controls.setSurfaceKind("none");
  }
  state.drawMs += performance.now() - now;
}

/** What moves with every frame: the network (or the recurrent network's panel, readings and all). */
function drawFrame(frame) {
  const h = frame.header;
  state.frame = frame;
  state.framesReceived++;
  if (h.step < state.lastStep) views.loss.clear(); // a reset: the curve starts again
  state.lastStep = h.step;
  if (h.model === "rnn") {
    drawRecurrentFrame(frame);
    return;
  }
  state.network = { ...msg.networkState(frame), picked: controls.picked, names: state.data?.names };
  views.network.update(state.network);
}

/** What a person reads off a frame: its counters, losses and words, and the panels that follow it. */
function showReadings(frame) {
  const h = frame.header;
  state.readingsStep = h.step; // the update the readings show, for tests and measurement
  views.race.setFrame(h.race ?? null); // the race's contestants, when one runs
  if (h.model === "rnn") return; // its panel showed its readings with its frame
  views.numbers.update(state.network, { playing: Boolean(h.playing) });
  views.explainer.update(h.explain ?? null);
  // The example whose numbers are shown, ringed on the map: the chosen one, or the explainer's.
  views.map.setSelected(h.selection ?? h.explain?.example?.index ?? null);
  state.ringed = views.map.selected;
  showWhichWeights(h);
  controls.setFrame(h);
  views.stability.update(h.stability);
  views.rewind.setFrame(h);
  views.lessons.onFrame(h);
  if (state.config && h.hyper) state.config.hyper = { ...state.config.hyper, ...h.hyper };
  renderPhases($("phase-indicator"), h.sizes, h.phase, h.step);
  setText("readout-step", formatCount(h.step));
  setText("readout-epoch", formatNumber(h.epoch, 3));
  // Paused, the losses get every digit a person checks against a textbook; playing, a readable few.
  const loss = h.playing ? (v) => formatNumber(v, 5) : formatExact;
  setText("readout-batch-loss", loss(h.batch_loss));
  setText("readout-train-loss", loss(h.train_loss));
  setText("readout-test-loss", formatNumber(h.test_loss, 5));
  showDiverged(h.diverged);
  showFollowing(h.viewers);
  if (h.hyper && state.role === "controller") scheduleHash();
  speak(announcement({ phase: h.phase, step: h.step, batchLoss: h.batch_loss }), Boolean(h.playing));
}

// -- what a screen reader hears: a polite live region and each canvas's one-line summary -------------------

const spoken = { text: "", at: -Infinity, timer: null, pending: "" };
/** Say `text` in the live region: after a short quiet spell when stepping, every 10 s at most while playing. */
function speak(text, playing) {
  if (text === spoken.pending || text === spoken.text) return;
  spoken.pending = text;
  clearTimeout(spoken.timer);
  const delay = announceDelay({ now: performance.now(), lastSaid: spoken.at, playing });
  spoken.timer = setTimeout(() => {
    spoken.text = spoken.pending;
    spoken.at = performance.now();
    $("announcer").textContent = spoken.text;
  }, delay);
}

const summaries = { at: -Infinity, before: null };
/** The canvases' names follow the numbers, at most once a second (a name is read when the canvas is reached). */
function summarise(h, arrays) {
  const now = performance.now();
  if (h.playing && now - summaries.at < 1000) return;
  summaries.at = now;
  if (!summaries.before || h.step < summaries.before.step) summaries.before = { step: h.step, loss: h.train_loss };
  setLabel("#loss-view canvas", lossSummary({ step: h.step, trainLoss: h.train_loss, testLoss: h.test_loss, before: summaries.before }));
  // The trend compares with the loss at least 10 updates back (or at the first frame).
  if (h.step - summaries.before.step >= 10) summaries.before = { step: h.step, loss: h.train_loss };
  if (state.data) {
    setLabel("#map-view canvas", mapSummary({
      nTrain: state.data.n_train ?? state.data.train?.x?.length ?? 0, nTest: state.data.n_test ?? state.data.test?.x?.length ?? 0,
      showTest: state.view.show_test !== false, classification: state.data.kind === "classification",
    }));
  }
  const point = state.surface && arrays.surface_point ? Array.from(arrays.surface_point) : null;
  setLabel("#surface-view canvas", surfaceSummary({
    kind: state.surface ? controls.surfaceKind : "none", axes: state.surface?.header.axes ?? [], point,
  }));
}

function setLabel(selector, text) {
  const el = document.querySelector(selector);
  if (el && el.getAttribute("aria-label") !== text) el.setAttribute("aria-label", text);
}

/** The recurrent network's frame: its unrolled view, sample and readouts (the MLP's views are hidden). */
function drawRecurrentFrame(frame) {
  const h = frame.header;
  if (!state.data || state.data.model !== "rnn") return; // its data message comes first; wait for it
  views.rnn.setFrame(frame, $("phase-indicator"));
  controls.setFrame(h);
  views.stability.update(h.stability);
  if (state.config && h.hyper) state.config.hyper = { ...state.config.hyper, ...h.hyper };
  setText("rnn-readout-step", formatCount(h.step));
  const loss = h.playing ? (v) => formatNumber(v, 5) : formatExact;
  setText("rnn-readout-window", loss(h.batch_loss));
  setText("rnn-readout-now", loss(h.train_loss));
  setText("rnn-readout-pass", formatNumber(h.test_loss, 5));
  showDiverged(h.diverged);
  if (h.hyper && state.role === "controller") scheduleHash();
}

/**
 * Before and after, in plain words (docs/protocol.md, "Before and after"): which weights the forward values, δ
 * and gradients belong to, and which the two losses were measured at.
 */
function showWhichWeights(h) {
  const shown = h.shown ?? { update: h.step + 1, status: "next" };
  const n = formatCount(shown.update);
  // Playing fast, the losses are the newest point logged (once an epoch), which may be some updates back; the
  // loss chart says which. Playing, the words stay put: the update's number is beside them, in the counter.
  const exact = (h.losses_step ?? h.step) === h.step;
  const logged = "E on the training set (newest logged)";
  const single = h.batch_count === 1 ? "" : ` (${h.selection === null ? "the batch mean" : `example ${h.selection}`})`;
  let note;
  if (shown.status === "done" && h.playing) {
    note = `Training: each picture is the newest update made. Forward values, δ and ∂E/∂w${single}: at the weights before it; connections: old → new in their tooltip.`;
    setText("readout-batch-loss-label", "E before it (its batch)");
    setText("readout-train-loss-label", exact ? "E after it (training set)" : logged);
  } else if (shown.status === "done") {
    note = `Update ${n} done. Forward values, δ and ∂E/∂w${single}: at the weights before it. Connections: old → new in their tooltip.`;
    setText("readout-batch-loss-label", `E before update ${n} (its batch)`);
    setText("readout-train-loss-label", exact ? `E after update ${n} (training set)` : logged);
  } else if (shown.status === "under way") {
    note = `Update ${n} under way: forward values, δ and ∂E/∂w${single} at the weights it started from.`;
    setText("readout-batch-loss-label", `E before update ${n} (its batch)`);
    setText("readout-train-loss-label", exact ? "E now (training set)" : logged);
  } else {
    note = h.playing
      ? "Training: the numbers are the current weights' on the next batch."
      : `At rest: forward values, δ and ∂E/∂w${single} are the next update's (update ${n}), at the current weights on the batch it will use.`;
    setText("readout-batch-loss-label", "E now (next batch)");
    setText("readout-train-loss-label", exact ? "E now (training set)" : logged);
  }
  if (h.selection !== null && h.selection !== undefined && !h.selection_in_batch) {
    note += ` Example ${h.selection} is not in this update's batch: it is shown on its own at the same weights; the update used the batch.`;
  }
  setText("numbers-note", note);
}

/** The presenter sees how many students follow (frames carry the count). */
function showFollowing(viewers) {
  if (viewers === state.viewers) return;
  state.viewers = viewers;
  const el = $("following");
  el.hidden = state.role !== "controller";
  el.dataset.count = String(viewers ?? 0);
  el.textContent = followingText(viewers);
}

function setText(id, text) {
  const el = $(id);
  if (el.textContent !== text) el.textContent = text;
}

function drawLoss({ steps, train, test, restart }) {
  if (restart) views.loss.clear(); // stepped back: the points after this update are gone
  views.loss.append(steps, train, test);
}

function drawSurface(surface) {
  state.surface = surface;
  const h = surface.header;
  const kind = SURFACE_KINDS[h.kind] ?? h.kind;
  // A slice chosen elsewhere (the presenter's page, or a worked example opening on its own view): show it.
  if (state.role === "viewer" || controls.surfaceKind !== kind) {
    controls.setSurfaceKind(kind, h.params?.length ? h.params : undefined);
  }
  if (h.waiting) { // chosen, not drawable yet: the trajectory plane before the path has two points
    state.surface = null;
    views.surface.wait(h.description);
    return;
  }
  // The page asked for a slice by its own name ("curve" is the engine's "line" through the curve's x).
  const shown = controls.surfaceKind === "curve" ? "curve" : kind;
  views.surface.update({
    ...h, ...surface.arrays, kind: shown, description: [h.description, h.caveat].filter(Boolean).join(" "),
  });
}

// The engine's names for the slices, mapped back to the choices on the page.
const SURFACE_KINDS = { parameters: "weights", random: "random", pca: "trajectory", line: "curve" };

let hashTimer = null;
function scheduleHash() {
  // Hyperparameters move while a slider is dragged: write the URL a moment after they settle.
  clearTimeout(hashTimer);
  hashTimer = setTimeout(writeHash, 250);
}

// -- the page's own buttons -------------------------------------------------------------------------------

/** The viewer link students can open: with the machine's network address when this page is on localhost. */
function viewerLink() {
  const hash = viewerHash(state.session);
  const { link, advice } = studentLink(location, state.options?.network, hash);
  return { link: link ?? `${location.origin}${location.pathname}${hash}`, reachable: Boolean(link), advice };
}

function share() {
  const { link, advice } = viewerLink();
  const done = () => showStatus(`Viewer link copied: ${link}${advice ? ` (${advice})` : ""}`, { kind: advice ? "warning" : "info" });
  if (navigator.clipboard?.writeText) {
    navigator.clipboard.writeText(link).then(done, () => showStatus(`Copy this viewer link: ${link}`, { kind: "info" }));
  } else {
    showStatus(`Copy this viewer link: ${link}`, { kind: "info" });
  }
  state.shareLink = link;
}

// -- the lecture hall: presenter view and the join code ---------------------------------------------------

/** Presenter view: the four drawings fill one screen, their text at the stylesheet's --bl-text-scale. */
function setPresenterView(on, { write = true } = {}) {
  document.body.classList.toggle("presenter", on);
  $("presenter-view").setAttribute("aria-pressed", String(on));
  views.network.setFill(on);
  restyleCanvases();
  if (write) onView({ presenter_view: on || undefined });
}

/** The link and its QR code, large, for the projector; or, when students cannot reach this server, why. */
async function showJoinCode() {
  const dialog = $("join-dialog");
  const { link, reachable, advice } = viewerLink();
  const anchor = $("join-link");
  anchor.href = link;
  anchor.textContent = link;
  $("join-advice").hidden = !advice;
  $("join-advice").textContent = advice ?? "";
  const qr = $("join-qr");
  qr.replaceChildren();
  qr.dataset.state = "loading";
  if (!dialog.open) dialog.showModal();
  state.joinLink = link;
  if (!reachable) {
    qr.dataset.state = "unreachable"; // a code for an address students cannot reach would only mislead
    return;
  }
  try {
    const response = await fetch(`/api/qr?url=${encodeURIComponent(link)}`);
    if (!response.ok) throw new Error((await response.json().catch(() => ({}))).message ?? String(response.status));
    const svg = new DOMParser().parseFromString(await response.text(), "image/svg+xml").documentElement;
    qr.replaceChildren(document.importNode(svg, true));
    qr.dataset.state = "shown";
  } catch (error) {
    qr.dataset.state = "failed";
    $("join-advice").hidden = false;
    $("join-advice").textContent = `The join code could not be made: ${plain(error.message)}`;
  }
}

function copyJoinLink() {
  const link = state.joinLink;
  navigator.clipboard?.writeText(link).then(
    () => ($("join-copy").textContent = "Copied"),
    () => ($("join-copy").textContent = "Select the link to copy it"),
  );
}

/** A link for the presenter's other devices (the projector's machine, a tablet): it carries the secret. */
function copyPresenterLink() {
  const link = `${location.origin}${location.pathname}${presenterHash(state.session, state.token)}`;
  const warning = "Anyone with this link controls the session: open it only on your own devices.";
  // Copied, the link is not shown: the page may be on the projector, and the link is the secret.
  const copied = () => showStatus(`Presenter link copied to the clipboard. ${warning}`, { kind: "info" });
  const shown = () => showStatus(`Copy this presenter link: ${link} — ${warning}`, { kind: "info" });
  state.presenterLink = link;
  if (navigator.clipboard?.writeText) navigator.clipboard.writeText(link).then(copied, shown);
  else shown();
}

/** A private copy of the class's session as it is now; this page becomes its presenter. */
async function explore() {
  const original = state.session;
  try {
    const fork = await fetchJSON(`/api/sessions/${encodeURIComponent(original)}/fork`, { method: "POST" });
    rememberKey(localStorage, fork.session, fork.token);
    rememberFork(localStorage, fork.session, state.forkedFrom ?? original);
    location.hash = viewerHash(fork.session); // the hashchange reloads the page on the new session
  } catch (error) {
    showStatus(`Could not make your own copy: ${plain(error.message)}`);
  }
}

function backToClass() {
  if (state.forkedFrom) location.hash = viewerHash(state.forkedFrom);
}

function listShortcuts() {
  const items = (list) => list.flatMap((s) => {
    const dt = document.createElement("dt");
    const kbd = document.createElement("kbd");
    kbd.textContent = s.label;
    dt.append(kbd);
    const dd = document.createElement("dd");
    dd.textContent = s.description;
    return [dt, dd];
  });
  $("shortcuts").replaceChildren(...items(SHORTCUTS));
  $("focus-keys").replaceChildren(...items(FOCUS_KEYS));
  const toggle = $("shortcuts-on");
  toggle.checked = localStorage.getItem(`${STORE}:shortcuts`) !== "off";
  const apply = () => {
    shortcutsOn = toggle.checked;
    localStorage.setItem(`${STORE}:shortcuts`, shortcutsOn ? "on" : "off");
    $("shortcuts").classList.toggle("off", !shortcutsOn);
    // Buttons say which key presses them, while the keys are on.
    for (const s of SHORTCUTS) {
      const button = document.querySelector(`[data-action="${s.action}"]`) ?? (s.action === "back" ? $("back") : null);
      if (!button) continue;
      if (shortcutsOn) button.setAttribute("aria-keyshortcuts", s.keys.join(" ").replace("KeyR", "R"));
      else button.removeAttribute("aria-keyshortcuts");
    }
  };
  toggle.addEventListener("change", apply);
  apply();
}
let shortcutsOn = true;

function init() {
  controls = createControls(document, {
    act,
    onView,
    onSurface: (kind) => {
      if (!kind) {
        views.surface.clear();
        state.surface = null;
      }
    },
    names: () => state.data?.names,
  });
  // No onHover: the view shows the exact numbers in its own tooltip. A click explains the element (for every
  // page of the session); with the "two weights" slice chosen, a click on a connection also makes it an axis.
  views.network = createNetworkView($("network-view"), {
    onPick: (param) => controls.surfaceKind === "weights" && controls.pick(param),
    onSelect: (target) => state.role === "controller" && act(msg.explain(target), "explain"),
  });
  views.explainer = createExplainer($("explain-panel"), {
    onClose: () => {
      if (state.role === "controller") act(msg.explain(null), "explain");
      else $("explain-panel").hidden = true; // a viewer closes only their own view of it
    },
  });
  views.numbers = createNumberTables($("numbers-box"));
  views.map = createDecisionMap($("map-view"));
  views.own = createOwnData(document, {
    map: views.map, act, showStatus, plain, isPresenter: () => state.role === "controller",
    session: () => ({ id: state.session, token: state.token }),
  });
  state.own = views.own.state;
  views.loss = createLossChart($("loss-view"));
  views.surface = createSurfaceView($("surface-view"));
  views.rnn = createRecurrentPanel({ act });
  views.race = createRace({
    send: (message) => (state.role === "controller" ? connection.request(message)
      : Promise.reject(Object.assign(new Error("type: only the presenter can run a race"), { field: "type" }))),
    isPresenter: () => state.role === "controller",
    optimizers: () => state.options?.optimizers,
  });
  state.race = views.race.state;
  views.rewind = createRewindControls(document, { act, controls: () => state.role === "controller" });
  views.stability = createStabilityHint(document, { act });
  views.poll = createPoll($("question-panel"), {
    answer: (message) => connection.request(message).catch((error) => (showStatus(plain(error.message)), null)),
    reveal: () => act({ type: "reveal" }),
    isPresenter: () => state.role === "controller",
  });
  views.lessons = createLessonPlayer({
    list: $("lesson-list"), panel: $("lesson-panel"), fetchJSON, act, status: (text) => showStatus(text),
  });
  createAskForm($("ask-form"), { act, element: () => state.frame?.header?.explain?.element ?? null });
  state.poll = views.poll.state;
  state.lesson = views.lessons.state;
  state.surfaceStats = views.surface.stats; // how often the surface's picture was painted, against frames drawn
  views.map.showTest(state.view.show_test !== false);
  views.loss.setLogScale(Boolean(state.view.log_scale));
  $("show-test").checked = state.view.show_test !== false;
  $("log-scale").checked = Boolean(state.view.log_scale);
  $("share").addEventListener("click", share);
  $("presenter-view").addEventListener("click", () => setPresenterView(!document.body.classList.contains("presenter")));
  $("join").addEventListener("click", showJoinCode);
  $("join-copy").addEventListener("click", copyJoinLink);
  $("join-close").addEventListener("click", () => $("join-dialog").close());
  $("join-dialog").addEventListener("close", () => ($("join-copy").textContent = "Copy the link"));
  $("presenter-link").addEventListener("click", copyPresenterLink);
  $("explore").addEventListener("click", explore);
  $("back-to-class").addEventListener("click", backToClass);
  $("status-close").addEventListener("click", hideStatus);
  installPictureButtons(document, {
    step: () => state.frame?.header?.step ?? 0,
    saved: (picture) => {
      state.pictures.push(picture);
      if (!picture.html) showStatus("This browser saved the drawing without the legend around it.", { kind: "info" });
    },
    failed: (error) => showStatus(`Could not save the picture: ${plain(error.message)}`),
  });
  listShortcuts();
  installShortcuts(window, {
    togglePlay: () => state.role === "controller" && controls.togglePlay(),
    step: () => state.role === "controller" && act(msg.step()),
    back: () => state.role === "controller" && views.rewind.back(),
    phase: () => state.role === "controller" && act(msg.phase()),
    reset: () => state.role === "controller" && act(msg.reset()),
    presenterView: () => setPresenterView(!document.body.classList.contains("presenter")),
    joinCode: () => state.session && showJoinCode(),
  }, { enabled: () => shortcutsOn });
  if (state.view.presenter_view) setPresenterView(true, { write: false }); // the link asked for it
  window.addEventListener("hashchange", () => {
    // A link pasted into the address bar: a different session or setup means starting over from it.
    location.reload();
  });
  start(early);
}

Object.assign(state.view, parseHash(location.hash).view);
const early = askEarly();
init();
