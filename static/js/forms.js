// Small DOM helpers the controls share: fill a <select> only when its choices change, pick a value it has,
// make a button, and name a choice in plain words.

/** Replace a select's options with [value, text] entries, unless they are already those; keeps the value. */
export function fillSelect(select, entries) {
  const current = select.value;
  const same = select.options.length === entries.length
    && entries.every(([value, text], k) => select.options[k].value === value && select.options[k].text === text);
  if (same) return;
  select.replaceChildren(...entries.map(([value, text]) => {
    const option = select.ownerDocument.createElement("option");
    option.value = value;
    option.textContent = text;
    return option;
  }));
  if (entries.some(([value]) => value === current)) select.value = current;
}

/** Show `value` in a select if it is one of its options (null and undefined leave it as it is). */
export function setValue(select, value) {
  if (value === undefined || value === null) return;
  if ([...select.options].some((o) => o.value === String(value))) select.value = String(value);
}

/** A type="button" button with a text, an optional id and accessible name, calling onClick. */
export function makeButton(doc, text, onClick, { id = null, aria = null } = {}) {
  const b = doc.createElement("button");
  b.type = "button";
  if (id) b.id = id;
  b.textContent = text;
  if (aria) b.setAttribute("aria-label", aria);
  b.addEventListener("click", onClick);
  return b;
}

/** The plain-words name of a choice from `table`, or the name itself with spaces for underscores. */
export function label(table, name) {
  return table[name] ?? name.replace(/_/g, " ");
}
