"""Datasets (deterministic for a seed) and the preset networks that use them.

2-D sets live in the square [-1, 1]^2, except the spiral, which spans [-5, 5]^2 as in
the well-known playgrounds: its 1.75 turns are too tight for a tanh network with the
usual initialization to resolve in the unit square. Class labels are 0/1 ("binary") or
-1/+1 ("signed", for a tanh output). The 1-D regression set is y = 0.8 sin(pi x) + noise.
Noise is the standard deviation of Gaussian noise, in units of the unit square.
"""

from __future__ import annotations

import math

import numpy as np

from .network import init_params

DATASETS = {
    "xor": "points in the four quadrants, labelled by the sign of x1 * x2",
    "circle": "a disc of one class inside a ring of the other",
    "gaussian": "two Gaussian blobs",
    "spiral": "two interleaved spirals",
    "regression": "1-D regression: y = 0.8 sin(pi x) plus noise",
}


def dataset(name: str, n: int = 200, noise: float = 0.0, seed: int = 0, labels: str = "binary"):
    """(inputs, targets) : (n, n_in), (n, 1) as float64 arrays."""
    rng = np.random.default_rng(seed)
    x, y = _GENERATORS[name](rng, n, noise)
    if name != "regression" and labels == "signed":
        y = 2.0 * y - 1.0
    order = rng.permutation(n)  # the generators emit one class after the other
    return x[order], y[order].reshape(n, 1)


def split(name: str, n: int, test: int, noise: float = 0.0, seed: int = 0, labels: str = "binary"):
    """n training and `test` held-out samples from one draw: (x, y, test_x, test_y)."""
    x, y = dataset(name, n + test, noise, seed, labels)
    return x[:n], y[:n], x[n:], y[n:]


def _xor(rng, n, noise):
    x = rng.uniform(-1.0, 1.0, (n, 2))
    x += np.sign(x) * 0.05  # keep points off the axes
    label = (x[:, 0] * x[:, 1] > 0).astype(float)
    return x + rng.normal(0.0, noise, x.shape), label


def _circle(rng, n, noise):
    inner = np.arange(n) < n // 2
    r = np.where(inner, rng.uniform(0.0, 0.5, n), rng.uniform(0.7, 1.0, n))
    t = rng.uniform(0.0, 2.0 * math.pi, n)
    x = np.stack([r * np.sin(t), r * np.cos(t)], axis=1)
    return x + rng.normal(0.0, noise, x.shape), inner.astype(float)


def _gaussian(rng, n, noise):
    positive = np.arange(n) < n // 2
    centre = np.where(positive[:, None], 0.4, -0.4)
    x = centre + rng.normal(0.0, 0.15 + noise, (n, 2))
    return x, positive.astype(float)


def _spiral(rng, n, noise):
    half = n // 2
    i = np.concatenate([np.arange(half), np.arange(n - half)])
    count = np.where(np.arange(n) < half, half, n - half)
    r = SPIRAL_RADIUS * i / count
    t = 1.75 * i / count * 2.0 * math.pi + np.where(np.arange(n) < half, 0.0, math.pi)
    x = np.stack([r * np.sin(t), r * np.cos(t)], axis=1)
    noise *= SPIRAL_RADIUS
    return x + rng.normal(0.0, noise, x.shape), (np.arange(n) < half).astype(float)


SPIRAL_RADIUS = 5.0


def _regression(rng, n, noise):
    x = rng.uniform(-1.0, 1.0, (n, 1))
    return x, 0.8 * np.sin(math.pi * x[:, 0]) + rng.normal(0.0, noise, n)


_GENERATORS = {
    "xor": _xor,
    "circle": _circle,
    "gaussian": _gaussian,
    "spiral": _spiral,
    "regression": _regression,
}


# --- presets ----------------------------------------------------------------------------
# Each preset carries every training setting it uses, under the names /api/v1/train takes,
# and `train_steps`: how many SGD steps one Train takes to learn the problem (at most 10,000).
# One Train with these settings gets >= 95% of the training points right on xor, circle and
# gaussian, >= 90% on spiral and deep, and regression's loss to <= 20% of where it started
# (tests/api/test_presets.py). Plain SGD where it suffices; momentum for the two spirals.

TRAINING = {"batch_size": None, "momentum": 0.0, "l1": 0.0, "l2": 0.0, "shuffle_seed": None}

MAZUR = {
    "title": "Mazur's worked example",
    "description": (
        "The 2-2-2 sigmoid network from Matt Mazur's step-by-step backpropagation example: "
        "inputs 0.05 and 0.10, targets 0.01 and 0.99, learning rate 0.5, biases not trained."
    ),
    "network": {
        "layer_sizes": [2, 2, 2],
        "activations": ["sigmoid", "sigmoid"],
        "loss": "squared_error",
        "weights": [[[0.15, 0.20], [0.25, 0.30]], [[0.40, 0.45], [0.50, 0.55]]],
        "biases": [[0.35, 0.35], [0.60, 0.60]],
        "train_biases": False,
    },
    "inputs": [[0.05, 0.10]],
    "targets": [[0.01, 0.99]],
    **TRAINING,
    "learning_rate": 0.5,
    "train_steps": 10_000,  # the post's 10,000 iterations
    "dataset": None,
}

