// The data plot's and the neuron maps' pixels: a quantized grid of a /train answer, coloured
// through a table of its 256 codes, gives exactly the pixels of its values coloured one by one.
import assert from "node:assert/strict";
import { test } from "node:test";

import { decodeGrids, gridPixels, predictedGrids, valueOf } from "../../static/js/charts.js";

// the page's palettes (app.css): light and dark
const PALETTES = [
  { panelRgb: [0xff, 0xff, 0xff], posRgb: [0x24, 0x63, 0xb4], negRgb: [0xc2, 0x56, 0x1a] },
  { panelRgb: [0x1b, 0x1f, 0x25], posRgb: [0x79, 0xae, 0xf5], negRgb: [0xf2, 0xa2, 0x62] },
];

/** The colour of one value as the maps have always drawn it, pixel by pixel. */
function expectedPixel(value, colors, mid, half) {
  const v = value === null || Number.isNaN(value) ? NaN : (value - mid) / half;
  const strength = Number.isFinite(v) ? Math.min(1, Math.abs(v)) * 0.55 : 0;
  const hue = v > 0 ? colors.posRgb : colors.negRgb;
  const pixel = new Uint8ClampedArray(4);
  for (let ch = 0; ch < 3; ch += 1) pixel[ch] = colors.panelRgb[ch] + (hue[ch] - colors.panelRgb[ch]) * strength;
  pixel[3] = 255;
  return [...pixel];
}

/** A /train answer's QuantizedGrid of `bytes` (neurons x rows x cols). */
function quantized(shape, lo, hi, bytes) {
  return { shape, lo, hi, data: Buffer.from(bytes).toString("base64") };
}

function pixelsOf(grid, colors, mid, half) {
  const pixels = new Uint8ClampedArray(4 * grid.rows * grid.cols);
  gridPixels(pixels, grid, colors, mid, half);
  return pixels;
}

function pixel(pixels, cols, r, c) {
  return [...pixels.subarray(4 * (r * cols + c), 4 * (r * cols + c) + 4)];
}

test("a code stands for lo + code * (hi - lo) / 254; code 255 for a value that was not finite", () => {
  const { output } = decodeGrids({ x: [0, 1, 2], y: [0, 1], output: quantized([1, 2, 3], [-2], [3], [0, 127, 254, 255, 1, 2]) });
  assert.equal(valueOf(output, 0), -2);
  assert.equal(valueOf(output, 254), -2 + 254 * (5 / 254));
  assert.ok(Math.abs(valueOf(output, 254) - 3) < 1e-12);
  assert.ok(Number.isNaN(valueOf(output, 255)));
});

test("every code's colour from the table is the colour of its value, on both palettes and scales", () => {
  const codes = Array.from({ length: 256 }, (_, i) => i); // 16 x 16: every code once
  for (const colors of PALETTES) {
    for (const [lo, hi, mid, half] of [[-1, 1, 0, 1], [-0.93, 0.41, 0, 1], [0, 1, 0.5, 0.5], [-3, 2.5, 0.5, 0.5], [0.2, 0.2, 0, 1]]) {
      const { output: grid } = decodeGrids({ x: [], y: [], output: quantized([1, 16, 16], [lo], [hi], codes) });
      const pixels = pixelsOf(grid, colors, mid, half);
      for (let r = 0; r < 16; r += 1) {
        for (let c = 0; c < 16; c += 1) {
          const code = codes[(15 - r) * 16 + c]; // the first row of the grid is the bottom one
          assert.deepEqual(pixel(pixels, 16, r, c), expectedPixel(valueOf(grid, code), colors, mid, half), `code ${code}`);
        }
      }
    }
  }
});

test("a map of a /train answer and the same values from /predict give the same pixels", () => {
  const [rows, cols] = [3, 4];
  const bytes = [0, 10, 127, 200, 254, 255, 3, 90, 128, 129, 60, 250, /* neuron 2 */ 5, 5, 5, 5, 255, 255, 0, 254, 100, 110, 120, 130];
  const answer = { x: [0, 1, 2, 3], y: [0, 1, 2], output: quantized([1, 1, 1], [0], [0], [0]), maps: [quantized([2, rows, cols], [-0.8, -5], [0.6, 4], bytes)] };
  const { maps } = decodeGrids(answer);
  for (const [n, grid] of maps[0].entries()) {
    // /predict: [row][col] of values, null where not finite
    const predicted = Array.from({ length: rows }, (_, r) =>
      Array.from({ length: cols }, (_, c) => {
        const v = valueOf(grid, bytes[n * rows * cols + r * cols + c]);
        return Number.isNaN(v) ? null : v;
      }),
    );
    const same = predictedGrids({ x: answer.x, layers: [[predicted]] }, { layers: [[predicted]] });
    for (const colors of PALETTES) {
      assert.deepEqual(pixelsOf(grid, colors, 0, 1), pixelsOf(same.maps[0][0], colors, 0, 1));
      assert.deepEqual(pixelsOf(grid, colors, 0, 1), pixelsOf(same.output, colors, 0, 1));
    }
  }
});

test("the top row of the picture is the grid's last row (the largest y)", () => {
  const colors = PALETTES[0];
  const { output } = decodeGrids({ x: [0, 1], y: [0, 1], output: quantized([1, 2, 2], [-1], [1], [0, 0, 254, 254]) });
  const pixels = pixelsOf(output, colors, 0, 1);
  assert.deepEqual(pixel(pixels, 2, 0, 0), expectedPixel(1, colors, 0, 1)); // y[1]: positive
  assert.deepEqual(pixel(pixels, 2, 1, 1), expectedPixel(-1, colors, 0, 1)); // y[0]: negative
  assert.notDeepEqual(expectedPixel(1, colors, 0, 1), expectedPixel(-1, colors, 0, 1));
});
