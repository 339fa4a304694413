// Keyboard shortcuts: one table, shown on the page and obeyed by the handler. The mapping is pure so that
// node can test it with plain objects standing in for KeyboardEvents.

export const SHORTCUTS = [
  { action: "togglePlay", keys: ["Space"], label: "Space", description: "play / pause" },
  { action: "step", keys: ["ArrowRight"], label: "→", description: "one update (after stepping back: the next kept one, replayed)" },
  { action: "back", keys: ["ArrowLeft"], label: "←", description: "step back one update" },
  { action: "phase", keys: ["Shift+ArrowRight"], label: "Shift + →", description: "one phase (forward, backward layer by layer, update)" },
  { action: "reset", keys: ["KeyR"], label: "R", description: "reset to the same starting weights" },
  { action: "presenterView", keys: ["KeyP"], label: "P", description: "presenter view: the four drawings on one screen, large text" },
  { action: "joinCode", keys: ["KeyJ"], label: "J", description: "show the join code students scan" },
];

const ARROWS = new Set(["ArrowRight", "ArrowLeft"]);
const BY_KEY = new Map(SHORTCUTS.flatMap((s) => s.keys.map((k) => [k, s.action])));

// Fields where a key is text, not a command. Buttons and checkboxes are not: Space on a focused button
// would press it, so the handler takes the event before the browser does (see installShortcuts).
const TYPING_INPUTS = new Set(["text", "number", "search", "email", "url", "password", "tel", "range", ""]);

/** Whether an event target is a place where the person is typing (or sliding), so shortcuts stay out. */
export function isTyping(target) {
  if (!target) return false;
  if (target.isContentEditable) return true;
  const tag = (target.tagName ?? "").toUpperCase();
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag === "INPUT") return TYPING_INPUTS.has((target.type ?? "").toLowerCase());
  return false;
}

/** The action a key event asks for, or null. Ctrl, Alt and Meta combinations belong to the browser. */
export function actionFor(event) {
  if (event.ctrlKey || event.altKey || event.metaKey) return null;
  // Holding → or ← keeps stepping; holding Space or R must not toggle or reset over and over.
  if (event.repeat && !ARROWS.has(event.code) && !ARROWS.has(event.key)) return null;
  if (isTyping(event.target)) return null;
  const code = event.code || codeFromKey(event.key);
  const name = event.shiftKey ? `Shift+${code}` : code;
  return BY_KEY.get(name) ?? null;
}

function codeFromKey(key) {
  if (key === " ") return "Space";
  if (ARROWS.has(key)) return key;
  if (/^[a-z]$/i.test(key)) return `Key${key.toUpperCase()}`;
  return key;
}

/**
 * Listen on `target` (the window) and call `handlers[action]()`; returns a function that stops listening.
 * Handlers may be absent (a viewer has none): the key then does nothing and keeps its usual meaning.
 */
export function installShortcuts(target, handlers) {
  const listener = (event) => {
    const action = actionFor(event);
    if (!action || typeof handlers[action] !== "function") return;
    event.preventDefault();
    handlers[action]();
  };
  target.addEventListener("keydown", listener);
  return () => target.removeEventListener("keydown", listener);
}
