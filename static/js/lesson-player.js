// Playing a lesson (its short link /lesson/{id}, the embed's lesson parameter, and the Lesson
// panel's Preview): Next stop and Previous stop put the page at each stop's step and phase,
// select its focus, show its caption, and ask its question before the number shows. The
// steps come through the session (/api/v1/step, or /train for a long run of full batches);
// questions through the quiz (quiz.js and /api/v1/check). lesson-format.js says what a stop
// means.

import * as api from "./api.js";
import { openState } from "./checks.js";
import { askedStep, focusName, focusOf, keepsPath, parseCaption, stopPositions } from "./lesson-format.js";
import { fromCheck } from "./questions.js";
import { clear, html } from "./svg.js";

const TRAIN_AFTER = 20; // steps ahead at which a run of full batches is trained, not stepped
const NARROW = "(max-width: 1020px)"; // the page's one-column layout (app.css)
const STYLES = new WeakMap(); // document -> the promise of lesson.css applied

/** lesson.css, added once to a document with the lesson code (a page without lessons does without it). */
export function lessonStyles(doc) {
  if (!STYLES.has(doc)) {
    const link = doc.createElement("link");
    link.rel = "stylesheet";
    link.href = new URL("../css/lesson.css", import.meta.url).href; // versioned as this module is
    STYLES.set(doc, new Promise((resolve) => {
      link.addEventListener("load", resolve);
      link.addEventListener("error", resolve); // unstyled, but working
    }));
    doc.head.append(link);
  }
  return STYLES.get(doc);
}

/**
 * The saved state a lesson starts from: its preset as the API has it, or its share-link
 * state, checked against the server's limits (`limits`: GET /api/v1/limits, or a promise of
 * it) as every share link is before it is drawn.
 */
export async function openStart(lesson, limits) {
  if (lesson.preset) return api.getPreset(lesson.preset);
  const opened = await openState(lesson.state, await Promise.resolve(limits).catch(() => null));
  if (!opened.saved) throw new Error(`its network (a share-link state) cannot be opened: ${opened.problem}`);
  return opened.saved;
}

/** Render a caption into a node: text through textContent, in <strong>, <em>, <code> and <br>. */
export function showCaption(node, caption) {
  const build = (parent, nodes) => {
    for (const n of nodes) {
      if (n.tag === "br") parent.append(html("br"));
      else if (n.tag === "code") html("code", {}, parent, n.text);
      else if (n.tag) build(html(n.tag, {}, parent), n.children);
      else parent.append(n.text); // a string goes in as a text node
    }
  };
  build(clear(node), parseCaption(caption));
}

export class LessonPlayer extends EventTarget {
  /**
   * The card is #lesson-player; `quiz` is the visualizer's lazy Quiz ({load(), current});
   * `limits` (a promise of GET /api/v1/limits) checks a lesson's state before it is drawn.
   * Events: "stop" {index, count, step, phase} each time a stop is shown; "end" when a
   * preview's End preview is pressed.
   */
  constructor(doc, { store, session, player, quiz }, { id = null, limits = null } = {}) {
    super();
    Object.assign(this, { doc, store, session, player, quizLoader: quiz, id, limits });
    const byId = (name) => doc.getElementById(name);
    this.card = byId("lesson-player");
    this.status = byId("lesson-status");
    this.buttons = { previous: byId("lesson-previous"), next: byId("lesson-next"), end: byId("lesson-end") };
    this.styled = lessonStyles(doc);
    this.lesson = null;
    this.start = null; // the saved state the lesson starts from
    this.startStep = 0; // its step count: stop n is n steps after it
    this.index = null; // the stop shown
    this.finished = new Set(); // stops whose question is answered or shown
    this.open = null; // the question of a stop, while it is asked
    this.asking = null; // the position go() asks its stop's question at
    this.onPath = false; // is the page on the lesson's network, Step's steps from its start?
    this.reloading = false;
    this.active = false; // shown and asking (playing, or a preview), not only gone through by the Lesson panel
    this.busy = false;
    this.buttons.previous?.addEventListener("click", () => this.previous());
    this.buttons.next?.addEventListener("click", () => this.next());
    this.buttons.end?.addEventListener("click", () => this.dispatchEvent(new Event("end")));
    store.addEventListener("change", (event) => this.changed(event.detail.reason));
    // a stop's question comes before the phase that shows its number, whichever way the
    // student gets there (Next phase, Step, Play); the Quiz's own guard goes first
    const before = session.guard;
    session.guard = (position, source) => before?.(position, source) || this.guard(position, source);
    this.placeCard();
  }

