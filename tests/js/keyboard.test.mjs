import assert from "node:assert/strict";
import { test } from "node:test";

import { actionFor, installShortcuts, isTyping, SHORTCUTS } from "../../static/js/keyboard.js";

const body = { tagName: "BODY" };
const key = (code, extra = {}) => ({ code, key: "", target: body, ...extra });

test("Space plays or pauses, → steps one update, Shift+→ one phase, R resets", () => {
  assert.equal(actionFor(key("Space")), "togglePlay");
  assert.equal(actionFor(key("ArrowRight")), "step");
  assert.equal(actionFor(key("ArrowRight", { shiftKey: true })), "phase");
  assert.equal(actionFor(key("ArrowLeft")), "back");
  assert.equal(actionFor(key("ArrowLeft", { repeat: true })), "back"); // holding ← keeps stepping back
  assert.equal(actionFor(key("KeyR")), "reset");
  assert.equal(actionFor(key("KeyR", { shiftKey: true })), null);
});

test("keys typed into a field are text, not commands", () => {
  for (const target of [
    { tagName: "INPUT", type: "text" }, { tagName: "INPUT", type: "number" }, { tagName: "INPUT", type: "range" },
    { tagName: "TEXTAREA" }, { tagName: "SELECT" }, { tagName: "DIV", isContentEditable: true },
  ]) {
    assert.equal(actionFor(key("KeyR", { target })), null, JSON.stringify(target));
    assert.equal(isTyping(target), true);
  }
  assert.equal(isTyping({ tagName: "INPUT", type: "checkbox" }), false);
  assert.equal(isTyping({ tagName: "BUTTON" }), false);
});

test("browser shortcuts with Ctrl, Alt or Meta are left alone", () => {
  assert.equal(actionFor(key("KeyR", { ctrlKey: true })), null);
  assert.equal(actionFor(key("ArrowRight", { altKey: true })), null);
  assert.equal(actionFor(key("KeyR", { metaKey: true })), null);
});

test("holding → keeps stepping but holding Space does not toggle over and over", () => {
  assert.equal(actionFor(key("ArrowRight", { repeat: true })), "step");
  assert.equal(actionFor(key("Space", { repeat: true })), null);
});

test("events without a code fall back to the key", () => {
  assert.equal(actionFor({ code: "", key: " ", target: body }), "togglePlay");
  assert.equal(actionFor({ code: "", key: "r", target: body }), "reset");
});

test("every shortcut shown on the page has a label and a description", () => {
  for (const s of SHORTCUTS) {
    assert.ok(s.label && s.description && s.keys.length, s.action);
  }
});

test("installShortcuts calls the handler and stops the browser's own reaction", () => {
  const listeners = [];
  const target = { addEventListener: (t, f) => listeners.push(f), removeEventListener: () => listeners.pop() };
  const calls = [];
  const stop = installShortcuts(target, { step: () => calls.push("step") });
  let prevented = 0;
  listeners[0]({ ...key("ArrowRight"), preventDefault: () => prevented++ });
  listeners[0]({ ...key("Space"), preventDefault: () => prevented++ });
  assert.deepEqual(calls, ["step"]);
  assert.equal(prevented, 1, "a key without a handler keeps its usual meaning");
  stop();
  assert.equal(listeners.length, 0);
});

test("P toggles the presenter view and J shows the join code, for presenters and viewers alike", () => {
  assert.equal(actionFor(key("KeyP")), "presenterView");
  assert.equal(actionFor(key("", { key: "p" })), "presenterView"); // a browser that gives only the key
  assert.equal(actionFor(key("KeyJ")), "joinCode");
  assert.equal(actionFor(key("KeyP", { repeat: true })), null, "held, it does not flicker");
  assert.equal(actionFor(key("KeyP", { target: { tagName: "INPUT", type: "number" } })), null);
  assert.ok(SHORTCUTS.some((s) => s.label === "P" && /presenter view/.test(s.description)));
});
