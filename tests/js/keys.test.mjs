import assert from "node:assert/strict";
import { test } from "node:test";

import { forkedFrom, keyFor, MAX_KEPT, presenterHash, rememberFork, rememberKey, STORE_KEY } from "../../static/js/keys.js";
import { parseHash, viewerHash } from "../../static/js/urlstate.js";

function memoryStorage() {
  const map = new Map();
  return { getItem: (k) => map.get(k) ?? null, setItem: (k, v) => map.set(k, String(v)), map };
}

test("a remembered presenter key is found again for its session only", () => {
  const storage = memoryStorage();
  rememberKey(storage, "s1", "secret-1");
  assert.equal(keyFor(storage, "s1"), "secret-1");
  assert.equal(keyFor(storage, "s2"), null);
});

test("a fork remembers the class session it came from, beside its own key", () => {
  const storage = memoryStorage();
  rememberKey(storage, "mine", "k", 1);
  rememberFork(storage, "mine", "class", 2);
  assert.equal(keyFor(storage, "mine"), "k");
  assert.equal(forkedFrom(storage, "mine"), "class");
  assert.equal(forkedFrom(storage, "class"), null);
});

test("at most MAX_KEPT sessions are kept, the least recently used go first", () => {
  const storage = memoryStorage();
  for (let k = 0; k < MAX_KEPT + 5; k++) rememberKey(storage, `s${k}`, `key${k}`, k);
  assert.equal(Object.keys(JSON.parse(storage.getItem(STORE_KEY))).length, MAX_KEPT);
  assert.equal(keyFor(storage, "s0"), null);
  assert.equal(keyFor(storage, `s${MAX_KEPT + 4}`), `key${MAX_KEPT + 4}`);
});

test("damaged storage reads as empty and a refusing storage does not throw", () => {
  const storage = memoryStorage();
  storage.setItem(STORE_KEY, "{not json");
  assert.equal(keyFor(storage, "s"), null);
  const full = { getItem: () => null, setItem: () => { throw new Error("QuotaExceededError"); } };
  rememberKey(full, "s", "k");
});

test("a presenter link carries the key and the viewer link never does", () => {
  const link = parseHash(presenterHash("abc_1-2", "Zx3-_9"));
  assert.equal(link.session, "abc_1-2");
  assert.equal(link.key, "Zx3-_9");
  assert.deepEqual(link.problems, []);
  assert.equal(viewerHash("abc_1-2"), "#session=abc_1-2");
});
