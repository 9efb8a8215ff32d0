// The loss chart (SVG) and, for 1- and 2-input problems, the data over the network's output.

import { formatNumber, isMissing } from "./format.js";
import { neuronName } from "./layout.js";
import { clear, html, setAttrs, svg } from "./svg.js";

const RESOLUTION = 40; // pixels of a neuron's map (its grid is coarser, and smoothed)
const CHARTS = new WeakMap(); // #loss-chart -> {kind, nodes}: its elements, kept while the kind is the same

/** Train loss (solid) and test loss (dashed) against the step, with the current step marked. */
export function drawLossChart(root, store) {
  const width = 340;
  const height = 190;
  const pad = { left: 46, right: 10, top: 10, bottom: 28 }; // left grows with the labels
  setAttrs(root, { viewBox: `0 0 ${width} ${height}` });
  // only the steps the network drawn has taken: a step's loss appears with its update phase
  const shown = store.snapshot().step;
  const points = store.losses.filter((p) => p.step <= shown && !isMissing(p.loss));
  const message = (text, label) => {
    const part = parts(root, "message");
    part("message", "text", { class: "empty", x: width / 2, y: height / 2, "text-anchor": "middle" }, text);
    setAttrs(root, { "data-last-step": "", "aria-label": label });
  };
  if (store.lossHidden()) {
    // the loss before a step is often the loss the quiz asks for
    const why = store.question?.kind === "loss" ? "while you predict the loss" : "until the loss phase (the Quiz asks it)";
    return message(`Hidden ${why}`, `Loss over steps: hidden ${why}`);
  }
  if (points.length === 0) return message("The loss appears here after a step", "Loss over steps: none yet");
  const values = points.flatMap((p) => [p.loss, p.test_loss]).filter((v) => !isMissing(v));
  const largest = Math.max(...values);
  const smallest = Math.min(...values);
  // start at 0 unless the losses sit in a narrow band far from it
  let bottom = smallest > 0.5 * largest ? smallest - 0.1 * (largest - smallest || largest) : 0;
  let top = largest + 0.18 * (largest - bottom || largest || 1);
  // at least 5 % of the loss from bottom to top: a change of 0.01 % does not fill the chart
  const least = 0.05 * Math.abs(largest);
  if (top - bottom < least) [bottom, top] = [Math.max(0, (top + bottom - least) / 2), (top + bottom + least) / 2];
  const steps = points.map((p) => p.step);
  const first = Math.min(...steps);
  const last = Math.max(Math.max(...steps), first + 1);
  const x = (step) => pad.left + ((step - first) / (last - first)) * (width - pad.left - pad.right);
  const digits = Math.max(3, Math.ceil(Math.log10(Math.abs(top) / (top - bottom || 1))) + 2);
  pad.left = 14 + 6.4 * Math.max(...[0, 0.5, 1].map((f) => formatNumber(bottom + (top - bottom) * f, digits).length));
  const y = (v) => height - pad.bottom - ((v - bottom) / (top - bottom)) * (height - pad.top - pad.bottom);
  const hasTest = points.some((p) => !isMissing(p.test_loss));
  const part = parts(root, `chart ${points.length === 1} ${hasTest}`);
  for (const f of [0, 0.5, 1]) {
    const v = bottom + (top - bottom) * f;
    part(`grid ${f}`, "line", { class: "grid", x1: pad.left, x2: width - pad.right, y1: y(v), y2: y(v) });
    part(`label ${f}`, "text", { x: pad.left - 6, y: y(v) + 4, "text-anchor": "end" }, formatNumber(v, digits));
  }
  part("axis", "line", { class: "axis", x1: pad.left, x2: width - pad.right, y1: y(bottom), y2: y(bottom) });
  part("first", "text", { x: pad.left, y: height - 8 }, `step ${first}`);
  part("last", "text", { x: width - pad.right, y: height - 8, "text-anchor": "end" }, `step ${last}`);
  const path = (key) =>
    points.filter((p) => !isMissing(p[key])).map((p, i) => `${i ? "L" : "M"}${x(p.step).toFixed(1)},${y(p[key]).toFixed(1)}`).join("");
  const at = x(Math.min(shown, last));
  part("now", "line", { class: "now", x1: at, x2: at, y1: pad.top, y2: y(bottom) });
  part("train", "path", { class: "train", d: path("loss") });
  if (points.length === 1) part("point", "circle", { cx: x(points[0].step), cy: y(points[0].loss), r: 3, fill: "currentColor", class: "train" });
  if (hasTest) part("test", "path", { class: "test", d: path("test_loss") });
  part("legend", "text", { x: width - pad.right, y: pad.top + 10, "text-anchor": "end" }, hasTest ? "train (solid), test (dashed)" : "train loss");
  const latest = points[points.length - 1];
  setAttrs(root, {
    "data-last-step": latest.step,
    "aria-label":
      `Loss over ${points.length} recorded steps; at step ${latest.step} the training loss is ${formatNumber(latest.loss)}` +
      (hasTest ? ` and the test loss ${formatNumber(latest.test_loss)}` : ""),
  });
}

