"""Backprop gradients agree with finite differences of an independent reference."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.engine.gradcheck import gradcheck
from app.engine.network import Network, Workspace, init_params

from . import reference

HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "linear"]
OUTPUT = [*HIDDEN, "softmax"]
LOSSES = ["squared_error", "mse", "cross_entropy", "binary_cross_entropy"]
TOLERANCE = 1e-6  # relative error |bp - fd| / max(|bp|, |fd|, 1e-6)


def make_case(hidden, output, loss, sizes, batch, seed):
    rng = np.random.default_rng(seed)
    weights, biases = init_params(sizes, "xavier", seed)
    biases = [rng.uniform(-0.3, 0.3, b.shape) for b in biases]
    net = Network(sizes, [hidden] * (len(sizes) - 2) + [output], loss, weights, biases)
    x = rng.uniform(-1, 1, (batch, sizes[0]))
    if loss in ("cross_entropy",) and output == "softmax":
        y = rng.dirichlet(np.ones(sizes[-1]), batch)  # distributions
    else:
        y = rng.uniform(0.05, 0.95, (batch, sizes[-1]))  # valid for every loss
    return net, x, y


def valid_for_reference(net, x, loss):
    """Outputs where every loss is defined, and no ReLU kink within the FD step."""
    ws = Workspace(net)
    buf = ws.forward(x)
    if min(np.abs(z).min() for z in buf.z) < 0.02:
        return False
    a = buf.a[-1]
    return loss not in ("cross_entropy", "binary_cross_entropy") or bool(((a > 0) & (a < 1)).all())


def backprop(net, x, y):
    ws = Workspace(net)
    ws.backward(x, y, ws.forward(x))
    return ws.grads


CASES = [
    (h, o, l)
    for h, o, l in itertools.product(HIDDEN, OUTPUT, LOSSES)
    # cross entropies need outputs in (0, 1)
    if not (l in ("cross_entropy", "binary_cross_entropy") and o not in ("sigmoid", "softmax"))
]


@pytest.mark.parametrize(("hidden", "output", "loss"), CASES)
@pytest.mark.parametrize(("sizes", "batch"), [([2, 3, 2], 1), ([3, 4, 3, 3], 5)])
def test_backprop_matches_finite_differences_of_the_reference(hidden, output, loss, sizes, batch):
    for seed in range(50):  # the first case where no ReLU sits on its kink
        net, x, y = make_case(hidden, output, loss, sizes, batch, seed)
        if valid_for_reference(net, x, loss):
            break
    grads = backprop(net, x, y)
    fd_w, fd_b = reference.gradients(net.activations, loss, net.weights, net.biases, x, y)
    for l in range(len(net.weights)):
        assert reference.rel_error(grads.weights[l], fd_w[l]) < TOLERANCE
        assert reference.rel_error(grads.biases[l], fd_b[l]) < TOLERANCE


@pytest.mark.parametrize(("hidden", "output", "loss"), CASES)
def test_the_engines_own_gradcheck_agrees(hidden, output, loss):
    for seed in range(50):
        net, x, y = make_case(hidden, output, loss, [2, 3, 2], 3, seed)
        if valid_for_reference(net, x, loss):
            break
    assert gradcheck(net, x, y, method="five_point").max_rel_error < TOLERANCE
    assert gradcheck(net, x, y, method="central").max_rel_error < 1e-4  # O(h^2) and rounding


def test_the_loss_the_engine_reports_equals_the_reference():
    net, x, y = make_case("tanh", "softmax", "cross_entropy", [3, 5, 4], 6, seed=1)
    ws = Workspace(net)
    assert ws.loss(x, y) == pytest.approx(
        reference.loss(net.activations, "cross_entropy", net.weights, net.biases, x, y), rel=1e-13
    )


@settings(max_examples=40, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 4), min_size=2, max_size=4),
    batch=st.integers(1, 4),
    hidden=st.sampled_from(["sigmoid", "tanh", "linear"]),
    output=st.sampled_from(["sigmoid", "tanh", "linear"]),
    loss=st.sampled_from(["squared_error", "mse"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_property_any_smooth_network_passes_gradcheck(sizes, batch, hidden, output, loss, seed):
    net, x, y = make_case(hidden, output, loss, sizes, batch, seed)
    grads = backprop(net, x, y)
    fd_w, fd_b = reference.gradients(net.activations, loss, net.weights, net.biases, x, y)
    for l in range(len(net.weights)):
        assert reference.rel_error(grads.weights[l], fd_w[l], floor=1e-6) < TOLERANCE
        assert reference.rel_error(grads.biases[l], fd_b[l], floor=1e-6) < TOLERANCE
