// The full page: the visualizer with its editors, files, the Embed dialog and autosave.

import { decodeState, startParameters } from "./codec.js";
import { bindControls } from "./controls.js";
import { bindEditors } from "./editor.js";
import { bindEmbedDialog } from "./embed-dialog.js";
import { bindFiles } from "./files.js";
import { isSavedState, loadLocal } from "./state.js";
import { createVisualizer } from "./visualizer.js";

const DEFAULT_PRESET = "mazur";

async function start() {
  const { store, session, player, view } = createVisualizer(document, { autosave: true });
  bindControls(document, store, session, player);
  bindEditors(document, store, session);
  bindFiles(document, store, session, view);
  bindEmbedDialog(document, store);

  const functions = session.loadFunctions(); // beside the first preset, not before it
  await restore(store, session);
  await functions;
  document.documentElement.dataset.ready = "true";
}

/** The start state: ?preset=, a share link's #state=, the autosave, or the default preset. */
async function restore(store, session) {
  const { preset, state, clean } = startParameters(window.location.href);
  let saved = null;
  if (state) {
    saved = await decodeState(state).catch(() => null);
  }
  if (preset) {
    const loaded = await session.loadPreset(preset);
    if (!loaded) await session.loadPreset(DEFAULT_PRESET);
  } else if (isSavedState(saved)) {
    store.load(saved);
  } else if (state) {
    await session.loadPreset(DEFAULT_PRESET);
    store.say("error", "This share link is damaged; the page started from the Mazur example instead.");
  } else {
    const local = loadLocal();
    if (isSavedState(local)) store.load(local);
    else await session.loadPreset(DEFAULT_PRESET);
  }
  if (preset || state) history.replaceState(null, "", clean);
  if (!store.losses.some((p) => p.step === store.step)) session.refreshLoss();
}

start();
