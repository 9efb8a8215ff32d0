"""Writes torch_reference.json: what PyTorch computes, in float64 on the CPU, for every
activation and loss of the engine's table, and for the gradients of small networks.

    pip install torch==2.13.0
    python tests/engine/make_torch_reference.py

The tests (test_torch_reference.py) compare the engine against the committed file, so
PyTorch is needed only to write it again (after adding a function: add it here too).
Nothing here uses the engine's code: the networks are written out with torch's own layers
and losses.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
OUT = Path(__file__).with_name("torch_reference.json")

Z = [-1e4, -30.0, -8.0, -2.5, -1.0, -0.3, -1e-3, 0.0, 1e-3, 0.3, 1.0, 2.5, 8.0, 30.0, 1e4]

ACTIVATIONS = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": F.relu,
    "leaky_relu": lambda z: F.leaky_relu(z, 0.01),
    "linear": lambda z: z,
    "elu": lambda z: F.elu(z, alpha=1.0),
    # beta 1; past the threshold torch returns z itself, which float64 cannot tell from
    # log(1 + e^z) once z > 37: 50 keeps the exact function on every z here
    "softplus": lambda z: F.softplus(z, beta=1.0, threshold=50.0),
    "silu": F.silu,
    "softmax": lambda z: torch.softmax(z, dim=1),
}

# per-output terms of one sample's loss (the sample loss is their sum)
LOSSES = {
    "squared_error": lambda a, y: 0.5 * (a - y) ** 2,
    "mse": lambda a, y: F.mse_loss(a, y, reduction="none") / a.shape[1],
    "huber": lambda a, y: F.huber_loss(a, y, reduction="none", delta=1.0),
    "cross_entropy": lambda a, y: -y * torch.log(a),
    "binary_cross_entropy": lambda a, y: F.binary_cross_entropy(a, y, reduction="none"),
}

# output pairs the engine fuses: their terms from z, with torch's own fused losses
FUSED = {
    ("softmax", "cross_entropy"): lambda z, y: -y * torch.log_softmax(z, dim=1),
    ("sigmoid", "binary_cross_entropy"): lambda z, y: F.binary_cross_entropy_with_logits(
        z, y, reduction="none"
    ),
}

NETWORKS = [
    ([3, 4, 2], ["elu", "linear"], "squared_error"),
    ([3, 4, 2], ["softplus", "sigmoid"], "binary_cross_entropy"),
    ([3, 4, 3], ["silu", "softmax"], "cross_entropy"),
    ([3, 4, 2], ["tanh", "elu"], "huber"),
    ([3, 4, 2], ["silu", "softplus"], "huber"),
    ([3, 4, 2], ["sigmoid", "silu"], "mse"),
    ([3, 4, 4, 3], ["elu", "softplus", "softmax"], "mse"),
    ([3, 4, 2], ["leaky_relu", "tanh"], "squared_error"),
    ([2, 2, 2], ["sigmoid", "sigmoid"], "squared_error"),
]


def values(t: torch.Tensor) -> list:
    return t.detach().numpy().tolist()


def elementwise() -> dict:
    """f(z) and f'(z) of every elementwise activation at Z."""
    out = {}
    for name, f in ACTIVATIONS.items():
        if name == "softmax":
            continue
        z = torch.tensor(Z, requires_grad=True)
        a = f(z)
        a.sum().backward()
        out[name] = {"z": Z, "a": values(a), "f_prime": values(z.grad)}
    return out


def softmax() -> dict:
    """softmax rows and delta = J^T g for some g."""
    rng = np.random.default_rng(1)
    z = torch.tensor(rng.uniform(-3, 3, (4, 3)), requires_grad=True)
    g = torch.tensor(rng.uniform(-1, 1, (4, 3)))
    a = torch.softmax(z, dim=1)
    (a * g).sum().backward()
    return {"z": values(z), "g": values(g), "a": values(a), "delta": values(z.grad)}


def losses() -> dict:
    """Per-output terms and dl/da of every loss, on outputs in (0, 1) and, for the losses
    without a log, on wider ones (Huber's both sides of |a - y| = 1)."""
    rng = np.random.default_rng(2)
    unit = (rng.uniform(0.02, 0.98, (4, 3)), rng.uniform(0, 1, (4, 3)))
    wide = (rng.uniform(-2.5, 3.5, (6, 3)), rng.uniform(-1, 1, (6, 3)))
    out = {}
    for name, loss in LOSSES.items():
        cases = [unit] if name in ("cross_entropy", "binary_cross_entropy") else [unit, wide]
        out[name] = []
        for a_values, y_values in cases:
            a = torch.tensor(a_values, requires_grad=True)
            y = torch.tensor(y_values)
            terms = loss(a, y)
            terms.sum().backward()
            out[name].append(
                {"a": values(a), "y": values(y), "terms": values(terms), "grad_a": values(a.grad)}
            )
    return out


def fused() -> list:
    """Terms and delta = dl/dz of the fused pairs, from z."""
    rng = np.random.default_rng(3)
    out = []
    for (activation, loss), terms_of in FUSED.items():
        z = torch.tensor(rng.uniform(-4, 4, (4, 3)), requires_grad=True)
        y = torch.tensor(rng.uniform(0, 1, (4, 3)))  # not summing to 1: the general form
        terms = terms_of(z, y)
        terms.sum().backward()
        out.append({
            "activation": activation, "loss": loss, "z": values(z), "y": values(y),
            "terms": values(terms), "delta": values(z.grad),
        })  # fmt: skip
    return out


def networks() -> list:
    """Loss (the mean over samples of the sum over outputs) and its gradients."""
    out = []
    for seed, (sizes, activations, loss) in enumerate(NETWORKS):
        rng = np.random.default_rng(100 + seed)
        weights = [rng.normal(0, 1.2, (n_out, n_in)) for n_in, n_out in zip(sizes, sizes[1:])]
        biases = [rng.uniform(-0.5, 0.5, n_out) for n_out in sizes[1:]]
        x = rng.uniform(-1.5, 1.5, (5, sizes[0]))
        if loss in ("cross_entropy", "binary_cross_entropy"):
            y = rng.uniform(0, 1, (5, sizes[-1]))
        else:
            y = rng.uniform(-2, 2, (5, sizes[-1]))  # Huber on both sides of its kink
        w = [torch.tensor(m, requires_grad=True) for m in weights]
        b = [torch.tensor(v, requires_grad=True) for v in biases]
        a = torch.tensor(x)
        for l, name in enumerate(activations):
            zl = F.linear(a, w[l], b[l])
            a = ACTIVATIONS[name](zl)
        target = torch.tensor(y)
        pair = (activations[-1], loss)
        terms = FUSED[pair](zl, target) if pair in FUSED else LOSSES[loss](a, target)
        total = terms.sum(dim=1).mean()
        total.backward()
        out.append({
            "layer_sizes": sizes, "activations": activations, "loss": loss,
            "weights": [m.tolist() for m in weights], "biases": [v.tolist() for v in biases],
            "inputs": x.tolist(), "targets": y.tolist(), "value": total.item(),
            "grad_weights": [values(t.grad) for t in w], "grad_biases": [values(t.grad) for t in b],
        })  # fmt: skip
    return out


def main() -> None:
    reference = {
        "torch": torch.__version__,
        "activations": elementwise(),
        "softmax": softmax(),
        "losses": losses(),
        "fused": fused(),
        "networks": networks(),
    }
    OUT.write_text(json.dumps(reference, indent=1) + "\n")
    print(f"wrote {OUT} (torch {torch.__version__})")


if __name__ == "__main__":
    main()
