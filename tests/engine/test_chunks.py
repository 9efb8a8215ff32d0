"""Passes that keep only the outputs (losses, grids, forward without a trace) run over the
samples in chunks: the same numbers as one pass, in memory that does not grow with them."""

import tracemalloc

import numpy as np
import pytest

from app.engine import network as engine
from app.engine.data import dataset
from app.engine.network import Network, Workspace, evaluate, init_params
from app.engine.predict import grid


def net(sizes, output="sigmoid") -> Network:
    weights, biases = init_params(sizes, "xavier", 3)
    return Network(list(sizes), ["tanh"] * (len(sizes) - 2) + [output], "squared_error",
                   weights, biases)  # fmt: skip


X, Y = dataset("circle", 1000, seed=4)


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of about 37 samples for a network of 27 neurons: many chunks, a ragged last."""
    monkeypatch.setattr(engine, "CHUNK_VALUES", 1000)


def test_a_chunked_loss_equals_one_pass(small_chunks):
    network = net([2, 16, 10, 1])
    whole = Workspace(network).output_terms(Workspace(network).forward(X), Y).sum() / len(X)
    assert Workspace(network).loss(X, Y) == pytest.approx(whole, rel=1e-14)


def test_a_forward_without_trace_gives_the_outputs_and_losses_of_one_pass(small_chunks):
    network = net([2, 16, 10, 1])
    traced, untraced = evaluate(network, X, Y), evaluate(network, X, Y, trace=False)
    np.testing.assert_array_equal(untraced.a[-1], traced.a[-1])
    np.testing.assert_array_equal(untraced.output_losses, traced.output_losses)
    assert untraced.loss == traced.loss and untraced.z == []


@pytest.mark.parametrize("hidden", [True, False])
def test_a_chunked_grid_equals_one_pass(small_chunks, hidden):
    network = net([2, 16, 10, 1])
    g = grid(network, (-1, 1), (-2, 2), 23, hidden=hidden)
    xs, ys = np.meshgrid(np.linspace(-1, 1, 23), np.linspace(-2, 2, 23))
    buf = Workspace(network).forward(np.stack([xs.ravel(), ys.ravel()], axis=1))
    expected = buf.a if hidden else buf.a[-1:]
    assert len(g.layers) == len(expected)
    for got, a in zip(g.layers, expected):
        np.testing.assert_array_equal(got, a.T.reshape(a.shape[1], 23, 23))


def test_an_output_grid_of_a_wide_network_stays_in_a_few_megabytes():
    # 2,052 neurons: one pass over a 200 x 200 grid keeps z and a of all of them, 1.3 GB
    wide = net([2, 512, 1, 512, 1, 512, 1, 512, 1], output="linear")
    tracemalloc.start()
    try:
        g = grid(wide, (-1, 1), (-1, 1), 200, hidden=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert g.layers[0].shape == (1, 200, 200)
    assert peak < 64 * 2**20
