// Predict, then check: which questions a step asks, what each gives to work from, answers, the score.
import assert from "node:assert/strict";
import { test } from "node:test";

import { answerFields } from "../../static/js/protocol.js";
import {
  checkBody, emptyScore, givensOf, KINDS, parseAnswer, questionsOf, quizSetting, scored, scoreText,
} from "../../static/js/questions.js";
import { embedParameters, estimatedHeight } from "../../static/js/snippets.js";

const MAZUR = {
  layer_sizes: [2, 2, 2],
  activations: ["sigmoid", "sigmoid"],
  loss: "squared_error",
  weights: [[[0.15, 0.2], [0.25, 0.3]], [[0.4, 0.45], [0.5, 0.55]]],
  biases: [[0.35, 0.35], [0.6, 0.6]],
};

// Mazur's published numbers for the first step (Matt Mazur, "A Step by Step Backpropagation Example")
const TRACE = {
  inputs: [[0.05, 0.1]],
  targets: [[0.01, 0.99]],
  layers: [
    { z: [[0.3775, 0.3925]], a: [[0.593269992, 0.596884378]], delta: [[0.008771354, 0.009954254]], grad_weights: [[0.000438568, 0.000877135], [0.000497713, 0.000995425]] },
    { z: [[1.105905967, 1.2249214]], a: [[0.75136507, 0.772928465]], delta: [[0.138498562, -0.038098236]], grad_weights: [[0.082167041, 0.082667628], [-0.022602540, -0.022740242]] },
  ],
};

const ask = (options) => questionsOf({ network: MAZUR, batch: 1, ...options });
const where = (q) => `${q.kind} ${q.phase} ${q.name}`;

test("a step asks each kind once, in the order the step computes them", () => {
  assert.deepEqual(ask({ step: 1 }).map(where), [
    "z forward-1 h1", "a forward-1 h1", "loss loss E", "output_delta backward-2 o1", "grad_weights backward-2 w5",
    "hidden_delta backward-1 h1", "new_weights update w5",
  ]);
});

test("without a selection, consecutive steps walk through the neurons and weights", () => {
  const names = (kind) => [1, 2, 3, 4, 5].map((step) => ask({ step, kinds: [kind] })[0].name);
  assert.deepEqual(names("z"), ["h1", "h2", "o1", "o2", "h1"]);
  assert.deepEqual(names("output_delta"), ["o1", "o2", "o1", "o2", "o1"]);
  assert.deepEqual(names("hidden_delta"), ["h1", "h2", "h1", "h2", "h1"]);
  // from the output layer back, as backprop reaches them
  assert.deepEqual([1, 2, 5, 8].map((step) => ask({ step, kinds: ["grad_weights"] })[0].name), ["w5", "w6", "w1", "w4"]);
});

test("the selected neuron or weight is asked about when it fits the kind", () => {
  const o2 = { kind: "neuron", layer: 2, index: 1 };
  assert.deepEqual(ask({ step: 1, selection: o2 }).map(where), [
    "z forward-2 o2", "a forward-2 o2", "loss loss E", "output_delta backward-2 o2", "grad_weights backward-2 w5",
    "hidden_delta backward-1 h1", "new_weights update w5",
  ]);
  const w3 = { kind: "edge", layer: 1, from: 0, to: 1 };
  const weight = ask({ step: 1, selection: w3, kinds: ["grad_weights", "new_weights"] });
  assert.deepEqual(weight.map(where), ["grad_weights backward-1 w3", "new_weights update w3"]);
  assert.deepEqual(weight[0].index, [1, 0]); // [j, k] as weights[layer - 1][j][k]
  const input = { kind: "neuron", layer: 0, index: 0 }; // fits nothing: the step's own pick
  assert.equal(ask({ step: 1, selection: input, kinds: ["z"] })[0].name, "h1");
});

test("a batch: the shown sample's output loss, and gradients only while the batch is small", () => {
  const kinds = ["loss", "grad_weights", "z"];
  const four = questionsOf({ step: 1, network: MAZUR, batch: 4, sample: 2, kinds });
  assert.deepEqual(four.map((q) => [q.kind, q.quantity, q.sample]), [["z", "z", 2], ["loss", "output_losses", 2], ["grad_weights", "grad_weights", 0]]);
  const five = questionsOf({ step: 1, network: MAZUR, batch: 5, sample: 9, kinds });
  assert.deepEqual(five.map((q) => [q.kind, q.sample]), [["z", 4], ["loss", 4]]);
});

