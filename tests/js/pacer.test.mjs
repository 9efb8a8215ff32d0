// Run's pacing against simulated servers: the steps a round trip asks for, and the redraws.
import assert from "node:assert/strict";
import { test } from "node:test";

import { FramePace, INLINE_MS, MARGIN, PACE_CALM, PACE_FRAMES, Pacer, RESTS, slope } from "../../static/js/pacer.js";

/** A seeded generator of numbers in [0, 1) (mulberry32): the same noise on every run. */
function random(seed) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `clients` pages running Run for `seconds` against one server that answers one request at a
 * time, in order of arrival: a request of s steps takes fixed + perStep * s ms of the server
 * (which its Server-Timing reports), and `latency` ms more on the way, plus up to `jitter` ms
 * at random (a loaded machine: the page or the network waits). Each page sends its next
 * request as the pacer says once an answer is in. Returns, per page, {redraws, steps} a
 * second and the largest steps asked.
 */
function simulate({ clients = 1, rate, fixed = 1, perStep = 0.05, latency = 0, jitter = 0, seconds = 10, least = 1 }) {
  const noise = random(7);
  const pages = Array.from({ length: clients }, (_, i) => ({
    pacer: new Pacer(rate, i * 3, { least }), at: i * 3, answers: 0, steps: 0, largest: 0, asked: [],
  }));
  let serverFree = 0;
  const end = seconds * 1000;
  const events = pages.map((page) => ({ page, time: page.at })); // a page ready to send
  while (events.length) {
    events.sort((a, b) => a.time - b.time);
    const { page, time } = events.shift();
    if (time > end) continue;
    const plan = page.pacer.next(time);
    if (plan.wait) {
      events.push({ page, time: time + plan.wait });
      continue;
    }
    const arrives = time + latency / 2;
    const start = Math.max(arrives, serverFree);
    const work = fixed + perStep * plan.steps;
    serverFree = start + work;
    const answered = serverFree + latency / 2 + jitter * noise();
    page.pacer.done(plan.steps, answered - time, { serverMs: work, estimateMs: work });
    if (answered <= end) {
      page.answers += 1;
      page.steps += plan.steps;
      page.largest = Math.max(page.largest, plan.steps);
      page.asked.push(plan.steps);
    }
    events.push({ page, time: answered });
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return pages.map((p) => ({
    redraws: p.answers / seconds, steps: p.steps / seconds, largest: p.largest, median: median(p.asked), fewest: Math.min(...p.asked),
  }));
}

test("one page on a quick server trains at its rate, about once a frame", () => {
  const [page] = simulate({ rate: 1200 }); // the spiral at 1x: an epoch of 20 steps a frame
  assert.ok(page.redraws > 55, `${page.redraws} redraws a second`);
  assert.ok(Math.abs(page.steps - 1200) < 60, `${page.steps} steps a second`);
});

/** The most steps a request whose estimate is `fixed` + `perStep` each keeps within the inline budget. */
const within = (fixed, perStep) => Math.floor((MARGIN * INLINE_MS - fixed) / perStep);

test("a fast rate is held back to the steps the server answers at once (inline_cost)", () => {
  const perStep = 0.085; // the deep preset
  const [page] = simulate({ rate: 7200, perStep });
  assert.ok(page.largest <= within(1, perStep) + 1 && page.largest >= within(1, perStep) - 1, JSON.stringify(page));
  assert.ok(page.redraws > 50 && page.steps > 2000, JSON.stringify(page));
});

test("a slow round trip asks for more steps, and keeps the pace", () => {
  const [near] = simulate({ rate: 600 });
  const [far] = simulate({ rate: 600, latency: 80 }); // a far server: 80 ms there and back
  assert.ok(far.largest >= 40 && far.largest > 4 * near.largest, JSON.stringify({ near, far }));
  assert.ok(far.steps > 0.9 * 600 && far.redraws > 11, JSON.stringify(far));
});

test("a lecture hall of 30 on one busy server keeps every page redrawing", () => {
  const pages = simulate({ clients: 30, rate: 1200, fixed: 1.2, perStep: 0.05 });
  for (const page of pages) assert.ok(page.redraws >= 10, JSON.stringify(page)); // the target
  const steps = pages.map((p) => p.steps);
  assert.ok(Math.min(...steps) > 30, `each still trains: ${steps}`);
  assert.ok(steps.reduce((a, b) => a + b) > 5000, `the hall trains: ${steps}`);
});

test("a loaded machine's noisy round trips keep the steps the server can take", () => {
  // round trips of 12 to 52 ms, of which a step is 0.07 ms: the noise is far larger than the
  // steps, and the server's estimates still tell them (and the rest of a request) apart
  const [page] = simulate({ rate: 1200, fixed: 1.5, perStep: 0.07, latency: 10, jitter: 40 });
  assert.ok(page.median >= within(1.5, 0.07) - 1 && page.steps > 0.75 * 1200, JSON.stringify(page));
});

test("a fit to measured times too high for the server is tried again, not kept forever", () => {
  const pacer = new Pacer(1200, 0);
  pacer.perStep = 4; // as if noise had made a step look like 4 ms: one step a request
  let now = 0;
  let largest = 0;
  for (let i = 0; i < 200; i += 1) {
    now += 20;
    const plan = pacer.next(now);
    if (plan.wait) continue;
    largest = Math.max(largest, plan.steps);
    pacer.done(plan.steps, 14 + 0.07 * plan.steps); // no Server-Timing (a proxy dropped it)
  }
  assert.equal(largest, 24); // all that the rate owes every 20 ms: the wrong fit is gone
});

test("a slow rate waits for its next step instead of asking for none", () => {
  const [page] = simulate({ rate: 15 }); // XOR at 0.25x: 15 epochs of one step a second
  assert.ok(Math.abs(page.redraws - 15) <= 1 && page.largest === 1, JSON.stringify(page));
});

test("a request asks for at least `least` steps, on a saturated server and at a slow rate", () => {
  // Run's answers bring two states each (a snapshot and the end): a request of one step would
  // bring one. 30 pages on a server that takes 3.5 ms a request: every round trip is long.
  const hall = simulate({ clients: 30, rate: 1200, fixed: 3.5, perStep: 0.05, least: 2 });
  const capacity = 1000 / 3.5 / 30; // answers a second each, were requests free of steps
  for (const page of hall) assert.ok(page.fewest >= 2 && page.redraws > 0.75 * capacity, JSON.stringify(page));
  const [slow] = simulate({ rate: 3, least: 2 }); // fewer steps a second than a request asks
  assert.ok(slow.fewest === 2 && slow.largest === 2 && Math.abs(slow.steps - 3) <= 0.3, JSON.stringify(slow));
});

test("the time a step adds is the median slope, robust to a few slow round trips", () => {
  const samples = [[10, 3.5], [20, 4.0], [30, 4.5], [40, 5.0], [15, 90], [25, 4.25]];
  assert.equal(slope(samples), 0.05);
  assert.equal(slope([[5, 3], [5, 4]]), null);
  assert.equal(slope([[5, 4], [10, 3]]), 0.001); // never below a microsecond
});

/**
 * A page drawing Run's redraws with a FramePace for `frames` frames at 60 Hz, on a machine
 * where a redraw overruns its frame (the next comes a frame late) with probability
 * `overrun(rest)`: the pace's own load, lighter the more frames rest. Returns {redraws a
 * second, share of late frames, the pace at the end}.
 */
function paced({ frames = 1200, overrun }) {
  const pace = new FramePace();
  const noise = random(11);
  let redraws = 0;
  let late = 0;
  let drewAt = null;
  let now = 0;
  for (let i = 0; i < frames; i += 1) {
    if (drewAt !== null) pace.after(now - drewAt);
    drewAt = null;
    let next = 1000 / 60;
    if (!pace.rests()) {
      redraws += 1;
      pace.redrew();
      drewAt = now;
      if (noise() < overrun(pace.rest)) {
        next *= 2; // the redraw overran: the next frame comes a frame late
        late += 1;
      }
    }
    now += next;
  }
  return { redraws: redraws / (now / 1000), late: late / frames, rest: pace.rest };
}

test("redraws come every frame while the machine shows them in time", () => {
  const quick = paced({ overrun: () => 0.03 }); // the spiral: a few late frames
  assert.equal(quick.rest, 0);
  assert.ok(quick.redraws > 55 && quick.late < 0.1, JSON.stringify(quick));
});

test("redraws that overrun their frames slow to a pace whose frames are in time", () => {
  // the deep preset on a busy machine: a third of its redraws overrun at every frame, fewer
  // with a frame's rest between some of them
  const busy = paced({ overrun: (rest) => [0.35, 0.12, 0.04][rest] });
  assert.ok(busy.rest >= 1 && busy.late < 0.1, JSON.stringify(busy)); // frame p90 in time
  assert.ok(busy.redraws >= 30, JSON.stringify(busy)); // still the 30 a second
  // a machine that calms down gets every frame again
  const calm = new FramePace();
  calm.rest = RESTS.length - 1;
  for (let i = 0; i < PACE_FRAMES * PACE_CALM * (RESTS.length - 1); i += 1) calm.after(1000 / 60);
  assert.equal(calm.rest, 0);
});
