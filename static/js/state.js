// The one owner of mutable state. Views listen for "change" events; nothing else mutates.
//
// The timeline: position 0 is the base state (idle); each recorded step adds one position per
// phase (forward-1 .. L, loss, backward-L .. 1, update), so "Previous phase" can walk back
// through the phases and through earlier steps.

import { phasesOf } from "./layout.js";
import { emptyScore, quizSetting, scored } from "./questions.js";

const STORAGE_KEY = "backprop-viz:state";
const MAX_RECORDS = 50;
const MAX_POINTS = 600; // on the loss chart while Run adds one a redraw
const SAVED_VERSION = 1;

// The training settings, under the names /api/v1/train takes (a preset carries all of them),
// and how many steps Train takes.
const DEFAULT_SETTINGS = { learning_rate: 0.5, batch_size: null, momentum: 0, l1: 0, l2: 0, shuffle_seed: null, train_steps: 100 };

export class Store extends EventTarget {
  /** `quiz`: a quiz setting that every load keeps (an embed's quiz parameter), else the state's. */
  constructor({ quiz = null } = {}) {
    super();
    this.preset = null;
    this.title = "";
    this.description = "";
    this.network = null; // the network at position 0
    this.initial = null; // what Reset goes back to
    this.data = null; // {inputs, targets, test_inputs, test_targets, dataset}
    this.settings = { ...DEFAULT_SETTINGS };
    this.velocity = null;
    this.cursor = 0; // first sample of the next batch
    this.step = 0; // steps taken since the initial network
    this.sample = 0; // which sample of the batch the diagram shows
    this.losses = []; // [{step, loss, test_loss}] on the whole training (and test) set
    this.records = []; // [{network, velocity, cursor, step, trace, gradcheck}]
    this.position = 0;
    this.selection = null; // {kind: "neuron" | "bias", layer, index} or {kind: "edge", layer, from, to}
    this.message = null; // {kind: "error" | "info", text}
    this.errors = null; // {source, problems: [{field, message}]}: an API error beside its control
    this.functions = null; // GET /api/v1/functions by name: {activations, losses, fused}
    this.pinnedQuiz = quiz;
    this.quiz = quizSetting(quiz); // {on, kinds}: the teacher's choice, saved with the state
    this.question = null; // the question open now: {kind, quantity, layer, index, ..., record, position, attempts}
    this.score = emptyScore(); // of the questions finished since the last load or Reset
    this.asked = new WeakMap(); // record -> {selection, attempts: {kind: n}, outcomes: {kind: outcome}}
  }

  /** `by` names who made a change when it matters to a view (a lesson's stop selects its focus). */
  announce(reason, by = null) {
    this.dispatchEvent(new CustomEvent("change", { detail: { reason, by } }));
  }

  // --- derived ----------------------------------------------------------------------------

  get layerCount() {
    return this.network.layer_sizes.length - 1;
  }

  get phases() {
    return phasesOf(this.layerCount);
  }

  get end() {
    return this.records.length * this.phases.length;
  }

  /** The phase at a position: "idle" at 0, else the phase of its record. */
  phaseAt(position = this.position) {
    return position === 0 ? "idle" : this.phases[(position - 1) % this.phases.length];
  }

  recordAt(position = this.position) {
    return position === 0 ? null : this.records[Math.floor((position - 1) / this.phases.length)];
  }

  get phase() {
    return this.phaseAt();
  }

  get record() {
    return this.recordAt();
  }

  /** The committed state shown at a position: before its step, or after it once updated. */
  snapshot(position = this.position) {
    const record = this.recordAt(position);
    if (!record) {
      return { network: this.network, velocity: this.velocity, cursor: this.cursor, step: this.step };
    }
    return this.phaseAt(position) === "update" ? this.afterRecord(record) : record;
  }

  get batchSize() {
    const n = this.data.inputs.length;
    return Math.min(this.settings.batch_size || n, n);
  }

  /** Indices into the training set of the batch that starts at cursor (wrapping around). */
  batchIndices(cursor) {
    const n = this.data.inputs.length;
    return Array.from({ length: this.batchSize }, (_, i) => (cursor + i) % n);
  }

  /** Index into the training set of the sample the diagram shows. */
  get sampleIndex() {
    const snapshot = this.record || this.snapshot();
    const batch = this.batchIndices(snapshot.cursor);
    return batch[Math.min(this.sample, batch.length - 1)];
  }

