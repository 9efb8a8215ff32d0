// A lesson on the page: captions and their marks, what a stop asks in which numbering, and
// where a stop sits on the timeline.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  askedStep, captionText, focusFits, focusName, keepsPath, parseCaption, placeOf, questionChoices, stopPositions, stopWords,
} from "../../static/js/lesson-format.js";
import { phasesOf } from "../../static/js/layout.js";
import { answerFields, parseCommand } from "../../static/js/protocol.js";
import { checkBody, fromCheck, toCheck } from "../../static/js/questions.js";
import { embedParameters, estimatedHeight, iframeSnippet, loaderSnippet } from "../../static/js/snippets.js";

const MAZUR = [2, 2, 2];
const DEEP = [2, 3, 3, 1];
const PHASES = phasesOf(2); // forward-1, forward-2, loss, backward-2, backward-1, update

/** A caption's nodes as a compact string: <b>, <i>, <c> and / for a line break. */
function shape(caption) {
  const show = (nodes) =>
    nodes.map((n) => (n.tag === "br" ? "/" : n.tag === "code" ? `<c>${n.text}</c>` : n.tag ? `<${n.tag[0]}>${show(n.children)}</${n.tag[0]}>` : n.text)).join("");
  return show(parseCaption(caption));
}

test("a caption's four marks: bold, italics, code and the line break", () => {
  assert.equal(shape("The **network** as *published*."), "The <s>network</s> as <e>published</e>.");
  assert.equal(shape("`w7` gets its gradient\nfrom delta of o2."), "<c>w7</c> gets its gradient/from delta of o2.");
  assert.equal(shape("**bold with *italics* inside**"), "<s>bold with <e>italics</e> inside</s>");
  assert.equal(shape("*italics with **bold** inside*"), "<e>italics with <s>bold</s> inside</e>");
  assert.equal(shape("***both***"), "<s><e>both</e></s>");
});

test("anything that is not a whole mark is text exactly as typed", () => {
  for (const text of [
    "a lone * star", "2 * 3 * 4", "** not bold **", "*not closed", "**not closed", "`not closed", "``",
    "<script>alert(1)</script>", '<img src=x onerror="alert(1)">', "[a link](http://x)", "# a heading", "&amp; &lt;",
  ]) {
    assert.deepEqual(parseCaption(text), [{ text }], text);
  }
  // a mark does not reach across a line break
  assert.equal(shape("**one\ntwo**"), "**one/two**");
});

test("inside code nothing is a mark; elsewhere a backslash writes * and ` themselves", () => {
  assert.equal(shape("`**a** and *b*`"), "<c>**a** and *b*</c>");
  assert.equal(shape("\\*not italics\\*"), "*not italics*");
  assert.equal(shape("\\`not code\\`"), "`not code`");
  assert.equal(shape("a \\ b"), "a \\ b");
  assert.equal(captionText("The **network**\nas `code`"), "The network as code");
});

test("a caption of 2,000 characters of marks that never close is text (each is tried once)", () => {
  for (const text of ["*a **b c ".repeat(222), "**a *b ".repeat(285), "*a ".repeat(666)]) {
    assert.equal(captionText(text), text);
  }
});

test("a stop's question converts between the check's numbering and the diagram's, and back", () => {
  // delta of o1: layer 1 of the trace is layer 2 of the diagram, shown at backward-2
  const delta = { quantity: "delta", layer: 1, index: 0, sample: 0 };
  const asked = fromCheck(delta, MAZUR);
  assert.deepEqual(asked, { kind: "output_delta", phase: "backward-2", quantity: "delta", layer: 2, index: 0, sample: 0, name: "o1" });
  assert.deepEqual(toCheck(asked), delta);
  assert.deepEqual(checkBody({ inputs: [[1, 2]] }, asked, { answer: 0.1385 }), { inputs: [[1, 2]], ...delta, answer: 0.1385 });
  const hidden = fromCheck({ quantity: "delta", layer: 0, index: 1 }, MAZUR);
  assert.equal(hidden.kind, "hidden_delta");
  assert.equal(hidden.phase, "backward-1");
  const w7 = fromCheck({ quantity: "grad_weights", layer: 1, index: [1, 0] }, MAZUR);
  assert.equal(w7.name, "w7");
  assert.equal(w7.layer, 2);
  assert.equal(fromCheck({ quantity: "new_biases", layer: 0, index: 1 }, MAZUR).phase, "update");
  assert.equal(fromCheck({ quantity: "grad_biases", layer: 0, index: 1 }, MAZUR).name, "h2");
  assert.deepEqual(fromCheck({ quantity: "loss" }, MAZUR), { kind: "loss", phase: "loss", quantity: "loss", layer: null, index: null, sample: 0, name: "E" });
  // output_losses: the output layer, whether the document gives it or not
  const out = fromCheck({ quantity: "output_losses", index: 1, sample: 2 }, DEEP);
  assert.deepEqual([out.kind, out.layer, out.name, out.sample], ["loss", 3, "o2", 2]);
  assert.deepEqual(toCheck(out), { quantity: "output_losses", layer: 2, index: 1, sample: 2 });
});

