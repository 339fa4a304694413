import assert from "node:assert/strict";
import { test } from "node:test";

import { historyLabel, historyState } from "../../static/js/rewind.js";

test("the label says where the run is in the kept history", () => {
  assert.equal(historyLabel(3, { first: 0, last: 8 }), "update 3 of 8");
  assert.equal(historyLabel(8, { first: 0, last: 8 }), "update 8 of 8");
  assert.equal(historyLabel(0, undefined), "update 0 of 0");
});

test("back needs an earlier kept update (or an update under way); forward needs one kept ahead", () => {
  assert.deepEqual(historyState(0, { first: 0, last: 0 }), { back: false, forward: false, first: 0, last: 0 });
  assert.deepEqual(historyState(3, { first: 0, last: 8 }), { back: true, forward: true, first: 0, last: 8 });
  assert.deepEqual(historyState(24, { first: 24, last: 1030 }), { back: false, forward: true, first: 24, last: 1030 });
  assert.equal(historyState(0, { first: 0, last: 0 }, true).back, true);
});
