"""Finite-difference gradients, to compare against backprop.

central:    (L(w + h) - L(w - h)) / 2h                                  error O(h^2)
five_point: (-L(w + 2h) + 8 L(w + h) - 8 L(w - h) + L(w - 2h)) / 12h     error O(h^4)

L is the batch loss (mean over samples, no penalty), the quantity grad_weights is the
gradient of. relative error = |backprop - fd| / max(|backprop|, |fd|, REL_FLOOR).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .network import Network, Params, Workspace

REL_FLOOR = 1e-6  # below this size a gradient is compared absolutely (FD rounding is ~1e-10)
METHODS = {
    "central": ((1.0, 1 / 2), (-1.0, -1 / 2)),  # (offset in h, weight / h)
    "five_point": ((2.0, -1 / 12), (1.0, 8 / 12), (-1.0, -8 / 12), (-2.0, 1 / 12)),
}
DEFAULT_EPSILON = {"central": 1e-6, "five_point": 1e-3}


@dataclass
class GradCheck:
    loss: float
    backprop: Params  # grad_weights, grad_biases from backprop
    numeric: Params  # the same from finite differences
    rel_error: Params
    max_rel_error: float
    epsilon: float
    method: str


def gradcheck(net: Network, x, y, *, method: str = "central", epsilon: float | None = None):
    h = DEFAULT_EPSILON[method] if epsilon is None else epsilon
    ws = Workspace(net)
    with np.errstate(all="ignore"):
        terms = ws.backward(x, y, ws.forward(x))
        flat = ws.params.flat
        numeric = ws.params.like()
        for i in range(flat.size):
            w = flat[i]
            total = 0.0
            for offset, weight in METHODS[method]:
                flat[i] = w + offset * h
                total += weight * ws.loss(x, y)
            flat[i] = w
            numeric.flat[i] = total / h
        bp = ws.grads.flat
        rel = ws.params.like()
        scale = np.maximum(np.maximum(np.abs(bp), np.abs(numeric.flat)), REL_FLOOR)
        rel.flat[...] = np.abs(bp - numeric.flat) / scale
    return GradCheck(
        loss=float(terms.sum()) / x.shape[0],
        backprop=ws.grads,
        numeric=numeric,
        rel_error=rel,
        max_rel_error=float(rel.flat.max()) if rel.flat.size else 0.0,
        epsilon=h,
        method=method,
    )
