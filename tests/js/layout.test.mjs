// Layout math and naming for the diagram.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  alongEdge, backwardReached, describePhase, edgeWidth, forwardReached, layoutNetwork, neuronName, phasesOf,
  weightName, weightScale,
} from "../../static/js/layout.js";

test("Mazur's 2-2-2 network: 6 neurons, 8 edges, layers left to right", () => {
  const layout = layoutNetwork([2, 2, 2], { width: 960, height: 400 });
  assert.equal(layout.neurons.flat().length, 6);
  assert.equal(layout.edges.length, 8);
  const xs = layout.neurons.map((column) => column[0].x);
  assert.ok(xs[0] < xs[1] && xs[1] < xs[2]);
  for (const column of layout.neurons) assert.ok(column[0].y < column[1].y);
});

test("every neuron fits inside the box with its radius", () => {
  for (const sizes of [[2, 2, 2], [2, 8, 8, 8, 8, 8, 8, 1], [1, 8, 1], [2, 3, 1]]) {
    const layout = layoutNetwork(sizes, { width: 960, height: 600 });
    for (const p of layout.neurons.flat()) {
      assert.ok(p.x - layout.radius >= 0 && p.x + layout.radius <= 960, `x in ${sizes}`);
      assert.ok(p.y - layout.radius >= 0 && p.y + layout.radius <= 600, `y in ${sizes}`);
    }
  }
});

test("the deep preset: 51 neurons, 344 edges, neurons that do not overlap", () => {
  const layout = layoutNetwork([2, 8, 8, 8, 8, 8, 8, 1], { width: 960, height: 600 });
  assert.equal(layout.neurons.flat().length, 51);
  assert.equal(layout.edges.length, 344);
  const column = layout.neurons[1];
  assert.ok(column[1].y - column[0].y > 2 * layout.radius);
});

test("edges name the layer they feed, and from/to as in weights[l][to][from]", () => {
  const layout = layoutNetwork([2, 3, 1]);
  assert.deepEqual(layout.edges[0], { layer: 1, from: 0, to: 0 });
  assert.deepEqual(layout.edges.at(-1), { layer: 2, from: 2, to: 0 });
  const middle = alongEdge(layout, layout.edges[0], 0.5);
  const a = layout.neurons[0][0];
  const b = layout.neurons[1][0];
  assert.deepEqual(middle, { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });
});

test("weights are numbered as in Mazur's example: w5 is h1 -> o1, w8 is h2 -> o2", () => {
  const sizes = [2, 2, 2];
  assert.equal(weightName(sizes, 1, 0, 0), "w1");
  assert.equal(weightName(sizes, 1, 0, 1), "w2");
  assert.equal(weightName(sizes, 1, 1, 0), "w3");
  assert.equal(weightName(sizes, 2, 0, 0), "w5");
  assert.equal(weightName(sizes, 2, 1, 1), "w8");
  assert.equal(neuronName(sizes, 0, 1), "i2");
  assert.equal(neuronName(sizes, 1, 0), "h1");
  assert.equal(neuronName(sizes, 2, 1), "o2");
  assert.equal(neuronName([2, 8, 8, 1], 2, 3), "h2.4");
});

test("phases: forward 1..L, loss, backward L..1, update", () => {
  assert.deepEqual(phasesOf(2), ["forward-1", "forward-2", "loss", "backward-2", "backward-1", "update"]);
  assert.match(describePhase("backward-2", 2), /output layer/);
  assert.match(describePhase("forward-1", 2), /hidden layer 1/);
});

test("edge width grows with |w| and is capped; sign does not matter", () => {
  assert.equal(edgeWidth(0, 1), 1);
  assert.equal(edgeWidth(1, 1), 8);
  assert.equal(edgeWidth(-5, 1), 8);
  assert.equal(edgeWidth(0.5, 1), edgeWidth(-0.5, 1));
  assert.equal(edgeWidth(Number.NaN, 1), 1);
  assert.equal(weightScale([[[0.15, -0.2]], [[0.55]]]), 0.55);
});

test("a layer's numbers are reached once its phase has come, and stay through the update", () => {
  const phases = ["idle", ...phasesOf(2)];
  const reached = (predicate, l) => phases.filter((phase) => predicate(phase, l));
  assert.deepEqual(reached(forwardReached, 1), phases.slice(1));
  assert.deepEqual(reached(forwardReached, 2), phases.slice(2));
  assert.deepEqual(reached(backwardReached, 2), ["backward-2", "backward-1", "update"]);
  assert.deepEqual(reached(backwardReached, 1), ["backward-1", "update"]);
});
