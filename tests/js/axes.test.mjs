import assert from "node:assert/strict";
import { test } from "node:test";

import { drawAxisLines, drawFrame, drawMarkerLine, drawXTicks, drawYTicks, linearTicks } from "../../static/js/axes.js";
import { linearScale } from "../../static/js/scales.js";

/** A 2-D context that records what is drawn: each stroke with its path and style, each text with its place. */
function recorder() {
  const log = [];
  let path = [];
  let dash = [];
  return {
    log,
    beginPath: () => (path = []),
    moveTo: (x, y) => path.push(["M", x, y]),
    lineTo: (x, y) => path.push(["L", x, y]),
    setLineDash(d) {
      dash = d;
    },
    stroke() {
      log.push({ stroke: this.strokeStyle, width: this.lineWidth, dash, path });
    },
    strokeRect(x, y, w, h) {
      log.push({ rect: [x, y, w, h], stroke: this.strokeStyle, width: this.lineWidth });
    },
    fillText(text, x, y) {
      log.push({ text, x, y, fill: this.fillStyle, font: this.font, align: this.textAlign, baseline: this.textBaseline });
    },
  };
}

const box = { left: 40, right: 240, top: 10, bottom: 110 };

test("x ticks are 4-pixel marks under the box on half pixels, each with its label below", () => {
  const ctx = recorder();
  drawXTicks(ctx, box, [0, 1], linearScale([0, 1], [box.left, box.right]), (v) => `t${v}`, { stroke: "#666" });
  assert.deepEqual(ctx.log, [
    { stroke: "#666", width: 1, dash: [], path: [["M", 40.5, 110], ["L", 40.5, 114]] },
    { text: "t0", x: 40.5, y: 116, fill: "#333", font: "12px system-ui, sans-serif", align: "center", baseline: "top" },
    { stroke: "#666", width: 1, dash: [], path: [["M", 240.5, 110], ["L", 240.5, 114]] },
    { text: "t1", x: 240.5, y: 116, fill: "#333", font: "12px system-ui, sans-serif", align: "center", baseline: "top" },
  ]);
});

test("y ticks draw a grid line before their mark when asked, and can leave the mark out", () => {
  const y = linearScale([0, 1], [box.bottom, box.top]);
  const ctx = recorder();
  drawYTicks(ctx, box, [1], y, String, { gridLines: "#ececec" });
  assert.deepEqual(ctx.log.map((e) => e.stroke ?? e.text), ["#ececec", "#888", "1"]);
  assert.deepEqual(ctx.log[0].path, [["M", 40, 10.5], ["L", 240, 10.5]]);
  assert.deepEqual(ctx.log[1].path, [["M", 36, 10.5], ["L", 40, 10.5]]);
  assert.equal(ctx.log[2].x, 34);
  assert.equal(ctx.log[2].align, "right");
  const bare = recorder();
  drawYTicks(bare, box, [1], y, String, { gridLines: "#e6e6e6", tickMarks: false });
  assert.deepEqual(bare.log.map((e) => e.stroke ?? e.text), ["#e6e6e6", "1"]);
});

test("the frame sits just outside the box; the axis lines are the box's left and bottom edges", () => {
  const ctx = recorder();
  drawFrame(ctx, box, "#666");
  drawAxisLines(ctx, box);
  assert.deepEqual(ctx.log[0], { rect: [39.5, 9.5, 201, 101], stroke: "#666", width: 1 });
  assert.deepEqual(ctx.log[1].path, [["M", 40.5, 10], ["L", 40.5, 110.5], ["L", 240, 110.5]]);
  assert.equal(ctx.log[1].stroke, "#888");
});

test("the marker is a dashed line from the top of the box to its bottom, and the dash is reset after it", () => {
  const ctx = recorder();
  drawMarkerLine(ctx, 100, box, [3, 3]);
  assert.deepEqual(ctx.log, [
    { stroke: "rgba(0, 0, 0, 0.45)", width: 1, dash: [3, 3], path: [["M", 100, 10], ["L", 100, 110]] },
  ]);
  ctx.stroke();
  assert.deepEqual(ctx.log[1].dash, []);
});

test("linear ticks are round values labelled to the precision of their step", () => {
  const { ticks, label } = linearTicks(-1, 1);
  assert.deepEqual(ticks, [-1, -0.5, 0, 0.5, 1]);
  assert.deepEqual(ticks.map(label), ["−1.0", "−0.5", "0", "0.5", "1.0"]);
});
