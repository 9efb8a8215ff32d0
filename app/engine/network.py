"""Fully connected networks: initialization, forward and backward passes in place, the
optimizer, and one traced step (train.py runs many untraced ones).

Notation (the README has the table): with L non-input layers, for l = 0 .. L-1
    weights[l] : (n_{l+1}, n_l)      from neuron k of layer l to neuron j of layer l+1
    biases[l]  : (n_{l+1},)
    z[l], a[l], grad_a[l], delta[l] : (batch, n_{l+1})
    z = a_prev @ W^T + b,  a = f(z),  delta = dl/dz of each sample's own loss l
    grad_weights[l] = mean over samples of outer(delta[l], a_prev)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .functions import ACTIVATIONS, output_terms_and_delta
from .params import Params, layout

# Passes that keep only the outputs (losses, grids) run over many samples in chunks of
# about this many activations, so that their memory does not grow with the samples.
CHUNK_VALUES = 1 << 20


def chunk_size(layer_sizes) -> int:
    """Samples per pass of a chunked evaluation: about CHUNK_VALUES activations."""
    return max(1, CHUNK_VALUES // sum(layer_sizes[1:]))


@dataclass
class Network:
    layer_sizes: list[int]
    activations: list[str]  # one per non-input layer
    loss: str
    weights: list[np.ndarray]  # weights[l] : (n_{l+1}, n_l)
    biases: list[np.ndarray]  # biases[l] : (n_{l+1},)
    train_biases: bool = True


def init_params(layer_sizes, scheme: str = "xavier", seed: int = 0):
    """Deterministic weights for a seed; biases start at zero for every scheme."""
    rng = np.random.default_rng(seed)
    weights, biases = [], []
    for n_in, n_out in zip(layer_sizes, layer_sizes[1:]):
        shape = (n_out, n_in)
        if scheme == "xavier":  # Glorot uniform
            limit = math.sqrt(6.0 / (n_in + n_out))
            w = rng.uniform(-limit, limit, shape)
        elif scheme == "he":  # He normal
            w = rng.normal(0.0, math.sqrt(2.0 / n_in), shape)
        elif scheme == "uniform":
            w = rng.uniform(-0.5, 0.5, shape)
        elif scheme == "zeros":
            w = np.zeros(shape)
        else:
            raise ValueError(f"unknown init scheme {scheme!r}")
        weights.append(w)
        biases.append(np.zeros(n_out))
    return weights, biases


@dataclass
class Buffers:
    """Per-batch-size scratch arrays, reused across steps: z, a, grad_a, delta per layer."""

    z: list[np.ndarray]
    a: list[np.ndarray]
    grad_a: list[np.ndarray]
    delta: list[np.ndarray]
    ones: np.ndarray  # (batch,): ones @ delta sums over samples, far faster than np.sum


class Workspace:
    """Runs forward and backward passes for one network, in place.

    `params` holds the current weights and biases, `grads` the batch-mean gradients
    of the last backward pass, both in the `Params` layout.
    """

    def __init__(self, net: Network):
        self.net = net
        self.acts = [ACTIVATIONS[name] for name in net.activations]
        self.params = Params.of(net.layer_sizes, net.weights, net.biases)
        self.grads = self.params.like()
        self._buffers: dict[int, Buffers] = {}

    def buffers(self, batch: int) -> Buffers:
        if batch not in self._buffers:
            sizes = self.net.layer_sizes[1:]
            self._buffers[batch] = Buffers(
                *([np.empty((batch, n)) for n in sizes] for _ in range(4)), np.ones(batch)
            )
        return self._buffers[batch]

    def forward(self, x) -> Buffers:
        """z = a_prev W^T + b, a = f(z), layer by layer; x : (batch, n_0)."""
        buf = self.buffers(x.shape[0])
        a_prev = x
        for W, b, act, z, a in zip(
            self.params.weights, self.params.biases, self.acts, buf.z, buf.a
        ):
            np.matmul(a_prev, W.T, out=z)
            z += b
            act.f(z, a)
            a_prev = a
        return buf

    def backward(self, x, y, buf: Buffers) -> np.ndarray:
        """Fill delta, grad_a and the batch-mean grads; return the per-output loss terms."""
        terms, grad_a, delta = output_terms_and_delta(
            self.net.activations[-1], self.net.loss, buf.z[-1], buf.a[-1], y
        )
        buf.grad_a[-1][...] = grad_a
        buf.delta[-1][...] = delta
        W, gW, gb = self.params.weights, self.grads.weights, self.grads.biases
        for l in range(len(W) - 1, -1, -1):
            a_prev = x if l == 0 else buf.a[l - 1]
            np.matmul(buf.delta[l].T, a_prev, out=gW[l])
            np.matmul(buf.ones, buf.delta[l], out=gb[l])
            if l > 0:  # delta_{l-1} = (delta_l W_l) * f'(z_{l-1})
                np.matmul(buf.delta[l], W[l], out=buf.grad_a[l - 1])
                self.acts[l - 1].backward(
                    buf.z[l - 1], buf.a[l - 1], buf.grad_a[l - 1], buf.delta[l - 1]
                )
        self.grads.flat *= 1.0 / x.shape[0]
        return terms

    def chunks(self, x, y=None):
        """(start, buffers of a forward pass, y rows) for each chunk of the samples x."""
        size = chunk_size(self.net.layer_sizes)
        for start in range(0, x.shape[0], size):
            stop = start + size
            yield start, self.forward(x[start:stop]), None if y is None else y[start:stop]

    def output_terms(self, buf: Buffers, y) -> np.ndarray:
        """The per-output loss terms of a forward pass's outputs: (batch, n_out)."""
        return output_terms_and_delta(
            self.net.activations[-1], self.net.loss, buf.z[-1], buf.a[-1], y
        )[0]

    def loss(self, x, y) -> float:
        """Mean over samples of the loss of a forward pass (no gradients), chunk by chunk."""
        total = sum(float(self.output_terms(buf, yc).sum()) for _, buf, yc in self.chunks(x, y))
        return total / x.shape[0]

    def network(self) -> Network:
        """The network with a copy of the current parameters."""
        params = Params(self.params.layer_sizes, self.params.flat.copy())
        return Network(
            list(self.net.layer_sizes),
            list(self.net.activations),
            self.net.loss,
            params.weights,
            params.biases,
            self.net.train_biases,
        )


