// Small DOM helpers: nodes are made with createElementNS and text goes in with textContent.

export const SVG_NS = "http://www.w3.org/2000/svg";
export const MATHML_NS = "http://www.w3.org/1998/Math/MathML";

/** An SVG element with attributes, appended to parent when given. */
export function svg(tag, attrs = {}, parent = null) {
  return make(SVG_NS, tag, attrs, parent);
}

/** An HTML element with attributes (and text), appended to parent when given. */
export function html(tag, attrs = {}, parent = null, text = null) {
  const node = make(null, tag, attrs, parent);
  if (text !== null) node.textContent = text;
  return node;
}

/** A MathML element with attributes; children may be nodes or strings (as text). */
export function math(tag, attrs = {}, ...children) {
  const node = make(MATHML_NS, tag, attrs, null);
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

function make(ns, tag, attrs, parent) {
  const node = ns ? document.createElementNS(ns, tag) : document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== null && value !== undefined && value !== false) node.setAttribute(name, value === true ? "" : value);
  }
  if (parent) parent.append(node);
  return node;
}

/** Set attributes only when they change (cheap per-frame updates). */
export function setAttrs(node, attrs) {
  for (const [name, value] of Object.entries(attrs)) {
    const text = String(value);
    if (node.getAttribute(name) !== text) node.setAttribute(name, text);
  }
}

/** Remove every child of a node. */
export function clear(node) {
  node.replaceChildren();
  return node;
}