test("the questions a focus offers are in the check's numbering", () => {
  const o1 = questionChoices(MAZUR, { kind: "neuron", layer: 2, index: 0 });
  assert.deepEqual(o1.map((c) => c.label), ["z of o1", "a of o1", "the loss E", "\u03b4 of o1"]);
  assert.deepEqual(o1[3].question, { quantity: "delta", sample: 0, layer: 1, index: 0 });
  const w5 = questionChoices(MAZUR, { kind: "edge", layer: 2, from: 0, to: 0 });
  assert.deepEqual(w5.map((c) => c.label), ["\u2202E/\u2202w5", "w5 after the update"]);
  assert.deepEqual(w5[0].question, { quantity: "grad_weights", sample: 0, layer: 1, index: [0, 0] });
  const bias = questionChoices(MAZUR, { kind: "bias", layer: 1, index: 1 });
  assert.deepEqual(bias.map((c) => c.question), [
    { quantity: "grad_biases", sample: 0, layer: 0, index: 1 }, { quantity: "new_biases", sample: 0, layer: 0, index: 1 },
  ]);
  assert.deepEqual(questionChoices(MAZUR, { kind: "neuron", layer: 0, index: 0 }), []); // an input is given
  // a batch: one output's loss of the sample asked about, per-sample numbers say which
  const batch = questionChoices(DEEP, { kind: "neuron", layer: 3, index: 0 }, { batch: 4, sample: 2 });
  assert.deepEqual(batch.map((c) => c.label), ["z of o1 (sample 3)", "a of o1 (sample 3)", "the loss of o1 (sample 3)", "\u03b4 of o1 (sample 3)"]);
  assert.deepEqual(batch[2].question, { quantity: "output_losses", sample: 2, layer: 2, index: 0 });
});

test("foci in words, and whether they fit a network", () => {
  assert.equal(focusName(MAZUR, { kind: "neuron", layer: 2, index: 0 }), "neuron o1");
  assert.equal(focusName(MAZUR, { kind: "neuron", layer: 0, index: 1 }), "input i2");
  assert.equal(focusName(MAZUR, { kind: "edge", layer: 2, from: 0, to: 1 }), "weight w7");
  assert.equal(focusName(DEEP, { kind: "bias", layer: 2, index: 2 }), "bias of h2.3");
  assert.ok(focusFits(MAZUR, { kind: "edge", layer: 2, from: 1, to: 1 }));
  assert.ok(!focusFits(MAZUR, { kind: "edge", layer: 3, from: 0, to: 0 }));
  assert.ok(!focusFits(MAZUR, { kind: "bias", layer: 0, index: 0 }));
  assert.ok(!focusFits(MAZUR, { kind: "neuron", layer: 1, index: 2 }));
});

test("a stop's step: the n-th step's phase, or at idle n steps done", () => {
  // the page at backward-2 of the record that starts at step 3, the lesson starting at step 2
  assert.deepEqual(placeOf({ phase: "backward-2", recordStep: 3, step: 2 }, 2), { step: 2, phase: "backward-2" });
  assert.deepEqual(placeOf({ phase: "idle", recordStep: null, step: 2 }, 2), { step: 0, phase: "idle" });
  assert.deepEqual(placeOf({ phase: "idle", recordStep: null, step: 7 }, 2), { step: 5, phase: "idle" });
  assert.equal(placeOf({ phase: "idle", recordStep: null, step: 1 }, 2), null);
  assert.equal(askedStep({ step: 3, phase: "idle" }), 4);
  assert.equal(askedStep({ step: 3, phase: "loss" }), 3);
  assert.equal(stopWords({ step: 0, phase: "idle", focus: null }, MAZUR), "before the first step");
  assert.equal(stopWords({ step: 4, phase: "idle", focus: null }, MAZUR), "after step 4");
  assert.equal(stopWords({ step: 1, phase: "loss", focus: { kind: "neuron", layer: 2, index: 0 } }, MAZUR), "step 1 \u00b7 loss \u00b7 neuron o1");
});

