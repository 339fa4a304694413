import assert from "node:assert/strict";
import { test } from "node:test";

import { backoff, connect, connectionLabel, FRAMES_WAITING, MAX_TRANSITIONS, newClientId } from "../../static/js/connection.js";
import { encodeBinary } from "../../static/js/protocol.js";

// A stand-in for the browser's WebSocket: records what the page sends, lets the test play the server.
function fakeSockets() {
  const sockets = [];
  class FakeSocket {
    constructor(url) {
      this.url = url;
      this.sent = [];
      sockets.push(this);
    }
    send(text) { this.sent.push(JSON.parse(text)); }
    close(code = 1000) { this.onclose?.({ code, reason: "" }); }
    serverOpen() { this.onopen?.(); }
    serverSends(data) { this.onmessage?.({ data: typeof data === "string" || data instanceof ArrayBuffer ? data : JSON.stringify(data) }); }
    serverCloses(code) { this.onclose?.({ code, reason: "" }); }
  }
  return { sockets, FakeSocket };
}

function fakeTimers() {
  const timers = [];
  return {
    timers,
    setTimeout: (f, ms) => { timers.push({ f, ms }); return timers.length; },
    clearTimeout: () => {},
    fire() { const t = timers.shift(); t.f(); return t.ms; },
  };
}

function frame(step, lossSteps = []) {
  return encodeBinary({ type: "frame", step, sizes: [2, 1] }, {
    loss_steps: { dtype: "f8", shape: [lossSteps.length], data: lossSteps },
    loss_train: { dtype: "f8", shape: [lossSteps.length], data: lossSteps.map((s) => 1 / (s + 1)) },
    loss_test: { dtype: "f8", shape: [lossSteps.length], data: lossSteps.map((s) => 2 / (s + 1)) },
  });
}

function opened(extra = {}) {
  const { sockets, FakeSocket } = fakeSockets();
  const timers = fakeTimers();
  const states = [];
  const welcomes = [];
  const messages = [];
  const conn = connect({
    url: "ws://x/ws/s1", token: "tok", client: "c-1", WebSocket: FakeSocket, ...timers,
    onState: (s) => states.push(s), onWelcome: (w) => welcomes.push(w), onMessage: (m) => messages.push(m), ...extra,
  });
  sockets[0].serverOpen();
  sockets[0].serverSends({ type: "welcome", role: "controller", session: "s1" });
  return { conn, sockets, timers, states, welcomes, messages };
}

test("the first message is hello with the token and the client id", () => {
  const { sockets, states, welcomes } = opened();
  assert.deepEqual(sockets[0].sent[0], { type: "hello", token: "tok", client: "c-1" });
  assert.equal(sockets[0].binaryType, "arraybuffer");
  assert.deepEqual(states, ["connecting", "open"]);
  assert.equal(welcomes[0].role, "controller");
});

test("the two newest frames wait, drawn in order, and the loss points of every frame are kept", () => {
  const { conn, sockets } = opened();
  sockets[0].serverSends(frame(1, [1]));
  sockets[0].serverSends(frame(2, [2]));
  sockets[0].serverSends(frame(3, []));
  assert.equal(FRAMES_WAITING, 2);
  assert.equal(conn.takeFrame().header.step, 2, "the oldest of those waiting first");
  assert.equal(conn.takeFrame().header.step, 3);
  assert.equal(conn.takeFrame(), null, "a frame is drawn once");
  assert.deepEqual(conn.takeLoss(), { steps: [1, 2], train: [1 / 2, 1 / 3], test: [2 / 2, 2 / 3] });
  assert.equal(conn.takeLoss(), null);
});

test("a request settles with its own ack or error, and other messages pass through", async () => {
  const { conn, sockets, messages } = opened();
  const ok = conn.request({ type: "set", lr: 0.03 });
  const bad = conn.request({ type: "set", lr: -1 });
  const [first, second] = sockets[0].sent.slice(1);
  assert.equal(first.lr, 0.03);
  assert.notEqual(first.id, second.id);
  sockets[0].serverSends({ type: "error", id: second.id, of: "set", field: "lr", message: "lr: expected a number" });
  sockets[0].serverSends({ type: "ack", id: first.id, of: "set" });
  sockets[0].serverSends({ type: "status", playing: true });
  assert.equal((await ok).of, "set");
  await assert.rejects(bad, (e) => e.field === "lr" && /expected a number/.test(e.message));
  assert.deepEqual(messages.map((m) => m.type), ["status"]);
});

test("a lost connection comes back with the same client id, after a growing pause", () => {
  const { sockets, timers, states } = opened();
  sockets[0].serverCloses(1006);
  assert.equal(states.at(-1), "reconnecting");
  const first = timers.fire();
  assert.equal(sockets.length, 2);
  sockets[1].serverOpen();
  assert.deepEqual(sockets[1].sent[0], { type: "hello", token: "tok", client: "c-1" });
  sockets[1].serverCloses(1006);
  const second = timers.fire();
  assert.ok(second > first, `${second} > ${first}`);
  sockets[2].serverOpen();
  sockets[2].serverSends({ type: "welcome", role: "controller" });
  assert.equal(states.at(-1), "open");
});

test("every state the connection went through is recorded, however briefly it lasted", () => {
  const { conn, sockets, timers } = opened();
  sockets[0].serverCloses(1012);
  const delay = timers.fire();
  sockets[1].serverOpen();
  sockets[1].serverSends({ type: "welcome", role: "controller" });
  assert.deepEqual(conn.transitions, [
    { state: "connecting", detail: 0 },
    { state: "open", detail: undefined },
    { state: "reconnecting", detail: delay / 1000 }, // lost: the page says when it tries again
    { state: "reconnecting", detail: 0 }, // trying
    { state: "open", detail: undefined },
  ]);
});

