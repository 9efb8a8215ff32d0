// The full page: the visualizer with its editors, files, the Embed dialog and autosave.

import { getLimits } from "./api.js";
import { openState, stateProblem } from "./checks.js";
import { startParameters } from "./codec.js";
import { bindControls } from "./controls.js";
import { bindEditors } from "./editor.js";
import { bindFiles } from "./files.js";
import { loadLocal } from "./state.js";
import { createVisualizer } from "./visualizer.js";

const DEFAULT_PRESET = "mazur";
const INSTEAD = "The page started from the Mazur example instead.";

async function start() {
  const limits = getLimits(); // what a saved state is checked against before it is drawn
  // a lesson's short link (/lesson/{id}) plays it, and keeps nothing in this browser's autosave
  const lesson = lessonOf(document);
  const visualizer = createVisualizer(document, { autosave: !lesson });
  const { store, session, player, view } = visualizer;
  bindControls(document, store, session, player);
  bindEditors(document, store, session);
  bindFiles(document, store, session, view, limits);
  lazyEmbedDialog(document, store);
  const lessons = lessonModules(document, visualizer, lesson?.id ?? null);
  const opener = document.getElementById("lesson-open");
  opener.addEventListener("click", async () => (await lessons.editor())?.toggle());

  const functions = session.loadFunctions(); // beside the first preset, not before it
  if (lesson) await play(lesson, lessons, session, store);
  else await restore(store, session, limits);
  await functions;
  document.documentElement.dataset.ready = "true";
}

/** The Embed dialog, whose modules load when it is first opened (few pages ever open it). */
function lazyEmbedDialog(doc, store) {
  const opener = doc.getElementById("embed-open");
  const open = () => {
    opener.removeEventListener("click", open);
    import("./embed-dialog.js").then(({ bindEmbedDialog }) => {
      bindEmbedDialog(doc, store);
      opener.click(); // now opened by the dialog's own handler
    });
  };
  opener.addEventListener("click", open);
}

/** The lesson in #lesson-data (GET /api/v1/lessons/{id}'s answer), or null. */
function lessonOf(doc) {
  const data = doc.getElementById("lesson-data");
  if (!data || !doc.body.dataset.lesson) return null;
  try {
    return JSON.parse(data.textContent);
  } catch {
    return null;
  }
}

/**
 * The lesson player and the Lesson panel, each loaded when first needed (a page that never
 * plays or builds a lesson does without them); both share the card beside the diagram.
 */
function lessonModules(doc, visualizer, id) {
  let player = null;
  let editor = null;
  const fail = () => {
    visualizer.store.say("error", "The lesson tools could not be loaded; reload the page to try again.");
    return null;
  };
  const lessons = {
    player: () => (player ??= import("./lesson-player.js").then(({ LessonPlayer }) => new LessonPlayer(doc, visualizer, { id }))),
    editor: () =>
      (editor ??= Promise.all([import("./lesson-editor.js"), lessons.player()])
        .then(([{ LessonEditor }, shared]) => new LessonEditor(doc, visualizer, shared))
        .catch(fail)),
  };
  return lessons;
}

/** Play a published lesson from its first stop. */
async function play({ lesson }, lessons, session, store) {
  try {
    const [player, { openStart }] = await Promise.all([lessons.player(), import("./lesson-player.js")]);
    await player.play(lesson, await openStart(lesson));
  } catch (error) {
    await session.loadPreset(DEFAULT_PRESET);
    store.say("error", `This lesson cannot be played (${error.message}); the page shows the Mazur example instead.`);
  }
}

/** The start state: ?preset=, a share link's #state=, the autosave, or the default preset. */
async function restore(store, session, limits) {
  const { preset, state, clean } = startParameters(window.location.href);
  if (preset) {
    const loaded = await session.loadPreset(preset);
    if (!loaded) await session.loadPreset(DEFAULT_PRESET);
  } else if (state) {
    const opened = await openState(state, await limits.catch(() => null));
    if (opened.saved) {
      store.load(opened.saved);
    } else {
      await session.loadPreset(DEFAULT_PRESET);
      store.say("error", opened.damaged && opened.problem === "it is damaged"
        ? `This share link is damaged. ${INSTEAD}`
        : `This share link cannot be opened: ${opened.problem}. ${INSTEAD}`);
    }
  } else {
    const local = loadLocal();
    const problem = local === null ? null : stateProblem(local, await limits.catch(() => null));
    if (local !== null && problem === null) {
      store.load(local);
    } else {
      await session.loadPreset(DEFAULT_PRESET);
      if (problem) store.say("error", `The work saved in this browser cannot be restored: ${problem}. ${INSTEAD}`);
    }
  }
  if (preset || state) history.replaceState(null, "", clean);
  if (!store.losses.some((p) => p.step === store.step)) session.refreshLoss();
}

start();
