// Editing the network's architecture and the data: layers, activations, loss, datasets, samples.

import * as api from "./api.js";
import { readNumber, showErrors } from "./controls.js";
import { formatFull } from "./format.js";
import { neuronName } from "./layout.js";
import { clear, html } from "./svg.js";

const INITS = ["xavier", "he", "uniform", "zeros"];
const DATASETS = ["xor", "circle", "gaussian", "spiral", "regression"];

export function bindEditors(root, store, session) {
  const architecture = root.getElementById("architecture");
  const dataFields = root.getElementById("data-fields");
  const render = () => {
    if (!store.network || !store.functions) return;
    renderArchitecture(architecture, store, session);
    renderData(dataFields, store, session);
  };
  store.addEventListener("change", (event) => {
    const reason = event.detail.reason;
    if (["load", "commit", "reset", "train", "edit", "architecture", "data", "sample", "functions"].includes(reason)) render();
    else if (reason === "position" && store.phase === "update") renderData(dataFields, store, session);
  });
}

function select(parent, { id, label, options, value, onChange }) {
  const input = html("select", { id, "aria-label": label }, parent);
  for (const [key, text] of Object.entries(options)) html("option", { value: key }, input, text);
  input.value = value;
  input.addEventListener("change", () => onChange(input.value));
  return input;
}

/** {name: title} of the table's activations (the output layer's list has the output-only ones too). */
function choices(entries, { output = true } = {}) {
  return Object.fromEntries(Object.values(entries).filter((f) => output || !f.output_only).map((f) => [f.name, f.title]));
}

function renderArchitecture(root, store, session) {
  const network = store.snapshot().network;
  const sizes = network.layer_sizes;
  const L = sizes.length - 1;
  const { activations, losses } = store.functions;
  clear(root);
  const field = html("div", { class: "field", "data-field": "network" }, root);
  const layers = html("div", { class: "layers" }, field);

  const rebuild = async (layerSizes, activations, changes = {}) => {
    const spec = { ...specOf(network), layer_sizes: layerSizes, activations, ...changes };
    try {
      const { network: fresh } = await api.initNetwork(spec);
      session.clearErrors();
      store.commit({ network: fresh, initial: fresh, velocity: null, step: 0, cursor: 0, losses: [], selection: null }, "architecture");
      session.refreshLoss();
    } catch (error) {
      session.fail(error, "network");
    }
  };
  const keepWeights = (changes) => {
    const next = { ...network, ...changes };
    store.commit({ network: next, initial: { ...store.initial, ...changes } }, "architecture");
    session.refreshLoss();
  };

  const inputRow = html("div", { class: "layer-row" }, layers);
  html("span", { class: "layer-name" }, inputRow, "Input");
  html("span", { class: "count" }, inputRow, String(sizes[0]));
  html("span", { class: "hint" }, inputRow, "set by the data");
  for (let l = 1; l <= L; l += 1) {
    const row = html("div", { class: "layer-row" }, layers);
    const title = l === L ? "Output" : `Hidden ${l}`;
    html("span", { class: "layer-name" }, row, title);
    if (l < L) {
      const less = html("button", { type: "button", class: "small", "aria-label": `Remove a neuron from hidden layer ${l}` }, row, "\u2212");
      html("span", { class: "count", "aria-label": `${sizes[l]} neurons` }, row, String(sizes[l]));
      const more = html("button", { type: "button", class: "small", "aria-label": `Add a neuron to hidden layer ${l}` }, row, "+");
      less.disabled = sizes[l] <= 1;
      less.addEventListener("click", () => rebuild(sizes.map((n, i) => (i === l ? n - 1 : n)), network.activations));
      more.addEventListener("click", () => rebuild(sizes.map((n, i) => (i === l ? n + 1 : n)), network.activations));
    } else {
      html("span", { class: "count" }, row, String(sizes[l]));
    }
    select(row, {
      id: `activation-${l}`,
      label: `Activation of ${title.toLowerCase()}`,
      options: choices(activations, { output: l === L }),
      value: network.activations[l - 1],
      onChange: (value) => keepWeights({ activations: network.activations.map((a, i) => (i === l - 1 ? value : a)) }),
    });
    if (l < L) {
      const remove = html("button", { type: "button", class: "small", "aria-label": `Remove layer (hidden layer ${l})` }, row, "Remove layer");
      remove.addEventListener("click", () => rebuild(sizes.filter((_, i) => i !== l), network.activations.filter((_, i) => i !== l - 1)));
    }
  }
  const actions = html("div", { class: "row-actions" }, field);
  const add = html("button", { type: "button" }, actions, "Add hidden layer");
  add.addEventListener("click", () => {
    const width = L > 1 ? sizes[L - 1] : 3;
    const hidden = network.activations[L - 2] ?? "tanh";
    rebuild([...sizes.slice(0, L), width, sizes[L]], [...network.activations.slice(0, L - 1), hidden, network.activations[L - 1]]);
  });
  html("p", { class: "field-error", role: "status" }, field);

  const grid = html("div", { class: "grid-fields" }, root);
  const lossField = html("div", { class: "field" }, grid);
  html("label", { for: "loss" }, lossField, "Loss");
  select(lossField, { id: "loss", label: "Loss", options: choices(losses), value: network.loss, onChange: (loss) => keepWeights({ loss }) });

  const initField = html("div", { class: "field" }, grid);
  html("label", { for: "init" }, initField, "Initialization");
  const init = select(initField, { id: "init", label: "Initialization", options: Object.fromEntries(INITS.map((i) => [i, i])), value: network.init, onChange: () => {} });

  const seedField = html("div", { class: "field" }, grid);
  html("label", { for: "init-seed" }, seedField, "Seed");
  const seed = html("input", { type: "number", id: "init-seed", step: "1" }, seedField);
  seed.value = network.seed;

  const biasField = html("div", { class: "field check" }, grid);
  const biases = html("input", { type: "checkbox", id: "train-biases" }, biasField);
  biases.checked = network.train_biases;
  html("label", { for: "train-biases" }, biasField, "Train biases");
  biases.addEventListener("change", () => keepWeights({ train_biases: biases.checked }));

  const again = html("button", { type: "button" }, html("div", { class: "row-actions" }, root), "New weights from seed");
  again.addEventListener("click", () => {
    rebuild(sizes, network.activations, { init: init.value, seed: readNumber(seed) ?? 0 });
  });
}

