"""Activations over a grid of the input plane (or line), for decision-boundary pictures."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .network import Network, Workspace


@dataclass
class Grid:
    x: np.ndarray  # (resolution,)
    y: np.ndarray | None  # (resolution,), None for a 1-input network
    layers: list[np.ndarray]  # layers[l] : (neurons, rows, cols), row i at y[i], col j at x[j]


def grid(net: Network, x_range, y_range, resolution: int, *, hidden: bool = True) -> Grid:
    xs = np.linspace(x_range[0], x_range[1], resolution)
    if net.layer_sizes[0] == 2:
        ys = np.linspace(y_range[0], y_range[1], resolution)
        gx, gy = np.meshgrid(xs, ys)  # (rows, cols)
        points, shape = np.stack([gx.ravel(), gy.ravel()], axis=1), (resolution, resolution)
    else:
        ys, points, shape = None, xs[:, None], (1, resolution)
    ws = Workspace(net)
    kept = range(len(net.activations)) if hidden else [len(net.activations) - 1]
    layers = [np.empty((net.layer_sizes[l + 1], len(points))) for l in kept]
    with np.errstate(all="ignore"):
        for start, buf, _ in ws.chunks(points):  # the memory of a chunk, not of the grid
            for out, l in zip(layers, kept):
                out[:, start : start + buf.a[l].shape[0]] = buf.a[l].T
    return Grid(xs, ys, [a.reshape(a.shape[0], *shape) for a in layers])
