// The embed's postMessage protocol and snippets: what is accepted, what is sent, what is written.

import assert from "node:assert/strict";
import { test } from "node:test";

import { canvasResize, event, eventTargets, originAllowed, parseCommand, parseOrigins } from "../../static/js/protocol.js";
import { embedParameters, escapeAttribute, iframeSnippet, loaderSnippet } from "../../static/js/snippets.js";

test("every command type is accepted in its exact form", () => {
  for (const type of ["step", "next", "previous", "play", "pause", "reset", "getState"]) {
    assert.deepEqual(parseCommand({ target: "backprop-viz", type }), { type });
  }
  assert.deepEqual(parseCommand({ target: "backprop-viz", type: "setState", state: "1.abc_-Z" }), { type: "setState", state: "1.abc_-Z" });
});

test("anything that is not a command is ignored", () => {
  for (const data of [
    null, undefined, "step", 42, [], ["step"], {}, { type: "step" }, { target: "other", type: "step" },
    { target: "backprop-viz" }, { target: "backprop-viz", type: "eval" }, { target: "backprop-viz", type: "toString" },
    { target: "backprop-viz", type: "constructor" }, { target: "backprop-viz", type: ["step"] },
    JSON.stringify({ target: "backprop-viz", type: "step" }),
  ]) {
    assert.equal(parseCommand(data), null, JSON.stringify(data));
  }
});

test("a setState with a bad state is refused with a reason", () => {
  for (const state of [undefined, 1, { version: 1 }, "javascript:alert(1)", "2.abc", "1.<script>", `1.${"a".repeat(5 * 1024 * 1024)}`]) {
    const command = parseCommand({ target: "backprop-viz", type: "setState", state });
    assert.ok(command.invalid, String(state).slice(0, 20));
    assert.equal(command.type, undefined);
  }
});

test("origins: any by default, else the list and the embed's own", () => {
  assert.deepEqual(parseOrigins(""), ["*"]);
  assert.ok(originAllowed("https://a.edu", parseOrigins("*"), "http://me"));
  const allowed = parseOrigins("https://a.edu http://localhost:8080");
  assert.ok(originAllowed("https://a.edu", allowed, "http://me"));
  assert.ok(originAllowed("http://me", allowed, "http://me"));
  assert.ok(!originAllowed("https://b.edu", allowed, "http://me"));
  assert.ok(!originAllowed("null", allowed, "http://me"));
});

test("events go to any page by default, else only to an allowed parent", () => {
  assert.deepEqual(eventTargets(["*"], "http://me", "https://x"), ["*"]);
  assert.deepEqual(eventTargets(["https://a.edu"], "http://me", "https://a.edu"), ["https://a.edu"]);
  assert.deepEqual(eventTargets(["https://a.edu"], "http://me", "https://evil"), []);
  assert.deepEqual(eventTargets(["https://a.edu"], "http://me", null), ["http://me", "https://a.edu"]);
});

test("events carry source, id and type, which fields cannot override", () => {
  assert.deepEqual(event("e1", "step", { step: 1, loss: 0.29 }), { source: "backprop-viz", id: "e1", type: "step", step: 1, loss: 0.29 });
  assert.deepEqual(event("e1", "phase", { type: "x", source: "y", phase: "loss" }), { source: "backprop-viz", id: "e1", type: "phase", phase: "loss" });
  assert.deepEqual(canvasResize(512), { subject: "lti.frameResize", height: 512 });
});

test("snippets name only what differs from the defaults, escaped", () => {
  assert.deepEqual(embedParameters({ preset: "xor" }), [["preset", "xor"]]);
  assert.deepEqual(embedParameters({ state: "1.ab", controls: "none", show: [], theme: "dark" }), [
    ["state", "1.ab"], ["controls", "none"], ["show", "none"], ["theme", "dark"],
  ]);
  assert.deepEqual(embedParameters({ preset: "mazur", phase: "backward-2", speed: "2", autoplay: true }), [
    ["preset", "mazur"], ["phase", "backward-2"], ["speed", "2"], ["autoplay", "1"],
  ]);
  assert.deepEqual(embedParameters({ preset: "mazur", phase: "idle", speed: "1", autoplay: false }), [["preset", "mazur"]]);
  assert.equal(escapeAttribute(`"><script>`), "&quot;&gt;&lt;script&gt;");
  const loader = loaderSnippet("https://h.edu", { preset: 'x"><script>alert(1)</script>' });
  assert.ok(!loader.includes("<script>alert"));
  assert.ok(loader.endsWith('<script src="https://h.edu/static/embed.js" async></script>'));
  const iframe = iframeSnippet("https://h.edu", { preset: "xor", controls: "full" }, 'A "demo"');
  assert.match(iframe, /^<iframe src="https:\/\/h\.edu\/embed\?preset=xor&amp;controls=full" title="A &quot;demo&quot;"/);
});
