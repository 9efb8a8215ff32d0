"""The formulas the page shows are the ones the engine computes: every expression tree of
GET /api/v1/functions, evaluated by the tiny evaluator below, equals the numpy forms."""

import json
import math
import operator

import numpy as np
import pytest

from app.engine.formulas import ARITY, INDICES, VARIABLES
from app.engine.functions import ACTIVATIONS, FUSED, LOSSES, catalog

CATALOG = catalog()
SHOWN_ACTIVATIONS = {entry["name"]: entry for entry in CATALOG["activations"]}
SHOWN_LOSSES = {entry["name"]: entry for entry in CATALOG["losses"]}
SHOWN_FUSED = {(entry["activation"], entry["loss"]): entry for entry in CATALOG["fused"]}

Z = np.concatenate([np.linspace(-6, 6, 49), [-1e-3, 1e-3, 0.05]])
A_UNIT = np.linspace(0.02, 0.98, 13)  # where every loss is defined
A_WIDE = np.linspace(-2.5, 3.5, 25)  # and beyond, for the losses without a log
Y_VALUES = (0.0, 0.3, 1.0, -0.7)
TOLERANCE = {"rtol": 1e-10, "atol": 1e-13}

OPS = {
    "+": lambda *v: math.fsum(v), "*": lambda *v: math.prod(v), "-": operator.sub, "/": operator.truediv,
    "pow": operator.pow, "max": max, ">": operator.gt, "<=": operator.le, "neg": operator.neg,
    "exp": math.exp, "log": math.log, "tanh": math.tanh, "sigma": lambda x: 1 / (1 + math.exp(-x)),
    "abs": abs, "sign": lambda x: float(np.sign(x)),
}  # fmt: skip


def evaluate(tree: dict, env: dict) -> float:
    """The value of a tree; env holds the variables (vectors for indexed ones) and indices."""
    if "num" in tree:
        return tree["num"]
    if "var" in tree:
        value = env[tree["var"]]
        return value[env[tree["index"]]] if "index" in tree else value
    args = tree["args"]
    if tree["op"] == "sum":
        return math.fsum(evaluate(args[0], {**env, tree["index"]: k}) for k in range(env["n"]))
    if tree["op"] == "cases":
        *pairs, otherwise = args
        for value, condition in zip(pairs[::2], pairs[1::2]):
            if evaluate(condition, env):
                return evaluate(value, env)
        return evaluate(otherwise, env)
    return OPS[tree["op"]](*(evaluate(t, env) for t in args))


def nodes(tree: dict):
    yield tree
    for child in tree.get("args", []):
        yield from nodes(child)


def every_tree():
    for entry in (*CATALOG["activations"], *CATALOG["losses"], *CATALOG["fused"]):
        for key, tree in entry.items():
            if isinstance(tree, dict):
                yield key, tree


def test_every_tree_uses_only_the_documented_nodes():
    for key, tree in every_tree():
        for node in nodes(tree):
            assert len(set(node) & {"num", "var", "op"}) == 1, (key, node)
            if "var" in node:
                assert node["var"] in VARIABLES and node.get("index", "j") in INDICES
            elif "op" in node:
                arity, args = ARITY[node["op"]], node["args"]
                if node["op"] == "cases":
                    assert len(args) >= 3 and len(args) % 2 == 1
                else:
                    assert len(args) == arity if arity else len(args) >= 2, (key, node)
                assert (node["op"] == "sum") == ("index" in node)
    assert OPS.keys() | {"sum", "cases"} == ARITY.keys()  # the evaluator knows every operator


def test_the_served_table_names_every_function():
    assert list(SHOWN_ACTIVATIONS) == list(ACTIVATIONS)
    assert list(SHOWN_LOSSES) == list(LOSSES)
    assert list(SHOWN_FUSED) == list(FUSED)
    json.dumps(CATALOG, allow_nan=False)  # plain JSON


@pytest.mark.parametrize("name", [n for n, act in ACTIVATIONS.items() if act.prime is not None])
def test_the_shown_f_and_f_prime_equal_the_numpy_forms(name):
    act, shown = ACTIVATIONS[name], SHOWN_ACTIVATIONS[name]
    z = Z[None, :]
    a = act.f(z, np.empty_like(z))
    prime = act.prime(z, a, np.empty_like(z))
    envs = [{"z": zv, "a": av} for zv, av in zip(z[0], a[0])]
    np.testing.assert_allclose([evaluate(shown["f"], e) for e in envs], a[0], **TOLERANCE)
    np.testing.assert_allclose([evaluate(shown["f_prime"], e) for e in envs], prime[0], **TOLERANCE)
    assert shown["delta"] is None and not shown["output_only"]


def test_the_shown_softmax_and_its_jacobian_equal_the_numpy_forms():
    act, shown = ACTIVATIONS["softmax"], SHOWN_ACTIVATIONS["softmax"]
    rng = np.random.default_rng(0)
    z, g = rng.uniform(-4, 4, (5, 3)), rng.uniform(-1, 1, (5, 3))
    a = act.f(z, np.empty_like(z))
    delta = act.backward(z, a, g, np.empty_like(z))
    for s in range(5):
        env = {"z": z[s], "a": a[s], "g": g[s], "n": 3}
        for j in range(3):
            assert evaluate(shown["f"], {**env, "j": j}) == pytest.approx(a[s, j], rel=1e-12)
            assert evaluate(shown["delta"], {**env, "j": j}) == pytest.approx(
                delta[s, j], rel=1e-10, abs=1e-14
            )
    assert shown["f_prime"] is None and shown["output_only"]


@pytest.mark.parametrize("name", list(LOSSES))
def test_the_shown_loss_term_and_gradient_equal_the_numpy_forms(name):
    shown = SHOWN_LOSSES[name]
    has_log = '"log"' in json.dumps(shown)
    a = np.concatenate([A_UNIT] if has_log else [A_UNIT, A_WIDE])
    for y_value in Y_VALUES if not has_log else Y_VALUES[:3]:
        rows_a = a.reshape(-1, 1) * np.ones((1, 3))  # three outputs: n = 3
        rows_y = np.full_like(rows_a, y_value)
        terms, grad_a = LOSSES[name].terms_and_grad(rows_a, rows_y)
        envs = [{"a": av, "y": y_value, "n": 3} for av in a]
        np.testing.assert_allclose(
            [evaluate(shown["term"], e) for e in envs], terms[:, 0], **TOLERANCE
        )
        np.testing.assert_allclose(
            [evaluate(shown["grad_a"], e) for e in envs], grad_a[:, 0], **TOLERANCE
        )


@pytest.mark.parametrize(("activation", "loss"), list(FUSED))
def test_the_shown_fused_delta_equals_the_numpy_form(activation, loss):
    rng = np.random.default_rng(1)
    z, y = rng.uniform(-5, 5, (6, 3)), rng.uniform(0, 1, (6, 3))  # targets not summing to 1
    a = ACTIVATIONS[activation].f(z, np.empty_like(z))
    _, _, delta = FUSED[activation, loss].terms_grad_delta(z, a, y)
    shown = SHOWN_FUSED[activation, loss]["delta"]
    for s in range(6):
        for j in range(3):
            indexed = {"z": z[s], "a": a[s], "y": y[s], "n": 3, "j": j}
            plain = {"z": z[s, j], "a": a[s, j], "y": y[s, j], "n": 3}
            got = evaluate(shown, indexed if any("index" in n for n in nodes(shown)) else plain)
            assert got == pytest.approx(delta[s, j], rel=1e-12, abs=1e-15)
