// The numbers view: every z, a, delta, gradient and weight of the current step, as tables and CSV.

import { csvNumber, formatNumber } from "./format.js";
import { backwardReached, forwardReached, neuronName, weightName } from "./layout.js";
import { clear, html } from "./svg.js";

export class NumbersTable {
  constructor(root, store, session) {
    this.root = root;
    this.store = store;
    this.session = session;
    this.check = null; // the gradcheck shown, once it arrived
    this.visible = false;
    this.stale = true;
    new IntersectionObserver(([entry]) => {
      this.visible = entry.isIntersecting;
      if (this.visible && (this.stale || this.check?.record !== this.store.record)) this.render();
    }).observe(root);
    document.getElementById("copy-csv").addEventListener("click", () => this.copy());
  }

  /**
   * Rows of the two tables: neurons and parameters, with raw numbers; null where a number is
   * not known, or not yet computed at the phase shown.
   */
  rows() {
    const { store } = this;
    const record = store.record;
    const trace = record?.trace;
    const phase = store.phase;
    const network = record ? record.network : store.snapshot().network;
    const sizes = network.layer_sizes;
    const s = trace ? Math.min(store.sample, trace.inputs.length - 1) : 0;
    const neurons = [];
    const inputs = trace ? trace.inputs[s] : store.data.inputs[store.sampleIndex];
    inputs.forEach((x, j) => neurons.push([neuronName(sizes, 0, j), null, x, null, null]));
    sizes.slice(1).forEach((n, i) => {
      const forward = forwardReached(phase, i + 1) ? trace?.layers[i] : null;
      const backward = backwardReached(phase, i + 1) ? trace?.layers[i] : null;
      for (let j = 0; j < n; j += 1) {
        neurons.push([neuronName(sizes, i + 1, j), forward?.z[s][j] ?? null, forward?.a[s][j] ?? null, backward?.delta[s][j] ?? null, network.biases[i][j]]);
      }
    });
    const check = this.check?.record === record ? this.check.result : null;
    const params = [];
    sizes.slice(1).forEach((n, i) => {
      const layer = backwardReached(phase, i + 1) ? trace?.layers[i] : null;
      const fd = layer ? check?.layers[i] : null;
      const updated = phase === "update" ? layer : null;
      for (let j = 0; j < n; j += 1) {
        for (let k = 0; k < sizes[i]; k += 1) {
          params.push([weightName(sizes, i + 1, j, k), network.weights[i][j][k], layer?.grad_weights[j][k] ?? null, fd?.fd_grad_weights[j][k] ?? null, updated?.new_weights[j][k] ?? null]);
        }
        params.push([`b ${neuronName(sizes, i + 1, j)}`, network.biases[i][j], layer?.grad_biases[j] ?? null, fd?.fd_grad_biases[j] ?? null, updated?.new_biases[j] ?? null]);
      }
    });
    return { neurons, params };
  }

  /** Draw the tables, or only note that they are out of date while they are off screen. */
  render() {
    if (!this.store.network || this.session.running) return; // while Run trains, run-view.js says so
    this.stale = !this.visible && this.session.playing; // while playing, only when on screen
    if (this.stale) return;
    const record = this.store.record;
    const backward = record && backwardReached(this.store.phase, this.store.layerCount);
    // the finite differences cost some 2P forward passes: asked for only once they are shown
    if (backward && this.check?.record !== record && this.visible) {
      this.check = { record, result: null };
      this.session.gradcheckFor(record).then((result) => {
        if (this.check?.record === record && result) {
          this.check.result = result;
          this.render();
        }
      });
    }
    const { neurons, params } = this.rows();
    clear(this.root);
    const tables = html("div", { class: "tables" }, this.root);
    const when = this.when();
    const sample = `sample ${this.store.sampleIndex + 1}`;
    table(tables, `Neurons: ${when.text}, ${sample}`, ["neuron", "z", "a", "\u03b4", "bias b"], neurons, when);
    table(tables, `Weights and biases: ${when.text}`, ["parameter", "value", "\u2202E/\u2202 (backprop)", "\u2202E/\u2202 (finite diff.)", "new value"], params, when);
  }

  /** Which step and phase the numbers belong to: the step played (or next), and its phase. */
  when() {
    const { store } = this;
    const step = store.record ? store.record.step + 1 : store.snapshot().step + 1;
    const phase = store.phase;
    const words = phase === "idle" ? "not started" : `phase ${phase}`;
    return { step, phase, text: `step ${step}, ${words}` };
  }

  csv() {
    const { neurons, params } = this.rows();
    const lines = ["neuron,z,a,delta,bias"];
    for (const [name, ...values] of neurons) lines.push([name, ...values.map(csvNumber)].join(","));
    lines.push("", "parameter,value,grad,fd_grad,new_value");
    for (const [name, ...values] of params) lines.push([name, ...values.map(csvNumber)].join(","));
    return `${lines.join("\n")}\n`;
  }

  async copy() {
    const status = document.getElementById("copy-status");
    const record = this.store.record;
    if (record && backwardReached(this.store.phase, this.store.layerCount)) {
      const result = await this.session.gradcheckFor(record);
      if (result) this.check = { record, result };
    }
    const text = this.csv();
    try {
      await navigator.clipboard.writeText(text);
      status.textContent = "Copied the tables as CSV.";
    } catch {
      const area = html("textarea", { "aria-label": "The tables as CSV", rows: 6, cols: 60, readonly: true }, status);
      area.value = text;
      area.select();
      status.prepend("Copy from here: ");
    }
  }
}

function table(parent, title, headers, rows, when) {
  const node = html("table", { "data-step": when.step, "data-phase": when.phase }, parent);
  html("caption", {}, node, title);
  const head = html("tr", {}, html("thead", {}, node));
  for (const h of headers) html("th", { scope: "col" }, head, h);
  const body = html("tbody", {}, node);
  for (const [name, ...values] of rows) {
    const row = html("tr", {}, body);
    html("th", { scope: "row" }, row, name);
    for (const v of values) html("td", { title: v === null ? "" : String(v) }, row, v === null ? "" : formatNumber(v, 6));
  }
}
