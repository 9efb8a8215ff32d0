// The Lesson panel: a lecturer walks through the network and adds stops (the step, the phase
// and the selection of the page, a caption, perhaps a question), reorders and deletes them,
// previews the lesson as a student sees it, and publishes it (POST /api/v1/lessons) for a
// short link, a loader snippet and an iframe snippet. The draft survives a reload; the edit
// token of each published lesson is kept in this browser (lessons-kept.js).

import * as api from "./api.js";
import { stateProblem } from "./checks.js";
import { encodeState } from "./codec.js";
import {
  focusFits, focusOf, MAX_STOPS, MAX_TITLE, placeOf, questionChoices, questionKey, stopWords,
} from "./lesson-format.js";
import { forgetLesson, keepLesson, keptLessons } from "./lessons-kept.js";
import { iframeSnippet, loaderSnippet } from "./snippets.js";
import { Store } from "./state.js";
import { clear, html } from "./svg.js";

const DRAFT = "backprop-viz:lesson-draft";
const MAX_STATE = 12000; // characters of a share-link state in a lesson (app/embed.py)
// what makes two starts the same network, data, settings and place
const START_KEYS = ["network", "initial", "inputs", "targets", "test_inputs", "test_targets", "settings", "velocity", "cursor", "step"];

export class LessonEditor {
  /** `visualizer`: createVisualizer's {store, session, ...}; `player`: the page's LessonPlayer. */
  constructor(doc, { store }, player) {
    Object.assign(this, { doc, store, player });
    this.panel = doc.getElementById("lesson-panel");
    this.opener = doc.getElementById("lesson-open");
    this.draft = loadDraft();
    this.build();
    store.addEventListener("change", () => this.showHere());
    player.addEventListener("end", () => this.endPreview());
    this.renderStops();
    this.renderKept();
  }

  // --- the panel ------------------------------------------------------------------------------

  build() {
    const p = clear(this.panel);
    const head = html("div", { class: "lesson-panel-head" }, p);
    html("h2", { id: "lesson-panel-title" }, head, "Lesson");
    this.on(html("button", { type: "button", id: "lesson-close", "aria-label": "Close the Lesson panel" }, head, "Close"), () => this.close());
    html("p", { class: "hint" }, p,
      "Take students through this network stop by stop: step to a phase, click the neuron, weight or bias to look at, then add a stop and write its caption.");
    const title = html("div", { class: "field", "data-field": "lesson-title" }, p);
    html("label", { for: "lesson-title-input" }, title, "Title");
    this.title = html("input", { type: "text", id: "lesson-title-input", maxlength: MAX_TITLE, autocomplete: "off", "aria-describedby": "lesson-title-error" }, title);
    html("p", { class: "field-error", id: "lesson-title-error" }, title);
    this.title.value = this.draft.title;
    this.title.addEventListener("input", () => {
      this.draft.title = this.title.value;
      this.title.removeAttribute("aria-invalid");
      this.save();
    });
    const here = html("div", { class: "lesson-here" }, p);
    this.here = html("p", { id: "lesson-here" }, here);
    this.add = html("button", { type: "button", id: "lesson-add", class: "primary", "aria-describedby": "lesson-here" }, here, "Add a stop here");
    this.on(this.add, () => this.addStop());
    html("h3", { id: "lesson-stops-title", class: "lesson-subhead" }, p, "Stops");
    this.empty = html("p", { class: "hint", id: "lesson-empty" }, p, "No stop yet.");
    this.list = html("ol", { id: "lesson-stops", class: "lesson-stops", "aria-labelledby": "lesson-stops-title" }, p);
    this.list.addEventListener("click", (event) => this.stopAction(event));
    this.marks = html("p", { class: "hint", id: "lesson-marks", hidden: true }, p,
      "Captions take **bold**, *italics*, `code` and line breaks; they are always shown as text.");
    const actions = html("div", { class: "row-actions" }, p);
    this.on(html("button", { type: "button", id: "lesson-preview" }, actions, "Preview"), () => this.preview());
    this.publishButton = html("button", { type: "button", id: "lesson-publish", class: "primary" }, actions, "Publish");
    this.on(this.publishButton, () => this.publish());
    this.on(html("button", { type: "button", id: "lesson-new" }, actions, "New lesson"), (event) => this.confirm(event.currentTarget, "Discard this draft: press again", () => this.startOver()));
    // errors and news beside the panel, in words
    this.problems = html("div", { id: "lesson-problems", class: "lesson-problems", role: "status" }, p);
    this.result = html("section", { id: "lesson-result", class: "lesson-result", "aria-labelledby": "lesson-result-title", hidden: true }, p);
    const kept = html("details", { id: "lesson-kept", class: "lesson-kept" }, p);
    this.keptTitle = html("summary", {}, kept, "Published from this browser");
    html("p", { class: "hint" }, kept, "Each with its edit token, kept in this browser only: Delete takes the lesson off the server for good.");
    this.keptList = html("ul", { id: "lesson-kept-list" }, kept);
    this.showHere();
  }

