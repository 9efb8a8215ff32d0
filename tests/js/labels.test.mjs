// Where the diagram's labels go: on every preset's layout, across a desktop and down a phone,
// no two labels overlap, each edge's label sits on its own line and on no other, and a pulse
// that carries its number never covers another while it shows.
import assert from "node:assert/strict";
import { test } from "node:test";

import { partsOf, pulsesOf } from "../../static/js/flow.js";
import {
  boxesOverlap, boxHitsCircle, boxHitsSegment, edgeLabelBox, edgeLines, labelSize, LINE, MONO, pulseSize, pulseWindow, subText, textBlock, totalLines,
} from "../../static/js/labels.js";
import { alongEdge, layoutNetwork, phasesOf } from "../../static/js/layout.js";

// every preset's layer_sizes (tests/api/test_presets.py checks this list against the API)
export const PRESETS = {
  mazur: [2, 2, 2],
  xor: [2, 3, 1],
  circle: [2, 4, 1],
  gaussian: [2, 2, 1],
  spiral: [2, 12, 12, 1],
  regression: [1, 8, 1],
  deep: [2, 8, 8, 8, 8, 8, 8, 1],
};
// the diagram's width inside the page at 1280 x 800 and at 390 x 844, a wide screen, an embed
const WIDTHS = { desktop: 862, phone: 364, wide: 1218, embed: 600 };

/** Every label's box, named: the neuron's number, name and z or delta, biases, targets, loss
 * terms, the total, the edges' labels and a crowded diagram's titles. */
function labelBoxes(layout) {
  const { labels } = layout;
  const named = [];
  const add = (what, box) => box && named.push({ what, box });
  labels.value.forEach((column, l) => column.forEach((box, j) => add(`value ${layout.names[l][j]}`, box)));
  labels.tag.forEach((column, l) => column?.forEach((box, j) => add(`tag ${layout.names[l][j]}`, box)));
  labels.sub.forEach((column, l) => column?.forEach((box, j) => add(`sub ${layout.names[l][j]}`, box)));
  labels.bias.forEach((column, l) => column?.forEach((chip, j) => add(`bias ${layout.names[l][j]}`, chip.box)));
  labels.target.forEach((chip, o) => add(`target ${o + 1}`, chip.box));
  labels.loss.forEach((box, o) => add(`loss ${o + 1}`, box));
  add("total", labels.total);
  labels.title.forEach((box, l) => add(`title ${l}`, box));
  for (const [key, box] of Object.entries(labels.edge)) add(`edge ${key}`, box);
  return named;
}

const key = (s) => `${s.layer}:${s.to}:${s.from}`;

for (const [preset, sizes] of Object.entries(PRESETS)) {
  for (const [screen, width] of Object.entries(WIDTHS)) {
    test(`${preset} on a ${screen} (${width} px): every label has a place, none overlaps another`, () => {
      const layout = layoutNetwork(sizes, { width });
      assert.deepEqual(layout.labels.misses, [], "labels left without a free place");
      const boxes = labelBoxes(layout);
      for (const { what, box } of boxes) {
        assert.ok(box.x >= 0 && box.y >= 0 && box.x + box.width <= layout.width && box.y + box.height <= layout.height, `${what} is inside the diagram`);
      }
      for (let i = 0; i < boxes.length; i += 1) {
        for (let k = i + 1; k < boxes.length; k += 1) {
          assert.ok(!boxesOverlap(boxes[i].box, boxes[k].box), `${boxes[i].what} overlaps ${boxes[k].what}`);
        }
      }
      // a neuron's own number (and z or delta under it) stays inside its circle
      layout.neurons.forEach((column, l) => column.forEach((c, j) => {
        const own = [layout.labels.value[l]?.[j], layout.inner && l > 0 ? layout.labels.sub[l]?.[j] : null];
        for (const box of own.filter(Boolean)) {
          // the text (its box less 2 px each side), at the height of its digits' middle
          const mid = Math.abs(box.y + box.height / 2 - c.y);
          const chord = 2 * Math.sqrt(Math.max(0, layout.radius ** 2 - mid ** 2));
          const text = box.width - 4;
          assert.ok(text <= chord, `the text inside ${layout.names[l][j]} is wider (${text.toFixed(1)} px) than its circle there (${chord.toFixed(1)} px)`);
        }
      }));
      // no text on a neuron but its own number (and, on a phone, its z or delta under it)
      layout.neurons.forEach((column, l) => column.forEach((c, j) => {
        for (const { what, box } of boxes) {
          const own = what === `value ${layout.names[l][j]}` || (layout.inner && what === `sub ${layout.names[l][j]}`);
          if (!own && !what.startsWith("bias")) assert.ok(!boxHitsCircle(box, c, layout.radius + 3), `${what} is on neuron ${layout.names[l][j]}`);
        }
      }));
    });

    test(`${preset} on a ${screen}: each edge's label sits on its own line and on no other`, () => {
      const layout = layoutNetwork(sizes, { width });
      const own = layout.labelled
        ? layout.segments.map((s) => [s, layout.labels.edge[key(s)]])
        : layout.segments.map((s) => [s, edgeLabelBox(layout, layout.labels, s)]); // the selected one's
      const others = labelBoxes(layout).filter(({ what }) => !what.startsWith("edge"));
      for (const [segment, box] of own) {
        if (layout.labelled) {
          // whatever it reads, its shortest weight or its three lines at the update
          for (const lines of [[`${segment.name} 0`], edgeLines(segment.name, { weight: -0.1234, grad: 0.5 }),
            edgeLines(segment.name, { weight: 0.5, change: -0.0001234, next: 0.4999 })]) {
            const block = textBlock(box, lines, layout.fonts.edge);
            assert.ok(boxHitsSegment(block, segment.a, segment.b, -1), `${segment.name}'s label "${lines.join(" / ")}" is on its line`);
          }
          for (const other of layout.segments) {
            if (other !== segment) assert.ok(!boxHitsSegment(box, other.a, other.b), `${segment.name}'s label is on ${other.name}'s line`);
          }
          continue;
        }
        // a crowded diagram labels the selected edge: on its line (it may cross others there),
        // or where no line is, in the band below the network; it covers no other label
        const inBand = boxesOverlap(box, layout.band) && box.y >= layout.band.y;
        assert.ok(inBand || boxHitsSegment(box, segment.a, segment.b, 1), `${segment.name}'s label is on its line or in the band`);
        if (inBand) for (const s of layout.segments) assert.ok(!boxHitsSegment(box, s.a, s.b), `the band is clear of ${s.name}`);
        for (const { what, box: other } of others) assert.ok(!boxesOverlap(box, other), `${segment.name}'s label covers ${what}`);
      }
    });
  }
}

