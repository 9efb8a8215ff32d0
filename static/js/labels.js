// The texts of the network diagram and where each one goes: pure geometry, so that node --test
// can check that no two labels overlap and that each sits on its own line (no DOM here).
// Every label is given the box of the longest text it can hold, so that its place never moves
// while a step plays, and a text written into it never reaches a neighbour.

import { fitNumber } from "./format.js";

export const MONO = 0.62; // a character of the diagram's monospace font, in em (DejaVu Sans Mono: 0.602)
export const LINE = 1.25; // line height, in em
export const NUMBER = 8; // characters of a number on a chip (bias, target) or a loss term, sign included
const SUB = 9; // of a neuron's z or delta
const EDGE = 10; // of a weight, its gradient or its change: 0.0004386 keeps its 4 digits
export const VALUE = 7; // characters of a number inside a neuron
const PAD = 2; // room left and right of a text
const CLEAR = 3; // between two labels
const RING = 5; // beyond a neuron's radius: its delta ring and the focus square's corners
export const MARK = 9; // the side of a bias drawn without its number

// --- the texts -------------------------------------------------------------------------------

const num = (x, signed = false, chars = NUMBER) => fitNumber(x, chars, { signed });

/** z or delta: below a neuron, or (`inner`, a phone) inside it, under a, one character shorter. */
export const subText = (symbol, x, { inner = false } = {}) =>
  inner ? `${symbol}${num(x, symbol === "\u03b4", SUB - 1)}` : `${symbol} ${num(x, symbol === "\u03b4", SUB)}`;
export const biasText = (b) => `b ${num(b)}`;
export const targetText = (y) => `y ${num(y)}`;
export const lossText = (e) => `E ${num(e)}`;
export const pulseText = (x) => num(x);

/**
 * An edge's lines: its weight; then its gradient (of the sample's E, or with a batch of the
 * batch's mean loss L: the mean of the samples' dE/dw); at the update old, change and new value.
 */
export function edgeLines(name, { weight, grad = null, change = null, next = null }, { batch = 1 } = {}) {
  if (next !== null) {
    const pad = (word) => word.padEnd(Math.max(name.length, 3) + 1);
    const signed = (x) => (x < 0 ? num(x, false, EDGE) : ` ${num(x, false, EDGE - 1)}`); // digits line up
    return [pad(name) + signed(weight), pad("\u0394w") + num(change, true, EDGE), pad("new") + signed(next)];
  }
  if (grad !== null) return [`\u2202${batch > 1 ? "L" : "E"}/\u2202${name}`, num(grad, true, EDGE)];
  return [`${name} ${num(weight, false, EDGE)}`];
}

/** The loss of the shown sample and, for a batch, which sample it is and the batch's mean. */
export function totalLines(loss, { sample = 0, batch = 1, mean = loss } = {}) {
  if (batch === 1) return [`E total ${num(loss)}`];
  return [`sample ${sample + 1} of ${batch}`, `E total ${num(loss)}`, `batch mean L ${num(mean)}`];
}

// the most characters and lines each kind of label can hold
const SIZES = {
  tag: (name) => [name.length, 1],
  sub: () => [2 + SUB, 1],
  innerSub: () => [SUB, 1],
  bias: () => [2 + NUMBER, 1],
  target: () => [2 + NUMBER, 1],
  loss: () => [2 + NUMBER, 1],
  total: () => [21, 3], // "sample 10000 of 10000", "batch mean L " and a number
  edge: (name) => [Math.max(name.length, 3) + 1 + EDGE, 3],
  pulse: () => [NUMBER, 1],
  value: (chars = VALUE) => [chars, 1], // fewer on a crowded diagram (layout.js)
  title: (text) => [text.length, 1],
};

/** Width and height of the box for a label of `kind` in `font` px (`what`: the name it holds,
 * or for a neuron's number how many characters it may have). */
export function labelSize(kind, font, what) {
  const [chars, lines] = SIZES[kind](what);
  return { width: chars * font * MONO + 2 * PAD, height: lines * font * LINE };
}

