// Plays the phases of a step on the diagram with requestAnimationFrame.
// The diagram is drawn once; a phase changes only what differs from the phase before, pulses
// move by transform animations, and frames of the update phase change only edge widths.

import { backwardReached, ease, forwardReached, mix, weightScale } from "./layout.js";
import { formatNumber, formatSigned } from "./format.js";

const BASE_DURATION = 900; // ms per phase at speed 1

/** What every neuron and edge shows at one position of the timeline (pure: no DOM). */
export function sceneAt(store, position, digits = 4) {
  const phase = store.phaseAt(position);
  const record = store.recordAt(position);
  const trace = record?.trace ?? null;
  const network = record ? record.network : store.snapshot(position).network;
  const sizes = network.layer_sizes;
  const L = sizes.length - 1;
  const s = trace ? Math.min(store.sample, trace.inputs.length - 1) : 0;
  const inputs = trace ? trace.inputs[s] : store.data.inputs[store.sampleIndex];
  const targets = trace ? trace.targets[s] : store.data.targets[store.sampleIndex];
  const neurons = sizes.map((n, l) =>
    Array.from({ length: n }, (_, j) => {
      if (l === 0) return { value: inputs[j], text: formatNumber(inputs[j], digits), sub: "" };
      const layer = trace?.layers[l - 1];
      const out = { value: null, text: "", sub: "", ring: null };
      if (layer && forwardReached(phase, l)) {
        out.value = layer.a[s][j];
        out.text = formatNumber(out.value, digits);
        out.sub = `z ${formatNumber(layer.z[s][j])}`;
      }
      if (l === L && trace && (phase === "loss" || backwardReached(phase, l))) {
        out.sub = `y ${formatNumber(targets[j])}`;
      }
      if (layer && backwardReached(phase, l)) {
        out.ring = layer.delta[s][j];
        out.sub = `\u03b4 ${formatSigned(layer.delta[s][j])}`;
      }
      return out;
    }),
  );
  const edges = sizes.slice(1).map((n, i) => {
    const l = i + 1;
    const layer = trace?.layers[i];
    return Array.from({ length: n }, (_, j) =>
      Array.from({ length: sizes[i] }, (_, k) => {
        const weight = network.weights[i][j][k];
        const out = { weight, grad: null, next: null };
        if (layer && backwardReached(phase, l)) out.grad = layer.grad_weights[j][k];
        if (layer && phase === "update") out.next = layer.new_weights[j][k];
        return out;
      }),
    );
  });
  return { phase, trace, network, neurons, edges, scale: weightScale(network.weights) };
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

  digits() {
    return this.view.compact ? 3 : 4;
  }

  /** Show a position at once, without animation. */
  show(position = this.store.position) {
    const scene = sceneAt(this.store, position, this.digits());
    this.paint(scene, 1);
    this.view.hidePulses();
    this.view.setActiveLayer(null);
  }

  /** Animate from the current position to the next one, then move the store there. */
  async advance() {
    const store = this.store;
    const to = store.position + 1;
    if (to > store.end) return false;
    // only the update phase morphs from the numbers before it
    const from = store.phaseAt(to) === "update" ? sceneAt(store, store.position, this.digits()) : null;
    this.setBusy(true);
    store.moveTo(to);
    const scene = sceneAt(store, to, this.digits());
    const phase = scene.phase;
    const [kind, layerText] = phase.split("-");
    const layer = Number(layerText);
    const L = scene.network.layer_sizes.length - 1;
    const duration = BASE_DURATION / this.speed;
    if (kind === "forward") this.view.setActiveLayer(layer);
    else if (kind === "backward") this.view.setActiveLayer(layer);
    else if (kind === "loss") this.view.setActiveLayer(L);
    // pulses travel for the first three quarters of the phase, then wait at the end
    if (kind === "forward") this.view.playPulses(layer, 0.75 * duration, false);
    if (kind === "backward" && layer < L) this.view.playPulses(layer + 1, 0.75 * duration, true);
    const morph = kind === "update" ? this.morph(from, scene) : null;
    await this.animate(duration, morph && ((t) => morph(ease(t))));
    this.view.hidePulses();
    this.view.setActiveLayer(null);
    this.paint(scene, 1);
    this.setBusy(false);
    return true;
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

  /** Show a scene; only the edges whose numbers changed since they were last shown are touched. */
  paint(scene, t) {
    const view = this.view;
    scene.neurons.forEach((column, l) =>
      column.forEach((n, j) => {
        const name = view.neuron(l, j).name;
        // small neurons have no room for a second line: delta takes the place of a
        const text = view.compact && n.ring !== null && n.ring !== undefined ? `\u03b4${formatSigned(n.ring, 2)}` : n.text;
        view.setNeuron(l, j, { ...n, text, label: neuronLabel(name, l, n, text) });
      }),
    );
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
          const text = edgeText(edge.name, e, scene.phase);
          view.setEdge(i + 1, j, k, {
            value: moving ? e.next : e.weight,
            shown: moving ? mix(e.weight, e.next, t) : e.weight,
            scale,
            text,
            label: text.startsWith(edge.name) ? `weight ${text}` : `weight ${edge.name} ${formatNumber(e.weight)}, ${text}`,
          });
        }),
      ),
    );
  }
}

function edgeText(name, e, phase) {
  if (phase === "update" && e.next !== null) return `${name} ${formatNumber(e.weight)} \u2192 ${formatNumber(e.next)}`;
  if (e.grad !== null) return `\u2202E/\u2202${name} ${formatSigned(e.grad)}`;
  return `${name} ${formatNumber(e.weight)}`;
}

const SUB_MEANING = { z: "weighted sum", y: "target", "\u03b4": "error signal delta" };

/**
 * A neuron's accessible name: its visible words in their order (name, number, sub line), each
 * number followed by what it is in parentheses.
 */
function neuronLabel(name, l, n, text) {
  if (l === 0) return `input ${name}: ${text}`;
  let label = `neuron ${name}`;
  if (text) label += `: ${text} (${text.startsWith("\u03b4") ? "its error signal delta" : "its activation a"})`;
  if (n.sub) label += `, ${n.sub} (${SUB_MEANING[n.sub[0]]})`;
  return label;
}
