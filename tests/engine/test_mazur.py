"""The published step-by-step example (Matt Mazur, "A Step by Step Backpropagation Example")."""

from decimal import Decimal

import numpy as np
import pytest

from app.engine.network import Network, Optimizer, evaluate, step
from app.engine.train import train

from . import nets

PUBLISHED_E_TOTAL = 0.298371109
# w1..w8 after one step, as printed in the post
PUBLISHED_WEIGHTS = [
    0.149780716, 0.19956143, 0.24975114, 0.29950229,
    0.35891648, 0.408666186, 0.511301270, 0.561370121,
]  # fmt: skip


@pytest.fixture
def net() -> Network:
    return nets.mazur()


X, Y = nets.MAZUR_X, nets.MAZUR_Y


def printed(value: float, like: float) -> float:
    """value rounded to as many decimals as the post prints for `like`."""
    return round(value, -Decimal(repr(like)).as_tuple().exponent)


def test_forward_pass_matches_the_post(net):
    result = evaluate(net, X, Y)
    assert printed(result.z[0][0, 0], 0.3775) == 0.3775  # net_h1
    assert printed(result.a[0][0, 0], 0.593269992) == 0.593269992  # out_h1
    assert printed(result.a[0][0, 1], 0.596884378) == 0.596884378  # out_h2
    assert printed(result.a[1][0, 0], 0.75136507) == 0.75136507  # out_o1
    assert printed(result.a[1][0, 1], 0.772928465) == 0.772928465  # out_o2
    assert printed(result.loss, PUBLISHED_E_TOTAL) == PUBLISHED_E_TOTAL


def test_one_step_gives_the_published_weights_to_the_last_printed_digit(net):
    trace = step(net, X, Y, Optimizer(learning_rate=0.5))
    new = [w for layer in trace.layers for row in layer.new_weights for w in row]  # w1 .. w8
    assert [printed(w, p) for w, p in zip(new, PUBLISHED_WEIGHTS)] == PUBLISHED_WEIGHTS
    assert not trace.diverged


def test_intermediate_values_of_the_backward_pass(net):
    trace = step(net, X, Y, Optimizer(learning_rate=0.5))
    out, hidden = trace.layers[1], trace.layers[0]
    assert out.grad_a[0][0] == pytest.approx(0.74136507, abs=1e-8)  # dE/dout_o1
    assert out.f_prime[0][0] == pytest.approx(0.186815602, abs=1e-9)  # dout_o1/dnet_o1
    assert out.delta[0][0] == pytest.approx(0.138498562, abs=1e-9)
    assert out.grad_weights[0][0] == pytest.approx(0.082167041, abs=1e-9)  # dE/dw5
    assert hidden.grad_a[0][0] == pytest.approx(0.036350306, abs=1e-9)  # dE_total/dout_h1
    assert hidden.grad_weights[0][0] == pytest.approx(0.000438568, abs=1e-9)  # dE/dw1
    # biases are not trained in the example, but their gradients are reported
    assert np.array_equal(hidden.new_biases, [0.35, 0.35])
    assert hidden.grad_biases[0] == pytest.approx(hidden.delta[0][0], rel=1e-15)


def test_textbook_algorithm_after_1_and_10000_steps(net):
    """The post's summary says 0.291027924 and 0.0000351085; the textbook algorithm gives these."""
    one = train(net, X, Y, Optimizer(learning_rate=0.5), epochs=1)
    assert one.history[-1].loss == pytest.approx(0.291027774, abs=1e-9)
    many = train(net, X, Y, Optimizer(learning_rate=0.5), epochs=10_000, record_every=10_000)
    assert printed(many.history[-1].loss, 0.0000351019) == 0.0000351019


def test_what_explains_the_posts_summary_figures(net):
    """0.291027924 (after one step) comes from back-propagating through the already-updated
    w5..w8; 0.0000351085 (after 10,000) is the textbook loss after 9,999 updates, i.e. the
    error printed at the start of the 10,000th iteration."""

    def sigmoid(z):
        return 1 / (1 + np.exp(-z))

    W1, W2 = net.weights
    b1, b2 = net.biases
    h = sigmoid(W1 @ X[0] + b1)
    o = sigmoid(W2 @ h + b2)
    d2 = (o - Y[0]) * o * (1 - o)
    W2 = W2 - 0.5 * np.outer(d2, h)
    d1 = (W2.T @ d2) * h * (1 - h)  # uses the updated W2, unlike the textbook
    W1 = W1 - 0.5 * np.outer(d1, X[0])
    o = sigmoid(W2 @ sigmoid(W1 @ X[0] + b1) + b2)
    assert printed(0.5 * np.sum((o - Y[0]) ** 2), 0.291027924) == 0.291027924

    textbook = train(net, X, Y, Optimizer(learning_rate=0.5), epochs=9_999, record_every=9_999)
    assert printed(textbook.history[-1].loss, 0.0000351085) == 0.0000351085
