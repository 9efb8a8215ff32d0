// Explains the selected neuron, weight or bias: where each of its numbers comes from, as MathML
// equations aligned on "=", walking the chain rule with this step's numbers substituted.
// The activations' and losses' formulas are the API's (GET /api/v1/functions, kept in
// store.functions); formula.js draws them. Every number comes from the API's trace.

import { formula } from "./formula.js";
import { formatFull, formatNumber, isMissing } from "./format.js";
import { backwardReached, forwardReached, neuronName, weightName } from "./layout.js";
import { aligned, dEda, delta as D, dot, eq, frac, gets, mi, minus, mo, paren, partial, plus, slope, sub, times } from "./mathml.js";
import { clear, html, math } from "./svg.js";

const HINT = "Click a neuron, a weight or a bias to see where its numbers come from.";
const MEAN_TERMS = 8; // samples of a batch up to which a gradient's mean is written out

export class Inspector {
  constructor(root, store, session) {
    this.root = root;
    this.body = root.querySelector("#inspector-body");
    this.store = store;
    this.session = session;
    this.full = false;
  }

  /** A number: 6 significant digits (all 17 in its title, and with "Show full precision"). */
  num(x, { paren: bracket = false, digits = 6 } = {}) {
    const text = this.full ? formatFull(x) : formatNumber(x, digits);
    const node = math("mn", { title: isMissing(x) ? "not a finite number" : formatFull(x) }, text);
    // in an mrow of their own, brackets grow with the number only, not with a fraction beside it
    return bracket && !isMissing(x) && x < 0 ? paren([node]) : node;
  }

  /** A titled block of equations aligned on "="; its title names it for assistive technology. */
  formula(title, lines) {
    const id = `formula-${this.count++}`;
    html("p", { class: "formula-title", id }, this.body, title);
    const box = html("div", { class: "formula", role: "group", "aria-labelledby": id }, this.body);
    box.append(aligned(lines));
    return box;
  }

  render() {
    const { store } = this;
    const selection = store.selection;
    clear(this.body);
    this.count = 0;
    if (!selection || !store.network || !store.functions) {
      html("p", { class: "hint" }, this.body, HINT);
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
      html("p", { class: "hint" }, this.body, HINT);
      return;
    }
    ctx.batch = ctx.trace ? ctx.trace.inputs.length : store.batchSize;
    if (selection.kind === "edge") this.edge(ctx, selection);
    else if (selection.kind === "bias") this.bias(ctx, selection);
    else this.neuron(ctx, selection);
    if (!ctx.trace) html("p", { class: "hint" }, this.body, "Press Step or Next phase: the formulas fill in as the step is played.");
    const precision = html("label", { class: "precision" }, this.body);
    const box = html("input", { type: "checkbox" }, precision);
    box.checked = this.full;
    precision.append("Show full precision");
    box.addEventListener("change", () => {
      this.full = box.checked;
      this.render();
      this.root.querySelector(".precision input")?.focus();
    });
    for (const formulaBox of this.body.querySelectorAll(".formula")) scrollable(formulaBox);
  }

  // --- a weight ---------------------------------------------------------------------------

  edge(ctx, { layer: l, from: k, to: j }) {
    const { sizes, trace, phase, s } = ctx;
    const name = weightName(sizes, l, j, k);
    const [src, dst] = [neuronName(sizes, l - 1, k), neuronName(sizes, l, j)];
    const w = ctx.network.weights[l - 1][j][k];
    const W = () => sub("w", name.slice(1));
    html("h3", {}, this.body, `Weight ${name}: from ${src} to ${dst}`);
    this.formula("Value", [[W(), eq(), this.num(w)]]);
    this.editor(name, w, (value) => this.setWeight(l, j, k, value));
    if (!trace) return;
    const layer = trace.layers[l - 1];
    const aPrev = l === 1 ? trace.inputs[s][k] : trace.layers[l - 2].a[s][k];
    const A = () => sub("a", src);
    if (forwardReached(phase, l)) {
      const term = layer.z_terms?.[s][j][k];
      this.formula(`Forward: it carries a of ${src} into z of ${dst}`, [
        [W(), dot(), A(), eq(), this.num(w), times(), this.num(aPrev, { paren: true })],
        ...(term === undefined ? [] : [[eq(), this.num(term)]]),
      ]);
    }
    if (backwardReached(phase, l)) {
      this.gradient(ctx, { l, j, k, name, src, dst, aPrev, W });
      this.check(ctx.record, (g) => g.layers[l - 1], (c) => [c.fd_grad_weights[j][k], c.rel_error_weights[j][k]]);
    }
    if (phase === "update") {
      const v = (field) => layer[field][j][k];
      this.update(ctx, W, { old: w, grad: v("grad_weights"), reg: v("reg_weights"), velocity: v("velocity_weights"),
        next: v("new_weights"), change: v("change_weights"), previous: prevVelocity(ctx.record, l, j, k) });
    }
  }

