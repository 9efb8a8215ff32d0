// What the buttons do: each action asks the API, then changes the store.

import * as api from "./api.js";
import { decodeGrids, predictedGrids } from "./charts.js";
import { Runner } from "./run.js";

const TERMS = 4096; // samples x weights up to which a step asks for the terms of its sums

export class Session extends EventTarget {
  constructor(store, player) {
    super();
    this.store = store;
    this.stepping = false; // true while Step plays its phases one after the other
    this.halted = false; // set by pause(): the running Step stops after its current phase
    this.player = player;
    this.playing = false;
    this.grids = new WeakMap(); // network -> {key, result} of /predict
    this.guard = null; // (position, source) -> true to stop before that phase (the quiz asks first)
    this.fetching = null; // the /step request in flight, if any
    this.runner = new Runner(store, this); // Run: training without the phases
  }

  /** True while Run trains. */
  get running() {
    return this.runner.running;
  }

  /** Report an API error next to the control that caused it (source names the button). */
  fail(error, source) {
    if (!(error instanceof api.ApiError)) throw error;
    this.store.setErrors({ source, problems: error.problems });
    return false;
  }

  clearErrors() {
    this.store.setErrors(null);
  }

  /** The activations and losses with their formulas, asked for once (before the first preset). */
  async loadFunctions() {
    try {
      this.store.setFunctions(await api.getFunctions());
    } catch (error) {
      if (!(error instanceof api.ApiError)) throw error;
      this.store.say("error", `The formulas could not be loaded (${error.message}); reload the page.`);
    }
  }

  async loadPreset(name) {
    try {
      this.store.load(await api.getPreset(name));
    } catch (error) {
      return this.fail(error, "preset");
    }
    this.refreshLoss();
    return true;
  }

  /** The body of /step, /train and /gradcheck for a committed state. */
  body(snapshot, { batch = true } = {}) {
    const { store } = this;
    const { inputs, targets } = store.data;
    const indices = batch ? store.batchIndices(snapshot.cursor) : inputs.map((_, i) => i);
    const settings = store.settings;
    return {
      network: snapshot.network,
      inputs: indices.map((i) => inputs[i]),
      targets: indices.map((i) => targets[i]),
      learning_rate: settings.learning_rate,
      momentum: settings.momentum,
      l1: settings.l1,
      l2: settings.l2,
      ...(snapshot.velocity ? { velocity: snapshot.velocity } : {}),
    };
  }

  /** Make sure a recorded step follows the current position; fetch one if needed. */
  async ensureNext(source) {
    await this.fetching; // the step being fetched may be the one needed
    if (this.store.position < this.store.end) return true;
    return this.fetchStep(source);
  }

  /**
   * Record one more step after the last one recorded (the position stays where it is), one
   * request at a time: a press of Next phase while a lesson fetches its steps waits for them.
   */
  async fetchStep(source) {
    while (this.fetching) await this.fetching;
    const fetching = this.fetchOne(source);
    this.fetching = fetching;
    try {
      return await fetching;
    } finally {
      if (this.fetching === fetching) this.fetching = null;
    }
  }

  async fetchOne(source) {
    const store = this.store;
    const before = store.snapshot(store.end);
    const request = this.body(before);
    let trace;
    try {
      // the products each pulse carries and the Inspector adds up (w a, w delta), on small
      // batches; the record keeps the request without them (the quiz's /check reads it)
      const sizes = request.network.layer_sizes;
      const weights = sizes.slice(1).reduce((sum, n, i) => sum + n * sizes[i], 0);
      trace = await api.step({ ...request, terms: request.inputs.length * weights <= TERMS });
    } catch (error) {
      return this.fail(error, source);
    }
    this.clearErrors();
    if (trace.diverged) {
      store.say(
        "error",
        `This step diverged: values overflowed with learning rate ${store.settings.learning_rate}. ` +
          "The network was kept as it was before the step; lower the learning rate and try again.",
      );
      return false;
    }
    if (store.message?.kind === "error") store.say(null, null);
    store.appendRecord(trace, request);
    this.refreshLoss(before.step + 1, trace.network);
    return true;
  }

  /** One phase on; a running Step or Play stops where it is first (the student takes over). */
  async next(source = "next") {
    this.pause();
    await this.idle();
    if (!(await this.ensureNext(source))) return false;
    return this.advance(source);
  }

  /** Play the next phase, unless the guard stops before it (a question is asked first). */
  async advance(source) {
    if (this.guard?.(this.store.position + 1, source)) return false;
    return this.player.advance();
  }

  async previous() {
    this.pause();
    await this.idle();
    const store = this.store;
    if (store.position === 0) {
      store.say("info", "This is the first state kept in the history.");
      return false;
    }
    store.moveTo(store.position - 1);
    this.player.show();
    return true;
  }

  /** Play the rest of the current step, or a whole new one, up to its update phase. */
  async step(source = "step") {
    this.runner.stop(); // Step goes on from the weights Run showed last
    if (this.player.busy || this.stepping) return false;
    const store = this.store;
    this.halted = false;
    this.setStepping(true); // at once, so that the page is busy while the step is fetched
    try {
      if (store.phase === "idle" || store.phase === "update") {
        if (!(await this.ensureNext(source))) return false;
      }
      do {
        if (this.halted || !(await this.advance(source))) return false;
      } while (store.phase !== "update");
    } finally {
      this.setStepping(false);
    }
    return true;
  }

  setStepping(stepping) {
    this.stepping = stepping;
    this.dispatchEvent(new Event("stepping"));
  }

