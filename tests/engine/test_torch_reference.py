"""The engine agrees with PyTorch (float64): every activation, loss and fused pair, and the
gradients of small networks with each new function. torch_reference.json holds PyTorch's
numbers (written by make_torch_reference.py), so PyTorch is not needed to run this."""

import json
from pathlib import Path

import numpy as np
import pytest

from app.engine.functions import ACTIVATIONS, FUSED, LOSSES
from app.engine.network import Network, Workspace

REFERENCE = json.loads(Path(__file__).with_name("torch_reference.json").read_text())
# torch and numpy order some operations differently; where torch underflows to 0 (sigmoid
# at -1e4) the engine's capped exponent gives 1e-304
TOLERANCE = {"rtol": 1e-10, "atol": 1e-13}


def test_the_reference_covers_the_whole_table():
    elementwise = {name for name, act in ACTIVATIONS.items() if act.prime is not None}
    assert set(REFERENCE["activations"]) == elementwise
    assert set(REFERENCE["losses"]) == set(LOSSES)
    assert {(f["activation"], f["loss"]) for f in REFERENCE["fused"]} == set(FUSED)
    in_networks = {name for net in REFERENCE["networks"] for name in net["activations"]}
    assert {"elu", "softplus", "silu"} <= in_networks
    assert "huber" in {net["loss"] for net in REFERENCE["networks"]}


@pytest.mark.parametrize("name", sorted(REFERENCE["activations"]))
def test_activations_and_their_derivatives(name):
    ref = REFERENCE["activations"][name]
    act = ACTIVATIONS[name]
    z = np.array([ref["z"]])
    a = act.f(z, np.empty_like(z))
    np.testing.assert_allclose(a[0], ref["a"], **TOLERANCE)
    np.testing.assert_allclose(act.prime(z, a, np.empty_like(z))[0], ref["f_prime"], **TOLERANCE)


def test_softmax_and_its_jacobian():
    ref = REFERENCE["softmax"]
    z, g = np.array(ref["z"]), np.array(ref["g"])
    act = ACTIVATIONS["softmax"]
    a = act.f(z, np.empty_like(z))
    np.testing.assert_allclose(a, ref["a"], **TOLERANCE)
    np.testing.assert_allclose(act.backward(z, a, g, np.empty_like(z)), ref["delta"], **TOLERANCE)


@pytest.mark.parametrize("name", sorted(REFERENCE["losses"]))
def test_loss_terms_and_their_gradients(name):
    for case in REFERENCE["losses"][name]:
        terms, grad_a = LOSSES[name].terms_and_grad(np.array(case["a"]), np.array(case["y"]))
        np.testing.assert_allclose(terms, case["terms"], **TOLERANCE)
        np.testing.assert_allclose(grad_a, case["grad_a"], **TOLERANCE)


def test_huber_was_checked_on_both_sides_of_its_kink():
    differences = np.concatenate(
        [np.abs(np.subtract(c["a"], c["y"])).ravel() for c in REFERENCE["losses"]["huber"]]
    )
    assert (differences < 1).any() and (differences > 1).any()


@pytest.mark.parametrize("index", range(len(REFERENCE["fused"])))
def test_fused_output_pairs(index):
    ref = REFERENCE["fused"][index]
    z, y = np.array(ref["z"]), np.array(ref["y"])
    a = ACTIVATIONS[ref["activation"]].f(z, np.empty_like(z))
    terms, _, delta = FUSED[ref["activation"], ref["loss"]].terms_grad_delta(z, a, y)
    np.testing.assert_allclose(terms, ref["terms"], **TOLERANCE)
    np.testing.assert_allclose(delta, ref["delta"], **TOLERANCE)


@pytest.mark.parametrize(
    "ref", REFERENCE["networks"], ids=lambda r: "-".join([*r["activations"], r["loss"]])
)
def test_network_gradients(ref):
    net = Network(
        ref["layer_sizes"], ref["activations"], ref["loss"],
        [np.array(w) for w in ref["weights"]], [np.array(b) for b in ref["biases"]],
    )  # fmt: skip
    x, y = np.array(ref["inputs"]), np.array(ref["targets"])
    ws = Workspace(net)
    terms = ws.backward(x, y, ws.forward(x))
    assert terms.sum(axis=1).mean() == pytest.approx(ref["value"], rel=1e-12)
    for mine, theirs in zip(ws.grads.weights, ref["grad_weights"]):
        np.testing.assert_allclose(mine, theirs, **TOLERANCE)
    for mine, theirs in zip(ws.grads.biases, ref["grad_biases"]):
        np.testing.assert_allclose(mine, theirs, **TOLERANCE)