test("a linear layer's a is not asked (it is z); a network without a hidden layer has no hidden delta", () => {
  const linear = questionsOf({ step: 3, network: MAZUR, batch: 1, kinds: ["z", "a"], identity: (l) => l === 2 });
  assert.deepEqual(linear.map(where), ["z forward-2 o1"]);
  const flat = { ...MAZUR, layer_sizes: [2, 2], activations: ["sigmoid"], weights: [MAZUR.weights[0]], biases: [MAZUR.biases[0]] };
  assert.deepEqual(questionsOf({ step: 1, network: flat, batch: 1 }).map((q) => q.kind), KINDS.filter((k) => k !== "hidden_delta"));
});

test("each question gives what its number is computed from, never the number", () => {
  const settings = { learning_rate: 0.5, momentum: 0, l1: 0, l2: 0 };
  const text = (q) => givensOf(q, { trace: TRACE, network: MAZUR, settings }).map((g) => `${g.symbol}${g.sub ?? ""}=${g.value}`);
  const [z, a, loss, outputDelta, grad, hiddenDelta, update] = ask({ step: 1 });
  assert.deepEqual(text(z), ["w1=0.15", "ai1=0.05", "w2=0.2", "ai2=0.1", "bh1=0.35"]);
  assert.deepEqual(text(a), ["zh1=0.3775"]);
  assert.deepEqual(text(loss), ["ao1=0.75136507", "yo1=0.01", "ao2=0.772928465", "yo2=0.99"]);
  assert.deepEqual(text(outputDelta), ["zo1=1.105905967", "ao1=0.75136507", "yo1=0.01"]);
  assert.deepEqual(text(grad), ["\u03b4o1=0.138498562", "ah1=0.593269992"]);
  assert.deepEqual(text(hiddenDelta), ["w5=0.4", "\u03b4o1=0.138498562", "w7=0.5", "\u03b4o2=-0.038098236", "zh1=0.3775", "ah1=0.593269992"]);
  assert.deepEqual(text(update), ["w5=0.4", "\u2202E/\u2202w5=0.082167041", "\u03b7=0.5"]);
  const momentum = givensOf(update, { trace: TRACE, network: MAZUR, settings: { ...settings, momentum: 0.9, l2: 0.01 } });
  assert.deepEqual(momentum.slice(3).map((g) => `${g.symbol}${g.sub ?? ""}=${g.value}`), ["\u03bc=0.9", "vprev=0", "\u03bb2=0.01"]);
});

test("the check body is the step's request with the question in the trace's numbering", () => {
  const request = { network: MAZUR, inputs: TRACE.inputs, targets: TRACE.targets, learning_rate: 0.5 };
  const [z, , loss, , grad] = ask({ step: 1 });
  assert.deepEqual(checkBody(request, z, { answer: 0.3775 }), { ...request, quantity: "z", layer: 0, index: 0, sample: 0, answer: 0.3775 });
  assert.deepEqual(checkBody(request, loss, { reveal: true }), { ...request, quantity: "loss", sample: 0, reveal: true });
  assert.deepEqual(checkBody(request, grad, { answer: 0.08217 }).index, [0, 0]);
  assert.equal(checkBody(request, grad, { answer: 0.08217 }).layer, 1);
});

test("answers are read as a student types them", () => {
  for (const [text, value] of [["0.1385", 0.1385], [" -0.0381 ", -0.0381], ["\u22120.0381", -0.0381], ["0,1385", 0.1385], [".5", 0.5], ["1.2e-5", 1.2e-5], ["3", 3], ["+2.", 2]]) {
    assert.equal(parseAnswer(text), value, text);
  }
  for (const text of ["", "abc", "0.1.2", "1e999", "Infinity", "NaN", "0x10", "1,234.5", "--1"]) assert.equal(parseAnswer(text), null, text);
});

test("the score counts each question once: right first time, on a later try, or shown", () => {
  assert.equal(scoreText(emptyScore()).headline, "No question answered yet");
  let score = emptyScore();
  for (const [kind, outcome] of [["z", "first"], ["a", "later"], ["loss", "first"], ["z", "shown"], ["z", "first"]]) score = scored(score, kind, outcome);
  const text = scoreText(score);
  assert.equal(text.headline, "3 of 5 right first time");
  assert.equal(text.detail, "1 right on a later try, 1 shown");
  assert.match(text.kinds, /^z \(a weighted sum\): 2 of 3; a \(an activation\): 0 of 1; the loss: 1 of 1$/);
});