  // --- changes ----------------------------------------------------------------------------

  /** Start over from a preset (or an imported state): everything is replaced. */
  load(preset) {
    this.preset = preset.name ?? null;
    this.title = preset.title ?? "";
    this.description = preset.description ?? "";
    this.network = preset.network;
    this.initial = preset.initial ?? preset.network;
    this.data = {
      inputs: preset.inputs,
      targets: preset.targets,
      test_inputs: preset.test_inputs ?? null,
      test_targets: preset.test_targets ?? null,
      dataset: preset.dataset ?? null,
    };
    this.settings = { ...DEFAULT_SETTINGS, ...(preset.settings ?? {}) };
    for (const key of Object.keys(DEFAULT_SETTINGS)) {
      if (preset[key] !== undefined) this.settings[key] = preset[key]; // a preset from the API
    }
    this.velocity = preset.velocity ?? null;
    this.cursor = preset.cursor ?? 0;
    this.step = preset.step ?? 0;
    this.sample = preset.sample ?? 0;
    this.losses = preset.losses ?? [];
    this.records = [];
    this.position = 0;
    this.selection = null;
    this.message = null;
    this.quiz = quizSetting(this.pinnedQuiz ?? preset.quiz ?? this.quiz);
    this.question = null;
    this.score = emptyScore();
    this.announce("load");
  }

  /** What autosave, Share and Export keep: the committed state at a position (the current one). */
  saved(position = this.position) {
    const now = this.snapshot(position);
    return {
      version: SAVED_VERSION,
      name: this.preset,
      title: this.title,
      description: this.description,
      network: now.network,
      initial: this.initial,
      ...this.data,
      settings: this.settings,
      velocity: now.velocity,
      cursor: now.cursor,
      step: now.step,
      sample: this.sample,
      losses: this.losses.filter((p) => p.step <= now.step),
      quiz: this.quiz,
    };
  }

  /** A step played from the committed state at the end; `request` is the /step body it answers. */
  appendRecord(trace, request = null) {
    const before = this.snapshot(this.end);
    this.records.push({ ...before, trace, request, gradcheck: null });
    if (this.records.length > MAX_RECORDS) {
      const dropped = this.phases.length;
      this.position = Math.max(0, this.position - dropped);
      const first = this.records.shift();
      Object.assign(this, this.afterRecord(first));
    }
    this.announce("record");
  }

  /** The committed state after a recorded step's update. */
  afterRecord(record) {
    return {
      network: record.trace.network,
      velocity: record.trace.velocity,
      cursor: (record.cursor + this.batchSize) % this.data.inputs.length,
      step: record.step + 1,
    };
  }

  moveTo(position) {
    this.position = Math.max(0, Math.min(position, this.end));
    // a question is asked just before its phase: moving anywhere else closes it
    if (this.question && this.position !== this.question.position - 1) this.question = null;
    this.announce("position");
  }

  /** Make the state at the current position the new base, with changes applied. */
  commit(changes = {}, reason = "commit") {
    const now = this.snapshot();
    this.network = now.network;
    this.velocity = now.velocity;
    this.cursor = now.cursor;
    this.step = now.step;
    this.records = [];
    this.position = 0;
    this.question = null;
    this.losses = this.losses.filter((p) => p.step <= this.step);
    for (const [key, value] of Object.entries(changes)) {
      if (key === "settings") this.settings = { ...this.settings, ...value };
      else if (key === "data") this.data = { ...this.data, ...value };
      else this[key] = value;
    }
    if (this.cursor >= this.data.inputs.length) this.cursor = 0;
    this.announce(reason);
  }

  /**
   * Run's answer: the network after `state.step` steps becomes the base (as commit() makes
   * it), and `point` ({step, loss, test_loss}) goes on the loss chart, which keeps at most
   * MAX_POINTS points by thinning out the older ones.
   */
  ran({ network, velocity, step, cursor }, point) {
    Object.assign(this, { network, velocity, step, cursor, records: [], position: 0, question: null });
    while (this.losses.length && this.losses.at(-1).step >= point.step) this.losses.pop();
    this.losses.push(point);
    if (this.losses.length > MAX_POINTS) this.losses = this.losses.filter((_, i) => i % 2 === 0 || i >= MAX_POINTS / 2);
    this.announce("run");
  }

  /** Back to the initial network: same weights, step 0, no momentum, no history, a new score. */
  reset() {
    this.commit({ network: this.initial, velocity: null, cursor: 0, step: 0, losses: [], score: emptyScore() }, "reset");
  }

