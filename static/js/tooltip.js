/**
 * A small tooltip for the views' hover info (DOM; nothing happens at import time).
 *
 *   const tip = createTooltip();          // appends one <div class="bl-tooltip"> to document.body
 *   tip.show(info);                        // info: {title, rows: [[label, text]], hint?, clientX, clientY}
 *   tip.hide();
 *   tip.destroy();
 *
 * It sits beside the pointer (viewport coordinates, position: fixed) and flips to stay on screen.
 * Text is set with textContent only. Escape closes it (WCAG 1.4.13) until the next hide(): a view that keeps
 * re-showing the same hovered item on every update leaves it closed until the pointer moves elsewhere.
 */
export function createTooltip(parent = document.body) {
  const el = document.createElement("div");
  el.className = "bl-tooltip";
  el.setAttribute("role", "tooltip");
  el.hidden = true;
  const title = document.createElement("div");
  title.className = "bl-tooltip-title";
  const table = document.createElement("table");
  const hint = document.createElement("div");
  hint.className = "bl-tooltip-hint";
  el.append(title, table, hint);
  parent.appendChild(el);
  let dismissed = false;
  const onKey = (event) => {
    if (event.key !== "Escape" || el.hidden) return;
    dismissed = true;
    el.hidden = true;
  };
  document.addEventListener("keydown", onKey);

  function show(info) {
    if (dismissed) return;
    title.textContent = info.title ?? "";
    const rows = info.rows ?? [];
    while (table.rows.length > rows.length) table.deleteRow(-1);
    while (table.rows.length < rows.length) {
      const row = table.insertRow();
      row.insertCell().className = "bl-tooltip-label";
      row.insertCell().className = "bl-tooltip-value";
    }
    rows.forEach(([label, text], k) => {
      const cells = table.rows[k].cells;
      if (cells[0].textContent !== label) cells[0].textContent = label;
      if (cells[1].textContent !== text) cells[1].textContent = text;
    });
    hint.textContent = info.hint ?? "";
    hint.hidden = !info.hint;
    el.hidden = false;
    place(info.clientX ?? 0, info.clientY ?? 0);
  }

  function place(x, y) {
    const gap = 14;
    const { offsetWidth: w, offsetHeight: h } = el;
    const left = x + gap + w > window.innerWidth ? Math.max(0, x - gap - w) : x + gap;
    const top = y + gap + h > window.innerHeight ? Math.max(0, y - gap - h) : y + gap;
    el.style.left = `${left}px`;
    el.style.top = `${top}px`;
  }

  return {
    element: el,
    show,
    hide() {
      el.hidden = true;
      dismissed = false;
    },
    /** Show again even after Escape (a new item was chosen on purpose). */
    reopen(info) {
      dismissed = false;
      show(info);
    },
    get open() {
      return !el.hidden;
    },
    destroy() {
      document.removeEventListener("keydown", onKey);
      el.remove();
    },
  };
}
