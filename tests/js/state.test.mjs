// State encoding (share links) and the timeline of recorded steps.
import assert from "node:assert/strict";
import { test } from "node:test";

import { decodeState, encodeState, startParameters } from "../../static/js/codec.js";
import { sceneAt } from "../../static/js/player.js";
import { stateProblem } from "../../static/js/checks.js";
import { KINDS } from "../../static/js/questions.js";
import { Store } from "../../static/js/state.js";
import { LIMITS } from "./limits.mjs";

const mazur = {
  name: "mazur",
  network: {
    layer_sizes: [2, 2, 2],
    activations: ["sigmoid", "sigmoid"],
    loss: "squared_error",
    weights: [[[0.15, 0.2], [0.25, 0.3]], [[0.4, 0.45], [0.5, 0.55]]],
    biases: [[0.35, 0.35], [0.6, 0.6]],
    train_biases: false,
    init: "xavier",
    seed: 0,
  },
  inputs: [[0.05, 0.1]],
  targets: [[0.01, 0.99]],
  learning_rate: 0.5,
  batch_size: null,
};

/** A stand-in for one /step answer: only the fields the timeline reads. */
function fakeTrace(network, w5) {
  const next = structuredClone(network);
  next.weights[1][0][0] = w5;
  const layer = (n) => ({
    weights: [], z: [Array(n).fill(0.1)], a: [Array(n).fill(0.5)], delta: [Array(n).fill(0.01)],
    grad_weights: [[0, 0], [0, 0]], new_weights: [[0, 0], [0, 0]], change_weights: [[0, 0], [0, 0]],
    new_biases: Array(n).fill(0.7),
  });
  return {
    network: next, velocity: null, inputs: [[0.05, 0.1]], targets: [[0.01, 0.99]], layers: [layer(2), layer(2)],
    output_losses: [[0.2748, 0.0236]], sample_losses: [0.2984], loss: 0.2984,
  };
}

test("a state survives encode and decode exactly, floats included", async () => {
  const state = { ...mazur, step: 3, losses: [{ step: 0, loss: 0.2983711087600027, test_loss: null }], x: [0.1 + 0.2, -1e-300, 5e300] };
  const code = await encodeState(state);
  assert.match(code, /^1\.[A-Za-z0-9_-]+$/);
  assert.deepEqual(await decodeState(code), state);
});

test("a damaged code is rejected", async () => {
  await assert.rejects(decodeState("2.abc"));
  await assert.rejects(decodeState("1.!!!"));
});

test("start parameters are read and removed from the address", () => {
  const start = startParameters("http://127.0.0.1:8000/?preset=xor&lang=en#state=1.abc");
  assert.equal(start.preset, "xor");
  assert.equal(start.state, "1.abc");
  assert.equal(start.clean, "/?lang=en");
  assert.equal(startParameters("http://h/").preset, null);
});

test("the timeline walks through phases and steps; saved() keeps the shown state", () => {
  const store = new Store();
  const reasons = [];
  store.addEventListener("change", (event) => reasons.push(event.detail.reason));
  store.load(mazur);
  assert.equal(store.phase, "idle");
  store.appendRecord(fakeTrace(store.network, 0.35891648));
  store.moveTo(1);
  assert.equal(store.phase, "forward-1");
  assert.equal(store.snapshot().network.weights[1][0][0], 0.4);
  store.moveTo(6);
  assert.equal(store.phase, "update");
  assert.equal(store.snapshot().network.weights[1][0][0], 0.35891648);
  assert.equal(store.snapshot().step, 1);
  store.appendRecord(fakeTrace(store.snapshot().network, 0.3));
  assert.equal(store.end, 12);
  assert.equal(store.recordAt(7).network.weights[1][0][0], 0.35891648);
  const saved = store.saved();
  assert.equal(stateProblem(saved, LIMITS), null);
  assert.equal(saved.network.weights[1][0][0], 0.35891648);
  assert.equal(saved.step, 1);
  assert.deepEqual(reasons, ["load", "record", "position", "position", "record"]);
});

test("a new setting drops the recorded steps after the current one", () => {
  const store = new Store();
  store.load(mazur);
  store.appendRecord(fakeTrace(store.network, 0.35));
  store.appendRecord(fakeTrace(store.network, 0.3));
  store.moveTo(3);
  store.setSettings({ learning_rate: 0.1 });
  assert.equal(store.records.length, 1);
  assert.equal(store.settings.learning_rate, 0.1);
});

test("reset goes back to the initial weights, step 0, no history", () => {
  const store = new Store();
  store.load(mazur);
  store.appendRecord(fakeTrace(store.network, 0.35));
  store.moveTo(6);
  store.commit({}, "commit");
  assert.equal(store.network.weights[1][0][0], 0.35);
  store.reset();
  assert.equal(store.network.weights[1][0][0], 0.4);
  assert.equal(store.step, 0);
  assert.equal(store.records.length, 0);
});

test("the scene reveals a layer's activations only once the forward pass reaches it", () => {
  const store = new Store();
  store.load(mazur);
  store.appendRecord(fakeTrace(store.network, 0.35));
  const idle = sceneAt(store, 0);
  assert.equal(idle.neurons[0][0].text, "0.05");
  assert.equal(idle.neurons[1][0].text, "");
  const first = sceneAt(store, 1);
  assert.equal(first.neurons[1][0].text, "0.5");
  assert.equal(first.neurons[2][0].text, "");
  const update = sceneAt(store, 6);
  assert.equal(update.edges[1][0][0].weight, 0.4);
  assert.equal(update.neurons[2][0].ring, 0.01);
});

