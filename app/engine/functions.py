"""Activations and losses: one table, each function written once, in all its forms.

Every entry holds
- its numpy value and derivative (shapes z, a, grad_a, delta : (batch, n); each writes into
  `out` when given one, so the training loop can reuse its buffers);
- `scalar`: the same for one float, as Python expressions in {z}, {a}, {y} and {n}, from
  which compiled.py writes straight-line code for small networks;
- `shown`: its formulas as a student writes them (expression trees, formulas.py), which the
  Inspector renders; GET /api/v1/functions serves them with the names.
The API's validation, the page's select lists and the compiled path all read this table, so a
new function is one entry here. Tests check every form against the others, against finite
differences and against PyTorch (tests/engine/torch_reference.json).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .formulas import (
    a,
    a_j,
    a_k,
    cases,
    exp,
    g_j,
    g_k,
    half,
    log,
    maximum,
    n,
    num,
    sigma,
    sign,
    tanh,
    total,
    y,
    y_j,
    y_k,
    z,
    z_j,
    z_k,
)

LEAKY_SLOPE = 0.01
EXP_CAP = 700.0  # e^700 ~ 1e304: an exponent capped here never overflows
# log(a) and log(1 - a) are evaluated at a clipped into [EPS, 1 - EPS] so that an
# output of exactly 0 or 1 gives a large finite loss instead of inf or NaN.
EPS = 1e-12


@dataclass(frozen=True)
class Activation:
    """a = f(z) and its derivative f'(z) (elementwise; softmax has its Jacobian instead)."""

    name: str  # the API's name
    title: str  # for people, e.g. in the page's select lists
    symbol: str  # the f of a = f(z) in the Inspector
    f: Callable[[np.ndarray, np.ndarray], np.ndarray]  # f(z, out) -> a
    prime: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray] | None  # (z, a, out) -> f'
    scalar: tuple[str, str] | None  # (a from {z}, f' from {z} and {a}); None: numpy only
    shown: dict  # {"f": tree, "f_prime": tree}; softmax: {"f", "delta"}, its J^T g
    output_only: bool = False  # allowed on the output layer only

    def backward(self, z, a, grad_a, out):
        """delta = J_f(z)^T grad_a, i.e. grad_a * f'(z) for elementwise f."""
        if self.prime is None:  # softmax: J^T g = a * (g - sum_k g_k a_k)
            s = np.einsum("bj,bj->b", grad_a, a)[:, None]
            np.subtract(grad_a, s, out=out)
            out *= a
            return out
        self.prime(z, a, out)
        out *= grad_a
        return out


@dataclass(frozen=True)
class Loss:
    """Per-output loss terms l_o (the sample loss is their sum) and dl/da, for a batch."""

    name: str
    title: str
    terms_and_grad: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
    scalar: tuple[str, str]  # (term, dl/da) for one output, in {a}, {y} and {n} = n_out
    shown: dict  # {"term": tree, "grad_a": tree}


@dataclass(frozen=True)
class Fused:
    """An output activation and a loss whose delta = dl/dz simplifies: computed together,
    exactly (the logs taken from z), and shown as one formula."""

    activation: str
    loss: str
    terms_grad_delta: Callable  # (z, a, y) -> (terms, grad_a, delta), each (batch, n_out)
    scalar: tuple[str, str] | None  # (term from {z} and {y}, delta from {a} and {y})
    shown: dict  # {"delta": tree}


ACTIVATIONS: dict[str, Activation] = {}
LOSSES: dict[str, Loss] = {}
FUSED: dict[tuple[str, str], Fused] = {}


def _add(entry):
    if isinstance(entry, Activation):
        ACTIVATIONS[entry.name] = entry
    elif isinstance(entry, Loss):
        LOSSES[entry.name] = entry
    else:
        FUSED[entry.activation, entry.loss] = entry


def _sigmoid(z, out):
    # 1 / (1 + e^-z), the textbook form; e^-z is capped at e^700 so it never overflows
    # (for z < -700 the result is 1e-304 instead of something smaller still)
    np.negative(z, out=out)
    np.minimum(out, EXP_CAP, out=out)
    np.exp(out, out=out)
    out += 1.0
    return np.reciprocal(out, out=out)


