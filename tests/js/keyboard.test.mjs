import assert from "node:assert/strict";
import { test } from "node:test";

import { actionFor, FOCUS_KEYS, installShortcuts, isTyping, keysUsedBy, SHORTCUTS } from "../../static/js/keyboard.js";

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
    { tagName: "INPUT", type: "text" }, { tagName: "INPUT", type: "number" },
    { tagName: "TEXTAREA" }, { tagName: "DIV", isContentEditable: true },
  ]) {
    assert.equal(actionFor(key("KeyR", { target })), null, JSON.stringify(target));
    assert.equal(actionFor(key("Space", { target })), null, JSON.stringify(target));
    assert.equal(isTyping(target), true);
  }
  assert.equal(isTyping({ tagName: "INPUT", type: "checkbox" }), false);
  assert.equal(isTyping({ tagName: "BUTTON" }), false);
});

const el = (tagName, extra = {}) => ({ tagName, getAttribute: (name) => extra.attrs?.[name] ?? null, ...extra });

test("a shortcut never takes a key the focused control uses", () => {
  const button = el("BUTTON");
  const checkbox = el("INPUT", { type: "checkbox" });
  const radio = el("INPUT", { type: "radio" });
  const slider = el("INPUT", { type: "range" });
  const select = el("SELECT");
  // Space presses the focused button (Reset resets) and ticks the checkbox; arrows move a radio or a slider.
  for (const target of [button, checkbox, radio]) {
    assert.equal(actionFor(key("Space", { target })), null);
    assert.equal(actionFor(key("Enter", { target })), null);
  }
  for (const target of [radio, slider, select]) {
    assert.equal(actionFor(key("ArrowRight", { target })), null);
    assert.equal(actionFor(key("ArrowLeft", { target })), null);
    assert.equal(actionFor(key("ArrowRight", { target, shiftKey: true })), null);
  }
  assert.equal(actionFor(key("KeyR", { target: select })), null, "a letter picks an option of a select");
  // Keys the control has no use for still act: → after clicking the Step button steps again.
  assert.equal(actionFor(key("ArrowRight", { target: button })), "step");
  assert.equal(actionFor(key("KeyR", { target: checkbox })), "reset");
  assert.equal(actionFor(key("Space", { target: slider })), "togglePlay");
});

test("ARIA widgets and elements that claim keys keep them", () => {
  assert.deepEqual([...keysUsedBy(el("DIV", { attrs: { role: "radio" } }))].sort(),
    ["ArrowDown", "ArrowLeft", "ArrowRight", "ArrowUp", "Enter", "Space"]);
  const drawing = el("svg", { dataset: { keys: "arrows enter escape" } });
  assert.equal(actionFor(key("ArrowRight", { target: drawing })), null);
  assert.equal(actionFor(key("ArrowLeft", { target: drawing })), null);
  assert.equal(actionFor(key("Space", { target: drawing })), "togglePlay");
  assert.equal(keysUsedBy(el("TEXTAREA")), "all");
  assert.equal(isTyping(el("DIV", { attrs: { role: "textbox" } })), true);
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
  for (const s of [...SHORTCUTS, ...FOCUS_KEYS]) assert.ok(s.label && s.description);
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

test("shortcuts turned off leave every key alone; a key another handler took is not taken twice", () => {
  const listeners = [];
  const target = { addEventListener: (t, f) => listeners.push(f), removeEventListener: () => listeners.pop() };
  const calls = [];
  let on = false;
  installShortcuts(target, { step: () => calls.push("step") }, { enabled: () => on });
  let prevented = 0;
  listeners[0]({ ...key("ArrowRight"), preventDefault: () => prevented++ });
  assert.deepEqual(calls, []);
  on = true;
  listeners[0]({ ...key("ArrowRight"), defaultPrevented: true, preventDefault: () => prevented++ });
  assert.deepEqual(calls, []);
  listeners[0]({ ...key("ArrowRight"), preventDefault: () => prevented++ });
  assert.deepEqual(calls, ["step"]);
  assert.equal(prevented, 1);
});

test("P toggles the presenter view and J shows the join code, for presenters and viewers alike", () => {
  assert.equal(actionFor(key("KeyP")), "presenterView");
  assert.equal(actionFor(key("", { key: "p" })), "presenterView"); // a browser that gives only the key
  assert.equal(actionFor(key("KeyJ")), "joinCode");
  assert.equal(actionFor(key("KeyP", { repeat: true })), null, "held, it does not flicker");
  assert.equal(actionFor(key("KeyP", { target: { tagName: "INPUT", type: "number" } })), null);
  assert.ok(SHORTCUTS.some((s) => s.label === "P" && /presenter view/.test(s.description)));
});