// --- geometry ------------------------------------------------------------------------------

export function boxesOverlap(a, b, margin = 0) {
  return (
    a.x < b.x + b.width + margin && b.x < a.x + a.width + margin &&
    a.y < b.y + b.height + margin && b.y < a.y + a.height + margin
  );
}

export function boxHitsCircle(box, c, radius) {
  const dx = Math.max(box.x - c.x, 0, c.x - (box.x + box.width));
  const dy = Math.max(box.y - c.y, 0, c.y - (box.y + box.height));
  return dx * dx + dy * dy < radius * radius;
}

/** Does the segment p-q pass through the box grown by margin? (Liang-Barsky clipping) */
export function boxHitsSegment(box, p, q, margin = 0) {
  const [x0, x1] = [box.x - margin, box.x + box.width + margin];
  const [y0, y1] = [box.y - margin, box.y + box.height + margin];
  const dx = q.x - p.x;
  const dy = q.y - p.y;
  let lo = 0;
  let hi = 1;
  for (const [step, room] of [[-dx, p.x - x0], [dx, x1 - p.x], [-dy, p.y - y0], [dy, y1 - p.y]]) {
    if (step === 0) {
      if (room < 0) return false;
    } else {
      const t = room / step;
      if (step < 0) lo = Math.max(lo, t);
      else hi = Math.min(hi, t);
      if (lo > hi) return false;
    }
  }
  return true;
}

function segmentsCross(p, q, r, s) {
  const side = (a, b, c) => Math.sign((b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x));
  return side(p, q, r) * side(p, q, s) < 0 && side(r, s, p) * side(r, s, q) < 0;
}

const centred = (x, y, size) => ({ x: x - size.width / 2, y: y - size.height / 2, ...size });
const centre = (box) => ({ x: box.x + box.width / 2, y: box.y + box.height / 2 });
const rad = (degrees) => (degrees * Math.PI) / 180;
const angleOf = (from, to) => (Math.atan2(to.y - from.y, to.x - from.x) * 180) / Math.PI;
const apart = (a, b) => Math.abs(((a - b + 540) % 360) - 180); // degrees between two directions

/** A box of `size` just outside a circle, in direction `degrees` (0 right, 90 down). */
function beside(c, radius, size, degrees) {
  const u = { x: Math.cos(rad(degrees)), y: Math.sin(rad(degrees)) };
  const reach = radius + (size.width / 2) * Math.abs(u.x) + (size.height / 2) * Math.abs(u.y);
  return centred(c.x + u.x * reach, c.y + u.y * reach, size);
}

/** Every 10 degrees, the nearest to `prefer` first. */
function directions(prefer) {
  const all = Array.from({ length: 36 }, (_, i) => i * 10 - 180);
  return all.sort((a, b) => apart(a, prefer) - apart(b, prefer) || a - b);
}

// --- placement -------------------------------------------------------------------------------

/**
 * The boxes of every label of a diagram. `net` is the drawing's geometry (layout.js): its
 * size, neurons, radius, the segments of the edges, which labels it has and their fonts.
 * -> {value, tag, sub, bias, target, loss, total, edge, title, misses}: boxes (tag[l][j], ...;
 * bias[l][j] and target[o] are {box, stub}; edge by "l:j:k"), and the labels that found no
 * free place (none, in a good layout). Labels are placed one by one, each in the first free
 * place of its candidates; the ones left without are then placed first, and so on.
 */
export function placeLabels(net) {
  const kinds = ["title", "tag", "sub", "bias", "target", "loss", "total"];
  const rank = (t) => (t.edge ? kinds.length : kinds.indexOf(t.key.split(" ")[0]));
  const tasks = labelTasks(net).sort((a, b) => rank(a) - rank(b));
  let order = tasks.map((t) => t.key);
  let result = null;
  for (let round = 0; round < 4; round += 1) {
    const next = placeInOrder(net, tasks, order);
    if (result && next.misses.length >= result.misses.length) break; // no better: grow instead
    result = next;
    if (!result.misses.length) break;
    // the missed ones first, with what they are placed next to (a target before its loss)
    const missed = new Set(result.misses.flatMap((key) => [key, ...(tasks.find((t) => t.key === key).needs ?? [])]));
    const front = order.filter((k) => missed.has(k)).sort((a, b) => order.indexOf(a) - order.indexOf(b));
    order = [...front.sort((a, b) => rank(tasks.find((t) => t.key === a)) - rank(tasks.find((t) => t.key === b))), ...order.filter((k) => !missed.has(k))];
  }
  return result;
}

