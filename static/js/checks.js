// What a saved state must be before the page draws or keeps it: a share link, an embed's
// state, the autosave, an Import and a setState message all come through stateProblem().
// The sizes are the server's own limits (GET /api/v1/limits), so a state the page accepts
// is one the API would compute; a state with layer_sizes [1000, 1000] is refused here
// instead of freezing the tab while it draws a million edges.

import { decodeState } from "./codec.js";

/**
 * A share-link code opened: {saved} when it decodes to a state within the limits, else
 * {problem} (and damaged: true when it does not decode at all).
 */
export async function openState(code, limits) {
  let saved;
  try {
    saved = await decodeState(code);
  } catch (error) {
    return { problem: error.message.startsWith("it expands") ? error.message : "it is damaged", damaged: true };
  }
  const problem = stateProblem(saved, limits);
  return problem ? { problem } : { saved };
}

/** The first problem of a saved state, as "where: what", or null when it may be loaded. */
export function stateProblem(saved, limits) {
  try {
    checkState(saved, limits);
    return null;
  } catch (problem) {
    if (problem instanceof Problem) return problem.message;
    throw problem;
  }
}

class Problem extends Error {}

function fail(where, what) {
  throw new Problem(where ? `${where}: ${what}` : what);
}

function checkState(saved, limits) {
  if (!limits) fail("", "the server's limits cannot be read, so it cannot be checked");
  if (!isObject(saved) || saved.version !== 1) fail("", "not a backprop-viz state (version 1)");
  const sizes = checkNetwork("network", saved.network, limits);
  if (saved.initial !== undefined && saved.initial !== null) {
    const initial = checkNetwork("initial", saved.initial, limits);
    if (initial.join() !== sizes.join()) fail("initial.layer_sizes", "differ from the network's");
  }
  const n = checkRows("inputs", saved.inputs, sizes[0], limits);
  if (n === 0) fail("inputs", "at least 1 sample");
  checkRows("targets", saved.targets, sizes.at(-1), limits, n);
  const tests = saved.test_inputs ?? null;
  if ((tests === null) !== ((saved.test_targets ?? null) === null)) fail("test_targets", "come with test_inputs");
  if (tests !== null) {
    const m = checkRows("test_inputs", tests, sizes[0], limits);
    checkRows("test_targets", saved.test_targets, sizes.at(-1), limits, m);
  }
  for (const key of ["name", "title", "description"]) {
    const value = saved[key];
    if (!(value === undefined || value === null || (typeof value === "string" && value.length <= 10000))) fail(key, "not a short text");
  }
  if (!(saved.dataset === undefined || saved.dataset === null || isFlat(saved.dataset))) fail("dataset", "not a dataset description");
  checkSettings(saved.settings ?? {});
  if (saved.velocity !== undefined && saved.velocity !== null) {
    if (!isObject(saved.velocity)) fail("velocity", "not {weights, biases}");
    checkParameters("velocity", saved.velocity, sizes, true);
  }
  checkCount("cursor", saved.cursor, n - 1);
  checkCount("step", saved.step, Number.MAX_SAFE_INTEGER);
  checkCount("sample", saved.sample, n - 1);
  const losses = saved.losses ?? [];
  if (!Array.isArray(losses) || losses.length > 100000) fail("losses", "not a list of losses");
  losses.forEach((point, i) => {
    if (!isObject(point) || !Number.isSafeInteger(point.step) || point.step < 0) fail(`losses.${i}`, "not {step, loss}");
    for (const key of ["loss", "test_loss"]) {
      const value = point[key];
      if (!(value === undefined || value === null || Number.isFinite(value))) fail(`losses.${i}.${key}`, "not a number");
    }
  });
}

