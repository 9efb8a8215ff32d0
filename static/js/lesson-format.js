// A lesson's document on the page (pure: no DOM, no fetch; node --test checks it): captions
// and their marks, what a stop looks at and asks, and where a stop is on the page's timeline.
//
// The document (README, "Lessons"): {version, title, preset | state, stops: [{step, phase,
// focus, caption, question}]}. `step` counts Step's steps from the lesson's network: a stop at
// step n and a phase other than idle is that phase of the n-th step; at idle it is after n
// steps, before the next (step 0 is the network as it starts). A stop's question is about the
// step it shows (at idle, the step about to be played), in the trace's numbering as POST
// /api/v1/check asks it; questions.js turns it into the quiz's (the diagram's) and back.

import { neuronName, weightName } from "./layout.js";
import { fromCheck, nameOf, toCheck } from "./questions.js";

export const MAX_TITLE = 200; // characters (app/lessons/document.py)
export const MAX_CAPTION = 2000;
export const MAX_STOPS = 100;

// --- captions -------------------------------------------------------------------------------

/**
 * A caption as nodes to build with textContent: {text} | {tag: "strong" | "em", children} |
 * {tag: "code", text} | {tag: "br"}. Marks: **bold**, *italics*, `code`, and a newline for a
 * line break. A mark takes effect only when it opens and closes on the same line around some
 * text (no space just inside it); anything else is text exactly as typed. Inside `code`
 * nothing is a mark; elsewhere \* and \` write the character itself.
 */
export function parseCaption(caption) {
  const nodes = [];
  String(caption ?? "").split("\n").forEach((line, i) => {
    if (i > 0) nodes.push({ tag: "br" });
    nodes.push(...new LineParser(line).parse());
  });
  return nodes;
}

class LineParser {
  constructor(line) {
    this.s = line;
    this.failed = new Set(); // "closer@position" already found not to close: parsing stays polynomial
  }

  parse() {
    return this.run(0, null).nodes;
  }

  /** Nodes from i up to `closer` ("**" or "*"), or to the end of the line when closer is null. */
  run(i, closer) {
    const key = `${closer}@${i}`;
    if (closer && this.failed.has(key)) return { closed: false };
    const { s } = this;
    const nodes = [];
    let text = "";
    const flush = () => {
      if (text) nodes.push({ text });
      text = "";
    };
    while (i < s.length) {
      const c = s[i];
      if (c === "\\" && (s[i + 1] === "*" || s[i + 1] === "`")) {
        text += s[i + 1];
        i += 2;
        continue;
      }
      if (c === "`") {
        const end = s.indexOf("`", i + 1);
        if (end > i + 1) {
          flush();
          nodes.push({ tag: "code", text: s.slice(i + 1, end) });
          i = end + 1;
        } else {
          text += c;
          i += 1;
        }
        continue;
      }
      if (c === "*") {
        const bold = s.startsWith("**", i);
        // a closing mark follows some text; inside italics a "**" may open bold
        if (closer === "**" && bold && closes(s, i)) return this.closed(nodes, text, i + 2);
        if (bold && opens(s, i + 2)) {
          const inner = this.run(i + 2, "**");
          if (inner.closed) {
            flush();
            nodes.push({ tag: "strong", children: inner.nodes });
            i = inner.end;
            continue;
          }
        }
        if (closer === "*" && closes(s, i)) return this.closed(nodes, text, i + 1);
        if (!bold && opens(s, i + 1)) {
          const inner = this.run(i + 1, "*");
          if (inner.closed) {
            flush();
            nodes.push({ tag: "em", children: inner.nodes });
            i = inner.end;
            continue;
          }
        }
        const width = bold ? 2 : 1;
        text += s.slice(i, i + width);
        i += width;
        continue;
      }
      text += c;
      i += 1;
    }
    flush();
    if (closer) {
      this.failed.add(key);
      return { closed: false };
    }
    return { closed: true, nodes, end: i };
  }

  closed(nodes, text, end) {
    if (text) nodes.push({ text });
    return { closed: true, nodes, end };
  }
}

/** A mark opens before some text: not at the end of the line, not before a space. */
const opens = (s, i) => i < s.length && !/\s/.test(s[i]);
/** A mark closes after some text: not after a space (nor at the line's start). */
const closes = (s, i) => i > 0 && !/\s/.test(s[i - 1]);

/** The caption as plain text, marks taken out (for an accessible summary of a stop). */
export function captionText(caption) {
  const text = (nodes) => nodes.map((n) => (n.tag === "br" ? " " : n.children ? text(n.children) : n.text)).join("");
  return text(parseCaption(caption));
}

// --- what a stop looks at and asks ------------------------------------------------------------

/** A focus (or a selection: the same shape) in words: "neuron o1", "weight w7", "bias of h2". */
export function focusName(sizes, focus) {
  if (!focus) return "nothing selected";
  if (focus.kind === "edge") return `weight ${weightName(sizes, focus.layer, focus.to, focus.from)}`;
  const name = neuronName(sizes, focus.layer, focus.index);
  if (focus.kind === "bias") return `bias of ${name}`;
  return focus.layer === 0 ? `input ${name}` : `neuron ${name}`;
}

/** Does a focus name an element of a network with these layer sizes? */
export function focusFits(sizes, focus) {
  if (!focus) return true;
  const { kind, layer: l } = focus;
  if (!(Number.isInteger(l) && l >= (kind === "neuron" ? 0 : 1) && l < sizes.length)) return false;
  if (kind === "edge") return focus.to < sizes[l] && focus.from < sizes[l - 1];
  return focus.index < sizes[l];
}

