import assert from "node:assert/strict";
import { test } from "node:test";

import { PICTURE_VIEWS, pictureName } from "../../static/js/picture.js";

test("a picture's file name says what it shows and at which update", () => {
  assert.equal(pictureName("loss", 1200), "backprop-lab-loss-step-1200.png");
  assert.equal(pictureName("decision-map", 0), "backprop-lab-decision-map-step-0.png");
});

test("a step not known yet is named update 0, never undefined or NaN", () => {
  assert.equal(pictureName("network", undefined), "backprop-lab-network-step-0.png");
  assert.equal(pictureName("network", Number.NaN), "backprop-lab-network-step-0.png");
});

test("every view with a Save picture button names the box it pictures", () => {
  assert.deepEqual(Object.keys(PICTURE_VIEWS).sort(), ["decision-map", "loss", "loss-surface", "network", "rnn-unrolled"]);
  for (const id of Object.values(PICTURE_VIEWS)) assert.match(id, /-view$/);
});