function checkNetwork(where, network, limits) {
  if (!isObject(network)) fail(where, "not a network");
  const sizes = network.layer_sizes;
  if (!Array.isArray(sizes) || sizes.length < 2) fail(`${where}.layer_sizes`, "at least 2 layers");
  if (sizes.length > limits.max_layers) fail(`${where}.layer_sizes`, `at most ${limits.max_layers} layers (input included), got ${sizes.length}`);
  sizes.forEach((n, l) => {
    if (!Number.isInteger(n) || n < 1 || n > limits.max_neurons) {
      fail(`${where}.layer_sizes.${l}`, `a layer has 1 to ${limits.max_neurons} neurons, got ${JSON.stringify(n)?.slice(0, 20)}`);
    }
  });
  const params = sizes.slice(1).reduce((total, n, l) => total + (sizes[l] + 1) * n, 0);
  if (params > limits.max_params) fail(`${where}.layer_sizes`, `at most ${limits.max_params} parameters, this network has ${params}`);
  const L = sizes.length - 1;
  const acts = network.activations;
  if (!Array.isArray(acts) || acts.length !== L) fail(`${where}.activations`, `one per non-input layer (${L})`);
  acts.forEach((name, l) => {
    if (!limits.activations.includes(name)) fail(`${where}.activations.${l}`, `not one of ${limits.activations.join(", ")}`);
  });
  if (!limits.losses.includes(network.loss)) fail(`${where}.loss`, `not one of ${limits.losses.join(", ")}`);
  if (typeof network.train_biases !== "boolean") fail(`${where}.train_biases`, "true or false");
  checkParameters(where, network, sizes, false);
  return sizes;
}

/** weights[l] : n_{l+1} x n_l and biases[l] : n_{l+1}, every number finite. */
function checkParameters(where, params, sizes, optional) {
  if (params.weights === undefined && optional) return;
  sizes.slice(1).forEach((n, l) => {
    checkMatrix(`${where}.weights.${l}`, params.weights?.[l], n, sizes[l], params.weights);
    checkVector(`${where}.biases.${l}`, params.biases?.[l], n, params.biases);
  });
  if (params.weights.length !== sizes.length - 1) fail(`${where}.weights`, `expected ${sizes.length - 1} layers`);
  if (params.biases.length !== sizes.length - 1) fail(`${where}.biases`, `expected ${sizes.length - 1} layers`);
}

function checkMatrix(where, rows, n, width, parent) {
  if (!Array.isArray(parent)) fail(where.replace(/\.\d+$/, ""), "missing");
  if (!Array.isArray(rows) || rows.length !== n) fail(where, `expected ${n} rows`);
  rows.forEach((row, j) => checkVector(`${where}.${j}`, row, width, rows));
}

function checkVector(where, values, n, parent) {
  if (!Array.isArray(parent)) fail(where.replace(/\.\d+$/, ""), "missing");
  if (!Array.isArray(values) || values.length !== n) fail(where, `expected ${n} values`);
  values.forEach((v, k) => {
    if (!Number.isFinite(v)) fail(`${where}.${k}`, "not a finite number");
  });
}

/** A list of rows of `width` numbers, at most max_samples (exactly `count` when given). */
function checkRows(where, rows, width, limits, count) {
  if (!Array.isArray(rows)) fail(where, "not a list of rows");
  if (rows.length > limits.max_samples) fail(where, `at most ${limits.max_samples} samples, got ${rows.length}`);
  if (count !== undefined && rows.length !== count) fail(where, `expected ${count} rows, one per sample`);
  rows.forEach((row, i) => checkVector(`${where}.${i}`, row, width, rows));
  return rows.length;
}

function checkSettings(settings) {
  if (!isObject(settings)) fail("settings", "not a set of settings");
  const { learning_rate: rate, batch_size: batch, momentum = 0, l1 = 0, l2 = 0 } = settings;
  if (rate !== undefined && !(Number.isFinite(rate) && rate >= 0)) fail("settings.learning_rate", "a number, 0 or more");
  if (!(batch === undefined || batch === null || (Number.isSafeInteger(batch) && batch >= 1))) fail("settings.batch_size", "a whole number, 1 or more");
  if (!(Number.isFinite(momentum) && momentum >= 0 && momentum < 1)) fail("settings.momentum", "from 0 to less than 1");
  for (const [key, value] of [["l1", l1], ["l2", l2]]) {
    if (!(Number.isFinite(value) && value >= 0)) fail(`settings.${key}`, "a number, 0 or more");
  }
  const { shuffle_seed: seed = null, train_steps: steps = 1 } = settings;
  if (!(seed === null || (Number.isSafeInteger(seed) && seed >= 0))) fail("settings.shuffle_seed", "a whole number, 0 or more");
  if (!(Number.isSafeInteger(steps) && steps >= 1)) fail("settings.train_steps", "a whole number, 1 or more");
}

function checkCount(where, value, most) {
  if (!(value === undefined || (Number.isSafeInteger(value) && value >= 0 && value <= most))) fail(where, `a whole number from 0 to ${most}`);
}

function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isFlat(value) {
  return isObject(value) && Object.values(value).every((v) => ["string", "number", "boolean"].includes(typeof v) || v === null);
}
