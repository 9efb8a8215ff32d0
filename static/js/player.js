// Plays the phases of a step on the diagram with requestAnimationFrame.
// The diagram is drawn once; a phase is played part by part (flow.js: on a small network, neuron
// by neuron), each marking the numbers it is computed from while pulses carry them, then
// showing what it computed. Pulses move by transform animations, and frames of the update
// phase change only edge widths.

import { computedBy, partsOf, pulsesOf, selectionSources, sourcesOf } from "./flow.js";
import { biasText, edgeLines, lossText, pulseText, subText, targetText, totalLines, VALUE } from "./labels.js";
import { backwardReached, ease, forwardReached, mix, weightScale } from "./layout.js";
import { fitNumber, formatNumber } from "./format.js";

const BASE_DURATION = 900; // ms per part of a phase at speed 1

/**
 * What every neuron, edge, bias and output shows at one position of the timeline (pure: no
 * DOM). `done`: how many parts of the position's phase have been played (all by default);
 * `labelled`: whether its layers are computed neuron by neuron (flow.js).
 */
export function sceneAt(store, position, { done = Infinity, labelled = false, valueChars = VALUE, inner = false } = {}) {
  const phase = store.phaseAt(position);
  const record = store.recordAt(position);
  const trace = record?.trace ?? null;
  const network = record ? record.network : store.snapshot(position).network;
  const sizes = network.layer_sizes;
  const L = sizes.length - 1;
  const s = trace ? Math.min(store.sample, trace.inputs.length - 1) : 0;
  const inputs = trace ? trace.inputs[s] : store.data.inputs[store.sampleIndex];
  const shown = reveal(sizes, phase, done, labelled);
  const neurons = sizes.map((n, l) =>
    Array.from({ length: n }, (_, j) => {
      const valueText = (x) => (valueChars ? fitNumber(x, valueChars) : "");
      if (l === 0) return { value: inputs[j], text: valueText(inputs[j]), sub: "" };
      const layer = trace?.layers[l - 1];
      const out = { value: null, text: "", sub: "", ring: null };
      if (layer && shown.forward(l, j)) {
        out.value = layer.a[s][j];
        out.text = valueText(out.value);
        out.sub = subText("z", layer.z[s][j], { inner });
      }
      if (layer && shown.delta(l, j)) {
        out.ring = layer.delta[s][j];
        out.sub = subText("\u03b4", layer.delta[s][j], { inner });
      }
      return out;
    }),
  );
  const update = phase === "update" && done >= 1;
  const edges = sizes.slice(1).map((n, i) => {
    const l = i + 1;
    const layer = trace?.layers[i];
    return Array.from({ length: n }, (_, j) =>
      Array.from({ length: sizes[i] }, (_, k) => {
        const weight = network.weights[i][j][k];
        const out = { weight, grad: null, next: null, change: null };
        if (layer && shown.grad(l)) out.grad = layer.grad_weights[j][k];
        if (layer && update) [out.next, out.change] = [layer.new_weights[j][k], layer.change_weights[j][k]];
        return out;
      }),
    );
  });
  const biases = sizes.map((n, l) =>
    l === 0 ? [] : Array.from({ length: n }, (_, j) => {
      const value = update ? trace.layers[l - 1].new_biases[j] : network.biases[l - 1][j];
      return { value, text: biasText(value) };
    }),
  );
  const loss = trace && shown.loss;
  // the targets are data, not computed: they show from the loss phase's start, while the
  // loss is computed from them (marked as its sources), the loss terms once it is
  const targets = trace && (phase === "loss" || shown.loss);
  const outputs = Array.from({ length: sizes[L] }, (_, o) => {
    const target = targets ? trace.targets[s][o] : null;
    const term = loss ? trace.output_losses[s][o] : null;
    return { target, targetText: targets ? targetText(target) : "", loss: term, lossText: loss ? lossText(term) : "" };
  });
  const batch = trace ? trace.inputs.length : 1;
  const total = loss
    ? { value: trace.sample_losses[s], mean: trace.loss, lines: totalLines(trace.sample_losses[s], { sample: s, batch, mean: trace.loss }) }
    : null;
  return { phase, trace, network, neurons, edges, biases, outputs, total, sample: s, batch, scale: weightScale(network.weights) };
}

/** What the parts of `phase` played so far (`done` of them) have shown, with what earlier phases did. */
function reveal(sizes, phase, done, labelled) {
  const parts = partsOf(sizes, phase, labelled);
  const played = parts.slice(0, done);
  const now = (kind, l) => phase === `${kind}-${l}`;
  const computed = new Set(played.flatMap((part) => computedBy(sizes, part)));
  const L = sizes.length - 1;
  return {
    forward: (l, j) => forwardReached(phase, l) && (!now("forward", l) || computed.has(`n:${l}:${j}`)),
    delta: (l, j) => backwardReached(phase, l) && (!now("backward", l) || computed.has(`n:${l}:${j}`)),
    grad: (l) => backwardReached(phase, l) && (!now("backward", l) || played.some((part) => part.kind === "grad")),
    loss: (phase === "loss" && done >= 1) || backwardReached(phase, L),
  };
}

