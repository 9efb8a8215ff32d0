// What the page shows while Run trains (run.js): in each frame the weights on the diagram, the
// counter, the loss chart and the data plot of the next state Run brought, together. The
// Inspector and the numbers table, which explain one step's numbers, say that Run is training
// instead of keeping numbers of a step long gone. At Stop the page is drawn whole, at the
// step shown.

import { drawDataPlot, drawLossChart } from "./charts.js";
import { FramePace } from "./pacer.js";
import { clear, html } from "./svg.js";

const FRAME_WAIT_MS = 100;
const NOTE = {
  "inspector-body": "Run is training: the Inspector explains the numbers again when you press Stop.",
  numbers: "Run is training: the numbers of a step come back when you press Stop.",
};

/**
 * Draw each of Run's answers in the frame after it comes. `status()` writes the phase line and
 * the counter; `stopped()` draws the whole page when Run stops.
 */
export function showRun(doc, { store, session, player, view }, { status, stopped }) {
  const lossChart = doc.getElementById("loss-chart");
  const dataPanel = doc.getElementById("data-panel");
  const notes = Object.keys(NOTE).map((id) => doc.getElementById(id)).filter(Boolean);
  const frame = { id: 0, timer: 0, drew: null }; // drew: the time of the frame before, if it drew
  const pace = new FramePace();
  const kept = new Map(); // note's panel -> what it showed before Run
  session.runner.grids = Boolean(dataPanel); // the answers bring what the data plot draws

  const cancel = () => {
    cancelAnimationFrame(frame.id);
    clearTimeout(frame.timer);
    frame.id = frame.timer = 0;
  };
  // `t`: the frame's time (none from the timer). Redraws come at the pace the machine shows
  // them in time (pacer.js's FramePace): a frame it says to rest draws nothing
  const draw = (t) => {
    cancel();
    if (t !== undefined && frame.drew !== null) pace.after(t - frame.drew);
    frame.drew = null;
    if (t !== undefined && pace.rests()) return later();
    if (!session.running || !session.runner.show()) return;
    player.paintWeights(store.network);
    status();
    if (lossChart) drawLossChart(lossChart, store);
    if (dataPanel) drawDataPlot(dataPanel, store, session);
    pace.redrew();
    if (!session.runner.waiting) return;
    frame.drew = t ?? null;
    later();
  };
  // each state of an answer is drawn in a frame of its own, or after FRAME_WAIT_MS if no
  // frame comes (an embed scrolled out of view gets none): Run goes on
  const later = () => {
    if (frame.id) return;
    frame.id = requestAnimationFrame(draw);
    frame.timer = setTimeout(draw, FRAME_WAIT_MS);
  };

  session.runner.addEventListener("answer", later);

  session.runner.addEventListener("running", () => {
    const running = session.running;
    // a crowded diagram labels only the selected weight: its number would lag behind
    view.root.classList.toggle("running", running && !view.labelled);
    frame.drew = null;
    pace.owed = 0; // the pace itself is the machine's: kept
    if (running) {
      for (const node of notes) {
        kept.set(node, [...node.childNodes]); // back at Stop, unless the view draws anew
        html("p", { class: "hint" }, clear(node), NOTE[node.id]);
      }
      status();
      return;
    }
    cancel();
    for (const node of notes) node.replaceChildren(...(kept.get(node) ?? []));
    stopped();
  });
}
