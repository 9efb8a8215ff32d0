// Plays the phases of a step on the diagram with requestAnimationFrame.
// The diagram is drawn once; each frame only moves pulses and changes widths and texts.

import { ease, mix, weightScale } from "./layout.js";
import { formatNumber, formatSigned } from "./format.js";

const BASE_DURATION = 900; // ms per phase at speed 1

/** Has the forward pass reached layer l at this phase? */
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
    const from = sceneAt(store, store.position, this.digits());
    this.setBusy(true);
    store.moveTo(to);
    const scene = sceneAt(store, to, this.digits());
    const phase = scene.phase;
    const [kind, layerText] = phase.split("-");
    const layer = Number(layerText);
    const L = scene.network.layer_sizes.length - 1;
    if (kind === "forward") this.view.setActiveLayer(layer);
    else if (kind === "backward") this.view.setActiveLayer(layer);
    else if (kind === "loss") this.view.setActiveLayer(L);
    await this.animate((t) => {
      if (kind === "forward") this.view.setPulses(layer, Math.min(1, t / 0.75), false);
      if (kind === "backward" && layer < L) this.view.setPulses(layer + 1, Math.min(1, t / 0.75), true);
      if (kind === "update") this.morph(from, scene, ease(t));
    });
    this.view.hidePulses();
    this.view.setActiveLayer(null);
    this.paint(scene, 1);
    this.setBusy(false);
    return true;
  }

  /** Run a frame callback with t from 0 to 1 over one phase's duration. */
  animate(frame) {
    const duration = BASE_DURATION / this.speed;
    return new Promise((resolve) => {
      let start = null;
      const tick = (now) => {
        start ??= now;
        const t = this.hurry ? 1 : Math.min(1, (now - start) / duration);
        frame(t);
        this.frames += 1;
        if (t < 1) requestAnimationFrame(tick);
        else resolve();
      };
      requestAnimationFrame(tick);
    });
  }

  /** Finish the running animation at once (Pause, Previous phase, or a second key press). */
  finish() {
    this.hurry = true;
  }

  setBusy(busy) {
    this.busy = busy;
    if (!busy) this.hurry = false;
    this.dispatchEvent(new CustomEvent("busy", { detail: { busy } }));
  }

  /** Edges part way between old and new weights (update phase). */
  morph(from, to, t) {
    const scale = Math.max(from.scale, to.scale);
    to.edges.forEach((layer, i) =>
      layer.forEach((row, j) =>
        row.forEach((e, k) => {
          const shown = mix(e.weight, e.next ?? e.weight, t);
          const line = this.view.edge(i + 1, j, k).line;
          line.setAttribute("stroke-width", this.view.width(shown, scale).toFixed(2));
        }),
      ),
    );
  }

  paint(scene, t) {
    scene.neurons.forEach((column, l) =>
      column.forEach((n, j) => {
        const name = this.view.neuron(l, j).name;
        // small neurons have no room for a second line: delta takes the place of a
        const text = this.view.compact && n.ring !== null && n.ring !== undefined ? `\u03b4${formatSigned(n.ring, 2)}` : n.text;
        this.view.setNeuron(l, j, { ...n, text, label: neuronLabel(name, l, n) });
      }),
    );
    scene.edges.forEach((layer, i) =>
      layer.forEach((row, j) =>
        row.forEach((e, k) => {
          const name = this.view.edge(i + 1, j, k).name;
          const current = scene.phase === "update" && e.next !== null ? mix(e.weight, e.next, t) : e.weight;
          const value = scene.phase === "update" && e.next !== null ? e.next : e.weight;
          this.view.setEdge(i + 1, j, k, {
            value,
            shown: current,
            scale: scene.scale,
            text: edgeText(name, e, scene.phase),
            label: `${name}: ${edgeText(name, e, scene.phase)}`,
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

function neuronLabel(name, l, n) {
  if (l === 0) return `input ${name} = ${n.text}`;
  const parts = [`neuron ${name}`];
  if (n.text) parts.push(`a = ${n.text}`);
  if (n.sub) parts.push(n.sub);
  return parts.join(", ");
}
