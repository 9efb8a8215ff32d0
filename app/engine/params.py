"""The parameter layout: all weights, then all biases, in one flat float64 vector."""

from __future__ import annotations

from functools import lru_cache

import numpy as np


def count_params(layer_sizes) -> int:
    """Weights and biases: (n_in + 1) * n_out per layer (a loop: it runs on every request)."""
    total, n_in = 0, layer_sizes[0]
    for n_out in layer_sizes[1:]:
        total += (n_in + 1) * n_out
        n_in = n_out
    return total


class Params:
    """All weights, then all biases, as views into one flat float64 vector.

    Keeping weights first makes "update the weights only" (train_biases false) and
    regularization (weights only) one slice, and an SGD update one operation.
    """

    def __init__(self, layer_sizes, flat: np.ndarray):
        self.layer_sizes = tuple(layer_sizes)
        self.n_weights, weight_spans, bias_spans = layout(self.layer_sizes)
        self.flat = flat
        self.weights = [flat[a:b].reshape(shape) for a, b, shape in weight_spans]
        self.biases = [flat[a:b] for a, b, _ in bias_spans]

    @classmethod
    def of(cls, layer_sizes, weights, biases) -> Params:
        return cls(layer_sizes, np.concatenate([np.ravel(p) for p in (*weights, *biases)]))

    def like(self) -> Params:
        """A zero vector of the same layout (gradients, velocities)."""
        return Params(self.layer_sizes, np.zeros(self.flat.size))


@lru_cache(maxsize=256)
def layout(layer_sizes: tuple[int, ...]):
    """(n_weights, [(start, stop, shape) of each weights[l]], [... of each biases[l]])."""
    weight_spans, bias_spans, start = [], [], 0
    for n_in, n_out in zip(layer_sizes, layer_sizes[1:]):
        weight_spans.append((start, start + n_out * n_in, (n_out, n_in)))
        start += n_out * n_in
    n_weights = start
    for n_out in layer_sizes[1:]:
        bias_spans.append((start, start + n_out, (n_out,)))
        start += n_out
    return n_weights, weight_spans, bias_spans