  /** dE/dw by the chain rule: Mazur's three factors dE/da, da/dz and dz/dw, with numbers. */
  gradient(ctx, { l, j, k, name, src, dst, aPrev, W }) {
    const { trace, s, sizes } = ctx;
    const layer = trace.layers[l - 1];
    const grad = layer.grad_weights[j][k];
    const dEdw = () => partial("E", W());
    if (ctx.batch > 1) {
      // dL/dw of the batch's mean loss L: the mean of each sample's dE/dw = delta a
      const B = ctx.batch;
      const aAt = (t) => (l === 1 ? trace.inputs[t][k] : trace.layers[l - 2].a[t][k]);
      const lines = [[partial("L", W()), eq(), frac("1", "B"), mo("\u2211"), D(dst), dot(), sub("a", src)]];
      if (B <= MEAN_TERMS) lines.push(...this.mean(B, (t) => [layer.delta[t][j], aAt(t)]));
      this.formula(`Gradient: the mean over the batch of ${B} samples`, [...lines, [eq(), this.num(grad)]]);
      this.formula(`Sample ${s + 1}'s factors`, [[D(dst), eq(), this.num(layer.delta[s][j])], [sub("a", src), eq(), this.num(aPrev)]]);
      return;
    }
    if (this.elementwise(ctx, l)) {
      const top = l === sizes.length - 1;
      const dEda_ = top ? [dEda(dst)] : [paren(this.pathNames(sizes, l, j))];
      this.formula("Gradient", [
        [dEdw(), eq(), dEda(dst), dot(), partial(sub("a", dst), sub("z", dst)), dot(), partial(sub("z", dst), W())],
        [eq(), ...dEda_, dot(), ...slope(dst), dot(), sub("a", src)],
        [eq(), this.num(layer.grad_a[s][j]), times(), this.num(layer.f_prime[s][j], { paren: true }), times(), this.num(aPrev, { paren: true })],
        [eq(), this.num(grad)],
      ]);
      return;
    }
    this.formula("Gradient", [
      [dEdw(), eq(), partial("E", sub("z", dst)), dot(), partial(sub("z", dst), W()), eq(), D(dst), dot(), sub("a", src)],
      [eq(), this.num(layer.delta[s][j]), times(), this.num(aPrev, { paren: true })],
      [eq(), this.num(grad)],
    ]);
  }

  /** Whether delta of layer l is dE/da times f'(z): not softmax's Jacobian, not a fused output. */
  elementwise(ctx, l) {
    const { functions } = this.store;
    const name = ctx.network.activations[l - 1];
    const top = l === ctx.sizes.length - 1;
    return !functions.activations[name].delta && !(top && functions.fused[`${name}+${ctx.network.loss}`]);
  }

  /** The update: the change -eta dE/dw (with momentum and penalties, -eta v), then the new value. */
  update(ctx, P, { old, grad, reg, velocity, next, change, previous }) {
    const eta = this.store.settings.learning_rate;
    const { momentum, l1, l2 } = this.store.settings;
    const dE = () => partial(ctx.batch > 1 ? "L" : "E", P()); // a batch: its mean loss L
    const change_ = () => math("mrow", {}, mi("\u0394"), P());
    const lines = [];
    if (momentum || reg) {
      const V = [mi("v"), eq()];
      const values = [eq()];
      if (momentum) {
        V.push(mi("\u03bc"), dot(), sub("v", "prev"), plus());
        values.push(this.num(momentum), times(), this.num(previous, { paren: true }), plus());
      }
      V.push(dE());
      values.push(this.num(grad, { paren: true }));
      if (reg) {
        V.push(plus(), sub("\u03bb", "2"), P(), plus(), sub("\u03bb", "1"), mi("sign"), paren([P()]));
        values.push(plus(), this.num(l2), times(), this.num(old, { paren: true }), plus(), this.num(l1), times(), this.num(Math.sign(old), { paren: true }));
      }
      lines.push(V, values, [eq(), this.num(velocity)]);
      lines.push([change_(), eq(), minus(), mi("\u03b7"), dot(), mi("v")], [eq(), minus(), this.num(eta), times(), this.num(velocity, { paren: true })]);
    } else {
      lines.push([change_(), eq(), minus(), mi("\u03b7"), dot(), dE()], [eq(), minus(), this.num(eta), times(), this.num(grad, { paren: true })]);
    }
    lines.push([eq(), this.num(change)]);
    lines.push([P(), gets(), P(), plus(), change_()], [eq(), this.num(old), plus(), this.num(change, { paren: true })], [eq(), this.num(next)]);
    this.formula(momentum || reg ? "Update, with momentum and penalties" : "Update: the change, then the new value", lines);
  }

