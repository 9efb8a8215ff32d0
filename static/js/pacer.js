// How many steps each round trip of Run asks for, and when (pure: node --test checks it).
//
// Run trains at a rate (steps a second, from the speed) with one request in flight. Each
// request asks for the steps the rate has owed since the last one, so a slower round trip
// asks for more steps and training keeps its pace: a slow server gives bigger chunks, not
// fewer redraws. Two limits keep the redraws coming when the server cannot keep up:
// - the server's estimate of a request may reach `inline` ms (MARGIN of it), the server's
//   inline_cost (GET /api/v1/limits), up to which it answers at once, on its event loop,
//   beside everyone else's, instead of in its worker pool. The estimate is fitted to the
//   steps (its Server-Timing header names it: the time a step adds, and the rest of the
//   request, its grids and snapshots), which the waits of a busy machine, far larger than a
//   step, do not blur. Without the header, the steps alone are fitted to the measured time,
//   or the round trip's;
// - while round trips take longer than BUDGET_MS, the steps shrink, as long as they are a
//   real part of the round trip (fitted to the round trips: on a lecture hall's busy server
//   everyone's steps wait for everyone's): each student still gets redraws, and training
//   slows instead. A round trip that is slow for other reasons (the network, a busy page)
//   keeps its steps.
// What the limits refuse is dropped, not owed: after a pause, Run does not race to catch up.
// A request asks for at least `least` steps (Run's: one for each state an answer brings), so
// that however slow the server, each answer still brings that many redraws.

export const MIN_GAP_MS = 12; // between requests: about one a frame, as answers nobody sees cost
export const INLINE_MS = 5; // the server's inline_cost, unless it says otherwise
export const MARGIN = 0.9; // of it a request's estimate may take
export const BUDGET_MS = 80; // a round trip the steps may stretch to: 12.5 a second (Run: 25 redraws)
const SAMPLES = 16; // round trips the fits look at
const MAX_OWED_S = 0.25; // of training owed at most (a round trip that took long)

export class Pacer {
  /**
   * `rate`: steps a second; `now`: a time in ms (performance.now()); `least`: steps a request
   * asks for at least; `inline`: ms of the server's estimate a request may reach.
   */
  constructor(rate, now, { least = 1, inline = INLINE_MS } = {}) {
    this.rate = rate;
    this.least = least;
    this.inline = inline;
    this.owed = 0;
    this.last = now; // when the owed steps were last counted
    this.sent = -Infinity; // when the last request went
    this.limit = Math.max(4, least); // steps a request may ask for; grows while round trips are quick
    this.samples = []; // [steps, ms of the server's work or null, ms of the round trip, estimated]
    this.perStep = null; // ms a step adds to the server's work, once the samples tell
    this.rest = 0; // ms of the server's estimate besides the steps (0 without estimates)
  }

  /** {steps} to ask for now, or {wait}: ms until a step is owed or a request may go. */
  next(now) {
    this.owed = Math.min(this.owed + (this.rate * (now - this.last)) / 1000, this.rate * MAX_OWED_S + this.least);
    this.last = now;
    const gap = this.sent + MIN_GAP_MS - now;
    const least = this.least;
    if (gap > 0 || this.owed < least) return { wait: Math.max(gap, ((least - this.owed) / this.rate) * 1000, 1) };
    const owed = Math.floor(this.owed);
    const steps = Math.min(owed, this.cap());
    this.owed = steps < owed ? 0 : this.owed - steps;
    this.sent = now;
    return { steps };
  }

  /** The most steps a request may ask for now. */
  cap() {
    const fits = this.perStep ? Math.floor((MARGIN * this.inline - this.rest) / this.perStep) : Infinity;
    return Math.max(this.least, Math.min(this.limit, fits));
  }

