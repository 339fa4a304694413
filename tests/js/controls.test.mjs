import assert from "node:assert/strict";
import { test } from "node:test";

import { errorTarget } from "../../static/js/controls.js";

test("server errors find the control that caused them", () => {
  assert.equal(errorTarget("lr"), "lr");
  assert.equal(errorTarget("hyper.momentum"), "momentum");
  assert.equal(errorTarget("sizes[1]"), "sizes");
  assert.equal(errorTarget("params[0]"), "surface");
  assert.equal(errorTarget("anything", "surface"), "surface");
  assert.equal(errorTarget("updates_per_second"), "speed");
  assert.equal(errorTarget("example"), "example");
  assert.equal(errorTarget("type"), null, "not tied to one control: the status area");
  assert.equal(errorTarget(null), null);
});
