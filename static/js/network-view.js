// The network diagram: drawn once per architecture and width, then only attributes change.
// Laid out one unit to a CSS pixel (layout.js), so that its texts keep their size on a phone.

import { biasKey, edgeKey, neuronKey, targetKey } from "./flow.js";
import { edgeLabelBox, LINE, MONO, pulseSize, pulseWindow, textBlock } from "./labels.js";
import { alongEdge, edgeWidth, layoutNetwork, layerTitle } from "./layout.js";
import { clear, setAttrs, svg } from "./svg.js";

export class NetworkView extends EventTarget {
  constructor(root, overlay) {
    super();
    this.root = root;
    this.overlay = overlay; // its own compositing layer: moving dots do not repaint the network
    this.layout = null;
    this.moving = []; // the running pulse animations
    this.active = new Set(); // records outlined as being computed
    this.marked = new Set(); // records marked as sources
    this.selected = null; // the record of the selected neuron, edge or bias
    this.elements = new Map(); // key (flow.js) -> record
    root.addEventListener("click", (event) => this.picked(event));
    root.addEventListener("keydown", (event) => {
      if ((event.key === "Enter" || event.key === " ") && this.targetOf(event)) {
        event.preventDefault();
        event.stopPropagation();
        this.picked(event);
      }
    });
  }

