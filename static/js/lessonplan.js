// A lesson's plan, as messages: what to send to open a step, to replay the steps before it (a student coming
// back to the same place), and to do its action. Pure: no DOM, no socket (node tests it).

export const CONTROL_GROUPS = ["run", "learning", "data", "network", "presets", "check"];

/** The control message of a step's action (null for "none"). */
export function actionMessage(action) {
  if (!action || action.do === "none") return null;
  if (action.do === "step") return { type: "step" };
  if (action.do === "phase") return { type: "phase" };
  const until = action.until ?? {};
  return { type: "play_until", ...(until.update !== undefined && { update: until.update }),
    ...(until.loss_below !== undefined && { loss_below: until.loss_below }) };
}

/** The words on the action's button. */
export function actionLabel(action) {
  if (action?.label) return action.label;
  const until = action?.until ?? {};
  return {
    step: "Step: one update",
    phase: "Next phase",
    play: until.update !== undefined ? `Play until update ${until.update}` : `Play until E < ${until.loss_below}`,
  }[action?.do] ?? null;
}

/** The messages that set up step k itself: its setup, settings, speed, explained element, surface slice. */
export function openMessages(step, { surface = true } = {}) {
  const out = [];
  if (step.setup) out.push({ ...step.setup, type: "configure" });
  if (step.set) out.push({ type: "set", ...step.set });
  if (step.speed !== undefined) out.push({ type: "speed", updates_per_second: step.speed });
  if (step.explain) out.push({ type: "explain", element: step.explain });
  if (surface && step.surface) out.push({ type: "surface", ...step.surface });
  return out;
}

/**
 * Everything to send to arrive at step k as if the student had played steps 0..k−1: from the last step at or
 * before k that sets a setup, each earlier step's opening messages and action (a play runs at once, unanimated),
 * then step k's own opening messages. Questions are not replayed: they were for the student at the time. Only
 * the last surface slice asked for on the way is (the earlier ones would be computed to be replaced at once).
 */
export function replayMessages(lesson, k) {
  const steps = lesson.steps;
  let from = k;
  while (from > 0 && !steps[from].setup) from--;
  const out = [];
  for (let s = from; s < k; s++) {
    out.push(...openMessages(steps[s], { surface: false }));
    const action = actionMessage(steps[s].action);
    if (action) out.push(action.type === "play_until" ? { ...action, at_once: true } : action);
  }
  out.push(...openMessages(steps[k], { surface: false }));
  const shown = steps.slice(from, k + 1).findLast((step) => step.surface);
  if (shown) out.push({ type: "surface", ...shown.surface });
  return out;
}

/** The control groups a step quiets: those it does not list (none when it lists nothing). */
export function quietGroups(step) {
  if (!step.controls) return [];
  return CONTROL_GROUPS.filter((group) => !step.controls.includes(group));
}

/** The message asking a step's prediction (null without one). */
export function askMessage(step) {
  return step.predict ? { type: "ask", question: step.predict } : null;
}