@dataclass
class Optimizer:
    """SGD with optional momentum and L1/L2 penalties on the weights (never the biases).

    total    = grad + l2 * w + l1 * sign(w)        (the penalty l1 |w| + l2/2 w^2)
    velocity = momentum * velocity + total          (velocity = total when momentum = 0)
    new      = old - learning_rate * velocity
    """

    learning_rate: float
    momentum: float = 0.0
    l1: float = 0.0
    l2: float = 0.0

    # for one weight {w}, in compiled.py's code: its penalty, and the penalty's gradient
    PENALTY = "l1 * abs({w}) + 0.5 * l2 * {w} * {w}"
    PENALTY_GRAD = "l2 * {w} + l1 * (1.0 if {w} > 0.0 else -1.0 if {w} < 0.0 else 0.0)"

    def penalty(self, params: Params) -> float:
        """l1 sum |w| + l2/2 sum w^2 over the weights."""
        if not (self.l1 or self.l2):
            return 0.0
        w = params.flat[: params.n_weights]
        return float(self.l1 * np.abs(w).sum() + 0.5 * self.l2 * np.dot(w, w))

    def penalty_grad(self, w: np.ndarray) -> np.ndarray:
        """l2 w + l1 sign(w), for weights w."""
        return self.l2 * w + self.l1 * np.sign(w)

    def regularization(self, params: Params) -> Params:
        """The penalty's gradient for every parameter (zero for biases)."""
        reg = params.like()
        if self.l1 or self.l2:
            reg.flat[: params.n_weights] = self.penalty_grad(params.flat[: params.n_weights])
        return reg

    def update(self, params: Params, grads: Params, velocity: Params, train_biases: bool):
        """One update in place; `velocity` ends up holding what was multiplied by the rate."""
        n = params.flat.size if train_biases else params.n_weights
        v = velocity.flat[:n]
        if self.momentum:
            v *= self.momentum
            v += grads.flat[:n]
        else:
            np.copyto(v, grads.flat[:n])
        if self.l1 or self.l2:
            v[: params.n_weights] += self.penalty_grad(params.flat[: params.n_weights])
        params.flat[:n] -= self.learning_rate * v


def velocity_params(params: Params, velocity) -> Params:
    """A zero velocity in the params layout, or the given per-layer (weights, biases) pairs."""
    vel = params.like()
    for (vw, vb), tw, tb in zip(velocity or [], vel.weights, vel.biases):
        tw[...] = vw
        tb[...] = vb
    return vel


