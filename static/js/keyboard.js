// Keyboard shortcuts: one table, shown on the page and obeyed by the handler. The mapping is pure so that
// node can test it with plain objects standing in for KeyboardEvents and elements.
//
// A shortcut never takes a key from the control that has the focus: Space presses a focused button and ticks
// a checkbox, arrows move a radio group, a slider or a select, every key is text in a text field. Keys the
// focused control has no use for (→ on a focused button) still act. The person can turn the single-key
// shortcuts off (WCAG 2.1.4); the page remembers that.

export const SHORTCUTS = [
  { action: "togglePlay", keys: ["Space"], label: "Space", description: "play / pause" },
  { action: "step", keys: ["ArrowRight"], label: "→", description: "one update (after stepping back: the next kept one, replayed)" },
  { action: "back", keys: ["ArrowLeft"], label: "←", description: "step back one update" },
  { action: "phase", keys: ["Shift+ArrowRight"], label: "Shift + →", description: "one phase (forward, backward layer by layer, update)" },
  { action: "reset", keys: ["KeyR"], label: "R", description: "reset to the same starting weights" },
  { action: "presenterView", keys: ["KeyP"], label: "P", description: "presenter view: the four drawings on one screen, large text" },
  { action: "joinCode", keys: ["KeyJ"], label: "J", description: "show the join code students scan" },
];

/** What the keys do where the shortcuts step aside: listed under the shortcuts, obeyed by the browser or the view. */
export const FOCUS_KEYS = [
  { label: "Tab", description: "the next control; the network drawing is one stop" },
  { label: "← → ↑ ↓", description: "in the network: the neighbouring neuron, connection or bias" },
  { label: "Enter", description: "in the network: pin its numbers; on a connection or bias, also a loss-surface axis" },
  { label: "Escape", description: "close the numbers box (tooltip)" },
  { label: "1 – 4", description: "in an optimizer race: the contestant the network, numbers and map show" },
  { label: "on the map", description: "← → ↑ ↓ move a cross (Shift: further); Enter adds a point; Delete removes the one under it; M picks it up, Enter puts it down" },
];

const ARROWS = new Set(["ArrowRight", "ArrowLeft", "ArrowUp", "ArrowDown"]);
const BY_KEY = new Map(SHORTCUTS.flatMap((s) => s.keys.map((k) => [k, s.action])));

// Fields where a key is text, not a command.
const TEXT_INPUTS = new Set(["text", "number", "search", "email", "url", "password", "tel", "date", "time", ""]);
// ARIA roles whose widgets take arrows (and Space / Enter) themselves.
const ARROW_ROLES = new Set(["slider", "spinbutton", "radio", "radiogroup", "listbox", "option", "menu", "menuitem",
  "tab", "tablist", "grid", "tree", "treeitem", "combobox", "textbox"]);
const PRESS_ROLES = new Set(["button", "checkbox", "switch", "link", "menuitemcheckbox", "menuitemradio"]);

/** Whether an event target is a place where the person is typing, so every key is text. */
export function isTyping(target) {
  if (!target) return false;
  if (target.isContentEditable) return true;
  const tag = (target.tagName ?? "").toUpperCase();
  if (tag === "TEXTAREA") return true;
  if (tag === "INPUT") return TEXT_INPUTS.has((target.type ?? "").toLowerCase());
  return (target.getAttribute?.("role") ?? "") === "textbox";
}

/**
 * The keys the focused `target` uses itself: "all", or a Set of key codes ("Space", "Enter", arrows).
 * An element can claim keys with data-keys="arrows enter space escape" (the network drawing does).
 */
export function keysUsedBy(target) {
  const used = new Set();
  if (!target || !target.tagName) return used;
  if (isTyping(target)) return "all";
  const tag = target.tagName.toUpperCase();
  const type = (target.type ?? "").toLowerCase();
  const role = target.getAttribute?.("role") ?? "";
  if (tag === "SELECT") return "all";
  const arrows = (tag === "INPUT" && (type === "range" || type === "radio")) || ARROW_ROLES.has(role);
  const press = tag === "BUTTON" || tag === "SUMMARY" || (tag === "A" && target.href !== undefined && target.href !== "")
    || (tag === "INPUT" && ["checkbox", "radio", "button", "submit", "reset", "color", "file"].includes(type))
    || PRESS_ROLES.has(role) || ARROW_ROLES.has(role);
  if (arrows) for (const a of ARROWS) used.add(a);
  if (press) used.add("Space").add("Enter");
  for (const claim of (target.dataset?.keys ?? "").split(/\s+/)) {
    if (claim === "arrows") for (const a of ARROWS) used.add(a);
    else if (claim) used.add(claim.charAt(0).toUpperCase() + claim.slice(1));
  }
  return used;
}

/** The action a key event asks for, or null. Ctrl, Alt and Meta combinations belong to the browser. */
export function actionFor(event) {
  if (event.ctrlKey || event.altKey || event.metaKey) return null;
  const code = event.code || codeFromKey(event.key);
  // Holding → or ← keeps stepping; holding Space or R must not toggle or reset over and over.
  if (event.repeat && !ARROWS.has(code)) return null;
  const used = keysUsedBy(event.target);
  if (used === "all" || used.has(code)) return null;
  const name = event.shiftKey ? `Shift+${code}` : code;
  return BY_KEY.get(name) ?? null;
}

function codeFromKey(key) {
  if (key === " ") return "Space";
  if (ARROWS.has(key) || key === "Enter" || key === "Escape") return key;
  if (/^[a-z]$/i.test(key)) return `Key${key.toUpperCase()}`;
  return key;
}

/**
 * Listen on `target` (the window) and call `handlers[action]()`; returns a function that stops listening.
 * Handlers may be absent (a viewer has none): the key then does nothing and keeps its usual meaning.
 * `enabled()` says whether the person has the shortcuts on.
 */
export function installShortcuts(target, handlers, { enabled = () => true } = {}) {
  const listener = (event) => {
    if (event.defaultPrevented || !enabled()) return;
    const action = actionFor(event);
    if (!action || typeof handlers[action] !== "function") return;
    event.preventDefault();
    handlers[action]();
  };
  target.addEventListener("keydown", listener);
  return () => target.removeEventListener("keydown", listener);
}
