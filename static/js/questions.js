// Predict, then check: which numbers of a step the quiz asks for, in the order the step
// computes them, what each question gives the student to work from, and the score (pure: no
// DOM, no fetch; node --test checks it). Layers are numbered as on the diagram: 1 is the
// first non-input layer (the API's trace numbers it 0).

import { phasesOf, neuronName, weightName } from "./layout.js";

/** The kinds of question a teacher can choose, in the order a step computes them. */
export const KINDS = ["z", "a", "loss", "output_delta", "hidden_delta", "grad_weights", "new_weights"];
export const KIND_LABELS = {
  z: "z (a weighted sum)",
  a: "a (an activation)",
  loss: "the loss",
  output_delta: "\u03b4 at the output",
  hidden_delta: "\u03b4 in a hidden layer",
  grad_weights: "\u2202E/\u2202w (a weight's gradient)",
  new_weights: "a new weight, after the update",
};
// a gradient is the mean over the batch: asked only while the products fit the question
export const MAX_GRADIENT_BATCH = 4;
// a lesson's stop may also ask about a bias (the Quiz's own questions are about weights)
const BIAS_KINDS = { grad_biases: "\u2202E/\u2202b, a bias's gradient", new_biases: "a new bias, after the update" };
const ALL_KINDS = [...KINDS.slice(0, 6), "grad_biases", "new_weights", "new_biases"];

/** The quiz setting of a saved state ({on, kinds}); a state from before the quiz has none. */
export function quizSetting(saved) {
  const kinds = Array.isArray(saved?.kinds) ? KINDS.filter((k) => saved.kinds.includes(k)) : [...KINDS];
  return { on: saved?.on === true, kinds };
}

/**
 * The questions of one step, in the order the step computes their numbers: at most one of
 * each kind. Each question is {kind, phase, quantity, layer, index, sample, name}; it is asked
 * just before `phase` plays. Which neuron or weight: the one selected when the step started,
 * if it fits the kind; otherwise one picked by the step number, so that consecutive steps
 * walk through every neuron and weight. A `linear` layer's a is z itself: not asked.
 */
export function questionsOf({ step, network, batch, sample = 0, selection = null, kinds = KINDS, identity = () => false }) {
  const sizes = network.layer_sizes;
  const L = sizes.length - 1;
  const n = Math.max(0, step - 1);
  const pick = (list) => (list.length ? list[n % list.length] : null);
  const neurons = (from, to) => {
    const list = [];
    for (let l = from; l <= to; l += 1) for (let j = 0; j < sizes[l]; j += 1) list.push({ layer: l, index: j });
    return list;
  };
  const chosen = (from, to) => {
    const s = selection;
    if (s?.kind === "neuron" && s.layer >= from && s.layer <= to && s.index < sizes[s.layer]) return { layer: s.layer, index: s.index };
    return pick(neurons(from, to));
  };
  const forward = chosen(1, L);
  const output = chosen(L, L);
  const hidden = L > 1 ? chosen(1, L - 1) : null;
  const weight = chosenWeight(sizes, selection) ?? pick(weightsBackward(sizes));
  const s = Math.min(sample, batch - 1);
  const neuron = (kind, phase, quantity, at, perSample = true) => ({
    kind, phase, quantity, layer: at.layer, index: at.index, sample: perSample ? s : 0, name: neuronName(sizes, at.layer, at.index),
  });
  const onWeight = (kind, phase) => ({
    kind, phase, quantity: kind, layer: weight.layer, index: [weight.to, weight.from], sample: 0,
    name: weightName(sizes, weight.layer, weight.to, weight.from),
  });
  const all = [];
  const wanted = (kind) => kinds.includes(kind);
  if (wanted("z")) all.push(neuron("z", `forward-${forward.layer}`, "z", forward));
  if (wanted("a") && !identity(forward.layer)) all.push(neuron("a", `forward-${forward.layer}`, "a", forward));
  if (wanted("loss")) {
    // one sample: its loss; a batch: one output's loss of the sample shown (the batch's mean
    // loss would take every sample's outputs)
    all.push(batch === 1 ? { kind: "loss", phase: "loss", quantity: "loss", layer: null, index: null, sample: 0, name: "E" } : neuron("loss", "loss", "output_losses", output));
  }
  // within a backward phase delta comes first: a gradient's question gives delta to work from
  if (wanted("output_delta")) all.push(neuron("output_delta", `backward-${L}`, "delta", output));
  if (wanted("hidden_delta") && hidden) all.push(neuron("hidden_delta", `backward-${hidden.layer}`, "delta", hidden));
  if (wanted("grad_weights") && batch <= MAX_GRADIENT_BATCH) all.push(onWeight("grad_weights", `backward-${weight.layer}`));
  if (wanted("new_weights")) all.push(onWeight("new_weights", "update"));
  const order = ["idle", ...phasesOf(L)];
  return all.map((q, i) => [q, i]).sort(([p, i], [q, k]) => order.indexOf(p.phase) - order.indexOf(q.phase) || i - k).map(([q]) => q);
}