test("a saved state's quiz setting: kept when it is valid, off in a state from before the quiz", () => {
  assert.deepEqual(quizSetting(undefined), { on: false, kinds: KINDS });
  assert.deepEqual(quizSetting({ on: true, kinds: ["loss", "z", "bogus"] }), { on: true, kinds: ["z", "loss"] });
  assert.deepEqual(quizSetting({ on: "yes", kinds: "z" }), { on: false, kinds: KINDS });
});

test("an answer event carries the question, the judgement and an xAPI verb, object and result", () => {
  const [, , , outputDelta] = ask({ step: 1 });
  const misconception = { id: "forgot_activation_derivative", message: "..." };
  const wrong = answerFields({
    question: outputDelta, step: 1, answer: 0.741365, correct: false, misconception, attempts: 1, revealed: false,
    base: "http://host", preset: "mazur", title: "\u03b4 of o1, step 1",
  });
  assert.deepEqual(
    { quantity: wrong.quantity, layer: wrong.layer, index: wrong.index, correct: wrong.correct, misconception: wrong.misconception, attempts: wrong.attempts },
    { quantity: "delta", layer: 2, index: 0, correct: false, misconception, attempts: 1 },
  );
  assert.equal("expected" in wrong, false);
  assert.deepEqual(wrong.verb, { id: "http://adlnet.gov/expapi/verbs/answered", display: { "en-US": "answered" } });
  assert.equal(wrong.object.id, "http://host/embed?preset=mazur#step=1&quantity=delta&layer=2&index=0");
  assert.equal(wrong.object.definition.interactionType, "numeric");
  assert.deepEqual(wrong.result, {
    success: false, completion: false, score: { raw: 0, min: 0, max: 1, scaled: 0 }, response: "0.741365",
    extensions: { "http://host/docs/embed#misconception": "forgot_activation_derivative" },
  });
  const right = answerFields({ question: outputDelta, step: 1, answer: 0.1385, correct: true, attempts: 2, revealed: false, expected: 0.138498562, base: "http://host", preset: null, title: "" });
  assert.deepEqual(right.result, { success: true, completion: true, score: { raw: 1, min: 0, max: 1, scaled: 1 }, response: "0.1385" });
  assert.equal(right.expected, 0.138498562);
  assert.equal(right.object.id.startsWith("http://host/embed#"), true);
  const shown = answerFields({ question: outputDelta, step: 1, answer: null, correct: false, attempts: 2, revealed: true, expected: 0.138498562, base: "h", title: "" });
  assert.equal("response" in shown.result, false);
  assert.equal(shown.result.completion, true);
});

test("an embed snippet names its quiz: 1 for every kind, else the kinds", () => {
  assert.deepEqual(embedParameters({ preset: "mazur", quiz: KINDS }), [["preset", "mazur"], ["quiz", "1"]]);
  assert.deepEqual(embedParameters({ preset: "mazur", quiz: ["loss", "z"] }), [["preset", "mazur"], ["quiz", "z,loss"]]);
  assert.deepEqual(embedParameters({ preset: "mazur", quiz: [] }), [["preset", "mazur"]]);
  assert.ok(estimatedHeight({ quiz: ["z"] }) > estimatedHeight({}));
});

test("no question gives away the number of a question asked after it in the step", () => {
  const settings = { learning_rate: 0.5, momentum: 0, l1: 0, l2: 0 };
  const number = (q) => {
    const layer = TRACE.layers[q.layer - 1];
    if (q.kind === "grad_weights") return layer.grad_weights[q.index[0]][q.index[1]];
    return ["z", "a", "delta"].includes(q.quantity) ? layer[q.quantity][0][q.index] : null;
  };
  const selections = [null, { kind: "neuron", layer: 1, index: 1 }, { kind: "edge", layer: 1, from: 1, to: 1 }];
  for (const selection of selections) {
    for (let step = 1; step <= 8; step += 1) {
      const asked = ask({ step, selection });
      asked.forEach((q, i) => {
        const values = givensOf(q, { trace: TRACE, network: MAZUR, settings }).map((g) => g.value);
        for (const later of asked.slice(i)) {
          if (number(later) !== null) assert.ok(!values.includes(number(later)), `step ${step}: ${q.kind} gives ${later.kind}`);
        }
      });
    }
  }
});
