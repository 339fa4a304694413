// The presenter's secrets this browser holds, kept in localStorage so that any tab or window of the same
// browser gets control back (a closed tab, a reopened link), and the sessions a student forked to explore on
// their own, with the class session each came from. Pure functions over a Storage-like object, so tests can
// pass a Map-backed one. At most MAX_KEPT sessions are remembered; the oldest go first.

export const STORE_KEY = "backprop-lab:sessions";
export const MAX_KEPT = 100;

function read(storage) {
  try {
    const kept = JSON.parse(storage.getItem(STORE_KEY) ?? "{}");
    return kept && typeof kept === "object" && !Array.isArray(kept) ? kept : {};
  } catch {
    return {};
  }
}

function write(storage, kept) {
  const entries = Object.entries(kept).sort((a, b) => (b[1].at ?? 0) - (a[1].at ?? 0)).slice(0, MAX_KEPT);
  try {
    storage.setItem(STORE_KEY, JSON.stringify(Object.fromEntries(entries)));
  } catch {
    // Storage full or refused (a private window): the secret then lives as long as the page.
  }
}

function update(storage, session, change, now) {
  const kept = read(storage);
  kept[session] = { ...kept[session], ...change, at: now };
  write(storage, kept);
}

/** Remember the presenter's secret of `session`. */
export function rememberKey(storage, session, key, now = Date.now()) {
  update(storage, session, { key }, now);
}

/** The presenter's secret of `session` this browser holds, or null. */
export function keyFor(storage, session) {
  return read(storage)[session]?.key ?? null;
}

/** Remember that `fork` was made from the class session `original` ("Back to the class" returns there). */
export function rememberFork(storage, fork, original, now = Date.now()) {
  update(storage, fork, { forkedFrom: original }, now);
}

/** The class session `session` was forked from, or null. */
export function forkedFrom(storage, session) {
  return read(storage)[session]?.forkedFrom ?? null;
}

/** The hash of a presenter link: whoever opens it controls the session. Never shown to students. */
export function presenterHash(session, key) {
  return `#session=${encodeURIComponent(session)}&key=${encodeURIComponent(key)}`;
}