_SIGMOID = f"1.0 / (1.0 + exp(min(-{{z}}, {EXP_CAP!r})))"  # the same for one float


def _sigmoid_prime(z, a, out):
    return np.multiply(a, 1.0 - a, out=out)  # s'(z) = s(z)(1 - s(z))


_add(Activation(
    "sigmoid", "sigmoid", "\u03c3", _sigmoid, _sigmoid_prime,
    scalar=(_SIGMOID, "{a} * (1.0 - {a})"),
    shown={"f": 1 / (1 + exp(-z)), "f_prime": a * (1 - a)},
))  # fmt: skip


def _tanh(z, out):
    return np.tanh(z, out=out)


def _tanh_prime(z, a, out):
    np.multiply(a, a, out=out)
    return np.subtract(1.0, out, out=out)  # tanh'(z) = 1 - tanh(z)^2


_add(Activation(
    "tanh", "tanh", "tanh", _tanh, _tanh_prime,
    scalar=("tanh({z})", "1.0 - {a} * {a}"),
    shown={"f": tanh(z), "f_prime": 1 - a**2},
))  # fmt: skip


def _relu(z, out):
    return np.maximum(z, 0.0, out=out)


def _relu_prime(z, a, out):
    return np.greater(z, 0.0, out=out)  # 0 at z = 0, as in every framework


_add(Activation(
    "relu", "ReLU", "ReLU", _relu, _relu_prime,
    scalar=("max({z}, 0.0)", "(1.0 if {z} > 0.0 else 0.0)"),
    shown={"f": maximum(0, z), "f_prime": cases((1, z > 0), otherwise=0)},
))  # fmt: skip


def _leaky_relu(z, out):
    np.multiply(z, LEAKY_SLOPE, out=out)
    return np.maximum(z, out, out=out)  # max(z, 0.01 z) is z for z > 0, 0.01 z otherwise


def _leaky_relu_prime(z, a, out):
    out.fill(LEAKY_SLOPE)
    out[z > 0.0] = 1.0
    return out


_add(Activation(
    "leaky_relu", "leaky ReLU", "LeakyReLU", _leaky_relu, _leaky_relu_prime,
    scalar=(
        f"max({{z}}, {LEAKY_SLOPE!r} * {{z}})", f"(1.0 if {{z}} > 0.0 else {LEAKY_SLOPE!r})"
    ),
    shown={
        "f": cases((z, z > 0), otherwise=LEAKY_SLOPE * z),
        "f_prime": cases((1, z > 0), otherwise=LEAKY_SLOPE),
    },
))  # fmt: skip


def _linear(z, out):
    np.copyto(out, z)
    return out


def _linear_prime(z, a, out):
    out.fill(1.0)
    return out


_add(Activation(
    "linear", "linear", "id", _linear, _linear_prime,
    scalar=("{z}", "1.0"),
    shown={"f": z, "f_prime": num(1)},
))  # fmt: skip


def _elu(z, out):
    # e^z - 1 for z <= 0 (expm1: exact near 0, never overflows at min(z, 0)), z above
    np.minimum(z, 0.0, out=out)
    np.expm1(out, out=out)
    np.copyto(out, z, where=z > 0.0)
    return out


def _elu_prime(z, a, out):
    # e^z for z <= 0, from z: a + 1 would lose all its digits where a is near -1
    np.minimum(z, 0.0, out=out)
    np.exp(out, out=out)
    out[z > 0.0] = 1.0
    return out


_add(Activation(
    "elu", "ELU", "ELU", _elu, _elu_prime,
    scalar=("({z} if {z} > 0.0 else expm1({z}))", "(1.0 if {z} > 0.0 else exp({z}))"),
    shown={
        "f": cases((z, z > 0), otherwise=exp(z) - 1),
        "f_prime": cases((1, z > 0), otherwise=exp(z)),
    },
))  # fmt: skip


def _softplus(z, out):
    # log(1 + e^z) = max(z, 0) + log(1 + e^-|z|): the exponent is never positive
    np.abs(z, out=out)
    np.negative(out, out=out)
    np.exp(out, out=out)
    np.log1p(out, out=out)
    out += np.maximum(z, 0.0)
    return out


