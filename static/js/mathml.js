// Small MathML builders for the Inspector: symbols, fractions, and equations aligned on "=".

import { html, math } from "./svg.js";

export const mi = (text) => math("mi", {}, text);
export const mo = (text) => math("mo", {}, text);
export const eq = () => mo("=");
export const plus = () => mo("+");
export const minus = () => mo("\u2212");
export const times = () => mo("\u00d7");
export const dot = () => mo("\u00b7");
export const gets = () => mo("\u2190");
export const sub = (base, index) => math("msub", {}, typeof base === "string" ? mi(base) : base, mi(index));
export const paren = (parts) => math("mrow", {}, mo("("), ...parts.map(number), mo(")"));
export const frac = (top, bottom) => math("mfrac", {}, cell(top), cell(bottom));
export const partial = (what, by) => frac(["\u2202", what], ["\u2202", by]); // ∂what/∂by
export const dEda = (name) => partial("E", sub("a", name));
export const slope = (name) => [mi("f\u2032"), paren([sub("z", name)])];
export const delta = (name) => sub("\u03b4", name);

const number = (part) => (typeof part === "string" ? math("mn", {}, part) : part);

/** One part of a fraction: "1" (a number), "∂E" (a name), or [strings and nodes] in a row. */
function cell(part) {
  if (Array.isArray(part)) return math("mrow", {}, ...part.map((p) => (typeof p === "string" ? mi(p) : p)));
  if (typeof part !== "string") return part;
  return math("mrow", {}, /^[0-9]+$/.test(part) ? math("mn", {}, part) : mi(part));
}

const RELATIONS = new Set(["=", "\u2190"]);

/**
 * Lines of an equation as one block, aligned on their first "=" (or "←"): each line is a list
 * of nodes; a line that starts with "=" continues the one above it. A grid of three columns
 * (what is computed, "=", how), one math element to a cell: MathML Core draws a cell's
 * contents at its start, so a table inside one math element could not right-align the left.
 */
export function aligned(lines) {
  const grid = html("div", { class: "aligned" });
  for (const parts of lines) {
    const at = parts.findIndex((p) => p?.localName === "mo" && RELATIONS.has(p.textContent));
    const [left, relation, right] = at < 0 ? [[], null, parts] : [parts.slice(0, at), parts[at], parts.slice(at + 1)];
    grid.append(
      left.length ? math("math", { class: "left" }, ...left) : html("span", { class: "left" }),
      relation ? math("math", { class: "relation" }, relation) : html("span", { class: "relation" }),
      math("math", { class: "right" }, ...right),
    );
  }
  return grid;
}
