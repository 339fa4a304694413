// The lesson player: lists the lessons (static/lessons/*.json, served validated by /api/lessons), plays one step
// by step with Next / Back, quiets the controls a step does not need (still usable), and keeps the place in
// localStorage so a student who leaves comes back to the same step. Every number comes from the server.
// The presenter's page tells the session where it is (a `lesson` message); every viewer page shows that step's
// words, read-only. Maths in the words comes parsed by the server and is drawn as MathML (mathml.js).

import { actionLabel, actionMessage, askMessage, CONTROL_GROUPS, quietGroups, replayMessages } from "./lessonplan.js";
import { richNodes } from "./mathml.js";

const PLACE = "backprop-lab:lesson";

function el(tag, { dataset = {}, ...props } = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  Object.assign(node.dataset, dataset);
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

/** A step's title, text or after, with its maths: the server's parsed parts, else the plain words. */
function words(tag, props, parts, plain = "") {
  const node = el(tag, props);
  node.append(...richNodes(document, parts, plain));
  return node;
}

export function createLessonPlayer({ list, panel, fetchJSON, act, status }) {
  // `following`: the presenter's place, as the session last said (shown when this page plays no lesson itself).
  const state = { lessons: [], problems: [], name: null, lesson: null, step: -1, done: false, busy: false, errors: [], following: null };

  async function load() {
    try {
      const catalogue = await fetchJSON("/api/lessons");
      state.lessons = catalogue.lessons;
      state.problems = catalogue.problems;
    } catch (error) {
      state.errors.push(error.message);
    }
    list.replaceChildren(...state.lessons.map((entry) => el("button", {
      type: "button", className: "lesson-start", textContent: entry.title, title: entry.summary,
      dataset: { lesson: entry.name }, onclick: () => start(entry.name, 0),
    })), ...state.problems.map((p) => el("p", { className: "field-error", textContent: `Lesson ${p.name} cannot be played: ${p.message}` })));
  }

  /** Open a lesson at step k (0 for the start; a kept place when coming back). */
  async function start(name, k) {
    try {
      state.lesson = await fetchJSON(`/api/lessons/${encodeURIComponent(name)}`);
    } catch (error) {
      status(`That lesson cannot be played: ${error.message}`);
      return;
    }
    state.name = name;
    await go(Math.min(Math.max(0, k), state.lesson.steps.length - 1), { replay: true });
  }

  async function send(messages) {
    for (const message of messages) {
      if ((await act(message)) === null) return false; // refused: the page already shows why
    }
    return true;
  }

  async function go(k, { replay = false } = {}) {
    if (state.busy) return;
    state.busy = true;
    state.step = k;
    state.done = false;
    localStorage.setItem(PLACE, JSON.stringify({ name: state.name, step: k }));
    render();
    act({ type: "lesson", name: state.name, step: k }); // viewers read the step as it opens
    const step = state.lesson.steps[k];
    // Going forward from the previous step only opens this one; coming back (or jumping) replays from a setup.
    const ok = await send(replay ? replayMessages(state.lesson, k) : [...replayMessages({ steps: [step] }, 0)]);
    const ask = askMessage(step);
    if (ok && ask) await act(ask);
    if (ok && !ask) await act({ type: "ask", question: null });
    state.busy = false;
    state.ready = (state.ready ?? 0) + 1;
    render();
  }

  async function doAction() {
    const step = state.lesson.steps[state.step];
    const message = actionMessage(step.action);
    if (!message) return;
    state.awaiting = message.type === "play_until" ? step.action.until : null;
    const reply = await act(message);
    if (reply && !state.awaiting) finish();
  }

  function finish() {
    state.done = true;
    state.awaiting = null;
    act({ type: "lesson", name: state.name, step: state.step, done: true }); // viewers read the why too
    render();
  }

  function quiet(groups) {
    for (const group of CONTROL_GROUPS) document.getElementById(`group-${group}`)?.classList.toggle("quieted", groups.includes(group));
  }

  function leave() {
    localStorage.removeItem(PLACE);
    Object.assign(state, { name: null, lesson: null, step: -1, done: false, following: null });
    act({ type: "ask", question: null });
    act({ type: "lesson", name: null });
    render();
  }

  /** The presenter's step, read-only: its lesson's title, where in it, the step's words; no Next or Back. */
  function renderFollowing() {
    const place = state.following;
    panel.hidden = !place?.lesson;
    if (!place?.lesson) return panel.replaceChildren();
    const shown = place.display ?? {};
    const body = [el("header", { className: "panel-head" },
      el("h2", { textContent: place.lesson.title }),
      el("span", { className: "lesson-progress", textContent: `step ${place.step + 1} of ${place.lesson.steps}` }))];
    if (shown.title) body.push(words("h3", {}, shown.title));
    body.push(words("p", { className: "lesson-text" }, shown.text));
    if (place.poll) body.push(el("p", { className: "note", textContent: "A question for the class: answer it below." }));
    if (place.done && shown.after) body.push(words("p", { className: "lesson-after" }, shown.after));
    body.push(el("p", { className: "note lesson-following", textContent: "The presenter moves through the lesson; this page follows." }));
    panel.replaceChildren(...body);
  }

  function render() {
    const lesson = state.lesson;
    if (!lesson) {
      quiet([]);
      renderFollowing();
      return;
    }
    panel.hidden = false;
    const step = lesson.steps[state.step];
    quiet(quietGroups(step));
    const n = lesson.steps.length;
    const head = el("header", { className: "panel-head" },
      el("h2", { textContent: lesson.title }),
      el("span", { className: "lesson-progress", textContent: `step ${state.step + 1} of ${n}` }),
      el("button", { type: "button", className: "quiet close", id: "lesson-leave", textContent: "×", ariaLabel: "Leave the lesson", onclick: leave }));
    const body = [head];
    if (step.title) body.push(words("h3", {}, step.display?.title, step.title));
    body.push(words("p", { className: "lesson-text" }, step.display?.text, step.text));
    if (step.predict) body.push(el("p", { className: "note", textContent: step.poll ? "A question for the class: the answers come in below; reveal when ready." : "Answer the question below first, then go on: the answer is revealed beside yours." }));
    const label = actionLabel(step.action);
    const buttons = el("div", { className: "buttons lesson-nav" },
      el("button", { type: "button", id: "lesson-back", textContent: "← Back", disabled: state.step === 0 || state.busy, onclick: () => go(state.step - 1, { replay: true }) }));
    if (label) buttons.append(el("button", { type: "button", id: "lesson-action", className: "primary", textContent: label, disabled: state.busy || state.done, onclick: doAction }));
    buttons.append(el("button", { type: "button", id: "lesson-next", textContent: state.step === n - 1 ? "Finish" : "Next →", disabled: state.busy, onclick: () => (state.step === n - 1 ? leave() : go(state.step + 1)) }));
    body.push(buttons);
    if (state.done && step.after) body.push(words("p", { className: "lesson-after" }, step.display?.after, step.after));
    panel.replaceChildren(...body);
  }

  return {
    state,
    load,
    /** Come back to the kept place, if any (a presenter's page, after the first welcome). */
    async resume() {
      const kept = JSON.parse(localStorage.getItem(PLACE) ?? "null");
      if (kept?.name) await start(kept.name, kept.step ?? 0);
    },
    /** The session's lesson place (a `lesson` message): shown while this page plays no lesson of its own. */
    follow(place) {
      state.following = place.lesson ? place : null;
      if (!state.lesson) render();
    },
    /** Each frame: a play action is done when it stopped at its update (or below its loss). */
    onFrame(h) {
      const until = state.awaiting;
      if (!until || h.playing) return;
      if ((until.update !== undefined && h.step >= until.update) || h.diverged || (until.loss_below !== undefined && h.train_loss < until.loss_below)) finish();
    },
  };
}
