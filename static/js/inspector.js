// Explains the selected neuron or weight: its formulas as MathML with the numbers substituted.

import { formatFull, formatNumber, isMissing } from "./format.js";
import { neuronName, weightName } from "./layout.js";
import { backwardReached, forwardReached } from "./player.js";
import { clear, html, math } from "./svg.js";

const DERIVATIVES = {
  sigmoid: "a (1 \u2212 a)",
  tanh: "1 \u2212 a\u00b2",
  relu: "1 if z > 0, else 0",
  leaky_relu: "1 if z > 0, else 0.01",
  linear: "1",
};

export class Inspector {
  constructor(root, store, session) {
    this.root = root;
    this.body = root.querySelector("#inspector-body");
    this.store = store;
    this.session = session;
    this.full = false;
  }

  // --- MathML pieces ----------------------------------------------------------------------

  num(x, { paren = false, digits = 6 } = {}) {
    const text = this.full ? formatFull(x) : formatNumber(x, digits);
    const node = math("mn", { title: isMissing(x) ? "not a finite number" : formatFull(x) }, text);
    return paren && !isMissing(x) && x < 0 ? [math("mo", {}, "("), node, math("mo", {}, ")")] : node;
  }

  line(...parts) {
    return math("math", { display: "block" }, math("mrow", {}, ...parts));
  }

  formula(title, lines, parent = this.body) {
    html("p", { class: "formula-title" }, parent, title);
    const box = html("div", { class: "formula" }, parent);
    for (const parts of lines) box.append(this.line(...parts));
    return box;
  }

  // --- rendering --------------------------------------------------------------------------

  render() {
    const { store } = this;
    const selection = store.selection;
    clear(this.body);
    if (!selection || !store.network) {
      html("p", { class: "hint" }, this.body, "Click a neuron or a weight to see where its numbers come from.");
      return;
    }
    const record = store.record;
    const ctx = {
      phase: store.phase,
      record,
      trace: record?.trace ?? null,
      network: record ? record.network : store.snapshot().network,
      s: record ? Math.min(store.sample, record.trace.inputs.length - 1) : 0,
    };
    ctx.sizes = ctx.network.layer_sizes;
    if (!exists(ctx.sizes, selection)) {
      html("p", { class: "hint" }, this.body, "Click a neuron or a weight to see where its numbers come from.");
      return;
    }
    ctx.batch = ctx.trace ? ctx.trace.inputs.length : store.batchSize;
    if (selection.kind === "edge") this.edge(ctx, selection);
    else this.neuron(ctx, selection);
    if (!ctx.trace) {
      html("p", { class: "hint" }, this.body, "Press Step or Next phase: the formulas fill in as the step is played.");
    }
    const precision = html("label", { class: "precision" }, this.body);
    const box = html("input", { type: "checkbox" }, precision);
    box.checked = this.full;
    precision.append("Show full precision");
    box.addEventListener("change", () => {
      this.full = box.checked;
      this.render();
      this.root.querySelector(".precision input")?.focus();
    });
  }