/** What to place: a key, the labels it needs placed before it, and its candidates given the
 * placement so far (`out`): boxes, or {box, stub} for a label joined to its neuron by a line. */
function labelTasks(net) {
  const { neurons, radius: r, fonts, orientation, names } = net;
  const across = orientation === "across";
  const tasks = [];
  // a neuron's name and its z or delta stay on their side of it (above, below; on a phone left)
  const around = (c, size, prefer) =>
    [RING + 2, RING + 12, RING + 22].flatMap((d) => directions(prefer).filter((deg) => apart(deg, prefer) <= 45).map((deg) => beside(c, r + d, size, deg)));
  if (net.compact) {
    net.titles.forEach((t, l) => tasks.push({
      key: `title ${l}`, put: (out, box) => (out.title[l] = box), crossing: false, // over edges, on its halo
      candidates: () => titleCandidates(t, net, labelSize("title", fonts.title, t.text)),
    }));
  }
  for (const [l, column] of neurons.entries()) {
    for (const [j, c] of column.entries()) {
      if (!net.compact) {
        const tag = labelSize("tag", fonts.tag, names[l][j]);
        tasks.push({ key: `tag ${l}:${j}`, put: (out, box) => ((out.tag[l] ??= [])[j] = box), candidates: () => around(c, tag, across ? -90 : 180) });
        if (l > 0 && !net.inner) {
          const sub = labelSize("sub", fonts.sub);
          tasks.push({ key: `sub ${l}:${j}`, put: (out, box) => ((out.sub[l] ??= [])[j] = box), candidates: () => around(c, sub, across ? 90 : 0) });
        }
      }
      if (l > 0) {
        tasks.push({
          key: `bias ${l}:${j}`, put: (out, chip) => ((out.bias[l] ??= [])[j] = chip), joined: true,
          crossing: !net.compact, // a crowded diagram's bias is a small square: it may sit on edges
          candidates: () => biasCandidates(net, l, c, net.compact),
          marks: net.compact ? null : () => biasCandidates(net, l, c, true),
        });
      }
    }
  }
  const L = neurons.length - 1;
  for (const [o, c] of neurons[L].entries()) {
    const towards = across ? 0 : 90;
    const size = labelSize("target", fonts.target);
    tasks.push({
      key: `target ${o}`, put: (out, chip) => (out.target[o] = chip), joined: true,
      candidates: () => [RING + 22, RING + 34].flatMap((d) => directions(towards).filter((deg) => apart(deg, towards) <= 60)
        .map((deg) => { const box = beside(c, r + d, size, deg); return { box, stub: { a: pointOn(c, r, deg), b: centre(box) } }; })),
    });
    tasks.push({
      key: `loss ${o}`, put: (out, box) => (out.loss[o] = box), needs: [`target ${o}`],
      candidates: (out) => (out.target[o] ? nextTo(out.target[o].box, labelSize("loss", fonts.loss), across) : []),
    });
  }
  const outputs = neurons[L].flatMap((_, o) => [`target ${o}`, `loss ${o}`]);
  tasks.push({ key: "total", needs: outputs, put: (out, box) => (out.total = box), candidates: (out) => totalCandidates(net, out, labelSize("total", fonts.total)) });
  if (net.labelled) {
    for (const s of net.segments) {
      const key = `${s.layer}:${s.to}:${s.from}`;
      tasks.push({ key, edge: true, put: (out, box) => (out.edge[key] = box), candidates: () => edgeCandidates(s, labelSize("edge", fonts.edge, s.name), fonts.edge) });
    }
  }
  return tasks;
}

