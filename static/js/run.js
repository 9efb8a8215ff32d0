// Run: training with the current settings, redrawn as it goes, without the phases.
//
// One /api/v1/train request in flight at a time, each from the answer before, for the steps
// the pacer says (pacer.js), asking for the grids and losses the page draws at SHOWN points
// of its steps: its snapshots (halfway) and its end. Each state waits for a frame of its own
// (an "answer" event), which makes it the store's state (show()) and draws it; the next
// request goes as soon as no more than an answer's states wait: the server computes while
// the page draws them, and a round trip of up to two frames costs no redraw. Stop drops what has not been
// drawn, so the page stays at the step it shows. A setting changed meanwhile is in the next
// request; anything else that changes the network or the position (a Step, Train, Reset,
// an edit, a preset, a lesson's stop) stops Run first.

import * as api from "./api.js";
import { gridsFor } from "./charts.js";
import { INLINE_MS, Pacer } from "./pacer.js";

// at speed 1, one pass over the training set a frame (60 a second), as TensorFlow Playground
// trains; speed 8, eight
export const EPOCHS_PER_SECOND = 60;
const HIDDEN_POLL_MS = 250; // while the page is in a hidden tab, Run waits
const RETRIES = 3; // answers of a busy server (503) in a row before Run gives up
export const SHOWN = 2; // states an answer brings to draw: a snapshot within its steps, its end
// changes that leave Run's state behind: Run stops
const STOPS = new Set(["load", "reset", "record", "position", "train", "commit", "architecture", "data", "edit", "lesson"]);

export class Runner extends EventTarget {
  constructor(store, session) {
    super();
    this.store = store;
    this.session = session;
    this.running = false;
    this.run = null; // the run under way: an answer to an earlier one is dropped
    this.grids = false; // ask for the grids (the page has a data plot)
    this.wake = null; // ends a wait early (Stop)
    this.latest = null; // {state, point, grids, answer} of the last answer: the next request's start
    this.pending = []; // states of the answers (the same), in order, until frames show them
    this.drained = null; // resolves when a frame takes a state
    this.inline = null; // the server's inline_cost in ms, once asked (inlineMs())
    store.addEventListener("change", ({ detail }) => {
      if (this.running && STOPS.has(detail.reason)) this.stop();
    });
  }

  /** Steps a second at the speed the player has: an epoch a frame at 1x. */
  rate() {
    const { store } = this;
    const perEpoch = Math.ceil(store.data.inputs.length / store.batchSize);
    return this.session.player.speed * EPOCHS_PER_SECOND * perEpoch;
  }

  start() {
    if (this.running) return false;
    this.running = true;
    const run = { pacer: new Pacer(this.rate(), performance.now(), { least: SHOWN }) };
    this.run = run;
    this.dispatchEvent(new Event("running"));
    this.loop(run);
    return true;
  }

  /** Stop at the step shown; an answer on its way is dropped. */
  stop() {
    if (!this.running) return false;
    this.running = false;
    this.run = null;
    this.latest = null;
    this.pending = [];
    this.wake?.();
    this.drained?.();
    this.dispatchEvent(new Event("running"));
    return true;
  }

  async loop(run) {
    const { store, session } = this;
    let busy = 0; // 503s in a row
    run.pacer.inline = await this.inlineMs();
    while (this.run === run) {
      if (document.hidden) {
        await this.sleep(HIDDEN_POLL_MS); // nobody sees it: no answers to draw
        continue;
      }
      if (this.pending.length > SHOWN) {
        await new Promise((resolve) => (this.drained = resolve)); // more waits than a round trip covers
        continue;
      }
      run.pacer.rate = this.rate(); // the speed, or the batch size, may have changed
      const plan = run.pacer.next(performance.now());
      if (plan.wait) {
        await this.sleep(plan.wait);
        continue;
      }
      const before = this.latest?.state ?? store.snapshot();
      const grids = this.grids ? gridsFor(store.data, before.network.layer_sizes) : null;
      const body = session.trainBody(before, plan.steps, plan.steps); // one history entry: the last
      Object.assign(body, snapshotsOf(plan.steps), grids ? { grids } : {});
      const sent = performance.now();
      let result;
      let timing;
      try {
        ({ answer: result, ...timing } = await api.trainTimed(body));
      } catch (error) {
        if (this.run !== run) return;
        if (error instanceof api.ApiError && error.status === 503 && busy < RETRIES) {
          busy += 1;
          run.pacer.busy();
          await this.sleep(100 * busy);
          continue;
        }
        this.stop();
        session.fail(error, "run");
        return;
      }
      if (this.run !== run) return;
      busy = 0;
      run.pacer.done(plan.steps, performance.now() - sent, timing);
      if (result.diverged) {
        this.stop();
        store.say(
          "error",
          `Run stopped: training diverged within ${plan.steps} step${plan.steps === 1 ? "" : "s"} after step ${before.step} ` +
            `with learning rate ${body.learning_rate}. The page stays at the step it showed; lower the learning rate.`,
        );
        return;
      }
      const states = statesOf(before, result).map((shown) => ({ ...shown, grids }));
      this.pending.push(...states);
      this.latest = states.at(-1);
      this.dispatchEvent(new Event("answer"));
    }
  }

  /** The server's inline_cost in ms (its limits, read once), or the pacer's default. */
  inlineMs() {
    this.inline ??= api.getLimits().then(
      (limits) => (limits.inline_cost > 0 ? limits.inline_cost / 1e6 : INLINE_MS),
      () => INLINE_MS,
    );
    return this.inline;
  }

  /** Whether states wait for a frame. */
  get waiting() {
    return this.pending.length > 0;
  }

  /** Make the next state not yet shown the store's state (in a frame, which then draws it); false if none. */
  show() {
    const shown = this.pending.shift();
    if (!shown) return false;
    this.drained?.();
    this.drained = null;
    this.session.clearErrors();
    if (shown.grids) this.session.keepGrids(shown.state.network, shown.grids, shown.answer);
    this.store.ran(shown.state, shown.point);
    return true;
  }

  /** Wait `ms`, or until Stop. */
  sleep(ms) {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

/** What a request of `steps` steps asks for besides them: snapshot_every for SHOWN states. */
export function snapshotsOf(steps) {
  return steps >= SHOWN ? { snapshot_every: Math.ceil(steps / SHOWN) } : {};
}

/**
 * The states a /train answer brings, in order, from the state `before` it: {state, point,
 * answer} (the store's state, the loss chart's point, the grids of the answer), its
 * snapshots' and then its end's.
 */
export function statesOf(before, result) {
  const last = result.history.at(-1);
  const shots = [...(result.snapshots ?? []), { ...result, step: result.steps, loss: last.loss, test_loss: last.test_loss }];
  return shots.map((shot) => {
    const step = before.step + shot.step;
    return {
      state: { network: shot.network, velocity: shot.velocity, step, cursor: before.cursor },
      point: { step, loss: shot.loss, test_loss: shot.test_loss ?? null },
      answer: shot.grids,
    };
  });
}
