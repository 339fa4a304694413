// Which slice of the loss surface to show: off, two weights (picked by clicking connections or biases in the
// network), the random plane, the trajectory plane, or (for the curve worked example) the curve itself.
// A choice is sent as a `surface` request; the page's URL remembers it.

import { shortParamLabel } from "./names.js";
import * as msg from "./protocol.js";

/**
 * createSurfaceChoice(doc, {act, onView, onSurface, controls, names}): onView(change) records the choice for the
 * URL, onSurface(kind | null) tells the page a slice is (or is no longer) wanted, controls() whether this page
 * controls the session, names() the server's names for the network (the `data` message's). Returns {pick(param), show(kind, params?), forPreset(preset), picked, kind}.
 */
export function createSurfaceChoice(doc, { act, onView, onSurface, controls, names = () => null }) {
  const radios = [...doc.querySelectorAll('input[name="surface"]')];
  const hint = doc.getElementById("surface-hint");
  let picked = [];
  let kind = "none";

  for (const radio of radios) {
    radio.addEventListener("change", () => {
      if (radio.checked) choose(radio.value);
    });
  }

  function choose(next) {
    kind = next;
    showHint();
    onView({ surface: kind === "none" ? undefined : kind });
    if (kind === "none" || (kind === "weights" && picked.length < 2)) {
      onSurface(null);
      return act(msg.surface({ kind: "none" }), "surface");
    }
    onSurface(kind);
    const request = kind === "weights" ? { kind, params: picked } : kind === "random" ? { kind, seed: 0 } : { kind };
    return act(msg.surface(request), "surface");
  }

  /** A connection or bias clicked in the network: the two most recent become the surface's axes. */
  function pick(param) {
    if (!controls()) return;
    const key = JSON.stringify(param);
    picked = [...picked.filter((p) => JSON.stringify(p) !== key), param].slice(-2);
    onView({ surface_params: picked });
    if (picked.length === 2) {
      check("weights");
      choose("weights");
    } else {
      showHint();
    }
  }

  function showHint() {
    if (kind === "none" && picked.length < 2) {
      hint.textContent = "Choose “two weights”, then click two connections (or biases) in the network, or press Enter on them: their values become the axes.";
    } else if (kind === "weights") {
      hint.textContent = picked.length < 2
        ? `Click two connections in the network (or press Enter on them) to use their weights as the axes (${picked.length} of 2 chosen).`
        : `Axes: ${picked.map((p) => shortParamLabel(names(), p)).join(" and ")}. Click (or Enter on) another connection to swap the older one out.`;
    } else {
      hint.textContent = "";
    }
  }

  function check(value) {
    for (const radio of radios) radio.checked = radio.value === value;
  }

  /** Show a choice made elsewhere (the link, the presenter's page, a new setup) without sending anything. */
  function show(next, params) {
    if (params) picked = params;
    kind = next ?? "none";
    check(kind);
    showHint();
  }

  /** The curve worked example has its own slice and no weights to pick. */
  function forPreset(preset) {
    const item = (value) => radios.find((r) => r.value === value).closest("label");
    item("curve").hidden = preset !== "curve";
    item("weights").hidden = preset === "curve";
  }

  showHint();
  return {
    pick, show, forPreset,
    get picked() { return picked; },
    get kind() { return kind; },
  };
}
