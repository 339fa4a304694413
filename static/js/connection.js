// One WebSocket to one session: hello/welcome, replies matched to requests, automatic reconnect with backoff
// (the client id survives reconnects), and only the newest grid and surface kept, and at most FRAMES_WAITING
// frames: a fast server never queues stale pictures in the page. Loss points ride on every frame (and a `loss`
// message brings those of frames this page skipped), so they are gathered as they arrive.

import { decodeMessage, hello } from "./protocol.js";

// Close codes after which trying again cannot help (docs/protocol.md).
export const FATAL_CLOSE = {
  4404: "This session does not exist (any more). It may have ended when nobody was connected to it.",
  4403: "The server refused this page's origin.",
  4400: "The server did not understand this page's greeting.",
};

export const MAX_PENDING_LOSS = 20000;
// Frames come at the display's rate but not in step with it: two may land within one animation frame and
// none within the next. Drawing only the newest skipped one frame in ten (49 drawn of 54 received a second,
// bench/browser.py); keeping one waiting draws each, at most one animation frame late.
export const FRAMES_WAITING = 2;
// Transitions kept for tests and measurement; a page left open for days keeps only the newest.
export const MAX_TRANSITIONS = 100;

/** Delay before reconnect attempt `attempt` (0, 1, 2, ...): 0.5 s doubling to at most 8 s, with ±20 % jitter. */
export function backoff(attempt, random = Math.random) {
  const base = Math.min(8000, 500 * 2 ** attempt);
  return Math.round(base * (0.8 + 0.4 * random()));
}

/** What the page says about the connection in state `state` (detail: seconds until the next try, or 0). */
export function connectionLabel(state, detail) {
  return {
    connecting: "connecting…",
    open: "connected",
    reconnecting: detail ? `connection lost: trying again in ${Math.ceil(detail)} s` : "reconnecting…",
    closed: "not connected",
  }[state];
}

/** A random client id, e.g. "c-5f3a9b21". */
export function newClientId(random = Math.random) {
  return `c-${Math.floor(random() * 0xffffffff).toString(16).padStart(8, "0")}`;
}

/**
 * connect({url, token, client, onWelcome, onMessage, onState, onFatal, WebSocket, setTimeout, clearTimeout})
 *
 * onState(state, detail): "connecting" | "open" | "reconnecting" (detail: seconds until the next try) | "closed".
 * onWelcome(welcome): after each (re)connection. onMessage(message): every JSON message but replies to
 * request() (those settle the request's promise) and every binary one as it arrives. onArrive(): after any
 * message was read, once it is kept (the page asks for an animation frame then, not for every one).
 * Returns {request, send, takeFrame, takeNewest, takeLoss, waiting, close, state, transitions}: waiting() says
 * whether frames, a grid, surface or race message or loss points wait to be taken; transitions lists every
 * state change as {state, detail}, oldest first, so a test can see a state that its label showed only for a
 * moment.
 */
