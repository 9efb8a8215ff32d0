"""Activations and losses, each defined once beside its derivative.

Shapes: z, a, grad_a, delta : (batch, n).  Every function writes into `out`
when given one, so the training loop can reuse its buffers.

Each table row also carries the same formula for one float (`scalar`, as a Python
expression in {z}, {a}, {y}), from which compiled.py writes straight-line code for
small networks; tests check both forms agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

LEAKY_SLOPE = 0.01
# log(a) and log(1 - a) are evaluated at a clipped into [EPS, 1 - EPS] so that an
# output of exactly 0 or 1 gives a large finite loss instead of inf or NaN.
EPS = 1e-12


def _sigmoid(z, out):
    # 1 / (1 + e^-z), the textbook form; e^-z is capped at e^700 so it never overflows
    # (for z < -700 the result is 1e-304 instead of something smaller still)
    np.negative(z, out=out)
    np.minimum(out, 700.0, out=out)
    np.exp(out, out=out)
    out += 1.0
    return np.reciprocal(out, out=out)


def _sigmoid_prime(z, a, out):
    return np.multiply(a, 1.0 - a, out=out)  # s'(z) = s(z)(1 - s(z))


def _tanh(z, out):
    return np.tanh(z, out=out)


def _tanh_prime(z, a, out):
    np.multiply(a, a, out=out)
    return np.subtract(1.0, out, out=out)  # tanh'(z) = 1 - tanh(z)^2


def _relu(z, out):
    return np.maximum(z, 0.0, out=out)


def _relu_prime(z, a, out):
    return np.greater(z, 0.0, out=out)  # 0 at z = 0, as in every framework


def _leaky_relu(z, out):
    np.multiply(z, LEAKY_SLOPE, out=out)
    return np.maximum(z, out, out=out)  # max(z, 0.01 z) is z for z > 0, 0.01 z otherwise


def _leaky_relu_prime(z, a, out):
    out.fill(LEAKY_SLOPE)
    out[z > 0.0] = 1.0
    return out


def _linear(z, out):
    np.copyto(out, z)
    return out


def _linear_prime(z, a, out):
    out.fill(1.0)
    return out


def _softmax(z, out):
    np.subtract(z, z.max(axis=1, keepdims=True), out=out)  # shift: exp never overflows
    np.exp(out, out=out)
    out /= out.sum(axis=1, keepdims=True)
    return out


@dataclass(frozen=True)
class Activation:
    """a = f(z) and its derivative f'(z) (elementwise; None for softmax)."""

    name: str
    f: Callable[[np.ndarray, np.ndarray], np.ndarray]
    prime: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray] | None
    scalar: tuple[str, str] | None  # (a from {z}, f' from {z} and {a}) for one float

    def backward(self, z, a, grad_a, out):
        """delta = J_f(z)^T grad_a, i.e. grad_a * f'(z) for elementwise f."""
        if self.prime is None:  # softmax: J^T g = a * (g - sum_j g_j a_j)
            s = np.einsum("bj,bj->b", grad_a, a)[:, None]
            np.subtract(grad_a, s, out=out)
            out *= a
            return out
        self.prime(z, a, out)
        out *= grad_a
        return out


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation(
            "sigmoid", _sigmoid, _sigmoid_prime,
            ("1.0 / (1.0 + exp(min(-{z}, 700.0)))", "{a} * (1.0 - {a})"),
        ),
        Activation("tanh", _tanh, _tanh_prime, ("tanh({z})", "1.0 - {a} * {a}")),
        Activation("relu", _relu, _relu_prime, ("max({z}, 0.0)", "(1.0 if {z} > 0.0 else 0.0)")),
        Activation(
            "leaky_relu", _leaky_relu, _leaky_relu_prime,
            (f"max({{z}}, {LEAKY_SLOPE!r} * {{z}})", f"(1.0 if {{z}} > 0.0 else {LEAKY_SLOPE!r})"),
        ),
        Activation("linear", _linear, _linear_prime, ("{z}", "1.0")),
        Activation("softmax", _softmax, None, None),  # not elementwise: numpy only
    )
}  # fmt: skip