  on(button, handler) {
    button.addEventListener("click", handler);
    return button;
  }

  open() {
    this.panel.hidden = false;
    this.opener?.setAttribute("aria-expanded", "true");
    this.showHere();
    this.panel.scrollIntoView({ block: "nearest", behavior: smooth() });
    this.title.focus({ preventScroll: true });
  }

  close() {
    this.panel.hidden = true;
    this.opener?.setAttribute("aria-expanded", "false");
    this.opener?.focus();
  }

  toggle() {
    if (this.panel.hidden) this.open();
    else this.close();
  }

  /** Is the page on the draft's network, Step's steps from its start (as the shared player tracks it)? */
  get onPath() {
    return this.player.lesson === this.draft && this.player.onPath;
  }

  /** The shared player goes through the draft (a published lesson playing on the page stops). */
  claim() {
    const { player, draft } = this;
    if (player.lesson === draft) return;
    if (player.active) player.close();
    player.use(draft, draft.start);
  }

  /** What Add a stop would keep: the step, the phase and the selection of the page. */
  showHere() {
    const { store } = this;
    if (!store.network || !this.here) return;
    const stops = this.draft.stops;
    let text;
    if (stops.length && !this.onPath) {
      text = "The page has left this lesson's network (a reload, Train, an edit or another network): press Go to on a stop to go back to it.";
    } else {
      const place = this.place();
      const focus = focusOf(store.selection);
      const where = place ? stopWords({ ...place, focus }, store.network.layer_sizes) : "before the lesson's start";
      text = `Here: ${where}${focus ? "" : " (click a neuron, weight or bias to look at it)"}.`;
    }
    this.here.textContent = text;
  }

  /** The page's place in the lesson: {step, phase} from its start (the page's base, for a first stop). */
  place() {
    const { store, player } = this;
    const startStep = this.draft.stops.length && player.lesson === this.draft ? player.startStep : store.step;
    return placeOf({ phase: store.phase, recordStep: store.record?.step ?? null, step: store.step }, startStep);
  }

  // --- stops --------------------------------------------------------------------------------

  addStop() {
    const { store, player, draft } = this;
    this.say("");
    if (draft.stops.length >= MAX_STOPS) return this.say(`A lesson has at most ${MAX_STOPS} stops.`, "error");
    if (!draft.stops.length) {
      // the first stop: the lesson starts from the page's network as it is before this step
      if (player.active) player.close();
      draft.start = startState(store.saved(0));
      player.adopt(draft, draft.start);
    } else if (!this.onPath) {
      return this.say("The page is not on this lesson's network any more. Press Go to on a stop to go back to it, then add the stop there.", "error");
    }
    const place = this.place();
    if (!place) return this.say("The page is before the lesson's start: step forward first.", "error");
    const sizes = store.network.layer_sizes;
    const focus = focusFits(sizes, store.selection) ? focusOf(store.selection) : null;
    draft.stops.push({ ...place, focus, caption: "", question: null });
    this.save();
    this.renderStops();
    this.say(`Stop ${draft.stops.length} added: ${stopWords(draft.stops.at(-1), sizes)}. Write its caption.`);
    this.list.querySelector(`[data-index="${draft.stops.length - 1}"] textarea`)?.focus();
  }

