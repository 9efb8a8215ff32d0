// Explains the selected neuron or weight: its formulas as MathML with the numbers substituted.
// The activations' and losses' formulas are the API's (GET /api/v1/functions, kept in
// store.functions); formula.js draws them, once with symbols and once with this step's numbers.

import { formula } from "./formula.js";
import { formatFull, formatNumber, isMissing } from "./format.js";
import { backwardReached, forwardReached, neuronName, weightName } from "./layout.js";
import { clear, html, math } from "./svg.js";

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
    // in an mrow of their own, brackets grow with the number only, not with a fraction beside it
    return paren && !isMissing(x) && x < 0 ? math("mrow", {}, math("mo", {}, "("), node, math("mo", {}, ")")) : node;
  }

  line(...parts) {
    return math("math", { display: "block" }, math("mrow", {}, ...parts));
  }

  formula(title, lines, parent = this.body) {
    html("p", { class: "formula-title" }, parent, title);
    const box = html("div", { class: "formula" }, parent);
    for (const parts of lines) box.append(this.line(...parts));
    fit(box);
    return box;
  }

  // --- rendering --------------------------------------------------------------------------

  render() {
    const { store } = this;
    const selection = store.selection;
    clear(this.body);
    if (!selection || !store.network || !store.functions) {
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
    if (phase === "update") {
      const [grad, reg] = [layer.grad_weights[j][k], layer.reg_weights[j][k]];
      const [velocity, next] = [layer.velocity_weights[j][k], layer.new_weights[j][k]];
      this.update(ctx, W, w, grad, reg, velocity, next, prevVelocity(ctx.record, l, j, k));
    }
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
      [P(), math("mo", {}, "\u2190"), P(), minus(), mi("\u03b7"), dot(), mi("v")],
      [eq(), this.num(old), minus(), this.num(eta), times(), this.num(velocity, { paren: true }), eq(), this.num(next)],
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
    const activation = this.store.functions.activations[ctx.network.activations[l - 1]];
    html("h3", {}, this.body, `${kind} ${name}, ${activation.title}`);
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
      const applied = activation.output_only ? [] : [eq(), mi(activation.symbol), paren([Z()])];
      const numbers = this.numbers(ctx, l, j);
      this.fromTable("Forward: activation", [sub("a", name), ...applied], activation.f, name, numbers, layer.a[s][j]);
    }
    if (l === L && (phase === "loss" || backwardReached(phase, l))) this.loss(ctx, j, name);
    if (backwardReached(phase, l)) this.delta(ctx, l, j, name, activation);
    if (phase === "update") {
      if (ctx.network.train_biases) {
        this.update(ctx, B, b, layer.grad_biases[j], 0, layer.velocity_biases[j], layer.new_biases[j], prevBias(ctx.record, l, j));
      } else {
        html("p", { class: "hint" }, this.body, "Biases are not trained here (Train biases is off), so b stays the same.");
      }
    }
  }

  /** A formula of the table as MathML: with the neuron's symbols, or with `values` (to 4
   * digits, so that it fits the panel; the result below it has 6). */
  shown(tree, name, values = symbols(name)) {
    return formula(tree, values, { number: (x) => this.num(x, { digits: 4 }) });
  }

  /** A formula of the table: symbolic, then with this step's numbers (unless it is a lone
   * variable or number), then the result from the API's trace. */
  fromTable(title, left, tree, name, numbers, result) {
    const substituted = "op" in tree ? [[eq(), this.shown(tree, name, numbers)]] : [];
    this.formula(title, [[...left, eq(), this.shown(tree, name)], ...substituted, [eq(), this.num(result)]]);
  }

  /** This step's numbers for the formulas of neuron j of layer l: its layer's z, a and dl/da
   * (whole rows: softmax's formulas sum over them), the targets at the output, n. */
  numbers(ctx, l, j) {
    const { trace, s, sizes } = ctx;
    const layer = trace.layers[l - 1];
    const output = l === sizes.length - 1 ? { y: trace.targets[s] } : {};
    return { z: layer.z[s], a: layer.a[s], g: layer.grad_a[s], ...output, n: sizes[l], j };
  }

  loss(ctx, j, name) {
    const { trace, s, sizes } = ctx;
    const loss = this.store.functions.losses[ctx.network.loss];
    const numbers = this.numbers(ctx, sizes.length - 1, j);
    this.fromTable("Loss of this output", [sub("E", name)], loss.term, name, numbers, trace.output_losses[s][j]);
    const total = trace.sample_losses[s];
    const sum = [mi("E"), eq(), math("mo", {}, "\u2211"), sub("E", "o"), eq(), this.num(total)];
    this.formula("Loss of this sample (the sum over outputs)", [sum]);
    if (trace.inputs.length > 1) {
      this.formula(`Loss of the batch (the mean over ${trace.inputs.length} samples)`, [[mi("L"), eq(), this.num(trace.loss)]]);
    }
  }

  delta(ctx, l, j, name, activation) {
    const { trace, s, sizes } = ctx;
    const { functions } = this.store;
    const layer = trace.layers[l - 1];
    const L = sizes.length - 1;
    const D = () => sub("\u03b4", name);
    const grad = layer.grad_a[s][j];
    const delta = layer.delta[s][j];
    const numbers = this.numbers(ctx, l, j);
    const fused = l === L ? functions.fused[`${activation.name}+${ctx.network.loss}`] : undefined;
    if (fused) {
      const loss = functions.losses[ctx.network.loss];
      const title = `Backward: delta (${activation.title} and ${loss.title} simplify together)`;
      this.fromTable(title, [D()], fused.delta, name, numbers, delta);
    } else if (l === L) {
      const gradA = functions.losses[ctx.network.loss].grad_a;
      this.fromTable("Backward: how the loss changes with a", [dEda(name)], gradA, name, numbers, grad);
    } else {
      const next = trace.layers[l];
      const symbolic = [dEda(name), eq()];
      const numeric = this.products(
        sizes[l + 1],
        symbolic,
        (i) => [sub("w", weightName(sizes, l + 1, i, j).slice(1)), sub("\u03b4", neuronName(sizes, l + 1, i))],
        (i) => [next.weights[i][j], next.delta[s][i]],
        [sub("w", "i"), sub("\u03b4", "i")],
      );
      this.formula("Backward: the error that flows back to a", [symbolic, ...numeric, [eq(), this.num(grad)]]);
    }
    if (!fused && activation.delta) {
      const title = `Backward: delta through the ${activation.title} (its Jacobian)`;
      this.fromTable(title, [D()], activation.delta, name, numbers, delta);
    } else if (!fused) {
      const fPrime = () => [mi("f\u2032"), paren([sub("z", name)])];
      const slope = layer.f_prime[s][j];
      this.fromTable(`Backward: the slope of the ${activation.title}`, fPrime(), activation.f_prime, name, numbers, slope);
      this.formula("Backward: delta", [
        [D(), eq(), dEda(name), dot(), ...fPrime()],
        [eq(), this.num(grad), times(), this.num(layer.f_prime[s][j], { paren: true }), eq(), this.num(delta)],
      ]);
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

/** A line wider than the panel is set smaller (down to 70%) rather than cut off at its edge. */
function fit(box) {
  const room = box.clientWidth;
  if (!room) return; // not on screen
  for (const line of box.children) {
    const width = line.firstElementChild?.getBoundingClientRect().width ?? 0;
    if (width > room) line.style.fontSize = `${Math.max(0.7, room / width).toFixed(3)}em`;
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

/** The symbols of neuron `name` in the table's formulas: z_name, a_name, y_name and
 * g = ∂E/∂a_name; inside a sum over k, z_k, a_k, y_k and ∂E/∂a_k. */
function symbols(name) {
  const at = (index) => (index === "k" ? "k" : name);
  return {
    z: (index) => sub("z", at(index)),
    a: (index) => sub("a", at(index)),
    y: (index) => sub("y", at(index)),
    g: (index) => dEda(at(index)),
    n: () => mi("n"),
  };
}

const dEda = (name) => frac("\u2202E", ["\u2202", sub("a", name)]);

const mi = (text) => math("mi", {}, text);
const eq = () => math("mo", {}, "=");
const plus = () => math("mo", {}, "+");
const minus = () => math("mo", {}, "\u2212");
const times = () => math("mo", {}, "\u00d7");
const dot = () => math("mo", {}, "\u00b7");
const sub = (base, index) => math("msub", {}, mi(base), mi(index));
const paren = (parts) => math("mrow", {}, math("mo", {}, "("), ...parts.map(number), math("mo", {}, ")"));
const number = (part) => (typeof part === "string" ? math("mn", {}, part) : part);
const frac = (top, bottom) => math("mfrac", {}, cell(top), cell(bottom));
/** One part of a fraction: "1" (a number), "∂E" (a name), or [strings and nodes] in a row. */
function cell(part) {
  if (Array.isArray(part)) return math("mrow", {}, ...part.map((p) => (typeof p === "string" ? mi(p) : p)));
  if (typeof part !== "string") return part;
  return math("mrow", {}, /^[0-9]+$/.test(part) ? math("mn", {}, part) : mi(part));
}
