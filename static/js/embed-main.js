// The embed (/embed): the visualizer without page chrome, configured by the server-checked
// parameters on #embed, driven by its own buttons and by its parent page's commands.

import { getLimits } from "./api.js";
import { Bridge } from "./bridge.js";
import { openState } from "./checks.js";
import { bindControls } from "./controls.js";
import { parseOrigins } from "./protocol.js";
import { createVisualizer } from "./visualizer.js";

async function start() {
  const root = document.getElementById("embed");
  const options = root.dataset;
  const limits = getLimits(); // what a state is checked against before it is drawn
  // the quiz is the quiz parameter's (a state's own setting is not used here): "" is off
  const kinds = (options.quiz ?? "").split(" ").filter(Boolean);
  const visualizer = createVisualizer(document, { quiz: { on: kinds.length > 0, kinds } });
  const { store, session, player, answers } = visualizer;
  player.speed = Number(options.speed) || 1;
  bindControls(document, store, session, player);
  const bridge = new Bridge({
    id: options.embedId || null,
    allowed: parseOrigins(options.origins),
    store,
    session,
    player,
    answers,
    root,
    limits,
  });
  bridge.listen();

  const functions = session.loadFunctions(); // beside the first preset, not before it
  const lesson = options.lesson ? lessonOf(document) : null;
  if (lesson) {
    await playLesson(lesson, visualizer, bridge, limits);
    await functions;
  } else {
    await begin(store, session, options, limits);
    await functions;
    if (options.phase && options.phase !== "idle") await goTo(store, session, player, options.phase);
  }
  document.documentElement.dataset.ready = "true";
  bridge.ready();
  if (options.autoplay === "true") session.play();
}

/** The start state: a share-link state (checked by the server and here) or a preset. */
async function begin(store, session, options, limits) {
  let opened = null;
  if (options.state) {
    opened = await openState(options.state, await limits.catch(() => null));
    if (opened.saved) {
      store.load(opened.saved);
      if (!store.losses.some((p) => p.step === store.step)) session.refreshLoss();
      return;
    }
  }
  await session.loadPreset(options.preset || "mazur");
  if (opened) store.say("error", `This state cannot be opened: ${opened.problem}. The embed shows Mazur's example instead.`);
}

/** The lesson in #lesson-data (the server put it there for the lesson parameter), or null. */
function lessonOf(doc) {
  try {
    return JSON.parse(doc.getElementById("lesson-data").textContent);
  } catch {
    return null;
  }
}

/** A lesson: its stops, from the first (the card's buttons and the nextStop/previousStop commands). */
async function playLesson({ id, lesson }, visualizer, bridge, limits) {
  const { store, session } = visualizer;
  const fallback = async (why) => {
    bridge.lesson = null; // nextStop and previousStop now answer that there is no lesson
    await session.loadPreset("mazur");
    store.say("error", `${why}; the embed shows Mazur's example instead.`);
  };
  try {
    const { LessonPlayer, playPublished } = await import("./lesson-player.js");
    const player = new LessonPlayer(document, visualizer, { id, limits });
    bridge.attachLesson(player);
    await playPublished({ lesson }, player, fallback);
  } catch {
    await fallback("The lesson tools could not be loaded");
  }
}

/** Show the first step at a phase, without animation. */
async function goTo(store, session, player, phase) {
  const index = store.phases.indexOf(phase);
  if (index < 0) {
    store.say("error", `There is no phase ${phase} in a network with ${store.layerCount} weight layers.`);
    return;
  }
  if (!(await session.ensureNext("step"))) return;
  store.moveTo(index + 1);
  player.show();
}

start();