/**
 * The chart's elements of one kind (`kind`: which of them it has), made in drawing order the
 * first time and then only updated: `part(name, tag, attrs, text)`. Another kind starts anew.
 */
function parts(root, kind) {
  let kept = CHARTS.get(root);
  if (kept?.kind !== kind) {
    clear(root);
    kept = { kind, nodes: new Map() };
    CHARTS.set(root, kept);
  }
  return (name, tag, attrs, text = null) => {
    if (!kept.nodes.has(name)) kept.nodes.set(name, svg(tag, {}, root));
    const node = kept.nodes.get(name);
    setAttrs(node, attrs);
    if (text !== null) setText(node, text);
  };
}

export const OUTPUT_RESOLUTION = 39; // points per axis of the data plot's grid: the maps' are every other one
// of them (39 = 2 x 19 + 1), which the server computes in one forward pass (/train's grids)
export const MAP_RESOLUTION = 20; // of each neuron's map (smoothed when drawn)
const SPECS = new WeakMap(); // data -> the grids drawn for it
const MARKERS = new WeakMap(); // data -> {key, image}: the points, drawn once for a size and palette
const MAPS = new WeakMap(); // #neuron-maps -> {shape, canvases}: drawn once per architecture
const PALETTES = new WeakMap(); // canvas -> {theme, colors}
const TILES = new Map(); // "cols x rows" -> {image, tile}: reused by every paint of a grid

/**
 * The grids the data plot draws for a problem, as /api/v1/train's `grids` option takes them:
 * {x_range, y_range, resolution, maps}, or null when it draws none (other than 1 or 2
 * inputs, or fewer than 4 samples).
 */
export function gridsFor(data, layerSizes) {
  const inputs = layerSizes[0];
  if (!(inputs === 1 || inputs === 2) || data.inputs.length < 4) return null;
  const known = SPECS.get(data);
  if (known?.inputs === inputs) return known.spec;
  const range = dataRange(data, inputs);
  const spec = { x_range: range.x, y_range: range.y, resolution: OUTPUT_RESOLUTION, maps: inputs === 2 ? MAP_RESOLUTION : null };
  SPECS.set(data, { inputs, spec });
  return spec;
}

/**
 * The grids the data plot paints, from a /train answer's quantized `grids`: {x, output, maps},
 * `output` the first output neuron's grid, `maps` [layer][neuron] grids or null. A grid is
 * {rows, cols} with its values row by row from y's first: here `codes` (a byte each) with `lo`
 * and `step` (valueOf decodes them), from /predict (predictedGrids) `values`.
 */
