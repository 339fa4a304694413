import assert from "node:assert/strict";
import { test } from "node:test";

import { checkTree, mathElement, richNodes } from "../../static/js/mathml.js";

// A document that records what is built: tags, namespaces, attributes, text, children.
const fakeDocument = {
  createElementNS(ns, tag) {
    return {
      ns, tag, attributes: {}, children: [], textContent: "",
      setAttribute(name, value) { this.attributes[name] = value; },
      append(...nodes) { this.children.push(...nodes); },
    };
  },
  createTextNode(text) { return { text }; },
};

function shape(node) {
  if ("text" in node) return node.text;
  return [node.tag, node.attributes, ...(node.children.length ? node.children.map(shape) : [node.textContent])];
}

// w₅⁺ = w₅ − η ∂E/∂w₅, as server/mathtext.py parses "$w_5^+ = w_5 - \eta \frac{\partial E}{\partial w_5}$".
const UPDATE = ["math", {},
  ["msubsup", {}, ["mi", {}, "w"], ["mn", {}, "5"], ["mo", {}, "+"]], ["mo", {}, "="],
  ["msub", {}, ["mi", {}, "w"], ["mn", {}, "5"]], ["mo", {}, "−"], ["mi", {}, "η"],
  ["mfrac", {}, ["mrow", {}, ["mi", {}, "∂"], ["mi", {}, "E"]], ["mrow", {}, ["mi", {}, "∂"], ["msub", {}, ["mi", {}, "w"], ["mn", {}, "5"]]]]];

test("a formula becomes MathML elements in the MathML namespace, text only in its tokens", () => {
  const math = mathElement(fakeDocument, UPDATE);
  assert.equal(math.ns, "http://www.w3.org/1998/Math/MathML");
  assert.equal(math.tag, "math");
  assert.deepEqual(shape(math.children[0]), ["msubsup", {}, ["mi", {}, "w"], ["mn", {}, "5"], ["mo", {}, "+"]]);
  assert.deepEqual(shape(math.children[5]).slice(0, 2), ["mfrac", {}]);
});

test("text with maths: plain runs stay text nodes, formulas become <math>", () => {
  const nodes = richNodes(fakeDocument, ["The update is ", { math: UPDATE }, "."]);
  assert.deepEqual(nodes.map((n) => n.text ?? n.tag), ["The update is ", "math", "."]);
  assert.deepEqual(richNodes(fakeDocument, undefined, "plain words").map((n) => n.text), ["plain words"]);
});

test("only allow-listed elements and attribute values are built: markup never gets through", () => {
  for (const bad of [
    ["script", {}, "alert(1)"],
    ["math", {}, ["script", {}, "alert(1)"]],
    ["math", {}, ["mi", { onclick: "alert(1)" }, "x"]],
    ["math", {}, ["mi", { mathvariant: "bold" }, "x"]],
    ["math", {}, ["a", { href: "javascript:alert(1)" }, "x"]],
    ["math", {}, ["mi", {}, ["mi", {}, "x"]]], // a token holds a string only
    ["math", {}, ["mfrac", {}, ["mn", {}, "1"]]], // a fraction takes two children
    ["math", {}, ["math", {}]],
    ["mrow", {}],
    "<math><mi>x</mi></math>",
  ]) {
    assert.throws(() => checkTree(bad), Error, JSON.stringify(bad));
  }
  // In running text a bad formula shows as a note, never as markup.
  const [node] = richNodes(fakeDocument, [{ math: ["math", {}, ["img", { src: "x", onerror: "alert(1)" }]] }]);
  assert.equal(node.text, "[a formula that cannot be shown]");
});

test("the attributes the server may use are allowed: upright names, accents, spaces", () => {
  checkTree(["math", {}, ["mi", { mathvariant: "normal" }, "net"], ["mspace", { width: "0.17em" }],
    ["mover", { accent: "true" }, ["mi", {}, "y"], ["mo", {}, "^"]]]);
});

test("a formula nested deeper than the server makes is refused", () => {
  let tree = ["mi", {}, "x"];
  for (let k = 0; k < 40; k++) tree = ["mrow", {}, tree];
  assert.throws(() => checkTree(["math", {}, tree]), /too deep/);
});