  /** Play a lesson document from its start state (a saved state, see openStart), from its first stop. */
  async play(lesson, start, { preview = false } = {}) {
    await this.styled;
    this.use(lesson, start);
    this.finished.clear();
    this.active = true;
    this.card.hidden = false;
    this.card.classList.toggle("preview", preview);
    if (this.buttons.end) this.buttons.end.hidden = !preview;
    this.card.querySelector(".lesson-kicker").textContent = preview ? "Lesson preview: as a student sees it" : "Lesson";
    this.doc.getElementById("lesson-title").textContent = lesson.title || "A lesson";
    this.reload();
    return this.go(0);
  }

  /** The lesson to go through (its stops may change: the Lesson panel's draft); not shown yet. */
  use(lesson, start) {
    if (this.lesson === lesson && this.start === start) return;
    Object.assign(this, { lesson, start, index: null, onPath: false });
    this.finished.clear();
  }

  /** The lesson starts where the page is now (its first stop was just added). */
  adopt(lesson, start) {
    Object.assign(this, { lesson, start, index: null, onPath: true, startStep: this.store.step });
    this.finished.clear();
  }

  /** Stop playing: the card goes, the page stays where it is. */
  close() {
    this.active = false;
    this.index = null;
    this.card.hidden = true;
    this.showJump();
    if (this.store.question?.stop !== undefined) this.store.dismiss(); // its question closes
  }

  get stops() {
    return this.lesson?.stops ?? [];
  }

  /** Where the lesson is: {index, count, step, phase} (a `stop` event's fields). */
  where() {
    const stop = this.stops[this.index];
    return { index: this.index, count: this.stops.length, step: stop?.step ?? null, phase: stop?.phase ?? null };
  }

  async next() {
    if (!this.active) return false;
    if (this.store.question) {
      this.say("Answer the question below first, or press Show answer.");
      (await this.quizLoader?.load())?.focusAnswer();
      return false;
    }
    if (this.index + 1 >= this.stops.length) {
      this.say("This is the last stop of the lesson.");
      return false;
    }
    return this.go(this.index + 1);
  }

  async previous() {
    if (!this.active) return false;
    if (this.index === 0) {
      this.say("This is the first stop of the lesson.");
      return false;
    }
    return this.go(this.index - 1);
  }

  /**
   * Put the page at stop `index`: its step and phase, its focus, its caption, then (unless
   * `ask` is false: the Lesson panel's Go to) its question.
   */
  async go(index, { ask: asks = true } = {}) {
    const { store, session, player } = this;
    if (this.busy || !this.lesson) return false;
    this.setBusy(true);
    try {
      session.pause();
      await session.idle();
      store.dismiss(); // Previous stop leaves a question open here unanswered
      this.quizLoader?.current?.say("", ""); // the last stop's feedback goes with it
      this.quizLoader?.current?.unmark(); // and the mark of what it asked
      if (!this.onPath) this.reload(); // the page left the lesson's network: from its start again
      this.say("");
      const stop = this.stops[index];
      const first = await this.reachStop(stop, index);
      this.say(first === null ? `Stop ${index + 1} could not be shown (see the message).` : "");
      if (first === null) return false;
      session.pause(); // a phase pressed while the steps were fetched ends before the stop shows
      await session.idle();
      const sizes = store.network.layer_sizes;
      const { at, ask } = stopPositions(stop, store.phases, first, sizes);
      const asking = asks && ask !== null && !this.finished.has(index);
      this.index = index;
      store.moveTo(asking ? ask : at);
      this.asking = asking ? ask : null;
      player.show();
      store.select(stop.focus ? focusOf(stop.focus) : null, "lesson");
      if (this.active) this.render();
      if (this.active && index + 1 === this.stops.length) this.say("This is the last stop of the lesson.");
      this.dispatchEvent(new CustomEvent("stop", { detail: this.where() }));
      // asked before the phase that shows the number; once answered, that phase plays on to the stop's
      if (asking) await this.ask(index, at > ask ? () => this.playTo(at) : () => {}, at > ask);
      return true;
    } finally {
      this.setBusy(false);
    }
  }

