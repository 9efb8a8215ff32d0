// Wires the modules together: store, diagram, player, inspector, charts, table and controls.

import { Session } from "./actions.js";
import { drawDataPlot, drawLossChart } from "./charts.js";
import { decodeState, startParameters } from "./codec.js";
import { bindControls } from "./controls.js";
import { bindEditors } from "./editor.js";
import { bindFiles } from "./files.js";
import { Inspector } from "./inspector.js";
import { describePhase } from "./layout.js";
import { NetworkView } from "./network-view.js";
import { Player } from "./player.js";
import { isSavedState, loadLocal, saveLocal, Store } from "./state.js";
import { NumbersTable } from "./table.js";

const DEFAULT_PRESET = "mazur";
const QUIET = new Set(["selection", "message", "playing", "errors"]);

async function start() {
  const store = new Store();
  const view = new NetworkView(document.getElementById("network"), document.getElementById("pulses"));
  const player = new Player(store, view);
  const session = new Session(store, player);
  const inspector = new Inspector(document.getElementById("inspector"), store, session);
  const numbers = new NumbersTable(document.getElementById("numbers"), store, session);
  const phaseLabel = document.getElementById("phase");
  const counter = document.getElementById("counter");
  let drawnShape = "";

  const redraw = () => {
    const shape = store.network.layer_sizes.join("-");
    const first = drawnShape === "";
    if (shape !== drawnShape) {
      view.draw(store.network.layer_sizes);
      drawnShape = shape;
    }
    view.highlight(store.selection);
    if (!player.busy) player.show();
    if (first) performance.mark("network-drawn");
  };

  const showStatus = () => {
    const phase = store.phase;
    phaseLabel.dataset.phase = phase;
    phaseLabel.textContent = describePhase(phase, store.layerCount);
    const now = store.snapshot();
    const loss = store.losses.find((p) => p.step === now.step);
    const shown = store.record ? store.record.step + 1 : now.step;
    counter.textContent = `step ${shown}` + (loss ? `  ·  loss ${loss.loss.toPrecision(6)}` : "");
  };

  view.addEventListener("select", (event) => store.select(event.detail));
  player.addEventListener("busy", (event) => {
    const busy = String(event.detail.busy);
    phaseLabel.setAttribute("aria-busy", busy);
    view.root.setAttribute("aria-busy", busy);
  });

  // Heavy views wait until no animation runs, so that frames stay short while a step plays.
  let stale = false;
  const later = () => {
    if (stale) return;
    stale = true;
    setTimeout(flush, 0);
  };
  const flush = () => {
    stale = false;
    if (player.busy || session.stepping) return; // the end of the animation calls later() again
    inspector.render();
    numbers.render();
    drawLossChart(document.getElementById("loss-chart"), store);
    drawDataPlot(document.getElementById("data-panel"), store, session);
    saveLocal(store);
  };

  store.addEventListener("change", (event) => {
    const reason = event.detail.reason;
    if (reason === "selection") view.highlight(store.selection);
    else if (!QUIET.has(reason)) redraw();
    showStatus();
    if (reason === "selection" || !player.busy) inspector.render();
    if (!QUIET.has(reason) || reason === "selection") later();
  });
  player.addEventListener("busy", (event) => {
    if (event.detail.busy) return;
    inspector.render();
    later();
  });
  session.addEventListener("stepping", later);
  window.addEventListener("pagehide", () => saveLocal(store));

  bindControls(document, store, session, player);
  bindEditors(document, store, session);
  bindFiles(document, store, session, view);

  await restore(store, session);
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