  edge(ctx, { layer: l, from: k, to: j }) {
    const { sizes, trace, phase, s } = ctx;
    const name = weightName(sizes, l, j, k);
    const src = neuronName(sizes, l - 1, k);
    const dst = neuronName(sizes, l, j);
    const w = ctx.network.weights[l - 1][j][k];
    const W = () => sub("w", name.slice(1));
    html("h3", {}, this.body, `Weight ${name}: from ${src} to ${dst}`);
    this.formula("Value", [[W(), eq(), this.num(w)]]);
    this.editor(`${name}`, w, (value) => this.setWeight(l, j, k, value));
    if (!trace) return;
    const layer = trace.layers[l - 1];
    const aPrev = l === 1 ? trace.inputs[s][k] : trace.layers[l - 2].a[s][k];
    const A = () => sub("a", src);
    if (forwardReached(phase, l)) {
      const more = sizes[l - 1] > 1 ? [plus(), math("mi", {}, "\u2026")] : [];
      this.formula(`Forward: it carries a of ${src} into z of ${dst}`, [
        [sub("z", dst), eq(), W(), dot(), A(), ...more, plus(), sub("b", dst)],
        [eq(), this.num(w), times(), this.num(aPrev, { paren: true }), ...more.map((n) => n.cloneNode(true)), eq(), this.num(layer.z[s][j])],
      ]);
    }
    if (backwardReached(phase, l)) {
      const D = () => sub("\u03b4", dst);
      const grad = layer.grad_weights[j][k];
      const delta = layer.delta[s][j];
      const dEdw = () => frac("\u2202E", ["\u2202", W()]);
      if (ctx.batch === 1) {
        this.formula("Gradient", [
          [dEdw(), eq(), D(), dot(), A()],
          [eq(), this.num(delta), times(), this.num(aPrev, { paren: true }), eq(), this.num(grad)],
        ]);
      } else {
        this.formula(`Gradient: the mean over the batch of ${ctx.batch} samples`, [
          [dEdw(), eq(), frac("1", "B"), math("mo", {}, "\u2211"), D(), dot(), A(), eq(), this.num(grad)],
          [math("mtext", {}, "this sample: "), D(), eq(), this.num(delta), math("mtext", {}, ", "), A(), eq(), this.num(aPrev)],
        ]);
      }
      this.check(ctx.record, (g) => g.layers[l - 1], (layerCheck) => [layerCheck.fd_grad_weights[j][k], layerCheck.rel_error_weights[j][k]]);
    }
    if (phase === "update") this.update(ctx, W, w, layer.grad_weights[j][k], layer.reg_weights[j][k], layer.velocity_weights[j][k], layer.new_weights[j][k], prevVelocity(ctx.record, l, j, k));
  }

  update(ctx, P, old, grad, reg, velocity, next, previous) {
    const eta = this.store.settings.learning_rate;
    const { momentum, l1, l2 } = this.store.settings;
    const dE = () => frac("\u2202E", ["\u2202", P()]);
    if (!momentum && !reg) {
      this.formula("Update", [
        [P(), math("mo", {}, "\u2190"), P(), minus(), mi("\u03b7"), dot(), dE()],
        [eq(), this.num(old), minus(), this.num(eta), times(), this.num(grad, { paren: true }), eq(), this.num(next)],
      ]);
      return;
    }
    const V = mi("v");
    const parts = [[V, eq()]];
    const values = [eq()];
    if (momentum) {
      parts[0].push(mi("\u03bc"), dot(), sub("v", "prev"), plus());
      values.push(this.num(momentum), times(), this.num(previous, { paren: true }), plus());
    }
    parts[0].push(dE());
    values.push(this.num(grad, { paren: true }));
    if (reg) {
      parts[0].push(plus(), sub("\u03bb", "2"), P(), plus(), sub("\u03bb", "1"), mi("sign"), math("mo", {}, "("), P(), math("mo", {}, ")"));
      values.push(plus(), this.num(l2), times(), this.num(old, { paren: true }), plus(), this.num(l1), times(), this.num(Math.sign(old), { paren: true }));
    }
    values.push(eq(), this.num(velocity));
    this.formula("Update, with momentum and penalties", [
      parts[0],
      values,
      [P(), math("mo", {}, "\u2190"), P(), minus(), mi("\u03b7"), dot(), mi("v"), eq(), this.num(old), minus(), this.num(eta), times(), this.num(velocity, { paren: true }), eq(), this.num(next)],
    ]);
  }

