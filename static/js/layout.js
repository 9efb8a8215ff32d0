// Pure layout math and naming for the network diagram: no DOM here, so node --test can check it.
// The diagram is laid out for the width it is shown at, one unit to a CSS pixel, so that its
// texts keep their size: across the screen on a wide one, down it on a phone.

import { LINE, labelSize, MONO, placeLabels } from "./labels.js";

export const LABELLED_EDGES = 9; // up to this many edges, every edge and pulse carries its number
export const FOCUSABLE_EDGES = 64; // beyond this, edges are reached through the numbers table
export const NARROW = 560; // a diagram narrower than this runs down the screen, a layer a row
// (a wider one too, when its labels do not fit across it)

const FONTS = {
  across: { value: 15, tag: 15, sub: 14, edge: 13, bias: 13, target: 14, loss: 14, total: 14, title: 12, pulse: 13 },
  down: { value: 12, tag: 12, sub: 11, edge: 11, bias: 12, target: 12, loss: 12, total: 12, title: 12, pulse: 12 },
};
const COMPACT_VALUE = 11; // the number inside a small neuron

/**
 * Positions of every neuron, edge and label for layer_sizes, `width` px wide (its height
 * follows). neurons[l][j] = {x, y}; edges = [{layer, from, to}] with layer = the layer it feeds
 * (1..L); segments: each edge as drawn, {layer, from, to, name, a, b}; labels: placeLabels'.
 * A layout whose labels do not all fit is stretched (taller) until they do.
 */
export function layoutNetwork(layerSizes, { width = 960 } = {}) {
  const key = `${layerSizes.join("-")}@${width}`;
  if (!LAYOUTS.has(key)) {
    if (LAYOUTS.size >= 16) LAYOUTS.delete(LAYOUTS.keys().next().value);
    LAYOUTS.set(key, fitted(layerSizes, width));
  }
  return LAYOUTS.get(key);
}

const LAYOUTS = new Map(); // the last few layouts: a resize back and forth, a preset loaded again

function fitted(layerSizes, width) {
  let best = null;
  // across when it fits without growing much taller, else down the screen
  for (const [orientation, tries] of width < NARROW ? [["down", 10]] : [["across", 5], ["down", 10]]) {
    for (let stretch = 1, i = 0; i <= tries; stretch *= 1.12, i += 1) {
      const net = geometry(layerSizes, width, orientation, stretch);
      net.labels = placeLabels(net);
      if (!net.labels.misses.length) return net;
      if (!best || net.labels.misses.length < best.labels.misses.length) best = net;
    }
  }
  return best;
}