/** The weights from the output layer back (w5..w8 before w1..w4): the backward pass's order. */
function weightsBackward(sizes) {
  const list = [];
  for (let l = sizes.length - 1; l >= 1; l -= 1) {
    for (let j = 0; j < sizes[l]; j += 1) for (let k = 0; k < sizes[l - 1]; k += 1) list.push({ layer: l, to: j, from: k });
  }
  return list;
}

function chosenWeight(sizes, s) {
  if (s?.kind !== "edge" || !(s.layer >= 1 && s.layer < sizes.length && s.to < sizes[s.layer] && s.from < sizes[s.layer - 1])) return null;
  return { layer: s.layer, to: s.to, from: s.from };
}

/** The body of POST /api/v1/check: the step's own request, and the question in the trace's numbering. */
export function checkBody(request, q, { answer = null, reveal = false } = {}) {
  const body = { ...request, ...toCheck(q) };
  if (answer !== null) body.answer = answer;
  if (reveal) body.reveal = true;
  return body;
}

/** A quiz question as POST /api/v1/check (and a lesson's stop) asks it: the trace's layer numbering. */
export function toCheck(q) {
  const asked = { quantity: q.quantity, sample: q.sample };
  if (q.layer !== null) asked.layer = q.layer - 1;
  if (q.index !== null) asked.index = q.index;
  return asked;
}

/**
 * A question as POST /api/v1/check asks it ({quantity, layer, index, sample}: layers in the
 * trace's numbering, a lesson's stop carries one) as the quiz asks it: {kind, phase, quantity,
 * layer, index, sample, name}, layers numbered as on the diagram. checkBody turns it back.
 */
export function fromCheck({ quantity, layer = null, index = null, sample = 0 }, sizes) {
  const L = sizes.length - 1;
  const l = quantity === "loss" ? null : quantity === "output_losses" ? L : layer + 1;
  const kind = quantity === "delta" ? (l === L ? "output_delta" : "hidden_delta") : quantity === "output_losses" ? "loss" : quantity;
  const phase = { z: `forward-${l}`, a: `forward-${l}`, loss: "loss", output_delta: `backward-${l}`, hidden_delta: `backward-${l}`,
    grad_weights: `backward-${l}`, grad_biases: `backward-${l}`, new_weights: "update", new_biases: "update" }[kind];
  const name = quantity === "loss" ? "E" : Array.isArray(index) ? weightName(sizes, l, index[0], index[1]) : neuronName(sizes, l, index);
  const perSample = ["z", "a", "delta", "output_losses"].includes(quantity);
  return { kind, phase, quantity, layer: l, index: quantity === "loss" ? null : index, sample: perSample ? sample : 0, name };
}

/** `data-index` of #quiz: "j", or "j,k" for a weight. */
export function indexText(index) {
  return index === null ? null : Array.isArray(index) ? index.join(",") : String(index);
}

/**
 * The numbers the asked one is computed from ({symbol, sub, value, sample}): from the trace,
 * the network before the step and the settings; never the asked number. Some share its phase
 * (z for a, delta for a gradient): those are asked first when their kind is on.
 */