  neuron(ctx, { layer: l, index: j }) {
    const { sizes, trace, phase, s } = ctx;
    const name = neuronName(sizes, l, j);
    const L = sizes.length - 1;
    if (l === 0) {
      html("h3", {}, this.body, `Input ${name}`);
      const x = trace ? trace.inputs[s][j] : this.store.data.inputs[this.store.sampleIndex][j];
      this.formula("Value of this sample", [[sub("a", name), eq(), sub("x", String(j + 1)), eq(), this.num(x)]]);
      this.editor(`input ${name}`, x, (value) => this.setSample("inputs", j, value));
      return;
    }
    const kind = l === L ? "Output neuron" : "Hidden neuron";
    const activation = ctx.network.activations[l - 1];
    html("h3", {}, this.body, `${kind} ${name} (${activation})`);
    const b = ctx.network.biases[l - 1][j];
    const B = () => sub("b", name);
    this.formula("Bias", [[B(), eq(), this.num(b)]]);
    this.editor(`bias of ${name}`, b, (value) => this.setBias(l, j, value));
    if (l === L) {
      const y = trace ? trace.targets[s][j] : this.store.data.targets[this.store.sampleIndex][j];
      this.editor(`target of ${name}`, y, (value) => this.setSample("targets", j, value), "Target y");
    }
    if (!trace) return;
    const layer = trace.layers[l - 1];
    const prevA = (k) => (l === 1 ? trace.inputs[s][k] : trace.layers[l - 2].a[s][k]);
    const Z = () => sub("z", name);
    const A = () => sub("a", name);
    if (forwardReached(phase, l)) {
      const symbolic = [Z(), eq()];
      const numeric = this.products(
        sizes[l - 1],
        symbolic,
        (k) => [sub("w", weightName(sizes, l, j, k).slice(1)), sub("a", neuronName(sizes, l - 1, k))],
        (k) => [ctx.network.weights[l - 1][j][k], prevA(k)],
        [sub("w", "k"), sub("a", "k")],
      );
      numeric.at(-1)?.push(plus(), this.num(b, { paren: true }));
      symbolic.push(plus(), B());
      this.formula("Forward: weighted sum", [symbolic, ...numeric, [eq(), this.num(layer.z[s][j])]]);
      this.formula(`Forward: activation`, [[A(), eq(), mi(fname(activation)), math("mo", {}, "("), Z(), math("mo", {}, ")"), eq(), this.num(layer.a[s][j])]]);
    }
    if (l === L && (phase === "loss" || backwardReached(phase, l))) this.loss(ctx, j, name);
    if (backwardReached(phase, l)) this.delta(ctx, l, j, name);
    if (phase === "update") {
      if (ctx.network.train_biases) {
        this.update(ctx, B, b, layer.grad_biases[j], 0, layer.velocity_biases[j], layer.new_biases[j], prevBias(ctx.record, l, j));
      } else {
        html("p", { class: "hint" }, this.body, "Biases are not trained here (Train biases is off), so b stays the same.");
      }
    }
  }

  loss(ctx, j, name) {
    const { trace, s } = ctx;
    const loss = ctx.network.loss;
    const a = trace.outputs[s][j];
    const y = trace.targets[s][j];
    const A = () => sub("a", name);
    const Y = () => sub("y", name);
    const E = () => sub("E", name);
    const term = trace.output_losses[s][j];
    const forms = {
      squared_error: [[E(), eq(), frac("1", "2"), paren([A(), minus(), Y()]), math("mo", {}, "\u00b2")], [eq(), frac("1", "2"), paren([this.num(a), minus(), this.num(y, { paren: true })]), math("mo", {}, "\u00b2"), eq(), this.num(term)]],
      mse: [[E(), eq(), frac("1", "n"), paren([A(), minus(), Y()]), math("mo", {}, "\u00b2")], [eq(), this.num(term)]],
      cross_entropy: [[E(), eq(), minus(), Y(), mi("log"), A()], [eq(), minus(), this.num(y), times(), mi("log"), this.num(a), eq(), this.num(term)]],
      binary_cross_entropy: [[E(), eq(), minus(), paren([Y(), mi("log"), A(), plus(), paren(["1", minus(), Y()]), mi("log"), paren(["1", minus(), A()])])], [eq(), this.num(term)]],
    };
    this.formula("Loss of this output", forms[loss].map((row) => row.map((p) => (typeof p === "string" ? math("mn", {}, p) : p))));
    const total = trace.sample_losses[s];
    this.formula("Loss of this sample (the sum over outputs)", [[mi("E"), eq(), math("mo", {}, "\u2211"), sub("E", "o"), eq(), this.num(total)]]);
    if (trace.inputs.length > 1) {
      this.formula(`Loss of the batch (the mean over ${trace.inputs.length} samples)`, [[mi("L"), eq(), this.num(trace.loss)]]);
    }
  }