XOR = {
    "title": "XOR",
    "description": (
        "The four points of exclusive or: no single line separates them, one hidden layer of "
        "three tanh neurons does, in about 300 steps."
    ),
    "network": {
        "layer_sizes": [2, 3, 1],
        "activations": ["tanh", "sigmoid"],
        "loss": "binary_cross_entropy",
        "train_biases": True,
        "init": "xavier",
        "seed": 7,
    },
    "inputs": [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]],
    "targets": [[0.0], [1.0], [1.0], [0.0]],
    **TRAINING,
    "learning_rate": 1.0,
    "train_steps": 300,
    "dataset": None,
}


def _classifier(title, description, name, hidden, *, n=200, noise=0.05, seed=1, **training):
    return {
        "title": title,
        "description": description,
        "network": {
            "layer_sizes": [2, *hidden, 1],
            "activations": ["tanh"] * len(hidden) + ["sigmoid"],
            "loss": "binary_cross_entropy",
            "train_biases": True,
            "init": "xavier",
            "seed": seed,
        },
        "dataset": {
            "name": name,
            "n": n,
            "noise": noise,
            "seed": seed,
            "labels": "binary",
            "test": n // 2,
        },
        **TRAINING,
        **training,
    }


PRESETS = {
    "mazur": MAZUR,
    "xor": XOR,
    "circle": _classifier(
        "Circle",
        "A disc inside a ring: needs a curved boundary, which four tanh neurons draw.",
        "circle",
        [4],
        learning_rate=0.3,
        batch_size=20,
        shuffle_seed=1,
        train_steps=1000,
    ),
    "gaussian": _classifier(
        "Two blobs",
        "Two Gaussian blobs: nearly linearly separable, learnt in a few epochs.",
        "gaussian",
        [2],
        learning_rate=0.3,
        batch_size=20,
        shuffle_seed=1,
        train_steps=200,
    ),
    "spiral": _classifier(
        "Spiral",
        "Two interleaved spirals: hard; two tanh layers of 12, minibatches in a fresh order "
        "each epoch and momentum 0.9 learn it in 5,000 steps.",
        "spiral",
        [12, 12],
        noise=0.0,
        learning_rate=0.03,
        batch_size=10,
        momentum=0.9,
        shuffle_seed=1,
        train_steps=5000,
    ),
    "regression": {
        "title": "Regression",
        "description": "Fit y = 0.8 sin(pi x) with a tanh hidden layer and a linear output.",
        "network": {
            "layer_sizes": [1, 8, 1],
            "activations": ["tanh", "linear"],
            "loss": "mse",
            "train_biases": True,
            "init": "xavier",
            "seed": 2,
        },
        "dataset": {
            "name": "regression",
            "n": 60,
            "noise": 0.05,
            "seed": 2,
            "labels": "binary",
            "test": 30,
        },
        **TRAINING,
        "learning_rate": 0.1,
        "batch_size": 10,
        "shuffle_seed": 1,
        "train_steps": 1000,
    },
    "deep": {
        "title": "Deep spiral (2-8x6-1 tanh)",
        "description": "Six tanh hidden layers of 8 on the spiral: the largest network the well-known "
        "playgrounds draw. Labels are -1/+1 to match the tanh output. A small learning rate "
        "with momentum 0.9 keeps six layers stable; it takes the full 10,000 steps.",
        "network": {
            "layer_sizes": [2, 8, 8, 8, 8, 8, 8, 1],
            "activations": ["tanh"] * 7,
            "loss": "squared_error",
            "train_biases": True,
            "init": "xavier",
            "seed": 3,
        },
        "dataset": {
            "name": "spiral",
            "n": 300,
            "noise": 0.0,
            "seed": 3,
            "labels": "signed",
            "test": 0,
        },
        **TRAINING,
        "learning_rate": 0.003,
        "batch_size": 20,
        "momentum": 0.9,
        "shuffle_seed": 1,
        "train_steps": 10_000,
    },
}


def preset(name: str) -> dict:
    """A preset with its network initialized and its data generated (plain lists)."""
    spec = PRESETS[name]
    out = {"name": name, **{k: v for k, v in spec.items() if k != "dataset"}}
    net = {"init": "xavier", "seed": 0, **spec["network"]}
    if "weights" not in net:
        weights, biases = init_params(net["layer_sizes"], net["init"], net["seed"])
        net["weights"] = [w.tolist() for w in weights]
        net["biases"] = [b.tolist() for b in biases]
    out["network"] = net
    ds = spec["dataset"]
    out["dataset"] = ds
    out["test_inputs"] = out["test_targets"] = None
    if ds is not None:
        x, y, tx, ty = split(ds["name"], ds["n"], ds["test"], ds["noise"], ds["seed"], ds["labels"])
        out["inputs"], out["targets"] = x.tolist(), y.tolist()
        if ds["test"]:
            out["test_inputs"], out["test_targets"] = tx.tolist(), ty.tolist()
    return out
