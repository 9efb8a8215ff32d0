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
  // the lesson code loads when first needed: a page that never plays or builds a lesson does without it
  let tools = null;
  const lessons = () => (tools ??= import("./lesson-player.js").then((m) => m.pageLessons(document, visualizer, { id: lesson?.id, limits })));
  const failed = () => store.say("error", "The lesson tools could not be loaded; reload the page to try again.");
  document.getElementById("lesson-open").addEventListener("click", () => lessons().then((l) => l.editor()).then((e) => e.toggle(), failed));

  const functions = session.loadFunctions(); // beside the first preset, not before it
  if (lesson) {
    const fallback = async (why) => {
      await session.loadPreset(DEFAULT_PRESET);
      store.say("error", `${why}; the page shows the Mazur example instead.`);
    };
    await lessons().then((l) => l.play(lesson, fallback), () => fallback("The lesson tools could not be loaded"));
  } else {
    await restore(store, session, limits);
  }
  await functions;
  document.documentElement.dataset.ready = "true";
}

/** The Embed dialog, whose modules load when it is first opened (few pages ever open it). */
function lazyEmbedDialog(doc, store) {
  const opener = doc.getElementById("embed-open");
  const open = () => {
    opener.removeEventListener("click", open);
    import("./embed-dialog.js").then(
      ({ bindEmbedDialog }) => {
        bindEmbedDialog(doc, store);
        opener.click(); // now opened by the dialog's own handler
      },
      () => {
        opener.addEventListener("click", open); // a later click tries again
        store.say("error", "The Embed dialog could not be loaded; check the connection and try again.");
      },
    );
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