  delta(ctx, l, j, name) {
    const { trace, s, sizes } = ctx;
    const layer = trace.layers[l - 1];
    const L = sizes.length - 1;
    const activation = ctx.network.activations[l - 1];
    const D = () => sub("\u03b4", name);
    const A = () => sub("a", name);
    const grad = layer.grad_a[s][j];
    const fp = layer.f_prime?.[s]?.[j];
    const delta = layer.delta[s][j];
    const dEda = () => frac("\u2202E", ["\u2202", A()]);
    const fused = (activation === "sigmoid" && ctx.network.loss === "binary_cross_entropy") || (activation === "softmax" && ctx.network.loss === "cross_entropy");
    if (l === L && fused) {
      this.formula("Backward: delta (the softmax/sigmoid and the loss simplify together)", [
        [D(), eq(), A(), minus(), sub("y", name), eq(), this.num(trace.outputs[s][j]), minus(), this.num(trace.targets[s][j], { paren: true }), eq(), this.num(delta)],
      ]);
    } else if (l === L) {
      this.formula("Backward: how the loss changes with a", [[dEda(), eq(), this.num(grad)]]);
    } else {
      const next = trace.layers[l];
      const symbolic = [dEda(), eq()];
      const numeric = this.products(
        sizes[l + 1],
        symbolic,
        (i) => [sub("w", weightName(sizes, l + 1, i, j).slice(1)), sub("\u03b4", neuronName(sizes, l + 1, i))],
        (i) => [next.weights[i][j], next.delta[s][i]],
        [sub("w", "i"), sub("\u03b4", "i")],
      );
      this.formula("Backward: the error that flows back to a", [symbolic, ...numeric, [eq(), this.num(grad)]]);
    }
    if (!(l === L && fused)) {
      if (fp === null || fp === undefined) {
        this.formula("Backward: delta through the softmax", [[D(), eq(), this.num(delta)]]);
      } else {
        this.formula(`Backward: delta, with f\u2032(z) = ${DERIVATIVES[activation]}`, [
          [D(), eq(), dEda(), dot(), mi("f\u2032"), math("mo", {}, "("), sub("z", name), math("mo", {}, ")")],
          [eq(), this.num(grad), times(), this.num(fp, { paren: true }), eq(), this.num(delta)],
        ]);
      }
    }
    const gradB = layer.grad_biases[j];
    this.formula(ctx.batch > 1 ? "Gradient of the bias (mean of delta over the batch)" : "Gradient of the bias", [
      [frac("\u2202E", ["\u2202", sub("b", name)]), eq(), ctx.batch > 1 ? math("mtext", {}, "mean ") : null, D(), eq(), this.num(gradB)],
    ]);
    this.check(ctx.record, (g) => g.layers[l - 1], (c) => [c.fd_grad_biases[j], c.rel_error_biases[j]]);
  }

  /**
   * A sum of n products w x (z = sum w a forward, dE/da = sum w delta backward): the names
   * of up to 3 terms go into `symbolic` (a sum sign past that, `sigma` its term), and up to
   * 8 terms come back as lines of numbers, two products a line.
   */
  products(n, symbolic, names, values, sigma) {
    const lines = [];
    if (n <= 8) {
      const digits = n > 3 ? 4 : 6;
      let numeric = [eq()];
      for (let k = 0; k < n; k += 1) {
        if (k && n <= 3) symbolic.push(plus());
        if (k && k % 2 === 0) lines.push(numeric), (numeric = [plus()]);
        else if (k) numeric.push(plus());
        if (n <= 3) symbolic.push(...names(k));
        const [w, x] = values(k);
        numeric.push(this.num(w, { paren: k > 0, digits }), times(), this.num(x, { paren: true, digits }));
      }
      lines.push(numeric);
    }
    if (n > 3) symbolic.push(math("mo", {}, "\u2211"), ...sigma);
    return lines;
  }

