"""An independent reference: the loss of a network written the obvious way, per sample,
with none of the engine's code. Finite differences of it check the engine's backprop."""

from __future__ import annotations

import numpy as np

ACTIVATIONS = {
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "tanh": np.tanh,
    "relu": lambda z: np.where(z > 0, z, 0.0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "linear": lambda z: z,
    "elu": lambda z: np.where(z > 0, z, np.exp(np.minimum(z, 0)) - 1),
    "softplus": lambda z: np.log(1 + np.exp(z)),
    "silu": lambda z: z / (1 + np.exp(-z)),
    "softmax": lambda z: np.exp(z - z.max()) / np.exp(z - z.max()).sum(),
}

LOSSES = {
    "squared_error": lambda a, y: 0.5 * np.sum((a - y) ** 2),
    "mse": lambda a, y: np.mean((a - y) ** 2),
    "huber": lambda a, y: np.sum(
        np.where(np.abs(a - y) <= 1, 0.5 * (a - y) ** 2, np.abs(a - y) - 0.5)
    ),
    "cross_entropy": lambda a, y: -np.sum(y * np.log(a)),
    "binary_cross_entropy": lambda a, y: -np.sum(y * np.log(a) + (1 - y) * np.log(1 - a)),
}


def loss(activations, loss_name, weights, biases, x, y) -> float:
    """Mean over samples of the sample loss."""
    total = 0.0
    for xs, ys in zip(x, y):
        a = xs
        for W, b, f in zip(weights, biases, activations):
            a = ACTIVATIONS[f](W @ a + b)
        total += LOSSES[loss_name](a, ys)
    return total / len(x)


def gradients(activations, loss_name, weights, biases, x, y, h=1e-3):
    """Five-point central differences of `loss` for every weight and bias."""
    params = [p.copy() for p in (*weights, *biases)]
    n = len(weights)
    grads = []
    for p in params:
        g = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            w = p[idx]
            values = []
            for offset in (2, 1, -1, -2):
                p[idx] = w + offset * h
                values.append(loss(activations, loss_name, params[:n], params[n:], x, y))
            p[idx] = w
            g[idx] = (-values[0] + 8 * values[1] - 8 * values[2] + values[3]) / (12 * h)
        grads.append(g)
    return grads[:n], grads[n:]


def rel_error(a, b, floor=1e-6) -> float:
    return float(np.max(np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), floor)))