@dataclass
class LayerTrace:
    """Everything a student computes by hand for one non-input layer of one step, as the JSON
    answer has it: lists of floats. z .. delta per sample and neuron, z[s][j] (batch, n_{l+1});
    the rest like the parameters, weights[j][k] and biases[j]."""

    weights: list[list[float]]
    biases: list[float]
    z: list[list[float]]
    a: list[list[float]]
    f_prime: list[list[float]] | None  # f'(z), None for softmax (delta uses its Jacobian)
    grad_a: list[list[float]]  # dl/da per sample: from the loss, or W_next^T delta_next
    delta: list[list[float]]
    grad_weights: list[list[float]]
    grad_biases: list[float]
    reg_weights: list[list[float]]  # the penalty's gradient l2 w + l1 sign(w)
    velocity_weights: list[list[float]]
    velocity_biases: list[float]
    new_weights: list[list[float]]
    new_biases: list[float]
    change_weights: list[list[float]]  # new_weights - weights: -learning_rate * velocity
    change_biases: list[float]  # new_biases - biases (0 when biases are not trained)


@dataclass
class StepTrace:
    """One traced step, lists of floats as in LayerTrace; `network` is an engine Network."""

    loss: float  # mean over samples of the data loss (before the update)
    penalty: float  # l1 sum|w| + l2/2 sum w^2 (before the update)
    sample_losses: list[float]  # (batch,)
    output_losses: list[list[float]]  # (batch, n_out): the per-output terms
    inputs: list[list[float]]  # (batch, n_0)
    targets: list[list[float]]  # (batch, n_out)
    outputs: list[list[float]]  # (batch, n_out)
    layers: list[LayerTrace]
    network: Network  # the updated network, or the unchanged one if the step diverged
    diverged: bool


@dataclass
class Evaluation:
    z: list[np.ndarray]
    a: list[np.ndarray]
    loss: float | None = None  # mean over samples, when targets are given
    sample_losses: np.ndarray | None = None  # (batch,)
    output_losses: np.ndarray | None = None  # (batch, n_out): the per-output terms


def evaluate(net: Network, x, y=None, *, trace: bool = True) -> Evaluation:
    """One forward pass: z and a of every layer, and the loss when targets y are given.

    Without trace, z is empty and a holds the outputs alone, computed chunk by chunk.
    """
    ws = Workspace(net)
    with np.errstate(all="ignore"):
        if trace:
            buf = ws.forward(x)
            result = Evaluation(buf.z, buf.a)
            terms = None if y is None else ws.output_terms(buf, y)
        else:
            outputs = np.empty((x.shape[0], net.layer_sizes[-1]))
            terms = None if y is None else np.empty_like(outputs)
            for start, buf, yc in ws.chunks(x, y):
                stop = start + buf.a[-1].shape[0]
                outputs[start:stop] = buf.a[-1]
                if terms is not None:
                    terms[start:stop] = ws.output_terms(buf, yc)
            result = Evaluation([], [outputs])
        if terms is not None:
            result.output_losses = terms
            result.sample_losses = terms.sum(axis=1)
            result.loss = float(result.sample_losses.mean())
    return result


def step(net: Network, x, y, optimizer: Optimizer, velocity=None) -> StepTrace:
    """One training step on the batch (x, y), with the whole trace.

    velocity: per-layer (weights, biases) pairs from the previous step, or None.
    """
    ws = Workspace(net)
    vel = velocity_params(ws.params, velocity)
    with np.errstate(all="ignore"):  # divergence is reported, not warned about
        buf = ws.forward(x)
        terms = ws.backward(x, y, buf)
        f_prime = [
            np.full_like(z, np.nan) if act.prime is None else act.prime(z, a, np.empty_like(z))
            for act, z, a in zip(ws.acts, buf.z, buf.a)
        ]
        penalty = optimizer.penalty(ws.params)
        reg = optimizer.regularization(ws.params)
        optimizer.update(ws.params, ws.grads, vel, net.train_biases)
    per_layer = [
        m.ravel() for field in (buf.z, buf.a, f_prime, buf.grad_a, buf.delta) for m in field
    ]
    flat = np.concatenate(
        [[penalty], terms.ravel(), *per_layer, ws.grads.flat, reg.flat, vel.flat, ws.params.flat]
    )
    return traced(net, x, y, flat.tolist())


