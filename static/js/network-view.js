// The network diagram: drawn once per architecture, then only attributes change.

import { alongEdge, edgeWidth, layoutNetwork, neuronName, weightName } from "./layout.js";
import { clear, setAttrs, setText, svg } from "./svg.js";

const LABELLED_EDGES = 9; // up to this many edges every edge carries its value as text
const FOCUSABLE_EDGES = 64; // beyond this, edges are reached through the numbers table

export class NetworkView extends EventTarget {
  constructor(root, overlay) {
    super();
    this.root = root;
    this.overlay = overlay; // its own compositing layer: moving pulses do not repaint the network
    this.layout = null;
    root.addEventListener("click", (event) => this.picked(event));
    root.addEventListener("keydown", (event) => {
      if ((event.key === "Enter" || event.key === " ") && this.targetOf(event)) {
        event.preventDefault();
        event.stopPropagation();
        this.picked(event);
      }
    });
  }

  /** Draw every neuron, edge, label and pulse for layer_sizes (only when the shape changes). */
  draw(layerSizes) {
    const tallest = Math.max(...layerSizes);
    const height = Math.max(460, Math.min(600, tallest * 70 + 112));
    const layout = layoutNetwork(layerSizes, { width: 960, height });
    this.layout = layout;
    this.sizes = layerSizes;
    clear(this.root);
    clear(this.overlay);
    setAttrs(this.root, { viewBox: `0 0 ${layout.width} ${layout.height}` });
    setAttrs(this.overlay, { viewBox: `0 0 ${layout.width} ${layout.height}` });
    const edgeGroup = svg("g", { class: "edges" }, this.root);
    const pulseGroup = svg("g", { class: "pulses" }, this.overlay);
    const neuronGroup = svg("g", { class: "neurons" }, this.root);
    const labelGroup = svg("g", { class: "edge-labels", "aria-hidden": "true" }, this.root);
    const labelled = layout.edges.length <= LABELLED_EDGES;
    const focusable = layout.edges.length <= FOCUSABLE_EDGES;
    this.labelled = labelled;
    this.edges = layerSizes.slice(1).map((n, i) => Array.from({ length: n }, () => new Array(layerSizes[i])));
    for (const edge of layout.edges) {
      const a = layout.neurons[edge.layer - 1][edge.from];
      const b = layout.neurons[edge.layer][edge.to];
      const name = weightName(layerSizes, edge.layer, edge.to, edge.from);
      const g = svg("g", {
        class: "edge",
        "data-layer": edge.layer,
        "data-from": edge.from,
        "data-to": edge.to,
        "data-name": name,
        role: "button",
        tabindex: focusable ? "0" : "-1",
      }, edgeGroup);
      const coords = { x1: a.x, y1: a.y, x2: b.x, y2: b.y };
      svg("polygon", { class: "hit", points: hitArea(a, b, 6) }, g);
      const line = svg("line", { class: "stroke", ...coords }, g);
      const at = alongEdge(layout, edge, 0.3);
      const label = svg("text", { class: "edge-label", x: at.x, y: at.y - 6, "text-anchor": "middle" }, labelGroup);
      const pulse = svg("circle", { class: "pulse", r: 4, cx: a.x, cy: a.y, visibility: "hidden" }, pulseGroup);
      this.edges[edge.layer - 1][edge.to][edge.from] = { g, line, label, pulse, name, edge };
    }
    const r = layout.radius;
    this.neurons = layout.neurons.map((column, l) =>
      column.map((p, j) => {
        const name = neuronName(layerSizes, l, j);
        const g = svg("g", {
          class: "neuron",
          "data-layer": l,
          "data-index": j,
          "data-name": name,
          role: "button",
          tabindex: "0",
          transform: `translate(${p.x} ${p.y})`,
        }, neuronGroup);
        svg("circle", { class: "backdrop", r }, g);
        const body = svg("circle", { class: "body", r }, g);
        const ring = svg("circle", { class: "ring", r: r + 3.5, visibility: "hidden" }, g);
        const value = svg("text", { class: "value", "text-anchor": "middle", dy: "0.35em" }, g);
        const tag = svg("text", { class: "tag", "text-anchor": "middle", y: -r - 7 }, g);
        tag.textContent = name;
        const sub = svg("text", { class: "sub", "text-anchor": "middle", y: r + 18 }, g);
        if (r < 14) setAttrs(sub, { visibility: "hidden" });
        return { g, body, ring, value, sub, name };
      }),
    );
    this.compact = r < 20 || tallest > 5;
    this.root.classList.toggle("compact", this.compact);
    if (this.compact) {
      // small neurons: one title per column instead of a name above every neuron
      const titles = svg("g", { class: "column-titles", "aria-hidden": "true" }, this.root);
      layout.neurons.forEach((column, l) => {
        const top = Math.min(...column.map((p) => p.y)) - r - 10;
        const text = l === 0 ? "input" : l === layerSizes.length - 1 ? "output" : `hidden ${l}`;
        svg("text", { class: "column-title", x: column[0].x, y: top, "text-anchor": "middle" }, titles).textContent = text;
      });
    }
  }

