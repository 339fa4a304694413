// Contrast of the page's own colours (WCAG 2.1: text ≥ 4.5:1, the focus ring and other marks ≥ 3:1), read from
// the stylesheets themselves so a new colour cannot slip under the line unnoticed. axe-core checks the text the
// browser renders; the focus ring and text drawn on canvases are outside its reach, hence this test.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

const css = readFileSync(new URL("../../static/css/app.css", import.meta.url), "utf8");
const variable = (name) => new RegExp(`--${name}:\\s*(#[0-9a-fA-F]{6})`).exec(css)[1];

function luminance(hex) {
  const [r, g, b] = [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16) / 255)
    .map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

// Every background the focus ring meets: the paper, the ground, the three message boxes, the empty surface panel.
const BACKGROUNDS = [variable("paper"), variable("ground"), "#fdeeee", "#eaf2fb", "#fff4e0", "#f6f6f6"];

test("the focus ring is at least 3:1 against every background it meets", () => {
  for (const bg of BACKGROUNDS) assert.ok(contrast(variable("focus"), bg) >= 3, `${variable("focus")} on ${bg}`);
  // The ring around the primary button sits on the white gap drawn between them (box-shadow in the paper colour).
  assert.match(css, /box-shadow: 0 0 0 2px var\(--paper\)/);
});

test("muted text, disabled and viewer controls included, is at least 4.5:1 on the paper and the ground", () => {
  for (const bg of [variable("paper"), variable("ground")]) {
    assert.ok(contrast(variable("muted"), bg) >= 4.5, `muted on ${bg}: ${contrast(variable("muted"), bg)}`);
    assert.ok(contrast(variable("accent"), bg) >= 4.5, `links on ${bg}`);
  }
  assert.doesNotMatch(css, /:disabled[^{]*\{[^}]*opacity/, "disabled controls are not faded below 4.5:1");
});

test("the text drawn on the canvases is at least 4.5:1 on its background", () => {
  const drawn = readFileSync(new URL("../../static/js/losschart.js", import.meta.url), "utf8")
    + readFileSync(new URL("../../static/js/surface.js", import.meta.url), "utf8")
    + readFileSync(new URL("../../static/js/axes.js", import.meta.url), "utf8");
  const fills = [...drawn.matchAll(/(?:fillStyle = |TICK_TEXT = )"(#[0-9a-fA-F]{3,6})"/g)].map((m) => m[1])
    .map((c) => (c.length === 4 ? `#${c[1]}${c[1]}${c[2]}${c[2]}${c[3]}${c[3]}` : c))
    .filter((c) => c !== "#ffffff"); // white is drawn as a halo, not as text
  assert.ok(fills.length >= 4, fills.join());
  for (const c of fills) assert.ok(contrast(c, "#f6f6f6") >= 4.5, `${c}: ${contrast(c, "#f6f6f6").toFixed(2)}`);
});