  /**
   * Fetch what a stop needs: the position before the forward phase of the step it shows (or
   * asks about), or null when a step could not be had (the session says why).
   */
  async reachStop(stop, index) {
    const S = this.startStep;
    this.say(index === 0 ? "" : `Going to stop ${index + 1}\u2026`);
    if (stop.phase !== "idle") {
      const r = await this.reach(S + stop.step - 1);
      return r === null ? null : r * this.store.phases.length;
    }
    if (!(await this.reachIdle(S + stop.step))) return null;
    if (stop.question && (await this.reach(S + stop.step)) === null) return null; // the step about to be played
    return 0;
  }

  /** Make sure the step that starts after `step` steps is recorded: its record's index. */
  async reach(step) {
    const { store, session } = this;
    if (store.step > step) this.reload(); // the page went on past it: from the start again
    const found = () => store.records.findIndex((r) => r.step === step);
    while (found() < 0) {
      const next = store.snapshot(store.end).step; // the step the next record starts from
      const missing = step - next;
      if (missing >= TRAIN_AFTER && store.batchSize === store.data.inputs.length) {
        // a full batch: /train takes the same steps (to float rounding), in one request
        store.moveTo(store.end);
        if (!(await session.train(missing))) return null;
        store.say(null, null);
        continue;
      }
      if (missing > 1) this.say(`Fetching step ${next + 1 - this.startStep} of ${step + 1 - this.startStep}\u2026`);
      if (!(await session.fetchStep("lesson"))) return null;
    }
    return found();
  }

  /** The page idle after `step` steps: the start, or a step's update made the base. */
  async reachIdle(step) {
    const { store } = this;
    if (store.position === 0 && store.step === step) return true;
    if (step === this.startStep) {
      this.reload();
      return true;
    }
    const r = await this.reach(step - 1);
    if (r === null) return false;
    store.moveTo((r + 1) * store.phases.length);
    store.commit({}, "lesson");
    return true;
  }

  /** Load the lesson's start into the page (the Quiz off: the lesson asks its own questions). */
  reload() {
    const { store, session, start } = this;
    const quiz = { ...(start.quiz ?? {}), on: false, kinds: start.quiz?.kinds ?? store.quiz.kinds };
    this.reloading = true;
    store.load({ ...start, quiz }); // an embed's pinned quiz parameter still wins
    this.reloading = false;
    this.startStep = store.step;
    this.onPath = true;
    if (!store.losses.some((p) => p.step === store.step)) session.refreshLoss();
  }

  /** Ask stop `index`'s question before the phase after the current position; `then` once answered. */
  async ask(index, then, goesOn) {
    const quiz = await this.quizLoader?.load();
    const { store } = this;
    if (!quiz || store.position !== this.asking) return; // the student went elsewhere meanwhile
    const q = { ...this.question(index, store.position + 1), goesOn };
    this.open = q;
    quiz.askNow(q, then);
  }

  /** Stop `index`'s question in the quiz's form, asked before the phase at `position`. */
  question(index, position) {
    const stop = this.stops[index];
    const { store } = this;
    return { ...fromCheck(stop.question, store.network.layer_sizes), record: store.recordAt(position), position, stop: index };
  }

  /** Play on to a stop's phase once its question is answered: the number shows as it is computed. */
  async playTo(position) {
    const { store, session } = this;
    while (store.position < position && this.lesson) {
      if (!(await session.next("lesson"))) return;
    }
  }

  /** The session's guard: a stop's question not yet answered comes before the phase that shows its number. */
  guard(position, source) {
    const { store } = this;
    if (this.busy) return source !== "lesson"; // the lesson is moving: only its own phases play
    if (!this.active) return false;
    const record = store.recordAt(position);
    if (!record || store.position !== position - 1) return false;
    const phase = store.phaseAt(position);
    const sizes = store.network.layer_sizes;
    const index = this.stops.findIndex(
      (stop, i) =>
        stop.question && !this.finished.has(i) &&
        record.step === this.startStep + askedStep(stop) - 1 &&
        fromCheck(stop.question, sizes).phase === phase,
    );
    if (index < 0) return false;
    this.quizLoader?.load().then((quiz) => {
      if (!quiz || store.position !== position - 1) return;
      const q = this.question(index, position);
      this.open = q;
      quiz.askNow(q, source);
    });
    return true;
  }

