// Pure layout math and naming for the network diagram: no DOM here, so node --test can check it.

/**
 * Positions of every neuron and edge for layer_sizes, fitted into width x height.
 * neurons[l][j] = {x, y}; edges = [{layer, from, to}] with layer = the layer it feeds (1..L).
 */
export function layoutNetwork(layerSizes, { width = 800, height = 480, padding = 56 } = {}) {
  const columns = layerSizes.length;
  const tallest = Math.max(...layerSizes);
  const dx = columns > 1 ? (width - 2 * padding) / (columns - 1) : 0;
  const dy = tallest > 1 ? (height - 2 * padding) / (tallest - 1) : 0;
  const gap = Math.min(dx || Infinity, dy || Infinity, 2 * padding);
  const radius = Math.max(6, Math.min(30, gap * 0.36));
  const neurons = layerSizes.map((n, l) => {
    const x = columns > 1 ? padding + l * dx : width / 2;
    const spread = Math.min(dy || 0, Math.max(dy, 2.6 * radius)) * (n - 1);
    const top = height / 2 - spread / 2;
    return Array.from({ length: n }, (_, j) => ({ x, y: n > 1 ? top + (j * spread) / (n - 1) : height / 2 }));
  });
  const edges = [];
  for (let l = 1; l < columns; l += 1) {
    for (let j = 0; j < layerSizes[l]; j += 1) {
      for (let k = 0; k < layerSizes[l - 1]; k += 1) edges.push({ layer: l, from: k, to: j });
    }
  }
  return { width, height, radius, neurons, edges };
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