/** The focus a selection makes: a copy with only the document's fields. */
export function focusOf(selection) {
  if (!selection) return null;
  const { kind, layer } = selection;
  if (kind === "edge") return { kind, layer, from: selection.from, to: selection.to };
  return { kind: kind === "bias" ? "bias" : "neuron", layer, index: selection.index };
}

/**
 * The questions a stop can ask about its focus, as the document keeps them (the trace's
 * numbering): [{value, label, question}]. `batch` is one step's number of samples and
 * `sample` the one asked about (per-sample numbers); the loss of a whole batch is one
 * output's loss of that sample, as the Quiz asks it.
 */
export function questionChoices(sizes, focus, { batch = 1, sample = 0 } = {}) {
  const L = sizes.length - 1;
  const s = Math.min(sample, batch - 1);
  const quiz = [];
  const neuron = (kind, quantity) => quiz.push({ kind, quantity, layer: focus.layer, index: focus.index, sample: s });
  if (focus?.kind === "neuron" && focus.layer >= 1) {
    neuron("z", "z");
    neuron("a", "a");
    if (focus.layer === L) {
      if (batch === 1) quiz.push({ kind: "loss", quantity: "loss", layer: null, index: null, sample: 0 });
      else neuron("loss", "output_losses");
    }
    neuron(focus.layer === L ? "output_delta" : "hidden_delta", "delta");
  } else if (focus?.kind === "edge") {
    for (const kind of ["grad_weights", "new_weights"]) {
      quiz.push({ kind, quantity: kind, layer: focus.layer, index: [focus.to, focus.from], sample: 0 });
    }
  } else if (focus?.kind === "bias") {
    for (const kind of ["grad_biases", "new_biases"]) quiz.push({ kind, quantity: kind, layer: focus.layer, index: focus.index, sample: 0 });
  } else if (!focus && batch === 1) {
    quiz.push({ kind: "loss", quantity: "loss", layer: null, index: null, sample: 0 });
  }
  return quiz.map((q) => {
    const question = toCheck(q);
    const asked = fromCheck(question, sizes);
    const per = batch > 1 && ["z", "a", "delta", "output_losses"].includes(q.quantity) ? ` (sample ${s + 1})` : "";
    return { value: questionKey(question), label: `${nameOf(asked)}${per}`, question };
  });
}

/** A question's key in a list of choices: "delta 1 0 0", "grad_weights 1 1,0 0". */
export function questionKey(question) {
  if (!question) return "";
  const { quantity, layer = "", index = "", sample = 0 } = question;
  return [quantity, layer ?? "", Array.isArray(index) ? index.join(",") : (index ?? ""), sample].join(" ");
}

/** A question in words, as the student reads it: "δ of o1", "∂E/∂w5", "the loss E". */
export function questionName(question, sizes) {
  return question ? nameOf(fromCheck(question, sizes)) : "no question";
}

// --- where a stop is --------------------------------------------------------------------------

/** The step a stop's question asks about: the stop's own step, or at idle the one about to be played. */
export function askedStep(stop) {
  return stop.phase === "idle" ? stop.step + 1 : stop.step;
}

/**
 * Where the page is, as a stop would say it: {step, phase} with step counted from the
 * lesson's network (`startStep`: the step count the page had there), or null when the page
 * is before the lesson's start.
 */
export function placeOf({ phase, recordStep, step }, startStep) {
  const n = (phase === "idle" ? step : recordStep + 1) - startStep;
  return n < 0 ? null : { step: n, phase };
}

/** A stop in a few words: "step 1 · backward-2 · neuron o1". */
export function stopWords(stop, sizes) {
  const where = stop.step === 0 ? "before the first step" : stop.phase === "idle" ? `after step ${stop.step}` : `step ${stop.step} \u00b7 ${stop.phase}`;
  return stop.focus ? `${where} \u00b7 ${focusName(sizes, stop.focus)}` : where;
}

/**
 * The positions of a stop in a timeline whose record of the asked step starts at `first`
 * (the position before its forward-1): where the stop is shown, and where its question (if
 * any) is asked: just before the phase that shows the number, or at the stop when that
 * phase comes later.
 */
export function stopPositions(stop, phases, first, sizes) {
  const at = stop.phase === "idle" ? first : first + phases.indexOf(stop.phase) + 1;
  if (!stop.question) return { at, ask: null };
  const reveal = first + phases.indexOf(fromCheck(stop.question, sizes).phase) + 1;
  return { at, ask: Math.min(at, reveal - 1) };
}

/** The document's start: a preset's name or a share-link state, as the document has it. */
export function startOf(lesson) {
  return lesson.preset ? { preset: lesson.preset } : { state: lesson.state };
}

// what keeps the page on a lesson's network, Step's steps from its start: moving through the
// recorded steps and looking around, not a new network, an edit or other settings
const ON_PATH = new Set(["record", "position", "selection", "sample", "quiz", "question", "losses", "message", "errors", "functions", "playing", "lesson"]);

/**
 * Is the page still on the lesson's path after a change (a store "change" reason)? Train on a
 * full batch takes Step's very steps; Reset goes back to a start that is the initial network.
 */
export function keepsPath(reason, store, start, onPath) {
  if (!onPath) return false;
  if (ON_PATH.has(reason)) return true;
  if (reason === "train") return store.batchSize === store.data.inputs.length;
  if (reason === "reset") {
    return (start.step ?? 0) === 0 && !start.velocity && !start.cursor && JSON.stringify(store.network) === JSON.stringify(start.network);
  }
  return false;
}
