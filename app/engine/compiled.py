"""Straight-line Python for small networks: one SGD step with every number a local float.

A numpy step on a 2-2-2 network is some 30 ufunc calls of about a microsecond each,
nearly all overhead; the same step written out as float arithmetic takes one or two
microseconds. train() and the step endpoint use these functions for small networks
when the one-off cost of compiling pays for itself (see `eligible`). The code is generated from the scalar forms in functions.py and does
what Workspace.forward/backward and Optimizer.update do, in the same order of
operations; tests check that both paths agree.

Names in the generated code: p{i}, v{i}, q{i} are parameter i (in the Params layout),
its velocity and its gradient; x{s}_{k}, y{s}_{o} the data of sample s; z{l}_{j}_{s},
a..., f... (f'(z)), g... (dl/da) and d... (delta) belong to neuron j of layer l.
"""

from __future__ import annotations

import math
from functools import lru_cache
from types import SimpleNamespace

from .functions import ACTIVATIONS, LOSSES, SIGMOID_BCE_SCALAR
from .network import LayerTrace, Network, Optimizer, StepTrace
from .params import count_params, layout

# Generating and compiling the code costs about 0.25 ms per unit of parameters x batch
# size, once per shape; a compiled step saves 50 to 100 us over numpy. So:
MAX_WORK = 2048  # parameters x batch: past this numpy is as fast and the code gets long
MAX_TRACE_WORK = 64  # a traced step compiles in under ~20 ms and pays back within a lesson
STEPS_PER_WORK = 4  # training compiles only when it runs this many steps per unit of work
_MATH = {
    "exp": math.exp, "tanh": math.tanh, "log": math.log, "log1p": math.log1p,
    "isfinite": math.isfinite,
}  # fmt: skip


def eligible(net, batch_size: int, steps: int | None = None) -> bool:
    """Whether to compile: a traced step (steps None), or training for `steps` steps."""
    if not all(ACTIVATIONS[name].scalar is not None for name in net.activations):
        return False
    work = count_params(net.layer_sizes) * batch_size
    if steps is None:
        return work <= min(MAX_TRACE_WORK, MAX_WORK)
    return work <= MAX_WORK and steps >= STEPS_PER_WORK * work


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
    """trace(p, v, xs, ys, learning_rate, momentum, l1, l2) -> a namespace holding the
    step's trace as nested lists (the fields of network.StepTrace, with a LayerTrace of
    lists per layer) and `params`, `velocity`: the flat lists after the update. p, v stay
    as they are.
    """
    c = _Code(layer_sizes, activations, loss, batch)
    lines = c.forward_backward()
    n_w = c.n_weights
    if regularized:
        ws = [f"p{i}" for i in range(n_w)]
        lines.append(f"    penalty = l1 * ({' + '.join(f'abs({w})' for w in ws)}) + 0.5 * l2 * "
                     f"({' + '.join(f'{w} * {w}' for w in ws)})")  # fmt: skip
    else:
        lines.append("    penalty = 0.0")
    lines += [f"    o{i} = p{i}" for i in range(c.n)]  # the parameters before the update
    lines += c.update(train_biases, momentum, regularized)
    lines.append("    return SimpleNamespace(")
    lines.append("        loss=loss, penalty=penalty,")
    lines.append(f"        sample_losses=[{', '.join(c.sample_loss(s) for s in range(batch))}],")
    lines.append(f"        output_losses={c.per_sample('t{s}_{o}', c.sizes[-1])},")
    lines.append(f"        outputs={c.per_sample(f'a{c.L - 1}_{{o}}_{{s}}', c.sizes[-1])},")
    lines.append("        layers=[")
    for l in range(c.L):
        n_out = c.sizes[l + 1]
        reg = c.matrix(
            l, lambda i: f"(l2 * o{i} + l1 * {_sign(f'o{i}')})" if regularized else "0.0"
        )
        fields = {
            "weights": c.matrix(l, lambda i: f"o{i}"),
            "biases": c.vector(l, lambda i: f"o{i}"),
            "z": c.per_sample(f"z{l}_{{o}}_{{s}}", n_out),
            "a": c.per_sample(f"a{l}_{{o}}_{{s}}", n_out),
            "f_prime": c.per_sample(f"f{l}_{{o}}_{{s}}", n_out),
            "grad_a": c.per_sample(f"g{l}_{{o}}_{{s}}", n_out),
            "delta": c.per_sample(f"d{l}_{{o}}_{{s}}", n_out),
            "grad_weights": c.matrix(l, lambda i: f"q{i}"),
            "grad_biases": c.vector(l, lambda i: f"q{i}"),
            "reg_weights": reg,
            "velocity_weights": c.matrix(l, lambda i: f"v{i}"),
            "velocity_biases": c.vector(l, lambda i: f"v{i}"),
            "new_weights": c.matrix(l, lambda i: f"p{i}"),
            "new_biases": c.vector(l, lambda i: f"p{i}"),
        }
        args = ", ".join(f"{k}={v}" for k, v in fields.items())
        lines.append(f"            LayerTrace({args}),")
    lines.append("        ],")
    lines.append(f"        params=[{c.names('p')}], velocity=[{c.names('v')}],")
    lines.append("    )")
    return _compile(c.header("trace") + lines, "trace")