test("every text a label can hold fits its box", () => {
  const numbers = [0.35, -0.0380982, 0.000438568, -1.234567e-12, 12345.678, -0.5, 0];
  const fits = (kind, lines, font, name = "") => {
    const size = labelSize(kind, font, name);
    const width = Math.max(...lines.map((line) => line.length)) * font * MONO;
    assert.ok(width <= size.width && lines.length * font * LINE <= size.height + 1e-9, `${kind}: ${lines.join(" / ")}`);
  };
  for (const x of numbers) {
    for (const y of numbers) {
      fits("edge", edgeLines("w344", { weight: x }), 13, "w344");
      fits("edge", edgeLines("w344", { weight: x, grad: y }), 13, "w344");
      fits("edge", edgeLines("w344", { weight: x, grad: y, change: y, next: x }), 13, "w344");
    }
    fits("sub", [subText("z", x)], 14);
    fits("sub", [subText("\u03b4", x)], 14);
    fits("total", totalLines(x, { sample: 9999, batch: 10000, mean: x }), 14);
  }
});

test("a phone shows Mazur's and XOR's texts at 11 px or more", () => {
  for (const sizes of [PRESETS.mazur, PRESETS.xor]) {
    const layout = layoutNetwork(sizes, { width: WIDTHS.phone });
    assert.equal(layout.orientation, "down");
    for (const [kind, size] of Object.entries(layout.fonts)) assert.ok(size >= 11, `${kind}: ${size} px`);
  }
});

test("pulses that carry their numbers show for much of their way, and never cover one another", () => {
  for (const [preset, sizes] of Object.entries(PRESETS)) {
    for (const width of Object.values(WIDTHS)) {
      const layout = layoutNetwork(sizes, { width });
      if (!layout.labelled) continue;
      const pill = pulseSize(layout);
      const gap = layout.radius + 4;
      for (const phase of phasesOf(sizes.length - 1)) {
        for (const part of partsOf(sizes, phase, true)) {
          const { edges, backward } = pulsesOf(sizes, part);
          if (!edges.length) continue;
          const ways = edges.map((e) => ({ from: alongEdge(layout, e, backward ? 1 : 0, gap), to: alongEdge(layout, e, backward ? 0 : 1, gap) }));
          const { start, end } = pulseWindow(layout, ways, pill);
          assert.ok(end - start >= 0.3, `${preset} at ${width} px, ${phase}: pulses show from ${start.toFixed(2)} to ${end.toFixed(2)} of their way`);
          for (let t = start; t <= end + 1e-9; t += 0.01) {
            const at = ways.map(({ from, to }) => ({ x: from.x + (to.x - from.x) * t - pill.width / 2, y: from.y + (to.y - from.y) * t - pill.height / 2, ...pill }));
            for (let i = 0; i < at.length; i += 1) {
              for (const c of layout.neurons.flat()) assert.ok(!boxHitsCircle(at[i], c, layout.radius), `${preset} ${phase}: a pulse covers a neuron`);
              for (let k = i + 1; k < at.length; k += 1) assert.ok(!boxesOverlap(at[i], at[k]), `${preset} ${phase}: two pulses meet at t ${t.toFixed(2)}`);
            }
          }
        }
      }
    }
  }
});