function placeInOrder(net, tasks, order) {
  const { neurons, radius: r, fonts } = net;
  const placed = []; // boxes taken so far
  const stubs = []; // bias stubs and target lines, which labels keep clear of
  const lines = net.segments.map((s) => ({ ...s, key: `${s.layer}:${s.to}:${s.from}` }));
  const circles = neurons.flat();
  const inside = (b) => b.x >= 0 && b.y >= 0 && b.x + b.width <= net.width && b.y + b.height <= net.height;
  const free = (b, own = null, crossing = true) =>
    inside(b) &&
    !placed.some((p) => boxesOverlap(b, p, CLEAR)) &&
    !circles.some((c) => boxHitsCircle(b, c, r + RING)) &&
    !(crossing && lines.some((s) => s.key !== own && boxHitsSegment(b, s.a, s.b, 2))) &&
    !stubs.some((s) => boxHitsSegment(b, s.a, s.b, 2));
  // a line from a neuron to its label crosses no edge and no other label
  const clearLine = (stub) => {
    const from = { x: stub.a.x + (stub.a.x - centreOf(stub, neurons).x) * (RING / r), y: stub.a.y + (stub.a.y - centreOf(stub, neurons).y) * (RING / r) };
    return !lines.some((s) => segmentsCross(from, stub.b, s.a, s.b)) &&
      !placed.some((p) => !values.has(p) && boxHitsSegment(p, from, stub.b, 1));
  };
  // the number inside each neuron, and on a phone its z or delta under it
  const inner = (l) => net.inner && l > 0;
  const valueSize = labelSize("value", fonts.value, net.valueChars);
  const subSize = labelSize("innerSub", fonts.sub);
  const value = neurons.map((column, l) => column.map((c) =>
    centred(c.x, inner(l) ? c.y - subSize.height / 2 + 1 : c.y, valueSize)));
  const sub = neurons.map((column, l) => (inner(l) ? column.map((c) => centred(c.x, c.y + valueSize.height / 2 + 1, subSize)) : []));
  placed.push(...value.flat()); // a long number may reach past its neuron's circle
  const values = new Set(value.flat()); // (a line from a neuron may start on its own number)
  const out = { value, tag: [], sub: net.inner ? sub : [], bias: [], target: [], loss: [], total: null, edge: {}, title: [], misses: [] };
  const fits = (task, c) => {
    const crossing = task.crossing !== false;
    if (task.joined) return free(c.box, null, crossing) && (!crossing || clearLine(c.stub));
    return free(c, task.edge ? task.key : null, crossing);
  };
  const place = (task, chosen) => {
    if (!chosen) {
      out.misses.push(task.key);
      const [fallback] = task.candidates(out);
      if (fallback) task.put(out, fallback); // drawn somewhere all the same
      return;
    }
    placed.push(task.joined ? chosen.box : chosen);
    if (task.joined) stubs.push(chosen.stub);
    task.put(out, chosen);
  };
  const byKey = new Map(tasks.map((t) => [t.key, t]));
  const edges = order.filter((k) => byKey.get(k).edge);
  for (const key of order.filter((k) => !byKey.get(k).edge)) {
    const task = byKey.get(key);
    let chosen = task.candidates(out).find((c) => fits(task, c));
    // a bias with no room for its number is a small square (its number is in the Inspector)
    if (!chosen && task.marks) chosen = task.marks().find((c) => free(c.box, null, false));
    place(task, chosen);
  }
  // edge labels last, the most hemmed in first (each one's free places, kept up to date)
  const left = new Map(edges.map((k) => [k, byKey.get(k).candidates(out).filter((b) => fits(byKey.get(k), b))]));
  while (left.size) {
    let best = null;
    for (const [key, options] of left) if (!best || options.length < best.options.length) best = { key, options };
    left.delete(best.key);
    const chosen = best.options[0];
    place(byKey.get(best.key), chosen);
    if (chosen) for (const [key, options] of left) left.set(key, options.filter((b) => !boxesOverlap(b, chosen, CLEAR)));
  }
  return out;
}