export function givensOf(q, { trace, network, velocity = null, settings, outputOnly = () => false }) {
  const sizes = network.layer_sizes;
  const L = sizes.length - 1;
  const { layer: l, index, sample: s } = q;
  const out = [];
  const give = (symbol, sub, value, sample = null) => out.push({ symbol, sub, value, sample });
  const name = (m, j) => neuronName(sizes, m, j);
  const w = (m, j, k) => weightName(sizes, m, j, k).slice(1);
  const of = (m) => trace.layers[m - 1];
  const a = (m, t, k) => (m === 0 ? trace.inputs[t][k] : of(m).a[t][k]);
  const ay = (o) => {
    give("a", name(L, o), of(L).a[s][o]);
    give("y", name(L, o), trace.targets[s][o]);
  };
  switch (q.kind) {
    case "z":
      for (let k = 0; k < sizes[l - 1]; k += 1) {
        give("w", w(l, index, k), network.weights[l - 1][index][k]);
        give("a", name(l - 1, k), a(l - 1, s, k));
      }
      give("b", name(l, index), network.biases[l - 1][index]);
      break;
    case "a":
      for (const j of outputOnly(l) ? range(sizes[l]) : [index]) give("z", name(l, j), of(l).z[s][j]);
      break;
    case "loss":
      (q.quantity === "loss" ? range(sizes[L]) : [index]).forEach(ay);
      break;
    case "output_delta":
      if (outputOnly(L)) range(sizes[L]).forEach(ay); // softmax: every output's a and y
      else {
        give("z", name(L, index), of(L).z[s][index]);
        ay(index);
      }
      break;
    case "hidden_delta":
      for (let i = 0; i < sizes[l + 1]; i += 1) {
        give("w", w(l + 1, i, index), network.weights[l][i][index]);
        give("\u03b4", name(l + 1, i), of(l + 1).delta[s][i]);
      }
      give("z", name(l, index), of(l).z[s][index]);
      give("a", name(l, index), of(l).a[s][index]);
      break;
    case "grad_weights": {
      const [j, k] = index;
      const batch = trace.inputs.length;
      for (let t = 0; t < batch; t += 1) {
        give("\u03b4", name(l, j), of(l).delta[t][j], batch > 1 ? t + 1 : null);
        give("a", name(l - 1, k), a(l - 1, t, k), batch > 1 ? t + 1 : null);
      }
      break;
    }
    case "grad_biases": {
      const batch = trace.inputs.length;
      for (let t = 0; t < batch; t += 1) give("\u03b4", name(l, index), of(l).delta[t][index], batch > 1 ? t + 1 : null);
      break;
    }
    case "new_biases":
      give("b", name(l, index), network.biases[l - 1][index]);
      give("\u2202E/\u2202b", name(l, index), of(l).grad_biases[index]);
      give("\u03b7", null, settings.learning_rate);
      if (settings.momentum) {
        give("\u03bc", null, settings.momentum);
        give("v", "prev", velocity ? velocity.biases[l - 1][index] : 0);
      }
      break;
    case "new_weights": {
      const [j, k] = index;
      give("w", w(l, j, k), network.weights[l - 1][j][k]);
      give("\u2202E/\u2202w", w(l, j, k), of(l).grad_weights[j][k]);
      give("\u03b7", null, settings.learning_rate);
      if (settings.momentum) {
        give("\u03bc", null, settings.momentum);
        give("v", "prev", velocity ? velocity.weights[l - 1][j][k] : 0);
      }
      if (settings.l2) give("\u03bb", "2", settings.l2);
      if (settings.l1) give("\u03bb", "1", settings.l1);
    }
  }
  return out;
}

const range = (n) => Array.from({ length: n }, (_, i) => i);

/** The asked number's symbol: {symbol, sub} (z of o1 is z with o1 below; the loss is E). */
export function symbolOf(q) {
  if (q.quantity === "loss") return { symbol: "E", sub: null };
  if (q.quantity === "output_losses") return { symbol: "E", sub: q.name };
  if (q.kind === "grad_weights") return { symbol: "\u2202E/\u2202w", sub: q.name.slice(1) };
  if (q.kind === "new_weights") return { symbol: "w", sub: q.name.slice(1) };
  if (q.kind === "grad_biases") return { symbol: "\u2202E/\u2202b", sub: q.name };
  if (q.kind === "new_biases") return { symbol: "b", sub: q.name };
  return { symbol: q.quantity === "delta" ? "\u03b4" : q.quantity, sub: q.name };
}

