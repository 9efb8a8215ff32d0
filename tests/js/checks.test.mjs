// Saved states are checked against the server's limits before the page draws or keeps them.
import assert from "node:assert/strict";
import { test } from "node:test";

import { openState, stateProblem } from "../../static/js/checks.js";
import { encodeState, toBase64Url } from "../../static/js/codec.js";
import { LIMITS } from "./limits.mjs";

const network = {
  layer_sizes: [2, 2, 2], activations: ["sigmoid", "sigmoid"], loss: "squared_error",
  weights: [[[0.15, 0.2], [0.25, 0.3]], [[0.4, 0.45], [0.5, 0.55]]], biases: [[0.35, 0.35], [0.6, 0.6]],
  train_biases: false, init: "xavier", seed: 0,
};
const mazur = {
  version: 1, name: "mazur", title: "Mazur", description: "", network, initial: network,
  inputs: [[0.05, 0.1]], targets: [[0.01, 0.99]], test_inputs: null, test_targets: null, dataset: null,
  settings: { learning_rate: 0.5, batch_size: null, momentum: 0, l1: 0, l2: 0 },
  velocity: null, cursor: 0, step: 3, sample: 0, losses: [{ step: 3, loss: 0.29, test_loss: null }],
};
const wide = { ...network, layer_sizes: [1000, 1000], activations: ["tanh"], weights: [], biases: [] };
const change = (changes) => ({ ...mazur, ...changes });

test("the page's own state passes", () => {
  assert.equal(stateProblem(mazur, LIMITS), null);
});

const hostile = [
  ["layer_sizes [1000, 1000]", change({ network: wide }), /^network\.layer_sizes\.0: a layer has 1 to 512 neurons, got 1000$/],
  ["eleven layers", change({ network: { ...network, layer_sizes: Array(11).fill(2) } }), /at most 10 layers/],
  ["too many parameters", change({ network: { ...network, layer_sizes: [512, 200, 1] } }), /at most 100000 parameters/],
  ["a string for a size", change({ network: { ...network, layer_sizes: [2, "2", 2] } }), /layer_sizes\.1: a layer has/],
  ["an unknown activation", change({ network: { ...network, activations: ["sigmoid", "swish"] } }), /activations\.1: not one of/],
  ["a missing weight", change({ network: { ...network, weights: [[[0.15], [0.25, 0.3]], network.weights[1]] } }), /weights\.0\.0: expected 2 values/],
  ["a null weight", change({ network: { ...network, weights: [[[0.15, null], [0.25, 0.3]], network.weights[1]] } }), /weights\.0\.0\.1: not a finite number/],
  ["no biases", change({ network: { ...network, biases: undefined } }), /network\.biases: missing/],
  ["ten thousand and one samples", change({ inputs: Array(10001).fill([0, 0]), targets: Array(10001).fill([0, 0]) }), /at most 10000 samples/],
  ["targets of another count", change({ targets: [[0, 0], [1, 1]] }), /targets: expected 1 rows/],
  ["inputs of another width", change({ inputs: [[1, 2, 3]] }), /inputs\.0: expected 2 values/],
  ["no samples", change({ inputs: [], targets: [] }), /inputs: at least 1 sample/],
  ["a test set without targets", change({ test_inputs: [[0, 0]] }), /test_targets/],
  ["a velocity of another shape", change({ velocity: { weights: [[[1]]], biases: [] } }), /velocity\.weights\.0/],
  ["a negative learning rate", change({ settings: { learning_rate: -1 } }), /settings\.learning_rate/],
  ["a shuffle seed that is text", change({ settings: { shuffle_seed: "x" } }), /settings\.shuffle_seed/],
  ["a cursor past the data", change({ cursor: 5 }), /cursor: a whole number from 0 to 0/],
  ["a loss that is text", change({ losses: [{ step: 0, loss: "low" }] }), /losses\.0\.loss: not a number/],
  ["a list", [], /not a backprop-viz state/],
  ["null", null, /not a backprop-viz state/],
  ["another version", change({ version: 2 }), /not a backprop-viz state/],
  ["an initial network of another shape", change({ initial: { ...network, layer_sizes: [2, 3, 2] } }), /initial/],
];

for (const [what, saved, message] of hostile) {
  test(`a state with ${what} is refused, with the reason`, () => {
    assert.match(stateProblem(saved, LIMITS) ?? "", message);
  });
}

test("a share link opens only within the limits, and a damaged one says so", async () => {
  assert.deepEqual((await openState(await encodeState(mazur), LIMITS)).saved, mazur);
  const opened = await openState(await encodeState(change({ network: wide })), LIMITS);
  assert.equal(opened.saved, undefined);
  assert.match(opened.problem, /a layer has 1 to 512 neurons/);
  assert.deepEqual(await openState("1.AAAA", LIMITS), { problem: "it is damaged", damaged: true });
});

test("a link that inflates past the bound is refused while it inflates", async () => {
  // 40 MiB of spaces deflate to about 40 KB
  const bytes = new Uint8Array(40 * 1024 * 1024).fill(32);
  const packed = new Uint8Array(await new Response(new Blob([bytes]).stream().pipeThrough(new CompressionStream("deflate-raw"))).arrayBuffer());
  const opened = await openState(`1.${toBase64Url(packed)}`, LIMITS);
  assert.deepEqual(opened, { problem: "it expands to more than 32 MiB", damaged: true });
});
