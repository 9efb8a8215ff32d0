"""The straight-line steps for small networks do what the numpy steps do."""

import numpy as np
import pytest

from app.engine import compiled
from app.engine.data import dataset
from app.engine.functions import ACTIVATIONS, LOSSES
from app.engine.network import Optimizer, step
from app.engine.train import CompiledKernel, NumpyKernel, train

from . import nets

ELEMENTWISE = [name for name, act in ACTIVATIONS.items() if act.scalar is not None]
CROSS_ENTROPIES = ("cross_entropy", "binary_cross_entropy")  # need outputs in (0, 1)
# every hidden activation once, and every output activation with every loss, each with
# another hidden activation: the hidden layers' code does not depend on the output's
COMBINATIONS = [(h, "tanh", "huber") for h in ELEMENTWISE] + [
    (ELEMENTWISE[i % len(ELEMENTWISE)], o, l)
    for i, (o, l) in enumerate((o, l) for o in ELEMENTWISE for l in LOSSES)
    if not (l in CROSS_ENTROPIES and o != "sigmoid")
]


def net(hidden, output, loss, sizes=(2, 3, 2), train_biases=True):
    return nets.network(sizes, hidden, output, loss, biases=0.1, train_biases=train_biases)


def both_paths(monkeypatch, *args, **kwargs):
    """train() forced onto the compiled path (however short the run), then onto numpy."""
    monkeypatch.setattr(compiled, "eligible", lambda net, batch_size, steps=None: True)
    fast = train(*args, **kwargs)
    monkeypatch.setattr(compiled, "eligible", lambda net, batch_size, steps=None: False)
    slow = train(*args, **kwargs)
    monkeypatch.undo()
    return fast, slow


def assert_same(fast, slow, rtol):
    for a, b in zip(
        fast.network.weights + fast.network.biases, slow.network.weights + slow.network.biases
    ):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=1e-300)
    assert [(r.epoch, r.step) for r in fast.history] == [(r.epoch, r.step) for r in slow.history]
    np.testing.assert_allclose(
        [r.loss for r in fast.history], [r.loss for r in slow.history], rtol=rtol
    )
    assert fast.diverged == slow.diverged and fast.steps == slow.steps


X, Y01 = dataset("circle", 12, seed=2)
Y = np.concatenate([Y01, 1 - Y01], axis=1) * 0.8 + 0.1  # two outputs in (0, 1)


@pytest.mark.parametrize(("hidden", "output", "loss"), COMBINATIONS)
def test_every_activation_and_loss_trains_the_same_on_both_paths(monkeypatch, hidden, output, loss):
    network = net(hidden, output, loss)
    fast, slow = both_paths(
        monkeypatch, network, X, Y, Optimizer(0.1), epochs=5, batch_size=4, record_every=2
    )
    assert_same(fast, slow, rtol=1e-12)


def test_momentum_penalties_fixed_biases_and_shuffled_minibatches(monkeypatch):
    network = net("tanh", "sigmoid", "binary_cross_entropy", train_biases=False)
    velocity = [
        (np.full_like(w, 0.01), np.full_like(b, 0.02))
        for w, b in zip(network.weights, network.biases)
    ]
    opt = Optimizer(0.2, momentum=0.9, l1=1e-3, l2=1e-2)
    fast, slow = both_paths(
        monkeypatch, network, X, Y, opt, epochs=20, batch_size=5, shuffle_seed=3, velocity=velocity,
        test_x=X[:4], test_y=Y[:4],
    )  # fmt: skip
    assert_same(fast, slow, rtol=1e-11)
    assert all(np.array_equal(a, b) for a, b in zip(fast.network.biases, network.biases))
    for (fw, fb), (sw, sb) in zip(fast.velocity, slow.velocity):
        np.testing.assert_allclose(fw, sw, rtol=1e-11)
        np.testing.assert_allclose(fb, sb, rtol=1e-11)


def test_the_worked_example_trains_on_the_compiled_path():
    mazur = nets.mazur()
    assert compiled.eligible(mazur, 1) and compiled.eligible(mazur, 1, steps=1000)
    result = train(mazur, nets.MAZUR_X, nets.MAZUR_Y, Optimizer(0.5), epochs=1)
    w5 = result.network.weights[1][0, 0]
    assert round(w5, 8) == 0.35891648


def test_divergence_on_the_compiled_path_keeps_the_last_good_parameters(monkeypatch):
    network = net("linear", "linear", "squared_error")
    fast, slow = both_paths(monkeypatch, network, X, Y * 100, Optimizer(3.0), epochs=500)
    assert fast.diverged and slow.diverged
    assert fast.diverged_at_epoch == slow.diverged_at_epoch
    assert_same(fast, slow, rtol=1e-9)
    assert all(np.isfinite(w).all() for w in fast.network.weights)