  /** The finite-difference value beside a gradient, filled in when /gradcheck answers. */
  check(record, pick, values) {
    const box = html("p", { class: "check" }, this.body, "Finite-difference check: computing\u2026");
    this.session.gradcheckFor(record).then((result) => {
      if (!result || !box.isConnected) return;
      const [fd, rel] = values(pick(result));
      box.textContent = "";
      html("strong", {}, box, "Finite-difference check (five-point): ");
      box.append(`${this.full ? formatFull(fd) : formatNumber(fd, 6)}, relative error ${formatNumber(rel, 2)} `);
      html("span", {}, box, !isMissing(rel) && rel < 1e-5 ? "\u2713 backprop agrees" : "\u2717 differs");
    });
  }

  editor(what, value, apply, label = "Set value") {
    const row = html("form", { class: "edit", "data-field": "network" }, this.body);
    const id = `edit-${what.replaceAll(/\W+/g, "-")}`;
    html("label", { for: id }, row, label);
    const input = html("input", { type: "number", step: "any", id, "aria-label": `New value of ${what}` }, row);
    input.value = isMissing(value) ? "" : String(value);
    html("button", { type: "submit", class: "small" }, row, "Set");
    html("p", { class: "field-error", role: "status" }, row);
    row.addEventListener("submit", (event) => {
      event.preventDefault();
      const next = Number(input.value);
      if (input.value.trim() === "" || !Number.isFinite(next)) {
        row.querySelector(".field-error").textContent = "enter a number";
        return;
      }
      apply(next);
    });
  }

  setWeight(l, j, k, value) {
    const network = this.store.snapshot().network;
    const weights = structuredClone(network.weights);
    weights[l - 1][j][k] = value;
    this.store.commit({ network: { ...network, weights } }, "edit");
  }

  setBias(l, j, value) {
    const network = this.store.snapshot().network;
    const biases = structuredClone(network.biases);
    biases[l - 1][j] = value;
    this.store.commit({ network: { ...network, biases } }, "edit");
  }

  setSample(which, j, value) {
    const i = this.store.sampleIndex;
    const rows = this.store.data[which].map((row, r) => (r === i ? row.map((v, c) => (c === j ? value : v)) : row));
    this.store.commit({ data: { [which]: rows } }, "edit");
    this.session.refreshLoss();
  }
}

function exists(sizes, selection) {
  if (selection.kind === "edge") {
    const { layer: l, from, to } = selection;
    return l >= 1 && l < sizes.length && to < sizes[l] && from < sizes[l - 1];
  }
  return selection.layer < sizes.length && selection.index < sizes[selection.layer];
}

function prevVelocity(record, l, j, k) {
  return record.velocity ? record.velocity.weights[l - 1][j][k] : 0;
}

function prevBias(record, l, j) {
  return record.velocity ? record.velocity.biases[l - 1][j] : 0;
}

function fname(activation) {
  return { sigmoid: "\u03c3", tanh: "tanh", relu: "ReLU", leaky_relu: "LeakyReLU", linear: "id", softmax: "softmax" }[activation];
}

const mi = (text) => math("mi", {}, text);
const eq = () => math("mo", {}, "=");
const plus = () => math("mo", {}, "+");
const minus = () => math("mo", {}, "\u2212");
const times = () => math("mo", {}, "\u00d7");
const dot = () => math("mo", {}, "\u00b7");
const sub = (base, index) => math("msub", {}, mi(base), mi(index));
const paren = (parts) => math("mrow", {}, math("mo", {}, "("), ...parts.map((p) => (typeof p === "string" ? math("mn", {}, p) : p)), math("mo", {}, ")"));
const frac = (top, bottom) => math("mfrac", {}, cell(top), cell(bottom));
const cell = (part) => (typeof part === "string" ? math("mrow", {}, /^[0-9]+$/.test(part) ? math("mn", {}, part) : mi(part)) : Array.isArray(part) ? math("mrow", {}, ...part.map((p) => (typeof p === "string" ? mi(p) : p))) : part);