test("biases show the shown phase's value; targets and loss terms appear with the loss phase", () => {
  const store = new Store();
  store.load(mazur);
  store.appendRecord(fakeTrace(store.network, 0.35));
  const before = sceneAt(store, 2); // forward-2
  assert.deepEqual(before.biases[2].map((b) => b.value), [0.6, 0.6]);
  assert.deepEqual(before.outputs.map((o) => o.target), [null, null]);
  assert.equal(before.total, null);
  const loss = sceneAt(store, 3);
  assert.deepEqual(loss.outputs.map((o) => [o.target, o.loss]), [[0.01, 0.2748], [0.99, 0.0236]]);
  assert.equal(loss.total.value, 0.2984);
  assert.equal(sceneAt(store, 5).biases[1][0].value, 0.35); // backward-1: not moved yet
  assert.equal(sceneAt(store, 6).biases[1][0].value, 0.7); // the update: the new bias
});

test("within a phase, a labelled diagram shows each neuron once its part has been played", () => {
  const store = new Store();
  store.load(mazur);
  store.appendRecord(fakeTrace(store.network, 0.35));
  const part = (done) => sceneAt(store, 1, { done, labelled: true }).neurons[1].map((n) => n.text);
  assert.deepEqual(part(0), ["", ""]);
  assert.deepEqual(part(1), ["0.5", ""]); // z and a of h1, then of h2
  assert.deepEqual(part(2), ["0.5", "0.5"]);
  const backward = (done) => sceneAt(store, 5, { done, labelled: true });
  assert.equal(backward(1).neurons[1][1].ring, null);
  assert.equal(backward(2).edges[0][0][0].grad, null); // the gradients come last
  assert.equal(backward(3).edges[0][0][0].grad, 0);
  assert.equal(sceneAt(store, 3, { done: 0 }).total, null); // the loss, once its part is played
});

test("only the store changes its state: errors, the functions table, a recorded gradcheck", () => {
  const store = new Store();
  const reasons = [];
  store.addEventListener("change", (event) => reasons.push(event.detail.reason));
  store.setErrors(null); // nothing to clear: no event
  store.setErrors({ source: "step", problems: [{ field: "learning_rate", message: "too big" }] });
  assert.equal(store.errors.source, "step");
  store.setErrors(null);
  assert.equal(store.errors, null);
  store.setFunctions({
    activations: [{ name: "sigmoid", title: "sigmoid" }, { name: "softmax", title: "softmax", output_only: true }],
    losses: [{ name: "squared_error", title: "squared error" }],
    fused: [{ activation: "softmax", loss: "cross_entropy", delta: { var: "a" } }],
  });
  assert.deepEqual(Object.keys(store.functions.activations), ["sigmoid", "softmax"]);
  assert.equal(store.functions.fused["softmax+cross_entropy"].delta.var, "a");
  assert.deepEqual(reasons, ["errors", "errors", "functions"]);
});

test("the state after an update is afterRecord's, at every position", () => {
  const store = new Store();
  store.load(mazur);
  store.appendRecord(fakeTrace(store.network, 0.35));
  store.moveTo(6);
  assert.deepEqual(store.snapshot(), store.afterRecord(store.records[0]));
  assert.equal(store.snapshot(3), store.records[0]); // before the update: the record itself
});

test("data from elsewhere drops the preset's name", () => {
  const store = new Store();
  store.load(mazur);
  assert.equal(store.preset, "mazur");
  store.commit({ preset: null, data: { inputs: [[1, 2]], targets: [[0, 1]] } }, "data");
  assert.equal(store.preset, null);
});

test("the quiz setting travels with the state; a state from before the quiz loads with it off", () => {
  const store = new Store();
  store.load(mazur);
  assert.deepEqual(store.saved().quiz, { on: false, kinds: KINDS });
  store.setQuiz({ on: true, kinds: ["loss", "z"] });
  const saved = store.saved();
  assert.deepEqual(saved.quiz, { on: true, kinds: ["z", "loss"] });
  const copy = new Store();
  copy.load(saved);
  assert.deepEqual(copy.quiz, { on: true, kinds: ["z", "loss"] });
  const old = new Store();
  old.load({ ...saved, quiz: undefined });
  assert.deepEqual(old.quiz, { on: false, kinds: KINDS });
  // an embed's quiz parameter wins over the state's
  const embed = new Store({ quiz: { on: true, kinds: ["a"] } });
  embed.load(saved);
  assert.deepEqual(embed.quiz, { on: true, kinds: ["a"] });
});

test("a question closes when the student moves elsewhere, and the score counts it once it is done", () => {
  const store = new Store();
  store.load(mazur);
  store.appendRecord(fakeTrace(store.network, 0.35));
  const record = store.records[0];
  store.moveTo(2);
  const question = { kind: "loss", quantity: "loss", layer: null, index: null, sample: 0, record, position: 3 };
  store.ask(question);
  assert.equal(store.question.attempts, 0);
  store.missed(store.question);
  assert.equal(store.question.attempts, 1);
  store.moveTo(1); // back: the question is no longer the next thing
  assert.equal(store.question, null);
  store.moveTo(2);
  store.ask(question); // asked again: its attempts are kept
  assert.equal(store.question.attempts, 1);
  store.finish(store.question, "later");
  assert.equal(store.question, null);
  assert.equal(store.askedIn(record).outcomes.loss, "later");
  assert.deepEqual([store.score.finished, store.score.later], [1, 1]);
  store.setQuiz({ on: true, kinds: ["z"] });
  store.ask({ ...question, kind: "z" });
  store.setQuiz({ kinds: ["loss"] }); // its kind turned off: closed
  assert.equal(store.question, null);
  store.reset();
  assert.equal(store.score.finished, 0);
});