  /**
   * A round trip of `steps` steps took `ms`; the server's Server-Timing said `serverMs` (its
   * time) and `estimateMs` (its estimate), each null when missing.
   */
  done(steps, ms, { serverMs = null, estimateMs = null } = {}) {
    // an answer from the cache (a time, no estimate) says nothing of what steps cost
    const cached = serverMs !== null && estimateMs === null;
    this.samples.push([steps, cached ? null : (estimateMs ?? ms), ms, estimateMs !== null]);
    if (this.samples.length > SAMPLES) this.samples.shift();
    const fitted = slope(this.samples.filter(([, work]) => work !== null).map(([s, work]) => [s, work]));
    if (fitted !== null) {
      this.perStep = fitted;
      const rests = this.samples.filter(([, , , estimated]) => estimated).map(([s, work]) => work - fitted * s);
      this.rest = rests.length ? median(rests) : 0;
    } else if (this.samples.length === SAMPLES && estimateMs === null) {
      // every recent request took the same steps, so a fit to measured times, noisy, cannot
      // tell whether more would fit (a too high one would keep them there forever): try twice
      // as many, once. The server's estimates are exact: the steps they allow are right.
      this.perStep = null;
      this.limit = 2 * steps;
    }
    // the steps' share of the round trip (none known yet: fewer steps might not help)
    const perTrip = slope(this.samples.map(([s, , trip]) => [s, trip])) ?? 0;
    if (ms > BUDGET_MS && steps * perTrip > 0.1 * ms) this.limit = Math.max(this.least, Math.floor(Math.min(steps, this.limit) * 0.7));
    else if (steps >= this.limit) this.limit += Math.ceil(this.limit / 4);
  }

  /** The server said it is busy (503): ask for the fewest steps again. */
  busy() {
    this.limit = this.least;
  }
}

/**
 * The time a step adds: of [steps, ms] pairs, the median of the slopes between pairs of
 * different steps (Theil and Sen's estimate, which a few slow ones do not move), at least a
 * microsecond; null when every one took the same steps.
 */
export function slope(samples) {
  const slopes = [];
  for (let i = 0; i < samples.length; i += 1) {
    for (let j = i + 1; j < samples.length; j += 1) {
      const [s1, t1] = samples[i];
      const [s2, t2] = samples[j];
      if (s1 !== s2) slopes.push((t2 - t1) / (s2 - s1));
    }
  }
  if (!slopes.length) return null;
  return Math.max(median(slopes), 0.001);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  return sorted.length % 2 ? sorted[Math.floor(middle)] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export const LATE_MS = 20; // between two frames: the first one's drawing overran
export const PACE_FRAMES = 60; // frames after a redraw that a change of pace looks at
export const PACE_CALM = 2; // rounds of them with at most one late before redraws come faster
export const RESTS = [0, 0.5, 1]; // frames resting per redraw, a pace each: 60, 40, 30 redraws/s

/**
 * The pace of Run's redraws: as fast as the machine shows them in time. The frame after a
 * redraw comes late (more than LATE_MS after it) when the redraw overran its frame. Over
 * PACE_FRAMES such frames, more than a tenth late (the frame p90 Run aims at): the next
 * slower pace of RESTS, whose frames rest between redraws; at most one late, PACE_CALM
 * times in a row: the next faster.
 */
export class FramePace {
  constructor() {
    this.rest = 0; // the pace: an index of RESTS
    this.owed = 0; // frames owed a rest (a whole one rests)
    this.seen = 0; // frames after a redraw, this round
    this.late = 0; // of them late
    this.calm = 0; // rounds in a row with at most one late
  }

  /** The frame after a redraw came `ms` after it. */
  after(ms) {
    this.seen += 1;
    if (ms > LATE_MS) this.late += 1;
    if (this.seen < PACE_FRAMES) return;
    if (this.late > PACE_FRAMES / 10) {
      this.rest = Math.min(this.rest + 1, RESTS.length - 1);
      this.calm = 0;
    } else if (this.late <= 1 && (this.calm += 1) >= PACE_CALM) {
      this.rest = Math.max(this.rest - 1, 0);
      this.calm = 0;
    }
    this.seen = this.late = 0;
  }

  /** Whether this frame rests (draws nothing). */
  rests() {
    if (this.owed < 1) return false;
    this.owed -= 1;
    return true;
  }

  /** A frame redrew: the rest its pace owes. */
  redrew() {
    this.owed += RESTS[this.rest];
  }
}
