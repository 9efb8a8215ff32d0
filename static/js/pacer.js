// How many steps each round trip of Run asks for, and when (pure: node --test checks it).
//
// Run trains at a rate (steps a second, from the speed) with one request in flight. Each
// request asks for the steps the rate has owed since the last one, so a slower round trip
// asks for more steps and training keeps its pace: a slow server gives bigger chunks, not
// fewer redraws. Two limits keep the redraws coming when the server cannot keep up:
// - a request's steps may take at most STEP_MS of the server's work. The time a step adds is
//   fitted to the server's estimate of each request (its Server-Timing header names the cost
//   by which it chose to answer at once or in its worker pool; without one, to its measured
//   time, or the round trip's), which the waits of a busy machine, far larger than a step,
//   do not blur: each request is answered at once, on the event loop, beside everyone else's;
// - while round trips take longer than BUDGET_MS, the steps shrink, as long as they are a
//   real part of the round trip (fitted to the round trips: on a lecture hall's busy server
//   everyone's steps wait for everyone's): each student still gets redraws, and training
//   slows instead. A round trip that is slow for other reasons (the network, a busy page)
//   keeps its steps.
// What the limits refuse is dropped, not owed: after a pause, Run does not race to catch up.
// A request asks for at least `least` steps (Run's: one for each state an answer brings), so
// that however slow the server, each answer still brings that many redraws.

export const MIN_GAP_MS = 12; // between requests: about one a frame, as answers nobody sees cost
// of the server's estimated work for a request's steps: with the rest of the request within
// inline_cost (5 ms), so that the server answers it at once, not in its worker pool
export const STEP_MS = 3;
export const BUDGET_MS = 80; // a round trip the steps may stretch to: 12.5 redraws a second
const SAMPLES = 16; // round trips the fits look at
const MAX_OWED_S = 0.25; // of training owed at most (a round trip that took long)

export class Pacer {
  /** `rate`: steps a second; `now`: a time in ms (performance.now()); `least`: steps a request. */
  constructor(rate, now, least = 1) {
    this.rate = rate;
    this.least = least;
    this.owed = 0;
    this.last = now; // when the owed steps were last counted
    this.sent = -Infinity; // when the last request went
    this.limit = Math.max(4, least); // steps a request may ask for; grows while round trips are quick
    this.samples = []; // [steps, ms of the server's work or null, ms of the round trip]
    this.perStep = null; // ms a step adds to the server's work, once the samples tell
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
    const fits = this.perStep ? Math.floor(STEP_MS / this.perStep) : Infinity;
    return Math.max(this.least, Math.min(this.limit, fits));
  }

  /**
   * A round trip of `steps` steps took `ms`; the server's Server-Timing said `serverMs` (its
   * time) and `estimateMs` (its estimate), each null when missing.
   */
  done(steps, ms, { serverMs = null, estimateMs = null } = {}) {
    // an answer from the cache (a time, no estimate) says nothing of what steps cost
    const cached = serverMs !== null && estimateMs === null;
    this.samples.push([steps, cached ? null : (estimateMs ?? ms), ms]);
    if (this.samples.length > SAMPLES) this.samples.shift();
    const fitted = slope(this.samples.filter(([, work]) => work !== null).map(([s, work]) => [s, work]));
    if (fitted !== null) this.perStep = fitted;
    else if (this.samples.length === SAMPLES && estimateMs === null) {
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
  slopes.sort((a, b) => a - b);
  const middle = slopes.length / 2;
  const median = slopes.length % 2 ? slopes[Math.floor(middle)] : (slopes[middle - 1] + slopes[middle]) / 2;
  return Math.max(median, 0.001);
}
