// The toolbar, the training settings, the keyboard, and API errors shown beside their control.

import { html } from "./svg.js";

const TRAINING_FIELDS = [
  { key: "learning_rate", label: "Learning rate \u03b7", step: "any" },
  { key: "batch_size", label: "Batch size (blank: all)", step: "1", optional: true },
  { key: "momentum", label: "Momentum \u03bc", step: "any" },
  { key: "l1", label: "L1 rate", step: "any" },
  { key: "l2", label: "L2 rate", step: "any" },
  { key: "shuffle_seed", label: "Shuffle seed for Train and Run (blank: in order)", step: "1", optional: true, whole: true },
];

// Which control answers for an API error field (its first part); others go to the button.
const FIELD_SLOTS = {
  learning_rate: "learning_rate",
  momentum: "momentum",
  velocity: "momentum",
  l1: "l1",
  l2: "l2",
  batch_size: "batch_size",
  shuffle_seed: "shuffle_seed",
  epochs: "train-steps",
  steps: "train-steps",
  network: "network",
  inputs: "data",
  targets: "data",
  test_inputs: "data",
  test_targets: "data",
  n: "dataset",
  noise: "dataset",
  seed: "dataset",
  test: "dataset",
  labels: "dataset",
};
const SOURCE_SLOTS = { step: "step", next: "step", play: "step", run: "step", train: "train-steps", preset: "preset" };

/** Wire the controls present in root (an embed may show only some of them, or none). */
export function bindControls(root, store, session, player) {
  const button = (id) => root.getElementById(id);
  const on = (id, handler) => button(id)?.addEventListener("click", handler);
  const playButton = button("play");
  const runButton = button("run");

  const togglePlay = () => {
    if (session.playing) session.pause();
    else session.play();
  };
  on("step", () => session.step("step"));
  on("next", () => session.next("next"));
  on("previous", () => session.previous());
  on("play", togglePlay);
  on("run", () => (session.running ? session.stopRun() : session.run()));
  session.runner.addEventListener("running", () => {
    if (runButton) runButton.textContent = session.running ? "Stop" : "Run";
  });
  on("reset", () => session.reset());
  on("train", () => {
    const steps = readNumber(button("train-steps"));
    if (steps === null) return showErrors(root, { source: "train", problems: [{ field: "steps", message: "enter a whole number of steps" }] });
    session.train(steps);
  });
  on("load-preset", () => {
    session.pause();
    session.loadPreset(button("preset").value);
  });

  const speed = button("speed");
  const showSpeed = () => {
    player.speed = Number(speed.value);
    button("speed-value").textContent = `${speed.value}x`;
    speed.setAttribute("aria-valuetext", `${speed.value}x`);
  };
  speed?.addEventListener("input", showSpeed);
  if (speed && speed.value !== speed.defaultValue) showSpeed(); // set by the embed's speed=

  // Space plays and pauses, the arrows move between phases, wherever the focus is, unless the
  // focused element uses that key itself (ownsKey)
  root.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) return;
    if (!PAGE_KEYS.includes(event.key) || ownsKey(event.target, event.key)) return;
    event.preventDefault();
    if (event.key === "ArrowRight") session.next("next");
    else if (event.key === "ArrowLeft") session.previous();
    else if (!event.repeat && session.running) session.stopRun(); // Space stops whatever moves
    else if (!event.repeat) togglePlay();
  });

  const fields = button("training-fields");
  const inputs = {};
  for (const spec of fields ? TRAINING_FIELDS : []) {
    const id = spec.key.replaceAll("_", "-");
    const field = html("div", { class: "field", "data-field": spec.key }, fields);
    html("label", { for: id }, field, spec.label);
    const input = html("input", { type: "number", id, step: spec.step, "aria-describedby": `${id}-error` }, field);
    html("p", { class: "field-error", id: `${id}-error`, role: "status" }, field);
    input.addEventListener("change", () => {
      const value = readNumber(input);
      if (value === null && !(spec.optional && input.value.trim() === "")) {
        return showErrors(root, { source: spec.key, problems: [{ field: spec.key, message: "enter a number" }] });
      }
      if (spec.key === "batch_size" && value !== null && !(Number.isInteger(value) && value >= 1)) {
        return showErrors(root, { source: spec.key, problems: [{ field: spec.key, message: "a whole number of samples, at least 1" }] });
      }
      if (spec.whole && value !== null && !(Number.isInteger(value) && value >= 0)) {
        return showErrors(root, { source: spec.key, problems: [{ field: spec.key, message: "a whole number, at least 0" }] });
      }
      session.clearErrors();
      store.setSettings({ [spec.key]: value });
    });
    inputs[spec.key] = input;
  }

  store.addEventListener("change", (event) => {
    const reason = event.detail.reason;
    if (reason === "errors") showErrors(root, store.errors);
    if (reason === "playing" && playButton) playButton.textContent = session.playing ? "Pause" : "Play";
    if (reason === "message") showMessage(root.getElementById("message"), store.message);
    if (reason === "load" || reason === "train" || reason === "reset" || reason === "settings") {
      for (const spec of fields ? TRAINING_FIELDS : []) {
        const value = store.settings[spec.key];
        if (root.activeElement !== inputs[spec.key]) inputs[spec.key].value = value ?? "";
      }
      const presets = root.getElementById("preset");
      if (store.preset && presets) presets.value = store.preset;
    }
    // a preset's (or a shared state's) own number of steps; the student's edits stay until then
    const steps = button("train-steps");
    if (reason === "load" && steps) steps.value = store.settings.train_steps;
  });
}

const PAGE_KEYS = [" ", "ArrowLeft", "ArrowRight"];

/**
 * Does the focused element use this key itself? Text fields, lists and radio buttons use
 * every key; a slider its arrows; a checkbox, a button, a link or a diagram element Space
 * (and Enter). An open dialog keeps every key from the page behind it.
 */
export function ownsKey(target, key) {
  if (!target?.closest) return false;
  if (target.closest("dialog[open], textarea, select, [contenteditable]:not([contenteditable='false'])")) return true;
  if (target.matches("input")) {
    if (target.type === "range") return key !== " ";
    if (target.type === "checkbox") return key === " ";
    return true;
  }
  return key === " " && Boolean(target.closest("button, summary, a[href], [role=button]"));
}

/** A number input's value, or null when it is empty or not a number. */
export function readNumber(input) {
  const text = input.value.trim();
  if (text === "") return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

function showMessage(node, message) {
  node.hidden = !message;
  node.textContent = message ? message.text : "";
  node.classList.toggle("error", message?.kind === "error");
}

/** Put each problem's message next to its control; clear the others. */
export function showErrors(root, errors) {
  for (const node of root.querySelectorAll(".field-error")) node.textContent = "";
  for (const node of root.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
  if (!errors) return;
  for (const problem of errors.problems) {
    const first = problem.field.split(".")[0];
    const slot = FIELD_SLOTS[first] ?? SOURCE_SLOTS[errors.source] ?? errors.source ?? "step";
    const field = root.querySelector(`[data-field="${slot}"]`) ?? root.querySelector('[data-field="step"]');
    const target = field.querySelector(".field-error") ?? root.getElementById("step-error");
    const where = problem.field && FIELD_SLOTS[first] ? `${problem.field}: ` : "";
    target.textContent = target.textContent ? `${target.textContent}; ${where}${problem.message}` : `${where}${problem.message}`;
    field.querySelector("input, select")?.setAttribute("aria-invalid", "true");
  }
}
