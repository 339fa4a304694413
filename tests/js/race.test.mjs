import assert from "node:assert/strict";
import { test } from "node:test";

import { DEFAULT_CONTESTANTS, focusKey, MAX_CONTESTANTS, RACE_COLOURS, raceStartMessage } from "../../static/js/race.js";

test("the race_start message gives η to every contestant and α only to those with momentum", () => {
  const message = raceStartMessage([
    { optimizer: "sgd", lr: 0.1, momentum: 0.9 },
    { optimizer: "nesterov", lr: 0.03, momentum: 0.5 },
    { optimizer: "adam", lr: 0.01 },
  ], { seed: 7 });
  assert.deepEqual(message, {
    type: "race_start", seed: 7,
    contestants: [
      { optimizer: "sgd", hyper: { lr: 0.1 } },
      { optimizer: "nesterov", hyper: { lr: 0.03, momentum: 0.5 } },
      { optimizer: "adam", hyper: { lr: 0.01 } },
    ],
  });
  assert.equal(raceStartMessage(DEFAULT_CONTESTANTS, { resolution: 30 }).resolution, 30);
});

test("keys 1 to 4 choose a contestant that exists, and only without a modifier", () => {
  assert.equal(focusKey({ key: "1" }, 2), 0);
  assert.equal(focusKey({ key: "2" }, 2), 1);
  assert.equal(focusKey({ key: "3" }, 2), null);
  assert.equal(focusKey({ key: "4" }, 4), 3);
  assert.equal(focusKey({ key: "0" }, 4), null);
  assert.equal(focusKey({ key: "2", ctrlKey: true }, 4), null);
  assert.equal(focusKey({ key: "r" }, 4), null);
});

test("every contestant the form allows has its own colour and a default", () => {
  assert.equal(new Set(RACE_COLOURS).size, MAX_CONTESTANTS);
  assert.equal(DEFAULT_CONTESTANTS.length, MAX_CONTESTANTS);
});
