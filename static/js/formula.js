// Formulas as MathML: an expression tree of GET /api/v1/functions (see app/engine/formulas.py)
// drawn with its variables as symbols, or replaced by numbers. It draws; it never computes:
// the value printed after "=" always comes from the API's trace.

import { math } from "./svg.js";

const MINUS = "\u2212";
const FUNCTIONS = { log: "log", tanh: "tanh", sign: "sign" }; // written name(argument)
const RELATIONS = { ">": ">", "<=": "\u2264" };

/**
 * An mrow for `tree`. `values` maps each variable name to
 *   - a function (index) => MathML node: the variable's symbol (index "j", "k" or undefined);
 *   - a number: the variable is shown as that number;
 *   - an array of numbers, one per neuron of the layer: the variable is shown as the number
 *     of neuron values.j (the one the formula is about), or of the neuron its index stands
 *     for ({"var": "a", "index": "k"} inside a sum over k), and a sum is written term by term.
 * `number(x)` makes the node of a number (default: an mn with the number as it is).
 */
export function formula(tree, values, { number = (x) => math("mn", {}, String(x)) } = {}) {
  const numeric = Object.values(values).some((v) => typeof v === "number" || Array.isArray(v));
  return draw(tree, { values, number, numeric }).node;
}

/**
 * {node, kind}; kind says how it binds, and so when it needs brackets: "atom", "neg" (starts
 * with a minus), "product", "sum", "call" (log a, without brackets) or "big" (a sum sign).
 */
function draw(tree, ctx) {
  if ("num" in tree) return shown(tree.num, ctx);
  if ("var" in tree) return variable(tree, ctx);
  if (tree.op === "sum") return sum(tree, ctx); // its term is drawn once for each k
  const args = tree.args.map((arg) => draw(arg, ctx));
  const [first, second] = args;
  switch (tree.op) {
    case "+": {
      const terms = args.map((term, i) => (i ? [op("+"), wrap(term, ["neg"])] : term.node));
      return { node: row(terms.flat()), kind: "sum" };
    }
    case "-":
      return { node: row([first.node, op(MINUS), wrap(second, ["sum", "neg"])]), kind: "sum" };
    case "*":
      return product(args, ctx);
    case "/":
      return { node: math("mfrac", {}, row([first.node]), row([second.node])), kind: "atom" };
    case "pow": {
      const base = wrap(first, ["sum", "neg", "big", "product", "call"]);
      return { node: math("msup", {}, base, row([second.node])), kind: "atom" };
    }
    case "neg":
      return { node: row([op(MINUS), wrap(first, ["sum", "neg"])]), kind: "neg" };
    case "exp":
      return { node: math("msup", {}, math("mi", {}, "e"), row([first.node])), kind: "atom" };
    case "sigma":
      return call("\u03c3", [first], true);
    case "max":
      return call("max", [first, second], true);
    case "abs":
      return { node: row([op("|"), first.node, op("|")]), kind: "atom" };
    case "cases":
      return cases(args);
    default:
      if (tree.op in RELATIONS) return { node: row([first.node, op(RELATIONS[tree.op]), second.node]), kind: "sum" };
      if (tree.op in FUNCTIONS) return call(FUNCTIONS[tree.op], [first], !(first.kind === "atom" && first.symbol));
      throw new Error(`unknown operator ${tree.op}`);
  }
}

function shown(x, ctx) {
  return { node: ctx.number(x), kind: typeof x === "number" && x < 0 ? "neg" : "atom" };
}

function variable(tree, ctx) {
  const value = ctx.values[tree.var];
  if (typeof value === "function") return { node: value(tree.index), kind: "atom", symbol: true };
  if (Array.isArray(value)) return shown(value[ctx.values[tree.index ?? "j"]], ctx);
  if (value === undefined) throw new Error(`no value for ${tree.var}`);
  return shown(value, ctx);
}

/** Factors side by side (a (1 − a)), or with × between them once numbers stand in. */
function product(factors, ctx) {
  const nodes = [];
  factors.forEach((factor, i) => {
    const last = i === factors.length - 1;
    // a sum, a minus after the first factor, and "log a" before another factor need brackets
    const bracket = ["sum"].concat(i ? ["neg"] : [], last ? [] : ["call"]);
    if (i && (ctx.numeric || startsWithNumber(factor))) nodes.push(op("\u00d7"));
    else if (i) nodes.push(op("\u2062"), ...(factor.named ? [thinSpace()] : [])); // y log a
    nodes.push(wrap(factor, bracket));
  });
  return { node: row(nodes), kind: factors[0].kind === "neg" ? "neg" : "product" };
}

function startsWithNumber(drawn) {
  return drawn.node.localName === "mn";
}

/** name(args), or name arg (log a) with the thin space a textbook leaves. */
function call(name, args, brackets) {
  const inside = [];
  args.forEach((arg, i) => inside.push(...(i ? [op(",")] : []), arg.node));
  const applied = [math("mi", {}, name), op("\u2061")];
  const node = row(brackets ? [...applied, op("("), ...inside, op(")")] : [...applied, thinSpace(), ...inside]);
  return { node, kind: brackets ? "atom" : "call", named: name.length > 1 };
}

function thinSpace() {
  return math("mspace", { width: "0.1667em" });
}

/** { value  if condition / value  otherwise, as a textbook writes a piecewise function. */
function cases(args) {
  const rows = [];
  for (let i = 0; i + 1 < args.length; i += 2) {
    rows.push([args[i].node, row([math("mtext", {}, "if\u00a0"), args[i + 1].node])]);
  }
  rows.push([args.at(-1).node, math("mtext", {}, "otherwise")]);
  const table = math(
    "mtable",
    { class: "cases", columnalign: "left left" },
    rows.map((cells) => math("mtr", {}, cells.map((cell) => math("mtd", {}, cell)))),
  );
  return { node: row([math("mo", { stretchy: "true" }, "{"), table]), kind: "atom" };
}

/** Σ_k body; with numbers for the indexed variables, the terms one by one (a long sum elided). */
function sum(tree, ctx) {
  const index = tree.index;
  const length = Object.values(ctx.values).find(Array.isArray)?.length;
  if (length === undefined) {
    const sigma = math("munder", {}, math("mo", {}, "\u2211"), math("mi", {}, index));
    return { node: row([sigma, wrap(draw(tree.args[0], ctx), ["sum"])]), kind: "big" };
  }
  const term = (k) => draw(tree.args[0], { ...ctx, values: { ...ctx.values, [index]: k } });
  const shownTerms = length <= 4 ? [...Array(length).keys()] : [0, 1, null, length - 1];
  const nodes = [];
  shownTerms.forEach((k, i) => {
    if (i) nodes.push(op("+"));
    nodes.push(k === null ? math("mi", {}, "\u22ef") : wrap(term(k), ["neg"]));
  });
  return { node: row(nodes), kind: length > 1 ? "sum" : "atom" };
}

function wrap(drawn, kinds) {
  return kinds.includes(drawn.kind) ? row([op("("), drawn.node, op(")")]) : drawn.node;
}

function row(nodes) {
  return math("mrow", {}, ...nodes);
}

function op(text) {
  return math("mo", {}, text);
}
