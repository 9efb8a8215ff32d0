"""Activations and losses: stable at extreme inputs, exact in the fused forms."""

import numpy as np
import pytest

from app.engine.functions import ACTIVATIONS, EPS, output_terms_and_delta

EXTREME = np.array([[-1e4, -800.0, -30.0, 0.0, 30.0, 800.0, 1e4]])


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activations_stay_finite_without_warnings_for_z_up_to_1e4(name):
    # pytest turns any numpy overflow warning into an error
    act = ACTIVATIONS[name]
    a = act.f(EXTREME, np.empty_like(EXTREME))
    assert np.isfinite(a).all()
    delta = act.backward(EXTREME, a, np.ones_like(a), np.empty_like(a))
    assert np.isfinite(delta).all()


def test_sigmoid_saturates_to_its_limits():
    a = ACTIVATIONS["sigmoid"].f(EXTREME, np.empty_like(EXTREME))
    assert a[0, 0] < 1e-300 and a[0, -1] == 1.0 and a[0, 3] == 0.5


def test_softmax_rows_sum_to_one_even_for_huge_z():
    a = ACTIVATIONS["softmax"].f(EXTREME, np.empty_like(EXTREME))
    assert a.sum() == pytest.approx(1.0, abs=1e-15)


@pytest.mark.parametrize(
    ("activation", "loss"),
    [
        ("sigmoid", "binary_cross_entropy"),
        ("softmax", "cross_entropy"),
        ("sigmoid", "cross_entropy"),
    ],
)
def test_saturated_outputs_give_finite_losses_and_deltas(activation, loss):
    z = np.array([[-1e4, 1e4]])
    a = ACTIVATIONS[activation].f(z, np.empty_like(z))
    y = np.array([[1.0, 0.0]])
    terms, grad_a, delta = output_terms_and_delta(activation, loss, z, a, y)
    assert np.isfinite(terms).all() and np.isfinite(grad_a).all() and np.isfinite(delta).all()


def test_fused_forms_take_logs_from_z_so_the_loss_is_exact_where_a_clip_would_cap_it():
    z = np.array([[-100.0]])  # sigmoid(-100) = 3.7e-44, far below EPS
    a = ACTIVATIONS["sigmoid"].f(z, np.empty_like(z))
    terms, _, delta = output_terms_and_delta(
        "sigmoid", "binary_cross_entropy", z, a, np.ones((1, 1))
    )
    assert terms[0, 0] == pytest.approx(100.0, rel=1e-12)  # -log sigmoid(-100)
    assert delta[0, 0] == pytest.approx(-1.0)  # a - y


def test_other_pairs_clip_the_log_at_eps():
    z = np.array([[0.0, 0.0]])
    a = np.array([[0.0, 1.0]])  # a linear output at exactly 0 and 1
    terms, _, _ = output_terms_and_delta(
        "linear", "binary_cross_entropy", z, a, np.array([[1.0, 0.0]])
    )
    assert terms == pytest.approx(-np.log(EPS) * np.ones((1, 2)), rel=1e-5)  # about 27.6, not inf


def test_relu_and_leaky_relu_derivatives():
    z = np.array([[-2.0, 0.0, 3.0]])
    for name, slope in (("relu", 0.0), ("leaky_relu", 0.01)):
        act = ACTIVATIONS[name]
        a = act.f(z, np.empty_like(z))
        assert a.tolist() == [[-2.0 * slope, 0.0, 3.0]]
        assert act.prime(z, a, np.empty_like(z)).tolist() == [[slope, slope, 1.0]]