def _softplus_prime(z, a, out):
    return _sigmoid(z, out)


_add(Activation(
    "softplus", "softplus", "softplus", _softplus, _softplus_prime,
    scalar=("max({z}, 0.0) + log1p(exp(-abs({z})))", _SIGMOID),
    shown={"f": log(1 + exp(z)), "f_prime": sigma(z)},
))  # fmt: skip


def _silu(z, out):
    _sigmoid(z, out)
    out *= z  # z s(z)
    return out


def _silu_prime(z, a, out):
    _sigmoid(z, out)
    out *= 1.0 + z * (1.0 - out)  # s(z) (1 + z (1 - s(z)))
    return out


_add(Activation(
    "silu", "SiLU (swish)", "SiLU", _silu, _silu_prime,
    scalar=(
        f"{{z}} * {_SIGMOID}",
        f"{_SIGMOID} * (1.0 + {{z}} * (1.0 - {_SIGMOID}))",
    ),
    shown={"f": z * sigma(z), "f_prime": sigma(z) * (1 + z * (1 - sigma(z)))},
))  # fmt: skip


def _softmax(z, out):
    np.subtract(z, z.max(axis=1, keepdims=True), out=out)  # shift: exp never overflows
    np.exp(out, out=out)
    out /= out.sum(axis=1, keepdims=True)
    return out


_add(Activation(
    "softmax", "softmax", "softmax", _softmax, None,
    scalar=None,  # not elementwise: numpy only
    shown={"f": exp(z_j) / total("k", exp(z_k)), "delta": a_j * (g_j - total("k", g_k * a_k))},
    output_only=True,
))  # fmt: skip


# --- losses: per-output terms l_o (the sample loss is their sum) and dl/da --------------


def _squared_error(a, y):
    d = a - y
    return 0.5 * d * d, d  # 1/2 (a - y)^2 ; a - y


_add(Loss(
    "squared_error", "squared error \u00bd\u2211(a\u2212y)\u00b2", _squared_error,
    scalar=("0.5 * ({a} - {y}) * ({a} - {y})", "({a} - {y})"),
    shown={"term": half * (a - y) ** 2, "grad_a": a - y},
))  # fmt: skip


def _mse(a, y):
    d = a - y
    n = a.shape[1]
    return d * d / n, (2.0 / n) * d  # (a - y)^2 / n ; 2 (a - y) / n


_add(Loss(
    "mse", "mean squared error", _mse,
    scalar=("({a} - {y}) * ({a} - {y}) / {n}", "(2.0 / {n}) * ({a} - {y})"),
    shown={"term": 1 / n * (a - y) ** 2, "grad_a": 2 / n * (a - y)},
))  # fmt: skip


def _huber(a, y):
    d = a - y
    c = np.clip(d, -1.0, 1.0)  # dl/da: a - y, at most 1 in size
    return 0.5 * c * c + (np.abs(d) - np.abs(c)), c  # 1/2 (a - y)^2, or |a - y| - 1/2


_HUBER_CLIP = "max(-1.0, min(1.0, {a} - {y}))"

_add(Loss(
    "huber", "Huber (quadratic up to 1)", _huber,
    scalar=(f"0.5 * {_HUBER_CLIP} * {_HUBER_CLIP} + (abs({{a}} - {{y}}) - abs({_HUBER_CLIP}))",
            _HUBER_CLIP),
    shown={
        "term": cases((half * (a - y) ** 2, abs(a - y) <= 1), otherwise=abs(a - y) - half),
        "grad_a": cases((a - y, abs(a - y) <= 1), otherwise=sign(a - y)),
    },
))  # fmt: skip

# clipped a for one float, as in the numpy forms
_CLIP_LOW = f"max({{a}}, {EPS!r})"
_CLIP_BOTH = f"min(max({{a}}, {EPS!r}), {1.0 - EPS!r})"


def _cross_entropy(a, y):
    ac = np.clip(a, EPS, None)
    return -y * np.log(ac), -y / ac  # -y log a ; -y / a