function geometry(layerSizes, width, orientation, stretch) {
  const columns = layerSizes.length;
  const tallest = Math.max(...layerSizes);
  const edgeCount = layerSizes.slice(1).reduce((sum, n, i) => sum + n * layerSizes[i], 0);
  const compact = tallest > 5;
  const fonts = { ...FONTS[orientation], ...(compact ? { value: COMPACT_VALUE } : {}) };
  const reserve = labelSize("target", fonts.target).width + 40; // the targets beyond the outputs
  let radius;
  let height;
  let neurons;
  if (orientation === "across") {
    const [left, right, pad] = [40, reserve + 20, 56];
    const band = labelled(layerSizes, edgeCount, compact, orientation) ? 0 : bandHeight(fonts);
    height = Math.round(stretch * Math.max(420 - band, Math.min(600 - band, tallest * 70 + 112)));
    const dx = columns > 1 ? (width - left - right) / (columns - 1) : 0;
    const dy = tallest > 1 ? (height - 2 * pad) / (tallest - 1) : 0;
    radius = Math.max(6, Math.min(30, Math.min(dx || Infinity, dy || Infinity, 2 * pad) * 0.36));
    neurons = layerSizes.map((n, l) => {
      const x = columns > 1 ? left + l * dx : width / 2;
      const top = height / 2 - (dy * (n - 1)) / 2;
      return Array.from({ length: n }, (_, j) => ({ x, y: n > 1 ? top + j * dy : height / 2 }));
    });
  } else {
    const side = 8;
    const gap = Math.round(stretch * (compact ? 90 : 150));
    // a phone's neuron holds its z or delta under its a: there is no room beside it
    const most = compact ? tallest : Math.min(tallest, 3);
    radius = Math.max(6, Math.min(compact ? 26 : 36, Math.min((width - 2 * side) / most, gap) * 0.31));
    const top = radius + 28;
    // a layer of four or five labelled neurons wraps into two rows, so that each has room
    const wrap = compact ? 0 : Math.round(0.55 * gap);
    let y = top;
    neurons = layerSizes.map((n) => {
      const rows = n >= 4 && !compact ? [Math.ceil(n / 2), Math.floor(n / 2)] : [n];
      const at = rows.flatMap((count, row) =>
        Array.from({ length: count }, (_, i) => ({ x: side + ((i + 0.5) * (width - 2 * side)) / count, y: y + row * wrap })),
      );
      y += gap + (rows.length - 1) * wrap;
      return at;
    });
    height = Math.round(Math.max(...neurons.flat().map((p) => p.y)) + radius + 150);
  }
  const names = layerSizes.map((n, l) => Array.from({ length: n }, (_, j) => neuronName(layerSizes, l, j)));
  const edges = [];
  for (let l = 1; l < columns; l += 1) {
    for (let j = 0; j < layerSizes[l]; j += 1) {
      for (let k = 0; k < layerSizes[l - 1]; k += 1) edges.push({ layer: l, from: k, to: j });
    }
  }
  // a crowded diagram's numbers inside its neurons: as many characters as there is room for
  // beside each other (down a phone, a row's neighbours are close); none below four
  const neighbours = neurons.flatMap((row) => row.slice(1).map((p, j) => p.x - row[j].x));
  const room = Math.min(2 * radius + 12, ...(orientation === "down" ? neighbours : []));
  // ... and across its circle, at the height of the number (a phone's z or delta goes under it)
  const inner = orientation === "down" && !compact;
  const off = inner ? (fonts.sub * LINE) / 2 : 0;
  const across = Math.floor((2 * Math.sqrt(radius ** 2 - off ** 2)) / (fonts.value * MONO));
  const fit = Math.min(across, compact ? Math.min(7, Math.floor((room - 8) / (fonts.value * MONO))) : 7);
  const net = { orientation, width, height, radius, neurons, edges, names, fonts, compact, valueChars: fit >= 4 ? fit : 0 };
  net.labelled = labelled(layerSizes, edgeCount, compact, orientation);
  if (!net.labelled) {
    // a crowded diagram labels the selected edge: on its line if it finds room, else down here
    net.band = { x: 4, y: height, width: width - 8, height: bandHeight(fonts) };
    net.height = height = Math.round(height + net.band.height);
  }
  net.inner = inner; // z and delta inside the neuron, under a
  net.focusable = edgeCount <= FOCUSABLE_EDGES;
  const gap = radius + 6; // edges stop short of the neurons and their delta rings
  net.segments = edges.map((e) => ({
    ...e,
    name: weightName(layerSizes, e.layer, e.to, e.from),
    a: alongEdge(net, e, 0, gap),
    b: alongEdge(net, e, 1, gap),
  }));
  net.titles = neurons.map((column, l) => ({ text: layerTitle(layerSizes, l), at: column[0] }));
  return net;
}

/** Whether every edge carries its numbers: a small network, and on a phone one of two-neuron rows. */
function labelled(layerSizes, edgeCount, compact, orientation) {
  return !compact && edgeCount <= LABELLED_EDGES && (orientation === "across" || Math.max(...layerSizes) <= 2);
}

const bandHeight = (fonts) => Math.round(3 * fonts.edge * LINE + 8);

/** "input", "hidden 2", "output": a column's title on a crowded diagram. */
export function layerTitle(layerSizes, l) {
  return l === 0 ? "input" : l === layerSizes.length - 1 ? "output" : `hidden ${l}`;
}

