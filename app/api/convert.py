"""Between the request models and the engine's objects, and back to JSON-ready values."""

from __future__ import annotations

import base64

import numpy as np

from ..engine.network import Network, init_params
from ..engine.predict import quantize
from .schemas import NetworkSpec


def network(spec: NetworkSpec) -> Network:
    """The engine network for a request, initialized from init and seed when it has no weights."""
    if spec.weights is None:
        weights, biases = init_params(spec.layer_sizes, spec.init, spec.seed)
    else:
        weights = [array(w) for w in spec.weights]
        biases = (
            [array(b) for b in spec.biases]
            if spec.biases is not None
            else [np.zeros(n) for n in spec.layer_sizes[1:]]
        )
    return Network(
        list(spec.layer_sizes),
        list(spec.activations),
        spec.loss,
        weights,
        biases,
        spec.train_biases,
    )


def network_out(net: Network, spec: NetworkSpec) -> dict:
    return {
        "layer_sizes": net.layer_sizes,
        "activations": net.activations,
        "loss": net.loss,
        "weights": [out(w) for w in net.weights],
        "biases": [out(b) for b in net.biases],
        "train_biases": net.train_biases,
        "init": spec.init,
        "seed": spec.seed,
    }


def array(rows) -> np.ndarray:
    return np.array(rows, dtype=np.float64)


def out(x) -> list | float | None:
    """A list (or float) for JSON. Non-finite values stay as they are: jobs.serialized
    writes them as null, which is cheaper than checking every array here."""
    return x.tolist() if isinstance(x, np.ndarray) else x


def velocity(v) -> list[tuple[np.ndarray, np.ndarray]] | None:
    """Request velocity ({weights, biases}) as the engine's per-layer pairs."""
    if v is None:
        return None
    return [(array(w), array(b)) for w, b in zip(v.weights, v.biases)]


def velocity_out(pairs) -> dict:
    return {"weights": [out(w) for w, _ in pairs], "biases": [out(b) for _, b in pairs]}


def quantized(layers: list[np.ndarray]) -> list[dict]:
    """Grids of activations, each (neurons, rows, cols), as bytes in base64
    (predict.quantize), quantized together: one pass over all their neurons."""
    lo, hi, codes = quantize(np.concatenate(layers))
    answer, start = [], 0
    for layer in layers:
        end = start + len(layer)
        answer.append({
            "shape": list(layer.shape),
            "lo": lo[start:end].tolist(),
            "hi": hi[start:end].tolist(),
            "data": base64.b64encode(codes[start:end].tobytes()).decode("ascii"),
        })  # fmt: skip
        start = end
    return answer
