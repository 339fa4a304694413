import assert from "node:assert/strict";
import { test } from "node:test";

import { editablePoints, nearestPoint } from "../../static/js/pointeditor.js";
import * as msg from "../../static/js/protocol.js";

const scale = (v) => v * 100; // 1 data unit = 100 pixels, on both axes

test("a press takes the nearest point within the radius, and none beyond it", () => {
  const points = [[0, 0], [0.05, 0], [1, 1]];
  assert.equal(nearestPoint(points, 4, 0, scale, scale), 1);
  assert.equal(nearestPoint(points, 1, 1, scale, scale), 0);
  assert.equal(nearestPoint(points, 50, 50, scale, scale), -1);
  assert.equal(nearestPoint(points, 50, 50, scale, scale, 80), 1); // (5, 0) px is nearer than (0, 0)
});

test("edits index the training points first, then the test points", () => {
  const data = { train: { x: [[1, 2], [3, 4]] }, test: { x: [[5, 6]] } };
  assert.deepEqual(editablePoints(data), [[1, 2], [3, 4], [5, 6]]);
  assert.deepEqual(editablePoints({ train: null, test: null }), []);
});

test("the point messages carry only the fields given", () => {
  assert.deepEqual(msg.addPoint([0.5, -0.25], { label: 1 }, 3), { type: "add_point", x: [0.5, -0.25], label: 1, id: 3 });
  assert.deepEqual(msg.addPoint([0, 0], { target: 0.75 }), { type: "add_point", x: [0, 0], target: 0.75 });
  assert.deepEqual(msg.movePoint(4, [1, 1]), { type: "move_point", index: 4, x: [1, 1] });
  assert.deepEqual(msg.removePoint(2), { type: "remove_point", index: 2 });
});
