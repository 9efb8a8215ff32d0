"""Training: history semantics, minibatches, momentum and penalties, divergence."""

import numpy as np
import pytest

from app.engine.data import dataset
from app.engine.network import Optimizer, Workspace, evaluate, init_params, step
from app.engine.train import epoch_order, steps_per_epoch, train

from . import nets


def spiral_net(activation="tanh"):
    return nets.network((2, 6, 6, 1), activation)


X, Y = dataset("spiral", 40, labels="signed")


def test_each_history_entry_is_the_whole_set_loss_after_that_epoch():
    net = spiral_net()
    result = train(net, X, Y, Optimizer(0.05), epochs=7, record_every=3)
    assert [r.epoch for r in result.history] == [3, 6, 7]  # thinned; the last always kept
    assert [r.step for r in result.history] == [3, 6, 7]  # full batch: one step an epoch
    assert result.history[-1].loss == pytest.approx(evaluate(result.network, X, Y).loss, rel=1e-14)
    again = train(net, X, Y, Optimizer(0.05), epochs=3)
    assert again.history[-1].loss == pytest.approx(result.history[0].loss, rel=1e-14)
    assert result.initial_loss == pytest.approx(evaluate(net, X, Y).loss, rel=1e-14)


def test_full_batch_train_equals_repeated_traced_steps():
    net = spiral_net()
    trained = train(net, X, Y, Optimizer(0.1, momentum=0.9, l1=1e-3, l2=1e-2), epochs=5)
    stepped, velocity = net, None
    for _ in range(5):
        trace = step(stepped, X, Y, Optimizer(0.1, momentum=0.9, l1=1e-3, l2=1e-2), velocity)
        stepped = trace.network
        velocity = [(l.velocity_weights, l.velocity_biases) for l in trace.layers]
    for a, b in zip(trained.network.weights, stepped.weights):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_minibatches_in_order_and_shuffled_are_deterministic():
    net = spiral_net()
    ordered = train(net, X, Y, Optimizer(0.05), epochs=3, batch_size=8)
    assert ordered.steps == 15  # 40 samples / 8 per batch x 3 epochs
    assert [(r.epoch, r.step) for r in ordered.history] == [(1, 5), (2, 10), (3, 15)]
    a = train(net, X, Y, Optimizer(0.05), epochs=3, batch_size=8, shuffle_seed=4)
    b = train(net, X, Y, Optimizer(0.05), epochs=3, batch_size=8, shuffle_seed=4)
    assert np.array_equal(a.network.weights[0], b.network.weights[0])
    assert not np.array_equal(a.network.weights[0], ordered.network.weights[0])


def test_a_minibatch_step_uses_the_mean_gradient_of_its_samples():
    net = spiral_net()
    ws = Workspace(net)
    ws.backward(X[:8], Y[:8], ws.forward(X[:8]))
    expected = [w - 0.05 * g for w, g in zip(net.weights, ws.grads.weights)]
    result = train(net, X[:8], Y[:8], Optimizer(0.05), epochs=1, batch_size=8)
    for a, b in zip(result.network.weights, expected):
        np.testing.assert_allclose(a, b, rtol=1e-14)


def test_step_reports_each_term_of_the_update():
    net = spiral_net()
    opt = Optimizer(0.1, momentum=0.5, l1=0.01, l2=0.1)
    old_velocity = [
        (np.full_like(w, 0.2), np.full_like(b, -0.1)) for w, b in zip(net.weights, net.biases)
    ]
    trace = step(net, X, Y, opt, old_velocity)
    for traced, (vw, vb) in zip(trace.layers, old_velocity):
        layer = {name: np.array(value) for name, value in vars(traced).items()}
        w = layer["weights"]
        np.testing.assert_allclose(layer["reg_weights"], 0.1 * w + 0.01 * np.sign(w), rtol=1e-15)
        velocity = 0.5 * vw + layer["grad_weights"] + layer["reg_weights"]
        np.testing.assert_allclose(layer["velocity_weights"], velocity, rtol=1e-13)
        np.testing.assert_allclose(layer["new_weights"], w - 0.1 * velocity, rtol=1e-13)
        biases = layer["biases"] - 0.1 * (0.5 * vb + layer["grad_biases"])
        np.testing.assert_allclose(layer["new_biases"], biases, rtol=1e-13)
    w_all = np.concatenate([w.ravel() for w in net.weights])
    assert trace.penalty == pytest.approx(0.01 * np.abs(w_all).sum() + 0.05 * (w_all**2).sum())


