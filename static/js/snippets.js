// The copy-paste snippets that embed a configuration (pure: node --test checks it).
// Defaults match the server's (app/embed.py), so a snippet names only what differs.

import { KINDS } from "./questions.js";

export const DEFAULTS = { controls: "minimal", show: ["inspector", "loss"], theme: "auto", phase: "idle", speed: 1, autoplay: false, quiz: [] };
export const PANELS = ["inspector", "loss", "data", "numbers"];
const QUIZ_HEIGHT = 230; // the quiz panel with a question open (app/embed.py says the same)
const LESSON_HEIGHT = 190; // a lesson's stop: title, caption, Previous/Next stop (app/embed.py too)

/** Text safe inside a double-quoted HTML attribute. */
export function escapeAttribute(text) {
  return String(text).replaceAll("&", "&amp;").replaceAll('"', "&quot;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/**
 * The parameters of an embed as [name, value] pairs: a lesson, a state or a preset, then what
 * differs from the defaults (a lesson's stops say where it opens: no phase).
 */
export function embedParameters(options) {
  const { lesson = null, preset = null, state = null, controls, show, theme, phase, speed, autoplay, quiz } = { ...DEFAULTS, ...options };
  const pairs = lesson ? [["lesson", lesson]] : state ? [["state", state]] : [["preset", preset ?? "mazur"]];
  if (controls !== DEFAULTS.controls) pairs.push(["controls", controls]);
  const panels = PANELS.filter((p) => show.includes(p));
  if (panels.join() !== DEFAULTS.show.join()) pairs.push(["show", panels.length ? panels.join(",") : "none"]);
  if (theme !== DEFAULTS.theme) pairs.push(["theme", theme]);
  if (phase !== DEFAULTS.phase && !lesson) pairs.push(["phase", phase]);
  if (Number(speed) !== DEFAULTS.speed) pairs.push(["speed", String(speed)]);
  if (autoplay) pairs.push(["autoplay", "1"]);
  const kinds = KINDS.filter((k) => quiz.includes(k)); // the kinds of question asked: none, all (1) or a list
  if (kinds.length) pairs.push(["quiz", kinds.length === KINDS.length ? "1" : kinds.join(",")]);
  return pairs;
}

/** The address of the embed on a server (base: its origin, no trailing slash). */
export function embedUrl(base, options) {
  return `${base}/embed?${new URLSearchParams(embedParameters(options))}`;
}

/** The recommended snippet: a div the loader script turns into a self-sizing iframe. */
export function loaderSnippet(base, options) {
  const attributes = embedParameters(options).map(([name, value]) => ` data-${name}="${escapeAttribute(value)}"`).join("");
  return `<div data-backprop-viz${attributes}></div>\n<script src="${escapeAttribute(base)}/static/embed.js" async></script>`;
}

/** A plain iframe, for pages that take no script (its height is fixed). */
export function iframeSnippet(base, options, title) {
  const src = escapeAttribute(embedUrl(base, options));
  return (
    `<iframe src="${src}" title="${escapeAttribute(title)}" width="100%" height="${estimatedHeight(options)}"` +
    ` style="border:0" loading="lazy" allow="clipboard-write"></iframe>`
  );
}

/** About how tall the embed is in a frame 800 px wide (the server's oEmbed estimate). */
export function estimatedHeight({ controls = DEFAULTS.controls, show = DEFAULTS.show, quiz = DEFAULTS.quiz, lesson = null }, width = 800) {
  let height = 24 + (controls === "none" ? 0 : 52) + 36 + Math.round(width * 0.5);
  if (show.some((p) => p === "inspector" || p === "loss" || p === "data")) height += 300;
  if (show.includes("numbers")) height += 420;
  if (quiz.length || lesson) height += QUIZ_HEIGHT; // a lesson's stops may ask
  if (lesson) height += LESSON_HEIGHT;
  return height;
}
