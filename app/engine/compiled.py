"""Straight-line Python for small networks: one SGD step with every number a local float.

A numpy step on a 2-2-2 network is some 30 ufunc calls of about a microsecond each,
nearly all overhead; the same step written out as float arithmetic takes one or two
microseconds. train() and the step endpoint use these functions for small networks when they
are faster, the one-off cost of compiling included (see `eligible`); a traced step writes the same flat
list as network.step, which network.traced reads. The code is generated from the scalar
forms in functions.py and network.Optimizer and does what Workspace.forward/backward and
Optimizer.update do, in the same order of operations; tests check that both paths agree.

Names in the generated code: p{i}, v{i}, q{i} are parameter i (in the Params layout),
its velocity and its gradient; x{s}_{k}, y{s}_{o} the data of sample s; z{l}_{j}_{s},
a..., f... (f'(z)), g... (dl/da) and d... (delta) belong to neuron j of layer l.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from . import cost, network
from .functions import ACTIVATIONS, FUSED, LOSSES
from .network import Network, Optimizer, StepTrace
from .params import count_params, layout

# A compiled step costs about 90 ns per unit of parameters x batch size, a numpy step
# 30 to 100 us of overhead plus its work (cost.py): straight-line code wins on small
# networks only, and compiling it (about 4 us per unit and 20 us per parameter) must pay.
MAX_WORK = 2048  # parameters x batch: a bound on the length of the generated code
MAX_TRACE_WORK = 64  # a traced step compiles in under ~3 ms and pays back within a lesson
MATH = {  # what the generated code may call
    "exp": math.exp, "expm1": math.expm1, "tanh": math.tanh, "log": math.log,
    "log1p": math.log1p, "isfinite": math.isfinite,
}  # fmt: skip
PASS = ("z", "a", "f", "g", "d")  # z, a, f'(z), dl/da, delta: network.step_layout's order


def eligible(net, batch_size: int, steps: int | None = None) -> bool:
    """Whether to compile: a traced step (steps None), or training for `steps` steps."""
    if not all(ACTIVATIONS[name].scalar is not None for name in net.activations):
        return False
    fused = FUSED.get((net.activations[-1], net.loss))
    if fused is not None and fused.scalar is None:
        return False
    sizes, work = net.layer_sizes, count_params(net.layer_sizes) * batch_size
    if steps is None:
        return work <= MAX_TRACE_WORK
    saved = steps * (
        cost.numpy_step_ns(sizes, batch_size) - cost.compiled_step_ns(sizes, batch_size)
    )
    return work <= MAX_WORK and saved > cost.compile_ns(sizes, batch_size)


@lru_cache(maxsize=128)
def step_function(layer_sizes, activations, loss, batch, train_biases, momentum, regularized):
    """step(p, v, xs, ys, learning_rate, momentum, l1, l2) -> batch loss.

    p, v: parameters and velocity as flat lists in the Params layout, updated in place
    when the loss is finite (and left alone when it is not); xs, ys: lists of rows.
    """
    c = _Code(layer_sizes, activations, loss, batch)
    lines = [*c.forward_backward(), "    if not isfinite(loss):", "        return loss"]
    lines += c.update(train_biases, momentum, regularized)
    lines += [f"    p[:] = ({c.names('p')},)", f"    v[:] = ({c.names('v')},)", "    return loss"]
    return _compile(c.header("step") + lines, "step")


@lru_cache(maxsize=128)
def trace_function(layer_sizes, activations, loss, batch, train_biases, momentum, regularized):
    """trace(p, v, xs, ys, learning_rate, momentum, l1, l2) -> the step as one flat list in
    network.step_layout: the penalty, the loss terms, z, a, f'(z), dl/da and delta of each
    layer, then the gradients q, the penalty's gradients r, the velocities v and the new
    parameters p. p, v stay as they are."""
    c = _Code(layer_sizes, activations, loss, batch)
    sizes, n_weights = c.sizes, c.n_weights
    lines = c.forward_backward()
    if regularized:
        penalty = " + ".join(Optimizer.PENALTY.format(w=f"p{i}") for i in range(n_weights))
        lines.append(f"    penalty = {penalty or '0.0'}")
    values = ["penalty" if regularized else "0.0"]
    values += [f"t{s}_{o}" for s in range(batch) for o in range(sizes[-1])]
    for prefix in PASS:
        for l in range(c.L):
            values += [f"{prefix}{l}_{j}_{s}" for s in range(batch) for j in range(sizes[l + 1])]
    values += [f"q{i}" for i in range(c.n)]
    values += [f"r{i}" if regularized and i < n_weights else "0.0" for i in range(c.n)]
    lines += c.update(train_biases, momentum, regularized)  # rebinds v{i} and p{i}
    values += [f"v{i}" for i in range(c.n)] + [f"p{i}" for i in range(c.n)]
    lines.append(f"    return [{', '.join(values)}]")
    return _compile(c.header("trace") + lines, "trace")


def traced_step(net: Network, x, y, optimizer: Optimizer, velocity=None) -> StepTrace:
    """network.step() for a small network, as straight-line code: the same trace.

    If the float code raises (an overflow in a math call), numpy takes the step instead.
    """
    fn = trace_function(
        tuple(net.layer_sizes), tuple(net.activations), net.loss, x.shape[0], net.train_biases,
        bool(optimizer.momentum), bool(optimizer.l1 or optimizer.l2),
    )  # fmt: skip
    p = _flat([*net.weights, *net.biases])
    v = _flat([w for w, _ in velocity] + [b for _, b in velocity]) if velocity else [0.0] * len(p)
    try:
        flat = fn(
            p, v, x.tolist(), y.tolist(),
            optimizer.learning_rate, optimizer.momentum, optimizer.l1, optimizer.l2,
        )  # fmt: skip
    except (ArithmeticError, ValueError):
        return network.step(net, x, y, optimizer, velocity)
    return network.traced(net, x, y, flat)


def _flat(arrays) -> list[float]:
    """Weights then biases (or their velocities) as one list, in the Params layout."""
    return np.concatenate([np.ravel(a) for a in arrays]).tolist()


def _compile(lines, name):
    namespace = dict(MATH)
    exec(compile("\n".join(lines), f"<compiled {name}>", "exec"), namespace)
    return namespace[name]


class _Code:
    """Lines of generated code for one network shape and batch size."""

    def __init__(self, sizes, activations, loss, batch):
        self.sizes, self.activations, self.loss, self.batch = sizes, activations, loss, batch
        self.L = len(activations)
        self.n_weights, weight_spans, bias_spans = layout(tuple(sizes))
        self.n = bias_spans[-1][1]
        self.w = [[[a + j * n_in + k for k in range(n_in)] for j in range(n_out)]
                  for (a, _, (n_out, n_in)) in weight_spans]  # fmt: skip
        self.b = [list(range(a, stop)) for a, stop, _ in bias_spans]

    def names(self, prefix: str) -> str:
        return ", ".join(f"{prefix}{i}" for i in range(self.n))

    def header(self, name: str) -> list[str]:
        return [
            f"def {name}(p, v, xs, ys, learning_rate, momentum, l1, l2):",
            f"    {self.names('p')}, = p",
            f"    {self.names('v')}, = v",
        ]

    def forward_backward(self) -> list[str]:
        """z, a, f', dl/da, delta of every sample; loss; q = batch-mean gradients."""
        sizes, L, lines = self.sizes, self.L, []
        fused = FUSED.get((self.activations[-1], self.loss))
        for s in range(self.batch):
            lines.append(f"    {', '.join(f'x{s}_{k}' for k in range(sizes[0]))}, = xs[{s}]")
            lines.append(f"    {', '.join(f'y{s}_{o}' for o in range(sizes[-1]))}, = ys[{s}]")
            a_prev = [f"x{s}_{k}" for k in range(sizes[0])]
            for l in range(L):  # forward: z = (a_prev . w_j) + b_j, a = f(z)
                f, f_prime = ACTIVATIONS[self.activations[l]].scalar
                for j in range(sizes[l + 1]):
                    dot = " + ".join(f"{ak} * p{i}" for ak, i in zip(a_prev, self.w[l][j]))
                    z, a = f"z{l}_{j}_{s}", f"a{l}_{j}_{s}"
                    lines.append(f"    {z} = ({dot}) + p{self.b[l][j]}")
                    lines.append(f"    {a} = {f.format(z=z)}")
                    lines.append(f"    f{l}_{j}_{s} = {f_prime.format(z=z, a=a)}")
                a_prev = [f"a{l}_{j}_{s}" for j in range(sizes[l + 1])]
            for o in range(sizes[-1]):  # the loss terms, dl/da and delta at the output
                z, a, y = f"z{L - 1}_{o}_{s}", f"a{L - 1}_{o}_{s}", f"y{s}_{o}"
                term, grad = (
                    t.format(a=a, y=y, n=f"{sizes[-1]}.0") for t in LOSSES[self.loss].scalar
                )
                if fused is not None:
                    term, delta = (t.format(z=z, a=a, y=y) for t in fused.scalar)
                else:
                    delta = f"f{L - 1}_{o}_{s} * g{L - 1}_{o}_{s}"
                lines.append(f"    t{s}_{o} = {term}")
                lines.append(f"    g{L - 1}_{o}_{s} = {grad}")
                lines.append(f"    d{L - 1}_{o}_{s} = {delta}")
            for l in range(L - 1, 0, -1):  # backward: dl/da = sum_j w_jk delta_j, delta = f' dl/da
                for k in range(sizes[l]):
                    back = " + ".join(
                        f"d{l}_{j}_{s} * p{self.w[l][j][k]}" for j in range(sizes[l + 1])
                    )
                    lines.append(f"    g{l - 1}_{k}_{s} = {back}")
                    lines.append(f"    d{l - 1}_{k}_{s} = f{l - 1}_{k}_{s} * g{l - 1}_{k}_{s}")
        terms = " + ".join(f"t{s}_{o}" for s in range(self.batch) for o in range(sizes[-1]))
        lines.append(f"    loss = ({terms}) / {self.batch}.0")
        inv = repr(1.0 / self.batch)
        for l in range(L):  # gradients: mean over samples of outer(delta, a_prev)
            for j in range(sizes[l + 1]):
                for k in range(sizes[l]):
                    a_prev = [
                        f"x{s}_{k}" if l == 0 else f"a{l - 1}_{k}_{s}" for s in range(self.batch)
                    ]
                    total = " + ".join(f"d{l}_{j}_{s} * {a_prev[s]}" for s in range(self.batch))
                    lines.append(f"    q{self.w[l][j][k]} = ({total}) * {inv}")
                deltas = " + ".join(f"d{l}_{j}_{s}" for s in range(self.batch))
                lines.append(f"    q{self.b[l][j]} = ({deltas}) * {inv}")
        return lines

    def update(self, train_biases, momentum, regularized) -> list[str]:
        """r = the penalty's gradient; v = momentum v + q + r, p = p - learning_rate v."""
        lines = []
        if regularized:
            lines += [
                f"    r{i} = {Optimizer.PENALTY_GRAD.format(w=f'p{i}')}"
                for i in range(self.n_weights)
            ]
        for i in range(self.n if train_biases else self.n_weights):
            lines.append(f"    v{i} = " + (f"momentum * v{i} + q{i}" if momentum else f"q{i}"))
            if regularized and i < self.n_weights:
                lines.append(f"    v{i} = v{i} + r{i}")
            lines.append(f"    p{i} = p{i} - learning_rate * v{i}")
        return lines