export function decodeGrids(grids) {
  const layer = (q) => {
    const [neurons, rows, cols] = q.shape;
    const bytes = base64Bytes(q.data);
    const size = rows * cols;
    return Array.from({ length: neurons }, (_, n) => ({
      rows, cols, codes: bytes.subarray(n * size, (n + 1) * size), lo: q.lo[n], step: (q.hi[n] - q.lo[n]) / 254,
    }));
  };
  return { x: grids.x, output: layer(grids.output)[0], maps: grids.maps ? grids.maps.map(layer) : null };
}

/** The same grids from /predict's answers: `output` (its last layer), `maps` (hidden: true) or null. */
export function predictedGrids(output, maps) {
  const grid = (rows) => ({ rows: rows.length, cols: rows[0].length, values: Float64Array.from(rows.flat(), (v) => (isMissing(v) ? NaN : v)) });
  return { x: output.x, output: grid(output.layers[output.layers.length - 1][0]), maps: maps ? maps.layers.map((layer) => layer.map(grid)) : null };
}

/** The value a quantized grid's code stands for (/train's QuantizedGrid): NaN for 255, not finite. */
export function valueOf(grid, code) {
  return code === 255 ? NaN : grid.lo + code * grid.step;
}

function base64Bytes(text) {
  if (Uint8Array.fromBase64) return Uint8Array.fromBase64(text);
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/** Scatter of the data over the output as a heatmap (2 inputs) or curve (1 input). */
export async function drawDataPlot(panel, store, session) {
  const canvas = panel.querySelector("#data-plot");
  const maps = panel.querySelector("#neuron-maps");
  const { network, step } = store.snapshot(); // before the step until its update phase
  const inputs = network.layer_sizes[0];
  const spec = gridsFor(store.data, network.layer_sizes);
  if (panel.hidden !== !spec) panel.hidden = !spec;
  if (!spec) return;
  setText(panel.querySelector("h2"), inputs === 2 ? "Data and decision boundary" : "Data and the fitted curve");
  const grids = await session.predictGrid(network, spec);
  if (!grids || store.snapshot().network !== network) return;
  const range = { x: spec.x_range, y: spec.y_range };
  const colors = palette(canvas);
  const ctx = canvas.getContext("2d");
  const size = canvas.width;
  ctx.clearRect(0, 0, size, size);
  const { mid, half, lo, hi } = targetRange(store.data);
  const output = grids.output;
  const toX = (v) => ((v - range.x[0]) / (range.x[1] - range.x[0])) * size;
  if (inputs === 2) {
    const toY = (v) => size - ((v - range.y[0]) / (range.y[1] - range.y[0])) * size;
    paintGrid(ctx, output, size, size, colors, mid, half);
    ctx.drawImage(markers(store.data, size, toX, toY, mid, colors), 0, 0);
    const current = store.data.inputs[store.sampleIndex];
    ring(ctx, toX(current[0]), toY(current[1]), colors.text);
  } else {
    const curve = output.values ?? Float64Array.from(output.codes, (code) => valueOf(output, code)); // one row
    const shown = [...curve].filter((v) => !isMissing(v));
    const yLo = Math.min(lo, ...shown) - 0.2;
    const yHi = Math.max(hi, ...shown) + 0.2;
    const toY = (v) => size - ((v - yLo) / (yHi - yLo)) * size;
    ctx.fillStyle = colors.panel;
    ctx.fillRect(0, 0, size, size);
    for (const [xs, ys, hollow] of [[store.data.test_inputs, store.data.test_targets, true], [store.data.inputs, store.data.targets, false]]) {
      xs?.forEach((p, i) => marker(ctx, toX(p[0]), toY(ys[i][0]), true, hollow, colors));
    }
    ctx.strokeStyle = colors.neg;
    ctx.lineWidth = 2.5;
    ctx.beginPath();
    grids.x.forEach((v, i) => (i ? ctx.lineTo(toX(v), toY(curve[i])) : ctx.moveTo(toX(v), toY(curve[i]))));
    ctx.stroke();
  }
  const label =
    inputs === 2
      ? "The training data (circles: positive class, squares: negative; hollow: test) over the network's output"
      : "The training data (dots) and the network's output (line) over the input";
  drawNeuronMaps(maps, store, grids.maps, inputs, colors);
  setAttrs(canvas, { "aria-label": label, "data-step": step }); // the step count of the network drawn
  setAttrs(maps, { "data-step": step });
}

/** The targets' range: its middle and half its width (the colour scale's centre and unit). */
function targetRange(data) {
  const targets = data.targets.map((t) => t[0]);
  const lo = Math.min(...targets);
  const hi = Math.max(...targets);
  return { lo, hi, mid: (lo + hi) / 2, half: Math.max((hi - lo) / 2, 1e-9) };
}

/** The data points of a 2-input problem, drawn once onto a transparent canvas of their own. */
function markers(data, size, toX, toY, mid, colors) {
  const key = `${size} ${colors.pos} ${colors.neg} ${colors.panel}`;
  const kept = MARKERS.get(data);
  if (kept?.key === key) return kept.image;
  const image = new OffscreenCanvas(size, size);
  const ctx = image.getContext("2d");
  const drawSet = (xs, ys, hollow) => xs?.forEach((p, i) => marker(ctx, toX(p[0]), toY(p[1]), ys[i][0] > mid, hollow, colors));
  drawSet(data.test_inputs, data.test_targets, true);
  drawSet(data.inputs, data.targets, false);
  MARKERS.set(data, { key, image });
  return image;
}

/** A small map per neuron: the canvases are made once per architecture, then repainted. */
function drawNeuronMaps(root, store, layers, inputs, colors) {
  const sizes = store.snapshot().network.layer_sizes;
  const shape = inputs === 2 && layers ? sizes.join("-") : "";
  let built = MAPS.get(root);
  if (built?.shape !== shape) {
    clear(root);
    built = { shape, contexts: shape ? buildMaps(root, store, sizes) : [] };
    MAPS.set(root, built);
  }
  layers?.forEach((layer, i) =>
    layer.forEach((grid, j) => {
      const ctx = built.contexts[i]?.[j];
      if (ctx) paintGrid(ctx, grid, RESOLUTION, RESOLUTION, colors);
    }),
  );
}

function buildMaps(root, store, sizes) {
  return sizes.slice(1).map((n, i) => {
    const column = html("div", { class: "column" }, root);
    html("span", { class: "column-title" }, column, i === sizes.length - 2 ? "output" : `layer ${i + 1}`);
    return Array.from({ length: n }, (_, j) => {
      const name = neuronName(sizes, i + 1, j);
      const figure = html("figure", {}, column);
      const canvas = html("canvas", { width: RESOLUTION, height: RESOLUTION, role: "img", "aria-label": `activation of ${name} over the input plane` }, figure);
      html("figcaption", {}, figure, name);
      canvas.addEventListener("click", () => store.select({ kind: "neuron", layer: i + 1, index: j }));
      return canvas.getContext("2d");
    });
  });
}

/** A grid (decodeGrids) drawn as pixels (gridPixels), scaled up smoothly to width x height. */
function paintGrid(ctx, grid, width, height, colors, mid = 0, half = 1) {
  const key = `${grid.cols}x${grid.rows}`;
  if (!TILES.has(key)) {
    const tile = new OffscreenCanvas(grid.cols, grid.rows);
    TILES.set(key, { image: new ImageData(grid.cols, grid.rows), tile, context: tile.getContext("2d") });
  }
  const { image, tile, context } = TILES.get(key);
  gridPixels(image.data, grid, colors, mid, half);
  context.putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(tile, 0, 0, width, height);
}

const TABLE = new Uint8ClampedArray(4 * 256); // a quantized grid's colour of each code
const TABLE_WORDS = new Uint32Array(TABLE.buffer); // the same, 4 bytes at once

/**
 * A grid's RGBA pixels, the top row first: each value v taken as (v - mid) / half, blue for
 * positive, orange for negative, by strength (shade). A quantized grid's 256 codes are coloured
 * once, then each pixel copies its code's colour.
 */
export function gridPixels(pixels, grid, colors, mid = 0, half = 1) {
  const { rows, cols, codes, values } = grid;
  if (codes) {
    for (let code = 0; code < 256; code += 1) shade(TABLE, 4 * code, (valueOf(grid, code) - mid) / half, colors);
    const out = new Uint32Array(pixels.buffer, pixels.byteOffset, rows * cols);
    for (let r = 0; r < rows; r += 1) {
      const line = (rows - 1 - r) * cols; // the first row is the bottom one
      for (let c = 0; c < cols; c += 1) out[r * cols + c] = TABLE_WORDS[codes[line + c]];
    }
    return;
  }
  for (let r = 0; r < rows; r += 1) {
    const line = (rows - 1 - r) * cols;
    for (let c = 0; c < cols; c += 1) shade(pixels, 4 * (r * cols + c), (values[line + c] - mid) / half, colors);
  }
}

/** The colour of v at pixels[at..at + 3]: the panel's, towards --pos or --neg by min(1, |v|). */
function shade(pixels, at, v, colors) {
  const strength = Number.isFinite(v) ? Math.min(1, Math.abs(v)) * 0.55 : 0;
  const base = colors.panelRgb;
  const hue = v > 0 ? colors.posRgb : colors.negRgb;
  for (let ch = 0; ch < 3; ch += 1) pixels[at + ch] = base[ch] + (hue[ch] - base[ch]) * strength;
  pixels[at + 3] = 255;
}

/** Set a text only when it changes: an unchanged write still costs a layout. */
function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

function marker(ctx, x, y, positive, hollow, colors) {
  ctx.lineWidth = 1.5;
  ctx.strokeStyle = colors.panel;
  ctx.fillStyle = positive ? colors.pos : colors.neg;
  ctx.beginPath();
  if (positive) ctx.arc(x, y, 4.2, 0, 2 * Math.PI);
  else ctx.rect(x - 3.8, y - 3.8, 7.6, 7.6);
  if (hollow) {
    ctx.strokeStyle = positive ? colors.pos : colors.neg;
    ctx.stroke();
  } else {
    ctx.fill();
    ctx.stroke();
  }
}

function ring(ctx, x, y, color) {
  ctx.strokeStyle = color;
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.arc(x, y, 9, 0, 2 * Math.PI);
  ctx.stroke();
}

/** The plotted square: the data's extent with a margin. */
export function dataRange(data, inputs) {
  const all = [...data.inputs, ...(data.test_inputs ?? [])];
  const extent = (i) => {
    const values = all.map((p) => p[i]);
    const lo = Math.min(...values);
    const hi = Math.max(...values);
    const margin = Math.max((hi - lo) * 0.1, 0.25);
    return [lo - margin, hi + margin];
  };
  return inputs === 2 ? { x: extent(0), y: extent(1) } : { x: extent(0), y: [-1, 1] };
}

/** The theme's colours, read once per canvas and theme (reading styles costs a style pass). */
function palette(node) {
  const theme = `${document.documentElement.dataset.theme ?? ""} ${matchMedia("(prefers-color-scheme: dark)").matches}`;
  const kept = PALETTES.get(node);
  if (kept?.theme === theme) return kept.colors;
  const colors = readPalette(node);
  PALETTES.set(node, { theme, colors });
  return colors;
}

function readPalette(node) {
  const style = getComputedStyle(node);
  const read = (name) => style.getPropertyValue(name).trim();
  return {
    pos: read("--pos"),
    neg: read("--neg"),
    panel: read("--panel"),
    text: read("--text"),
    posRgb: rgb(read("--pos")),
    negRgb: rgb(read("--neg")),
    panelRgb: rgb(read("--panel")),
  };
}

function rgb(hex) {
  const value = parseInt(hex.replace("#", ""), 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}
