// The postMessage protocol between an embed and its parent page (pure: node --test checks it).
//
// Events out: {source: "backprop-viz", id, type, ...} with type ready, resize {height},
// phase {phase}, step {step, loss}, running {running, step} (Run started or stopped), stop
// {index, count, step, phase} (a lesson's), answer {quantity, layer, index, correct, ...;
// verb, object, result: an xAPI statement's}, state {state} or error {message}.
// Commands in: {target: "backprop-viz", type} with type step, next, previous, play, pause,
// reset, run, stop (Run's; not a lesson's stop), getState, nextStop, previousStop, or
// setState {state}. Anything else is not a command and is ignored.

export const NAME = "backprop-viz";
export const COMMANDS = ["step", "next", "previous", "play", "pause", "reset", "run", "stop", "getState", "setState", "nextStop", "previousStop"];
export const MAX_STATE_LENGTH = 4 * 1024 * 1024;
const STATE = /^1\.[A-Za-z0-9_-]+$/;

/**
 * The command in a message's data: {type} or {type: "setState", state}; {invalid: reason}
 * for a command with a bad argument; null for anything that is not a command at all.
 */
export function parseCommand(data) {
  if (data === null || typeof data !== "object" || Array.isArray(data)) return null;
  if (data.target !== NAME || typeof data.type !== "string" || !COMMANDS.includes(data.type)) return null;
  if (data.type !== "setState") return { type: data.type };
  const state = data.state;
  if (typeof state !== "string" || state.length > MAX_STATE_LENGTH || !STATE.test(state)) {
    return { invalid: "setState needs state: a share-link state string such as the one a state event carries" };
  }
  return { type: "setState", state };
}

/** The origins from a space-separated list ("*" allows any). */
export function parseOrigins(text) {
  const origins = String(text ?? "").split(/\s+/).filter(Boolean);
  return origins.length ? origins : ["*"];
}

/** May a page of this origin drive the embed? Its own origin always may. */
export function originAllowed(origin, allowed, own) {
  return allowed.includes("*") || origin === own || allowed.includes(origin);
}

/** Where events may be posted: "*", the parent's origin when known and allowed, or each allowed origin. */
export function eventTargets(allowed, own, parentOrigin) {
  if (allowed.includes("*")) return ["*"];
  if (parentOrigin) return originAllowed(parentOrigin, allowed, own) ? [parentOrigin] : [];
  return [own, ...allowed];
}

/** An event for the parent page. */
export function event(id, type, fields = {}) {
  return Object.assign({ source: NAME, id, type }, fields, { source: NAME, id, type });
}

/** Canvas LMS sizes an LTI frame from this message. */
export function canvasResize(height) {
  return { subject: "lti.frameResize", height };
}

// xAPI (the Experience API, which LMSs record): the verb of an answer and the type of a question
export const ANSWERED = { id: "http://adlnet.gov/expapi/verbs/answered", display: { "en-US": "answered" } };
export const INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction";

/**
 * The fields of an `answer` event: the question (layer numbered as on the diagram), the
 * answer and its judgement, and the same as an xAPI statement's verb, object and result, for
 * an LMS page to record with its own actor. One event per Check, and one for Show answer
 * (revealed: true, answer null). `expected` comes only with a right answer or Show answer.
 * `base` is the server's origin; `lesson` (a lesson's id) or else `preset` names the activity;
 * a lesson's question also says which `stop` (from 0) asked it.
 */
export function answerFields({ question: q, step, answer, correct, misconception, attempts, revealed, expected, base, preset, lesson = null, title }) {
  const where = new URLSearchParams({ step, quantity: q.quantity, layer: q.layer ?? "", index: Array.isArray(q.index) ? q.index.join(",") : (q.index ?? "") });
  const fields = {
    step, kind: q.kind, quantity: q.quantity, layer: q.layer, index: q.index, sample: q.sample, name: q.name,
    answer, correct, misconception: misconception ?? null, attempts, revealed,
  };
  if (expected !== undefined && expected !== null) fields.expected = expected;
  if (q.stop !== undefined) fields.stop = q.stop;
  const result = {
    success: correct,
    completion: correct || revealed,
    score: { raw: correct ? 1 : 0, min: 0, max: 1, scaled: correct ? 1 : 0 },
  };
  if (answer !== null) result.response = String(answer);
  if (misconception) result.extensions = { [`${base}/docs/embed#misconception`]: misconception.id };
  const object = {
    objectType: "Activity",
    id: `${base}/embed${lesson ? `?lesson=${encodeURIComponent(lesson)}` : preset ? `?preset=${encodeURIComponent(preset)}` : ""}#${where}`,
    definition: { name: { "en-US": title }, type: INTERACTION, interactionType: "numeric" },
  };
  return { ...fields, verb: ANSWERED, object, result };
}
