// The embed (/embed): the visualizer without page chrome, configured by the server-checked
// parameters on #embed, driven by its own buttons and by its parent page's commands.

import { Bridge } from "./bridge.js";
import { decodeState } from "./codec.js";
import { bindControls } from "./controls.js";
import { parseOrigins } from "./protocol.js";
import { isSavedState } from "./state.js";
import { createVisualizer } from "./visualizer.js";

async function start() {
  const root = document.getElementById("embed");
  const options = root.dataset;
  // the quiz is the quiz parameter's (a state's own setting is not used here): "" is off
  const kinds = (options.quiz ?? "").split(" ").filter(Boolean);
  const { store, session, player, answers } = createVisualizer(document, { quiz: { on: kinds.length > 0, kinds } });
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
  });
  bridge.listen();

  const functions = session.loadFunctions(); // beside the first preset, not before it
  await begin(store, session, options);
  await functions;
  if (options.phase && options.phase !== "idle") await goTo(store, session, player, options.phase);
  document.documentElement.dataset.ready = "true";
  bridge.ready();
  if (options.autoplay === "true") session.play();
}

/** The start state: a share-link state or a preset (both checked by the server). */
async function begin(store, session, options) {
  if (options.state) {
    const saved = await decodeState(options.state).catch(() => null);
    if (isSavedState(saved)) {
      store.load(saved);
      if (!store.losses.some((p) => p.step === store.step)) session.refreshLoss();
      return;
    }
  }
  await session.loadPreset(options.preset || "mazur");
  if (options.state) store.say("error", "This state is damaged; the embed shows Mazur's example instead.");
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