test("the label says a connection was lost and when the page tries again", () => {
  assert.equal(connectionLabel("reconnecting", 0.52), "connection lost: trying again in 1 s");
  assert.equal(connectionLabel("reconnecting", 0), "reconnecting…");
  assert.equal(connectionLabel("open"), "connected");
  assert.equal(connectionLabel("closed"), "not connected");
});

test("the record of transitions keeps only the newest", () => {
  const { conn, sockets, timers } = opened();
  for (let k = 1; k <= MAX_TRANSITIONS; k++) {
    sockets.at(-1).serverCloses(1006);
    timers.fire();
  }
  assert.equal(conn.transitions.length, MAX_TRANSITIONS);
  assert.deepEqual(conn.transitions.at(-1), { state: "reconnecting", detail: 0 });
});

test("requests pending when the connection drops are rejected, not left hanging", async () => {
  const { conn, sockets } = opened();
  const pending = conn.request({ type: "step" });
  sockets[0].serverCloses(1006);
  await assert.rejects(pending, (e) => e.lost === true);
  await assert.rejects(conn.request({ type: "step" }), /Not connected/);
});

test("an unknown session stops the retries and says why", () => {
  const fatal = [];
  const { sockets, timers, states } = opened({ onFatal: (code, why) => fatal.push([code, why]) });
  sockets[0].serverCloses(4404);
  assert.equal(states.at(-1), "closed");
  assert.equal(timers.timers.length, 0);
  assert.equal(fatal[0][0], 4404);
  assert.match(fatal[0][1], /does not exist/);
});

test("backoff doubles from half a second and stops growing at eight", () => {
  const mid = () => 0.5;
  assert.deepEqual([0, 1, 2, 3, 4, 5, 9].map((a) => backoff(a, mid)), [500, 1000, 2000, 4000, 8000, 8000, 8000]);
  assert.ok(backoff(0, () => 0) >= 400 && backoff(0, () => 0.999) <= 600);
});

test("client ids look alike and differ", () => {
  assert.match(newClientId(), /^c-[0-9a-f]{8}$/);
  assert.notEqual(newClientId(), newClientId());
});

test("loss points pile up as numbers while nothing is drawn, thinned past a bound", () => {
  const { conn, sockets } = opened();
  const many = Array.from({ length: 15000 }, (_, k) => k);
  sockets[0].serverSends(frame(1, many));
  sockets[0].serverSends(frame(2, many.map((k) => k + 15000)));
  const { steps, train, test } = conn.takeLoss();
  assert.ok(steps.length <= 20000 && steps.length >= 10000, String(steps.length));
  assert.equal(steps.at(-1), 29999, "the newest point is kept");
  assert.equal(train.length, steps.length);
  assert.equal(test.length, steps.length);
  assert.ok(steps.every((s, k) => k === 0 || s > steps[k - 1]), "still in order");
});

test("a replaced socket that closes late neither reconnects again nor speaks for the connection", () => {
  const { sockets, timers, states } = opened();
  const old = sockets[0];
  const onclose = old.onclose;
  old.serverCloses(1012);
  timers.fire();
  assert.equal(sockets.length, 2);
  sockets[1].serverOpen();
  sockets[1].serverSends({ type: "welcome", role: "controller", session: "s1" });
  onclose({ code: 1006, reason: "" }); // the old socket's close event arriving after all
  assert.equal(sockets.length, 2);
  assert.equal(timers.timers.length, 0);
  assert.equal(states.at(-1), "open");
});

test("a new surface or new data drops the frames waiting from before it", () => {
  const { conn, sockets } = opened();
  sockets[0].serverSends(frame(1));
  sockets[0].serverSends(frame(2));
  sockets[0].serverSends(encodeBinary({ type: "surface", kind: "random" }, {}));
  sockets[0].serverSends(frame(3));
  assert.equal(conn.takeFrame().header.step, 3, "frames 1 and 2 hold points on the old surface");
  sockets[0].serverSends(frame(4));
  sockets[0].serverSends({ type: "data", edit: false });
  assert.equal(conn.takeFrame(), null, "frame 4 was of the data before");
});

test("each message read is announced once it is kept, and waiting() says what is left to draw", () => {
  let arrivals = 0;
  const { conn, sockets } = opened({ onArrive: () => { arrivals++; } });
  assert.equal(arrivals, 1, "the welcome");
  assert.equal(conn.waiting(), false, "nothing to draw after the welcome");
  sockets[0].serverSends(frame(1, [1]));
  assert.equal(arrivals, 2);
  assert.equal(conn.waiting(), true);
  conn.takeFrame();
  assert.equal(conn.waiting(), true, "its loss point is still to be drawn");
  conn.takeLoss();
  assert.equal(conn.waiting(), false);
  for (const type of ["grid", "surface", "race"]) {
    sockets[0].serverSends(encodeBinary({ type }, {}));
    assert.equal(conn.waiting(), true, type);
    assert.equal(conn.takeNewest(type).header.type, type);
    assert.equal(conn.waiting(), false, type);
  }
  sockets[0].serverSends({ type: "status", playing: false });
  assert.equal(arrivals, 6);
  assert.equal(conn.waiting(), false, "a status message leaves nothing to draw");
});
