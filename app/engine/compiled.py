"""Straight-line Python for small networks: one SGD step with every number a local float.

A numpy step on a 2-2-2 network is some 30 ufunc calls of about a microsecond each,
nearly all overhead; the same step written out as float arithmetic takes one or two
microseconds. train() uses these steps for small networks (see `eligible`). The code
is generated from the scalar forms in functions.py and does exactly what
Workspace.forward/backward and Optimizer.update do, in the same order of operations;
tests check that both paths agree.
"""

from __future__ import annotations

import math
from functools import lru_cache

from .functions import ACTIVATIONS, LOSSES, SIGMOID_BCE_SCALAR
from .params import count_params, layout

MAX_WORK = 2048  # parameters x batch size: past this numpy is as fast and the code gets long


def eligible(net, batch_size: int) -> bool:
    return (
        all(ACTIVATIONS[name].scalar is not None for name in net.activations)
        and count_params(net.layer_sizes) * batch_size <= MAX_WORK
    )


@lru_cache(maxsize=128)
def step_function(layer_sizes, activations, loss, batch, train_biases, momentum, regularized):
    """step(p, v, xs, ys, learning_rate, momentum, l1, l2) -> batch loss.

    p, v: parameters and velocity as flat lists in the Params layout, updated in place
    when the loss is finite (and left alone when it is not); xs, ys: lists of rows.
    """
    source = "\n".join(
        _source(layer_sizes, activations, loss, batch, train_biases, momentum, regularized)
    )
    namespace = {
        "exp": math.exp, "tanh": math.tanh, "log": math.log, "log1p": math.log1p,
        "isfinite": math.isfinite,
    }  # fmt: skip
    exec(compile(source, f"<compiled step {layer_sizes}>", "exec"), namespace)
    return namespace["step"]


def _source(sizes, activations, loss, batch, train_biases, momentum, regularized):
    n_weights, weight_spans, bias_spans = layout(tuple(sizes))
    n = bias_spans[-1][1]
    w = [[[f"p{a + j * n_in + k}" for k in range(n_in)] for j in range(n_out)]
         for (a, _, (n_out, n_in)) in weight_spans]  # fmt: skip
    b = [[f"p{a + j}" for j in range(stop - a)] for a, stop, _ in bias_spans]
    params = ", ".join(f"p{i}" for i in range(n))
    lines = [
        "def step(p, v, xs, ys, learning_rate, momentum, l1, l2):",
        f"    {params}, = p",
        f"    {', '.join(f'v{i}' for i in range(n))}, = v",
    ]
    L = len(activations)
    out_act = activations[-1]
    terms = []
    for s in range(batch):
        lines.append(f"    {', '.join(f'x{s}_{k}' for k in range(sizes[0]))}, = xs[{s}]")
        lines.append(f"    {', '.join(f'y{s}_{o}' for o in range(sizes[-1]))}, = ys[{s}]")
        a_prev = [f"x{s}_{k}" for k in range(sizes[0])]
        for l in range(L):  # forward: z = (a_prev . w_j) + b_j, a = f(z)
            f = ACTIVATIONS[activations[l]].scalar[0]
            for j in range(sizes[l + 1]):
                dot = " + ".join(f"{ak} * {wk}" for ak, wk in zip(a_prev, w[l][j]))
                lines.append(f"    z{l}_{j}_{s} = ({dot}) + {b[l][j]}")
                lines.append(f"    a{l}_{j}_{s} = {f.format(z=f'z{l}_{j}_{s}')}")
            a_prev = [f"a{l}_{j}_{s}" for j in range(sizes[l + 1])]
        for o in range(sizes[-1]):  # the loss and delta at the output
            z, a, y = f"z{L - 1}_{o}_{s}", f"a{L - 1}_{o}_{s}", f"y{s}_{o}"
            if out_act == "sigmoid" and loss == "binary_cross_entropy":
                term, delta = (t.format(z=z, a=a, y=y) for t in SIGMOID_BCE_SCALAR)
            else:
                term, grad = (t.format(a=a, y=y, n=f"{sizes[-1]}.0") for t in LOSSES[loss].scalar)
                prime = ACTIVATIONS[out_act].scalar[1].format(z=z, a=a)
                delta = f"({prime}) * ({grad})"
            lines.append(f"    t{o}_{s} = {term}")
            lines.append(f"    d{L - 1}_{o}_{s} = {delta}")
            terms.append(f"t{o}_{s}")
        for l in range(L - 1, 0, -1):  # backward: delta = (sum_j w_jk delta_j) f'(z)
            prime = ACTIVATIONS[activations[l - 1]].scalar[1]
            for k in range(sizes[l]):
                back = " + ".join(f"d{l}_{j}_{s} * {w[l][j][k]}" for j in range(sizes[l + 1]))
                f_prime = prime.format(z=f"z{l - 1}_{k}_{s}", a=f"a{l - 1}_{k}_{s}")
                lines.append(f"    d{l - 1}_{k}_{s} = ({f_prime}) * ({back})")
    lines.append(f"    loss = ({' + '.join(terms)}) / {batch}.0")
    lines.append("    if not isfinite(loss):")
    lines.append("        return loss")
    inv = f"{1.0 / batch!r}"
    grads = {}
    for l in range(L):  # grad_weights = mean over samples of outer(delta, a_prev)
        for j in range(sizes[l + 1]):
            for k in range(sizes[l]):
                a_prev = [f"x{s}_{k}" if l == 0 else f"a{l - 1}_{k}_{s}" for s in range(batch)]
                total = " + ".join(f"d{l}_{j}_{s} * {a_prev[s]}" for s in range(batch))
                grads[w[l][j][k]] = f"({total}) * {inv}"
            grads[b[l][j]] = f"({' + '.join(f'd{l}_{j}_{s}' for s in range(batch))}) * {inv}"
    trained = n if train_biases else n_weights
    for i in range(trained):  # the update, as Optimizer.update does it
        v = f"momentum * v{i} + {grads[f'p{i}']}" if momentum else grads[f"p{i}"]
        lines.append(f"    v{i} = {v}")
        if regularized and i < n_weights:
            sign = f"(1.0 if p{i} > 0.0 else -1.0 if p{i} < 0.0 else 0.0)"
            lines.append(f"    v{i} = v{i} + (l2 * p{i} + l1 * {sign})")
        lines.append(f"    p{i} = p{i} - learning_rate * v{i}")
    lines.append(f"    p[:] = ({params},)")
    lines.append(f"    v[:] = ({', '.join(f'v{i}' for i in range(n))},)")
    lines.append("    return loss")
    return lines