  /** Draw every neuron, edge, bias and target for layer_sizes, `width` px wide. */
  draw(layerSizes, width) {
    const layout = layoutNetwork(layerSizes, { width });
    const { labels, fonts, radius: r } = layout;
    this.layout = layout;
    this.sizes = layerSizes;
    this.hidePulses();
    this.active.clear();
    this.marked.clear();
    this.selected = null;
    this.elements.clear();
    clear(this.root);
    clear(this.overlay);
    for (const node of [this.root, this.overlay]) setAttrs(node, { viewBox: `0 0 ${layout.width} ${layout.height}` });
    this.root.classList.toggle("compact", layout.compact);
    this.root.classList.toggle("down", layout.orientation === "down");
    this.compact = layout.compact;
    this.labelled = layout.labelled;
    // built while detached, then inserted at once: one style and layout pass for the lot.
    // Layer by layer in the tab order: the weights into a layer, its biases, its neurons
    // (z = W a + b, then a = f(z)); edges stop short of the neurons, so that none is drawn over one.
    const groups = layerSizes.map((_, l) => ({
      edges: svg("g", { class: "edges", "data-layer": l }),
      biases: svg("g", { class: "biases", "data-layer": l }),
      neurons: svg("g", { class: "neurons", "data-layer": l }),
    }));
    // a crowded diagram labels only the selected edge, on top of everything
    this.labelGroup = svg("g", { class: "edge-labels", "aria-hidden": "true" });
    this.pulseGroup = svg("g", { class: "pulses" }, this.overlay);
    this.dots = []; // circles for the busiest layer, made when first needed
    this.edges = layerSizes.slice(1).map((n, i) => Array.from({ length: n }, () => new Array(layerSizes[i])));
    // every edge is a copy of one template: cloning is cheaper than building 344 of them
    const template = svg("g", { class: "edge", role: "button", tabindex: layout.focusable ? "0" : "-1" });
    svg("polygon", { class: "hit" }, template);
    svg("line", { class: "casing" }, template);
    svg("line", { class: "stroke" }, template);
    for (const segment of layout.segments) {
      const { layer, from, to, name, a, b } = segment;
      const g = template.cloneNode(true);
      const [hit, casing, line] = g.children;
      setNew(g, { "data-layer": layer, "data-from": from, "data-to": to, "data-name": name });
      setNew(hit, { points: hitArea(a, b, 6) });
      for (const node of [casing, line]) setNew(node, { x1: a.x, y1: a.y, x2: b.x, y2: b.y });
      groups[layer].edges.append(g);
      // shown: the last attribute values written, so that unchanged ones are not written again
      const record = { g, line, label: null, name, segment, shown: {}, lines: [] };
      const box = labels.edge[`${layer}:${to}:${from}`];
      if (box) record.box = box;
      if (layout.labelled) this.labelOf(record);
      this.edges[layer - 1][to][from] = record;
      this.elements.set(edgeKey(layer, to, from), record);
    }
    this.neurons = layout.neurons.map((column, l) =>
      column.map((p, j) => {
        const name = layout.names[l][j];
        const g = svg("g", {
          class: "neuron", "data-layer": l, "data-index": j, "data-name": name,
          role: "button", tabindex: "0", transform: `translate(${p.x} ${p.y})`,
        }, groups[l].neurons);
        // focus is a square around the neuron, a source four arrowheads: never a ring like delta's
        const side = 2 * r + 12;
        svg("rect", { class: "focus", x: -side / 2, y: -side / 2, width: side, height: side, rx: 3 }, g);
        svg("path", { class: "source-mark", d: arrowheads(r) }, g);
        svg("circle", { class: "backdrop", r }, g);
        const body = svg("circle", { class: "body", r }, g);
        const ring = svg("circle", { class: "ring", r: r + 3.5, visibility: "hidden" }, g);
        // the texts in reading order, apart: the visible words are those its label starts with
        const at = (box) => box && { x: box.x + box.width / 2 - p.x, y: box.y + box.height / 2 - p.y };
        const text = (cls, box, font) => {
          const spot = at(box) ?? { x: 0, y: 0 };
          return svg("text", { class: cls, x: spot.x, y: spot.y, "font-size": font, "text-anchor": "middle", "dominant-baseline": "central" }, g);
        };
        if (!layout.compact) {
          text("tag", labels.tag[l]?.[j], fonts.tag).textContent = name;
          g.append(" ");
        }
        const value = text("value", labels.value[l][j], fonts.value);
        g.append(" ");
        const sub = text("sub", labels.sub[l]?.[j], fonts.sub);
        if (layout.compact || l === 0) setAttrs(sub, { visibility: "hidden" });
        const record = { g, body, ring, value, sub, name, shown: {} };
        this.elements.set(neuronKey(l, j), record);
        return record;
      }),
    );
    this.biases = labels.bias.map((column, l) =>
      (column ?? []).map((chip, j) => {
        const name = layout.names[l][j];
        // the stub that joins it to its neuron lies outside it: the chip alone is what is clicked
        svg("line", { class: "stub", x1: chip.stub.a.x, y1: chip.stub.a.y, x2: chip.stub.b.x, y2: chip.stub.b.y, "aria-hidden": "true" }, groups[l].biases);
        const g = svg("g", {
          class: "bias", "data-layer": l, "data-index": j, "data-name": `b ${name}`,
          role: "button", tabindex: "0",
        }, groups[l].biases);
        const { box } = chip;
        svg("rect", { class: "focus", x: box.x - 4, y: box.y - 4, width: box.width + 8, height: box.height + 8, rx: 3 }, g);
        const rect = svg("rect", { class: "chip", x: box.x, y: box.y, width: box.width, height: box.height, rx: 3 }, g);
        const text = box.mark ? null : svg("text", {
          x: box.x + box.width / 2, y: box.y + box.height / 2, "font-size": fonts.bias,
          "text-anchor": "middle", "dominant-baseline": "central",
        }, g);
        const record = { g, rect, text, name, box, shown: {} };
        this.elements.set(biasKey(l, j), record);
        return record;
      }),
    );
    const L = layerSizes.length - 1;
    const outputs = svg("g", { class: "outputs" });
    this.targets = labels.target.map((chip, o) => {
      const g = svg("g", { class: "target", "data-index": o, "aria-hidden": "true", visibility: "hidden" }, outputs);
      svg("line", { class: "connector", x1: chip.stub.a.x, y1: chip.stub.a.y, x2: chip.stub.b.x, y2: chip.stub.b.y }, g);
      const { box } = chip;
      const rect = svg("rect", { class: "chip", x: box.x, y: box.y, width: box.width, height: box.height, rx: 3 }, g);
      const text = svg("text", { x: box.x + box.width / 2, y: box.y + box.height / 2, "font-size": fonts.target, "text-anchor": "middle", "dominant-baseline": "central" }, g);
      const lossBox = labels.loss[o];
      const loss = svg("text", {
        class: "loss-term", "data-index": o, "aria-hidden": "true", visibility: "hidden", "font-size": fonts.loss,
        x: lossBox.x + lossBox.width / 2, y: lossBox.y + lossBox.height / 2, "text-anchor": "middle", "dominant-baseline": "central",
      }, outputs);
      const record = { g, rect, text, loss, box, shown: {} };
      this.elements.set(targetKey(o), record);
      return record;
    });
    this.total = { g: svg("text", { class: "loss-total", visibility: "hidden", "font-size": fonts.total }, outputs), box: labels.total, shown: {} };
    if (layout.compact) {
      // small neurons: one title per layer instead of a name beside every neuron
      const titles = svg("g", { class: "column-titles", "aria-hidden": "true" });
      labels.title.forEach((box, l) => {
        const attrs = { class: "column-title", x: box.x + box.width / 2, y: box.y + box.height / 2, "font-size": fonts.title, "text-anchor": "middle", "dominant-baseline": "central" };
        svg("text", attrs, titles).textContent = layerTitle(layerSizes, l);
      });
      this.root.append(titles);
    }
    this.root.append(
      ...groups.flatMap((g, l) => (l === 0 ? [g.neurons] : [g.edges, g.biases, g.neurons])),
      outputs, this.labelGroup,
    );
    // a crowded diagram says where a weight's numbers are: in the band kept for them
    this.hint = null;
    if (layout.band) {
      const { x, y, width, height } = layout.band;
      const attrs = { class: "band-hint", x: x + width / 2, y: y + height / 2, "font-size": fonts.edge, "text-anchor": "middle", "dominant-baseline": "central" };
      this.hint = svg("text", attrs, this.root);
      this.hint.textContent = "Choose a weight to see its numbers";
    }
    this.L = L;
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

  /** An edge's look: width and hue from the weight, dashes when negative, and its lines of text. */
  setEdge(l, j, k, { value, shown, scale, lines, label }) {
    const e = this.edges[l - 1][j][k];
    this.setWidth(e, shown, scale);
    write(e, e.line, "class", `stroke ${signClass(shown)}`);
    if (value !== undefined) write(e, e.g, "data-value", String(value));
    e.lines = lines;
    this.showLabel(e);
    write(e, e.g, "aria-label", label);
  }

  /** A bias: its number (at the phase shown) on its chip, and its sign by the chip's look. */
  setBias(l, j, { value, text, label }) {
    const b = this.biases[l][j];
    this.setBiasValue(l, j, value, () => text);
    write(b, b.g, "aria-label", label);
  }

  /**
   * Only what a bias's value sets: the chip's sign, its number `text(value)` where the chip
   * shows one, data-value (Run, every frame: its name catches up at Stop, as an edge's does).
   */
  setBiasValue(l, j, value, text) {
    const b = this.biases[l][j];
    write(b, b.g, "data-value", String(value));
    write(b, b.rect, "class", `chip ${signClass(value)}`);
    if (b.text) {
      const shown = text(value);
      writeText(b, b.text, "text", shown);
      fitChip(b, b.rect, shown, this.layout.fonts.bias);
    }
  }

  /** An output's target and its term of the loss (null: not computed yet, hidden). */
  setOutput(o, { target, targetText, loss, lossText }) {
    const t = this.targets[o];
    write(t, t.g, "visibility", target === null ? "hidden" : "visible");
    maybe(t, t.g, "data-value", target);
    writeText(t, t.text, "text", targetText);
    fitChip(t, t.rect, targetText, this.layout.fonts.target);
    write(t, t.loss, "loss-visibility", loss === null ? "hidden" : "visible", "visibility");
    maybe(t, t.loss, "loss-value", loss, "data-value");
    writeText(t, t.loss, "loss-text", lossText);
  }

  /** The loss of the shown sample and the batch's mean, or nothing (null). */
  setTotal(total) {
    const t = this.total;
    write(t, t.g, "visibility", total ? "visible" : "hidden");
    maybe(t, t.g, "data-value", total?.value ?? null);
    maybe(t, t.g, "data-mean", total?.mean ?? null);
    const key = total ? total.lines.join("\n") : "";
    if (t.shown.lines !== key) {
      t.shown.lines = key;
      setLines(t.g, t.box, total ? total.lines : [], this.layout.fonts.total);
    }
  }

  /** An edge's text beside it: on every edge of a small diagram, else on the selected one. */
  showLabel(e) {
    const lines = this.labelled || e === this.selected ? e.lines : [];
    if (!lines.length && !e.label) return;
    const key = lines.join("\n");
    if (e.shown.labelLines === key) return;
    e.shown.labelLines = key;
    const font = this.layout.fonts.edge;
    setLines(this.labelOf(e), e.box, lines, font);
    // a backing the panel's colour: the line it labels passes under it, not through it
    const block = textBlock(e.box, lines, font);
    setAttrs(e.back, { x: block.x.toFixed(1), y: block.y.toFixed(1), width: block.width.toFixed(1), height: block.height, visibility: lines.length ? "visible" : "hidden" });
  }

  /** An edge's label: on a small diagram inside the edge, so that a click on it picks the edge
   * and its pulse passes under it; on a crowded one, the selected edge's, over everything. */
  labelOf(e) {
    if (!e.label) {
      e.box ??= edgeLabelBox(this.layout, this.layout.labels, e.segment);
      const parent = this.labelled ? e.g : this.labelGroup;
      e.back = svg("rect", { class: "label-back", rx: 3 }, parent);
      e.label = svg("text", { class: "edge-label", "font-size": this.layout.fonts.edge }, parent);
    }
    return e.label;
  }

  /** Only what a weight's value sets: width, colour and dashes, data-value (Run, every frame). */
  setWeight(e, value, scale) {
    this.setWidth(e, value, scale);
    write(e, e.line, "class", `stroke ${signClass(value)}`);
    write(e, e.g, "data-value", String(value));
  }

  /**
   * Only the stroke width of an edge (the update morph, every frame). While Run redraws a
   * crowded diagram, to a tenth of a pixel: a width that moves less is not written again,
   * which spares most edges' restyling and raster each frame (Stop writes them exactly).
   */
  setWidth(e, value, scale) {
    const digits = this.root.classList.contains("running") ? 1 : 2;
    write(e, e.line, "stroke-width", this.width(value, scale).toFixed(digits));
  }

  /** Stroke width of a weight; thinner in a crowded diagram. */
  width(value, scale) {
    return edgeWidth(value, scale, this.compact ? { min: 0.75, max: 4 } : undefined);
  }

  /**
   * Send a pulse along each edge ({layer, to, from}) in `duration` ms (backward: from the
   * neuron it feeds to the one it leaves). With `texts` (one per edge), each pulse carries its
   * number; else it is a dot. Transform animations: the browser moves them without layout.
   */
  playPulses(edges, duration, backward = false, texts = null) {
    this.hidePulses();
    if (!edges.length) return;
    const layout = this.layout;
    const gap = layout.radius + 4; // from the edge of one neuron to the edge of the next
    const pills = texts && this.labelled;
    while (!pills && this.dots.length < edges.length) this.dots.push(svg("circle", { class: "pulse", r: 4, visibility: "hidden" }, this.pulseGroup));
    const ways = edges.map((edge) => ({ from: alongEdge(layout, edge, backward ? 1 : 0, gap), to: alongEdge(layout, edge, backward ? 0 : 1, gap) }));
    // a pill shows once clear of the neuron it leaves, and fades before it meets another
    const { start, end } = pills ? pulseWindow(layout, ways, pulseSize(layout)) : {};
    edges.forEach((edge, i) => {
      const { from, to } = ways[i];
      const pulse = pills ? this.pillOf(this.edge(edge.layer, edge.to, edge.from)) : this.dots[i]; // moved by its transform
      let keyframes = [
        { transform: translate(from), opacity: 1 },
        { transform: translate(to), opacity: 1, offset: 0.85 },
        { transform: translate(to), opacity: 0 },
      ];
      if (pills) {
        const [rect, text] = pulse.children;
        text.textContent = texts[i];
        const width = texts[i].length * layout.fonts.pulse * MONO + 10;
        setAttrs(rect, { x: -width / 2, width });
        const at = (t) => translate({ x: from.x + (to.x - from.x) * t, y: from.y + (to.y - from.y) * t });
        const fade = Math.max(start, end - 0.06);
        keyframes = [
          { transform: at(0), opacity: 0, offset: 0 },
          { transform: at(start), opacity: 1, offset: start },
          { transform: at(fade), opacity: 1, offset: fade },
          { transform: at(end), opacity: 0, offset: end },
          { transform: at(1), opacity: 0, offset: 1 },
        ];
      }
      pulse.setAttribute(pills ? "display" : "visibility", pills ? "inline" : "visible");
      this.moving.push({ pulse, animation: pulse.animate(keyframes, { duration, fill: "both" }) });
    });
  }

  /** The pulse of an edge of a small diagram: over its line, under its label. */
  pillOf(e) {
    if (e.pill) return e.pill;
    const g = svg("g", { class: "pill", display: "none", "aria-hidden": "true" });
    e.g.insertBefore(g, e.back ?? null);
    e.pill = g;
    const height = this.layout.fonts.pulse * LINE + 4;
    svg("rect", { y: -height / 2, height, rx: height / 2 }, g);
    svg("text", { "font-size": this.layout.fonts.pulse, "text-anchor": "middle", "dominant-baseline": "central" }, g);
    return g;
  }

  hidePulses() {
    for (const { pulse, animation } of this.moving) {
      animation.cancel();
      // a pill inside its edge takes no room when hidden: the edge's box stays its own
      if (pulse.classList.contains("pill")) pulse.setAttribute("display", "none");
      else pulse.setAttribute("visibility", "hidden");
    }
    this.moving = [];
  }

  /** Mark the selected neuron, edge or bias (a selected edge shows its value from its next paint on). */
  highlight(selection) {
    const target = this.recordOf(selection);
    if (target === this.selected && (!target || target.g.classList.contains("selected"))) return;
    for (const node of this.root.querySelectorAll(".selected")) node.classList.remove("selected");
    const before = this.selected;
    this.selected = target ?? null;
    target?.g.classList.add("selected");
    this.hint?.setAttribute("visibility", target?.segment ? "hidden" : "visible");
    if (before?.segment && !this.labelled) this.showLabel(before);
  }

  recordOf(selection) {
    if (!selection || !this.layout) return null;
    const { kind, layer: l } = selection;
    if (kind === "edge") return this.elements.get(edgeKey(l, selection.to, selection.from)) ?? null;
    if (kind === "bias") return this.elements.get(biasKey(l, selection.index)) ?? null;
    return this.elements.get(neuronKey(l, selection.index)) ?? null;
  }

  /** Mark the elements whose numbers enter the number explained or being computed (keys). */
  setSources(keys) {
    const next = new Set(keys.map((key) => this.elements.get(key)).filter(Boolean));
    for (const record of this.marked) if (!next.has(record)) record.g.classList.remove("source");
    for (const record of next) if (!this.marked.has(record)) record.g.classList.add("source");
    this.marked = next;
  }

  /** Outline the neurons being computed (keys). */
  setActive(keys) {
    const next = new Set(keys.map((key) => this.elements.get(key)).filter(Boolean));
    for (const record of this.active) if (!next.has(record)) record.g.classList.remove("active");
    for (const record of next) if (!this.active.has(record)) record.g.classList.add("active");
    this.active = next;
  }

  targetOf(event) {
    return event.target.closest?.(".neuron, .edge, .bias");
  }

  picked(event) {
    const target = this.targetOf(event);
    if (!target) return;
    const layer = Number(target.dataset.layer);
    const kind = target.classList.contains("edge") ? "edge" : target.classList.contains("bias") ? "bias" : "neuron";
    const selection = kind === "edge"
      ? { kind, layer, from: Number(target.dataset.from), to: Number(target.dataset.to) }
      : { kind, layer, index: Number(target.dataset.index) };
    this.dispatchEvent(new CustomEvent("select", { detail: selection }));
  }
}

/**
 * Write lines of text into a text node, as a block in `box` (labels.js's textBlock); the lines
 * start at one x, so that the digits of a weight, its change and its new value line up.
 */
function setLines(node, box, lines, font) {
  while (node.childNodes.length > lines.length) node.lastChild.remove();
  while (node.childNodes.length < lines.length) svg("tspan", { "dominant-baseline": "central" }, node);
  const block = textBlock(box, lines, font);
  lines.forEach((line, i) => {
    const span = node.childNodes[i];
    setAttrs(span, { x: (block.x + 2).toFixed(1), y: (block.y + (i + 0.5) * font * LINE).toFixed(1) });
    span.textContent = i < lines.length - 1 ? `${line} ` : line; // read as words, not run together
  });
}

/** Four small arrowheads pointing at a neuron from its corners: the mark of a source. */
function arrowheads(r) {
  const at = (d, deg) => [d * Math.cos((deg * Math.PI) / 180), d * Math.sin((deg * Math.PI) / 180)].map((v) => v.toFixed(1)).join(",");
  return [45, 135, 225, 315].map((deg) => `M${at(r + 5, deg)}L${at(r + 14, deg - 9)}L${at(r + 14, deg + 9)}Z`).join("");
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

/** A chip as wide as its text, in the middle of the box kept for its longest text. */
function fitChip(record, rect, text, font) {
  const width = Math.min(record.box.width, text.length * font * MONO + 10);
  write(record, rect, "chip-x", (record.box.x + (record.box.width - width) / 2).toFixed(1), "x");
  write(record, rect, "chip-width", width.toFixed(1), "width");
}

/** Set a number attribute, or remove it when there is no number (null). */
function maybe(record, node, key, value, name = key) {
  const text = value === null ? null : String(value);
  if (record.shown[key] === text) return;
  record.shown[key] = text;
  if (text === null) node.removeAttribute(name);
  else node.setAttribute(name, text);
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
