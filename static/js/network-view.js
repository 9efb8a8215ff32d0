// The network diagram: drawn once per architecture, then only attributes change.

import { alongEdge, edgeWidth, layoutNetwork, neuronName, weightName } from "./layout.js";
import { clear, setAttrs, svg } from "./svg.js";

const LABELLED_EDGES = 9; // up to this many edges every edge carries its value as text
const FOCUSABLE_EDGES = 64; // beyond this, edges are reached through the numbers table

export class NetworkView extends EventTarget {
  constructor(root, overlay) {
    super();
    this.root = root;
    this.overlay = overlay; // its own compositing layer: moving pulses do not repaint the network
    this.layout = null;
    this.moving = []; // the running pulse animations
    this.activeLayer = null;
    this.selected = null; // the record of the selected neuron or edge
    root.addEventListener("click", (event) => this.picked(event));
    root.addEventListener("keydown", (event) => {
      if ((event.key === "Enter" || event.key === " ") && this.targetOf(event)) {
        event.preventDefault();
        event.stopPropagation();
        this.picked(event);
      }
    });
  }

  /** Draw every neuron and edge for layer_sizes (only when the shape changes). */
  draw(layerSizes) {
    const tallest = Math.max(...layerSizes);
    const height = Math.max(460, Math.min(600, tallest * 70 + 112));
    const layout = layoutNetwork(layerSizes, { width: 960, height });
    this.layout = layout;
    this.sizes = layerSizes;
    this.hidePulses();
    this.activeLayer = null;
    this.selected = null;
    clear(this.root);
    clear(this.overlay);
    setAttrs(this.root, { viewBox: `0 0 ${layout.width} ${layout.height}` });
    setAttrs(this.overlay, { viewBox: `0 0 ${layout.width} ${layout.height}` });
    // built while detached, then inserted at once: one style and layout pass for the lot.
    // Layer by layer, its neurons then the edges leaving them: the tab order follows the
    // forward pass; edges stop short of the neurons, so that none is drawn over one.
    const layers = layerSizes.map((_, l) => [
      svg("g", { class: "neurons", "data-layer": l }),
      svg("g", { class: "edges", "data-layer": l + 1 }),
    ]);
    this.labelGroup = svg("g", { class: "edge-labels", "aria-hidden": "true" });
    this.pulseGroup = svg("g", { class: "pulses" }, this.overlay);
    this.pulses = []; // circles for the busiest layer, made when first needed
    const labelled = layout.edges.length <= LABELLED_EDGES;
    const focusable = layout.edges.length <= FOCUSABLE_EDGES;
    this.labelled = labelled;
    this.edges = layerSizes.slice(1).map((n, i) => Array.from({ length: n }, () => new Array(layerSizes[i])));
    // every edge is a copy of one template: cloning is cheaper than building 344 of them
    const template = svg("g", { class: "edge", role: "button", tabindex: focusable ? "0" : "-1" });
    svg("polygon", { class: "hit" }, template);
    svg("line", { class: "stroke" }, template);
    const gap = layout.radius + 6; // clear of the neuron and its delta ring
    for (const edge of layout.edges) {
      const a = alongEdge(layout, edge, 0, gap);
      const b = alongEdge(layout, edge, 1, gap);
      const name = weightName(layerSizes, edge.layer, edge.to, edge.from);
      const g = template.cloneNode(true);
      const [hit, line] = g.children;
      setNew(g, { "data-layer": edge.layer, "data-from": edge.from, "data-to": edge.to, "data-name": name });
      setNew(hit, { points: hitArea(a, b, 6) });
      setNew(line, { x1: a.x, y1: a.y, x2: b.x, y2: b.y });
      layers[edge.layer - 1][1].append(g);
      // shown: the last attribute values written, so that unchanged ones are not written again
      const record = { g, line, label: null, name, edge, shown: {}, text: "" };
      // a crowded diagram labels only the selected edge: its label is made when first needed
      if (labelled) this.labelOf(record);
      this.edges[edge.layer - 1][edge.to][edge.from] = record;
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
        }, layers[l][0]);
        // focus is a square around the neuron: never mistaken for the round delta ring
        const side = 2 * r + 12;
        svg("rect", { class: "focus", x: -side / 2, y: -side / 2, width: side, height: side, rx: 3 }, g);
        svg("circle", { class: "backdrop", r }, g);
        const body = svg("circle", { class: "body", r }, g);
        const ring = svg("circle", { class: "ring", r: r + 3.5, visibility: "hidden" }, g);
        // the texts in reading order, apart: the visible words are those its label starts with
        const tag = svg("text", { class: "tag", "text-anchor": "middle", y: -r - 7 }, g);
        tag.textContent = name;
        g.append(" ");
        const value = svg("text", { class: "value", "text-anchor": "middle", dy: "0.35em" }, g);
        g.append(" ");
        const sub = svg("text", { class: "sub", "text-anchor": "middle", y: r + 18 }, g);
        if (r < 14) setAttrs(sub, { visibility: "hidden" });
        return { g, body, ring, value, sub, name, shown: {} };
      }),
    );
    this.root.append(...layers.flat().slice(0, -1), this.labelGroup);
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
    const fill = signAttrs(value, 1);
    write(n, n.body, "class", fill.class);
    write(n, n.body, "fill-opacity", fill["fill-opacity"]);
    writeText(n, n.value, "value", text);
    writeText(n, n.sub, "sub", sub);
    const hidden = ring === null || ring === undefined;
    write(n, n.ring, "visibility", hidden ? "hidden" : "visible");
    if (!hidden) write(n, n.ring, "ring-class", `ring ${signClass(ring)}`, "class");
    write(n, n.g, "aria-label", label);
  }

  /** An edge's look: width and hue from the weight, dashes when negative, and its value. */
  setEdge(l, j, k, { value, shown, scale, text, label }) {
    const e = this.edges[l - 1][j][k];
    this.setWidth(e, shown, scale);
    write(e, e.line, "class", `stroke ${signClass(shown)}`);
    if (value !== undefined) write(e, e.g, "data-value", String(value));
    e.text = text;
    this.showLabel(e);
    write(e, e.g, "aria-label", label);
  }

  /** An edge's value as text beside it: on every edge of a small diagram, else on the selected one. */
  showLabel(e) {
    const text = this.labelled || e === this.selected ? e.text : "";
    if (text || e.label) writeText(e, this.labelOf(e), "label", text);
  }

  labelOf(e) {
    if (!e.label) {
      const at = alongEdge(this.layout, e.edge, 0.3);
      e.label = svg("text", { class: "edge-label", x: at.x, y: at.y - 6, "text-anchor": "middle" }, this.labelGroup);
    }
    return e.label;
  }

  /** Only the stroke width of an edge (the update morph, every frame). */
  setWidth(e, value, scale) {
    write(e, e.line, "stroke-width", this.width(value, scale).toFixed(2));
  }

  /** Stroke width of a weight; thinner in a crowded diagram. */
  width(value, scale) {
    return edgeWidth(value, scale, this.compact ? { min: 0.75, max: 4 } : undefined);
  }

  /**
   * Send a pulse along every edge of one layer in `duration` ms (backward: from target to
   * source). Transform animations: the browser moves them without repainting the network.
   */
  playPulses(layer, duration, backward = false) {
    this.hidePulses();
    const edges = (this.edges[layer - 1] ?? []).flat();
    while (this.pulses.length < edges.length) {
      this.pulses.push(svg("circle", { class: "pulse", r: 4, visibility: "hidden" }, this.pulseGroup));
    }
    // from the edge of one neuron to the edge of the next, fading out as it arrives: a pulse
    // never covers a neuron's numbers
    const gap = this.layout.radius + 4;
    edges.forEach((e, i) => {
      const from = alongEdge(this.layout, e.edge, backward ? 1 : 0, gap);
      const to = alongEdge(this.layout, e.edge, backward ? 0 : 1, gap);
      const pulse = this.pulses[i]; // at the origin, moved by its transform
      pulse.setAttribute("visibility", "visible");
      const keyframes = [
        { transform: translate(from), opacity: 1 },
        { transform: translate(to), opacity: 1, offset: 0.85 },
        { transform: translate(to), opacity: 0 },
      ];
      this.moving.push({ pulse, animation: pulse.animate(keyframes, { duration, fill: "both" }) });
    });
  }

  hidePulses() {
    for (const { pulse, animation } of this.moving) {
      animation.cancel();
      pulse.setAttribute("visibility", "hidden");
    }
    this.moving = [];
  }

  /** Mark the selected neuron or edge (a selected edge shows its value from its next paint on). */
  highlight(selection) {
    const target = !selection
      ? null
      : selection.kind === "edge"
        ? this.edges?.[selection.layer - 1]?.[selection.to]?.[selection.from]
        : this.neurons?.[selection.layer]?.[selection.index];
    if (target === this.selected && (!target || target.g.classList.contains("selected"))) return;
    for (const node of this.root.querySelectorAll(".selected")) node.classList.remove("selected");
    this.selected = target ?? null;
    target?.g.classList.add("selected");
  }

  /** Outline the neurons of the layer being computed (null: none). */
  setActiveLayer(layer) {
    if (layer === this.activeLayer) return;
    for (const n of this.neurons?.[this.activeLayer] ?? []) n.g.classList.remove("active");
    for (const n of this.neurons?.[layer] ?? []) n.g.classList.add("active");
    this.activeLayer = layer;
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

/** Attributes of a node just made (nothing to compare with). */
function setNew(node, attrs) {
  for (const name in attrs) node.setAttribute(name, attrs[name]);
}

/** Set an attribute unless the record says it already has this value (no DOM read). */
function write(record, node, key, value, name = key) {
  if (record.shown[key] === value) return;
  record.shown[key] = value;
  node.setAttribute(name, value);
}

/** Set a text unless the record says it is already shown. */
function writeText(record, node, key, text) {
  if (record.shown[key] === text) return;
  record.shown[key] = text;
  node.textContent = text;
}

function translate({ x, y }) {
  return `translate(${x.toFixed(1)}px, ${y.toFixed(1)}px)`;
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