@lru_cache(maxsize=256)
def step_layout(layer_sizes: tuple[int, ...], batch: int):
    """Where each number of a step sits in the flat list both engines write (this file's
    step, compiled.traced_step): the penalty; the loss terms (batch, n_out); z, a, f'(z) (NaN
    for softmax), dl/da and delta of each layer (batch, n); then, in the Params layout, the
    gradients, the penalty's gradients, the velocities and the new parameters.

    -> (size, terms, layers, new), as slices: terms and each LayerTrace field of a layer
    from z on, a list of row slices (a slice for a vector); new: the new parameters.
    """

    def rows(start, n, width):  # n rows of `width` numbers from start
        return [slice(start + i * width, start + (i + 1) * width) for i in range(n)]

    n_out, widths = layer_sizes[-1], layer_sizes[1:]
    terms, start = rows(1, batch, n_out), 1 + batch * n_out
    layers = [[] for _ in widths]
    for _ in range(5):  # z, a, f'(z), dl/da, delta
        for fields, n in zip(layers, widths):
            fields.append(rows(start, batch, n))
            start += batch * n
    _, weights, biases = layout(layer_sizes)
    for _ in range(4):  # gradients, the penalty's gradients, velocities, new parameters
        for fields, (a, _, (n_out, n_in)), (c, d, _) in zip(layers, weights, biases):
            fields += [rows(start + a, n_out, n_in), slice(start + c, start + d)]
        start += biases[-1][1]
    for fields in layers:  # the penalty's gradients of the biases are not traced (zero)
        del fields[8]
    return start, terms, layers, slice(start - biases[-1][1], start)


def sum_terms(trace: StepTrace) -> list[tuple[list, list | None]]:
    """The terms of each layer's two sums, for a student who adds them up, per layer:
    z_terms[s][j][k] = w_jk a_prev,k (so z_j = sum_k z_terms[s][j][k] + b_j), and
    grad_a_terms[s][k][j] = w_next,jk delta_next,j (so dl/da_k = sum_j grad_a_terms[s][k][j]),
    None at the output, whose dl/da comes from the loss. Shapes (batch, n, n_prev) and
    (batch, n, n_next)."""
    layers = trace.layers
    a_prev = [np.array(trace.inputs)] + [np.array(layer.a) for layer in layers[:-1]]
    with np.errstate(all="ignore"):  # a diverged step's terms overflow, as its numbers did
        z_terms = [np.array(l.weights)[None] * a[:, None, :] for l, a in zip(layers, a_prev)]
        grad_a_terms = [
            np.array(above.weights).T[None] * np.array(above.delta)[:, None, :]
            for above in layers[1:]
        ]
    return [(z.tolist(), g.tolist()) for z, g in zip(z_terms[:-1], grad_a_terms)] + [
        (z_terms[-1].tolist(), None)
    ]


def traced(net: Network, x, y, flat: list[float]) -> StepTrace:
    """The trace of a step from the flat list either engine writes (step_layout), with the
    divergence check."""
    size, terms_rows, layer_fields, new = step_layout(tuple(net.layer_sizes), len(x))
    assert len(flat) == size, "the flat list does not follow step_layout"
    terms = [flat[row] for row in terms_rows]
    sample_losses = [sum(row) for row in terms]
    loss, penalty = sum(sample_losses) / len(x), flat[0]  # loss: the mean over samples
    diverged = not (
        math.isfinite(loss) and math.isfinite(penalty) and all(map(math.isfinite, flat[new]))
    )
    layers = []
    for w, b, name, fields in zip(net.weights, net.biases, net.activations, layer_fields):
        values = [flat[f] if type(f) is slice else [flat[row] for row in f] for f in fields]
        w, b = w.tolist(), b.tolist()
        new_w, new_b = values[-2], values[-1]
        change_w = [[n - o for n, o in zip(*rows)] for rows in zip(new_w, w)]
        layer = LayerTrace(w, b, *values, change_w, [n - o for n, o in zip(new_b, b)])
        if ACTIVATIONS[name].prime is None:
            layer.f_prime = None  # softmax: its Jacobian instead
        layers.append(layer)
    updated = Network(
        list(net.layer_sizes), list(net.activations), net.loss,
        [np.array(l.new_weights) for l in layers], [np.array(l.new_biases) for l in layers],
        net.train_biases,
    )  # fmt: skip
    return StepTrace(
        loss=loss,
        penalty=penalty,
        sample_losses=sample_losses,
        output_losses=terms,
        inputs=x.tolist(),
        targets=y.tolist(),
        outputs=layers[-1].a,
        layers=layers,
        network=net if diverged else updated,
        diverged=diverged,
    )