export class Player extends EventTarget {
  constructor(store, view) {
    super();
    this.store = store;
    this.view = view;
    this.speed = 1;
    this.busy = false;
    this.hurry = false;
    this.frames = 0;
    this.painted = new WeakMap(); // edge of the view -> the numbers it last showed
  }

  scene(position, done) {
    const { valueChars, inner } = this.view.layout;
    return sceneAt(this.store, position, { done, labelled: this.view.labelled, valueChars, inner });
  }

  /** Show a position at once, without animation. */
  show(position = this.store.position) {
    this.paint(this.scene(position), 1);
    this.view.hidePulses();
    this.view.setActive([]);
    this.markSelection();
  }

  /** Mark the sources of what the selected neuron, weight or bias shows (flow.js). */
  markSelection() {
    const { store } = this;
    const network = store.record ? store.record.network : store.snapshot().network;
    this.view.setSources(selectionSources(network.layer_sizes, store.selection, store.phase, { trainBiases: network.train_biases }));
  }

  /** Animate from the current position to the next one, part by part, then rest there. */
  async advance() {
    const store = this.store;
    const to = store.position + 1;
    if (to > store.end) return false;
    // only the update phase morphs from the numbers before it
    const from = store.phaseAt(to) === "update" ? this.scene(store.position) : null;
    this.setBusy(true);
    store.moveTo(to);
    const record = store.recordAt(to);
    const { layer_sizes: sizes, train_biases: trainBiases } = record.network;
    const parts = partsOf(sizes, store.phaseAt(to), this.view.labelled);
    const duration = BASE_DURATION / this.speed;
    this.paint(this.scene(to, 0), 1); // the phase's data (the targets) before its first part
    for (const [i, part] of parts.entries()) {
      if (this.hurry) break;
      this.view.setActive(computedBy(sizes, part));
      this.view.setSources(sourcesOf(sizes, part, { trainBiases }));
      // pulses travel for the first three quarters of a part, then wait at the end
      const { edges, backward } = pulsesOf(sizes, part);
      this.view.playPulses(edges, 0.75 * duration, backward, this.pulseTexts(record.trace, edges, backward));
      const morph = part.kind === "update" ? this.morph(from, this.scene(to)) : null;
      await this.animate(duration, morph && ((t) => morph(ease(t))));
      this.view.hidePulses();
      this.paint(this.scene(to, i + 1), 1); // what this part computed appears now
    }
    this.view.setActive([]);
    this.paint(this.scene(to), 1);
    this.markSelection();
    this.setBusy(false);
    return true;
  }

  /** The number each pulse carries, w a forward and w delta backward, from the trace's terms
   * (asked for on small networks, see actions.js); none without them. */
  pulseTexts(trace, edges, backward) {
    if (!edges.length || !this.view.labelled) return null;
    const s = Math.min(this.store.sample, trace.inputs.length - 1);
    const texts = edges.map(({ layer, to, from }) => {
      const terms = backward ? trace.layers[layer - 2].grad_a_terms : trace.layers[layer - 1].z_terms;
      const value = backward ? terms?.[s][from][to] : terms?.[s][to][from];
      return value === undefined ? null : pulseText(value);
    });
    return texts.includes(null) ? null : texts;
  }

  /** Run a frame callback (if any) with t from 0 to 1 over `duration` ms. */
  animate(duration, frame) {
    return new Promise((resolve) => {
      let start = null;
      const tick = (now) => {
        start ??= now;
        const t = this.hurry ? 1 : Math.min(1, (now - start) / duration);
        frame?.(t);
        this.frames += 1;
        if (t < 1) requestAnimationFrame(tick);
        else resolve();
      };
      requestAnimationFrame(tick);
    });
  }

  /** Finish the running animation at once (Pause, Previous phase, or a second key press). */
  finish() {
    if (this.busy) this.hurry = true; // else the next phase would start hurried
  }

  setBusy(busy) {
    this.busy = busy;
    if (!busy) this.hurry = false;
    this.dispatchEvent(new CustomEvent("busy", { detail: { busy } }));
  }

  /** A frame function for the update phase: edge widths part way from old to new weights. */
  morph(from, to) {
    const scale = Math.max(from.scale, to.scale);
    const moving = [];
    to.edges.forEach((layer, i) =>
      layer.forEach((row, j) =>
        row.forEach((e, k) => {
          if (e.next !== null) moving.push([this.view.edge(i + 1, j, k), e.weight, e.next]);
        }),
      ),
    );
    return (t) => {
      for (const [edge, weight, next] of moving) this.view.setWidth(edge, mix(weight, next, t), scale);
    };
  }