  renderStops() {
    const { draft } = this;
    const list = clear(this.list);
    this.empty.hidden = draft.stops.length > 0;
    if (!draft.start) return;
    const sizes = draft.start.network.layer_sizes;
    const n = draft.start.inputs.length;
    const batch = Math.min(draft.start.settings?.batch_size || n, n);
    draft.stops.forEach((stop, i) => {
      const number = i + 1;
      const item = html("li", { class: "lesson-stop-item", "data-index": i }, list);
      const head = html("div", { class: "lesson-stop-head" }, item);
      html("h4", {}, head, `Stop ${number}`);
      html("p", { class: "lesson-stop-where" }, head, stopWords(stop, sizes));
      const caption = html("div", { class: "field" }, item);
      const label = html("label", { for: `lesson-caption-${i}` }, caption, "Caption");
      html("span", { class: "visually-hidden" }, label, ` of stop ${number}`);
      const box = html("textarea", { id: `lesson-caption-${i}`, rows: "2", "aria-describedby": "lesson-marks" }, caption);
      box.value = stop.caption;
      box.addEventListener("input", () => {
        stop.caption = box.value;
        box.removeAttribute("aria-invalid");
        this.save();
        if (this.player.active) this.player.render();
      });
      const row = html("div", { class: "lesson-stop-row" }, item);
      const question = html("div", { class: "field" }, row);
      const qLabel = html("label", { for: `lesson-question-${i}` }, question, "Question");
      html("span", { class: "visually-hidden" }, qLabel, ` of stop ${number}`);
      const select = html("select", { id: `lesson-question-${i}` }, question);
      const choices = questionChoices(sizes, stop.focus, { batch, sample: this.store.sample });
      select.append(new Option("None", ""));
      for (const choice of choices) select.append(new Option(`Predict ${choice.label}`, choice.value));
      const kept = questionKey(stop.question);
      if (kept && !choices.some((c) => c.value === kept)) select.append(new Option(`Predict ${kept}`, kept));
      select.value = kept;
      select.addEventListener("change", () => {
        stop.question = choices.find((c) => c.value === select.value)?.question ?? (select.value ? stop.question : null);
        this.save();
      });
      const actions = html("div", { class: "lesson-stop-actions" }, row);
      const action = (name, text, label, disabled = false) =>
        html("button", { type: "button", class: "small", "data-action": name, "aria-label": label, "aria-disabled": disabled ? "true" : null }, actions, text);
      action("go", "Go to", `Go to stop ${number}`);
      action("up", "Up", `Move stop ${number} up`, i === 0);
      action("down", "Down", `Move stop ${number} down`, i === draft.stops.length - 1);
      action("delete", "Delete", `Delete stop ${number}`);
    });
    this.marks.hidden = !draft.stops.length;
  }

  async stopAction(event) {
    const button = event.target.closest("button[data-action]");
    if (!button || button.getAttribute("aria-disabled") === "true") return;
    const i = Number(button.closest("[data-index]").dataset.index);
    const { stops } = this.draft;
    const action = button.dataset.action;
    if (action === "go") return this.goTo(i);
    let focusAt = i;
    if (action === "up" || action === "down") {
      const j = action === "up" ? i - 1 : i + 1;
      [stops[i], stops[j]] = [stops[j], stops[i]];
      focusAt = j;
      this.say(`Stop ${i + 1} is now stop ${j + 1}.`);
    } else if (action === "delete") {
      stops.splice(i, 1);
      this.say(`Stop ${i + 1} deleted.`);
      if (!stops.length) this.draft.start = null; // the next first stop starts the lesson afresh
    }
    this.save();
    this.renderStops();
    if (this.player.active) this.player.render();
    // the focus stays with the stop that moved, or goes to the next one
    const at = Math.min(focusAt, stops.length - 1);
    const same = this.list.querySelector(`[data-index="${at}"] [data-action="${action}"]:not([aria-disabled="true"])`);
    (same ?? this.list.querySelector(`[data-index="${at}"] [data-action="go"]`) ?? this.add).focus();
  }

