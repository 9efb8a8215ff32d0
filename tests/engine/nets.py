"""The networks the engine tests run on, built in one place."""

from __future__ import annotations

import numpy as np

from app.engine.network import Network, init_params


def network(
    sizes, hidden: str, output: str | None = None, loss: str = "squared_error", *, seed: int = 0,
    biases: float | str = 0.0, train_biases: bool = True,
) -> Network:  # fmt: skip
    """Xavier weights for a seed; `hidden` in every hidden layer, `output` (default: hidden
    too) in the last. biases: the same value everywhere, or "uniform" in [-0.3, 0.3]."""
    sizes = list(sizes)
    weights, zeros = init_params(sizes, "xavier", seed)
    if biases == "uniform":
        rng = np.random.default_rng([seed, 1])
        bias_values = [rng.uniform(-0.3, 0.3, b.shape) for b in zeros]
    else:
        bias_values = [np.full_like(b, biases) for b in zeros]
    activations = [hidden] * (len(sizes) - 2) + [output or hidden]
    return Network(sizes, activations, loss, weights, bias_values, train_biases)


def mazur() -> Network:
    """Matt Mazur's "A Step by Step Backpropagation Example", with its published weights."""
    return Network(
        [2, 2, 2], ["sigmoid", "sigmoid"], "squared_error",
        [np.array([[0.15, 0.20], [0.25, 0.30]]), np.array([[0.40, 0.45], [0.50, 0.55]])],
        [np.array([0.35, 0.35]), np.array([0.60, 0.60])],
        train_biases=False,
    )  # fmt: skip


MAZUR_X = np.array([[0.05, 0.10]])
MAZUR_Y = np.array([[0.01, 0.99]])