# --- losses: per-output terms l_o (the sample loss is their sum) and dl/da --------------


def _squared_error(a, y):
    d = a - y
    return 0.5 * d * d, d  # 1/2 (a - y)^2 ; a - y


def _mse(a, y):
    d = a - y
    n = a.shape[1]
    return d * d / n, (2.0 / n) * d  # (a - y)^2 / n ; 2 (a - y) / n


def _cross_entropy(a, y):
    ac = np.clip(a, EPS, None)
    return -y * np.log(ac), -y / ac  # -y log a ; -y / a


def _binary_cross_entropy(a, y):
    ac = np.clip(a, EPS, 1.0 - EPS)
    terms = -(y * np.log(ac) + (1.0 - y) * np.log1p(-ac))
    return terms, (ac - y) / (ac * (1.0 - ac))  # ; (a - y) / (a (1 - a))


@dataclass(frozen=True)
class Loss:
    """Per-output loss terms and dl/da for a batch: (terms, grad_a), both (batch, n_out)."""

    name: str
    terms_and_grad: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
    scalar: tuple[str, str]  # (term, dl/da) for one output, in {a}, {y} and {n} = n_out


# clipped a for one float, as in the numpy forms
_CLIP_LOW = f"max({{a}}, {EPS!r})"
_CLIP_BOTH = f"min(max({{a}}, {EPS!r}), {1.0 - EPS!r})"

LOSSES: dict[str, Loss] = {
    l.name: l
    for l in (
        Loss(
            "squared_error", _squared_error,
            ("0.5 * ({a} - {y}) * ({a} - {y})", "({a} - {y})"),
        ),
        Loss("mse", _mse, ("({a} - {y}) * ({a} - {y}) / {n}", "(2.0 / {n}) * ({a} - {y})")),
        Loss(
            "cross_entropy", _cross_entropy,
            (f"-{{y}} * log({_CLIP_LOW})", f"-{{y}} / {_CLIP_LOW}"),
        ),
        Loss(
            "binary_cross_entropy", _binary_cross_entropy,
            (
                f"-({{y}} * log({_CLIP_BOTH}) + (1.0 - {{y}}) * log1p(-{_CLIP_BOTH}))",
                f"({_CLIP_BOTH} - {{y}}) / ({_CLIP_BOTH} * (1.0 - {_CLIP_BOTH}))",
            ),
        ),
    )
}  # fmt: skip

# sigmoid with binary_cross_entropy, for one float: (term from {z} and {y}, delta)
SIGMOID_BCE_SCALAR = (
    "({y} * (max(-{z}, 0.0) + log1p(exp(-abs({z})))) "
    "+ (1.0 - {y}) * (max({z}, 0.0) + log1p(exp(-abs({z})))))",
    "({a} - {y})",
)


def _log_softmax(z):
    s = z - z.max(axis=1, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=1, keepdims=True))


def _log_sigmoid(z):
    return -np.logaddexp(0.0, -z)  # log s(z) = -log(1 + e^-z), stable for any z


def output_terms_and_delta(activation: str, loss: str, z, a, y):
    """Per-output loss terms, dl/da and delta = dl/dz at the output layer.

    Softmax with cross_entropy and sigmoid with binary_cross_entropy use the exact
    fused forms (delta = a sum(y) - y, delta = a - y) and take the logs from z, so
    they stay exact where a saturates at 0 or 1 and no clipping is needed.
    """
    if activation == "softmax" and loss == "cross_entropy":
        terms = -y * _log_softmax(z)
        grad_a = -y / np.clip(a, EPS, None)
        delta = a * y.sum(axis=1, keepdims=True) - y
        return terms, grad_a, delta
    if activation == "sigmoid" and loss == "binary_cross_entropy":
        terms = -(y * _log_sigmoid(z) + (1.0 - y) * _log_sigmoid(-z))
        ac = np.clip(a, EPS, 1.0 - EPS)
        return terms, (ac - y) / (ac * (1.0 - ac)), a - y
    terms, grad_a = LOSSES[loss].terms_and_grad(a, y)
    delta = ACTIVATIONS[activation].backward(z, a, grad_a, np.empty_like(z))
    return terms, grad_a, delta