  /** Show a stop as the lecturer made it (no question asked): the page goes back onto the lesson. */
  async goTo(i) {
    this.claim();
    if (await this.player.go(i, { ask: false })) this.say(`The page shows stop ${i + 1}.`);
    this.showHere();
  }

  // --- preview and publish ------------------------------------------------------------------

  async preview() {
    const { player, draft } = this;
    if (!draft.stops.length) return this.say("Add a stop first: Preview plays the stops.", "error");
    this.panel.hidden = true;
    this.opener?.setAttribute("aria-expanded", "false");
    this.claim();
    await player.play(draft, draft.start, { preview: true });
    // the panel may have been scrolled far down: the card (the caption) comes into view
    const top = player.card.getBoundingClientRect().top;
    if (top < 0 || top > innerHeight * 0.75) player.card.scrollIntoView({ block: "start" });
    this.doc.getElementById("lesson-next")?.focus({ preventScroll: true });
  }

  endPreview() {
    this.player.close();
    this.open();
    this.doc.getElementById("lesson-preview")?.focus();
    this.say("The preview ended; the page stays where it was.");
  }

  async publish() {
    const { draft } = this;
    this.say("");
    this.result.hidden = true;
    if (!draft.stops.length) return this.say("Add a stop first: a lesson has 1 to 100 stops.", "error");
    this.publishButton.setAttribute("aria-busy", "true");
    try {
      const lesson = { title: draft.title, ...(await startField(draft.start)), stops: draft.stops };
      const created = await api.publishLesson(lesson);
      const entry = { id: created.id, url: created.url, title: draft.title, edit_token: created.edit_token, created: new Date().toISOString() };
      keepLesson(entry);
      this.showResult(entry);
      this.renderKept();
      this.say(`Published: ${created.url}`);
    } catch (error) {
      this.refused(error);
    } finally {
      this.publishButton.removeAttribute("aria-busy");
    }
  }

  /** Why the server would not publish it, each problem naming its field in words, beside the panel. */
  refused(error) {
    this.say(refusal(error), "error");
    for (const p of error.problems ?? []) this.markField(p.field);
  }

  markField(field) {
    const parts = field.split(".");
    if (parts[1] === "title") this.title.setAttribute("aria-invalid", "true");
    if (parts[1] === "stops" && parts[3] === "caption") this.doc.getElementById(`lesson-caption-${parts[2]}`)?.setAttribute("aria-invalid", "true");
  }

  showResult(entry) {
    const box = clear(this.result);
    box.hidden = false;
    const base = location.origin;
    html("h3", { id: "lesson-result-title", class: "lesson-subhead" }, box, `Published: ${entry.title}`);
    snippet(box, "lesson-link", "Short link", entry.url, "Copy link", 1);
    const open = html("p", { class: "lesson-open-link" }, box);
    html("a", { href: entry.url, target: "_blank", rel: "noopener" }, open, "Open the lesson in a new tab");
    snippet(box, "lesson-loader", "Loader snippet (sizes itself)", loaderSnippet(base, { lesson: entry.id }), "Copy loader snippet", 3);
    snippet(box, "lesson-iframe", "Plain iframe", iframeSnippet(base, { lesson: entry.id }, entry.title), "Copy iframe snippet", 3);
    snippet(box, "lesson-token", "Edit token (kept in this browser; keep a copy to delete the lesson from another one)", entry.edit_token, "Copy edit token", 1);
    const remove = html("button", { type: "button", class: "danger" }, box, "Delete this lesson");
    this.on(remove, (event) => this.confirm(event.currentTarget, "Delete for good: press again", () => this.remove(entry)));
  }