def test_softmax_and_big_networks_use_numpy():
    assert not compiled.eligible(net("tanh", "softmax", "cross_entropy"), 1)
    assert not compiled.eligible(
        net("tanh", "tanh", "mse", sizes=(2, 8, 8, 8, 8, 8, 8, 1)), 500, 10**6
    )


def test_compiling_is_chosen_only_where_it_is_faster_its_compile_time_included():
    small = net("tanh", "sigmoid", "mse")  # 17 parameters
    assert compiled.eligible(small, 3)  # a traced step: 51 units of work
    assert not compiled.eligible(small, 4)  # 68: a numpy trace is cheaper than compiling
    assert compiled.eligible(small, 1, steps=2000)  # 4 us a step instead of 26
    assert not compiled.eligible(small, 1, steps=10)  # too few steps to pay for compiling
    assert not compiled.eligible(small, 100, steps=10**6)  # numpy is faster at batch 100
    # the 1-31-31-1 network at batch 1: 170 us a compiled step, 37 us with numpy
    assert not compiled.eligible(net("tanh", "linear", "mse", sizes=(1, 31, 31, 1)), 1, 10**6)
    assert isinstance(CompiledKernel(net("tanh", "tanh", "mse"), Optimizer(0.1), None), NumpyKernel)


@pytest.mark.parametrize(("hidden", "output", "loss"), [
    ("sigmoid", "sigmoid", "squared_error"), ("tanh", "sigmoid", "binary_cross_entropy"),
    ("relu", "linear", "mse"), ("leaky_relu", "sigmoid", "cross_entropy"), ("linear", "tanh", "squared_error"),
    ("elu", "softplus", "huber"), ("silu", "elu", "mse"), ("softplus", "silu", "squared_error"),
])  # fmt: skip
@pytest.mark.parametrize("options", [{}, {"momentum": 0.9, "l1": 0.01, "l2": 0.1}])
def test_the_compiled_trace_equals_the_numpy_trace_field_by_field(hidden, output, loss, options):
    network = net(hidden, output, loss, sizes=(2, 3, 3, 2), train_biases=bool(options))
    velocity = [
        (np.full_like(w, 0.01), np.full_like(b, -0.02))
        for w, b in zip(network.weights, network.biases)
    ]
    opt = Optimizer(0.3, **options)
    fast = compiled.traced_step(network, X[:3], Y[:3], opt, velocity)
    slow = step(network, X[:3], Y[:3], opt, velocity)
    for name in ("loss", "penalty", "sample_losses", "output_losses", "outputs"):
        np.testing.assert_allclose(
            getattr(fast, name), getattr(slow, name), rtol=1e-13, err_msg=name
        )
    for f, s in zip(fast.layers, slow.layers):
        for name, value in vars(s).items():
            np.testing.assert_allclose(
                getattr(f, name), value, rtol=1e-12, atol=1e-300, err_msg=name
            )
    for a, b in zip(
        fast.network.weights + fast.network.biases, slow.network.weights + slow.network.biases
    ):
        np.testing.assert_allclose(a, b, rtol=1e-13)
    assert fast.diverged == slow.diverged is False


def test_a_diverging_compiled_trace_keeps_the_network_and_reports_it():
    network = net("linear", "linear", "squared_error")
    network.weights = [w * 1e200 for w in network.weights]
    trace = compiled.traced_step(network, X[:2], Y[:2], Optimizer(0.1))
    assert trace.diverged and trace.network is network


@pytest.mark.parametrize("activation", ELEMENTWISE)
def test_the_compiled_path_takes_z_up_to_1e4_as_numpy_does(monkeypatch, activation):
    network = net(activation, activation, "huber", sizes=(2, 3, 2))
    network.weights = [w * 1e4 / np.abs(w).max() for w in network.weights]  # |z| near 1e4
    x, y = np.array([[1.0, -1.0], [-1.0, 0.5]]), np.array([[0.5, -0.5], [1.0, 0.0]])
    fast = compiled.traced_step(network, x, y, Optimizer(1e-9))  # raises nothing
    slow = step(network, x, y, Optimizer(1e-9))
    for f, s in zip(fast.layers, slow.layers):
        for name in ("z", "a", "f_prime", "delta", "grad_weights"):
            np.testing.assert_allclose(
                getattr(f, name), getattr(s, name), rtol=1e-12, atol=1e-300, err_msg=name
            )
    fast_train, slow_train = both_paths(monkeypatch, network, x, y, Optimizer(1e-9), epochs=2)
    assert_same(fast_train, slow_train, rtol=1e-12)