/** The question in words after its symbol, e.g. "the weighted sum into o1". */
export function describe(q, { activation = "", loss = "", batch = 1 } = {}) {
  const sample = batch > 1 && ["z", "a", "loss", "output_delta", "hidden_delta"].includes(q.kind) ? `, for sample ${q.sample + 1} of the batch` : "";
  switch (q.kind) {
    case "z": return `the weighted sum into ${q.name}${sample}`;
    case "a": return `the activation of ${q.name} (${activation})${sample}`;
    case "loss": return q.quantity === "loss" ? `the loss of this step (${loss})` : `the loss of output ${q.name} (${loss})${sample}`;
    case "output_delta": return `the error signal of output ${q.name} (${activation}, ${loss})${sample}`;
    case "hidden_delta": return `the error signal of ${q.name} (${activation})${sample}`;
    case "grad_weights": return batch > 1 ? `the gradient of ${q.name}, the mean over the batch's ${batch} samples` : `the gradient of ${q.name}`;
    case "new_weights": return "its value after the update";
    case "grad_biases": return batch > 1 ? `the gradient of the bias of ${q.name}, the mean over the batch's ${batch} samples` : `the gradient of the bias of ${q.name}`;
    case "new_biases": return "its value after the update";
  }
  return "";
}

/** The asked number in words for messages: "z of o1", "the loss E", "∂E/∂w5", "w5 after the update". */
export function nameOf(q) {
  if (q.quantity === "loss") return "the loss E";
  if (q.quantity === "output_losses") return `the loss of ${q.name}`;
  if (q.kind === "grad_weights") return `\u2202E/\u2202${q.name}`;
  if (q.kind === "new_weights") return `${q.name} after the update`;
  if (q.kind === "grad_biases") return `\u2202E/\u2202b of ${q.name}`;
  if (q.kind === "new_biases") return `b of ${q.name} after the update`;
  return `${q.quantity === "delta" ? "\u03b4" : q.quantity} of ${q.name}`;
}

/** A typed number, or null: "0.1385", "-2.5e-3", "−0.04" (a real minus), "0,1385" (a decimal comma). */
export function parseAnswer(text) {
  let t = String(text ?? "").trim().replace(/[\u2212\u2013]/g, "-").replace(/\s+/g, "");
  if (/^[-+]?\d*,\d+$/.test(t)) t = t.replace(",", ".");
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) return null;
  const x = Number(t);
  return Number.isFinite(x) ? x : null;
}

// the score: each finished question counts once, right first time, on a later try, or shown

/** No question finished yet. */
export function emptyScore() {
  return { finished: 0, first: 0, later: 0, shown: 0, kinds: {} };
}

/** The score with one more finished question: outcome "first", "later" or "shown". */
export function scored(score, kind, outcome) {
  const before = score.kinds[kind] ?? { finished: 0, first: 0 };
  return {
    finished: score.finished + 1,
    first: score.first + (outcome === "first"),
    later: score.later + (outcome === "later"),
    shown: score.shown + (outcome === "shown"),
    kinds: { ...score.kinds, [kind]: { finished: before.finished + 1, first: before.first + (outcome === "first") } },
  };
}

/** The score in words: {headline, detail, kinds} ("3 of 4 right first time"). */
export function scoreText(score) {
  if (!score.finished) return { headline: "No question answered yet", detail: "", kinds: "" };
  const detail = [`${score.later} right on a later try`, `${score.shown} shown`].join(", ");
  const kinds = ALL_KINDS.filter((k) => score.kinds[k]).map((k) => `${KIND_LABELS[k] ?? BIAS_KINDS[k]}: ${score.kinds[k].first} of ${score.kinds[k].finished}`).join("; ");
  return { headline: `${score.first} of ${score.finished} right first time`, detail, kinds };
}