export function connect(options) {
  const {
    url, token, client,
    onWelcome = () => {}, onMessage = () => {}, onState = () => {}, onFatal = () => {}, onArrive = () => {},
    WebSocket: Socket = globalThis.WebSocket,
    setTimeout: later = globalThis.setTimeout,
    clearTimeout: cancel = globalThis.clearTimeout,
  } = options;

  let ws = null;
  let state = "connecting";
  let attempt = 0;
  let retryTimer = null;
  let stopped = false;
  let nextId = 1;
  const pending = new Map(); // id -> {resolve, reject, message}
  let frames = []; // not drawn yet, oldest first
  const newest = { grid: null, surface: null, race: null };
  const received = { frame: 0, grid: 0, surface: 0, race: 0 }; // counts, for measurement
  const transitions = [];
  // Loss points waiting to be drawn, copied out of their frames so that a hidden tab (no animation frames)
  // keeps numbers, not whole messages; past MAX_PENDING_LOSS every other point is dropped, as the chart would.
  let loss = { steps: [], train: [], test: [] };

  function setState(next, detail) {
    state = next;
    transitions.push({ state: next, detail });
    if (transitions.length > MAX_TRANSITIONS) transitions.shift();
    onState(next, detail);
  }

  function open() {
    setState(attempt === 0 ? "connecting" : "reconnecting", 0);
    const socket = new Socket(url);
    ws = socket;
    socket.binaryType = "arraybuffer";
    // Only the current socket speaks for the connection: a replaced one closing late must not reconnect again.
    socket.onopen = () => socket.send(JSON.stringify(hello(token, client)));
    socket.onmessage = (event) => {
      if (ws !== socket) return;
      receive(event.data);
      onArrive();
    };
    socket.onclose = (event) => { if (ws === socket) closed(event.code, event.reason); };
    socket.onerror = () => {}; // a close event follows; that is where we decide what to do
  }

  function receive(data) {
    let message;
    try {
      message = decodeMessage(data);
    } catch (error) {
      onMessage({ type: "error", header: { type: "error", field: "message", message: `A message from the server could not be read: ${error.message}` } });
      return;
    }
    const { type, header } = message;
    if (type in received) received[type]++;
    if (type === "frame") {
      if (header.loss_restart) loss = { steps: [], train: [], test: [], restart: true }; // cut back: from its start
      if (message.arrays.loss_steps?.length) keepLoss(message.arrays);
      frames.push(message);
      if (frames.length > FRAMES_WAITING) frames.shift();
    } else if (type === "loss") {
      // The points a skipped frame carried, sent just before the next frame (docs/protocol.md): in order.
      if (header.loss_restart) loss = { steps: [], train: [], test: [], restart: true };
      keepLoss(message.arrays);
      return;
    } else if (type === "grid" || type === "surface" || type === "race") {
      newest[type] = message;
      // A frame from before a new surface holds a point on the old one: only later frames are drawn on it.
      if (type === "surface") frames = [];
    } else if (type === "welcome") {
      frames = [];
      attempt = 0;
      setState("open");
      onWelcome(header);
      return;
    } else if ((type === "ack" || type === "error" || type === "gradcheck") && pending.has(header.id)) {
      const { resolve, reject } = pending.get(header.id);
      pending.delete(header.id);
      if (type === "error") reject(Object.assign(new Error(header.message), { field: header.field, of: header.of }));
      else resolve(header);
      if (type !== "gradcheck") return;
    }
    if (type === "data") frames = []; // new data, perhaps a new network: frames from before it are of the old
    onMessage(message);
  }

  function closed(code, reason) {
    ws = null;
    for (const { reject, message } of pending.values()) {
      reject(Object.assign(new Error("The connection was lost before the server answered; try again."), {
        field: null, of: message.type, lost: true,
      }));
    }
    pending.clear();
    if (stopped) return setState("closed");
    if (FATAL_CLOSE[code]) {
      stopped = true;
      setState("closed");
      onFatal(code, reason || FATAL_CLOSE[code]);
      return;
    }
    const delay = backoff(attempt++);
    setState("reconnecting", delay / 1000);
    retryTimer = later(() => {
      retryTimer = null;
      if (!stopped) open();
    }, delay);
  }

  /** Send a control message now if connected; returns whether it went out. */
  function send(message) {
    if (!ws || state !== "open") return false;
    ws.send(JSON.stringify(message));
    return true;
  }

  /** Send a control message with a fresh id; the promise settles with its ack (or rejects with its error). */
  function request(message) {
    const id = nextId++;
    const withId = { ...message, id };
    return new Promise((resolve, reject) => {
      if (!send(withId)) {
        reject(Object.assign(new Error("Not connected to the server right now; wait for the connection to come back."), {
          field: null, of: message.type, lost: true,
        }));
        return;
      }
      pending.set(id, { resolve, reject, message: withId });
    });
  }

  /** The oldest frame not yet drawn, or null: one per animation frame, in order. */
  function takeFrame() {
    return frames.shift() ?? null;
  }

  /** The newest message of a kind ("grid", "surface", "race") not yet taken, or null. */
  function takeNewest(kind) {
    const message = newest[kind];
    newest[kind] = null;
    return message;
  }

  function keepLoss({ loss_steps: steps, loss_train: train, loss_test: test }) {
    for (let k = 0; k < steps.length; k++) {
      loss.steps.push(steps[k]);
      loss.train.push(train[k]);
      loss.test.push(test?.[k] ?? NaN);
    }
    if (loss.steps.length > MAX_PENDING_LOSS) {
      const every = (a) => a.filter((_, k) => k % 2 === 1 || k === a.length - 1);
      loss = { steps: every(loss.steps), train: every(loss.train), test: every(loss.test), restart: loss.restart };
    }
  }

  /** The loss points of every frame received since the last call: {steps, train, test} as plain arrays, and
   * restart: true when the history was cut back (after stepping back) and these points replace all before. */
  function takeLoss() {
    if (!loss.steps.length && !loss.restart) return null;
    const out = loss;
    loss = { steps: [], train: [], test: [] };
    return out;
  }

  /** Whether anything waits to be taken (takeFrame, takeNewest, takeLoss). */
  function waiting() {
    return frames.length > 0 || Object.values(newest).some((m) => m !== null) || loss.steps.length > 0
      || Boolean(loss.restart);
  }

  function close() {
    stopped = true;
    if (retryTimer !== null) cancel(retryTimer);
    if (ws) ws.close(1000, "page closed");
    else setState("closed");
  }

  open();
  return { request, send, takeFrame, takeNewest, takeLoss, waiting, close, received, transitions, get state() { return state; } };
}