def traced_step(net: Network, x, y, optimizer: Optimizer, velocity=None) -> StepTrace:
    """network.step() for a small network: the same trace, as nested lists.

    x, y, the weights and the velocity may be numpy arrays or nested lists.
    """
    p = _flat([*net.weights, *net.biases])
    v = _flat([w for w, _ in velocity] + [b for _, b in velocity]) if velocity else [0.0] * len(p)
    xs, ys = _rows(x), _rows(y)
    fn = trace_function(
        tuple(net.layer_sizes), tuple(net.activations), net.loss, len(xs), net.train_biases,
        bool(optimizer.momentum), bool(optimizer.l1 or optimizer.l2),
    )  # fmt: skip
    t = fn(p, v, xs, ys, optimizer.learning_rate, optimizer.momentum, optimizer.l1, optimizer.l2)
    diverged = not (
        math.isfinite(t.loss) and math.isfinite(t.penalty) and all(map(math.isfinite, t.params))
    )
    layers = t.layers
    new = Network(
        list(net.layer_sizes), list(net.activations), net.loss,
        [layer.new_weights for layer in layers], [layer.new_biases for layer in layers],
        net.train_biases,
    )  # fmt: skip
    return StepTrace(
        loss=t.loss, penalty=t.penalty, sample_losses=t.sample_losses,
        output_losses=t.output_losses, inputs=xs, targets=ys, outputs=t.outputs, layers=layers,
        network=net if diverged else new, diverged=diverged,
    )  # fmt: skip


def _rows(m) -> list:
    return m.tolist() if hasattr(m, "tolist") else m


def _flat(arrays) -> list[float]:
    """Weights then biases (or their velocities) as one flat list, in the Params layout."""
    flat = []
    for a in arrays:
        a = _rows(a)
        if a and isinstance(a[0], list):
            for row in a:
                flat.extend(row)
        else:
            flat.extend(a)
    return [float(value) for value in flat]


def _compile(lines, name):
    namespace = {**_MATH, "SimpleNamespace": SimpleNamespace, "LayerTrace": LayerTrace}
    exec(compile("\n".join(lines), f"<compiled {name}>", "exec"), namespace)
    return namespace[name]


def _sign(w: str) -> str:
    return f"(1.0 if {w} > 0.0 else -1.0 if {w} < 0.0 else 0.0)"  # as np.sign


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

    def matrix(self, l, name) -> str:
        return (
            "[" + ", ".join("[" + ", ".join(name(i) for i in row) + "]" for row in self.w[l]) + "]"
        )

    def vector(self, l, name) -> str:
        return "[" + ", ".join(name(i) for i in self.b[l]) + "]"

    def per_sample(self, pattern: str, width: int) -> str:
        rows = (
            ", ".join(pattern.format(s=s, o=o) for o in range(width)) for s in range(self.batch)
        )
        return "[" + ", ".join(f"[{row}]" for row in rows) + "]"

    def sample_loss(self, s: int) -> str:
        return " + ".join(f"t{s}_{o}" for o in range(self.sizes[-1]))

    def forward_backward(self) -> list[str]:
        """z, a, f', dl/da, delta of every sample; loss; q = batch-mean gradients."""
        sizes, L, lines = self.sizes, self.L, []
        out_act = self.activations[-1]
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
                if out_act == "sigmoid" and self.loss == "binary_cross_entropy":
                    term, delta = (t.format(z=z, a=a, y=y) for t in SIGMOID_BCE_SCALAR)
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
        """v = momentum v + q (+ the penalty's gradient), p = p - learning_rate v."""
        lines = []
        for i in range(self.n if train_biases else self.n_weights):
            lines.append(f"    v{i} = " + (f"momentum * v{i} + q{i}" if momentum else f"q{i}"))
            if regularized and i < self.n_weights:
                lines.append(f"    v{i} = v{i} + (l2 * p{i} + l1 * {_sign(f'p{i}')})")
            lines.append(f"    p{i} = p{i} - learning_rate * v{i}")
        return lines