function specOf(network) {
  const { layer_sizes, activations, loss, train_biases, init, seed } = network;
  return { layer_sizes, activations, loss, train_biases, init, seed };
}

function renderData(root, store, session) {
  const { data } = store;
  // hand-written data (Mazur's example, XOR's four points) names no dataset: none is offered as if it were
  const dataset = data.dataset ?? { name: "", n: 200, noise: 0.05, seed: 1, labels: "binary", test: 100 };
  clear(root);
  const n = data.inputs.length;
  const tests = data.test_inputs?.length ?? 0;
  html("p", { class: "hint" }, root, `${n} training sample${n === 1 ? "" : "s"}${tests ? `, ${tests} test` : ""}; a step uses a batch of ${store.batchSize}.`);

  html("p", { class: "subhead" }, root, data.dataset ? "Generate a dataset" : "Replace these samples with a generated dataset");
  const field = html("div", { class: "field", "data-field": "dataset" }, root);
  const grid = html("div", { class: "grid-fields" }, field);
  const nameField = html("div", { class: "field" }, grid);
  html("label", { for: "dataset-name" }, nameField, "Dataset");
  const choices = { ...(data.dataset ? {} : { "": "choose one" }), ...Object.fromEntries(DATASETS.map((d) => [d, d])) };
  const name = select(nameField, { id: "dataset-name", label: "Dataset", options: choices, value: dataset.name, onChange: () => {} });
  const numbers = {};
  for (const [key, label, step] of [["n", "Samples", "1"], ["test", "Test samples", "1"], ["noise", "Noise", "any"], ["seed", "Seed", "1"]]) {
    const f = html("div", { class: "field" }, grid);
    html("label", { for: `dataset-${key}` }, f, label);
    numbers[key] = html("input", { type: "number", id: `dataset-${key}`, step }, f);
    numbers[key].value = dataset[key];
  }
  const labelsField = html("div", { class: "field" }, grid);
  html("label", { for: "dataset-labels" }, labelsField, "Labels");
  const labels = select(labelsField, { id: "dataset-labels", label: "Labels", options: { binary: "0 / 1", signed: "\u22121 / +1" }, value: dataset.labels, onChange: () => {} });
  const generate = html("button", { type: "button" }, html("div", { class: "row-actions" }, field), "Generate");
  html("p", { class: "field-error", role: "status" }, field);
  generate.addEventListener("click", async () => {
    if (!name.value) return showErrors(document, { source: "dataset", problems: [{ field: "dataset", message: "choose a dataset" }] });
    const params = { labels: labels.value };
    for (const [key, input] of Object.entries(numbers)) {
      const value = readNumber(input);
      if (value === null) return showErrors(document, { source: "dataset", problems: [{ field: key, message: "enter a number" }] });
      params[key] = value;
    }
    try {
      const fresh = await api.getDataset(name.value, params);
      session.clearErrors();
      await useDataset(store, session, { ...fresh, dataset: { name: name.value, ...params } });
    } catch (error) {
      session.fail(error, "dataset");
    }
  });

  const index = store.sampleIndex;
  html("p", { class: "subhead" }, root, `Current sample (#${index + 1})`);
  const sampleField = html("div", { class: "field", "data-field": "data" }, root);
  const row = html("div", { class: "sample-row" }, sampleField);
  const shown = html("div", { class: "field" }, row);
  html("label", { for: "sample-shown" }, shown, `Shown (1\u2013${store.batchSize} of the batch)`);
  const which = html("input", { type: "number", id: "sample-shown", step: "1", min: 1, max: store.batchSize }, shown);
  which.value = store.sample + 1;
  which.addEventListener("change", () => {
    const value = readNumber(which);
    if (value !== null && Number.isInteger(value) && value >= 1 && value <= store.batchSize) store.setSample(value - 1);
  });
  const sizes = store.network.layer_sizes;
  const edit = (kind, j, value, label) => {
    const f = html("div", { class: "field" }, row);
    const id = `sample-${kind}-${j}`;
    html("label", { for: id }, f, label);
    const input = html("input", { type: "number", id, step: "any" }, f);
    input.value = formatFull(value).replace("\u2212", "-");
    input.addEventListener("change", () => {
      const next = readNumber(input);
      if (next === null) return showErrors(document, { source: "data", problems: [{ field: "inputs", message: "enter a number" }] });
      const rows = data[kind].map((r, i) => (i === index ? r.map((v, c) => (c === j ? next : v)) : r));
      store.commit({ data: { [kind]: rows } }, "data");
      session.refreshLoss();
    });
  };
  data.inputs[index].forEach((x, j) => edit("inputs", j, x, `Input ${neuronName(sizes, 0, j)}`));
  data.targets[index].forEach((y, j) => edit("targets", j, y, `Target ${neuronName(sizes, sizes.length - 1, j)}`));
  html("p", { class: "field-error", role: "status" }, sampleField);
}

/** Replace the data; when the input or output width changes, the network is rebuilt to fit. */
async function useDataset(store, session, fresh) {
  const network = store.snapshot().network;
  const sizes = [...network.layer_sizes];
  const width = fresh.inputs[0].length;
  const outputs = fresh.targets[0].length;
  const data = {
    inputs: fresh.inputs,
    targets: fresh.targets,
    test_inputs: fresh.test_inputs?.length ? fresh.test_inputs : null,
    test_targets: fresh.test_targets?.length ? fresh.test_targets : null,
    dataset: fresh.dataset,
  };
  const changes = { data, cursor: 0, sample: 0, losses: [], step: 0, velocity: null };
  if (sizes[0] !== width || sizes[sizes.length - 1] !== outputs) {
    sizes[0] = width;
    sizes[sizes.length - 1] = outputs;
    const { network: rebuilt } = await api.initNetwork({ ...specOf(network), layer_sizes: sizes });
    Object.assign(changes, { network: rebuilt, initial: rebuilt, selection: null });
  }
  store.commit({ ...changes, preset: null }, "data");
  await session.refreshLoss();
}