  changed(reason) {
    const { store } = this;
    if (!this.lesson || this.reloading) return;
    // a stop's question is done once the store has its outcome
    const q = this.open;
    if (q && !(store.question?.record === q.record && store.question.kind === q.kind)) {
      if (store.askedIn(q.record).outcomes[q.kind]) this.finished.add(q.stop);
      this.open = null;
    }
    if (!keepsPath(reason, store, this.start, this.onPath)) this.onPath = false;
    if (reason === "load" && this.active) this.close(); // another network: the lesson is over
  }

  /** The card: title, "Stop 2 of 5", the caption, what to look at. */
  render() {
    const stop = this.stops[this.index];
    if (!stop) return;
    const byId = (name) => this.doc.getElementById(name);
    const count = this.stops.length;
    byId("lesson-progress").textContent = `Stop ${this.index + 1} of ${count}`;
    showCaption(byId("lesson-caption"), stop.caption);
    byId("lesson-caption").hidden = !stop.caption;
    const sizes = this.store.network.layer_sizes;
    byId("lesson-focus").textContent = stop.focus ? `Look at: ${focusName(sizes, stop.focus)} (selected)` : "";
    this.card.dataset.stop = String(this.index);
    this.buttons.previous?.setAttribute("aria-disabled", String(this.index === 0));
    this.buttons.next?.setAttribute("aria-disabled", String(this.index + 1 >= count));
    this.showJump();
  }

  say(text) {
    this.status.textContent = text;
  }

  /** The line above a one-column page's diagram: which stop, and that its caption is below. */
  showJump() {
    if (!this.jump) return;
    const shown = this.active && this.index !== null && matchMedia(NARROW).matches;
    this.jump.hidden = !shown;
    if (shown) this.jump.textContent = `Lesson: stop ${this.index + 1} of ${this.stops.length}, its words below the diagram \u2193`;
  }

  setBusy(busy) {
    this.busy = busy;
    this.card.setAttribute("aria-busy", String(busy));
  }

  /** Beside the diagram on a wide page, right below it where the page is one column. */
  placeCard() {
    const side = this.doc.querySelector(".side");
    const below = this.doc.getElementById("step-error")?.parentElement;
    if (!side || !below) return; // the embed: always below the diagram
    const narrow = matchMedia(NARROW);
    // one column: above the diagram, a line that says a lesson plays and takes the student to its card
    this.jump = html("button", { type: "button", class: "lesson-jump", hidden: "" });
    this.jump.addEventListener("click", () => {
      this.card.scrollIntoView({ block: "start" });
      this.buttons.next?.focus({ preventScroll: true });
    });
    this.doc.querySelector(".status-line")?.before(this.jump);
    const place = () => {
      if (narrow.matches) below.after(this.card);
      else side.prepend(this.card);
      this.showJump();
    };
    narrow.addEventListener("change", place);
    place();
  }
}

/** Play a published lesson ({lesson}: GET /api/v1/lessons/{id}'s answer) from its first stop. */
export async function playPublished({ lesson }, player, fallback) {
  try {
    await player.play(lesson, await openStart(lesson, player.limits));
  } catch (error) {
    await fallback(`This lesson cannot be played (${error.message})`);
  }
}

/**
 * The full page's lessons: one player (the card beside the diagram) and the Lesson panel,
 * loaded when first opened; {player, editor(), play(published, fallback)}.
 */
export function pageLessons(doc, visualizer, { id = null, limits = null } = {}) {
  const player = new LessonPlayer(doc, visualizer, { id, limits });
  let editor = null;
  return {
    player,
    editor: () =>
      (editor ??= Promise.all([import("./lesson-editor.js"), player.styled]).then(
        ([{ LessonEditor }]) => new LessonEditor(doc, visualizer, player),
      )),
    play: (published, fallback) => playPublished(published, player, fallback),
  };
}
