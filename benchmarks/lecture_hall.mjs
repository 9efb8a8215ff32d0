// A lecture hall for benchmarks/load.py: students pressing Run at once against one server.
// Each is the page's Run without its drawing: the page's pacer (static/js/pacer.js) at speed
// 1, the page's /train body with the grids its data plot draws (charts.js's gridsFor) and its
// snapshots (run.js), one request in flight, each from the answer before. A redraw is a state
// an answer brings (its snapshot and its end), which the page draws a frame each: at a lecture
// hall's round trips, far longer than two frames, the page draws them all. Prints one JSON
// line: per student, the redraws and steps a second and the statuses seen.
//
//   node benchmarks/lecture_hall.mjs URL SECONDS STUDENTS PRESET

import * as api from "../static/js/api.js";
import { gridsFor } from "../static/js/charts.js";
import { Pacer } from "../static/js/pacer.js";
import { EPOCHS_PER_SECOND, SHOWN, snapshotsOf, statesOf } from "../static/js/run.js";

const [url, seconds, students, name] = process.argv.slice(2);
// the page's API client, its paths resolved against the server's address
const fetchFrom = globalThis.fetch;
globalThis.fetch = (path, init) => fetchFrom(new URL(path, url), init);
const preset = await api.getPreset(name);
const batch = preset.batch_size ?? preset.inputs.length;
const rate = EPOCHS_PER_SECOND * Math.ceil(preset.inputs.length / batch); // speed 1
const grids = gridsFor(preset, preset.network.layer_sizes);
const inline = (await api.getLimits()).inline_cost / 1e6;
const end = performance.now() + 1000 * Number(seconds);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function student(delay) {
  await sleep(delay); // pressed Run within half a second of each other
  const pacer = new Pacer(rate, performance.now(), { least: SHOWN, inline });
  const seen = { redraws: 0, steps: 0, statuses: {}, started: performance.now() };
  let state = { network: preset.network, velocity: null, step: 0 };
  while (performance.now() < end) {
    const plan = pacer.next(performance.now());
    if (plan.wait) {
      await sleep(plan.wait);
      continue;
    }
    const body = {
      network: state.network, inputs: preset.inputs, targets: preset.targets,
      learning_rate: preset.learning_rate, momentum: preset.momentum, l1: preset.l1, l2: preset.l2,
      ...(state.velocity ? { velocity: state.velocity } : {}),
      steps: plan.steps, batch_size: preset.batch_size, shuffle_seed: preset.shuffle_seed,
      start_step: state.step, record_every: plan.steps,
      ...(preset.test_inputs ? { test_inputs: preset.test_inputs, test_targets: preset.test_targets } : {}),
      ...(grids ? { grids } : {}),
      ...snapshotsOf(plan.steps),
    };
    const sent = performance.now();
    let status = "200";
    try {
      const { answer, ...timing } = await api.trainTimed(body);
      pacer.done(plan.steps, performance.now() - sent, timing);
      const states = statesOf(state, answer);
      state = states.at(-1).state;
      if (performance.now() <= end) {
        seen.redraws += states.length;
        seen.steps += answer.steps;
      }
    } catch (error) {
      status = error instanceof api.ApiError && error.status ? String(error.status) : "error";
      if (status === "503") pacer.busy();
    }
    seen.statuses[status] = (seen.statuses[status] ?? 0) + 1;
  }
  const elapsed = (end - seen.started) / 1000;
  return { redraws: seen.redraws / elapsed, steps: seen.steps / elapsed, statuses: seen.statuses };
}

const results = await Promise.all(Array.from({ length: Number(students) }, () => student(Math.random() * 500)));
console.log(JSON.stringify({ rate, batch, results }));
