// What the page shows while Run trains (run.js): in each frame the weights on the diagram, the
// counter, the loss chart and the data plot of the next state Run brought, together. The
// Inspector and the numbers table, which explain one step's numbers, say that Run is training
// instead of keeping numbers of a step long gone. At Stop the page is drawn whole, at the
// step shown.

import { drawDataPlot, drawLossChart } from "./charts.js";
import { clear, html } from "./svg.js";

const FRAME_WAIT_MS = 100;
const LATE_MS = 20; // between two frames: the first one's drawing overran
const PACE_FRAMES = 60; // frames after a redraw that a change of pace looks at
const PACE_CALM = 2; // rounds of them with at most one late frame before redraws come faster
const RESTS = [0, 0.5, 1]; // frames resting per redraw, a pace each: 60, 40, 30 redraws a second
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
  // drew: the time of the frame before, if it drew; skip: frames to rest before the next
  // redraw (when a whole one), rest: the pace, an index of RESTS; seen and late: frames after a redraw, and of them late; calm:
  // rounds of PACE_FRAMES with at most one late
  const frame = { id: 0, timer: 0, drew: null, skip: 0, rest: 0, seen: 0, late: 0, calm: 0 };
  const kept = new Map(); // note's panel -> what it showed before Run
  session.runner.grids = Boolean(dataPanel); // the answers bring what the data plot draws

  const cancel = () => {
    cancelAnimationFrame(frame.id);
    clearTimeout(frame.timer);
    frame.id = frame.timer = 0;
  };
  // `t`: the frame's time (none from the timer). Redraws come at the pace the machine shows
  // them in time (pace()): per redraw, RESTS[rest] frames draw nothing
  const draw = (t) => {
    cancel();
    if (t !== undefined && frame.drew !== null) pace(t - frame.drew);
    frame.drew = null;
    if (t !== undefined && frame.skip >= 1) {
      frame.skip -= 1;
      return later();
    }
    if (!session.running || !session.runner.show()) return;
    player.paintWeights(store.network);
    status();
    if (lossChart) drawLossChart(lossChart, store);
    if (dataPanel) drawDataPlot(dataPanel, store, session);
    frame.skip += RESTS[frame.rest]; // a half: a frame rests after every other redraw
    if (!session.runner.waiting) return;
    frame.drew = t ?? null;
    later();
  };
  // `ms` from a frame that drew to the next: more than LATE_MS, its drawing overran the
  // frame. Over PACE_FRAMES of them, more than a tenth late: the next slower pace of RESTS;
  // at most one late, PACE_CALM times in a row: the next faster
  const pace = (ms) => {
    frame.seen += 1;
    if (ms > LATE_MS) frame.late += 1;
    if (frame.seen < PACE_FRAMES) return;
    if (frame.late > PACE_FRAMES / 10) {
      frame.rest = Math.min(frame.rest + 1, RESTS.length - 1);
      frame.calm = 0;
    } else if (frame.late <= 1 && (frame.calm += 1) >= PACE_CALM) {
      frame.rest = Math.max(frame.rest - 1, 0);
      frame.calm = 0;
    }
    frame.seen = frame.late = 0;
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
    Object.assign(frame, { drew: null, skip: 0 }); // the pace itself is the machine's: kept
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