  async play() {
    this.runner.stop();
    if (this.playing) return;
    this.setPlaying(true);
    await this.idle(); // a Step paused a moment ago may still be finishing its phase
    while (this.playing) {
      if (!(await this.step("play"))) break;
    }
    this.setPlaying(false);
  }

  /** Run: train with the current settings, redrawing as it goes, until stopped. */
  async run() {
    this.pause();
    await this.idle();
    this.store.dismiss(); // a question asked before a phase: Run skips the phases
    this.runner.start();
  }

  /** Stop Run at the step shown. */
  stopRun() {
    return this.runner.stop();
  }

  /**
   * Stop within the current phase: it is drawn complete at once, and the step goes no further.
   * Run stops too, at the step shown.
   */
  pause() {
    this.runner.stop();
    this.setPlaying(false);
    this.halted = true;
    this.player.finish();
  }

  setPlaying(playing) {
    if (this.playing === playing) return;
    this.playing = playing;
    this.store.announce("playing");
  }

  /** Wait until no phase animates and no Step runs. */
  async idle() {
    while (this.player.busy || this.stepping) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  reset() {
    this.pause();
    this.store.reset();
    this.refreshLoss();
  }

  /** Fast-forward `steps` SGD steps with /train; the picture and the loss chart jump to the result. */
  async train(steps) {
    this.pause();
    await this.idle();
    const store = this.store;
    const now = store.snapshot();
    // at most 200 points for the chart: an epoch has at least one step
    const body = this.trainBody(now, steps, Math.max(1, Math.ceil(steps / 200)));
    let result;
    try {
      result = await api.train(body);
    } catch (error) {
      return this.fail(error, "train");
    }
    this.clearErrors();
    if (result.diverged) {
      store.say(
        "error",
        `Training diverged at epoch ${result.diverged_at_epoch}: the loss overflowed with learning rate ` +
          `${store.settings.learning_rate}. The network was kept as it was before Train; lower the learning rate.`,
      );
      return false;
    }
    const points = result.history.map((h) => ({ step: now.step + h.step, loss: h.loss, test_loss: h.test_loss ?? null }));
    const epochs = result.history.at(-1)?.epoch ?? 0;
    store.commit(
      { network: result.network, velocity: result.velocity, step: now.step + result.steps, cursor: now.cursor },
      "train",
    );
    store.setLosses(points);
    store.say("info", `Trained ${result.steps} step${result.steps === 1 ? "" : "s"} (${epochs} epoch${epochs === 1 ? "" : "s"}).`);
    return true;
  }

  /**
   * The body of /train for `steps` more steps from a committed state, with every training
   * setting, the test set, and the minibatches of the steps that follow its step count (so
   * that Train and Run, in any pieces, take the steps of one long run).
   */
  trainBody(now, steps, recordEvery) {
    const { store } = this;
    const body = {
      ...this.body(now, { batch: false }),
      steps,
      batch_size: store.settings.batch_size,
      shuffle_seed: store.settings.shuffle_seed,
      start_step: now.step,
      record_every: recordEvery,
    };
    if (store.data.test_inputs?.length) {
      body.test_inputs = store.data.test_inputs;
      body.test_targets = store.data.test_targets;
    }
    return body;
  }

  /** The loss on the whole training (and test) set after `step` steps, for the chart. */
  async refreshLoss(step = this.store.snapshot().step, network = this.store.snapshot().network) {
    const { data } = this.store;
    try {
      const [train, test] = await Promise.all([
        // the losses only: without the trace, a deep preset's answer is 30 KB, not 600 KB
        api.forward({ network, inputs: data.inputs, targets: data.targets, trace: false }),
        data.test_inputs?.length
          ? api.forward({ network, inputs: data.test_inputs, targets: data.test_targets, trace: false })
          : null,
      ]);
      if (train.loss === null) return;
      this.store.setLosses([{ step, loss: train.loss, test_loss: test?.loss ?? null }]);
    } catch (error) {
      this.fail(error, "chart");
    }
  }

  /**
   * The output over a grid of the input plane (or line) and, with two inputs, every neuron's
   * activation over a coarser one for the small maps (charts.js's gridsFor says which);
   * cached per network: two /predict answers as charts.js's grids {x, output, maps} (maps
   * null with one input), the form a /train answer's grids are decoded to. The coarser maps
   * keep a deep preset's answers near 430 KB a step instead of 1.5 MB.
   */
  predictGrid(network, spec) {
    const key = JSON.stringify(spec);
    const cached = this.grids.get(network);
    if (cached?.key === key) return (cached.result ??= Promise.resolve(decodeGrids(cached.answer)));
    const ask = (resolution, hidden) =>
      api.predict({ network, x_range: spec.x_range, y_range: spec.y_range, resolution, hidden });
    const result = Promise.all([ask(spec.resolution, false), spec.maps ? ask(spec.maps, true) : null])
      .then(([output, maps]) => predictedGrids(output, maps))
      .catch((error) => {
        this.grids.delete(network);
        this.fail(error, "step");
        return null;
      });
    this.grids.set(network, { key, result });
    return result;
  }

  /** The grids of a /train answer for its network (decoded when first drawn). */
  keepGrids(network, spec, answer) {
    this.grids.set(network, { key: JSON.stringify(spec), result: null, answer });
  }

  /** Backprop beside finite differences for the recorded step at the current position. */
  async gradcheckFor(record) {
    if (record.gradcheck) return record.gradcheck;
    const { inputs, targets } = record.trace;
    const network = record.network;
    const store = this.store;
    const check = api.gradcheck({ network, inputs, targets }).catch((error) => {
      store.setGradcheck(record, null);
      this.fail(error, "gradcheck");
      return null;
    });
    store.setGradcheck(record, check);
    return check;
  }
}