  // --- a neuron ---------------------------------------------------------------------------

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
    const activation = this.store.functions.activations[ctx.network.activations[l - 1]];
    html("h3", {}, this.body, `${l === L ? "Output" : "Hidden"} neuron ${name}, ${activation.title}`);
    const b = ctx.network.biases[l - 1][j];
    this.formula("Bias", [[sub("b", name), eq(), this.num(b)]]);
    this.editor(`bias of ${name}`, b, (value) => this.setBias(l, j, value));
    if (l === L) {
      const y = trace ? trace.targets[s][j] : this.store.data.targets[this.store.sampleIndex][j];
      this.editor(`target of ${name}`, y, (value) => this.setSample("targets", j, value), "Target y");
    }
    if (!trace) return;
    const layer = trace.layers[l - 1];
    if (forwardReached(phase, l)) {
      this.weightedSum(ctx, l, j, "Forward: weighted sum");
      const applied = activation.output_only ? [] : [eq(), mi(activation.symbol), paren([sub("z", name)])];
      this.formula("Forward: activation", this.fromTable([sub("a", name), ...applied], activation.f, name, this.numbers(ctx, l, j), layer.a[s][j]));
    }
    if (l === L && (phase === "loss" || backwardReached(phase, l))) this.loss(ctx, j, name);
    if (backwardReached(phase, l)) {
      this.delta(ctx, l, j, name, activation);
      this.biasGradient(ctx, l, j, name);
    }
    if (phase === "update") this.biasUpdate(ctx, l, j, name);
  }

  /** z = sum of w a, plus b: the products written out, their values (the trace's terms), z. */
  weightedSum(ctx, l, j, title) {
    const { sizes, trace, s, network } = ctx;
    const name = neuronName(sizes, l, j);
    const prevA = (k) => (l === 1 ? trace.inputs[s][k] : trace.layers[l - 2].a[s][k]);
    const b = network.biases[l - 1][j];
    const terms = trace.layers[l - 1].z_terms?.[s][j];
    const lines = this.sum(sizes[l - 1], {
      left: [sub("z", name), eq()],
      names: (k) => [sub("w", weightName(sizes, l, j, k).slice(1)), sub("a", neuronName(sizes, l - 1, k))],
      sigma: [sub("w", "k"), sub("a", "k")],
      values: (k) => [network.weights[l - 1][j][k], prevA(k)],
      terms: terms && ((k) => terms[k]),
      last: [sub("b", name), b],
    });
    this.formula(title, [...lines, [eq(), this.num(trace.layers[l - 1].z[s][j])]]);
  }

  /**
   * The lines of a sum of n products (z = sum w a + b forward, dE/da = sum w delta backward):
   * its names (up to 3 terms, else a sum sign with `sigma`), then up to 8 terms as numbers,
   * two products a line, and, with `terms`, the products' values from the trace.
   */
  sum(n, { left, names, sigma, values, terms, last = null }) {
    const symbolic = [...left];
    for (let k = 0; k < Math.min(n, 3) && n <= 3; k += 1) symbolic.push(...(k ? [plus()] : []), ...names(k));
    if (n > 3) symbolic.push(mo("\u2211"), ...sigma);
    if (last) symbolic.push(plus(), last[0]);
    const lines = [symbolic];
    if (n > 8) return lines;
    const digits = n > 3 ? 4 : 6;
    // as many products to a line as fit the panel: a digit of 16 px maths is some 8 px wide, a
    // sign with its space 14 px, a bracket 5
    const room = Math.max(150, (this.body.clientWidth || 330) - 90);
    const width = (...xs) => xs.reduce((sum, x) => sum + 8.2 * formatNumber(x, digits).length + 14 + (x < 0 ? 10 : 0), 0);
    const wrap = (items) => {
      let line = [eq()];
      let used = 0;
      for (const [i, [nodes, chars]] of items.entries()) {
        if (i && used + chars > room) lines.push(line), (line = [plus()]), (used = 0);
        else if (i) line.push(plus());
        line.push(...nodes);
        used += chars;
      }
      lines.push(line);
    };
    const tail = () => (last ? [[[this.num(last[1], { paren: true })], width(last[1])]] : []);
    wrap([...Array.from({ length: n }, (_, k) => {
      const [a, x] = values(k);
      return [[this.num(a, { paren: k > 0, digits }), times(), this.num(x, { paren: true, digits })], width(a, x)];
    }), ...tail()]);
    // each product's value (from the trace), unless a lone product is already the sum
    if (terms && (n > 1 || last)) wrap([...Array.from({ length: n }, (_, k) => [[this.num(terms(k), { paren: k > 0, digits })], width(terms(k))]), ...tail()]);
    return lines;
  }

  /** 1/B (x_1 y_1 + ... + x_B y_B), the samples' products written out, as lines after "=". */
  mean(B, values) {
    const lines = this.sum(B, { left: [], names: () => [], sigma: [], values }).slice(1);
    lines[0].splice(1, 0, frac("1", String(B)), mo("("));
    lines.at(-1).push(mo(")"));
    return lines;
  }

  /** The names of the paths back into neuron j of layer l: w5 delta_o1 + w7 delta_o2. */
  pathNames(sizes, l, j) {
    const n = sizes[l + 1];
    if (n > 3) return [mo("\u2211"), sub("w", "i"), D("i")];
    return Array.from({ length: n }, (_, i) => [...(i ? [plus()] : []),
      sub("w", weightName(sizes, l + 1, i, j).slice(1)), D(neuronName(sizes, l + 1, i))]).flat();
  }

  /** A formula of the table: symbolic, with this step's numbers (6 digits, 4 in a sum over the
   * layer; unless it is a lone variable or number), then the result from the API's trace. */
  fromTable(left, tree, name, numbers, result) {
    const digits = JSON.stringify(tree).includes('"sum"') ? 4 : 6; // a sum over the layer is long
    const shown = (values) => formula(tree, values, { number: (x) => this.num(x, { digits }) });
    const substituted = "op" in tree ? [[eq(), shown(numbers)]] : [];
    return [[...left, eq(), shown(symbols(name))], ...substituted, [eq(), this.num(result)]];
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
    this.formula("Loss of this output", this.fromTable([sub("E", name)], loss.term, name, numbers, trace.output_losses[s][j]));
    const total = trace.sample_losses[s];
    this.formula("Loss of this sample (the sum over outputs)", [[mi("E"), eq(), mo("\u2211"), sub("E", "o"), eq(), this.num(total)]]);
    if (trace.inputs.length > 1) {
      this.formula(`Loss of the batch (the mean over ${trace.inputs.length} samples)`, [[mi("L"), eq(), this.num(trace.loss)]]);
    }
  }

  /** delta = dE/dz by the chain rule: dE/da (from the loss, or summed over every path back),
   * times f'(z), each written out with its numbers; softmax's Jacobian; a fused output's form. */
  delta(ctx, l, j, name, activation) {
    const { trace, s, sizes } = ctx;
    const { functions } = this.store;
    const layer = trace.layers[l - 1];
    const L = sizes.length - 1;
    const numbers = this.numbers(ctx, l, j);
    const fused = l === L ? functions.fused[`${activation.name}+${ctx.network.loss}`] : undefined;
    if (fused) {
      const loss = functions.losses[ctx.network.loss];
      const title = `Backward: delta (${activation.title} and ${loss.title} simplify together)`;
      this.formula(title, this.fromTable([D(name), eq(), partial("E", sub("z", name))], fused.delta, name, numbers, layer.delta[s][j]));
      return;
    }
    const gradA = l === L
      ? this.fromTable([dEda(name)], functions.losses[ctx.network.loss].grad_a, name, numbers, layer.grad_a[s][j])
      : this.paths(ctx, l, j, name);
    if (activation.delta) {
      this.formula("Backward: how the loss changes with a", gradA);
      this.formula(`Backward: delta through the ${activation.title} (its Jacobian row)`, this.fromTable([D(name)], activation.delta, name, numbers, layer.delta[s][j]));
      return;
    }
    const fPrime = layer.f_prime[s][j];
    this.formula("Backward: delta by the chain rule", [
      [D(name), eq(), partial("E", sub("z", name)), eq(), dEda(name), dot(), ...slope(name)],
      ...gradA,
      ...this.fromTable(slope(name), activation.f_prime, name, numbers, fPrime),
      [D(name), eq(), this.num(layer.grad_a[s][j]), times(), this.num(fPrime, { paren: true })],
      [eq(), this.num(layer.delta[s][j])],
    ]);
  }

  /** dE/da of a hidden neuron: the sum over every path out of it, w delta of the neuron it reaches. */
  paths(ctx, l, j, name) {
    const { sizes, trace, s } = ctx;
    const next = trace.layers[l];
    const terms = trace.layers[l - 1].grad_a_terms?.[s][j];
    const lines = this.sum(sizes[l + 1], {
      left: [dEda(name), eq()],
      names: (i) => [sub("w", weightName(sizes, l + 1, i, j).slice(1)), D(neuronName(sizes, l + 1, i))],
      sigma: [sub("w", "i"), D("i")],
      values: (i) => [next.weights[i][j], next.delta[s][i]],
      terms: terms && ((i) => terms[i]),
    });
    return [...lines, [eq(), this.num(trace.layers[l - 1].grad_a[s][j])]];
  }

  biasGradient(ctx, l, j, name) {
    const { trace, s } = ctx;
    const layer = trace.layers[l - 1];
    const dEdb = partial("E", sub("b", name));
    const B = ctx.batch;
    const lines = B > 1 // each sample's delta x 1, as with one sample
      ? [[partial("L", sub("b", name)), eq(), frac("1", "B"), mo("\u2211"), D(name), times(), math("mn", {}, "1")],
        ...(B <= MEAN_TERMS ? this.mean(B, (t) => [layer.delta[t][j], 1]) : []),
        [eq(), this.num(layer.grad_biases[j])]]
      : [[dEdb, eq(), D(name), dot(), partial(sub("z", name), sub("b", name)), eq(), D(name), times(), math("mn", {}, "1")],
        [eq(), this.num(layer.delta[s][j]), times(), math("mn", {}, "1")], [eq(), this.num(layer.grad_biases[j])]];
    this.formula(ctx.batch > 1 ? "Gradient of the bias (mean of delta over the batch)" : "Gradient of the bias", lines);
    this.check(ctx.record, (g) => g.layers[l - 1], (c) => [c.fd_grad_biases[j], c.rel_error_biases[j]]);
  }

  biasUpdate(ctx, l, j, name) {
    const layer = ctx.trace.layers[l - 1];
    const b = ctx.network.biases[l - 1][j];
    if (!ctx.network.train_biases) {
      html("p", { class: "hint" }, this.body, `Fixed: biases are not trained here (Train biases is off), so b of ${name} stays ${formatNumber(b, 6)}.`);
      return;
    }
    this.update(ctx, () => sub("b", name), { old: b, grad: layer.grad_biases[j], reg: 0, velocity: layer.velocity_biases[j],
      next: layer.new_biases[j], change: layer.change_biases[j], previous: prevBias(ctx.record, l, j) });
  }

  // --- a bias -----------------------------------------------------------------------------

  bias(ctx, { layer: l, index: j }) {
    const { sizes, trace, phase } = ctx;
    const name = neuronName(sizes, l, j);
    const b = ctx.network.biases[l - 1][j];
    html("h3", {}, this.body, `Bias of ${name}`);
    this.formula("Value", [[sub("b", name), eq(), this.num(b)]]);
    this.editor(`bias of ${name}`, b, (value) => this.setBias(l, j, value));
    if (!ctx.network.train_biases && phase !== "update") {
      const shown = trace && backwardReached(phase, l) ? "its gradient is shown all the same" : "its gradient is shown at its backward phase all the same";
      html("p", { class: "hint" }, this.body, `Fixed: biases are not trained here (Train biases is off); ${shown}.`);
    }
    if (!trace) return;
    if (forwardReached(phase, l)) this.weightedSum(ctx, l, j, `Forward: its place in z of ${name}`);
    if (backwardReached(phase, l)) this.biasGradient(ctx, l, j, name);
    if (phase === "update") this.biasUpdate(ctx, l, j, name);
  }

  // --- checks and editors -----------------------------------------------------------------

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

/** An equation wider than the panel scrolls sideways (set at full size, never shrunk); then it
 * can be reached by the keyboard too. */
function scrollable(box) {
  if (box.scrollWidth > box.clientWidth + 1) box.setAttribute("tabindex", "0");
}

function exists(sizes, selection) {
  if (selection.kind === "edge") {
    const { layer: l, from, to } = selection;
    return l >= 1 && l < sizes.length && to < sizes[l] && from < sizes[l - 1];
  }
  const minimum = selection.kind === "bias" ? 1 : 0;
  return selection.layer >= minimum && selection.layer < sizes.length && selection.index < sizes[selection.layer];
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