def test_biases_stay_fixed_when_not_trained_but_their_gradients_are_reported():
    net = spiral_net()
    net.train_biases = False
    trace = step(net, X, Y, Optimizer(0.5))
    assert all(np.array_equal(l.new_biases, l.biases) for l in trace.layers)
    assert any(np.abs(l.grad_biases).max() > 0 for l in trace.layers)
    trained = train(net, X, Y, Optimizer(0.5), epochs=3)
    assert all(np.array_equal(a, b) for a, b in zip(trained.network.biases, net.biases))


def test_an_update_that_overflows_is_reported_and_keeps_the_last_finite_network():
    net = spiral_net(activation="linear")
    trace = step(net, X, 1000 * Y, Optimizer(1e308))  # |grad| > 2, so eta * grad overflows
    assert trace.diverged
    assert all(np.array_equal(a, b) for a, b in zip(trace.network.weights, net.weights))


def test_a_forward_pass_that_overflows_is_reported_with_non_finite_values_intact():
    net = spiral_net(activation="linear")
    net.weights = [w * 1e200 for w in net.weights]
    trace = step(net, X, Y, Optimizer(0.1))
    assert trace.diverged and not np.isfinite(trace.loss)
    assert all(np.array_equal(a, b) for a, b in zip(trace.network.weights, net.weights))


@pytest.mark.parametrize("batch_size", [None, 8])
def test_diverging_training_stops_and_returns_finite_weights(batch_size):
    net = spiral_net(activation="linear")
    result = train(net, X, Y, Optimizer(5.0), epochs=2000, batch_size=batch_size)
    assert result.diverged and 0 < result.diverged_at_epoch < 2000
    assert all(np.isfinite(w).all() for w in result.network.weights)
    assert all(np.isfinite(r.loss) for r in result.history)


def test_test_loss_is_recorded_beside_the_training_loss():
    net = spiral_net()
    tx, ty = dataset("spiral", 20, seed=9, labels="signed")
    result = train(net, X, Y, Optimizer(0.05), epochs=4, record_every=2, test_x=tx, test_y=ty)
    assert [round(r.test_loss, 12) for r in result.history] == [
        round(evaluate(r.network, tx, ty).loss, 12)
        for r in (train(net, X, Y, Optimizer(0.05), epochs=2), result)
    ]


def test_initialization_is_deterministic_for_a_seed():
    a, _ = init_params([2, 8, 1], "he", 5)
    b, _ = init_params([2, 8, 1], "he", 5)
    c, _ = init_params([2, 8, 1], "he", 6)
    assert np.array_equal(a[0], b[0]) and not np.array_equal(a[0], c[0])
    limit = np.sqrt(6 / 10)
    w, _ = init_params([2, 8], "xavier", 0)
    assert np.abs(w[0]).max() <= limit
    z, _ = init_params([2, 8], "zeros", 0)
    assert not z[0].any()


def test_max_steps_stops_mid_epoch_and_records_that_epoch_last():
    net = spiral_net()
    result = train(net, X, Y, Optimizer(0.05), epochs=3, batch_size=8, max_steps=12)
    assert result.steps == 12  # 5 batches an epoch: two whole epochs and two batches
    assert [(r.epoch, r.step) for r in result.history] == [(1, 5), (2, 10), (3, 12)]
    assert result.history[-1].loss == pytest.approx(evaluate(result.network, X, Y).loss, rel=1e-14)


def test_steps_per_epoch_counts_the_last_partial_minibatch():
    assert steps_per_epoch(40, 8) == 5
    assert steps_per_epoch(41, 8) == 6
    assert steps_per_epoch(40, None) == steps_per_epoch(40, 100) == 1


@pytest.mark.parametrize("shuffle_seed", [None, 4])
def test_training_in_pieces_takes_the_steps_of_training_at_once(shuffle_seed):
    net = spiral_net()
    opt = Optimizer(0.05, momentum=0.9)
    options = {"batch_size": 7, "shuffle_seed": shuffle_seed}  # 6 batches an epoch, one short
    whole = train(net, X, Y, opt, epochs=5, max_steps=23, **options)
    network, velocity, taken = net, None, 0
    for steps in (4, 1, 9, 2, 7):  # pieces that start and end mid-epoch
        epochs = -(-((taken % 6) + steps) // 6)  # what is left of the epoch under way, and on
        piece = train(
            network, X, Y, opt, epochs, max_steps=steps, start_step=taken, velocity=velocity,
            **options,
        )  # fmt: skip
        assert piece.steps == steps
        network, velocity, taken = piece.network, piece.velocity, taken + steps
    assert taken == whole.steps == 23
    for a, b in zip(network.weights, whole.network.weights):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_each_shuffled_epoch_has_an_order_of_its_own():
    first, second = epoch_order(40, 4, 0), epoch_order(40, 4, 1)
    assert sorted(first) == sorted(second) == list(range(40))
    assert not np.array_equal(first, second)
    assert np.array_equal(first, epoch_order(40, 4, 0)) and epoch_order(40, None, 3) is None
