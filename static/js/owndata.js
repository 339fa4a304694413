// Your own data and the session file, on the page: the class (or target) a drawn point gets, "Load a CSV…",
// "Save session file" and "Open session file". Files go to the server over HTTP with the presenter's token;
// what they change comes back to every page of the session as usual (a `data` message, then frames).

import { html } from "./canvas.js";
import { createPointEditor } from "./pointeditor.js";

/** The reply's error, in the words the server chose (a field and a plain reason), as an Error. */
async function answer(response) {
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw Object.assign(new Error(body.message ?? `HTTP ${response.status}`), body);
  return body;
}

export function createOwnData(doc, { map, act, session, showStatus, plain, isPresenter }) {
  const $ = (id) => doc.getElementById(id);
  let data = null;
  // What happened, for tests and measurement; pixelOf(x₁, x₂) is where a data point is drawn, in page pixels.
  const state = {
    uploads: 0, opened: 0, saved: 0, lastError: null,
    pixelOf(a, b) {
      const g = map.geometry();
      const box = map.canvas.getBoundingClientRect();
      return g ? [box.left + g.x(a), box.top + g.y(b)] : null;
    },
  };

  const editor = createPointEditor(map, {
    act,
    editable: () => isPresenter() && Boolean(data?.domain),
    value: () => (data?.kind === "regression" ? { target: Number($("draw-target").value) || 0 } : { label: drawClass() }),
    announce: (text) => ($("draw-said").textContent = text),
  });

  function drawClass() {
    return Number(doc.querySelector("input[name='draw-class']:checked")?.value ?? 0);
  }

  function setData(next) {
    data = next;
    editor.setPoints(next);
    const planar = Boolean(next.domain);
    $("own-data").hidden = !planar;
    const regression = next.kind === "regression";
    $("draw-target-row").hidden = !regression;
    $("draw-class").hidden = regression;
    const classes = next.classes || 0;
    if (!regression && $("draw-class").childElementCount !== classes) {
      const chosen = Math.min(drawClass(), classes - 1);
      $("draw-class").replaceChildren();
      for (let k = 0; k < classes; k++) {
        const label = html("label", null, $("draw-class"));
        const input = html("input", null, label);
        Object.assign(input, { type: "radio", name: "draw-class", value: String(k), checked: k === chosen });
        label.append(` class ${k}`);
      }
    }
    // The dataset list names your own points while they are in use (choosing a built-in set leaves them).
    const select = $("dataset");
    let own = select.querySelector("option[value='own']");
    if (next.dataset === "own") {
      if (!own) {
        own = html("option", null, select, "your own points");
        own.value = "own";
      }
      select.value = "own";
    } else if (own) {
      own.remove();
    }
  }

  async function uploadCsv(file) {
    if (!file) return;
    const kind = $("csv-kind").value;
    $("own-data-said").textContent = `Loading ${file.name}…`;
    try {
      const reply = await answer(await fetch(`/api/sessions/${encodeURIComponent(session().id)}/data?kind=${kind}`, {
        method: "POST", headers: { authorization: `Bearer ${session().token}`, "content-type": "text/csv" }, body: file,
      }));
      state.uploads++;
      state.lastError = null;
      $("own-data-said").textContent = `${file.name}: ${reply.n_train} training and ${reply.n_test} test points (${reply.kind === "regression" ? "targets" : `${reply.classes} classes`}).`;
    } catch (error) {
      failed(error);
    }
  }

  async function openSessionFile(file) {
    if (!file) return;
    $("own-data-said").textContent = `Opening ${file.name}…`;
    try {
      const reply = await answer(await fetch(`/api/sessions/${encodeURIComponent(session().id)}/file`, {
        method: "PUT", headers: { authorization: `Bearer ${session().token}`, "content-type": "application/json" }, body: file,
      }));
      state.opened++;
      state.lastError = null;
      $("own-data-said").textContent = `${file.name}: opened at update ${reply.step}, paused.`;
    } catch (error) {
      failed(error);
    }
  }

  function failed(error) {
    state.lastError = { field: error.field ?? null, message: error.message };
    $("own-data-said").textContent = "";
    showStatus(`The file was refused. ${plain(error.message)}.`);
  }

  function saveSessionFile() {
    // A plain link: the browser downloads the server's file (its name says the session and the update).
    const link = html("a", null, doc.body);
    link.href = `/api/sessions/${encodeURIComponent(session().id)}/file`;
    link.download = "";
    link.click();
    link.remove();
    state.saved++;
  }

  $("load-csv").addEventListener("click", () => $("csv-file").click());
  $("csv-file").addEventListener("change", (event) => {
    uploadCsv(event.target.files[0]);
    event.target.value = ""; // the same file chosen again is a new upload
  });
  $("save-session").addEventListener("click", saveSessionFile);
  $("open-session").addEventListener("click", () => $("session-file").click());
  $("session-file").addEventListener("change", (event) => {
    openSessionFile(event.target.files[0]);
    event.target.value = "";
  });

  return { setData, state, editor };
}
