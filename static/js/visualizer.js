// The visualizer's views wired to one store: diagram, player, inspector, charts and table.
// Used by the full page (main.js) and the embed (embed-main.js); panels absent from the
// document are skipped.

import { Session } from "./actions.js";
import { drawDataPlot, drawLossChart } from "./charts.js";
import { describePhase } from "./layout.js";
import { NetworkView } from "./network-view.js";
import { Player } from "./player.js";
import { nameOf } from "./questions.js";
import { showRun } from "./run-view.js";
import { saveLocal, Store } from "./state.js";
import { setAttrs } from "./svg.js";
import { NumbersTable } from "./table.js";

const QUIET = new Set(["selection", "message", "playing", "errors", "functions", "question"]);

/**
 * {store, session, player, view, answers, quiz} for the views found in doc (answers: the
 * quiz's "answer" events; quiz: {load()} of the Quiz, or null without a quiz panel); autosave
 * keeps the state locally; `quiz` pins the quiz setting ({on, kinds}: an embed's quiz parameter).
 */
export function createVisualizer(doc, { autosave = false, quiz: pinned = null } = {}) {
  const byId = (id) => doc.getElementById(id);
  const store = new Store({ quiz: pinned });
  const view = new NetworkView(byId("network"), byId("pulses"));
  const player = new Player(store, view);
  const session = new Session(store, player);
  const answers = new EventTarget();
  const quiz = byId("quiz-panel") ? lazyQuiz(doc, store, session, view, answers) : null;
  const inspector = lazyInspector(byId("inspector"), store, session);
  const numbers = byId("numbers") ? new NumbersTable(byId("numbers"), store, session) : null;
  const lossChart = byId("loss-chart");
  const dataPanel = byId("data-panel");
  const phaseLabel = byId("phase");
  const counter = byId("counter");
  let drawnShape = "";

  // laid out for the width it is shown at: drawn again when the network or that width changes
  const diagram = view.root.parentElement;
  // the width the observer last saw: reading the element's would force a layout mid-animation
  let seen = diagram.clientWidth;
  const widthNow = () => Math.max(240, Math.floor(seen) - 2); // inside the border
  const redraw = () => {
    const shape = `${store.network.layer_sizes.join("-")}@${widthNow()}`;
    const first = drawnShape === "";
    if (shape !== drawnShape) {
      view.draw(store.network.layer_sizes, widthNow());
      drawnShape = shape;
    }
    view.highlight(store.selection);
    if (!player.busy) player.show();
    if (first) performance.mark("network-drawn");
  };
  new ResizeObserver(([entry]) => {
    seen = entry.borderBoxSize?.[0]?.inlineSize ?? diagram.clientWidth;
    if (store.network && drawnShape && !player.busy && !session.stepping) redraw();
  }).observe(diagram);

  // written only when they change: Run calls this every frame, and the phase line is live
  const showStatus = () => {
    const phase = store.phase;
    const question = store.question; // the step waits for an answer before its next phase
    const goesOn = question?.goesOn === false ? "" : ", then the step goes on"; // a lesson may ask at its stop
    const text = session.running
      ? "Running: training with the current settings, the phases skipped"
      : question ? `Your turn: predict ${nameOf(question)} below${goesOn}` : describePhase(phase, store.layerCount);
    setAttrs(phaseLabel, { "data-phase": phase });
    if (phaseLabel.textContent !== text) phaseLabel.textContent = text;
    // the steps the network drawn has taken and its loss on the whole training set: both
    // change with a step's update phase, not before (the phase line says what is under way)
    const now = store.snapshot();
    const loss = store.losses.findLast((p) => p.step === now.step);
    setAttrs(counter, { "data-step": now.step });
    // the loss before a step is often the loss a quiz question asks for: hidden meanwhile
    const hidden = question?.kind === "loss" ? "  ·  loss: predict it" : "  ·  loss: shown at the loss phase";
    const count = `step ${now.step}` + (store.lossHidden() ? hidden : loss ? `  ·  loss ${loss.loss.toPrecision(6)}` : "");
    if (counter.textContent !== count) counter.textContent = count;
  };

  view.addEventListener("select", (event) => store.select(event.detail));
  // the skip link moves the focus past the diagram without changing the address
  byId("skip-diagram")?.addEventListener("click", (event) => {
    event.preventDefault();
    byId("after-diagram").focus();
  });
  // Where the Inspector sits below the diagram (a phone), choosing a neuron or a weight brings
  // its explanation into view, and "Back to the diagram" returns to what was chosen.
  const inspectorPanel = byId("inspector");
  const smooth = () => (matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth");
  const reveal = () => {
    const top = inspectorPanel.getBoundingClientRect().top;
    if (top < 0 || top > innerHeight / 2) inspectorPanel.scrollIntoView({ block: "start", behavior: smooth() });
  };
  byId("to-diagram")?.addEventListener("click", (event) => {
    event.preventDefault();
    view.root.scrollIntoView({ block: "center", behavior: smooth() });
    view.selected?.g.focus({ preventScroll: true });
  });
  // busy while a phase animates, and for the whole of a Step (its fetch included)
  // and the diagram while Run trains (its names catch up at Stop); the phase line says "Running"
  const showBusy = () => {
    const busy = player.busy || session.stepping;
    phaseLabel.setAttribute("aria-busy", String(busy));
    view.root.setAttribute("aria-busy", String(busy || session.running));
  };
  player.addEventListener("busy", showBusy);
  session.addEventListener("stepping", showBusy);
  session.runner.addEventListener("running", showBusy);

  // Heavy views wait until no animation runs, so that frames stay short while a step plays.
  let stale = false;
  const later = () => {
    if (stale) return;
    stale = true;
    setTimeout(flush, 0);
  };
  const flush = () => {
    stale = false;
    if (player.busy || session.stepping || session.running) return; // their end calls later() again
    inspector.render();
    numbers?.render();
    if (lossChart) drawLossChart(lossChart, store);
    if (dataPanel) drawDataPlot(dataPanel, store, session);
    if (autosave) saveLocal(store);
  };

  // Run's answers are drawn in the frame after them; at Stop, the whole page
  showRun(doc, { store, session, player, view }, {
    status: showStatus,
    stopped: () => {
      redraw();
      showStatus();
      later();
    },
  });

  store.addEventListener("change", (event) => {
    if (!store.network) return; // an error before anything was loaded (a bad ?preset=)
    const reason = event.detail.reason;
    if (reason === "run") return; // run-view.js draws it, in the same frame
    if (reason === "selection") {
      view.highlight(store.selection);
      if (!player.busy) player.show(); // its sources, and on a crowded diagram an edge's label
    } else if (!QUIET.has(reason)) redraw();
    inspectorPanel?.classList.toggle("chosen", Boolean(store.selection));
    // a lesson's stop selects its focus without scrolling away from its caption
    if (reason === "selection" && store.selection && inspectorPanel && event.detail.by !== "lesson") reveal();
    showStatus();
    if ((reason === "question" || reason === "quiz") && lossChart) drawLossChart(lossChart, store);
    // while a phase plays neuron by neuron, the Inspector waits for its end (flush), so that
    // it never explains a number the diagram has not shown yet; while Run trains, Stop redraws it
    if (!player.busy && !session.running) inspector.render();
    if (!QUIET.has(reason) || reason === "selection") later();
  });
  player.addEventListener("busy", (event) => {
    if (event.detail.busy) return;
    if (drawnShape && !drawnShape.endsWith(`@${widthNow()}`)) redraw(); // resized while it played
    inspector.render();
    later();
  });
  session.addEventListener("stepping", later);
  if (autosave) window.addEventListener("pagehide", () => saveLocal(store));

  return { store, session, player, view, answers, quiz };
}

/**
 * The Quiz toggle, and quiz.js loaded when the Quiz is first on: a page that never asks does
 * without it. Until it is loaded, the session's guard stops before every phase, and asks (or
 * goes on) once it is there.
 */
function lazyQuiz(doc, store, session, view, answers) {
  let quiz = null;
  let loading = null;
  const load = () => {
    loading ??= import("./quiz.js")
      .then(({ Quiz }) => (quiz = new Quiz(doc, store, session, view, answers)))
      .catch(() => store.say("error", "The quiz could not be loaded; reload the page to try again."));
    return loading;
  };
  session.guard = (position, source) => {
    // an open question (the Quiz's or a lesson's) comes before the phase that shows its number
    if (store.question?.position === position) {
      quiz?.again(source);
      return true;
    }
    if (!store.quiz.on) return false;
    if (quiz) return quiz.stops(position, source);
    load().then((loaded) => {
      if (loaded && store.position === position - 1 && !loaded.stops(position, source)) loaded.goOn(source);
    });
    return true;
  };
  const toggle = doc.getElementById("quiz-toggle");
  toggle?.addEventListener("click", () => store.setQuiz({ on: !store.quiz.on }));
  store.addEventListener("change", () => {
    toggle?.setAttribute("aria-pressed", String(store.quiz.on));
    if (store.quiz.on && store.network) load();
  });
  return {
    load,
    get current() {
      return quiz; // null until loaded
    },
  };
}

/**
 * The Inspector, whose modules load when something is first chosen: a third of the page's
 * script, not needed to draw the network. Its render() does nothing until then.
 */
function lazyInspector(root, store, session) {
  let view = null;
  let loading = null;
  return {
    render() {
      if (view) view.render();
      else if (root && store.selection) {
        loading ??= import("./inspector.js")
          .then(({ Inspector }) => {
            view = new Inspector(root, store, session);
            view.render();
          })
          .catch(() => store.say("error", "The Inspector could not be loaded; reload the page to try again."));
      }
    },
  };
}
