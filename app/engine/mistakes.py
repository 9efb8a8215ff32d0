"""Predict, then check: is a student's number right, and if not, which known mistake gives it?

Each mistake is one rule of the textbook step changed, the way a student gets it wrong:
`mistaken_step` runs the whole step (forward, loss, backward, update) with that one rule
changed, so the mistake propagates as a student's would (a delta without f'(z) at the
output also changes the hidden deltas and every gradient computed from them). A mistake
made at one layer is tried at each layer it can reach the asked number from, and at all of
them at once. An answer is named by the first mistake in MISTAKES whose trace gives it
while the right trace does not: they are ordered from the last phase of the step to the
first (the update, the gradients, the backward pass, the loss, the forward pass), so the
mistake nearest to the asked number explains it first.

Shapes as in network.py: z, a, delta : (batch, n); weights[l] : (n_{l+1}, n_l).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from .functions import ACTIVATIONS, output_terms_and_delta
from .network import Network, Optimizer, step, velocity_params
from .params import Params

FORWARD = ("z", "a")
LOSS = ("loss", "output_losses")
UPDATE = ("new_weights", "new_biases")
GRADIENTS = ("grad_weights", "grad_biases", *UPDATE)
BACKWARD = ("delta", *GRADIENTS)
QUANTITIES = (*FORWARD, *BACKWARD, *LOSS)
PER_SAMPLE = ("z", "a", "delta", "output_losses")  # the others are values of the whole batch
WEIGHTS = ("grad_weights", "new_weights")  # indexed [j, k]; the rest by one neuron

SIGNIFICANT_DIGITS = 4
FLOOR = 1e-12  # the tolerance at and near 0: float rounding of a value that is 0 is far below


def tolerance(expected: float) -> float:
    """One unit in the 4th significant digit of `expected` (at least FLOOR).

    |answer - expected| < tolerance accepts expected rounded to 4 significant digits (off
    by at most half a unit) and truncated to them (off by less than one unit).
    """
    if expected == 0.0 or not math.isfinite(expected):
        return FLOOR
    e = math.floor(math.log10(abs(expected)))
    e += (abs(expected) >= 10.0 ** (e + 1)) - (abs(expected) < 10.0**e)  # log10's rounding
    return max(10.0 ** (e - SIGNIFICANT_DIGITS + 1), FLOOR)


def agrees(answer: float, value: float) -> bool:
    """`answer` is `value` to 4 significant digits."""
    return abs(answer - value) < tolerance(value)


# --- the mistakes, tried in this order --------------------------------------------------


@dataclass(frozen=True)
class Mistake:
    id: str
    message: str
    changes: tuple[str, ...]  # the quantities it can change
    applies: Callable[[Network, int], bool] = lambda net, batch: True  # (network, batch size)
    layers: Callable[[Network], list[int]] | None = None  # layered: where it can be made
    options: Callable[[Network, int], range] | None = None  # one pass each (path j, input k)


def _with(*names):
    return lambda net: [l for l, f in enumerate(net.activations) if f in names]


def _output(activations=None, losses=None):
    def applies(net, batch):
        return (activations is None or net.activations[-1] in activations) and (
            losses is None or net.loss in losses
        )

    return applies


_NONLINEAR = tuple(name for name in ACTIVATIONS if name != "linear")
# elementwise activations whose f'(a) differs from f'(z): not those whose f' depends on the
# sign of z alone, which a keeps
_CURVED = tuple(
    name for name, act in ACTIVATIONS.items()
    if act.prime is not None and name not in ("linear", "relu", "leaky_relu")
)  # fmt: skip
_CROSS_ENTROPY = ("cross_entropy", "binary_cross_entropy")


def _hidden(net) -> list[int]:
    """Hidden layers whose delta gathers more than one path (layer l + 1 has n > 1)."""
    return [l for l in range(len(net.activations) - 1) if net.layer_sizes[l + 2] > 1]


MISTAKES = (
    # the update
    Mistake(
        "sign_flipped",
        "The update steps against the gradient: w_new = w − η·dE/dw, not w + η·dE/dw.",
        UPDATE,
    ),
    Mistake(
        "forgot_learning_rate",
        "The step is scaled by the learning rate: w_new = w − η·dE/dw, not w − dE/dw.",
        UPDATE,
    ),
    # the gradients
    Mistake(
        "sum_not_mean",
        "Over a batch of n samples the loss and its gradient are means, not sums: "
        "L = (1/n)·Σ_s E_s and dL/dw = (1/n)·Σ_s δ_s·a_prev,s.",
        (*GRADIENTS, "loss"),
        applies=lambda net, batch: batch > 1,
    ),
    Mistake(
        "bias_times_input",
        "A bias's input is the constant 1, so dE/db = δ (its mean over the batch), not δ·a_prev.",
        ("grad_biases", "new_biases"),
        options=lambda net, l: range(net.layer_sizes[l]),
    ),
    # the backward pass: the error that reaches a hidden neuron
    Mistake(
        "used_updated_weights",
        "A hidden delta uses the weights from before this step's update, "
        "δ_h = (Σ_j w_jh·δ_j)·f′(z_h) with the old w_jh: updating them first is the mistake "
        "in the worked example's own script.",
        BACKWARD,
        layers=lambda net: list(range(len(net.activations) - 1)),
    ),
    Mistake(
        "one_path_only",
        "A hidden neuron's error comes back along every weight that leaves it: "
        "dE/da_h = Σ_j w_jh·δ_j, summed over all the neurons j it feeds, not just one.",
        BACKWARD,
        layers=_hidden,
        options=lambda net, l: range(net.layer_sizes[l + 2]),
    ),
    # the backward pass: through the activation
    Mistake(
        "softmax_derivative_elementwise",
        "Each softmax output depends on every z, so δ = a ⊙ (dE/da − Σ_j a_j·dE/da_j) "
        "(the Jacobian's cross terms −a_i·a_j count), not dE/da · a(1 − a) alone.",
        BACKWARD,
        layers=_with("softmax"),
    ),
    Mistake(
        "sigmoid_derivative_for_tanh",
        "tanh′(z) = 1 − a², so δ = dE/da · (1 − a²); a(1 − a) is sigmoid's derivative.",
        BACKWARD,
        layers=_with("tanh"),
    ),
    Mistake(
        "z_in_place_of_a",
        "Written with the activation, f′(z) = a(1 − a) for sigmoid and 1 − a² for tanh: "
        "δ = dE/da · f′(z) takes a = f(z) there, not z.",
        BACKWARD,
        layers=_with("sigmoid", "tanh"),
    ),
    Mistake(
        "derivative_of_a",
        "The activation's derivative is taken at the weighted sum: δ = dE/da · f′(z), "
        "not f′(a) (for sigmoid f′(z) = a(1 − a)).",
        BACKWARD,
        layers=_with(*_CURVED),
    ),
    Mistake(
        "forgot_activation_derivative",
        "delta carries the error through the activation: δ = dE/da · f′(z) "
        "(for softmax, its Jacobian), not dE/da alone.",
        BACKWARD,
        layers=_with(*_NONLINEAR),
    ),
    # the backward pass: the loss's derivative
    Mistake(
        "assumed_one_hot",
        "With softmax and cross-entropy δ = a·Σ_o y_o − y; it is a − y only when the "
        "targets sum to 1.",
        BACKWARD,
        applies=_output(("softmax",), ("cross_entropy",)),
    ),
    Mistake(
        "missing_minus_sign",
        "Cross-entropy is −Σ y·log a, so dE/da = −y/a (binary: (a − y)/(a(1 − a))) keeps "
        "the minus sign; with softmax or sigmoid δ = a − y, not y − a.",
        BACKWARD,
        applies=_output(losses=_CROSS_ENTROPY),
    ),
    Mistake(
        "target_minus_output",
        "The error is output minus target: dE/da = a − y (2(a − y)/n for mse), "
        "so δ = (a − y)·f′(z); y − a has the opposite sign.",
        BACKWARD,
        applies=_output(losses=("squared_error", "mse")),
    ),
    Mistake(
        "missing_half",
        "Squared error is E = ½·Σ (a − y)²: the ½ belongs to the loss and cancels the 2 of "
        "its derivative, dE/da = a − y, not 2(a − y).",
        (*BACKWARD, *LOSS),
        applies=_output(losses=("squared_error",)),
    ),
    # the loss
    Mistake(
        "log_base_10",
        "Cross-entropy uses the natural logarithm: E = −y·ln a, not −y·log₁₀ a.",
        LOSS,
        applies=_output(losses=_CROSS_ENTROPY),
    ),
    # the forward pass
    Mistake(
        "leaky_as_relu",
        "Leaky ReLU keeps a slope of 0.01 below 0: for z < 0, a = 0.01·z and f′(z) = 0.01, "
        "not 0 as for ReLU.",
        QUANTITIES,
        layers=_with("leaky_relu"),
    ),
    Mistake(
        "skipped_activation",
        "A neuron's output is its activation, a = f(z), and the next layer takes a, "
        "not the weighted sum z.",
        QUANTITIES,
        layers=_with(*_NONLINEAR),
    ),
    Mistake(
        "forgot_bias",
        "The weighted sum includes the bias: z = Σ_k w_jk·a_k + b_j.",
        QUANTITIES,
        layers=lambda net: list(range(len(net.activations))),
    ),
)
MISTAKE_IDS = tuple(m.id for m in MISTAKES)


@dataclass(frozen=True)
class Variant:
    """One mistaken pass: the mistake, the layers it is made at, the path or input it takes."""

    mistake: Mistake
    layers: frozenset[int] = frozenset()
    option: int | None = None


def variants(net, batch: int, quantity: str, layer: int | None) -> list[Variant]:
    """Every mistaken pass that can change `quantity` (at `layer`), in the order tried.

    `net` needs layer_sizes, activations and loss only (a request's network will do).
    """
    found = []
    for m in MISTAKES:
        if quantity not in m.changes or not m.applies(net, batch):
            continue
        if m.layers is None:
            options = m.options(net, layer) if m.options else [None]
            found += [Variant(m, option=k) for k in options]
            continue
        where = [w for w in m.layers(net) if _reaches(m, w, quantity, layer)]
        if m.options:
            found += [Variant(m, frozenset({w}), k) for w in where for k in m.options(net, w)]
            continue
        found += [Variant(m, frozenset({w})) for w in where]
        if len(where) > 1:
            found.append(Variant(m, frozenset(where)))  # made at every layer
    return found


def _reaches(m: Mistake, made_at: int, quantity: str, layer: int | None) -> bool:
    """Whether a mistake made at one layer can change the quantity at `layer`."""
    if layer is None or quantity in LOSS:
        return True
    if quantity in FORWARD:
        return made_at <= layer  # the forward pass goes up
    if "z" in m.changes:
        return True  # every delta and gradient depends on the whole forward pass
    return made_at >= layer  # the backward pass comes down


# --- one step with one rule changed --------------------------------------------------------


@dataclass
class PassLayer:
    z: np.ndarray
    a: np.ndarray
    delta: np.ndarray
    grad_weights: np.ndarray
    grad_biases: np.ndarray
    new_weights: np.ndarray
    new_biases: np.ndarray


@dataclass
class Pass:
    """The numbers of a mistaken step, named as in network.StepTrace."""

    loss: float
    output_losses: np.ndarray  # (batch, n_out)
    layers: list[PassLayer]


def mistaken_step(net: Network, x, y, optimizer: Optimizer, velocity, v: Variant) -> Pass:
    """network.step with the one rule that `v` changes; x : (batch, n_0), y : (batch, n_out)."""
    mistake, L = v.mistake.id, len(net.activations)

    def at(mistake_id: str, l: int) -> bool:
        return mistake == mistake_id and l in v.layers

    names = ["relu" if at("leaky_as_relu", l) else f for l, f in enumerate(net.activations)]
    W = [np.asarray(w, dtype=np.float64) for w in net.weights]
    b = [np.asarray(c, dtype=np.float64) for c in net.biases]
    z, a = [], []
    for l in range(L):  # forward: z = a_prev W^T + b, a = f(z)
        z.append((x if l == 0 else a[-1]) @ W[l].T + (0.0 if at("forgot_bias", l) else b[l]))
        a.append(z[l].copy() if at("skipped_activation", l) else _f(names[l], z[l]))
    terms, grad_a, delta_out = output_terms_and_delta(names[-1], net.loss, z[-1], a[-1], y)
    if mistake == "missing_half":
        terms, grad_a, delta_out = 2.0 * terms, 2.0 * grad_a, 2.0 * delta_out
    elif mistake == "log_base_10":
        terms = terms / math.log(10.0)
    elif mistake in ("missing_minus_sign", "target_minus_output"):
        grad_a, delta_out = -grad_a, -delta_out  # delta is linear in dl/da
    elif mistake == "assumed_one_hot":
        delta_out = a[-1] - y
    delta = [None] * L
    delta[-1] = _delta(v, L - 1, names[-1], z[-1], a[-1], grad_a, delta_out)
    scale = 1.0 if mistake == "sum_not_mean" else 1.0 / x.shape[0]
    gW, gb = [np.zeros_like(w) for w in W], [np.zeros_like(c) for c in b]
    for l in range(L - 1, -1, -1):
        a_prev = x if l == 0 else a[l - 1]
        gW[l] = scale * (delta[l].T @ a_prev)
        k = v.option
        by = a_prev[:, [k]] if mistake == "bias_times_input" and k < a_prev.shape[1] else 1.0
        gb[l] = scale * (delta[l] * by).sum(axis=0)
        if l == 0:
            break
        W_next = W[l]
        if at("used_updated_weights", l - 1):  # as if layer l had been updated already
            W_next = _update(net, W, b, gW, gb, optimizer, velocity).weights[l]
        if at("one_path_only", l - 1):
            j = v.option
            back = delta[l][:, [j]] * W_next[j]  # only the path through neuron j of layer l
        else:
            back = delta[l] @ W_next  # dl/da_prev = delta W, every path
        delta[l - 1] = _delta(v, l - 1, names[l - 1], z[l - 1], a[l - 1], back)
    if mistake == "sign_flipped":
        optimizer = replace(optimizer, learning_rate=-optimizer.learning_rate)
    elif mistake == "forgot_learning_rate":
        optimizer = replace(optimizer, learning_rate=1.0)
    new = _update(net, W, b, gW, gb, optimizer, velocity)
    sample_losses = terms.sum(axis=1)
    return Pass(
        loss=float(sample_losses.sum() * scale),
        output_losses=terms,
        layers=[
            PassLayer(z[l], a[l], delta[l], gW[l], gb[l], new.weights[l], new.biases[l])
            for l in range(L)
        ],
    )


def _f(name: str, z: np.ndarray) -> np.ndarray:
    return ACTIVATIONS[name].f(z, np.empty_like(z))


def _delta(v: Variant, l: int, name: str, z, a, grad_a, right=None) -> np.ndarray:
    """delta = J_f(z)^T grad_a at layer l, or what the mistake makes of it there.

    `right`: the output layer's delta as output_terms_and_delta gives it (fused forms).
    """
    act, mistake = ACTIVATIONS[name], v.mistake.id if l in v.layers else None
    if mistake == "forgot_activation_derivative":
        return grad_a
    if mistake == "derivative_of_a":  # f' evaluated at a instead of z
        return grad_a * act.prime(a, _f(name, a), np.empty_like(a))
    if mistake == "z_in_place_of_a":  # f' written in terms of a (table's prime), fed z for a
        return grad_a * act.prime(z, z, np.empty_like(z))
    if mistake in ("sigmoid_derivative_for_tanh", "softmax_derivative_elementwise"):
        return grad_a * ACTIVATIONS["sigmoid"].prime(z, a, np.empty_like(a))  # a(1 - a)
    if right is not None:
        return right
    return act.backward(z, a, grad_a, np.empty_like(z))


def _update(net: Network, W, b, gW, gb, optimizer: Optimizer, velocity) -> Params:
    """The parameters after optimizer's update with the gradients gW, gb (network.Optimizer)."""
    params = Params.of(net.layer_sizes, W, b)
    grads = Params.of(net.layer_sizes, gW, gb)
    optimizer.update(params, grads, velocity_params(params, velocity), net.train_biases)
    return params


# --- the check ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    """One number of a step's trace: quantity at layer (0 = the first non-input layer),
    index (a neuron j, or (j, k) for a weight; the output o for output_losses) and sample."""

    quantity: str
    layer: int | None = None
    index: int | tuple[int, int] | None = None
    sample: int = 0


def value(trace, q: Question) -> float:
    """The asked number of a trace (network.StepTrace's lists, or a mistaken Pass's arrays)."""
    if q.quantity == "loss":
        return float(trace.loss)
    if q.quantity == "output_losses":
        return float(trace.output_losses[q.sample][q.index])
    values = getattr(trace.layers[q.layer], q.quantity)
    if q.quantity in PER_SAMPLE:
        return float(values[q.sample][q.index])
    if isinstance(q.index, tuple):  # (j, k) of a weight
        return float(values[q.index[0]][q.index[1]])
    return float(values[q.index])  # j of a bias


class NoValue(ValueError):
    """The asked number is not finite in this step (it diverges): there is nothing to check."""


@dataclass(frozen=True)
class Check:
    expected: float
    tolerance: float
    correct: bool
    mistake: Mistake | None  # the mistake that gives a wrong answer, when one does


def check(net: Network, x, y, optimizer: Optimizer, velocity, q: Question, answer) -> Check:
    """Whether `answer` (a float, or None to only reveal) is the asked number of this step,
    and if it is not, the first mistake whose step gives it."""
    with np.errstate(all="ignore"):
        expected = value(step(net, x, y, optimizer, velocity), q)
    if not math.isfinite(expected):
        raise NoValue(f"this {q.quantity} is {expected} in this step (it diverges)")
    correct = answer is not None and agrees(answer, expected)
    mistake = None
    if answer is not None and not correct:
        mistake = _first_mistake(net, x, y, optimizer, velocity, q, answer, expected)
    return Check(expected, tolerance(expected), correct, mistake)


def _first_mistake(net, x, y, optimizer, velocity, q, answer, expected) -> Mistake | None:
    for v in variants(net, x.shape[0], q.quantity, q.layer):
        with np.errstate(all="ignore"):
            mistaken = value(mistaken_step(net, x, y, optimizer, velocity, v), q)
        changed = math.isfinite(mistaken) and not agrees(mistaken, expected)
        if changed and agrees(answer, mistaken):
            return v.mistake
    return None