/** The neuron a stub starts from. */
function centreOf(stub, neurons) {
  let best = null;
  for (const c of neurons.flat()) {
    const d = Math.hypot(c.x - stub.a.x, c.y - stub.a.y);
    if (!best || d < best.d) best = { c, d };
  }
  return best.c;
}

/** A bias's chip: on the side its neuron's inputs come from, in the widest gap between them;
 * else anywhere around it, away from the edges going out. */
function biasCandidates(net, l, c, mark) {
  const { neurons, radius: r } = net;
  const size = mark ? { width: MARK, height: MARK, mark: true } : labelSize("bias", net.fonts.bias);
  const incoming = neurons[l - 1].map((p) => angleOf(c, p));
  const outgoing = (neurons[l + 1] ?? []).map((p) => angleOf(c, p));
  const side = net.orientation === "across" ? 180 : -90;
  const clearance = (deg, from) => Math.min(...from.map((a) => apart(a, deg)));
  const order = [
    ...directions(side).filter((deg) => apart(deg, side) <= 90)
      .sort((a, b) => clearance(b, incoming) - clearance(a, incoming) || apart(a, side) - apart(b, side)),
    ...directions(side).filter((deg) => apart(deg, side) > 90)
      .sort((a, b) => clearance(b, outgoing) - clearance(a, outgoing)),
  ];
  return (mark && net.compact ? [2, 8] : [RING + 8, RING + 20]).flatMap((d) => order.map((deg) => {
    const box = beside(c, r + d, size, deg);
    return { box, stub: { a: pointOn(c, r, deg), b: centre(box) } };
  }));
}

/** The box for the label of one edge of a crowded diagram (shown when it is selected): on its
 * line where it covers no other label nor neuron; else in the band kept for it below the network. */
export function edgeLabelBox(net, labels, segment) {
  const size = labelSize("edge", net.fonts.edge, segment.name);
  const taken = [...labels.value.flat(), ...labels.title, ...labels.tag.flat(), ...labels.sub.flat(),
    ...labels.bias.flat().map((b) => b.box), ...labels.target.map((t) => t?.box), ...labels.loss, labels.total].filter(Boolean);
  const free = (b) =>
    b.x >= 0 && b.y >= 0 && b.x + b.width <= net.width && b.y + b.height <= net.height &&
    !taken.some((t) => boxesOverlap(b, t, CLEAR)) && !net.neurons.flat().some((c) => boxHitsCircle(b, c, net.radius + RING));
  const band = net.band;
  return edgeCandidates(segment, size, net.fonts.edge).find(free) ?? centred(band.x + band.width / 2, band.y + band.height / 2, size);
}

/** The pill of a pulse that carries its number (the longest one). */
export function pulseSize(net) {
  return { width: NUMBER * net.fonts.pulse * MONO + 10, height: net.fonts.pulse * LINE + 4 };
}

/** Where a pulse that carries its number shows, as fractions of its way: from where it clears
 * the neuron it leaves to where it would come near another pulse or a neuron. `pill`: its size;
 * edges run from `from` to `to` (alongEdge's points). */
export function pulseWindow(net, ways, pill) {
  const circles = net.neurons.flat();
  const at = (t) => ways.map(({ from, to }) => centred(from.x + (to.x - from.x) * t, from.y + (to.y - from.y) * t, pill));
  const clear = (t) => {
    const boxes = at(t);
    return boxes.every((b, i) => !circles.some((c) => boxHitsCircle(b, c, net.radius + 1)) &&
      boxes.every((other, k) => k <= i || !boxesOverlap(b, other, 1)));
  };
  let start = 0;
  while (start < 1 && !clear(start)) start += 0.02;
  let end = start;
  while (end + 0.02 <= 0.9 && clear(end + 0.02)) end += 0.02;
  return { start, end };
}

function crossesLines(stub, lines) {
  return lines.some((s) => segmentsCross(stub.a, stub.b, s.a, s.b));
}

function pointOn(c, radius, degrees) {
  return { x: c.x + Math.cos(rad(degrees)) * radius, y: c.y + Math.sin(rad(degrees)) * radius };
}