test("a question comes before the phase that shows its number, or at its stop when that is earlier", () => {
  const delta = { quantity: "delta", layer: 1, index: 0 }; // shown at backward-2
  // the stop at update of the record whose forward-1 follows position 12
  assert.deepEqual(stopPositions({ step: 3, phase: "update", question: delta }, PHASES, 12, MAZUR), { at: 18, ask: 15 });
  // at loss: nothing shows it yet, so it is asked right there
  assert.deepEqual(stopPositions({ step: 3, phase: "loss", question: delta }, PHASES, 12, MAZUR), { at: 15, ask: 15 });
  // at idle: before the step about to be played
  assert.deepEqual(stopPositions({ step: 0, phase: "idle", question: { quantity: "z", layer: 0, index: 0 } }, PHASES, 0, MAZUR), { at: 0, ask: 0 });
  assert.deepEqual(stopPositions({ step: 1, phase: "forward-1", question: null }, PHASES, 0, MAZUR), { at: 1, ask: null });
});

test("moving through the steps keeps the page on a lesson; an edit or other data does not", () => {
  const start = { step: 0, network: { weights: [1] }, velocity: null, cursor: 0 };
  const store = { batchSize: 4, data: { inputs: [1, 2, 3, 4] }, network: { weights: [1] } };
  for (const reason of ["record", "position", "selection", "question", "losses", "lesson"]) assert.ok(keepsPath(reason, store, start, true), reason);
  for (const reason of ["load", "edit", "architecture", "data", "settings", "commit"]) assert.ok(!keepsPath(reason, store, start, true), reason);
  assert.ok(!keepsPath("record", store, start, false)); // once off, it stays off
  assert.ok(keepsPath("train", store, start, true)); // a full batch: Train takes Step's steps
  assert.ok(!keepsPath("train", { ...store, batchSize: 2 }, start, true));
  assert.ok(keepsPath("reset", store, start, true)); // back to the start
  assert.ok(!keepsPath("reset", { ...store, network: { weights: [2] } }, start, true));
});

test("a lesson's embed: its snippets name the lesson, its commands and events are the protocol's", () => {
  assert.deepEqual(embedParameters({ lesson: "q3Xv9TzK2b", preset: "mazur", phase: "loss", controls: "full" }), [
    ["lesson", "q3Xv9TzK2b"], ["controls", "full"], // a lesson's stops say where it opens: no phase
  ]);
  assert.equal(
    loaderSnippet("https://h.edu", { lesson: "q3Xv9TzK2b" }),
    '<div data-backprop-viz data-lesson="q3Xv9TzK2b"></div>\n<script src="https://h.edu/static/embed.js" async></script>',
  );
  assert.match(iframeSnippet("https://h.edu", { lesson: "q3Xv9TzK2b" }, "Lesson"), /^<iframe src="https:\/\/h\.edu\/embed\?lesson=q3Xv9TzK2b"/);
  assert.ok(estimatedHeight({ lesson: "q3Xv9TzK2b" }) > estimatedHeight({ quiz: ["z"] }));
  assert.deepEqual(parseCommand({ target: "backprop-viz", type: "nextStop" }), { type: "nextStop" });
  assert.deepEqual(parseCommand({ target: "backprop-viz", type: "previousStop", index: 3 }), { type: "previousStop" });
  // an answer to a stop's question says which stop asked, and names the lesson as the activity
  const question = { ...fromCheck({ quantity: "delta", layer: 1, index: 0 }, MAZUR), stop: 1 };
  const fields = answerFields({ question, step: 1, answer: 0.1385, correct: true, attempts: 1, revealed: false, expected: 0.1384985, base: "http://host", preset: "mazur", lesson: "q3Xv9TzK2b", title: "" });
  assert.equal(fields.stop, 1);
  assert.equal(fields.object.id, "http://host/embed?lesson=q3Xv9TzK2b#step=1&quantity=delta&layer=2&index=0");
});