  neuron(l, j) {
    return this.neurons[l][j];
  }

  edge(l, j, k) {
    return this.edges[l - 1][j][k];
  }

  /** A neuron's look: fill by value (sign by hue and by the number), text, sub line, delta ring. */
  setNeuron(l, j, { value, text, sub, ring, label }) {
    const n = this.neurons[l][j];
    setAttrs(n.body, signAttrs(value, 1));
    setText(n.value, text);
    setText(n.sub, sub);
    if (ring === null || ring === undefined) setAttrs(n.ring, { visibility: "hidden" });
    else setAttrs(n.ring, { visibility: "visible", class: `ring ${signClass(ring)}` });
    setAttrs(n.g, { "aria-label": label });
  }

  /** An edge's look: width and hue from the weight, dashes when negative, and its value. */
  setEdge(l, j, k, { value, shown, scale, text, label }) {
    const e = this.edges[l - 1][j][k];
    const selected = e.g.classList.contains("selected");
    setAttrs(e.line, { "stroke-width": this.width(shown, scale).toFixed(2), class: `stroke ${signClass(shown)}` });
    if (value !== undefined) setAttrs(e.g, { "data-value": String(value) });
    setText(e.label, this.labelled || selected ? text : "");
    setAttrs(e.g, { "aria-label": label });
  }

  /** Stroke width of a weight; thinner in a crowded diagram. */
  width(value, scale) {
    return edgeWidth(value, scale, this.compact ? { min: 0.75, max: 4 } : undefined);
  }

  /** Move the pulses of one edge layer to fraction t (backward: from target to source). */
  setPulses(layer, t, backward) {
    for (const row of this.edges[layer - 1]) {
      for (const e of row) {
        const p = alongEdge(this.layout, e.edge, backward ? 1 - t : t);
        setAttrs(e.pulse, { cx: p.x.toFixed(1), cy: p.y.toFixed(1), visibility: "visible" });
      }
    }
  }

  hidePulses() {
    for (const layer of this.edges) for (const row of layer) for (const e of row) {
      setAttrs(e.pulse, { visibility: "hidden" });
    }
  }

  /** Mark the selected neuron or edge (and the layer being computed). */
  highlight(selection) {
    for (const node of this.root.querySelectorAll(".selected")) node.classList.remove("selected");
    if (!selection) return;
    const target = selection.kind === "edge"
      ? this.edges[selection.layer - 1]?.[selection.to]?.[selection.from]?.g
      : this.neurons[selection.layer]?.[selection.index]?.g;
    target?.classList.add("selected");
  }

  setActiveLayer(layer) {
    for (const column of this.neurons) for (const n of column) n.g.classList.remove("active");
    if (layer === null) return;
    for (const n of this.neurons[layer] ?? []) n.g.classList.add("active");
  }

  targetOf(event) {
    return event.target.closest?.(".neuron, .edge");
  }

  picked(event) {
    const target = this.targetOf(event);
    if (!target) return;
    const layer = Number(target.dataset.layer);
    const selection = target.classList.contains("edge")
      ? { kind: "edge", layer, from: Number(target.dataset.from), to: Number(target.dataset.to) }
      : { kind: "neuron", layer, index: Number(target.dataset.index) };
    this.dispatchEvent(new CustomEvent("select", { detail: selection }));
  }
}

/** A thin quadrilateral around the segment a-b: easy to click, and it has an area. */
function hitArea(a, b, half) {
  const length = Math.hypot(b.x - a.x, b.y - a.y) || 1;
  const nx = (-(b.y - a.y) / length) * half;
  const ny = ((b.x - a.x) / length) * half;
  const p = (x, y) => `${x.toFixed(1)},${y.toFixed(1)}`;
  return [p(a.x + nx, a.y + ny), p(b.x + nx, b.y + ny), p(b.x - nx, b.y - ny), p(a.x - nx, a.y - ny)].join(" ");
}

export function signClass(value) {
  if (value === null || value === undefined || !Number.isFinite(value) || value === 0) return "zero";
  return value > 0 ? "pos" : "neg";
}

function signAttrs(value, scale) {
  if (value === null || value === undefined || !Number.isFinite(value)) {
    return { class: "body empty", "fill-opacity": "1" };
  }
  const strength = Math.min(1, Math.abs(value) / scale);
  return { class: `body ${signClass(value)}`, "fill-opacity": (0.1 + 0.45 * strength).toFixed(3) };
}