  /**
   * Run's frame: the weights of `network` on every edge and its biases on their chips, and
   * nothing else (at idle nothing else changes); a small diagram, whose edges show their
   * numbers, is painted whole.
   */
  paintWeights(network) {
    if (this.view.labelled) return this.show();
    const scale = weightScale(network.weights);
    network.weights.forEach((matrix, i) =>
      matrix.forEach((row, j) => row.forEach((w, k) => this.view.setWeight(this.view.edge(i + 1, j, k), w, scale))),
    );
    network.biases.forEach((column, i) => column.forEach((value, j) => this.view.setBiasValue(i + 1, j, value, biasText)));
    this.painted = new WeakMap(); // the next paint writes every edge's text again
  }

  /** A bias's chip, and its name as a screen reader says it. */
  paintBias(l, j, b) {
    const view = this.view;
    const name = view.neuron(l, j).name;
    view.setBias(l, j, { ...b, label: view.biases[l][j].text ? `${b.text} (bias of ${name})` : `bias of ${name}: ${formatNumber(b.value)}` });
  }

  /** Show a scene; only the edges whose numbers changed since they were last shown are touched. */
  paint(scene, t) {
    const view = this.view;
    scene.neurons.forEach((column, l) =>
      column.forEach((n, j) => {
        const name = view.neuron(l, j).name;
        // small neurons have no room for a second line: delta takes the place of a
        const compactDelta = view.compact && n.ring !== null && n.ring !== undefined;
        const chars = view.layout.valueChars;
        const text = compactDelta ? (chars ? `\u03b4${fitNumber(n.ring, chars - 1, { signed: true })}` : "") : n.text;
        const output = l === scene.neurons.length - 1 ? scene.outputs[j] : null;
        view.setNeuron(l, j, { ...n, text, label: neuronLabel(name, l, n, text, output) });
      }),
    );
    scene.biases.forEach((column, l) => column.forEach((b, j) => this.paintBias(l, j, b)));
    scene.outputs.forEach((o, i) => view.setOutput(i, o));
    view.setTotal(scene.total);
    const update = scene.phase === "update";
    const scale = scene.scale;
    scene.edges.forEach((layer, i) =>
      layer.forEach((row, j) =>
        row.forEach((e, k) => {
          const edge = view.edge(i + 1, j, k);
          const moving = update && e.next !== null;
          const selected = edge === view.selected; // a selected edge shows its label
          const last = this.painted.get(edge);
          if (
            last && last.weight === e.weight && last.grad === e.grad && last.next === e.next &&
            last.moving === moving && last.scale === scale && last.t === t && last.selected === selected
          ) return;
          this.painted.set(edge, { weight: e.weight, grad: e.grad, next: e.next, moving, scale, t, selected });
          const lines = edgeLines(edge.name, e, scene);
          view.setEdge(i + 1, j, k, {
            value: moving ? e.next : e.weight,
            shown: moving ? mix(e.weight, e.next, t) : e.weight,
            scale,
            lines,
            label: edgeLabel(edge.name, e, lines),
          });
        }),
      ),
    );
  }
}

/** A weight's accessible name: the words it shows first (a small diagram shows them inside
 * it), then what they are. */
function edgeLabel(name, e, lines) {
  const shown = lines.map((line) => line.replace(/\s+/g, " ").trim()).join(" ");
  if (e.next !== null) return `${shown} (weight ${name}, its change \u0394w and its new value)`;
  if (e.grad !== null) {
    const of = lines[0].startsWith("\u2202L") ? ", the mean over the batch" : "";
    return `${shown} (the gradient of weight ${name}${of}, which is ${formatNumber(e.weight)})`;
  }
  return `${shown} (weight ${name})`;
}

const SUB_MEANING = { z: "weighted sum", "\u03b4": "error signal delta" };

/**
 * A neuron's accessible name: its visible words in their order (name, number, sub line), each
 * number followed by what it is in parentheses; an output's target and loss term after them.
 */
function neuronLabel(name, l, n, text, output) {
  if (l === 0) return `input ${name}: ${text}`;
  let label = `neuron ${name}`;
  if (text) label += `: ${text} (${text.startsWith("\u03b4") ? "its error signal delta" : "its activation a"})`;
  if (n.sub) label += `, ${n.sub} (${SUB_MEANING[n.sub[0]]})`;
  if (output?.target !== null && output?.target !== undefined) label += `, target ${output.targetText}`;
  if (output?.loss !== null && output?.loss !== undefined) label += `, loss term ${output.lossText}`;
  return label;
}
