"""Formulas as data: the small expression trees the page renders as MathML.

functions.py writes each formula with Python's operators (`1 / (1 + exp(-z))`); `.tree` is
its JSON, served by GET /api/v1/functions and drawn by static/js/formula.js:

    {"num": 0.5}                               a number
    {"var": "z"}, {"var": "a", "index": "j"}   a variable (of one neuron, or of neuron j)
    {"op": "+", "args": [...]}                 an operator applied to its arguments

Variables: z, a (of the neuron), y (its target), g (dl/da, the error arriving at a),
n (neurons in the layer); indices j (this neuron) and k (any neuron of the layer).
Operators, by arity: + and * (two or more); - / pow max > <= (two); neg exp log tanh
sigma abs sign (one); cases (value, condition, value, condition, ..., value otherwise);
sum (one argument, summed over its "index").
"""

from __future__ import annotations

VARIABLES = ("z", "a", "y", "g", "n")
INDICES = ("j", "k")
ARITY = {
    "+": None, "*": None,  # two or more
    "-": 2, "/": 2, "pow": 2, "max": 2, ">": 2, "<=": 2,
    "neg": 1, "exp": 1, "log": 1, "tanh": 1, "sigma": 1, "abs": 1, "sign": 1, "sum": 1,
    "cases": None,  # odd, at least three
}  # fmt: skip


class Expr:
    """One node of a formula; Python's arithmetic operators build bigger ones."""

    def __init__(self, tree: dict):
        self.tree = tree

    def __add__(self, other):
        return _flat("+", self, other)

    def __radd__(self, other):
        return _flat("+", other, self)

    def __sub__(self, other):
        return op("-", self, other)

    def __rsub__(self, other):
        return op("-", other, self)

    def __mul__(self, other):
        return _flat("*", self, other)

    def __rmul__(self, other):
        return _flat("*", other, self)

    def __truediv__(self, other):
        return op("/", self, other)

    def __rtruediv__(self, other):
        return op("/", other, self)

    def __pow__(self, other):
        return op("pow", self, other)

    def __neg__(self):
        return op("neg", self)

    def __abs__(self):
        return op("abs", self)

    def __gt__(self, other):
        return op(">", self, other)

    def __le__(self, other):
        return op("<=", self, other)


def expr(x) -> Expr:
    return x if isinstance(x, Expr) else Expr({"num": float(x)})


def num(x: float) -> Expr:
    """A number kept as one node: num(1) / 2 is the fraction 1/2, not 0.5."""
    return Expr({"num": float(x)})


def var(name: str, index: str | None = None) -> Expr:
    assert name in VARIABLES, f"unknown variable {name!r}"
    assert index is None or index in INDICES, f"unknown index {index!r}"
    return Expr({"var": name} if index is None else {"var": name, "index": index})


def op(name: str, *args, index: str | None = None) -> Expr:
    arity = ARITY[name]
    assert arity is None or len(args) == arity, f"{name} takes {arity} arguments"
    tree = {"op": name, "args": [expr(a).tree for a in args]}
    if index is not None:
        tree["index"] = index
    return Expr(tree)


def _flat(name: str, left, right) -> Expr:
    """a + b + c as one sum of three terms (and the same for products)."""
    args = []
    for side in (expr(left).tree, expr(right).tree):
        args += side["args"] if side.get("op") == name else [side]
    return Expr({"op": name, "args": args})


def exp(x) -> Expr:
    return op("exp", x)


def log(x) -> Expr:
    return op("log", x)


def tanh(x) -> Expr:
    return op("tanh", x)


def sigma(x) -> Expr:
    """The logistic sigmoid 1 / (1 + e^-x), written as the symbol a student knows."""
    return op("sigma", x)


def sign(x) -> Expr:
    return op("sign", x)


def maximum(x, y) -> Expr:
    return op("max", x, y)


def cases(*pairs, otherwise) -> Expr:
    """cases((v1, c1), (v2, c2), ..., otherwise=v): v1 if c1, else v2 if c2, ..., else v."""
    args = [part for pair in pairs for part in pair]
    return Expr({"op": "cases", "args": [expr(a).tree for a in (*args, otherwise)]})


def total(index: str, body) -> Expr:
    """The sum of body over every neuron `index` of the layer."""
    return op("sum", body, index=index)


z, a, y, g, n = (var(name) for name in VARIABLES)
z_j, z_k, a_j, a_k, y_j, y_k, g_j, g_k = (
    var(name, index) for name in ("z", "a", "y", "g") for index in INDICES
)
half = num(1) / 2
