// formula.js: expression trees of GET /api/v1/functions drawn as MathML, with symbols or numbers.
import assert from "node:assert/strict";
import { test } from "node:test";

import { formula } from "../../static/js/formula.js";

/** Just enough of a DOM for svg.js's math(): elements with children and attributes, and text. */
class Element {
  constructor(name) {
    this.localName = name;
    this.childNodes = [];
    this.attributes = {};
  }
  append(...nodes) {
    this.childNodes.push(...nodes);
  }
  setAttribute(name, value) {
    this.attributes[name] = String(value);
  }
}
globalThis.document = {
  createElementNS: (namespace, name) => new Element(name),
  createTextNode: (text) => ({ localName: "#text", text }),
};

/** The MathML as a line of text: a/b for a fraction, a^b, a_b, {x if c; y otherwise}, · for the
 * invisible times of a product written without a sign, and a space for a thin space. */
function read(node) {
  const inner = () => node.childNodes.map(read);
  switch (node.localName) {
    case "mspace":
      return " ";
    case "#text":
      return node.text.replace("\u2062", "\u00b7").replace("\u2061", "");
    case "mfrac":
      return inner().join("/");
    case "msup":
      return inner().join("^");
    case "msub":
    case "munder":
      return inner().join("_");
    case "mtable":
      return `${inner().join("; ")}}`;
    case "mtr":
      return inner().join(" ");
    default:
      return inner().join("");
  }
}

const MINUS = "\u2212";
const number = (x) => {
  const node = new Element("mn");
  node.append({ localName: "#text", text: String(x).replace("-", MINUS) });
  return node;
};
const symbol = (name) => (index) => {
  const node = new Element("mi");
  node.append({ localName: "#text", text: index ? `${name}${index}` : name });
  return node;
};
const show = (tree, values) => read(formula(tree, values, { number }));

const v = (name, index) => (index ? { var: name, index } : { var: name });
const n = (x) => ({ num: x });
const op = (name, ...args) => ({ op: name, args });

const SIGMOID = op("/", n(1), op("+", n(1), op("exp", op("neg", v("z")))));
const SIGMOID_PRIME = op("*", v("a"), op("-", n(1), v("a")));

test("a tree is drawn with its symbols as a textbook writes it", () => {
  assert.equal(show(SIGMOID, { z: symbol("z") }), "1/1+e^\u2212z");
  assert.equal(show(SIGMOID_PRIME, { a: symbol("a") }), "a\u00b7(1\u2212a)");
  assert.equal(show(op("pow", op("-", v("a"), v("y")), n(2)), { a: symbol("a"), y: symbol("y") }), "(a\u2212y)^2");
});

test("with numbers, products get a times sign and negative numbers brackets", () => {
  assert.equal(show(SIGMOID_PRIME, { a: 0.25 }), "0.25\u00d7(1\u22120.25)");
  assert.equal(show(SIGMOID_PRIME, { a: -0.5 }), "\u22120.5\u00d7(1\u2212(\u22120.5))");
  assert.equal(show(SIGMOID, { z: -2 }), "1/1+e^\u2212(\u22122)");
  assert.equal(show(op("+", v("z"), v("a")), { z: 1, a: -3 }), "1+(\u22123)");
});

test("a function's argument is bracketed unless it is one symbol", () => {
  const term = op("*", op("neg", v("y")), op("log", v("a")));
  assert.equal(show(term, { y: symbol("y"), a: symbol("a") }), "\u2212y\u00b7 log a");
  assert.equal(show(term, { y: 1, a: 0.7 }), "\u22121\u00d7log(0.7)");
  assert.equal(show(op("log", op("-", n(1), v("a"))), { a: symbol("a") }), "log(1\u2212a)");
  assert.equal(show(op("sigma", v("z")), { z: symbol("z") }), "\u03c3(z)");
});

test("a piecewise function shows every case, with the numbers substituted", () => {
  const step = { op: "cases", args: [n(1), op(">", v("z"), n(0)), n(0)] };
  assert.equal(show(step, { z: symbol("z") }), "{1 if\u00a0z>0; 0 otherwise}");
  assert.equal(show(step, { z: 0.3 }), "{1 if\u00a00.3>0; 0 otherwise}");
});

test("a sum over k stays a sum sign with symbols and is written out with numbers", () => {
  const sum = { op: "sum", index: "k", args: [op("*", v("g", "k"), v("a", "k"))] };
  const jacobian = op("*", v("a", "j"), op("-", v("g", "j"), sum));
  const symbols = { a: symbol("a"), g: symbol("g") };
  assert.equal(show(jacobian, symbols), "aj\u00b7(gj\u2212\u2211_kgk\u00b7ak)");
  const values = { a: [0.2, 0.8], g: [1, -1], j: 1 };
  assert.equal(show(jacobian, values), "0.8\u00d7(\u22121\u2212(1\u00d70.2+(\u22121\u00d70.8)))");
  const long = { a: [1, 2, 3, 4, 5], g: [1, 1, 1, 1, 1], j: 0 };
  assert.equal(show(sum, long), "1\u00d71+1\u00d72+\u22ef+1\u00d75");
});

test("an unindexed variable takes the number of the neuron the formula is about", () => {
  assert.equal(show(SIGMOID_PRIME, { a: [0.1, 0.25], j: 1 }), "0.25\u00d7(1\u22120.25)");
});

test("an unknown operator or a missing variable is an error, not a wrong formula", () => {
  assert.throws(() => show(op("erf", v("z")), { z: 1 }), /unknown operator erf/);
  assert.throws(() => show(SIGMOID, { a: 1 }), /no value for z/);
});
