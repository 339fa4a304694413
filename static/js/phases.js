// The phase indicator: forward → δ of each layer from the output back towards the inputs → update.
// phaseSteps is pure (node-tested); renderPhases writes it into the <ol> on the page.

/**
 * The steps of one update for a network of `sizes` (layers 0..L), marked against the frame's `phase`
 * ({kind: "idle"|"forward"|"backward"|"update", layer}). A backward phase with `layer` l has just computed
 * δ of layer l + 1 (the neurons weights[l] feeds). Returns [{key, label, state: "done"|"current"|"todo"}].
 */
export function phaseSteps(sizes, phase) {
  const L = sizes.length - 1;
  const steps = [{ key: "forward", label: "forward" }];
  for (let l = L - 1; l >= 0; l--) {
    steps.push({ key: `backward-${l}`, label: l === L - 1 ? `δ layer ${l + 1} (output)` : `δ layer ${l + 1}`, layer: l });
  }
  steps.push({ key: "update", label: "update" });
  let current = -1;
  if (phase?.kind === "forward") current = 0;
  else if (phase?.kind === "backward") current = steps.findIndex((s) => s.layer === phase.layer);
  else if (phase?.kind === "update") current = steps.length - 1;
  return steps.map(({ key, label }, k) => ({
    key, label, state: current < 0 ? "todo" : k < current ? "done" : k === current ? "current" : "todo",
  }));
}

/** A sentence for screen readers and the tooltip of the indicator. */
export function phaseSentence(phase, step) {
  switch (phase?.kind) {
    case "forward": return `Update ${step + 1}: the forward pass is done; next, δ of the output layer.`;
    case "backward": return `Update ${step + 1}: δ of layer ${phase.layer + 1} is computed.`;
    case "update": return `Update ${step} is done: the weights have changed.`;
    default: return "Ready: the next phase is the forward pass.";
  }
}

/** Write the steps into `list` (an <ol>), reusing its items when the network's depth has not changed. */
export function renderPhases(list, sizes, phase, step) {
  const key = `${sizes.join(",")}|${phase?.kind}|${phase?.layer}|${step}`;
  if (list.dataset.key === key) return;
  list.dataset.key = key;
  const steps = phaseSteps(sizes, phase);
  if (list.children.length !== steps.length || list.dataset.depth !== String(sizes.length)) {
    list.dataset.depth = String(sizes.length);
    list.replaceChildren(...steps.map((s) => {
      const item = list.ownerDocument.createElement("li");
      item.dataset.phase = s.key;
      const chip = list.ownerDocument.createElement("span");
      chip.className = "chip";
      chip.textContent = s.label;
      item.append(chip);
      return item;
    }));
  }
  steps.forEach((s, k) => {
    const item = list.children[k];
    item.classList.toggle("done", s.state === "done");
    item.classList.toggle("current", s.state === "current");
    const current = s.state === "current";
    // Only on a change: rewriting the same attribute every frame still invalidates style and paint.
    if (current !== item.hasAttribute("aria-current")) {
      if (current) item.setAttribute("aria-current", "step");
      else item.removeAttribute("aria-current");
    }
  });
  const sentence = phaseSentence(phase, step);
  if (list.title !== sentence) list.title = sentence;
}
