// Lesson text with maths: plain runs as text, and each formula as MathML Core elements (drawn natively by
// Chromium, nothing fetched). The server parsed the lesson's $…$ into a tree (server/mathtext.py); this module
// only builds that tree, element by element, from an allow-list of tags and attribute values, with text only
// in token elements. It never parses markup, so a lesson cannot inject HTML.

const NS = "http://www.w3.org/1998/Math/MathML";
const TOKENS = new Set(["mi", "mn", "mo", "mtext"]);
// Each layout element, with how many children it takes (null: any number).
const LAYOUT = { math: null, mrow: null, msqrt: null, msub: 2, msup: 2, msubsup: 3, mfrac: 2, mover: 2, mspace: 0 };
const ATTRIBUTES = { mi: { mathvariant: ["normal"] }, mover: { accent: ["true"] }, mspace: { width: ["0.17em", "0.28em"] } };
const MAX_DEPTH = 32; // far above what the server makes (server/mathtext.py)

/** Throws unless `tree` is [tag, {attributes}, ...children] within the allow-list, all the way down. */
export function checkTree(tree, depth = 0) {
  if (!Array.isArray(tree) || tree.length < 2) throw new Error("a formula is [tag, attributes, ...children]");
  const [tag, attributes, ...children] = tree;
  if (depth > MAX_DEPTH) throw new Error("a formula nested too deep");
  if (depth === 0 && tag !== "math") throw new Error(`a formula starts with math, not ${tag}`);
  if (depth > 0 && tag === "math") throw new Error("math inside math");
  if (!TOKENS.has(tag) && !(tag in LAYOUT)) throw new Error(`${tag} is not an element lessons use`);
  if (attributes === null || typeof attributes !== "object" || Array.isArray(attributes)) throw new Error(`${tag}: attributes are an object`);
  for (const [name, value] of Object.entries(attributes)) {
    if (!ATTRIBUTES[tag]?.[name]?.includes(value)) throw new Error(`${tag}: ${name}=${JSON.stringify(value)} is not allowed`);
  }
  if (TOKENS.has(tag)) {
    if (children.length !== 1 || typeof children[0] !== "string") throw new Error(`${tag} holds one string`);
    return;
  }
  const count = LAYOUT[tag];
  if (count !== null && children.length !== count) throw new Error(`${tag} takes ${count} children, got ${children.length}`);
  for (const child of children) checkTree(child, depth + 1);
}

function build(doc, [tag, attributes, ...children]) {
  const node = doc.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (TOKENS.has(tag)) node.textContent = children[0];
  else node.append(...children.map((child) => build(doc, child)));
  return node;
}

/** One formula's <math> element (checked first: a tree outside the allow-list throws). */
export function mathElement(doc, tree) {
  checkTree(tree);
  return build(doc, tree);
}

/**
 * The nodes of a text with maths: `parts` are strings and {math: tree}. Without parts (an old server, or a text
 * without maths) the plain `fallback` text. A formula that fails the check shows as a note, never as markup.
 */
export function richNodes(doc, parts, fallback = "") {
  if (!Array.isArray(parts)) return [doc.createTextNode(fallback)];
  return parts.map((part) => {
    if (typeof part === "string") return doc.createTextNode(part);
    try {
      return mathElement(doc, part?.math);
    } catch {
      return doc.createTextNode("[a formula that cannot be shown]");
    }
  });
}