  renderKept() {
    const list = clear(this.keptList);
    const kept = keptLessons();
    this.keptTitle.textContent = `Published from this browser (${kept.length})`;
    for (const entry of kept) {
      const item = html("li", {}, list);
      html("a", { href: entry.url, target: "_blank", rel: "noopener" }, item, entry.title || entry.id);
      item.append(` (${entry.id}) `);
      const remove = html("button", { type: "button", class: "small danger", "aria-label": `Delete lesson ${entry.title || entry.id}` }, item, "Delete");
      this.on(remove, (event) => this.confirm(event.currentTarget, "Delete for good: press again", () => this.remove(entry)));
    }
  }

  /** DELETE with the kept edit token: the short link stops working. */
  async remove(entry) {
    try {
      await api.deleteLesson(entry.id, entry.edit_token);
    } catch (error) {
      if (!(error instanceof api.ApiError)) throw error;
      if (error.status !== 404) {
        const why = error.status === 401 || error.status === 403 ? "this browser's edit token is not the lesson's" : error.message;
        return this.say(`Not deleted: ${why}.`, "error");
      }
    }
    forgetLesson(entry.id);
    this.renderKept();
    if (this.result.querySelector("#lesson-link")?.value === entry.url) this.result.hidden = true;
    this.say(`Deleted "${entry.title || entry.id}": its link no longer opens it.`);
    this.keptTitle.focus();
  }

  /** A destructive button asks once more: the first press changes its words, the second acts. */
  confirm(button, asking, act) {
    if (button.dataset.confirming === "true") {
      delete button.dataset.confirming;
      return act();
    }
    const words = button.textContent;
    const label = button.getAttribute("aria-label");
    button.dataset.confirming = "true";
    button.textContent = asking;
    button.removeAttribute("aria-label");
    button.addEventListener("blur", () => {
      delete button.dataset.confirming;
      button.textContent = words;
      if (label) button.setAttribute("aria-label", label);
    }, { once: true });
  }

  startOver() {
    this.draft = { title: "", start: null, stops: [] };
    this.title.value = "";
    this.result.hidden = true;
    this.save();
    this.renderStops();
    this.say("A new lesson: add its first stop.");
    this.title.focus();
  }

  say(text, kind = "info") {
    this.problems.textContent = text;
    this.problems.className = `lesson-problems ${text ? kind : ""}`;
  }

  save() {
    try {
      localStorage.setItem(DRAFT, JSON.stringify(this.draft));
    } catch {
      // full or disabled storage: the draft lives as long as the page
    }
    this.showHere();
  }
}

// --- the lesson's start -----------------------------------------------------------------------

/** The saved state a lesson starts from: the page's, without its quiz (the lesson asks its own). */
function startState(saved) {
  const { quiz: _quiz, ...rest } = saved;
  return rest;
}

class Unpublishable extends Error {} // a start no lesson can hold: said in words, never sent

/**
 * The document's network: the preset's name when the start is a preset as it loads, else the
 * start as a share-link state, checked against the server's limits as share links are.
 */
export async function startField(start) {
  if (start.name) {
    try {
      const fresh = new Store();
      fresh.load(await api.getPreset(start.name));
      if (sameStart(fresh.saved(), start)) return { preset: start.name };
    } catch (error) {
      if (!(error instanceof api.ApiError)) throw error; // not a preset any more: the state, then
    }
  }
  const problem = stateProblem(start, await api.getLimits().catch(() => null));
  if (problem) throw new Unpublishable(`Not published: this network cannot be a lesson's (${problem}).`);
  const state = await encodeState(start);
  if (state.length > MAX_STATE) {
    throw new Unpublishable(
      `Not published: this network's state takes ${state.length} characters in a link, and a lesson holds at most ${MAX_STATE}. ` +
        "Start the lesson from a preset, or use less data.",
    );
  }
  return { state };
}

