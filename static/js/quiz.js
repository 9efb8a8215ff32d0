// Predict, then check: with the Quiz on, Step, Next phase and Play stop before a phase shows
// a number the quiz asks for; the student types it, and POST /api/v1/check says whether it is
// right or names the mistake behind it. The page computes none of it. Which questions, their
// givens and the score are questions.js's; the open question and the score live in the store.

import * as api from "./api.js";
import { formatNumber } from "./format.js";
import { alongEdge } from "./layout.js";
import {
  checkBody, describe, givensOf, indexText, KIND_LABELS, KINDS, nameOf, parseAnswer, questionsOf, scoreText, symbolOf,
} from "./questions.js";
import { clear, html, svg } from "./svg.js";

export class Quiz {
  /** `answers` gets an "answer" event for each Check and Show answer (an embed sends them on). */
  constructor(doc, store, session, view, answers) {
    Object.assign(this, { doc, store, session, view, answers });
    const byId = (id) => doc.getElementById(id);
    this.panel = byId("quiz-panel");
    this.form = byId("quiz");
    this.input = byId("quiz-answer");
    this.feedback = byId("quiz-feedback");
    this.resume = "next"; // what stopped at the question, and goes on once it is answered
    this.returnTo = null; // where the focus was when the question opened
    this.pending = false; // a check is on its way
    this.shown = null; // the question drawn
    this.last = null; // the last question opened
    this.marked = null; // the question marked on the diagram
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.check(false);
    });
    byId("quiz-show").addEventListener("click", () => this.check(true));
    this.kinds = this.bindKinds(byId("quiz-kinds"));
    store.addEventListener("change", (event) => this.render(event.detail.reason));
    this.render();
  }

  /** The teacher's checkboxes: which kinds of question are asked. */
  bindKinds(fieldset) {
    if (!fieldset) return {};
    const boxes = {};
    for (const kind of KINDS) {
      const label = html("label", {}, fieldset);
      boxes[kind] = html("input", { type: "checkbox", value: kind }, label);
      label.append(` ${KIND_LABELS[kind]}`);
      boxes[kind].addEventListener("change", () => this.store.setQuiz({ kinds: KINDS.filter((k) => boxes[k].checked) }));
    }
    return boxes;
  }

  /** The session's guard: true (stop) when a question comes before the phase at `position`. */
  stops(position, source) {
    const question = this.due(position);
    if (!question) return false;
    this.resume = source;
    const open = this.store.question;
    if (open?.record === question.record && open.kind === question.kind) this.focusAnswer();
    else this.store.ask(question);
    return true;
  }

  /**
   * Ask a question of a lesson's stop now (quiz on or off): `then` runs once it is answered
   * or shown, instead of the step going on. `q.goesOn` says whether `then` plays phases.
   */
  askNow(q, then) {
    this.resume = then;
    this.store.ask(q);
  }

  /** Step, Next phase or Play pressed while a question is open: the answer box, then go on that way. */
  again(source) {
    if (typeof this.resume !== "function") this.resume = source; // a lesson's own way stays
    this.focusAnswer();
  }

  /** The first question not yet done before the phase at `position`, or null. */
  due(position) {
    const { store } = this;
    const record = store.recordAt(position);
    if (!store.quiz.on || !record || store.position !== position - 1) return null;
    const phase = store.phaseAt(position);
    const kept = store.askedIn(record);
    const question = this.questions(record, kept.selection).find((q) => q.phase === phase && !kept.outcomes[q.kind]);
    return question ? { ...question, record, position } : null;
  }

  questions(record, selection) {
    const { network, trace } = record;
    const activation = (l) => this.store.functions?.activations[network.activations[l - 1]];
    return questionsOf({
      step: record.step + 1,
      network,
      batch: trace.inputs.length,
      sample: this.store.sample,
      selection,
      kinds: this.store.quiz.kinds,
      identity: (l) => isIdentity(activation(l)?.f),
    });
  }

  /** Check the typed answer, or (reveal) show the number; a right answer or a shown one lets the step go on. */
  async check(reveal) {
    const { store } = this;
    const q = store.question;
    if (!q || this.pending) return;
    const answer = reveal ? null : parseAnswer(this.input.value);
    if (!reveal && answer === null) {
      this.say("wrong", "Type a number, such as 0.25, \u22121.5 or 2e-3.");
      this.focusAnswer();
      return;
    }
    this.pending = true;
    this.form.setAttribute("aria-busy", "true");
    let result;
    try {
      result = await api.check(checkBody(q.record.request, q, { answer, reveal }));
    } catch (error) {
      if (!(error instanceof api.ApiError)) throw error;
      return this.refused(q, error, reveal);
    } finally {
      this.pending = false;
      this.form.setAttribute("aria-busy", "false");
    }
    if (store.question?.record !== q.record || store.question.kind !== q.kind) return; // closed meanwhile
    const attempts = q.attempts + (reveal ? 0 : 1);
    this.emit(q, { answer, correct: result.correct, misconception: result.misconception, attempts, revealed: reveal, expected: result.expected });
    const named = `${nameOf(q)} = ${formatNumber(result.expected, 6)}`;
    const on = q.goesOn === false ? "" : " The step goes on.";
    if (reveal) {
      this.say("shown", `Shown: ${named}.${on}`);
      return this.done(q, "shown");
    }
    if (result.correct) {
      this.say("correct", `Correct: ${named}.${on}`);
      return this.done(q, attempts === 1 ? "first" : "later");
    }
    const why = result.misconception
      ? `${result.misconception.message}`
      : `${formatNumber(answer, 6)} is not ${nameOf(q)} to 4 significant digits.`;
    this.say("wrong", `Not right: ${why} Try again, or press Show answer.`);
    store.missed(store.question);
    this.input.select();
  }

  /** The server would not check it (a 422 names why): Show answer then lets the step go on. */
  refused(q, error, reveal) {
    const reason = error.problems.map((p) => p.message).join("; ");
    if (reveal && error.status === 422) {
      this.say("error", `This number cannot be checked: ${reason}. The step goes on without it.`);
      return this.done(q, "skipped");
    }
    const next = error.status === 422 ? "Press Show answer to go on without it." : "Try again.";
    this.say("error", `Your answer could not be checked: ${reason}. ${next}`);
    this.focusAnswer();
  }

  /** A question is done: the next one before the same phase, or the step goes on. */
  done(q, outcome) {
    this.store.finish(q, outcome);
    const next = this.due(q.position);
    if (next) return this.store.ask(next);
    this.restoreFocus();
    this.goOn(this.resume);
  }

  /** Go on with what stopped at the question: Play, Step, one phase, or a lesson's own way. */
  goOn(source) {
    const { session } = this;
    if (typeof source === "function") source();
    else if (source === "play") session.play();
    else if (source === "step") session.step("step");
    else session.next("next");
  }

  /** An "answer" event: the question, its step and the outcome (an embed sends it on, protocol.js shapes it). */
  emit(q, outcome) {
    const step = q.record.step + 1;
    const detail = { question: q, step, ...outcome, title: `${nameOf(q)}, step ${step}` };
    this.answers.dispatchEvent(new CustomEvent("answer", { detail }));
  }

  say(kind, text) {
    this.feedback.className = `quiz-feedback ${kind}`;
    this.feedback.textContent = text;
    if (text) this.feedback.scrollIntoView({ block: "nearest", behavior: smooth() });
  }

  render(reason = null) {
    const { store } = this;
    if (!store.network) return;
    if (reason === "load" || reason === "reset") this.say("", ""); // a new score, a new start
    const { on, kinds } = store.quiz;
    for (const kind of KINDS) if (this.kinds[kind]) this.kinds[kind].checked = kinds.includes(kind);
    const score = scoreText(store.score);
    this.doc.getElementById("quiz-score").textContent = score.detail ? `${score.headline} (${score.detail})` : score.headline;
    this.doc.getElementById("quiz-kinds-score").textContent = score.kinds;
    const q = store.question;
    // with the Quiz off, a lesson's question shows the panel (before it takes the focus), and
    // its feedback keeps it
    const shown = () => (this.panel.hidden = !on && !q && !this.feedback.textContent);
    shown();
    if (q !== this.shown) this.show(q);
    shown();
    this.doc.getElementById("quiz-waiting").hidden = Boolean(q) || !on;
    this.keepMark();
  }

  /** Draw the open question (or none) into #quiz. */
  show(q) {
    const before = this.shown;
    const opened = q && !(before && before.record === q.record && before.kind === q.kind);
    // closed unanswered (the student went back, say): its feedback goes with it
    if (before && !q && !this.store.askedIn(before.record).outcomes[before.kind]) this.say("", "");
    this.shown = q;
    this.form.hidden = !q;
    if (!q) {
      for (const name of ["quantity", "layer", "index", "sample", "kind", "name"]) delete this.form.dataset[name];
      return;
    }
    if (!opened) return; // the same question, one more try
    // the last feedback stays for a question before the same phase (a after z uses z)
    if (this.last?.position !== q.position || this.last?.record !== q.record) this.say("", "");
    this.last = q;
    const data = this.form.dataset;
    Object.assign(data, { quantity: q.quantity, sample: q.sample, kind: q.kind, name: q.name });
    if (q.layer === null) delete data.layer;
    else data.layer = q.layer;
    if (q.index === null) delete data.index;
    else data.index = indexText(q.index);
    this.drawQuestion(q);
    this.mark(q, true);
    this.input.value = "";
    if (!this.panel.contains(this.doc.activeElement)) this.returnTo = this.doc.activeElement;
    this.focusAnswer();
    this.form.scrollIntoView({ block: "nearest", behavior: smooth() });
  }

  drawQuestion(q) {
    const { store } = this;
    const { network, trace } = q.record;
    const functions = store.functions;
    const layerOf = q.layer ?? network.layer_sizes.length - 1;
    const activation = functions?.activations[network.activations[layerOf - 1]];
    const titles = { activation: activation?.title ?? "", loss: functions?.losses[network.loss]?.title ?? network.loss, batch: trace.inputs.length };
    const prompt = clear(this.doc.getElementById("quiz-question"));
    prompt.append("Predict ");
    symbol(html("strong", {}, prompt), symbolOf(q));
    prompt.append(`: ${describe(q, titles)}.`);
    const list = clear(this.doc.getElementById("quiz-givens"));
    const givens = givensOf(q, {
      trace, network, velocity: q.record.velocity, settings: q.record.request ?? store.settings,
      outputOnly: (l) => Boolean(functions?.activations[network.activations[l - 1]]?.output_only),
    });
    for (const given of givens) {
      const item = html("li", {}, list);
      symbol(item, given);
      item.append(` = ${formatNumber(given.value, 6)}`);
      if (given.sample !== null) item.append(` (sample ${given.sample})`);
    }
  }

  focusAnswer() {
    this.input.focus({ preventScroll: true });
  }

  /** Back to where the student was when the question opened (the button that stepped, say). */
  restoreFocus() {
    const back = this.returnTo;
    this.returnTo = null;
    const target = back?.isConnected && back !== this.doc.body && back.offsetParent !== null ? back : this.doc.getElementById("next");
    if (this.panel.contains(this.doc.activeElement) || this.doc.activeElement === this.doc.body) target?.focus({ preventScroll: true });
  }

  /**
   * A dashed ring (a neuron) or a band (a weight) where the asked number appears, drawn under
   * the diagram so that no number is covered; a "?" over it while the question is open.
   */
  mark(q, open) {
    const { view } = this;
    if (!view.layout) return;
    if (!this.marks?.isConnected) {
      this.marks = svg("g", { class: "quiz-marks", "aria-hidden": "true" });
      this.badges = svg("g", { class: "quiz-marks", "aria-hidden": "true" });
      view.root.prepend(this.marks);
      view.root.append(this.badges);
    }
    clear(this.marks);
    clear(this.badges);
    this.marked = q;
    const { layout } = view;
    const r = layout.radius;
    const badge = (x, y) => {
      if (!open) return;
      const g = svg("g", { class: "quiz-badge", transform: `translate(${x.toFixed(1)} ${y.toFixed(1)})` }, this.badges);
      svg("circle", { r: Math.max(6, Math.min(9, r * 0.32)) }, g);
      svg("text", { "text-anchor": "middle", dy: "0.35em" }, g).textContent = "?";
    };
    if (Array.isArray(q.index)) {
      const edge = { layer: q.layer, to: q.index[0], from: q.index[1] };
      const a = alongEdge(layout, edge, 0, r + 6);
      const b = alongEdge(layout, edge, 1, r + 6);
      svg("line", { class: "quiz-band", x1: a.x, y1: a.y, x2: b.x, y2: b.y }, this.marks);
      const at = alongEdge(layout, edge, 0.72, r + 6);
      badge(at.x, at.y - Math.max(9, r * 0.45));
      return;
    }
    const L = layout.neurons.length - 1;
    const targets = q.index === null ? layout.neurons[L].map((_, j) => j) : [q.index];
    targets.forEach((j, i) => {
      const p = layout.neurons[q.layer ?? L][j];
      svg("circle", { class: "quiz-ring", cx: p.x, cy: p.y, r: r + Math.max(6, r * 0.3) }, this.marks);
      if (i === 0) badge(p.x + r + 5, p.y - r * 0.75);
    });
  }

  /** No question's mark (a lesson moved to another stop: what it asked is no longer the point). */
  unmark() {
    if (!this.marked) return;
    clear(this.marks);
    clear(this.badges);
    this.marked = null;
  }

  /** The mark stays while its step is shown from the question on, its "?" while the question is open. */
  keepMark() {
    const q = this.marked;
    if (!q) return;
    const { store } = this;
    const here = store.position >= q.position - 1 && store.recordAt(Math.max(store.position, q.position)) === q.record;
    if (!here || !this.marks.isConnected) {
      clear(this.marks);
      clear(this.badges);
      this.marked = null;
    } else if (!store.question && this.badges.firstChild) {
      this.mark(q, false);
    }
  }
}

/** A symbol with its subscript: z with o1 below it. */
function symbol(parent, { symbol: name, sub }) {
  html("var", {}, parent, name);
  if (sub) html("sub", {}, parent, sub);
}

/** Is an activation's formula a = z itself (linear)? */
function isIdentity(f) {
  return Boolean(f && f.var === "z" && !f.index && !f.op);
}

const smooth = () => (matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth");