/** On the line: centred on it at points along it, then moved off it, its text leaning towards
 * the line (textBlock), so that the line passes through the text whatever its length. */
function edgeCandidates(segment, size, font) {
  const { a, b } = segment;
  const length = Math.hypot(b.x - a.x, b.y - a.y) || 1;
  const n = { x: -(b.y - a.y) / length, y: (b.x - a.x) / length };
  // the line still passes a third of a line inside the box's edge
  const off = (size.width / 2) * Math.abs(n.x) + (size.height / 2) * Math.abs(n.y) - font * LINE / 3;
  const out = [];
  for (const shift of [0, off / 2, -off / 2, off, -off]) {
    const lean = { x: -Math.sign(shift) * n.x, y: -Math.sign(shift) * n.y };
    for (let i = 0; i <= 16; i += 1) {
      const t = 0.5 + (i % 2 ? 1 : -1) * Math.ceil(i / 2) * 0.05; // 0.5, 0.45, 0.55, ...
      out.push({ ...centred(a.x + (b.x - a.x) * t + n.x * shift, a.y + (b.y - a.y) * t + n.y * shift, size), lean });
    }
  }
  return out;
}

/** Where `lines` of text stand in a label's box: their own size, pushed towards the box's
 * `lean` (the side its line passes) as far as the box allows. */
export function textBlock(box, lines, font) {
  const width = Math.max(0, ...lines.map((line) => line.length)) * font * MONO + 2 * PAD;
  const height = lines.length * font * LINE;
  const lean = box.lean ?? { x: 0, y: 0 };
  const x = box.x + box.width / 2 + (lean.x * (box.width - width)) / 2;
  const y = box.y + box.height / 2 + (lean.y * (box.height - height)) / 2;
  return { x: x - width / 2, y: y - height / 2, width, height };
}

/** Below a target, above it, or after it. */
function nextTo(box, size, across) {
  const c = centre(box);
  const below = centred(c.x, box.y + box.height + CLEAR + 1 + size.height / 2, size);
  const above = centred(c.x, box.y - CLEAR - 1 - size.height / 2, size);
  const after = across
    ? centred(box.x + box.width + CLEAR + 1 + size.width / 2, c.y, size)
    : centred(c.x, box.y + box.height + CLEAR + 1 + size.height / 2, size);
  return across ? [below, above, after] : [after, centred(box.x + box.width + CLEAR + 1 + size.width / 2, c.y, size)];
}

/** Near the targets and loss terms: below them, or in the column they make, nearest first. */
function totalCandidates(net, out, size) {
  const boxes = [...out.target.map((t) => t?.box), ...out.loss].filter(Boolean);
  if (!boxes.length) return [];
  const left = Math.min(...boxes.map((b) => b.x));
  const right = Math.max(...boxes.map((b) => b.x + b.width));
  const bottom = Math.max(...boxes.map((b) => b.y + b.height));
  const x = Math.min(Math.max((left + right) / 2, size.width / 2 + 2), net.width - size.width / 2 - 2);
  const candidates = [];
  for (let y = 0; y + size.height <= net.height; y += 6) candidates.push(centred(x, y + size.height / 2, size));
  const middle = net.orientation === "across" ? (Math.min(...boxes.map((b) => b.y)) + bottom) / 2 : bottom;
  return candidates.sort((a, b) => Math.abs(centre(a).y - middle) - Math.abs(centre(b).y - middle));
}

/** A column's title: in the band above the tallest column; a row's: above its first neuron. */
function titleCandidates(title, net, size) {
  const { x, y } = title.at;
  const r = net.radius;
  if (net.orientation === "across") {
    const top = Math.min(...net.neurons.flat().map((p) => p.y));
    return [centred(x, top - r - RING - 2 - size.height / 2, size)];
  }
  return [
    { ...size, x: Math.max(2, x - r), y: y - r - RING - 2 - size.height },
    { ...size, x: 2, y: y - r - RING - 2 - size.height },
  ];
}
