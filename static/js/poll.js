// The question panel: the open prediction, one answer from this page, the spread of the class's answers (the
// presenter's pages), and after the reveal the true answer beside this page's own. The server decides what is
// right (engine/predict.py); the page only shows it. Every page records what it showed in `state` for tests.

const WORDS = { down: "down", up: "up", "-": "negative (−)", "0": "zero", "+": "positive (+)" };

function el(tag, { dataset = {}, ...props } = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  Object.assign(node.dataset, dataset);
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

function words(value) {
  if (value === null || value === undefined) return "—";
  return typeof value === "number" ? String(Number(value.toPrecision(10))) : (WORDS[value] ?? String(value));
}

/** A small histogram: one bar per bin (or per choice), its height the share of answers; no names. */
function histogram(tally) {
  const bars = tally.choices
    ? Object.entries(tally.choices).map(([choice, n]) => ({ label: words(choice), n }))
    : (tally.histogram?.counts ?? []).map((n, k) => ({
      label: `${words(tally.histogram.edges[k])} … ${words(tally.histogram.edges[k + 1])}`, n,
    }));
  const most = Math.max(1, ...bars.map((b) => b.n));
  const list = el("ol", { className: "tally-bars" });
  for (const bar of bars) {
    const item = el("li", { title: `${bar.label}: ${bar.n}` });
    item.append(el("span", { className: "bar", style: `height:${(100 * bar.n) / most}%` }),
      el("span", { className: "count", textContent: String(bar.n) }),
      el("span", { className: "label", textContent: bar.label }));
    list.append(item);
  }
  return list;
}

export function createPoll(panel, { answer, reveal, isPresenter }) {
  const state = { question: null, answered: null, tally: null, reveal: null, shown: [] };

  function render() {
    const q = state.question;
    panel.hidden = !q;
    if (!q) return panel.replaceChildren();
    const parts = [el("h2", { textContent: isPresenter() ? "Prediction" : "Question from the presenter" }),
      el("p", { className: "question-text", textContent: q.text })];
    if (q.name) parts.push(el("p", { className: "note", textContent: `About ${q.name}.` }));
    if (state.reveal) {
      parts.push(revealed(q));
    } else if (state.answered === null) {
      parts.push(form(q));
    } else {
      parts.push(el("p", { className: "yours", textContent: `Your answer: ${words(state.answered)}. The next update will show the true one.` }));
    }
    if (state.tally) {
      parts.push(el("p", { className: "tally-count", textContent: `${state.tally.count} answer${state.tally.count === 1 ? "" : "s"}` }));
      // One person predicting alone needs no spread; a class does.
      if (state.tally.count > 1 && (state.tally.choices || state.tally.histogram)) parts.push(histogram(state.tally));
    }
    if (isPresenter() && !state.reveal) {
      parts.push(el("button", { type: "button", className: "quiet", id: "poll-reveal", textContent: "Reveal the answer now", onclick: () => reveal() }));
    }
    panel.replaceChildren(...parts);
  }

  function form(q) {
    const box = el("form", { className: "answer", id: "poll-form" });
    box.addEventListener("submit", (event) => event.preventDefault());
    if (q.choices) {
      for (const choice of q.choices) {
        box.append(el("button", { type: "button", textContent: words(choice), dataset: { choice }, onclick: () => send(choice) }));
      }
    } else {
      const input = el("input", { type: "number", step: "any", id: "poll-number", required: true, ariaLabel: "Your number" });
      const go = el("button", { type: "submit", textContent: "Answer" });
      box.addEventListener("submit", () => {
        const value = Number(input.value);
        if (input.value.trim() === "" || !Number.isFinite(value)) {
          input.setCustomValidity("Type a number, e.g. 0.0088");
          input.reportValidity();
          return;
        }
        send(value);
      });
      input.addEventListener("input", () => input.setCustomValidity(""));
      box.append(input, go, el("small", { textContent: ` right within ±${q.tolerance}` }));
    }
    return box;
  }

  async function send(value) {
    const sent = await answer({ type: "answer", question: state.question.id, value });
    if (sent) {
      state.answered = value;
      render();
    }
  }

  function revealed() {
    const r = state.reveal;
    const box = el("div", { className: "revealed", dataset: { right: String(r.right) } });
    box.append(el("p", { className: "truth" }, el("strong", { textContent: "True answer: " }), words(r.truth)));
    if (r.yours !== null && r.yours !== undefined) {
      box.append(el("p", { className: "yours", textContent: `Yours: ${words(r.yours)} — ${r.right ? "right" : "not this time"}.` }));
    } else if (!isPresenter()) {
      box.append(el("p", { className: "yours", textContent: "You did not answer this one." }));
    }
    if (r.working) box.append(el("p", { className: "note", textContent: "The explainer shows the working for this element." }));
    return box;
  }

  return {
    state,
    question(q) {
      const same = q && state.question?.id === q.id;
      state.question = q;
      if (!same) Object.assign(state, { answered: null, tally: null, reveal: null });
      if (q) state.shown.push(q.id);
      render();
    },
    tally(t) {
      if (t.question !== state.question?.id) return;
      state.tally = t;
      render();
    },
    reveal(r) {
      if (r.question !== state.question?.id) return;
      state.reveal = r;
      if (r.yours !== null && r.yours !== undefined) state.answered = r.yours;
      state.tally = { question: r.question, ...r.tally };
      render();
    },
    rerender: render,
  };
}

const QUANTITIES = { delta: "δ of the neuron", gradient: "∂E/∂w (batch mean)", change: "Δw", new: "the new value", loss_after: "E after the update" };

/**
 * The presenter's own question, outside a lesson: the loss's direction, the sign of Δ for the element the
 * explainer is open on, or a number about it (to a tolerance). `element()` is that element (or null).
 */
export function createAskForm(root, { act, element }) {
  const kind = el("select", { id: "ask-kind", ariaLabel: "Kind of question" },
    el("option", { value: "loss", textContent: "Will the loss go down or up?" }),
    el("option", { value: "sign", textContent: "The sign of Δ for the explained weight" }),
    el("option", { value: "number", textContent: "A number about the explained element" }));
  const quantity = el("select", { id: "ask-quantity", ariaLabel: "Which number", hidden: true },
    ...Object.entries(QUANTITIES).map(([value, label]) => el("option", { value, textContent: label })));
  const tolerance = el("input", { type: "number", id: "ask-tolerance", step: "any", min: "0", value: "0.001", ariaLabel: "Tolerance", hidden: true });
  kind.addEventListener("change", () => {
    quantity.hidden = tolerance.hidden = kind.value !== "number";
  });
  const ask = el("button", { type: "button", id: "ask-open", textContent: "Ask the class" });
  ask.addEventListener("click", () => {
    const e = element();
    const q = { kind: kind.value };
    if (kind.value === "loss") q.text = "Will the loss go down or up in the next update?";
    else {
      if (e) q.element = e;
      const name = e ? "the explained element" : "the element";
      if (kind.value === "sign") q.text = `What sign will Δ have for ${name}?`;
      else {
        q.quantity = quantity.value;
        q.tolerance = Number(tolerance.value) || 0.001;
        q.text = `Type ${QUANTITIES[q.quantity]} for ${name} (±${q.tolerance}).`;
      }
    }
    act({ type: "ask", question: q }, "ask");
  });
  root.replaceChildren(kind, quantity, tolerance, ask, el("p", { className: "field-error", hidden: true, dataset: { errorFor: "ask" } }));
}
