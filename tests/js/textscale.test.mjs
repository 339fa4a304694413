import assert from "node:assert/strict";
import { test } from "node:test";

import { unitsPerPixel } from "../../static/js/textscale.js";

test("a 640-unit diagram in a 400 px box has 1.6 units per pixel: a 12 px label needs 19.2 units", () => {
  assert.equal(unitsPerPixel(640, 240, 400, 150), 1.6);
});

test("a box capped in height (max-height) scales by its height", () => {
  assert.equal(unitsPerPixel(640, 480, 640, 240), 2);
});

test("a box not laid out yet keeps 1", () => {
  assert.equal(unitsPerPixel(640, 240, 0, 0), 1);
  assert.equal(unitsPerPixel(undefined, undefined, 400, 150), 1);
});