  /** New settings apply from the next step on; recorded steps after this one are dropped. */
  setSettings(changes) {
    this.settings = { ...this.settings, ...changes };
    this.records.length = Math.ceil(this.position / this.phases.length);
    const last = this.snapshot(this.end).step;
    this.losses = this.losses.filter((p) => p.step <= last);
    this.announce("settings");
  }

  // --- the quiz -------------------------------------------------------------------------------

  /** Quiz on or off, and which kinds of question; turning a question's kind off closes it. */
  setQuiz(changes) {
    this.quiz = quizSetting({ ...this.quiz, ...changes });
    if (this.question && !(this.quiz.on && this.quiz.kinds.includes(this.question.kind))) this.question = null;
    this.announce("quiz");
  }

  /**
   * Whether the loss of the network drawn is kept off the counter and the chart: while a
   * question asks the loss, and whenever the Quiz asks losses, outside a step's loss and
   * backward phases (before them it is the loss a coming question asks, on a full batch).
   */
  lossHidden() {
    if (this.question?.kind === "loss") return true;
    if (!this.quiz.on || !this.quiz.kinds.includes("loss")) return false;
    const phase = this.phase;
    return !(phase === "loss" || phase.startsWith("backward"));
  }

  /** The quiz's notes on a recorded step: the selection when it was first asked about, each kind's tries and outcome. */
  askedIn(record) {
    if (!this.asked.has(record)) this.asked.set(record, { selection: this.selection, attempts: {}, outcomes: {} });
    return this.asked.get(record);
  }

  /** Open a question: it is asked before the phase at `position` plays. */
  ask(question) {
    this.question = { ...question, attempts: this.askedIn(question.record).attempts[question.kind] ?? 0 };
    this.announce("question");
  }

  /** Close the open question unanswered (a lesson went to another stop): its phase asks it again. */
  dismiss() {
    if (!this.question) return;
    this.question = null;
    this.announce("question");
  }

  /** One more Check of the open question that was not right. */
  missed(question) {
    const attempts = question.attempts + 1;
    this.askedIn(question.record).attempts[question.kind] = attempts;
    if (this.question === question) this.question = { ...question, attempts };
    this.announce("question");
  }

  /** The question is done: outcome "first", "later" or "shown" counts in the score, "skipped" not. */
  finish(question, outcome) {
    const kept = this.askedIn(question.record);
    kept.outcomes[question.kind] = outcome;
    if (outcome !== "skipped") this.score = scored(this.score, question.kind, outcome);
    if (this.question?.record === question.record && this.question.kind === question.kind) this.question = null;
    this.announce("question");
  }

  setLosses(points) {
    const merged = new Map(this.losses.map((p) => [p.step, p]));
    for (const p of points) merged.set(p.step, p);
    this.losses = [...merged.values()].sort((a, b) => a.step - b.step);
    this.announce("losses");
  }

  select(selection, by = null) {
    this.selection = selection;
    this.announce("selection", by);
  }

  setSample(sample) {
    this.sample = sample;
    this.announce("sample");
  }

  say(kind, text) {
    this.message = text ? { kind, text } : null;
    this.announce("message");
  }

  /** Show an API error beside the control that caused it, or none (null). */
  setErrors(errors) {
    if (errors === null && this.errors === null) return;
    this.errors = errors;
    this.announce("errors");
  }

  /** The finite-difference check of a recorded step: a promise, kept with the record. */
  setGradcheck(record, promise) {
    record.gradcheck = promise;
  }

  /** The activations and losses of GET /api/v1/functions, by name, in the table's order. */
  setFunctions(table) {
    const byName = (list) => Object.fromEntries(list.map((entry) => [entry.name, entry]));
    this.functions = {
      activations: byName(table.activations),
      losses: byName(table.losses),
      fused: Object.fromEntries(table.fused.map((f) => [`${f.activation}+${f.loss}`, f])),
    };
    this.announce("functions");
  }
}

// --- autosave ---------------------------------------------------------------------------------

export function saveLocal(store) {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(store.saved()));
    return true;
  } catch {
    return false; // full or disabled storage: the page keeps working without autosave
  }
}

/** The autosaved state, unchecked (checks.js checks it), or null when there is none. */
export function loadLocal() {
  try {
    return JSON.parse(localStorage.getItem(STORAGE_KEY));
  } catch {
    return null;
  }
}