function sameStart(a, b) {
  const pick = (s) => JSON.stringify(START_KEYS.map((k) => s[k] ?? null));
  return pick(a) === pick(b);
}

/** A stop or a new network published at once: the Embed dialog's short link for the page as it is. */
export async function publishNetwork(store) {
  const start = startState(store.saved(0));
  const place = placeOf({ phase: store.phase, recordStep: store.record?.step ?? null, step: store.step }, store.step);
  const focus = focusFits(store.network.layer_sizes, store.selection) ? focusOf(store.selection) : null;
  const title = store.title || "A network, step by step";
  const lesson = { title, ...(await startField(start)), stops: [{ ...place, focus, caption: "", question: null }] };
  const created = await api.publishLesson(lesson);
  const entry = { id: created.id, url: created.url, title, edit_token: created.edit_token, created: new Date().toISOString() };
  keepLesson(entry);
  return entry;
}

/** Why a lesson was not published, in words (a 422 names each field; 413, 429 with its wait). */
export function refusal(error) {
  if (error instanceof Unpublishable) return error.message;
  if (!(error instanceof api.ApiError)) {
    console.error(error); // a fault of the page, not of the lesson: said, and kept for a report
    return `Not published: the page failed (${error.message}); reload it and try again.`;
  }
  let lines;
  if (error.status === 429) {
    const wait = error.retryAfter === null ? "" : ` Try again in ${error.retryAfter} s.`;
    lines = [`Too many lessons were published from this address for now.${wait}`];
  } else if (error.status === 413) {
    lines = [`The lesson is too large to publish: ${error.problems.map((p) => p.message).join("; ")}.`];
  } else {
    lines = error.problems.map((p) => `${fieldWords(p.field)}${p.message}.`);
  }
  return `Not published. ${lines.join(" ")}`;
}

/** "lesson.stops.1.caption" in words: "Stop 2, caption: ". */
export function fieldWords(field) {
  const parts = field.split(".").slice(field.startsWith("lesson") ? 1 : 0);
  if (!parts.length || parts[0] === "") return "";
  if (parts[0] === "title") return "Title: ";
  if (parts[0] === "preset" || parts[0] === "state") return "The lesson's network: ";
  if (parts[0] !== "stops") return `${parts.join(" ")}: `;
  if (parts.length === 1) return "Stops: ";
  const what = { caption: "caption", question: "question", focus: "what it looks at", phase: "phase", step: "step" }[parts[2]] ?? parts.slice(2).join(" ");
  return `Stop ${Number(parts[1]) + 1}${what ? `, ${what}` : ""}: `;
}

function snippet(parent, id, label, value, copy, rows) {
  const box = html("div", { class: "snippet" }, parent);
  const head = html("div", { class: "snippet-head" }, box);
  html("label", { for: id }, head, label);
  const button = html("button", { type: "button", class: "small" }, head, copy);
  const field = rows > 1 ? html("textarea", { id, rows: String(rows), readonly: true, spellcheck: "false" }, box) : html("input", { type: "text", id, readonly: true, spellcheck: "false" }, box);
  field.value = value;
  const status = html("p", { class: "copy-status", role: "status" }, box);
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(value);
      status.textContent = "Copied to the clipboard.";
    } catch {
      field.focus();
      field.select();
      status.textContent = "Selected: press Ctrl+C (or \u2318C) to copy.";
    }
  });
}

function loadDraft() {
  try {
    const draft = JSON.parse(localStorage.getItem(DRAFT));
    if (draft && typeof draft.title === "string" && Array.isArray(draft.stops) && (draft.stops.length === 0 || draft.start?.network)) return draft;
  } catch {
    // a damaged draft: start afresh
  }
  return { title: "", start: null, stops: [] };
}

const smooth = () => (matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth");