_add(Loss(
    "cross_entropy", "cross-entropy", _cross_entropy,
    scalar=(f"-{{y}} * log({_CLIP_LOW})", f"-{{y}} / {_CLIP_LOW}"),
    shown={"term": -y * log(a), "grad_a": -(y / a)},
))  # fmt: skip


def _binary_cross_entropy(a, y):
    ac = np.clip(a, EPS, 1.0 - EPS)
    terms = -(y * np.log(ac) + (1.0 - y) * np.log1p(-ac))
    return terms, (ac - y) / (ac * (1.0 - ac))  # ; (a - y) / (a (1 - a))


_add(Loss(
    "binary_cross_entropy", "binary cross-entropy", _binary_cross_entropy,
    scalar=(
        f"-({{y}} * log({_CLIP_BOTH}) + (1.0 - {{y}}) * log1p(-{_CLIP_BOTH}))",
        f"({_CLIP_BOTH} - {{y}}) / ({_CLIP_BOTH} * (1.0 - {_CLIP_BOTH}))",
    ),
    shown={"term": -(y * log(a) + (1 - y) * log(1 - a)), "grad_a": (a - y) / (a * (1 - a))},
))  # fmt: skip


# --- fused output pairs: delta simplifies, and the logs come from z ------------------------


def _log_softmax(z):
    s = z - z.max(axis=1, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=1, keepdims=True))


def _softmax_cross_entropy(z, a, y):
    terms = -y * _log_softmax(z)
    grad_a = -y / np.clip(a, EPS, None)
    return terms, grad_a, a * y.sum(axis=1, keepdims=True) - y


_add(Fused(
    "softmax", "cross_entropy", _softmax_cross_entropy,
    scalar=None,  # softmax is numpy only
    shown={"delta": a_j * total("k", y_k) - y_j},  # a_j - y_j when the targets sum to 1
))  # fmt: skip


def _log_sigmoid(z):
    return -np.logaddexp(0.0, -z)  # log s(z) = -log(1 + e^-z), stable for any z


def _sigmoid_binary_cross_entropy(z, a, y):
    terms = -(y * _log_sigmoid(z) + (1.0 - y) * _log_sigmoid(-z))
    ac = np.clip(a, EPS, 1.0 - EPS)
    return terms, (ac - y) / (ac * (1.0 - ac)), a - y


_add(Fused(
    "sigmoid", "binary_cross_entropy", _sigmoid_binary_cross_entropy,
    scalar=(
        "({y} * (max(-{z}, 0.0) + log1p(exp(-abs({z})))) "
        "+ (1.0 - {y}) * (max({z}, 0.0) + log1p(exp(-abs({z})))))",
        "({a} - {y})",
    ),
    shown={"delta": a - y},
))  # fmt: skip


def output_terms_and_delta(activation: str, loss: str, z, a, y):
    """Per-output loss terms, dl/da and delta = dl/dz at the output layer.

    A fused pair (softmax with cross_entropy, sigmoid with binary_cross_entropy) uses its
    exact form, so it stays exact where a saturates at 0 or 1 and no clipping is needed.
    """
    fused = FUSED.get((activation, loss))
    if fused is not None:
        return fused.terms_grad_delta(z, a, y)
    terms, grad_a = LOSSES[loss].terms_and_grad(a, y)
    delta = ACTIVATIONS[activation].backward(z, a, grad_a, np.empty_like(z))
    return terms, grad_a, delta


def catalog() -> dict:
    """The table as GET /api/v1/functions serves it: names and formulas, no code."""

    def trees(forms: dict) -> dict:
        return {key: form.tree for key, form in forms.items()}

    return {
        "activations": [
            {"name": act.name, "title": act.title, "symbol": act.symbol,
             "output_only": act.output_only, "f_prime": None, "delta": None,
             **trees(act.shown)}
            for act in ACTIVATIONS.values()
        ],
        "losses": [{"name": l.name, "title": l.title, **trees(l.shown)} for l in LOSSES.values()],
        "fused": [
            {"activation": f.activation, "loss": f.loss, **trees(f.shown)} for f in FUSED.values()
        ],
    }  # fmt: skip