/**
 * A point a fraction t of the way along the edge from its source to its target; with `gap`,
 * along the part of it that lies more than `gap` from either neuron's centre.
 */
export function alongEdge(layout, edge, t, gap = 0) {
  const a = layout.neurons[edge.layer - 1][edge.from];
  const b = layout.neurons[edge.layer][edge.to];
  const length = Math.hypot(b.x - a.x, b.y - a.y) || 1;
  const cut = Math.min(gap / length, 0.45);
  const f = cut + (1 - 2 * cut) * t;
  return { x: a.x + (b.x - a.x) * f, y: a.y + (b.y - a.y) * f };
}

/** Mazur's numbering: w1, w2, ... layer by layer, row j (target) then column k (source). */
export function weightName(layerSizes, layer, to, from) {
  let offset = 0;
  for (let l = 1; l < layer; l += 1) offset += layerSizes[l] * layerSizes[l - 1];
  return `w${offset + to * layerSizes[layer - 1] + from + 1}`;
}

/** i1, i2 for inputs; h1, h2 for one hidden layer (h2.1 with several); o1, o2 for outputs. */
export function neuronName(layerSizes, layer, index) {
  const last = layerSizes.length - 1;
  if (layer === 0) return `i${index + 1}`;
  if (layer === last) return `o${index + 1}`;
  return last === 2 ? `h${index + 1}` : `h${layer}.${index + 1}`;
}

/** The phases of one step on a network with L weight layers, in playing order. */
export function phasesOf(layerCount) {
  const phases = [];
  for (let l = 1; l <= layerCount; l += 1) phases.push(`forward-${l}`);
  phases.push("loss");
  for (let l = layerCount; l >= 1; l -= 1) phases.push(`backward-${l}`);
  phases.push("update");
  return phases;
}

/** Has the forward pass reached layer l (computed its z and a) at this phase? */
export function forwardReached(phase, l) {
  if (phase === "idle") return false;
  if (phase.startsWith("forward-")) return Number(phase.slice(8)) >= l;
  return true;
}

/** Has the backward pass reached layer l (computed its delta) at this phase? */
export function backwardReached(phase, l) {
  if (phase === "update") return true;
  if (phase.startsWith("backward-")) return Number(phase.slice(9)) <= l;
  return false;
}

/** The phase in words, for #phase. */
export function describePhase(phase, layerCount) {
  if (phase === "idle") return "Ready: press Step or Next phase";
  if (phase === "loss") return "Loss: compare the outputs with the targets";
  if (phase === "update") return "Update: every weight moves against its gradient";
  const [kind, l] = phase.split("-");
  const which = Number(l) === layerCount ? "output layer" : `hidden layer ${l}`;
  return kind === "forward"
    ? `Forward, ${which}: z = W a + b, then a = f(z)`
    : `Backward, ${which}: delta, then the gradients of its weights`;
}

/** Stroke width for a weight: 1 px at zero, growing with |w| relative to `scale`, capped. */
export function edgeWidth(value, scale, { min = 1, max = 8 } = {}) {
  if (!Number.isFinite(value) || !(scale > 0)) return min;
  return min + (max - min) * Math.min(1, Math.abs(value) / scale);
}

/** A robust scale for widths: the largest |w| of the network, at least 1e-9. */
export function weightScale(weights) {
  let largest = 0;
  for (const matrix of weights) for (const row of matrix) for (const w of row) {
    if (Number.isFinite(w)) largest = Math.max(largest, Math.abs(w));
  }
  return Math.max(largest, 1e-9);
}

/** Linear interpolation between two numbers (for the update morph). */
export function mix(a, b, t) {
  return a + (b - a) * t;
}

/** Smooth start and stop for animations. */
export function ease(t) {
  return t < 0.5 ? 2 * t * t : 1 - (-2 * t + 2) ** 2 / 2;
}
