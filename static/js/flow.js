// What each part of a step computes, and from which numbers on the diagram: pure, for the
// player (which marks the sources while a number is being computed) and the view (which marks
// those of the selected neuron, weight or bias). Elements are named by keys: "n:l:j" a neuron,
// "e:l:j:k" the edge from neuron k of layer l-1 to neuron j of layer l, "b:l:j" the bias of
// neuron j of layer l, "t:o" the target of output o.

import { backwardReached } from "./layout.js";

export const neuronKey = (l, j) => `n:${l}:${j}`;
export const edgeKey = (l, j, k) => `e:${l}:${j}:${k}`;
export const biasKey = (l, j) => `b:${l}:${j}`;
export const targetKey = (o) => `t:${o}`;

const range = (n) => Array.from({ length: n }, (_, i) => i);

/**
 * The parts of a phase, in order, each computing some numbers: {kind, layer, index} with kind
 * z (z and a of neuron `index` of `layer`, or of the whole layer when index is null), loss,
 * delta (of one neuron, or of the layer), grad (the gradients of the weights into `layer`)
 * or update. On a labelled diagram a layer is computed neuron by neuron.
 */
export function partsOf(sizes, phase, labelled) {
  const L = sizes.length - 1;
  if (phase === "idle") return [];
  if (phase === "loss") return [{ kind: "loss", layer: L, index: null }];
  if (phase === "update") return [{ kind: "update", layer: null, index: null }];
  const [kind, text] = phase.split("-");
  const l = Number(text);
  const each = (what) => (labelled ? range(sizes[l]).map((j) => ({ kind: what, layer: l, index: j })) : [{ kind: what, layer: l, index: null }]);
  if (kind === "forward") return each("z");
  const deltas = l === L ? [{ kind: "delta", layer: l, index: null }] : each("delta");
  return [...deltas, { kind: "grad", layer: l, index: null }];
}

/** The neurons a part computes (their keys): z and a, delta, or an output's loss term. */
export function computedBy(sizes, part) {
  if (part.kind === "loss") return range(sizes.at(-1)).map((o) => neuronKey(sizes.length - 1, o)); // their loss terms
  if (part.kind !== "z" && part.kind !== "delta") return [];
  const js = part.index === null ? range(sizes[part.layer]) : [part.index];
  return js.map((j) => neuronKey(part.layer, j));
}

/**
 * Keys of the elements whose numbers enter what a part computes:
 * z of h1: i1, i2, w1, w2 and b1; the loss: the outputs and targets; an output's delta: its a
 * and y (softmax: all of them); a hidden delta: its outgoing edges and the delta of each neuron
 * they reach; the gradients: the delta of each neuron they feed and the a of each they leave;
 * a new weight: the weight and its gradient (the edge; a trained bias and its neuron's delta).
 */
export function sourcesOf(sizes, part, { trainBiases = true } = {}) {
  const L = sizes.length - 1;
  const { kind, layer: l } = part;
  const js = part.index === null && l !== null ? range(sizes[l]) : [part.index];
  if (kind === "z") {
    return js.flatMap((j) => [
      ...range(sizes[l - 1]).flatMap((k) => [neuronKey(l - 1, k), edgeKey(l, j, k)]),
      biasKey(l, j),
    ]);
  }
  if (kind === "loss" || (kind === "delta" && l === L)) {
    return range(sizes[L]).flatMap((o) => [neuronKey(L, o), targetKey(o)]);
  }
  if (kind === "delta") {
    return js.flatMap((j) => range(sizes[l + 1]).flatMap((i) => [edgeKey(l + 1, i, j), neuronKey(l + 1, i)]));
  }
  if (kind === "grad") {
    return [...range(sizes[l]).map((j) => neuronKey(l, j)), ...range(sizes[l - 1]).map((k) => neuronKey(l - 1, k))];
  }
  // update: every weight, and the biases when they are trained
  const keys = [];
  for (let m = 1; m <= L; m += 1) {
    for (const j of range(sizes[m])) {
      for (const k of range(sizes[m - 1])) keys.push(edgeKey(m, j, k));
      if (trainBiases) keys.push(biasKey(m, j));
    }
  }
  return keys;
}

/** The edges a part's pulses run along, and which way: forward into the neurons it computes,
 * backward from the layer above into a hidden neuron whose delta it computes. */
export function pulsesOf(sizes, part) {
  const L = sizes.length - 1;
  const { kind, layer: l } = part;
  if (kind === "z") {
    const js = part.index === null ? range(sizes[l]) : [part.index];
    return { backward: false, edges: js.flatMap((j) => range(sizes[l - 1]).map((k) => ({ layer: l, to: j, from: k }))) };
  }
  if (kind === "delta" && l < L) {
    const js = part.index === null ? range(sizes[l]) : [part.index];
    return { backward: true, edges: js.flatMap((j) => range(sizes[l + 1]).map((i) => ({ layer: l + 1, to: i, from: j }))) };
  }
  return { backward: false, edges: [] };
}

/**
 * The sources of the newest number of a selected neuron, weight or bias at a phase (its own
 * key left out): what its Inspector explains. Before its numbers are computed, those of the
 * first one it will get (z of a neuron; a weight carries the a of the neuron it leaves).
 */
export function selectionSources(sizes, selection, phase, { trainBiases = true } = {}) {
  if (!selection) return [];
  const L = sizes.length - 1;
  const { kind, layer: l } = selection;
  let keys = [];
  if (kind === "neuron") {
    const j = selection.index;
    if (l === 0) return [];
    if (backwardReached(phase, l)) {
      keys = l === L ? [neuronKey(L, j), targetKey(j)] : sourcesOf(sizes, { kind: "delta", layer: l, index: j });
    } else if (l === L && phase === "loss") {
      keys = [targetKey(j)];
    } else {
      keys = sourcesOf(sizes, { kind: "z", layer: l, index: j });
    }
    return keys.filter((key) => key !== neuronKey(l, j));
  }
  if (kind === "edge") {
    const { to: j, from: k } = selection;
    if (phase === "update") return []; // the weight and its gradient: the edge itself
    if (backwardReached(phase, l)) return [neuronKey(l, j), neuronKey(l - 1, k)];
    return [neuronKey(l - 1, k)];
  }
  // a bias: its gradient is its neuron's delta; a trained bias moves by it at the update
  const j = selection.index;
  if (phase === "update" && !trainBiases) return [];
  return backwardReached(phase, l) ? [neuronKey(l, j)] : [];
}
