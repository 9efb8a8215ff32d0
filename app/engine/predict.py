"""Activations over a grid of the input plane (or line), for decision-boundary pictures."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .network import Network, Workspace


@dataclass
class Grid:
    x: np.ndarray  # (resolution,)
    y: np.ndarray | None  # (resolution,), None for a 1-input network
    layers: list[np.ndarray]  # layers[l] : (neurons, rows, cols), row i at y[i], col j at x[j]


@lru_cache(maxsize=16)
def plane(x_range, y_range, resolution: int, inputs: int):
    """(xs, ys, points, shape) of a grid over the input plane (or line): the same for every
    network a request draws (a /train answer's snapshots); read-only."""
    xs = np.linspace(x_range[0], x_range[1], resolution)
    if inputs == 2:
        ys = np.linspace(y_range[0], y_range[1], resolution)
        gx, gy = np.meshgrid(xs, ys)  # (rows, cols)
        points, shape = np.stack([gx.ravel(), gy.ravel()], axis=1), (resolution, resolution)
    else:
        ys, points, shape = None, xs[:, None], (1, resolution)
    for array in (xs, ys, points):
        if array is not None:
            array.flags.writeable = False
    return xs, ys, points, shape


def grid(net: Network, x_range, y_range, resolution: int, *, hidden: bool = True) -> Grid:
    xs, ys, points, shape = plane(tuple(x_range), tuple(y_range), resolution, net.layer_sizes[0])
    ws = Workspace(net)
    kept = range(len(net.activations)) if hidden else [len(net.activations) - 1]
    layers = [np.empty((net.layer_sizes[l + 1], len(points))) for l in kept]
    with np.errstate(all="ignore"):
        for start, buf, _ in ws.chunks(points):  # the memory of a chunk, not of the grid
            for out, l in zip(layers, kept):
                out[:, start : start + buf.a[l].shape[0]] = buf.a[l].T
    return Grid(xs, ys, [a.reshape(a.shape[0], *shape) for a in layers])


LEVELS = 254  # codes 0..254 hold a value
NOT_FINITE = 255  # the code of a value that is not finite (an overflow)


def quantize(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each neuron's grid in one byte a value: (lo, hi, codes) for values : (neurons, ...).

    lo and hi are the neuron's smallest and largest finite values (both 0 when it has none),
    code = round(254 (v - lo) / (hi - lo)) (0 where hi = lo) and 255 where v is not finite,
    so v is lo + code (hi - lo) / 254 to within (hi - lo) / 508.
    """
    flat = values.reshape(len(values), -1)
    finite = np.isfinite(flat)
    every = finite.all()
    lo = (flat if every else np.where(finite, flat, np.inf)).min(axis=1)
    hi = (flat if every else np.where(finite, flat, -np.inf)).max(axis=1)
    if not every:
        empty = ~finite.any(axis=1)
        lo[empty] = hi[empty] = 0.0
    span = (hi - lo)[:, None]
    with np.errstate(all="ignore"):
        scaled = np.rint(LEVELS * (flat - lo[:, None]) / span)
    if not every or not (span > 0).all():  # spans of 0, overflows, values that are not finite
        scaled = np.where(finite & (span > 0), np.clip(np.nan_to_num(scaled), 0, LEVELS), 0)
        scaled = np.where(finite, scaled, NOT_FINITE)
    return lo, hi, scaled.astype(np.uint8).reshape(values.shape)
