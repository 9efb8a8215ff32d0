"""Backprop gradients agree with finite differences of an independent reference."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.engine.functions import ACTIVATIONS, LOSSES
from app.engine.gradcheck import gradcheck
from app.engine.network import Workspace

from . import nets, reference

OUTPUT = list(ACTIVATIONS)
HIDDEN = [name for name in OUTPUT if not ACTIVATIONS[name].output_only]
SMOOTH = ["sigmoid", "tanh", "linear", "softplus", "silu"]  # no kink for Hypothesis to hit
CROSS_ENTROPIES = ("cross_entropy", "binary_cross_entropy")  # need outputs in (0, 1)
TOLERANCE = 1e-6  # relative error |bp - fd| / max(|bp|, |fd|, 1e-6)


def test_the_reference_writes_out_every_function_of_the_table():
    assert set(reference.ACTIVATIONS) == set(ACTIVATIONS)
    assert set(reference.LOSSES) == set(LOSSES)


def make_case(hidden, output, loss, sizes, batch, seed):
    net = nets.network(sizes, hidden, output, loss, seed=seed, biases="uniform")
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (batch, sizes[0]))
    if loss in ("cross_entropy",) and output == "softmax":
        y = rng.dirichlet(np.ones(sizes[-1]), batch)  # distributions
    else:
        y = rng.uniform(0.05, 0.95, (batch, sizes[-1]))  # valid for every loss
    return net, x, y


def valid_for_reference(net, x, y, loss):
    """Outputs where every loss is defined, and no kink (ReLU's, Huber's) within the FD step."""
    ws = Workspace(net)
    buf = ws.forward(x)
    if min(np.abs(z).min() for z in buf.z) < 0.02:
        return False
    a = buf.a[-1]
    if loss == "huber" and np.abs(np.abs(a - y) - 1).min() < 0.02:
        return False
    return loss not in CROSS_ENTROPIES or bool(((a > 0) & (a < 1)).all())


def backprop(net, x, y):
    ws = Workspace(net)
    ws.backward(x, y, ws.forward(x))
    return ws.grads


# every hidden activation under every output, and every output with every loss (the hidden
# layers' backprop does not depend on the loss)
CASES = [(h, o, "squared_error") for h in HIDDEN for o in OUTPUT] + [
    (HIDDEN[i % len(HIDDEN)], o, l)
    for i, (o, l) in enumerate((o, l) for o in OUTPUT for l in LOSSES if l != "squared_error")
    if not (l in CROSS_ENTROPIES and o not in ("sigmoid", "softmax"))
]


@pytest.mark.parametrize(("hidden", "output", "loss"), CASES)
@pytest.mark.parametrize(("sizes", "batch"), [([2, 3, 2], 1), ([3, 4, 3, 3], 5)])
def test_backprop_matches_finite_differences_of_the_reference(hidden, output, loss, sizes, batch):
    for seed in range(50):  # the first case where no ReLU sits on its kink
        net, x, y = make_case(hidden, output, loss, sizes, batch, seed)
        if valid_for_reference(net, x, y, loss):
            break
    else:
        pytest.fail("no case without a kink in 50 seeds")
    grads = backprop(net, x, y)
    fd_w, fd_b = reference.gradients(net.activations, loss, net.weights, net.biases, x, y)
    for l in range(len(net.weights)):
        assert reference.rel_error(grads.weights[l], fd_w[l]) < TOLERANCE
        assert reference.rel_error(grads.biases[l], fd_b[l]) < TOLERANCE


@pytest.mark.parametrize(("hidden", "output", "loss"), CASES)
def test_the_engines_own_gradcheck_agrees(hidden, output, loss):
    for seed in range(50):
        net, x, y = make_case(hidden, output, loss, [2, 3, 2], 3, seed)
        if valid_for_reference(net, x, y, loss):
            break
    else:
        pytest.fail("no case without a kink in 50 seeds")
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
    hidden=st.sampled_from(SMOOTH),
    output=st.sampled_from(SMOOTH),
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
